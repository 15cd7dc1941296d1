//! Who may use an OpenStreetMap way, in which direction, and how fast: the access rules
//! and speeds of each travel mode (foot, bicycle, car).
//!
//! The rules follow OSM's tagging conventions (wiki: Key:access, Key:oneway,
//! OSM tags for routing/Access restrictions/Netherlands) and the Dutch traffic rules
//! (RVV 1990): no walking or cycling on motorways (`autosnelweg`) and on `trunk`
//! roads (in the Netherlands mapped for the `autoweg`). README "Travel along the
//! network" lists them in words; `tests/clients/route_networkx.py` implements the same
//! list independently for the cross-check, so a change here is a change there.

use std::fmt;

/// A way of travelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Foot,
    Bicycle,
    Car,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Foot, Mode::Bicycle, Mode::Car];

    /// The English name used in code, URLs and the cross-check (`foot`, `bicycle`, `car`).
    pub fn name(self) -> &'static str {
        match self {
            Mode::Foot => "foot",
            Mode::Bicycle => "bicycle",
            Mode::Car => "car",
        }
    }

    /// The Dutch word the pages and layer properties use.
    pub fn dutch(self) -> &'static str {
        match self {
            Mode::Foot => "lopen",
            Mode::Bicycle => "fietsen",
            Mode::Car => "auto",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The access keys that speak for this mode, most specific first.
    fn access_keys(self) -> &'static [&'static str] {
        match self {
            Mode::Foot => &["foot", "access"],
            Mode::Bicycle => &["bicycle", "vehicle", "access"],
            Mode::Car => &["motorcar", "motor_vehicle", "vehicle", "access"],
        }
    }

    /// The speed where nothing else is known, in km/h.
    fn base_speed_kmh(self) -> f32 {
        match self {
            Mode::Foot => WALKING_KMH,
            Mode::Bicycle => CYCLING_KMH,
            Mode::Car => 30.0,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "foot" | "lopen" => Ok(Mode::Foot),
            "bicycle" | "fietsen" | "fiets" => Ok(Mode::Bicycle),
            "car" | "auto" => Ok(Mode::Car),
            other => Err(format!(
                "unknown mode '{other}': use foot (lopen), bicycle (fietsen) or car (auto)"
            )),
        }
    }
}

/// Walking speed: 5 km/h, the usual planning figure (CROW; also OSRM's foot profile).
pub const WALKING_KMH: f32 = 5.0;
/// Cycling speed: 15 km/h, an ordinary (not e-bike) Dutch cycling speed (CROW's
/// Ontwerpwijzer fietsverkeer gives 15–20 km/h; we take the low end for the elderly).
pub const CYCLING_KMH: f32 = 15.0;
/// A ferry without a `duration` tag sails at this speed (OSRM's profiles use 5 km/h).
pub const FERRY_KMH: f32 = 5.0;

/// How one mode may use one way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Passage {
    /// Along the way's node order.
    pub forward: bool,
    /// Against it.
    pub backward: bool,
    pub cost: Cost,
}

/// What travelling along a way costs in time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cost {
    /// A speed in km/h over the way's length.
    Speed(f32),
    /// A ferry's crossing time in seconds for the whole way, spread over its length.
    Duration(f32),
}

/// The passages of one way for every mode (`None`: that mode may not use it).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WayRules([Option<Passage>; 3]);

impl WayRules {
    pub fn get(&self, mode: Mode) -> Option<Passage> {
        self.0[mode.index()]
    }
}

/// `highway` values no mode uses whatever else is tagged: not built, not open, or not
/// a way one travels along.
const NEVER: &[&str] = &[
    "construction",
    "proposed",
    "planned",
    "abandoned",
    "disused",
    "razed",
    "no",
    "raceway",
    "bus_guideway",
    "escape",
    "emergency_bay",
    "rest_area",
    "services",
];

const FOOT_DEFAULT: &[&str] = &[
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "road",
    "living_street",
    "service",
    "track",
    "path",
    "steps",
    "pedestrian",
    "footway",
    "platform",
];

