//! Indicators along the network: per area, the walking and cycling time and distance to
//! the nearest facility of a category, and the people within 10, 15 and 20 minutes.
//!
//! One multi-source search per category and mode ([`Network::towards`] from all the
//! category's facilities) gives every node its nearest facility; each demand point then
//! reads its time from the node labels at the ends of the edge it snapped to. The
//! demand points are snapped once per mode and shared by every category. A point (or a
//! facility) farther than the snap limit from every path of the mode is not snapped
//! across the water: it is counted and reported, and adds no time to its area's mean.
//!
//! The searches stop at [`BOUND_S`], the longest time the figures count people within:
//! a national run over every node costs twenty seconds, one bounded at 20 minutes a
//! fraction of that. A point that reaches no facility within the bound is *beyond* it;
//! its time is unknown, so an area with such points gets no mean time or distance (a
//! mean over the other points would be too low) but the share of its people beyond.
//! E2SFCA with network time as its cost is in `network_access`.

use super::assess::LevelDemand;
use super::config::AnalysisConfig;
use super::coverage::CategoryCoverage;
use crate::crs::LonLat;
use crate::deadline::Stopped;
use crate::model::{AreaLevel, Category, Dataset};
use crate::routing::{Mode, Network, Networks, Scratch, Snap, DEFAULT_SNAP_LIMIT_M};
use serde::Serialize;

/// The modes the indicators are made for: people walk and cycle to care and welfare.
pub const MODES: [Mode; 2] = [Mode::Foot, Mode::Bicycle];

/// The travel times people are counted within, minutes (inclusive).
pub const MINUTES: [f64; 3] = [10.0, 15.0, 20.0];

/// Where the indicator searches stop, seconds: the largest of [`MINUTES`].
pub const BOUND_S: f64 = MINUTES[2] * 60.0;

/// A demand point on the network: its area (an index), its share of the area's people,
/// and where it snapped (`None`: farther than the limit from every path of the mode).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    pub(super) area: usize,
    pub(super) weight: f64,
    /// RD metres, to find the points a facility may reach in time.
    pub(super) rd: [f64; 2],
    pub(super) snap: Option<Snap>,
}

/// The demand points of a level snapped to one mode's network, once for every category.
pub struct LevelNetwork<'a> {
    pub(super) network: &'a Network,
    pub(super) points: Vec<Point>,
    pub(super) areas: usize,
}

/// One area's figures along the network for one category and mode.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AreaFigures {
    /// Mean time to the nearest facility over the area's points on the network,
    /// weighted by their share of the people, seconds; `None` when any of them reaches
    /// no facility within [`BOUND_S`] (see `beyond_share`).
    pub time_s: Option<f64>,
    /// Mean distance along the network to that facility, metres; `None` as `time_s`.
    pub length_m: Option<f64>,
    /// The share (0–1) of the people of the area's points on the network who reach no
    /// facility within [`BOUND_S`]: farther, or on a part of the network no facility
    /// is connected to. `None` when no point of the area is on the network.
    pub beyond_share: Option<f64>,
    /// People of the demand group within 10, 15 and 20 minutes of a facility; `None`
    /// when the area's population is not published.
    pub people_within: Option<[f64; 3]>,
}

/// The figures of every area for one category and mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub areas: Vec<AreaFigures>,
    /// Facilities of the category farther than the snap limit from the mode's network.
    pub facilities_off_network: usize,
    /// Demand points (of the areas measured) that snapped but reach no facility within
    /// [`BOUND_S`]: farther, or on a part of the network no facility is connected to.
    pub points_beyond: usize,
}

