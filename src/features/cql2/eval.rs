//! Evaluates a filter on one feature with SQL's three-valued logic (`None` = unknown).

use super::{CompareOp, Expr, Literal, Shape};
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
            Some(match op {
                CompareOp::Eq => o == Ordering::Equal,
                CompareOp::Ne => o != Ordering::Equal,
                CompareOp::Lt => o == Ordering::Less,
                CompareOp::Le => o != Ordering::Greater,
                CompareOp::Gt => o == Ordering::Greater,
                CompareOp::Ge => o != Ordering::Less,
            })
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
            Some(like(text, pattern) != *negated)
        }
        Expr::IsNull { property, negated } => {
            let null = props.get(property).is_none_or(Value::is_null);
            Some(null != *negated)
        }
        Expr::Intersects(shape) => Some(meets(shape)),
    }
}

/// Orders a feature's value against a literal of the same type; `None` when the value
/// is missing (null) or of another type.
fn order(v: &Value, lit: &Literal) -> Option<Ordering> {
    match (v, lit) {
        (Value::Number(n), Literal::Number(x)) => n.as_f64()?.partial_cmp(x),
        (Value::String(s), Literal::Text(t)) => Some(s.as_str().cmp(t.as_str())),
        (Value::Bool(b), Literal::Bool(x)) => Some(b.cmp(x)),
        _ => None,
    }
}

/// SQL LIKE: `%` any run of characters, `_` exactly one, `\` makes the next one literal.
pub fn like(text: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Any,
        One,
        Char(char),
    }
    let mut parts = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        parts.push(match c {
            '%' => P::Any,
            '_' => P::One,
            '\\' => P::Char(chars.next().unwrap_or('\\')),
            c => P::Char(c),
        });
    }
    let text: Vec<char> = text.chars().collect();
    // matched[j]: whether the pattern so far matches text[..j].
    let mut matched = vec![false; text.len() + 1];
    matched[0] = true;
    for p in parts {
        let mut next = vec![false; text.len() + 1];
        match p {
            P::Any => {
                let mut seen = false;
                for j in 0..=text.len() {
                    seen |= matched[j];
                    next[j] = seen;
                }
            }
            P::One | P::Char(_) => {
                for j in 1..=text.len() {
                    next[j] = matched[j - 1] && (p == P::One || p == P::Char(text[j - 1]));
                }
            }
        }
        matched = next;
    }
    matched[text.len()]
}
