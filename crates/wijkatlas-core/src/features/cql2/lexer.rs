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
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let token = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                i += 1;
                Token::Open
            }
            ')' => {
                i += 1;
                Token::Close
            }
            ',' => {
                i += 1;
                Token::Comma
            }
            '=' => {
                i += 1;
                Token::Compare(CompareOp::Eq)
            }
            '<' | '>' => {
                let next = chars.get(i + 1).copied();
                i += 1;
                let op = match (c, next) {
                    ('<', Some('=')) => CompareOp::Le,
                    ('<', Some('>')) => CompareOp::Ne,
                    ('>', Some('=')) => CompareOp::Ge,
                    ('<', _) => CompareOp::Lt,
                    _ => CompareOp::Gt,
                };
                if matches!(op, CompareOp::Le | CompareOp::Ne | CompareOp::Ge) {
                    i += 1;
                }
                Token::Compare(op)
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(Cql2Error::new(start, "this text is never closed with '"))
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                Token::Text(s)
            }
            '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|ch| *ch == '"')
                    .ok_or_else(|| Cql2Error::new(start, "this name is never closed with \""))?;
                let name: String = chars[i + 1..i + 1 + end].iter().collect();
                i += end + 2;
                Token::Word {
                    text: name,
                    quoted: true,
                }
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+' || c == '.')
                    && chars
                        .get(i + 1)
                        .is_some_and(|n| n.is_ascii_digit() || *n == '.')) =>
            {
                i += 1;
                while let Some(ch) = chars.get(i) {
                    let exponent_sign =
                        (*ch == '-' || *ch == '+') && matches!(chars[i - 1], 'e' | 'E');
                    if ch.is_ascii_digit()
                        || *ch == '.'
                        || *ch == 'e'
                        || *ch == 'E'
                        || exponent_sign
                    {
                        i += 1;
                    } else {
                        break;
                    }
                }
                let literal: String = chars[start..i].iter().collect();
                let n = literal
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| Cql2Error::new(start, format!("'{literal}' is not a number")))?;
                Token::Number(n)
            }
            c if c.is_alphabetic() || c == '_' => {
                i += 1;
                while chars.get(i).is_some_and(|ch| {
                    ch.is_alphanumeric() || *ch == '_' || *ch == '.' || *ch == ':'
                }) {
                    i += 1;
                }
                Token::Word {
                    text: chars[start..i].iter().collect(),
                    quoted: false,
                }
            }
            other => {
                return Err(Cql2Error::new(
                    start,
                    format!("'{other}' has no meaning here"),
                ))
            }
        };
        out.push(Spanned {
            token,
            position: start,
        });
    }
    Ok(out)
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
}