impl<'a> LevelNetwork<'a> {
    /// Snaps every point (area index, place, share of the area's people) within
    /// `limit_m`; `areas` is the number of areas the indices run over.
    pub fn new(
        network: &'a Network,
        points: &[(usize, LonLat, f64)],
        areas: usize,
        limit_m: f64,
    ) -> LevelNetwork<'a> {
        let points = points
            .iter()
            .map(|&(area, at, weight)| {
                let rd = at.to_rd();
                Point {
                    area,
                    weight,
                    rd: [rd.x, rd.y],
                    snap: network.snap(at, limit_m).ok(),
                }
            })
            .collect();
        LevelNetwork {
            network,
            points,
            areas,
        }
    }

    /// The demand points of every area of a level, in the level's order.
    pub fn from_demand(network: &'a Network, demand: &LevelDemand) -> LevelNetwork<'a> {
        let points: Vec<(usize, LonLat, f64)> = demand
            .iter()
            .enumerate()
            .flat_map(|(i, d)| d.points.iter().map(move |p| (i, p.at.to_wgs84(), p.weight)))
            .collect();
        LevelNetwork::new(network, &points, demand.len(), DEFAULT_SNAP_LIMIT_M)
    }

    pub fn mode(&self) -> Mode {
        self.network.mode()
    }

    pub fn network(&self) -> &'a Network {
        self.network
    }

    pub fn points(&self) -> usize {
        self.points.len()
    }

    /// The points farther than the snap limit from every path of the mode.
    pub fn off_network(&self) -> usize {
        self.points.iter().filter(|p| p.snap.is_none()).count()
    }

    /// One search from `facilities`, bounded at [`BOUND_S`], then every point of a
    /// `measured` area reads its nearest facility. `population` is the area's demand
    /// group (`None`: not published). Areas not measured (outside the category's
    /// coverage) get no figures.
    pub fn measure(
        &self,
        facilities: &[LonLat],
        population: &[Option<f64>],
        measured: &[bool],
    ) -> Result<Measured, Stopped> {
        self.measure_reusing(facilities, population, measured, &Scratch::new())
    }

    /// [`LevelNetwork::measure`] with the search's label arrays taken from and given
    /// back to `scratch`, for many categories in a row.
    pub fn measure_reusing(
        &self,
        facilities: &[LonLat],
        population: &[Option<f64>],
        measured: &[bool],
        scratch: &Scratch,
    ) -> Result<Measured, Stopped> {
        let catchment =
            self.network
                .towards_reusing(facilities, DEFAULT_SNAP_LIMIT_M, BOUND_S, scratch)?;
        #[derive(Default, Clone, Copy)]
        struct Sums {
            time: f64,
            length: f64,
            reached: f64,
            beyond: f64,
            within: [f64; 3],
            any: bool,
        }
        let mut sums = vec![Sums::default(); self.areas];
        let mut beyond = 0;
        for p in &self.points {
            if !measured.get(p.area).copied().unwrap_or(false) {
                continue;
            }
            let s = &mut sums[p.area];
            s.any = true;
            let Some(snap) = p.snap else { continue };
            // A time past the bound may not be the shortest (the search did not label
            // the nodes past it), but the shortest is past the bound too.
            let Some((_, trip)) = catchment
                .from_snap(&snap)
                .filter(|(_, trip)| trip.time_s <= BOUND_S)
            else {
                s.beyond += p.weight;
                beyond += 1;
                continue;
            };
            s.time += p.weight * trip.time_s;
            s.length += p.weight * trip.length_m;
            s.reached += p.weight;
            let people = population.get(p.area).copied().flatten().unwrap_or(0.0) * p.weight;
            for (k, minutes) in MINUTES.iter().enumerate() {
                if trip.time_s <= minutes * 60.0 {
                    s.within[k] += people;
                }
            }
        }
        let areas = sums
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if !s.any {
                    return AreaFigures::default();
                }
                let on_network = s.reached + s.beyond;
                // Only a mean over every point on the network: leaving out the points
                // beyond the bound would make it too low.
                let mean = |v: f64| (s.reached > 0.0 && s.beyond == 0.0).then(|| v / s.reached);
                AreaFigures {
                    time_s: mean(s.time),
                    length_m: mean(s.length),
                    beyond_share: (on_network > 0.0).then(|| s.beyond / on_network),
                    people_within: population.get(i).copied().flatten().map(|_| s.within),
                }
            })
            .collect();
        let facilities_off_network = catchment.unsnapped.len();
        catchment.recycle(scratch);
        Ok(Measured {
            areas,
            facilities_off_network,
            points_beyond: beyond,
        })
    }
}

