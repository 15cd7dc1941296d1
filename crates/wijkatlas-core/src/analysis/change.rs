//! Change over time: an area's figures against an earlier year's, compared only where
//! the area is the same area then and now.
//!
//! Codes alone cannot tell that. Gemeenten merge (Molenlanden, 2019, from Giessenlanden
//! and Molenwaard), are split over several new ones (Winsum, 2019, over Het Hogeland and
//! Westerkwartier), absorb a neighbour while keeping their code (Haarlemmermeer took in
//! Haarlemmerliede), and have their borders corrected. So the outlines decide, in RD
//! metres: every earlier area that overlaps this one more than edge noise must lie
//! (nearly) wholly inside it. Then the earlier figures are those areas put together as
//! the profile puts areas together (sums, weighted shares), and the profile names them.
//! If any earlier area lies only partly inside, the part's people cannot be counted from
//! published figures, and the area is shown as not comparable rather than guessed at.

use super::profile::{combine, source_year};
use crate::model::{Area, AreaCode, Dataset, EarlierAreas, Figure, Quantity};
use geo::{Area as _, BooleanOps, BoundingRect, Intersects};
use serde::Serialize;

/// An earlier area lying at least this share inside counts as wholly inside. Measured
/// on CBS's gemeenten of 2017 against 2022, a gemeente whose border did not change lies
/// 93–97% inside itself (islands 87–95%): the two copies are generalised differently and
/// today's outlines leave out the large waters.
const WHOLLY_INSIDE: f64 = 0.85;
/// An overlap below this share both of the earlier area and of this one is border noise:
/// in the same comparison, neighbours whose border stayed put overlap by up to 5% of the
/// smaller one. The splits of 2018–2021 (Littenseradiel, Winsum, Haaren) moved 7–51%.
const NOISE: f64 = 0.06;

/// How an area of today relates to the earlier year's areas at its place.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Comparison {
    /// The same code and, within generalisation, the same outline.
    Same { overlap_pct: f64 },
    /// Made of whole earlier areas (a merger, a new code, an annexation).
    Bridged,
    /// An earlier area lies only partly inside: its figures cannot be split.
    NotComparable { reason: String },
}

/// An earlier area that overlaps this one more than border noise.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Predecessor {
    pub code: AreaCode,
    pub name: String,
    /// Share of the earlier area that lies inside today's area.
    pub inside_pct: f64,
    /// Share of today's area that the earlier area covers.
    pub covers_pct: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FigureChange {
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub earlier: f64,
    pub current: f64,
    /// Current minus earlier, in the figure's unit (percentage points for a share).
    pub difference: f64,
    /// Relative change of a count, in %.
    pub relative_pct: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub earlier_year: u16,
    pub current_year: Option<u16>,
    pub comparison: Comparison,
    pub predecessors: Vec<Predecessor>,
    /// How the earlier figures were made, in words.
    pub how: String,
    /// Empty when the area is not comparable.
    pub figures: Vec<FigureChange>,
}

/// The area's change against every earlier year loaded for its level, newest first.
pub fn changes(dataset: &Dataset, area: &Area) -> Vec<Change> {
    dataset
        .earlier(area.level())
        .map(|earlier| change(dataset, area, earlier))
        .collect()
}

