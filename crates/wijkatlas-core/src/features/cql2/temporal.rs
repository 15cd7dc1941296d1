//! CQL2's temporal operators (`T_BEFORE`, `T_DURING`, …) between a feature's instant and
//! an instant or interval of the filter, by the definitions of OGC CQL2 (21-065r2, the
//! temporal functions table): an instant is an interval whose start is its end.

/// One end of an interval on the timeline of its type (days for dates, microseconds for
/// date-times); an open end (`'..'`) is as far as the timeline goes.
pub type Time = i64;

/// An open start: before every real date or instant.
pub const OPEN_START: Time = i64::MIN;
/// An open end: after every real date or instant.
pub const OPEN_END: Time = i64::MAX;

/// A closed interval `[start, end]`; an instant has `start == end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: Time,
    pub end: Time,
}

impl Span {
    pub fn instant(t: Time) -> Span {
        Span { start: t, end: t }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemporalOp {
    After,
    Before,
    Contains,
    Disjoint,
    During,
    Equals,
    FinishedBy,
    Finishes,
    Intersects,
    Meets,
    MetBy,
    OverlappedBy,
    Overlaps,
    StartedBy,
    Starts,
}

impl TemporalOp {
    pub const ALL: [TemporalOp; 15] = [
        TemporalOp::After,
        TemporalOp::Before,
        TemporalOp::Contains,
        TemporalOp::Disjoint,
        TemporalOp::During,
        TemporalOp::Equals,
        TemporalOp::FinishedBy,
        TemporalOp::Finishes,
        TemporalOp::Intersects,
        TemporalOp::Meets,
        TemporalOp::MetBy,
        TemporalOp::OverlappedBy,
        TemporalOp::Overlaps,
        TemporalOp::StartedBy,
        TemporalOp::Starts,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TemporalOp::After => "T_AFTER",
            TemporalOp::Before => "T_BEFORE",
            TemporalOp::Contains => "T_CONTAINS",
            TemporalOp::Disjoint => "T_DISJOINT",
            TemporalOp::During => "T_DURING",
            TemporalOp::Equals => "T_EQUALS",
            TemporalOp::FinishedBy => "T_FINISHEDBY",
            TemporalOp::Finishes => "T_FINISHES",
            TemporalOp::Intersects => "T_INTERSECTS",
            TemporalOp::Meets => "T_MEETS",
            TemporalOp::MetBy => "T_METBY",
            TemporalOp::OverlappedBy => "T_OVERLAPPEDBY",
            TemporalOp::Overlaps => "T_OVERLAPS",
            TemporalOp::StartedBy => "T_STARTEDBY",
            TemporalOp::Starts => "T_STARTS",
        }
    }

    /// The operator a name (any case) stands for.
    pub fn from_name(word: &str) -> Option<TemporalOp> {
        Self::ALL
            .into_iter()
            .find(|op| op.name().eq_ignore_ascii_case(word))
    }

    /// The same relation with its arguments swapped: `T_BEFORE(a, b)` is `T_AFTER(b, a)`.
    pub fn flipped(self) -> TemporalOp {
        use TemporalOp::*;
        match self {
            After => Before,
            Before => After,
            Contains => During,
            During => Contains,
            FinishedBy => Finishes,
            Finishes => FinishedBy,
            Meets => MetBy,
            MetBy => Meets,
            OverlappedBy => Overlaps,
            Overlaps => OverlappedBy,
            StartedBy => Starts,
            Starts => StartedBy,
            same @ (Disjoint | Equals | Intersects) => same,
        }
    }

    /// Whether `a` stands in this relation to `b`.
    pub fn holds(self, a: Span, b: Span) -> bool {
        use TemporalOp::*;
        match self {
            After => a.start > b.end,
            Before => a.end < b.start,
            Contains => a.start < b.start && a.end > b.end,
            Disjoint => a.start > b.end || a.end < b.start,
            During => a.start > b.start && a.end < b.end,
            Equals => a.start == b.start && a.end == b.end,
            FinishedBy => a.start < b.start && a.end == b.end,
            Finishes => a.start > b.start && a.end == b.end,
            Intersects => a.start <= b.end && a.end >= b.start,
            Meets => a.end == b.start,
            MetBy => a.start == b.end,
            OverlappedBy => a.start > b.start && a.start < b.end && a.end > b.end,
            Overlaps => a.start < b.start && b.start < a.end && a.end < b.end,
            StartedBy => a.start == b.start && a.end > b.end,
            Starts => a.start == b.start && a.end < b.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: Time, end: Time) -> Span {
        Span { start, end }
    }

    #[test]
    fn the_thirteen_allen_relations_each_hold_for_exactly_one_arrangement() {
        // Allen's thirteen relations of two proper intervals are mutually exclusive and
        // cover every arrangement; T_DISJOINT and T_INTERSECTS are unions of them.
        let b = span(10, 20);
        let cases = [
            (span(0, 5), TemporalOp::Before),
            (span(25, 30), TemporalOp::After),
            (span(0, 10), TemporalOp::Meets),
            (span(20, 30), TemporalOp::MetBy),
            (span(5, 15), TemporalOp::Overlaps),
            (span(15, 25), TemporalOp::OverlappedBy),
            (span(10, 15), TemporalOp::Starts),
            (span(10, 25), TemporalOp::StartedBy),
            (span(12, 18), TemporalOp::During),
            (span(5, 25), TemporalOp::Contains),
            (span(15, 20), TemporalOp::Finishes),
            (span(5, 20), TemporalOp::FinishedBy),
            (span(10, 20), TemporalOp::Equals),
        ];
        for (a, expected) in cases {
            let holding: Vec<TemporalOp> = TemporalOp::ALL
                .into_iter()
                .filter(|op| !matches!(op, TemporalOp::Disjoint | TemporalOp::Intersects))
                .filter(|op| op.holds(a, b))
                .collect();
            assert_eq!(holding, [expected], "{a:?} against {b:?}");
            let apart = matches!(expected, TemporalOp::Before | TemporalOp::After);
            assert_eq!(TemporalOp::Disjoint.holds(a, b), apart, "{a:?}");
            assert_eq!(TemporalOp::Intersects.holds(a, b), !apart, "{a:?}");
            // The flipped relation holds the other way round.
            assert!(expected.flipped().holds(b, a), "{expected:?} flipped");
        }
    }

    #[test]
    fn instants_against_intervals_with_open_ends() {
        let day = Span::instant(100);
        let until_100 = span(OPEN_START, 100);
        assert!(TemporalOp::Intersects.holds(day, until_100));
        assert!(TemporalOp::Finishes.holds(day, until_100));
        assert!(!TemporalOp::During.holds(day, until_100));
        assert!(TemporalOp::During.holds(day, span(OPEN_START, OPEN_END)));
        assert!(TemporalOp::After.holds(day, span(OPEN_START, 99)));
        assert!(TemporalOp::Before.holds(day, span(101, OPEN_END)));
        assert!(TemporalOp::Equals.holds(day, Span::instant(100)));
        assert_eq!(TemporalOp::from_name("t_during"), Some(TemporalOp::During));
        assert_eq!(TemporalOp::from_name("T_WHENEVER"), None);
    }
}