const BICYCLE_DEFAULT: &[&str] = &[
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "road",
    "living_street",
    "service",
    "track",
    "path",
    "cycleway",
];

const CAR_DEFAULT: &[&str] = &[
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "road",
    "living_street",
    "service",
];

/// Access values that let a mode through.
const ALLOWED: &[&str] = &[
    "yes",
    "designated",
    "permissive",
    "destination",
    "official",
    "discouraged",
];
/// Access values that keep a mode out (a `private` way is closed to the public).
const DENIED: &[&str] = &[
    "no",
    "private",
    "agricultural",
    "forestry",
    "emergency",
    "psv",
    "bus",
    "delivery",
    "customers",
    "military",
    "use_sidepath",
    "permit",
];

/// Car speeds by road class where `maxspeed` is missing or unreadable, in km/h: the
/// Dutch legal limits (RVV 1990 art. 20–22: 50 in town, 80 outside, 100 on an autoweg,
/// 100 by day on motorways since 2020) and 30 in residential streets (most are 30 km/h
/// zones), 15 in a woonerf (`living_street`: walking pace by law, 15 as driven).
fn car_class_kmh(highway: &str) -> f32 {
    match highway {
        "motorway" => 100.0,
        "motorway_link" => 60.0,
        "trunk" => 80.0,
        "primary" | "secondary" => 60.0,
        "tertiary" | "unclassified" => 50.0,
        "trunk_link" | "primary_link" | "secondary_link" | "tertiary_link" => 50.0,
        "residential" | "road" => 30.0,
        "living_street" | "service" | "track" => 15.0,
        _ => 15.0,
    }
}