fn change(dataset: &Dataset, area: &Area, earlier: &EarlierAreas) -> Change {
    let predecessors = predecessors(area, &earlier.areas);
    let year = earlier.year;
    let partial: Vec<&(&Area, Predecessor)> = predecessors
        .iter()
        .filter(|(_, p)| p.inside_pct < WHOLLY_INSIDE * 100.0)
        .collect();
    let comparison = if predecessors.is_empty() {
        Comparison::NotComparable {
            reason: format!("geen gebied uit {year} op deze plek"),
        }
    } else if !partial.is_empty() {
        let parts: Vec<String> = partial
            .iter()
            .map(|(_, p)| {
                format!(
                    "{} ({}) ligt voor {:.0}% binnen dit gebied",
                    p.name, p.code, p.inside_pct
                )
            })
            .collect();
        Comparison::NotComparable {
            reason: format!(
                "de grens is veranderd: {}; de cijfers van dat deel zijn niet gepubliceerd",
                parts.join(", ")
            ),
        }
    } else if let [(_, only)] = predecessors.as_slice() {
        if only.code == area.code {
            Comparison::Same {
                overlap_pct: only.inside_pct.min(only.covers_pct),
            }
        } else {
            Comparison::Bridged
        }
    } else {
        Comparison::Bridged
    };
    let how = match &comparison {
        Comparison::Same { .. } => format!("de cijfers van {} in {year}", area.name),
        Comparison::Bridged => format!(
            "{} samengenomen (tellingen opgeteld, aandelen gewogen), elk voor minstens {:.0}% binnen de huidige grens",
            names(&predecessors),
            WHOLLY_INSIDE * 100.0
        ),
        Comparison::NotComparable { .. } => "niet vergeleken".to_string(),
    };
    let figures = match comparison {
        Comparison::NotComparable { .. } => Vec::new(),
        _ => figure_changes(area, predecessors.iter().map(|(a, _)| *a)),
    };
    Change {
        earlier_year: year,
        current_year: source_year(dataset, area),
        comparison,
        predecessors: predecessors.into_iter().map(|(_, p)| p).collect(),
        how,
        figures,
    }
}

fn names(predecessors: &[(&Area, Predecessor)]) -> String {
    let names: Vec<String> = predecessors
        .iter()
        .map(|(_, p)| format!("{} ({})", p.name, p.code))
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} en {last}", init.join(", ")),
    }
}

/// The earlier areas that overlap `area` more than border noise, largest overlap first.
fn predecessors<'a>(area: &Area, earlier: &'a [Area]) -> Vec<(&'a Area, Predecessor)> {
    let outline = &area.geometry.rd;
    let own_m2 = outline.unsigned_area();
    let Some(bbox) = outline.bounding_rect() else {
        return Vec::new();
    };
    if own_m2 <= 0.0 {
        return Vec::new();
    }
    let mut found: Vec<(&Area, Predecessor)> = earlier
        .iter()
        .filter(|e| {
            e.geometry
                .rd
                .bounding_rect()
                .is_some_and(|b| b.intersects(&bbox))
        })
        .filter_map(|e| {
            let their_m2 = e.geometry.rd.unsigned_area();
            if their_m2 <= 0.0 {
                return None;
            }
            let shared_m2 = outline.intersection(&e.geometry.rd).unsigned_area();
            let inside = shared_m2 / their_m2;
            let covers = shared_m2 / own_m2;
            (inside >= NOISE || covers >= NOISE).then(|| {
                (
                    e,
                    Predecessor {
                        code: e.code,
                        name: e.name.clone(),
                        inside_pct: round1(inside * 100.0),
                        covers_pct: round1(covers * 100.0),
                    },
                )
            })
        })
        .collect();
    found.sort_by(|a, b| b.1.covers_pct.total_cmp(&a.1.covers_pct));
    found
}

