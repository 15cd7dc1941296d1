//! Evaluates a filter on one feature with SQL's three-valued logic (`None` = unknown).

use super::{CompareOp, Expr, Literal, Shape, Span};
use crate::features::datetime::{parse_date, parse_timestamp};
use serde_json::{Map, Value};
use std::cmp::Ordering;

pub fn truth(e: &Expr, props: &Map<String, Value>, meets: &dyn Fn(&Shape) -> bool) -> Option<bool> {
    match e {
        Expr::And(parts) => {
            let mut unknown = false;
            for p in parts {
                match truth(p, props, meets) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            (!unknown).then_some(true)
        }
        Expr::Or(parts) => {
            let mut unknown = false;
            for p in parts {
                match truth(p, props, meets) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            (!unknown).then_some(false)
        }
        Expr::Not(inner) => truth(inner, props, meets).map(|b| !b),
        Expr::Compare {
            property,
            op,
            value,
        } => {
            let o = order(props.get(property)?, value)?;
            Some(holds(*op, o))
        }
        Expr::CompareProperties {
            left,
            op,
            right,
            kind,
        } => {
            let o = order_values(props.get(left)?, props.get(right)?, kind)?;
            Some(holds(*op, o))
        }
        Expr::In {
            property,
            values,
            negated,
        } => {
            let v = props.get(property)?;
            let mut found = false;
            for lit in values {
                if order(v, lit)? == Ordering::Equal {
                    found = true;
                    break;
                }
            }
            Some(found != *negated)
        }
        Expr::Between {
            property,
            low,
            high,
            negated,
        } => {
            let v = props.get(property)?;
            let inside = order(v, low)? != Ordering::Less && order(v, high)? != Ordering::Greater;
            Some(inside != *negated)
        }
        Expr::Like {
            property,
            pattern,
            negated,
        } => {
            let text = props.get(property)?.as_str()?;
            Some(pattern.matches(text) != *negated)
        }
        Expr::IsNull { property, negated } => {
            let null = props.get(property).is_none_or(Value::is_null);
            Some(null != *negated)
        }
        Expr::Intersects(shape) => Some(meets(shape)),
        Expr::Temporal {
            property,
            op,
            value,
            timestamps,
        } => {
            let text = props.get(property)?.as_str()?;
            let at = if *timestamps {
                parse_timestamp(text)
            } else {
                parse_date(text)
            };
            Some(op.holds(Span::instant(at.ok()?), *value))
        }
    }
}

fn holds(op: CompareOp, o: Ordering) -> bool {
    match op {
        CompareOp::Eq => o == Ordering::Equal,
        CompareOp::Ne => o != Ordering::Equal,
        CompareOp::Lt => o == Ordering::Less,
        CompareOp::Le => o != Ordering::Greater,
        CompareOp::Gt => o == Ordering::Greater,
        CompareOp::Ge => o != Ordering::Less,
    }
}

/// Orders two values of a feature, both of the queryable type `kind`; `None` when
/// either is missing or not of that type.
fn order_values(a: &Value, b: &Value, kind: &str) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::String(x), Value::String(y)) => match kind {
            "date" => Some(parse_date(x).ok()?.cmp(&parse_date(y).ok()?)),
            "date-time" => Some(parse_timestamp(x).ok()?.cmp(&parse_timestamp(y).ok()?)),
            _ => Some(x.cmp(y)),
        },
        _ => None,
    }
}

/// Orders a feature's value against a literal of the same type; `None` when the value
/// is missing (null) or of another type.
fn order(v: &Value, lit: &Literal) -> Option<Ordering> {
    match (v, lit) {
        (Value::Number(n), Literal::Number(x)) => n.as_f64()?.partial_cmp(x),
        (Value::String(s), Literal::Text(t)) => Some(s.as_str().cmp(t.as_str())),
        (Value::Bool(b), Literal::Bool(x)) => Some(b.cmp(x)),
        // A value that is not a date of the calendar is unknown, like a missing one.
        (Value::String(s), Literal::Date(d)) => Some(parse_date(s).ok()?.cmp(d)),
        (Value::String(s), Literal::Timestamp(t)) => Some(parse_timestamp(s).ok()?.cmp(t)),
        _ => None,
    }
}

/// SQL LIKE: `%` any run of characters, `_` exactly one, `\` makes the next one literal.
#[cfg(test)]
pub fn like(text: &str, pattern: &str) -> bool {
    LikePattern::new(pattern).matches(text)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    Any,
    One,
    Char(char),
}

/// A LIKE pattern read once, when the filter is parsed, and matched against each
/// feature's text in time linear in pattern × text with no backtracking: a set of
/// positions is carried through the pattern, and the match gives up as soon as the set
/// is empty or the pattern needs more characters than the text has. So a pattern of
/// 60,000 `_` costs a few steps per feature, not 60,000 × the text.
#[derive(Debug, Clone, PartialEq)]
pub struct LikePattern {
    /// Runs of `%` are one `%`: they match the same.
    parts: Vec<Part>,
    /// Characters the text needs at the least (the `_` and literal parts).
    min_chars: usize,
}

impl LikePattern {
    pub fn new(pattern: &str) -> LikePattern {
        let mut parts = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            let part = match c {
                '%' => Part::Any,
                '_' => Part::One,
                '\\' => Part::Char(chars.next().unwrap_or('\\')),
                c => Part::Char(c),
            };
            if !(part == Part::Any && parts.last() == Some(&Part::Any)) {
                parts.push(part);
            }
        }
        let min_chars = parts.iter().filter(|p| **p != Part::Any).count();
        LikePattern { parts, min_chars }
    }

    pub fn matches(&self, text: &str) -> bool {
        let n = text.chars().count();
        if self.min_chars > n {
            return false;
        }
        let text: Vec<char> = text.chars().collect();
        // matched[j]: whether the pattern so far matches text[..j].
        let mut matched = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        matched[0] = true;
        for p in &self.parts {
            next.fill(false);
            let mut any = false;
            match p {
                Part::Any => {
                    let mut seen = false;
                    for j in 0..=n {
                        seen |= matched[j];
                        next[j] = seen;
                    }
                    any = seen;
                }
                Part::One | Part::Char(_) => {
                    for j in 1..=n {
                        next[j] =
                            matched[j - 1] && (*p == Part::One || *p == Part::Char(text[j - 1]));
                        any |= next[j];
                    }
                }
            }
            if !any {
                return false;
            }
            std::mem::swap(&mut matched, &mut next);
        }
        matched[n]
    }
}