/// A `maxspeed` value in km/h: a number, `N mph`, or a Dutch implicit limit.
pub fn parse_maxspeed(raw: &str) -> Option<f32> {
    let raw = raw.trim();
    let named = match raw {
        "NL:urban" => Some(50.0),
        "NL:rural" => Some(80.0),
        "NL:trunk" => Some(100.0),
        "NL:motorway" => Some(100.0),
        "NL:zone30" => Some(30.0),
        "NL:zone60" => Some(60.0),
        "NL:living_street" | "walk" => Some(15.0),
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let (number, factor) = match raw.strip_suffix("mph") {
        Some(n) => (n.trim(), 1.609_344),
        None => (raw.strip_suffix("km/h").unwrap_or(raw).trim(), 1.0),
    };
    number
        .parse::<f32>()
        .ok()
        .map(|v| v * factor)
        .filter(|v| v.is_finite() && *v >= 1.0 && *v <= 200.0)
}

/// A ferry's `duration` in seconds: `H:MM`, `H:MM:SS` or whole minutes.
pub fn parse_duration(raw: &str) -> Option<f32> {
    let parts: Vec<&str> = raw.trim().split(':').collect();
    let num = |s: &str| s.trim().parse::<u32>().ok();
    let seconds = match parts.as_slice() {
        [m] => num(m)? * 60,
        [h, m] => num(h)? * 3600 + num(m)? * 60,
        [h, m, s] => num(h)? * 3600 + num(m)? * 60 + num(s)?,
        _ => return None,
    };
    (seconds > 0).then_some(seconds as f32)
}

fn get<'a>(tags: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// What the access keys say for a mode: `Some(true)` let through, `Some(false)` kept
/// out, `None` nothing readable. The general `access` key may close a way but does not
/// open a road class the mode is not allowed on (`access=yes` on a motorway does not let
/// pedestrians on); a mode's own key may.
fn access(tags: &[(&str, &str)], mode: Mode) -> Option<(bool, bool)> {
    for key in mode.access_keys() {
        let Some(value) = get(tags, key) else {
            continue;
        };
        let value = value.split(';').next().unwrap_or(value).trim();
        if ALLOWED.contains(&value) {
            return Some((true, *key != "access"));
        }
        if DENIED.contains(&value) {
            return Some((false, true));
        }
    }
    None
}

/// The rules of one way, or `None` when no mode may use it (most ways: buildings,
/// rivers, closed roads).
pub fn way_rules(tags: &[(&str, &str)]) -> Option<WayRules> {
    let highway = get(tags, "highway");
    let ferry = get(tags, "route") == Some("ferry");
    if highway.is_none() && !ferry {
        return None;
    }
    if highway.is_some_and(|h| NEVER.contains(&h)) && !ferry {
        return None;
    }
    if get(tags, "impassable") == Some("yes") {
        return None;
    }
    let mut rules = WayRules::default();
    for mode in Mode::ALL {
        rules.0[mode.index()] = if ferry {
            ferry_passage(tags, mode)
        } else {
            road_passage(tags, highway.unwrap_or_default(), mode)
        };
    }
    rules.0.iter().any(Option::is_some).then_some(rules)
}

/// Ferries carry people and bicycles unless tagged otherwise, cars only when tagged
/// `motorcar`/`motor_vehicle`/`vehicle=yes`: most Dutch ferries (Amsterdam's IJ ferries)
/// take no cars.
fn ferry_passage(tags: &[(&str, &str)], mode: Mode) -> Option<Passage> {
    let allowed = match access(tags, mode) {
        Some((allowed, _)) if mode != Mode::Car => allowed,
        Some((allowed, specific)) => allowed && specific,
        None => mode != Mode::Car,
    };
    if !allowed {
        return None;
    }
    let cost = get(tags, "duration")
        .and_then(parse_duration)
        .map_or(Cost::Speed(FERRY_KMH), Cost::Duration);
    let (forward, backward) = direction(tags, mode, "");
    Some(Passage {
        forward,
        backward,
        cost,
    })
}

fn road_passage(tags: &[(&str, &str)], highway: &str, mode: Mode) -> Option<Passage> {
    let by_default = match mode {
        Mode::Foot => FOOT_DEFAULT.contains(&highway),
        Mode::Bicycle => BICYCLE_DEFAULT.contains(&highway),
        Mode::Car => CAR_DEFAULT.contains(&highway),
    };
    let allowed = match access(tags, mode) {
        Some((false, _)) => false,
        Some((true, specific)) => by_default || specific,
        None => by_default,
    };
    if !allowed {
        return None;
    }
    let speed = match mode {
        Mode::Car => get(tags, "maxspeed")
            .and_then(parse_maxspeed)
            .unwrap_or_else(|| car_class_kmh(highway)),
        _ => mode.base_speed_kmh(),
    };
    let (forward, backward) = direction(tags, mode, highway);
    (forward || backward).then_some(Passage {
        forward,
        backward,
        cost: Cost::Speed(speed),
    })
}

/// `(forward, backward)` from a oneway value; `None` when the value says nothing.
fn oneway_value(value: Option<&str>) -> Option<(bool, bool)> {
    match value? {
        "yes" | "true" | "1" => Some((true, false)),
        "-1" | "reverse" => Some((false, true)),
        "no" | "false" | "0" => Some((true, true)),
        _ => None,
    }
}

/// Which directions a mode may travel. Pedestrians ignore `oneway` (it is about
/// traffic) unless `oneway:foot` says otherwise. Cyclists follow `oneway` unless
/// `oneway:bicycle` or an opposite cycle lane (`cycleway=opposite…`) exempts them, as
/// Dutch one-way streets so often do ("uitgezonderd fietsers").
fn direction(tags: &[(&str, &str)], mode: Mode, highway: &str) -> (bool, bool) {
    let implied = || {
        let roundabout = matches!(get(tags, "junction"), Some("roundabout" | "circular"));
        let motorway = matches!(highway, "motorway" | "motorway_link");
        (roundabout || motorway).then_some((true, false))
    };
    let general = || oneway_value(get(tags, "oneway")).or_else(implied);
    let both = (true, true);
    match mode {
        Mode::Foot => oneway_value(get(tags, "oneway:foot")).unwrap_or(both),
        Mode::Car => general().unwrap_or(both),
        Mode::Bicycle => {
            if let Some(d) = oneway_value(get(tags, "oneway:bicycle")) {
                return d;
            }
            let opposite = [
                "cycleway",
                "cycleway:left",
                "cycleway:right",
                "cycleway:both",
            ]
            .iter()
            .any(|k| get(tags, k).is_some_and(|v| v.starts_with("opposite")));
            if opposite {
                both
            } else {
                general().unwrap_or(both)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(tags: &[(&str, &str)]) -> Option<WayRules> {
        way_rules(tags)
    }

    fn dirs(r: &WayRules, mode: Mode) -> Option<(bool, bool)> {
        r.get(mode).map(|p| (p.forward, p.backward))
    }

    #[test]
    fn a_residential_street_is_for_everyone_both_ways() {
        let r = rules(&[("highway", "residential")]).expect("routable");
        for mode in Mode::ALL {
            assert_eq!(dirs(&r, mode), Some((true, true)), "{mode}");
        }
        assert_eq!(r.get(Mode::Foot).unwrap().cost, Cost::Speed(5.0));
        assert_eq!(r.get(Mode::Bicycle).unwrap().cost, Cost::Speed(15.0));
        assert_eq!(r.get(Mode::Car).unwrap().cost, Cost::Speed(30.0));
    }

    #[test]
    fn motorways_are_for_cars_only_and_one_way() {
        let r = rules(&[("highway", "motorway")]).expect("routable");
        assert_eq!(dirs(&r, Mode::Foot), None);
        assert_eq!(dirs(&r, Mode::Bicycle), None);
        assert_eq!(dirs(&r, Mode::Car), Some((true, false)));
        // access=yes does not let pedestrians onto a motorway; foot=yes would.
        let r = rules(&[("highway", "motorway"), ("access", "yes")]).unwrap();
        assert_eq!(dirs(&r, Mode::Foot), None);
        let r = rules(&[("highway", "trunk"), ("foot", "yes")]).unwrap();
        assert_eq!(dirs(&r, Mode::Foot), Some((true, true)));
    }

    #[test]
    fn cycleways_footways_and_their_exceptions() {
        let r = rules(&[("highway", "cycleway")]).unwrap();
        assert_eq!(dirs(&r, Mode::Bicycle), Some((true, true)));
        assert_eq!(dirs(&r, Mode::Foot), None);
        assert_eq!(dirs(&r, Mode::Car), None);
        let r = rules(&[("highway", "cycleway"), ("foot", "designated")]).unwrap();
        assert_eq!(dirs(&r, Mode::Foot), Some((true, true)));
        let r = rules(&[("highway", "footway")]).unwrap();
        assert_eq!(dirs(&r, Mode::Bicycle), None);
        let r = rules(&[("highway", "footway"), ("bicycle", "yes")]).unwrap();
        assert_eq!(dirs(&r, Mode::Bicycle), Some((true, true)));
        let r = rules(&[("highway", "primary"), ("bicycle", "use_sidepath")]).unwrap();
        assert_eq!(dirs(&r, Mode::Bicycle), None);
        assert_eq!(dirs(&r, Mode::Foot), Some((true, true)));
    }

    #[test]
    fn closed_and_private_ways_are_not_routable() {
        assert_eq!(rules(&[("highway", "construction")]), None);
        assert_eq!(
            rules(&[("highway", "residential"), ("access", "private")]),
            None
        );
        assert_eq!(rules(&[("highway", "residential"), ("access", "no")]), None);
        assert_eq!(
            rules(&[("highway", "residential"), ("impassable", "yes")]),
            None
        );
        assert_eq!(rules(&[("waterway", "river")]), None);
        assert_eq!(rules(&[("building", "yes")]), None);
        // The most specific key wins: private, but open on foot.
        let r = rules(&[
            ("highway", "service"),
            ("access", "private"),
            ("foot", "yes"),
        ])
        .unwrap();
        assert_eq!(dirs(&r, Mode::Foot), Some((true, true)));
        assert_eq!(dirs(&r, Mode::Car), None);
        // A bus lane: no cars, but motor_vehicle says nothing of bicycles.
        let r = rules(&[("highway", "service"), ("motor_vehicle", "no")]).unwrap();
        assert_eq!(dirs(&r, Mode::Car), None);
        assert_eq!(dirs(&r, Mode::Bicycle), Some((true, true)));
    }

    #[test]
    fn oneway_streets_and_the_cycling_exemption() {
        let r = rules(&[("highway", "residential"), ("oneway", "yes")]).unwrap();
        assert_eq!(dirs(&r, Mode::Car), Some((true, false)));
        assert_eq!(dirs(&r, Mode::Bicycle), Some((true, false)));
        assert_eq!(dirs(&r, Mode::Foot), Some((true, true)));
        let r = rules(&[
            ("highway", "residential"),
            ("oneway", "yes"),
            ("oneway:bicycle", "no"),
        ])
        .unwrap();
        assert_eq!(dirs(&r, Mode::Car), Some((true, false)));
        assert_eq!(dirs(&r, Mode::Bicycle), Some((true, true)));
        let r = rules(&[
            ("highway", "residential"),
            ("oneway", "-1"),
            ("cycleway", "opposite_lane"),
        ])
        .unwrap();
        assert_eq!(dirs(&r, Mode::Car), Some((false, true)));
        assert_eq!(dirs(&r, Mode::Bicycle), Some((true, true)));
        let r = rules(&[("highway", "tertiary"), ("junction", "roundabout")]).unwrap();
        assert_eq!(dirs(&r, Mode::Car), Some((true, false)));
        assert_eq!(dirs(&r, Mode::Bicycle), Some((true, false)));
        let r = rules(&[("highway", "cycleway"), ("oneway", "yes")]).unwrap();
        assert_eq!(dirs(&r, Mode::Bicycle), Some((true, false)));
    }

    #[test]
    fn ferries_carry_people_and_bicycles_and_cars_only_when_tagged() {
        let r = rules(&[("route", "ferry"), ("duration", "00:05")]).unwrap();
        assert_eq!(r.get(Mode::Foot).unwrap().cost, Cost::Duration(300.0));
        assert_eq!(dirs(&r, Mode::Bicycle), Some((true, true)));
        assert_eq!(dirs(&r, Mode::Car), None);
        let r = rules(&[("route", "ferry"), ("motor_vehicle", "yes")]).unwrap();
        assert_eq!(dirs(&r, Mode::Car), Some((true, true)));
        assert_eq!(r.get(Mode::Car).unwrap().cost, Cost::Speed(FERRY_KMH));
        let r = rules(&[("route", "ferry"), ("bicycle", "no")]).unwrap();
        assert_eq!(dirs(&r, Mode::Bicycle), None);
    }

    #[test]
    fn car_speeds_from_maxspeed_or_the_road_class() {
        let speed = |tags: &[(&str, &str)]| match rules(tags).unwrap().get(Mode::Car).unwrap().cost
        {
            Cost::Speed(v) => v,
            Cost::Duration(_) => panic!("a road has no duration"),
        };
        assert_eq!(speed(&[("highway", "primary"), ("maxspeed", "50")]), 50.0);
        assert_eq!(
            speed(&[("highway", "primary"), ("maxspeed", "NL:rural")]),
            80.0
        );
        assert_eq!(speed(&[("highway", "primary")]), 60.0);
        assert_eq!(speed(&[("highway", "primary"), ("maxspeed", "fast")]), 60.0);
        assert_eq!(speed(&[("highway", "motorway")]), 100.0);
        assert!((parse_maxspeed("30 mph").unwrap() - 48.28).abs() < 0.01);
    }

    #[test]
    fn durations_in_the_forms_mappers_use() {
        assert_eq!(parse_duration("00:05"), Some(300.0));
        assert_eq!(parse_duration("1:02:03"), Some(3723.0));
        assert_eq!(parse_duration("12"), Some(720.0));
        assert_eq!(parse_duration("PT5M"), None);
        assert_eq!(parse_duration("0"), None);
    }
}