fn figure_changes<'a>(
    area: &Area,
    earlier: impl Iterator<Item = &'a Area> + Clone,
) -> Vec<FigureChange> {
    Figure::ALL
        .iter()
        .filter_map(|&f| {
            let current = area.figures.get(f)?;
            let (before, _) = combine(f, earlier.clone())?;
            let difference = current - before;
            let relative_pct = (f.quantity() == Quantity::Count && before > 0.0)
                .then(|| round1(difference / before * 100.0));
            Some(FigureChange {
                key: f.key(),
                label: f.label(),
                unit: f.quantity().unit(),
                earlier: round2(before),
                current,
                difference: round2(difference),
                relative_pct,
            })
        })
        .collect()
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture;
    use crate::model::{AreaLevel, SourceId};

    // Synthetic 1 km squares (see `fixture::area`), not real data.
    fn earlier(areas: Vec<Area>) -> Vec<EarlierAreas> {
        vec![EarlierAreas {
            level: AreaLevel::Wijk,
            year: 2017,
            source: SourceId(0),
            areas,
        }]
    }

    fn two_km(code: &str, x_km: f64, figures: &[(Figure, f64)]) -> Area {
        let mut a = fixture::area(code, x_km, figures);
        let b = fixture::area(code, x_km + 1.0, figures);
        a.geometry.rd = a.geometry.rd.union(&b.geometry.rd);
        a
    }

    fn one(dataset: &Dataset, code: &str) -> Change {
        let area = dataset
            .area(code.parse().expect("code"))
            .expect("area loaded");
        let mut all = changes(dataset, area);
        assert_eq!(all.len(), 1);
        all.remove(0)
    }

    #[test]
    fn same_area_compares_figure_by_figure() {
        let now = fixture::area(
            "WK000101",
            0.0,
            &[(Figure::Inhabitants, 1100.0), (Figure::Age65Plus, 22.0)],
        );
        let then = fixture::area(
            "WK000101",
            0.0,
            &[(Figure::Inhabitants, 1000.0), (Figure::Age65Plus, 20.0)],
        );
        let ds = fixture::dataset(vec![now], vec![]).with_earlier(earlier(vec![then]));
        let c = one(&ds, "WK000101");
        assert_eq!(c.comparison, Comparison::Same { overlap_pct: 100.0 });
        let people = c.figures.iter().find(|f| f.key == "inwoners").expect("row");
        assert_eq!((people.earlier, people.difference), (1000.0, 100.0));
        assert_eq!(people.relative_pct, Some(10.0));
        let old = c
            .figures
            .iter()
            .find(|f| f.key == "pct_65plus")
            .expect("row");
        assert_eq!((old.difference, old.relative_pct), (2.0, None));
    }

    #[test]
    fn a_merger_is_bridged_by_summing_and_weighting_its_parts() {
        let now = two_km(
            "WK000103",
            0.0,
            &[(Figure::Inhabitants, 4000.0), (Figure::Age65Plus, 25.0)],
        );
        let a = fixture::area(
            "WK000101",
            0.0,
            &[(Figure::Inhabitants, 1000.0), (Figure::Age65Plus, 10.0)],
        );
        let b = fixture::area(
            "WK000102",
            1.0,
            &[(Figure::Inhabitants, 3000.0), (Figure::Age65Plus, 30.0)],
        );
        let ds = fixture::dataset(vec![now], vec![]).with_earlier(earlier(vec![a, b]));
        let c = one(&ds, "WK000103");
        assert_eq!(c.comparison, Comparison::Bridged);
        assert_eq!(c.predecessors.len(), 2);
        assert!(
            c.how.contains("WK000101") && c.how.contains("WK000102"),
            "{}",
            c.how
        );
        let people = c.figures.iter().find(|f| f.key == "inwoners").expect("row");
        assert_eq!(people.earlier, 4000.0);
        let old = c
            .figures
            .iter()
            .find(|f| f.key == "pct_65plus")
            .expect("row");
        // (1000·10 + 3000·30) / 4000
        assert_eq!(old.earlier, 25.0);
    }

    #[test]
    fn an_area_that_took_part_of_a_neighbour_is_not_comparable() {
        // Today's WK000101 is 1 km wide; in 2017 it was one half of a 2 km area.
        let now = fixture::area("WK000101", 0.0, &[(Figure::Inhabitants, 900.0)]);
        let then = two_km("WK000101", 0.0, &[(Figure::Inhabitants, 2000.0)]);
        let ds = fixture::dataset(vec![now], vec![]).with_earlier(earlier(vec![then]));
        let c = one(&ds, "WK000101");
        let Comparison::NotComparable { reason } = &c.comparison else {
            panic!("compared a split area: {c:?}");
        };
        assert!(reason.contains("50%"), "{reason}");
        assert!(c.figures.is_empty());
    }

    #[test]
    fn a_neighbour_touching_the_border_is_not_a_predecessor() {
        let now = fixture::area("WK000101", 0.0, &[(Figure::Inhabitants, 900.0)]);
        let same = fixture::area("WK000101", 0.0, &[(Figure::Inhabitants, 800.0)]);
        let neighbour = fixture::area("WK000102", 1.0, &[(Figure::Inhabitants, 50.0)]);
        let ds = fixture::dataset(vec![now], vec![]).with_earlier(earlier(vec![same, neighbour]));
        let c = one(&ds, "WK000101");
        assert_eq!(c.predecessors.len(), 1, "{:?}", c.predecessors);
        assert!(matches!(c.comparison, Comparison::Same { .. }));
    }
}