/// What the network indicators of a snapshot rest on, for `/status`: per mode, how many
/// demand points and facilities lie off the network and were left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkReport {
    pub niveau: AreaLevel,
    pub methode: &'static str,
    pub bron: &'static str,
    pub modi: Vec<ModeReport>,
    /// How long all searches of all categories and modes took.
    pub seconden: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeReport {
    pub modus: &'static str,
    pub vraagpunten: usize,
    /// Demand points farther than the snap limit from every path: not in the means.
    pub vraagpunten_buiten_netwerk: usize,
    pub snap_grens_m: f64,
    /// Per category: facilities off the network, and demand points that reach none.
    pub categorieen: Vec<CategoryReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryReport {
    pub categorie: &'static str,
    pub voorzieningen_buiten_netwerk: usize,
    /// Demand points that reach no facility within 20 minutes (farther, or on a part
    /// of the network no facility is connected to).
    pub vraagpunten_verder_dan_20min: usize,
}

/// The method in one sentence, for `/status` and the queryables.
pub const METHOD: &str = "per categorie en modus één zoektocht over het netwerk vanaf alle voorzieningen tot 20 minuten (Dijkstra op reistijd); per vraagpunt de tijd en afstand tot de dichtstbijzijnde, gemiddeld per gebied naar het aandeel inwoners van elk punt; woont een deel verder dan 20 minuten, dan is het gemiddelde leeg en geeft het aandeel verder dan 20 minuten dat aan; punten verder dan 500 m van een weg of pad tellen niet mee en worden gemeld";

/// Where the network comes from.
pub const SOURCE: &str =
    "wegen en paden uit OpenStreetMap (© OpenStreetMap-bijdragers, ODbL 1.0); lopen 5 km/u, fietsen 15 km/u";

/// The property names of one category and mode: mean minutes, mean metres, people
/// within 10, 15 and 20 minutes, and the share of the people beyond 20 minutes.
pub fn property_names(category: Category, mode: Mode) -> [String; 6] {
    let p = format!("{}_{}", category.key(), mode.dutch());
    [
        format!("{p}_minuten"),
        format!("{p}_afstand_m"),
        format!("{p}_inwoners_binnen_10min"),
        format!("{p}_inwoners_binnen_15min"),
        format!("{p}_inwoners_binnen_20min"),
        format!("{p}_aandeel_verder_dan_20min"),
    ]
}

/// How long a category's search in `mode` is likely to take, for putting the longest
/// first ([`crate::parallel::map_longest_first`]): a search bounded in time labels
/// about the area its facilities reach, which grows with their number and the square
/// of the pace.
pub fn search_cost(mode: Mode, facilities: usize) -> f64 {
    let kmh = crate::routing::off_network_kmh(mode);
    facilities as f64 * kmh * kmh
}

/// The loaded facilities of a category, as points on the map.
pub fn facilities(dataset: &Dataset, category: Category) -> Vec<LonLat> {
    dataset
        .voorzieningen()
        .iter()
        .filter(|v| v.category == category)
        .map(|v| v.location.wgs84)
        .collect()
}

/// Per area of `level`: the category's demand group, and whether the category's
/// sources cover it (outside, no figures, as for the straight-line ones).
pub fn populations(
    dataset: &Dataset,
    level: AreaLevel,
    category: Category,
    config: &AnalysisConfig,
) -> (Vec<Option<f64>>, Vec<bool>) {
    let settings = config.settings(category);
    let coverage = CategoryCoverage::new(dataset, category);
    dataset
        .areas(level)
        .iter()
        .map(|a| (settings.demand.size(&a.figures), coverage.covers(a)))
        .unzip()
}

/// The snapped demand of every mode that has a graph, the modes side by side, one per
/// core. Snapping does not look at the deadline, but a deadline that passed meanwhile
/// is reported, as for any work.
pub fn level_networks<'a>(
    networks: &'a Networks,
    demand: &LevelDemand,
) -> Result<Vec<LevelNetwork<'a>>, Stopped> {
    let present: Vec<&Network> = MODES.iter().filter_map(|m| networks.get(*m)).collect();
    crate::parallel::map(&present, |n| Ok(LevelNetwork::from_demand(n, demand)))
}

