//! Turns tokens into a typed filter, checking names and types against the queryables.

use super::lexer::{CompareOp, Spanned, Token};
use super::temporal::{Span, TemporalOp, OPEN_END, OPEN_START};
use super::{Cql2Error, Expr, Literal, Shape};
use crate::crs::Crs;
use crate::features::datetime::{parse_date, parse_timestamp};
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
    /// Points the shapes read so far added when drawn in RD (see
    /// [`super::super::asked_box::MAX_ADDED_POINTS`]).
    added_points: usize,
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
            added_points: 0,
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
        if let Token::Word {
            text,
            quoted: false,
        } = &first.token
        {
            if let Some(op) = TemporalOp::from_name(text).filter(|_| self.next_opens()) {
                self.at += 1;
                return self.temporal(op, first.position);
            }
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
            (
                Operand::Property {
                    name: left, kind, ..
                },
                Operand::Property {
                    name: right,
                    kind: right_kind,
                    position,
                },
            ) => {
                if kind != right_kind {
                    return Err(Cql2Error::new(
                        position,
                        format!("'{left}' is a {kind} and '{right}' a {right_kind}: they do not compare"),
                    ));
                }
                return Ok(Expr::CompareProperties {
                    left,
                    op,
                    right,
                    kind,
                });
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
                | ("date", Literal::Date(_))
                | ("date-time", Literal::Timestamp(_))
        );
        if ok {
            return Ok(());
        }
        // Times are compared as times, never as text: say how to write one.
        let hint = match kind {
            "date" => "; write a date as DATE('2024-01-01')",
            "date-time" => "; write an instant as TIMESTAMP('2024-01-01T00:00:00Z')",
            _ => "",
        };
        Err(Cql2Error::new(
            at,
            format!(
                "'{name}' is a {kind}, and this value is {}{hint}",
                lit.kind()
            ),
        ))
    }

    /// Whether the token after the current one is `(`: `DATE(` is a literal, a property
    /// may still be called `date`.
    fn next_opens(&self) -> bool {
        self.tokens
            .get(self.at + 1)
            .is_some_and(|t| t.token == Token::Open)
    }

    fn at_time_literal(&self) -> bool {
        self.peek().is_some_and(|t| {
            (is_keyword(&t.token, "DATE") || is_keyword(&t.token, "TIMESTAMP")) && self.next_opens()
        })
    }

    /// `DATE('2024-01-01')` or `TIMESTAMP('2024-01-01T00:00:00Z')`, at a DATE or TIMESTAMP
    /// word followed by `(`.
    fn time_literal(&mut self) -> Result<(Literal, usize), Cql2Error> {
        let Some(word) = self.peek() else {
            return Err(self.expected("DATE or TIMESTAMP"));
        };
        let date = is_keyword(&word.token, "DATE");
        self.at += 1;
        self.eat(&Token::Open, "'('")?;
        let example = if date {
            "DATE('2024-01-01')"
        } else {
            "TIMESTAMP('2024-01-01T00:00:00Z')"
        };
        let (text, at) = match self.peek() {
            Some(Spanned {
                token: Token::Text(s),
                position,
            }) => (s.clone(), *position),
            _ => return Err(self.expected(&format!("a quoted value, as in {example}"))),
        };
        self.at += 1;
        self.eat(&Token::Close, "')'")?;
        let lit = if date {
            parse_date(&text).map(Literal::Date)
        } else {
            parse_timestamp(&text).map(Literal::Timestamp)
        }
        .map_err(|e| Cql2Error::new(at, e))?;
        Ok((lit, word.position))
    }

    /// `T_…(a, b)`: one side a date or date-time property, the other an instant of the
    /// same type or an `INTERVAL`.
    fn temporal(&mut self, op: TemporalOp, at: usize) -> Result<Expr, Cql2Error> {
        self.eat(&Token::Open, &format!("'(' after {}", op.name()))?;
        let a = self.temporal_argument()?;
        self.eat(&Token::Comma, "','")?;
        let b = self.temporal_argument()?;
        self.eat(&Token::Close, "')'")?;
        let (name, kind, position, other, op) = match (a, b) {
            (TimeArgument::Property { position, .. }, TimeArgument::Property { .. }) => {
                return Err(Cql2Error::new(
                    position,
                    format!(
                        "{} compares a property with a time; two properties are not supported",
                        op.name()
                    ),
                ))
            }
            (
                TimeArgument::Property {
                    name,
                    kind,
                    position,
                },
                other,
            ) => (name, kind, position, other, op),
            (
                other,
                TimeArgument::Property {
                    name,
                    kind,
                    position,
                },
            ) => (name, kind, position, other, op.flipped()),
            _ => {
                return Err(Cql2Error::new(
                    at,
                    format!("one side of {} must be a property", op.name()),
                ))
            }
        };
        let timestamps = match kind {
            "date" => false,
            "date-time" => true,
            _ => {
                let times: Vec<&str> = self
                    .properties
                    .iter()
                    .filter(|(_, k)| matches!(**k, "date" | "date-time"))
                    .map(|(n, _)| n.as_str())
                    .collect();
                let which = if times.is_empty() {
                    "this collection has no date or date-time properties".to_string()
                } else {
                    format!(
                        "the date and date-time properties are: {}",
                        times.join(", ")
                    )
                };
                return Err(Cql2Error::new(
                    position,
                    format!(
                        "{} compares times, and '{name}' is a {kind}; {which}",
                        op.name()
                    ),
                ));
            }
        };
        let value = match other {
            TimeArgument::Property { position, .. } => {
                return Err(Cql2Error::new(position, "expected a time here"))
            }
            TimeArgument::Instant(lit, lit_at) => {
                self.check_type(&name, kind, &lit, lit_at)?;
                Span::instant(time_of(&lit, lit_at)?)
            }
            TimeArgument::Interval { start, end, at } => {
                let start = self.bound(&name, kind, start, OPEN_START)?;
                let end = self.bound(&name, kind, end, OPEN_END)?;
                if start > end {
                    return Err(Cql2Error::new(at, "this interval ends before it starts"));
                }
                Span { start, end }
            }
        };
        Ok(Expr::Temporal {
            property: name,
            op,
            value,
            timestamps,
        })
    }

    fn temporal_argument(&mut self) -> Result<TimeArgument, Cql2Error> {
        let at = self.position();
        if self
            .peek()
            .is_some_and(|t| is_keyword(&t.token, "INTERVAL"))
            && self.next_opens()
        {
            self.at += 2;
            let start = self.interval_bound()?;
            self.eat(&Token::Comma, "',' between the start and the end")?;
            let end = self.interval_bound()?;
            self.eat(&Token::Close, "')'")?;
            return Ok(TimeArgument::Interval { start, end, at });
        }
        match self.operand()? {
            Operand::Property {
                name,
                kind,
                position,
            } => Ok(TimeArgument::Property {
                name,
                kind,
                position,
            }),
            Operand::Value(lit @ (Literal::Date(_) | Literal::Timestamp(_)), pos) => {
                Ok(TimeArgument::Instant(lit, pos))
            }
            Operand::Value(_, pos) => Err(Cql2Error::new(
                pos,
                "expected a property, DATE('…'), TIMESTAMP('…') or INTERVAL(start, end)",
            )),
        }
    }

    fn interval_bound(&mut self) -> Result<Bound, Cql2Error> {
        if self.at_time_literal() {
            let (lit, at) = self.time_literal()?;
            return Ok(Bound::Literal(lit, at));
        }
        match self.peek() {
            Some(Spanned {
                token: Token::Text(s),
                position,
            }) => {
                let bound = if s == ".." {
                    Bound::Open
                } else {
                    Bound::Text(s.clone(), *position)
                };
                self.at += 1;
                Ok(bound)
            }
            _ => Err(self.expected("'2024-01-01', DATE('…'), TIMESTAMP('…') or '..'")),
        }
    }

    /// One end of an interval on the property's timeline; `open` when it is `'..'`.
    fn bound(&self, name: &str, kind: &str, bound: Bound, open: i64) -> Result<i64, Cql2Error> {
        match bound {
            Bound::Open => Ok(open),
            Bound::Text(text, at) => if kind == "date" {
                parse_date(&text)
            } else {
                parse_timestamp(&text)
            }
            .map_err(|e| Cql2Error::new(at, format!("'{name}' is a {kind}: {e}"))),
            Bound::Literal(lit, at) => {
                self.check_type(name, kind, &lit, at)?;
                time_of(&lit, at)
            }
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
            Token::Word { text, quoted }
                if *quoted || !(is_literal_word(text) || self.at_time_literal()) =>
            {
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
        if self.at_time_literal() {
            return self.time_literal();
        }
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
            _ => {
                return Err(self.expected(
                    "a value ('text', a number, TRUE, FALSE, DATE('…') or TIMESTAMP('…'))",
                ))
            }
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
        let (x, y) = self.position_xy(a, b, at)?;
        Ok(match self.crs {
            Crs::RdNew => Coord { x, y },
            Crs::Crs84 | Crs::Epsg4326 => super::super::asked_box::in_rd(x, y),
        })
    }

    /// A position in the filter CRS's axis order, as x and y of that CRS: longitude and
    /// latitude (checked, and kept where RD can be drawn) or RD metres.
    fn position_xy(&self, a: f64, b: f64, at: usize) -> Result<(f64, f64), Cql2Error> {
        let (x, y) = match self.crs {
            Crs::Epsg4326 => (b, a),
            Crs::Crs84 | Crs::RdNew => (a, b),
        };
        match self.crs {
            Crs::RdNew => Ok((x, y)),
            Crs::Crs84 | Crs::Epsg4326 => {
                if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
                    return Err(Cql2Error::new(
                        at,
                        format!("({a}, {b}) is not a position in {}", self.crs),
                    ));
                }
                Ok((x.clamp(-10.0, 20.0), y.clamp(40.0, 60.0)))
            }
        }
    }

    /// Counts `n` more points drawn for the filter's shapes, refused past the most.
    fn add_points(&mut self, n: usize, at: usize) -> Result<(), Cql2Error> {
        use super::super::asked_box::MAX_ADDED_POINTS;
        self.added_points = self.added_points.saturating_add(n);
        if self.added_points > MAX_ADDED_POINTS {
            return Err(Cql2Error::new(
                at,
                format!(
                    "the shapes' edges in longitude and latitude would take more than {MAX_ADDED_POINTS} points to draw in RD: use fewer or shorter long edges, or give the shapes in EPSG:28992 (filter-crs)"
                ),
            ));
        }
        Ok(())
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
                let asked = super::super::query::asked_box(a0, b0, a1, b1, self.crs)
                    .map_err(|e| Cql2Error::new(at, e))?;
                // A box adds at most 4 × 512 points: counted once drawn.
                self.add_points(asked.drawn_points(), at)?;
                Shape::Rect(asked)
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
                        ring.push(self.position_xy(a, b, pos)?);
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
                    // An edge straight in longitude and latitude is curved in RD.
                    rings.push(LineString(match self.crs {
                        Crs::RdNew => ring.into_iter().map(Coord::from).collect(),
                        Crs::Crs84 | Crs::Epsg4326 => {
                            let drawn = super::super::asked_box::lonlat_line_points(&ring);
                            self.add_points(drawn.saturating_sub(ring.len()), at)?;
                            super::super::asked_box::lonlat_line_in_rd(&ring)
                        }
                    }));
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

/// An argument of a temporal operator before its type is known.
enum TimeArgument {
    Property {
        name: String,
        kind: &'static str,
        position: usize,
    },
    Instant(Literal, usize),
    Interval {
        start: Bound,
        end: Bound,
        at: usize,
    },
}

/// One end of `INTERVAL(…)`: `'..'`, a quoted date or instant read by the property's
/// type, or a DATE/TIMESTAMP literal.
enum Bound {
    Open,
    Text(String, usize),
    Literal(Literal, usize),
}

/// The point on its timeline of a DATE or TIMESTAMP literal.
fn time_of(lit: &Literal, at: usize) -> Result<i64, Cql2Error> {
    match lit {
        Literal::Date(t) | Literal::Timestamp(t) => Ok(*t),
        other => Err(Cql2Error::new(
            at,
            format!("expected a DATE or TIMESTAMP, found {}", other.kind()),
        )),
    }
}

enum Operand {
    Property {
        name: String,
        kind: &'static str,
        position: usize,
    },
    Value(Literal, usize),
}
