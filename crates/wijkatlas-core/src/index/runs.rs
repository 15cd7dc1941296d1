//! An R-tree over runs of boxes that lie next to each other both in a list and on the
//! ground, for box queries over a served collection.
//!
//! A collection lists its features in id order, and CBS codes put a wijk's buurten one
//! after another, side by side on the map. The tree holds one box per run of such
//! neighbours instead of one per feature: a query walks a tree a fifth of the size (each
//! of rstar's nodes is a heap block of its own, one more load per level), then reads the
//! boxes of the runs it meets, which lie next to each other in memory. A box over
//! Utrecht meets 26 runs of the national buurten where it visited 49 nodes of a tree of
//! every buurt.

use super::{box_union as union, boxes_meet as meets, BoxFit, BoxQuery, BoxTree};

/// The most entries in a run: a run whose box meets a query box costs a test of each.
const RUN_MAX: usize = 8;

/// How far apart, in the boxes' own unit, two neighbours in the list may lie and still
/// join one run: features that touch (a wijk's buurten) always join; points (a
/// collection of facilities) join within this distance.
const JOIN_SLACK: f64 = 100.0;

/// Boxes with their data, in the order given, grouped into runs under an R-tree.
#[derive(Debug)]
pub struct RunTree<T> {
    /// Each run's entries, by their place in `entries` (first, one past the last).
    runs: BoxTree<(u32, u32)>,
    entries: Vec<([f64; 4], T)>,
}

impl<T> Default for RunTree<T> {
    fn default() -> Self {
        RunTree {
            runs: BoxTree::default(),
            entries: Vec::new(),
        }
    }
}

impl<T: Copy> RunTree<T> {
    /// Over `boxes` (min x, min y, max x, max y, each with its data) in the order given:
    /// the order neighbours on the ground are likely to be neighbours in.
    pub fn new(boxes: impl IntoIterator<Item = ([f64; 4], T)>) -> Self {
        let entries: Vec<([f64; 4], T)> = boxes.into_iter().collect();
        let mut runs = Vec::new();
        let mut first = 0;
        while first < entries.len() {
            let mut bounds = entries[first].0;
            let mut end = first + 1;
            while end < entries.len() && end - first < RUN_MAX && joins(bounds, entries[end].0) {
                bounds = union(bounds, entries[end].0);
                end += 1;
            }
            // A list of over 4 billion boxes is far beyond any collection.
            if let (Ok(a), Ok(b)) = (u32::try_from(first), u32::try_from(end)) {
                runs.push((bounds, (a, b)));
            }
            first = end;
        }
        RunTree {
            runs: BoxTree::new(runs),
            entries,
        }
    }

    /// Calls `found` with the data of each box that meets `query` (min x, min y, max x,
    /// max y; edges included) and how it lies there, in no particular order: the same
    /// answers as [`BoxTree::in_box`] over the same boxes.
    pub fn in_box(&self, query: [f64; 4], found: impl FnMut(T, BoxFit)) {
        self.in_query(BoxQuery::exact(query), found);
    }

    /// Calls `found` with the data of each box that meets `query.outer` and how it lies
    /// against what is asked ([`BoxQuery::fit`]), as [`BoxTree::in_query`] answers.
    pub fn in_query(&self, query: BoxQuery, mut found: impl FnMut(T, BoxFit)) {
        self.runs.in_query(query, |(first, end), fit| {
            let Some(run) = self.entries.get(first as usize..end as usize) else {
                return;
            };
            if fit == BoxFit::Inside {
                // The run's box is inside what is asked, and so is each of its boxes.
                run.iter()
                    .for_each(|&(_, data)| found(data, BoxFit::Inside));
                return;
            }
            for &(bounds, data) in run {
                if meets(bounds, query.outer) {
                    found(data, query.fit(bounds));
                }
            }
        });
    }
}

/// Whether a box may join a run whose boxes span `run`: the two lie within
/// [`JOIN_SLACK`] of each other (their union's half-perimeter grows by less than that
/// over the two of them together; boxes that overlap or touch never grow it).
fn joins(run: [f64; 4], next: [f64; 4]) -> bool {
    let half_perimeter = |[x0, y0, x1, y1]: [f64; 4]| (x1 - x0) + (y1 - y0);
    half_perimeter(union(run, next)) <= half_perimeter(run) + half_perimeter(next) + JOIN_SLACK
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SYNTHETIC list like a collection's: clusters of touching boxes one after
    /// another (a wijk's buurten), scattered points in between, and a few boxes far from
    /// their neighbours in the list; asked with boxes from a point to wider than all.
    /// The runs answer exactly what a tree of every box answers, each with the same fit.
    #[test]
    fn runs_answer_as_a_tree_of_every_box() {
        let mut next = super::super::uniform(0x9e37_79b9_7f4a_7c15);
        let mut boxes: Vec<[f64; 4]> = Vec::new();
        while boxes.len() < 4_000 {
            let (x, y) = (next(100_000.0).round(), next(100_000.0).round());
            match boxes.len() % 3 {
                // A cluster: a row of boxes, each touching the last.
                0 => {
                    let (w, h) = (next(800.0).round() + 1.0, next(800.0).round() + 1.0);
                    for i in 0..(next(12.0) as usize + 1) {
                        let x = x + i as f64 * w;
                        boxes.push([x, y, x + w, y + h]);
                    }
                }
                // Points, some near each other.
                1 => {
                    boxes.push([x, y, x, y]);
                    boxes.push([x + 50.0, y, x + 50.0, y]);
                }
                _ => boxes.push([x, y, x + next(3_000.0).round(), y + next(300.0).round()]),
            }
        }
        let runs = RunTree::new(boxes.iter().enumerate().map(|(i, &b)| (b, i)));
        let every = BoxTree::new(boxes.iter().enumerate().map(|(i, &b)| (b, i)));
        let in_runs = runs.runs.0.size();
        assert!(
            in_runs < boxes.len() / 2 && in_runs > boxes.len() / RUN_MAX,
            "{in_runs} runs of {} boxes",
            boxes.len()
        );
        let mut answered = 0;
        for size in [0.0, 5.0, 500.0, 5_000.0, 30_000.0, 250_000.0] {
            for _ in 0..40 {
                let (x, y) = (next(110_000.0) - 5_000.0, next(110_000.0) - 5_000.0);
                // Some queries start on a box's corner, edge to edge with it.
                let (x, y) = if answered % 5 == 0 {
                    let b = boxes[next(boxes.len() as f64) as usize];
                    (b[2], b[3])
                } else {
                    (x, y)
                };
                let query = [x, y, x + size, y + size];
                let mut got = Vec::new();
                runs.in_box(query, |i, fit| got.push((i, fit)));
                let mut want = Vec::new();
                every.in_box(query, |i, fit| want.push((i, fit)));
                got.sort_by_key(|&(i, _)| i);
                want.sort_by_key(|&(i, _)| i);
                assert_eq!(got, want, "query {query:?}");
                answered += got.len();
            }
        }
        assert!(answered > 1_000, "the queries met only {answered} boxes");
    }
}
