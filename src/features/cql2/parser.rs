//! Turns tokens into a typed filter, checking names and types against the queryables.

use super::lexer::{CompareOp, Spanned, Token};
use super::{Cql2Error, Expr, Literal, Shape};
use crate::crs::{Crs, LonLat};
use geo::{Coord, LineString, Polygon};
use std::collections::BTreeMap;

/// Deeper nesting than this is refused rather than risk the stack.
const MAX_DEPTH: usize = 64;

pub struct Parser<'a> {
    tokens: &'a [Spanned],
    at: usize,
    /// Where the text ends, for errors about something missing at the end.
    end: usize,
    properties: &'a BTreeMap<String, &'static str>,
    crs: Crs,
    depth: usize,
}

fn is_keyword(token: &Token, keyword: &str) -> bool {
    matches!(token, Token::Word { text, quoted: false } if text.eq_ignore_ascii_case(keyword))
}

const RESERVED: [&str; 11] = [
    "AND",
    "OR",
    "NOT",
    "IN",
    "BETWEEN",
    "LIKE",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "S_INTERSECTS",
];

impl<'a> Parser<'a> {
    pub fn new(
        tokens: &'a [Spanned],
        end: usize,
        properties: &'a BTreeMap<String, &'static str>,
        crs: Crs,
    ) -> Self {
        Parser {
            tokens,
            at: 0,
            end,
            properties,
            crs,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<&'a Spanned> {
        self.tokens.get(self.at)
    }

    fn position(&self) -> usize {
        self.peek().map_or(self.end, |t| t.position)
    }

    fn describe(&self) -> String {
        match self.peek().map(|t| &t.token) {
            None => "the end of the filter".into(),
            Some(Token::Word { text, .. }) => format!("'{text}'"),
            Some(Token::Text(s)) => format!("'{s}'"),
            Some(Token::Number(n)) => format!("{n}"),
            Some(Token::Open) => "'('".into(),
            Some(Token::Close) => "')'".into(),
            Some(Token::Comma) => "','".into(),
            Some(Token::Compare(_)) => "a comparison".into(),
        }
    }

    fn expected(&self, what: &str) -> Cql2Error {
        Cql2Error::new(
            self.position(),
            format!("expected {what}, found {}", self.describe()),
        )
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        if self.peek().is_some_and(|t| is_keyword(&t.token, keyword)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn eat(&mut self, token: &Token, what: &str) -> Result<(), Cql2Error> {
        if self.peek().is_some_and(|t| &t.token == token) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    pub fn parse(mut self) -> Result<Expr, Cql2Error> {
        if self.tokens.is_empty() {
            return Err(Cql2Error::new(0, "the filter is empty"));
        }
        let e = self.or()?;
        if self.peek().is_some() {
            return Err(self.expected("AND, OR or the end of the filter"));
        }
        Ok(e)
    }

    fn or(&mut self) -> Result<Expr, Cql2Error> {
        let mut parts = vec![self.and()?];
        while self.eat_keyword("OR") {
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, Cql2Error> {
        let mut parts = vec![self.not()?];
        while self.eat_keyword("AND") {
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn not(&mut self) -> Result<Expr, Cql2Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Cql2Error::new(
                self.position(),
                format!("nested more than {MAX_DEPTH} deep"),
            ));
        }
        let e = if self.eat_keyword("NOT") {
            Expr::Not(Box::new(self.not()?))
        } else {
            self.predicate()?
        };
        self.depth -= 1;
        Ok(e)
    }

    fn predicate(&mut self) -> Result<Expr, Cql2Error> {
        let Some(first) = self.peek() else {
            return Err(self.expected("a condition"));
        };
        if first.token == Token::Open {
            self.at += 1;
            let e = self.or()?;
            self.eat(&Token::Close, "')'")?;
            return Ok(e);
        }
        if is_keyword(&first.token, "S_INTERSECTS") {
            self.at += 1;
            return self.intersects();
        }
        let left = self.operand()?;
        let negated = self.eat_keyword("NOT");
        let at = self.position();
        match self.peek().map(|t| &t.token) {
            Some(Token::Compare(op)) if !negated => {
                let op = *op;
                self.at += 1;
                let right = self.operand()?;
                self.comparison(left, op, right, at)
            }
            Some(t) if is_keyword(t, "IN") => {
                self.at += 1;
                let (name, kind) = self.property_of(left)?;
                self.eat(&Token::Open, "'(' and a list of values")?;
                let mut values = Vec::new();
                loop {
                    let (lit, pos) = self.literal()?;
                    self.check_type(&name, kind, &lit, pos)?;
                    values.push(lit);
                    if self.peek().is_some_and(|t| t.token == Token::Comma) {
                        self.at += 1;
                    } else {
                        break;
                    }
                }
                self.eat(&Token::Close, "',' or ')'")?;
                Ok(Expr::In {
                    property: name,
                    values,
                    negated,
                })
            }
            Some(t) if is_keyword(t, "BETWEEN") => {
                self.at += 1;
                let (name, kind) = self.property_of(left)?;
                let (low, low_at) = self.literal()?;
                self.check_type(&name, kind, &low, low_at)?;
                if !self.eat_keyword("AND") {
                    return Err(self.expected("AND between the two bounds"));
                }
                let (high, high_at) = self.literal()?;
                self.check_type(&name, kind, &high, high_at)?;
                Ok(Expr::Between {
                    property: name,
                    low,
                    high,
                    negated,
                })
            }
            Some(t) if is_keyword(t, "LIKE") => {
                self.at += 1;
                let (name, kind) = self.property_of(left)?;
                if kind != "string" {
                    return Err(Cql2Error::new(
                        at,
                        format!("LIKE compares text, and '{name}' is a {kind}"),
                    ));
                }
                match self.literal()? {
                    (Literal::Text(pattern), _) => Ok(Expr::Like {
                        property: name,
                        pattern: super::eval::LikePattern::new(&pattern),
                        negated,
                    }),
                    (_, pos) => Err(Cql2Error::new(pos, "LIKE needs a 'text pattern'")),
                }
            }
            Some(t) if is_keyword(t, "IS") && !negated => {
                self.at += 1;
                let negated = self.eat_keyword("NOT");
                if !self.eat_keyword("NULL") {
                    return Err(self.expected("NULL"));
                }
                let (name, _) = self.property_of(left)?;
                Ok(Expr::IsNull {
                    property: name,
                    negated,
                })
            }
            _ if negated => Err(self.expected("IN, BETWEEN or LIKE after NOT")),
            _ => {
                Err(self
                    .expected("a comparison (=, <>, <, <=, >, >=), IN, BETWEEN, LIKE or IS NULL"))
            }
        }
    }

    fn comparison(
        &self,
        left: Operand,
        op: CompareOp,
        right: Operand,
        at: usize,
    ) -> Result<Expr, Cql2Error> {
        let (name, kind, lit, lit_at, op) = match (left, right) {
            (Operand::Property { name, kind, .. }, Operand::Value(lit, pos)) => {
                (name, kind, lit, pos, op)
            }
            (Operand::Value(lit, pos), Operand::Property { name, kind, .. }) => {
                (name, kind, lit, pos, op.flipped())
            }
            (Operand::Property { .. }, Operand::Property { position, .. }) => {
                return Err(Cql2Error::new(
                    position,
                    "compare a property with a value, not with another property",
                ))
            }
            (Operand::Value(..), Operand::Value(..)) => {
                return Err(Cql2Error::new(
                    at,
                    "one side of a comparison must be a property",
                ))
            }
        };
        self.check_type(&name, kind, &lit, lit_at)?;
        Ok(Expr::Compare {
            property: name,
            op,
            value: lit,
        })
    }

    fn check_type(
        &self,
        name: &str,
        kind: &str,
        lit: &Literal,
        at: usize,
    ) -> Result<(), Cql2Error> {
        let ok = matches!(
            (kind, lit),
            ("string", Literal::Text(_))
                | ("number", Literal::Number(_))
                | ("boolean", Literal::Bool(_))
        );
        if ok {
            Ok(())
        } else {
            Err(Cql2Error::new(
                at,
                format!("'{name}' is a {kind}, and this value is {}", lit.kind()),
            ))
        }
    }

    fn property_of(&self, operand: Operand) -> Result<(String, &'static str), Cql2Error> {
        match operand {
            Operand::Property { name, kind, .. } => Ok((name, kind)),
            Operand::Value(_, pos) => Err(Cql2Error::new(pos, "expected a property name here")),
        }
    }

    fn operand(&mut self) -> Result<Operand, Cql2Error> {
        let Some(t) = self.peek() else {
            return Err(self.expected("a property or a value"));
        };
        match &t.token {
            Token::Word { text, quoted } if *quoted || !is_literal_word(text) => {
                if !quoted && RESERVED.iter().any(|k| k.eq_ignore_ascii_case(text)) {
                    return Err(self.expected("a property or a value"));
                }
                let kind = self.properties.get(text.as_str()).copied().ok_or_else(|| {
                    let known: Vec<&str> = self.properties.keys().map(String::as_str).collect();
                    Cql2Error::new(
                        t.position,
                        format!(
                            "'{text}' is not a queryable property; these are: {}",
                            known.join(", ")
                        ),
                    )
                })?;
                self.at += 1;
                Ok(Operand::Property {
                    name: text.clone(),
                    kind,
                    position: t.position,
                })
            }
            _ => {
                let (lit, pos) = self.literal()?;
                Ok(Operand::Value(lit, pos))
            }
        }
    }

    fn literal(&mut self) -> Result<(Literal, usize), Cql2Error> {
        let Some(t) = self.peek() else {
            return Err(self.expected("a value"));
        };
        let lit = match &t.token {
            Token::Text(s) => Literal::Text(s.clone()),
            Token::Number(n) => Literal::Number(*n),
            Token::Word {
                text,
                quoted: false,
            } if text.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Token::Word {
                text,
                quoted: false,
            } if text.eq_ignore_ascii_case("false") => Literal::Bool(false),
            _ => return Err(self.expected("a value ('text', a number, TRUE or FALSE)")),
        };
        self.at += 1;
        Ok((lit, t.position))
    }

    fn number(&mut self) -> Result<f64, Cql2Error> {
        match self.peek().map(|t| &t.token) {
            Some(Token::Number(n)) => {
                self.at += 1;
                Ok(*n)
            }
            _ => Err(self.expected("a number")),
        }
    }

    fn intersects(&mut self) -> Result<Expr, Cql2Error> {
        self.eat(&Token::Open, "'(' after S_INTERSECTS")?;
        let at = self.position();
        match self.peek().map(|t| &t.token) {
            Some(Token::Word { text, .. }) if text.eq_ignore_ascii_case("geometry") => {
                self.at += 1;
            }
            _ => {
                return Err(Cql2Error::new(
                    at,
                    "S_INTERSECTS compares the feature's 'geometry' with a shape: S_INTERSECTS(geometry, BBOX(…))",
                ))
            }
        }
        self.eat(&Token::Comma, "','")?;
        let shape = self.shape()?;
        self.eat(&Token::Close, "')'")?;
        Ok(Expr::Intersects(shape))
    }

    /// A position in the filter CRS's axis order, converted to RD metres.
    fn position_rd(&self, a: f64, b: f64, at: usize) -> Result<Coord<f64>, Cql2Error> {
        let (x, y) = match self.crs {
            Crs::Epsg4326 => (b, a),
            Crs::Crs84 | Crs::RdNew => (a, b),
        };
        match self.crs {
            Crs::RdNew => Ok(Coord { x, y }),
            Crs::Crs84 | Crs::Epsg4326 => {
                if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
                    return Err(Cql2Error::new(
                        at,
                        format!("({a}, {b}) is not a position in {}", self.crs),
                    ));
                }
                let p = LonLat::new(x.clamp(-10.0, 20.0), y.clamp(40.0, 60.0)).to_rd();
                Ok(Coord { x: p.x, y: p.y })
            }
        }
    }

    fn shape(&mut self) -> Result<Shape, Cql2Error> {
        let at = self.position();
        let kind = match self.peek().map(|t| &t.token) {
            Some(Token::Word {
                text,
                quoted: false,
            }) => text.to_ascii_uppercase(),
            _ => return Err(self.expected("BBOX(…), POINT(…) or POLYGON((…))")),
        };
        self.at += 1;
        self.eat(&Token::Open, "'('")?;
        let shape = match kind.as_str() {
            "BBOX" => {
                let mut n = vec![self.number()?];
                while self.peek().is_some_and(|t| t.token == Token::Comma) {
                    self.at += 1;
                    n.push(self.number()?);
                }
                let (a0, b0, a1, b1) = match n.as_slice() {
                    [a0, b0, a1, b1] | [a0, b0, _, a1, b1, _] => (*a0, *b0, *a1, *b1),
                    _ => {
                        return Err(Cql2Error::new(
                            at,
                            "BBOX needs 4 numbers (or 6 with heights)",
                        ))
                    }
                };
                let rect = super::super::query::bbox_to_rd(a0, b0, a1, b1, self.crs)
                    .map_err(|e| Cql2Error::new(at, e))?;
                Shape::Rect(rect)
            }
            "POINT" => {
                let a = self.number()?;
                let b = self.number()?;
                Shape::Point(self.position_rd(a, b, at)?)
            }
            "POLYGON" => {
                let mut rings = Vec::new();
                loop {
                    self.eat(&Token::Open, "'(' opening a ring")?;
                    let mut ring = Vec::new();
                    loop {
                        let pos = self.position();
                        let a = self.number()?;
                        let b = self.number()?;
                        ring.push(self.position_rd(a, b, pos)?);
                        if self.peek().is_some_and(|t| t.token == Token::Comma) {
                            self.at += 1;
                        } else {
                            break;
                        }
                    }
                    self.eat(&Token::Close, "',' or ')' closing the ring")?;
                    if ring.len() < 4 || ring.first() != ring.last() {
                        return Err(Cql2Error::new(
                            at,
                            "a polygon ring needs at least 4 positions, the last equal to the first",
                        ));
                    }
                    rings.push(LineString(ring));
                    if self.peek().is_some_and(|t| t.token == Token::Comma) {
                        self.at += 1;
                    } else {
                        break;
                    }
                }
                let exterior = rings.remove(0);
                Shape::Polygon(Polygon::new(exterior, rings))
            }
            other => {
                return Err(Cql2Error::new(
                    at,
                    format!("'{other}' is not a shape here: use BBOX, POINT or POLYGON"),
                ))
            }
        };
        self.eat(&Token::Close, "')'")?;
        Ok(shape)
    }
}

fn is_literal_word(text: &str) -> bool {
    text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false")
}

enum Operand {
    Property {
        name: String,
        kind: &'static str,
        position: usize,
    },
    Value(Literal, usize),
}
