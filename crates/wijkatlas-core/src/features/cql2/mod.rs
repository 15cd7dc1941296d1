//! CQL2 text filters (OGC API – Features Part 3): the parts users need.
//!
//! Comparisons, `AND`/`OR`/`NOT`, `IN`, `BETWEEN`, `LIKE`, `IS NULL`,
//! `S_INTERSECTS(geometry, BBOX|POINT|POLYGON)`, `DATE('…')` and `TIMESTAMP('…')` literals
//! against date and date-time properties, and the temporal operators (`T_BEFORE`,
//! `T_DURING` with `INTERVAL(…)`, …). Names and value types are checked
//! against the collection's queryables when the filter is read, so a typo is a 400 that
//! points at it rather than an empty answer. Evaluation follows SQL's three-valued
//! logic: a comparison with a missing value is unknown, and only features for which
//! the whole filter is true are returned.

mod eval;
mod lexer;
mod parser;
mod temporal;

pub use lexer::CompareOp;
pub use temporal::{Span, TemporalOp};

use crate::crs::Crs;
use geo::{Coord, Polygon};
use std::collections::BTreeMap;

/// A filter that cannot be read, with the character position of the trouble.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct Cql2Error {
    /// 0-based character offset into the filter text.
    pub position: usize,
    pub message: String,
}

impl Cql2Error {
    fn new(position: usize, message: impl Into<String>) -> Self {
        Cql2Error {
            position,
            message: message.into(),
        }
    }

    /// The error with the filter and a caret under the position, for people to read.
    pub fn pointing_into(&self, filter: &str) -> String {
        let caret: String = " ".repeat(self.position) + "^";
        format!("{self}:\n{filter}\n{caret}")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    /// `DATE('2024-01-01')`, as days since 1970-01-01.
    Date(i64),
    /// `TIMESTAMP('2024-01-01T00:00:00Z')`, as microseconds since 1970-01-01T00:00:00Z.
    Timestamp(i64),
}

impl Literal {
    fn kind(&self) -> &'static str {
        match self {
            Literal::Text(_) => "text",
            Literal::Number(_) => "a number",
            Literal::Bool(_) => "a boolean",
            Literal::Date(_) => "a DATE",
            Literal::Timestamp(_) => "a TIMESTAMP",
        }
    }
}

/// A spatial literal, already in RD metres.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A `BBOX`, whose edges are curved in RD when it was given in longitude and
    /// latitude.
    Rect(super::AskedBox),
    Point(Coord<f64>),
    Polygon(Polygon<f64>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Compare {
        property: String,
        op: CompareOp,
        value: Literal,
    },
    /// Two properties of one type: `a < b`.
    CompareProperties {
        left: String,
        op: CompareOp,
        right: String,
        kind: &'static str,
    },
    In {
        property: String,
        values: Vec<Literal>,
        negated: bool,
    },
    Between {
        property: String,
        low: Literal,
        high: Literal,
        negated: bool,
    },
    Like {
        property: String,
        pattern: eval::LikePattern,
        negated: bool,
    },
    IsNull {
        property: String,
        negated: bool,
    },
    Intersects(Shape),
    /// `op(property, value)`: the property's instant against an instant or interval, on
    /// the timeline of the property's type (days for `date`, microseconds for
    /// `date-time`).
    Temporal {
        property: String,
        op: TemporalOp,
        value: Span,
        /// Whether the property holds date-times (else dates).
        timestamps: bool,
    },
}

/// A parsed filter, ready to test features with.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    expr: Expr,
}

impl Filter {
    /// Reads CQL2 text; `properties` are the queryables with their JSON types, and
    /// `crs` is the CRS of the spatial literals (`filter-crs`).
    pub fn parse(
        text: &str,
        properties: &BTreeMap<String, &'static str>,
        crs: Crs,
    ) -> Result<Filter, Cql2Error> {
        let tokens = lexer::tokens(text)?;
        let expr = parser::Parser::new(&tokens, text.chars().count(), properties, crs).parse()?;
        Ok(Filter { expr })
    }

    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Whether a feature passes: `props` are its properties and `meets` answers whether
    /// its geometry meets a shape. Unknown (a missing value) does not pass.
    pub fn matches(
        &self,
        props: &serde_json::Map<String, serde_json::Value>,
        meets: &dyn Fn(&Shape) -> bool,
    ) -> bool {
        eval::truth(&self.expr, props, meets) == Some(true)
    }

    /// Text values a property must equal for the filter to hold: `p = 'x'` and
    /// `p IN ('x', 'y')` among its top-level `AND` terms. Lets the caller look
    /// candidates up in an index instead of testing every feature.
    pub fn equality_terms(&self) -> Vec<(&str, Vec<String>)> {
        let top: &[Expr] = match &self.expr {
            Expr::And(parts) => parts,
            single => std::slice::from_ref(single),
        };
        top.iter()
            .filter_map(|e| match e {
                Expr::Compare {
                    property,
                    op: CompareOp::Eq,
                    value: Literal::Text(v),
                } => Some((property.as_str(), vec![v.clone()])),
                Expr::In {
                    property,
                    values,
                    negated: false,
                } => values
                    .iter()
                    .map(|v| match v {
                        Literal::Text(t) => Some(t.clone()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(|vs| (property.as_str(), vs)),
                _ => None,
            })
            .collect()
    }

    /// Whether the filter has a spatial test (the caller then needs geometry).
    pub fn is_spatial(&self) -> bool {
        fn walk(e: &Expr) -> bool {
            match e {
                Expr::Intersects(_) => true,
                Expr::And(v) | Expr::Or(v) => v.iter().any(walk),
                Expr::Not(e) => walk(e),
                _ => false,
            }
        }
        walk(&self.expr)
    }
}

#[cfg(test)]
mod tests;
