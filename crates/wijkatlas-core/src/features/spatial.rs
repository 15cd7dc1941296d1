//! Narrowing a query to the features near the place it asks about, through the
//! dataset's R-trees, before the exact geometry test: a `bbox` or an `S_INTERSECTS` that
//! must hold then costs a tree walk and the features near it, not a scan of every one.
//!
//! The answers are positions in the collection (its id order), sorted, so the page that
//! follows is the same, in the same order, as a scan of every feature would give.

use super::cql2::{Expr, Filter, Shape};
use super::{Collection, CollectionKind};
use crate::crs::RdPoint;
use crate::model::Dataset;
use geo::{BoundingRect, Rect};

/// RD boxes a feature's box must meet for the query to hold: the `bbox`, and the box of
/// each `S_INTERSECTS` among the filter's top-level `AND` terms (one inside `OR` or
/// `NOT` need not hold, so it narrows nothing).
pub(super) fn required_boxes(bbox: Option<&Rect<f64>>, filter: Option<&Filter>) -> Vec<Rect<f64>> {
    let mut boxes: Vec<Rect<f64>> = bbox.copied().into_iter().collect();
    if let Some(f) = filter {
        let top: &[Expr] = match f.expr() {
            Expr::And(parts) => parts,
            single => std::slice::from_ref(single),
        };
        boxes.extend(top.iter().filter_map(|e| match e {
            Expr::Intersects(shape) => shape_box(shape),
            _ => None,
        }));
    }
    boxes
}

fn shape_box(shape: &Shape) -> Option<Rect<f64>> {
    match shape {
        Shape::Rect(r) => Some(*r),
        Shape::Point(p) => Some(Rect::new(*p, *p)),
        Shape::Polygon(p) => p.bounding_rect(),
    }
}

/// Positions of the collection's features whose box meets `rd`, in id order.
pub(super) fn positions_in_box(c: &Collection, dataset: &Dataset, rd: &Rect<f64>) -> Vec<usize> {
    let (min, max) = (
        RdPoint::new(rd.min().x, rd.min().y),
        RdPoint::new(rd.max().x, rd.max().y),
    );
    let index = dataset.index();
    let found: Box<dyn Iterator<Item = usize>> = match c.kind {
        CollectionKind::Areas(level) => Box::new(index.areas_in_box(level, min, max)),
        CollectionKind::Facilities => Box::new(index.facilities_in_box(min, max)),
    };
    let mut positions: Vec<usize> = found
        .filter_map(|i| c.by_origin.get(i).copied())
        .filter(|&p| p != u32::MAX)
        .map(|p| p as usize)
        .collect();
    positions.sort_unstable();
    positions
}

/// The positions in both sorted lists.
pub(super) fn intersect(a: Vec<usize>, b: &[usize]) -> Vec<usize> {
    a.into_iter()
        .filter(|i| b.binary_search(i).is_ok())
        .collect()
}
