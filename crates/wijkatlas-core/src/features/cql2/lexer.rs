//! Splits CQL2 text into tokens, each with the character position it starts at.

use super::Cql2Error;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A name: a bare word (which may be a keyword) or a "double-quoted" property name.
    Word {
        text: String,
        quoted: bool,
    },
    Text(String),
    Number(f64),
    Open,
    Close,
    Comma,
    Compare(CompareOp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    /// The same comparison with its sides swapped: `5 < x` is `x > 5`.
    pub fn flipped(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
            same => same,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub token: Token,
    pub position: usize,
}

pub fn tokens(text: &str) -> Result<Vec<Spanned>, Cql2Error> {
    let mut lexer = Lexer {
        chars: text.chars().collect(),
        i: 0,
    };
    let mut out = Vec::new();
    while let Some(spanned) = lexer.next_token()? {
        out.push(spanned);
    }
    Ok(out)
}

/// The filter's characters and the position of the next one to read.
struct Lexer {
    chars: Vec<char>,
    i: usize,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    /// The next token after any white space, or `None` at the end of the text.
    fn next_token(&mut self) -> Result<Option<Spanned>, Cql2Error> {
        while self.peek(0).is_some_and(char::is_whitespace) {
            self.i += 1;
        }
        let Some(c) = self.peek(0) else {
            return Ok(None);
        };
        let start = self.i;
        let token = match c {
            '(' => self.single(Token::Open),
            ')' => self.single(Token::Close),
            ',' => self.single(Token::Comma),
            '=' => self.single(Token::Compare(CompareOp::Eq)),
            '<' | '>' => self.comparison(c),
            '\'' => self.text(start)?,
            '"' => self.quoted_name(start)?,
            c if self.starts_number(c) => self.number(start)?,
            c if c.is_alphabetic() || c == '_' => self.word(start),
            other => {
                return Err(Cql2Error::new(
                    start,
                    format!("'{other}' has no meaning here"),
                ))
            }
        };
        Ok(Some(Spanned {
            token,
            position: start,
        }))
    }

    fn single(&mut self, token: Token) -> Token {
        self.i += 1;
        token
    }

    /// `<`, `<=`, `<>`, `>` or `>=`: one character or two.
    fn comparison(&mut self, c: char) -> Token {
        let op = match (c, self.peek(1)) {
            ('<', Some('=')) => CompareOp::Le,
            ('<', Some('>')) => CompareOp::Ne,
            ('>', Some('=')) => CompareOp::Ge,
            ('<', _) => CompareOp::Lt,
            _ => CompareOp::Gt,
        };
        self.i += if matches!(op, CompareOp::Le | CompareOp::Ne | CompareOp::Ge) {
            2
        } else {
            1
        };
        Token::Compare(op)
    }

    /// A 'single-quoted' text, in which '' stands for one quote.
    fn text(&mut self, start: usize) -> Result<Token, Cql2Error> {
        let mut s = String::new();
        self.i += 1;
        loop {
            match self.peek(0) {
                None => return Err(Cql2Error::new(start, "this text is never closed with '")),
                Some('\'') if self.peek(1) == Some('\'') => {
                    s.push('\'');
                    self.i += 2;
                }
                Some('\'') => {
                    self.i += 1;
                    return Ok(Token::Text(s));
                }
                Some(ch) => {
                    s.push(ch);
                    self.i += 1;
                }
            }
        }
    }

    /// A "double-quoted" property name, which may hold spaces.
    fn quoted_name(&mut self, start: usize) -> Result<Token, Cql2Error> {
        let rest = &self.chars[self.i + 1..];
        let end = rest
            .iter()
            .position(|ch| *ch == '"')
            .ok_or_else(|| Cql2Error::new(start, "this name is never closed with \""))?;
        let name: String = rest[..end].iter().collect();
        self.i += end + 2;
        Ok(Token::Word {
            text: name,
            quoted: true,
        })
    }

    /// A digit, or a sign or point with a digit or point after it: `-1`, `.5`, `+.5`.
    fn starts_number(&self, c: char) -> bool {
        c.is_ascii_digit()
            || (matches!(c, '-' | '+' | '.')
                && self.peek(1).is_some_and(|n| n.is_ascii_digit() || n == '.'))
    }

    fn number(&mut self, start: usize) -> Result<Token, Cql2Error> {
        self.i += 1;
        while let Some(ch) = self.peek(0) {
            // A sign inside a number only belongs to it straight after the exponent's e.
            let exponent_sign =
                matches!(ch, '-' | '+') && matches!(self.chars[self.i - 1], 'e' | 'E');
            if ch.is_ascii_digit() || matches!(ch, '.' | 'e' | 'E') || exponent_sign {
                self.i += 1;
            } else {
                break;
            }
        }
        let literal: String = self.chars[start..self.i].iter().collect();
        literal
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Token::Number)
            .ok_or_else(|| Cql2Error::new(start, format!("'{literal}' is not a number")))
    }

    /// A bare word: a keyword or a property name, which may hold `.` and `:`.
    fn word(&mut self, start: usize) -> Token {
        self.i += 1;
        while self
            .peek(0)
            .is_some_and(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '.' | ':'))
        {
            self.i += 1;
        }
        Token::Word {
            text: self.chars[start..self.i].iter().collect(),
            quoted: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_words_texts_numbers_and_operators_with_positions() {
        let t = tokens("naam = 'Jan''s' AND \"pct 65\" >= -1.5e2").unwrap();
        let kinds: Vec<&Token> = t.iter().map(|s| &s.token).collect();
        assert_eq!(
            kinds,
            [
                &Token::Word {
                    text: "naam".into(),
                    quoted: false
                },
                &Token::Compare(CompareOp::Eq),
                &Token::Text("Jan's".into()),
                &Token::Word {
                    text: "AND".into(),
                    quoted: false
                },
                &Token::Word {
                    text: "pct 65".into(),
                    quoted: true
                },
                &Token::Compare(CompareOp::Ge),
                &Token::Number(-150.0),
            ]
        );
        assert_eq!(t[2].position, 7);
        assert_eq!(t[4].position, 20);
    }

    #[test]
    fn unclosed_text_points_at_its_start() {
        let e = tokens("naam = 'open").unwrap_err();
        assert_eq!(e.position, 7);
        assert_eq!(
            tokens("a <> b").unwrap()[1].token,
            Token::Compare(CompareOp::Ne)
        );
        assert!(tokens("a ; b").unwrap_err().message.contains("';'"));
    }

    /// Every kind of token once, each with where it starts: a split that loses a step
    /// or advances by the wrong count shows here.
    #[test]
    fn reads_every_operator_and_punctuation_with_positions() {
        let t = tokens(" ( a<b,c<=d<>e>f>=g=h ) ").unwrap();
        let got: Vec<(usize, Token)> = t.into_iter().map(|s| (s.position, s.token)).collect();
        let word = |w: &str| Token::Word {
            text: w.into(),
            quoted: false,
        };
        let cmp = Token::Compare;
        assert_eq!(
            got,
            [
                (1, Token::Open),
                (3, word("a")),
                (4, cmp(CompareOp::Lt)),
                (5, word("b")),
                (6, Token::Comma),
                (7, word("c")),
                (8, cmp(CompareOp::Le)),
                (10, word("d")),
                (11, cmp(CompareOp::Ne)),
                (13, word("e")),
                (14, cmp(CompareOp::Gt)),
                (15, word("f")),
                (16, cmp(CompareOp::Ge)),
                (18, word("g")),
                (19, cmp(CompareOp::Eq)),
                (20, word("h")),
                (22, Token::Close),
            ]
        );
        assert!(tokens("").unwrap().is_empty());
        assert!(tokens(" \t\n").unwrap().is_empty());
    }

    #[test]
    fn reads_numbers_with_signs_points_and_exponents() {
        let numbers = |text: &str| -> Vec<f64> {
            tokens(text)
                .unwrap()
                .into_iter()
                .map(|s| match s.token {
                    Token::Number(n) => n,
                    other => panic!("{other:?} is not a number in {text}"),
                })
                .collect()
        };
        assert_eq!(
            numbers(".5 +3 -.25 1e-3 2E+2 7"),
            [0.5, 3.0, -0.25, 0.001, 200.0, 7.0]
        );
        let e = tokens("x = 1.2.3").unwrap_err();
        assert_eq!(e.position, 4);
        assert!(e.message.contains("'1.2.3' is not a number"), "{e}");
        assert!(tokens("1e999")
            .unwrap_err()
            .message
            .contains("not a number"));
        // A sign with no digit after it is no number, and means nothing alone.
        assert!(tokens("a - b").unwrap_err().message.contains("'-'"));
    }

    #[test]
    fn reads_dotted_names_and_quoted_names() {
        let t = tokens("wijk.code:x_1 \"a (b)\"").unwrap();
        assert_eq!(
            t[0].token,
            Token::Word {
                text: "wijk.code:x_1".into(),
                quoted: false
            }
        );
        assert_eq!(
            t[1],
            Spanned {
                token: Token::Word {
                    text: "a (b)".into(),
                    quoted: true
                },
                position: 14
            }
        );
        assert_eq!(t.len(), 2);
        let e = tokens("a = \"open").unwrap_err();
        assert_eq!(e.position, 4);
        assert!(e.message.contains("never closed"), "{e}");
        assert_eq!(
            tokens("'' 'x'").unwrap()[0].token,
            Token::Text(String::new())
        );
        assert_eq!(tokens("'' 'x'").unwrap()[1].position, 3);
    }
}