/// People within 10, 15 and 20 minutes summed over the areas measured.
pub fn total_within(measured: &Measured) -> [f64; 3] {
    measured.areas.iter().fold([0.0; 3], |mut acc, a| {
        if let Some(p) = a.people_within {
            for k in 0..3 {
                acc[k] += p[k];
            }
        }
        acc
    })
}

/// The title and description of a network indicator's property name (for the
/// queryables and the pages), saying where it comes from; `None` for any other name.
pub fn describe(name: &str) -> Option<(String, String)> {
    // Every category and mode is tried: a key may hold an underscore itself.
    Category::ALL.iter().find_map(|&category| {
        let rest = name.strip_prefix(category.key())?.strip_prefix('_')?;
        MODES.into_iter().find_map(|mode| {
            let what = rest.strip_prefix(mode.dutch())?.strip_prefix('_')?;
            describe_one(category, mode, what)
        })
    })
}

fn describe_one(category: Category, mode: Mode, what: &str) -> Option<(String, String)> {
    let label = category.label().to_lowercase();
    let how = match mode {
        Mode::Foot => "lopend",
        _ => "op de fiets",
    };
    let title = match what {
        "minuten" => format!("Reistijd {how} tot de dichtstbijzijnde {label} over het netwerk (minuten, gemiddeld over de inwoners; leeg als een deel verder dan 20 minuten woont)"),
        "afstand_m" => format!("Afstand {how} tot de dichtstbijzijnde {label} over het netwerk (m, gemiddeld over de inwoners; leeg als een deel verder dan 20 minuten woont)"),
        "inwoners_binnen_10min" => format!("Inwoners binnen 10 minuten {how} van een {label} over het netwerk"),
        "inwoners_binnen_15min" => format!("Inwoners binnen 15 minuten {how} van een {label} over het netwerk"),
        "inwoners_binnen_20min" => format!("Inwoners binnen 20 minuten {how} van een {label} over het netwerk"),
        "aandeel_verder_dan_20min" => format!("Aandeel van de inwoners (0–1) dat {how} verder dan 20 minuten van een {label} woont over het netwerk, of er niet komt"),
        "toegang" => format!("Toegang tot {label} (E2SFCA met de reistijd {how} over het netwerk als kosten; 1 = gemiddeld)"),
        _ => return None,
    };
    Some((title, format!("{SOURCE}; {METHOD}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_described_with_their_source() {
        let names = property_names(Category::Huisarts, Mode::Bicycle);
        assert_eq!(names[0], "huisarts_fietsen_minuten");
        assert_eq!(names[4], "huisarts_fietsen_inwoners_binnen_20min");
        assert_eq!(names[5], "huisarts_fietsen_aandeel_verder_dan_20min");
        for n in &names {
            let (title, description) = describe(n).expect("described");
            assert!(title.contains("op de fiets"), "{title}");
            assert!(description.contains("ODbL"), "{description}");
        }
        assert_eq!(describe("huisarts_afstand_m"), None);
        assert_eq!(describe("huisarts_lopen_iets"), None);
    }
}
