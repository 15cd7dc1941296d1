//! An area's profile the way Dutch area monitors read it: every key figure beside the
//! same figure for its wijk and gemeente and for the Netherlands, how it stands
//! against the other areas of its level in words, its gap rank per category with the
//! reason, its housing against the 30% target, the voorzieningen near it, and where
//! every figure comes from.

use super::access::Supply;
use super::basis::AccessBasis;
use super::config::AnalysisConfig;
use super::{assess, calibrate, default_level, demand, gap, housing};
use crate::model::{Area, AreaCode, AreaLevel, Category, Dataset, Figure, Quantity};
use serde::Serialize;

/// How a figure stands against the other areas of the same level, in words: never by
/// colour alone. From the z-score over those areas: below −1.5, −1.5 to −0.5, −0.5 to
/// 0.5, 0.5 to 1.5, above 1.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    WellBelow,
    Below,
    Around,
    Above,
    WellAbove,
}

impl Standing {
    pub fn from_z(z: f64) -> Standing {
        match z {
            z if z < -1.5 => Standing::WellBelow,
            z if z < -0.5 => Standing::Below,
            z if z <= 0.5 => Standing::Around,
            z if z <= 1.5 => Standing::Above,
            _ => Standing::WellAbove,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::WellBelow => "ruim onder het gemiddelde",
            Standing::Below => "onder het gemiddelde",
            Standing::Around => "rond het gemiddelde",
            Standing::Above => "boven het gemiddelde",
            Standing::WellAbove => "ruim boven het gemiddelde",
        }
    }

    /// The words when the standing is measured from the Netherlands' figure shown
    /// beside it, which is what a reader compares with.
    pub fn label_national(self) -> &'static str {
        match self {
            Standing::WellBelow => "ruim onder het landelijk gemiddelde",
            Standing::Below => "onder het landelijk gemiddelde",
            Standing::Around => "rond het landelijk gemiddelde",
            Standing::Above => "boven het landelijk gemiddelde",
            Standing::WellAbove => "ruim boven het landelijk gemiddelde",
        }
    }
}

/// A value as the pages and the map panel show it: whole numbers from 1,000 up, else
/// one decimal. Standings are taken from these, so the words never contradict the
/// numbers printed beside them.
pub fn as_shown(v: f64) -> f64 {
    let r = if v.abs() >= 1000.0 {
        v.round()
    } else {
        (v * 10.0).round() / 10.0
    };
    // No "-0" from a small negative value.
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// A figure of a larger area to compare with, and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reference {
    pub value: f64,
    /// In words: the area's own published figure, or which mean over which areas, with
    /// the year of the figures when they state one.
    pub how: String,
    /// The reference year of this figure (not of the area it is compared with): a
    /// gemeente's figure of 2022 beside a wijk's of 2024 says 2022.
    pub year: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureRow {
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub value: Option<f64>,
    pub wijk: Option<Reference>,
    pub gemeente: Option<Reference>,
    pub nederland: Option<Reference>,
    /// Against the other areas of the same level; counts (inhabitants, dwellings) get
    /// none, since they measure size.
    pub standing: Option<Standing>,
    pub standing_label: Option<&'static str>,
    /// How many standard deviations (of the areas of this level) the value shown lies
    /// from the Netherlands' value shown (from the areas' mean when there is none).
    pub z: Option<f64>,
    /// What the standing is measured against, in words.
    pub standing_among: Option<String>,
    /// The year and source of this area's own value; `None` when it has no value.
    pub year: Option<u16>,
    pub source: Option<String>,
}

/// One area inside this one (the wijken of a gemeente, the buurten of a wijk), with a
/// few key figures and, per category, its gap rank and distance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubareaRow {
    pub code: AreaCode,
    pub name: String,
    pub inwoners: Option<f64>,
    pub pct_65plus: Option<f64>,
    pub categories: Vec<SubareaCategory>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubareaCategory {
    pub category: &'static str,
    /// Straight-line metres to the nearest one, the mean over the area's people.
    pub nearest_m: Option<f64>,
    /// Its gap rank of all ranked areas of the analysis level, when it is at that level.
    pub rank: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRow {
    pub category: &'static str,
    pub label: &'static str,
    /// Metres to the nearest one, the mean over the area's people: straight-line from
    /// the loaded voorzieningen, or CBS's road distance when `toegang_bron` says so.
    pub nearest_m: Option<f64>,
    /// Mean number within 1, 3 and 5 km of the area's people (one decimal).
    pub within_1km: f64,
    pub within_3km: f64,
    pub within_5km: f64,
    /// People of the category's demand group farther than its threshold.
    pub people_beyond: Option<f64>,
    pub threshold_m: f64,
    /// binnen, rand or buiten the sources' coverage; outside, no figure is given.
    pub dekking: &'static str,
    /// What the sources of the category cover, in words.
    pub dekking_omschrijving: String,
    /// What the area's figures are measured from, in words.
    pub vraag_basis: &'static str,
    /// Whether access rests on the loaded voorzieningen or on CBS's distance, in words.
    pub toegang_bron: &'static str,
    /// CBS's own distance for the category (km, over the road), and whose it is.
    pub cbs_afstand_km: Option<f64>,
    pub cbs_niveau: Option<AreaLevel>,
    /// The gap rank (1 = most underserved) of all ranked areas of the analysis level,
    /// with the gap and the reason; `None` when the area is not at that level or has
    /// too little data to rank.
    pub rank: Option<usize>,
    pub ranked_of: usize,
    pub gap: Option<f64>,
    pub reason: Option<String>,
    /// The distance to the nearest one for the average inhabitant of the gemeente (its
    /// areas of this level) and of the country (the national level), to read
    /// `nearest_m` against.
    pub nearest_gemeente: Option<Reference>,
    pub nearest_nederland: Option<Reference>,
}

/// The need index of the area, with exactly the components in force at its level and
/// those the level's figures lack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedSummary {
    /// `None` when the area has too little data to score.
    pub index: Option<f64>,
    /// (figure label, weight) in force, weights summing to 1.
    pub components: Vec<(&'static str, f64)>,
    /// Labels of the configured components this level's figures do not hold.
    pub missing: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub code: AreaCode,
    pub name: String,
    pub level: AreaLevel,
    pub wijk: Option<(AreaCode, String)>,
    pub gemeente: Option<(AreaCode, String)>,
    pub figures: Vec<FigureRow>,
    pub categories: Vec<CategoryRow>,
    pub housing: housing::HousingStanding,
    /// Corporation-owned is not the same as social rent: said beside every housing view.
    pub housing_caveat: &'static str,
    pub housing_target_pct: f64,
    /// The level the gap ranking is made at.
    pub analysis_level: Option<AreaLevel>,
    pub need: NeedSummary,
    /// Against each earlier year loaded for this level, newest first.
    pub changes: Vec<super::change::Change>,
    /// The loaded areas one level down inside this one, by code.
    pub subareas: Vec<SubareaRow>,
}

pub const HOUSING_CAVEAT: &str = "CBS telt huurwoningen in bezit van woningcorporaties; dat is niet hetzelfde als sociale huur (corporaties verhuren ook boven de sociale grens, en particuliere verhuurders ook sociaal).";

/// The profile of the loaded area with this code; `None` when no such area is loaded.
pub fn profile(dataset: &Dataset, config: &AnalysisConfig, code: AreaCode) -> Option<Profile> {
    let area = dataset.area(code)?;
    let level = area.level();
    let parents = enclosing_areas(dataset, code, level);
    let (wijk_area, gemeente_area) = parents;
    let figures = Figure::ALL
        .iter()
        .filter_map(|&f| figure_row(dataset, area, parents, f))
        .collect();
    let scope = Scope::new(dataset, config, code, level);
    let mut subareas = scope.subarea_rows();
    let mut categories = Vec::new();
    for (category, basis) in super::basis::analysed_categories(dataset) {
        // A ranking per category: stop when nobody waits (`crate::deadline`).
        if crate::deadline::expired() {
            break;
        }
        categories.push(scope.category(area, category, basis, &mut subareas));
    }
    Some(Profile {
        code,
        name: area.name.clone(),
        level,
        wijk: wijk_area.map(|a| (a.code, a.name.clone())),
        gemeente: gemeente_area.map(|a| (a.code, a.name.clone())).or_else(|| {
            (level != AreaLevel::Gemeente).then(|| {
                (
                    code.gemeente(),
                    area.gemeente_name.clone().unwrap_or_default(),
                )
            })
        }),
        figures,
        categories,
        housing: housing_standing(dataset, level, code),
        housing_caveat: HOUSING_CAVEAT,
        housing_target_pct: housing::NATIONAL_TARGET_PCT,
        analysis_level: scope.analysis_level,
        need: need_summary(dataset, config, area),
        changes: super::change::changes(dataset, area),
        subareas,
    })
}

/// The loaded wijk (for a buurt) and gemeente (for a buurt or wijk) an area lies in.
type Parents<'a> = (Option<&'a Area>, Option<&'a Area>);

fn enclosing_areas(dataset: &Dataset, code: AreaCode, level: AreaLevel) -> Parents<'_> {
    let parent = |l: AreaLevel| {
        code.ancestor(l)
            .filter(|c| *c != code)
            .and_then(|c| dataset.area(c))
    };
    let wijk_area = (level == AreaLevel::Buurt)
        .then(|| parent(AreaLevel::Wijk))
        .flatten();
    let gemeente_area = (level != AreaLevel::Gemeente)
        .then(|| parent(AreaLevel::Gemeente))
        .flatten();
    (wijk_area, gemeente_area)
}

fn housing_standing(
    dataset: &Dataset,
    level: AreaLevel,
    code: AreaCode,
) -> housing::HousingStanding {
    housing::check(dataset, level, housing::NATIONAL_TARGET_PCT)
        .areas
        .into_iter()
        .find(|h| h.code == code)
        .map_or(housing::HousingStanding::InsufficientData, |h| h.standing)
}

/// What each category of a profile is assessed against: the demand of the area's own
/// level, of the national level (the one the country's figures come from) when that is
/// another, and of the level one down.
struct Scope<'a> {
    dataset: &'a Dataset,
    config: &'a AnalysisConfig,
    code: AreaCode,
    level: AreaLevel,
    /// The level the gap ranking is made at.
    analysis_level: Option<AreaLevel>,
    national_level: AreaLevel,
    child_level: Option<AreaLevel>,
    /// The areas one level down inside this one, by their place in the dataset.
    children: Vec<usize>,
    demand_here: assess::LevelDemand,
    demand_national: Option<assess::LevelDemand>,
    demand_children: Option<assess::LevelDemand>,
}

impl<'a> Scope<'a> {
    fn new(
        dataset: &'a Dataset,
        config: &'a AnalysisConfig,
        code: AreaCode,
        level: AreaLevel,
    ) -> Scope<'a> {
        let analysis_level = default_level(dataset);
        // The country's distances come from the level that covers it, as its figures do.
        let national_level = analysis_level.unwrap_or(level);
        let demand_here = demand::demand_points(dataset, level);
        let demand_national =
            (national_level != level).then(|| demand::demand_points(dataset, national_level));
        // The areas one level down inside this one, and their demand when it is not the
        // national level's (whose assessment is made anyway).
        let child_level = match level {
            AreaLevel::Gemeente => Some(AreaLevel::Wijk),
            AreaLevel::Wijk => Some(AreaLevel::Buurt),
            AreaLevel::Buurt => None,
        };
        let children: Vec<usize> = child_level.map_or_else(Vec::new, |l| {
            dataset
                .areas(l)
                .iter()
                .enumerate()
                .filter(|(_, a)| a.code.ancestor(level) == Some(code))
                .map(|(i, _)| i)
                .collect()
        });
        let demand_children = child_level
            .filter(|l| !children.is_empty() && *l != national_level)
            .map(|l| demand::demand_points(dataset, l));
        Scope {
            dataset,
            config,
            code,
            level,
            analysis_level,
            national_level,
            child_level,
            children,
            demand_here,
            demand_national,
            demand_children,
        }
    }

    /// The subareas' own figures; their categories follow one by one.
    fn subarea_rows(&self) -> Vec<SubareaRow> {
        self.child_level.map_or_else(Vec::new, |l| {
            self.children
                .iter()
                .map(|&i| {
                    let a = &self.dataset.areas(l)[i];
                    SubareaRow {
                        code: a.code,
                        name: a.name.clone(),
                        inwoners: a.figures.get(Figure::Inhabitants),
                        pct_65plus: a.figures.get(Figure::Age65Plus),
                        categories: Vec::new(),
                    }
                })
                .collect()
        })
    }

    /// The area's row for one category, with this category added to each subarea.
    fn category(
        &self,
        area: &Area,
        category: Category,
        basis: AccessBasis,
        subareas: &mut [SubareaRow],
    ) -> CategoryRow {
        let (dataset, config, level, code) = (self.dataset, self.config, self.level, self.code);
        let supply = gap::loaded_supply(dataset, category);
        let at_level = assess::assess(dataset, level, category, config, &self.demand_here, &supply);
        let nearest_gemeente = (level != AreaLevel::Gemeente)
            .then(|| {
                mean_distance(dataset, level, &at_level, |c| {
                    c.gemeente() == code.gemeente()
                })
            })
            .flatten();
        let national = self
            .demand_national
            .as_ref()
            .map(|d| assess::assess(dataset, self.national_level, category, config, d, &supply));
        let nearest_nederland = match &national {
            None => mean_distance(dataset, level, &at_level, |_| true),
            Some(n) => mean_distance(dataset, self.national_level, n, |_| true),
        };
        self.add_to_subareas(category, &supply, national.as_ref(), subareas);
        let nearest = (nearest_gemeente, nearest_nederland);
        self.category_row(area, category, basis, &at_level, nearest)
    }

    /// Each subarea's distance for this category, and its rank when the ranking is made
    /// at their level; from the national assessment when that is theirs.
    fn add_to_subareas(
        &self,
        category: Category,
        supply: &[Supply],
        national: Option<&assess::Assessment>,
        subareas: &mut [SubareaRow],
    ) {
        let own_children = self
            .demand_children
            .as_ref()
            .zip(self.child_level)
            .map(|(d, l)| assess::assess(self.dataset, l, category, self.config, d, supply));
        let children_assessed = match (national, &own_children) {
            (Some(n), _) if self.child_level == Some(self.national_level) => Some(n),
            (_, Some(own)) => Some(own),
            _ => None,
        };
        let (Some(l), Some(assessed)) = (self.child_level, children_assessed) else {
            return;
        };
        let ranking = (self.analysis_level == Some(l))
            .then(|| gap::rank_assessed(self.dataset, self.config, assessed));
        for (row, &i) in subareas.iter_mut().zip(&self.children) {
            row.categories.push(SubareaCategory {
                category: category.key(),
                nearest_m: assessed.areas[i].nearest_m.map(f64::round),
                rank: ranking
                    .as_ref()
                    .and_then(|r| r.ranked.iter().find(|x| x.code == row.code).map(|x| x.rank)),
            });
        }
    }

    /// The area's own row for one category, from its level's assessment, with the
    /// gemeente's and the country's mean distance.
    fn category_row(
        &self,
        area: &Area,
        category: Category,
        basis: AccessBasis,
        at_level: &assess::Assessment,
        (nearest_gemeente, nearest_nederland): (Option<Reference>, Option<Reference>),
    ) -> CategoryRow {
        let code = self.code;
        let index = self
            .dataset
            .areas(self.level)
            .iter()
            .position(|a| a.code == code);
        let near = index.map(|i| &at_level.areas[i]);
        let ranking = (self.analysis_level == Some(self.level))
            .then(|| gap::rank_assessed(self.dataset, self.config, at_level));
        let ranked = ranking
            .as_ref()
            .and_then(|r| r.ranked.iter().find(|x| x.code == code));
        let within = |k: usize| {
            near.and_then(|p| p.within_mean)
                .map_or(0.0, |w| (w[k] * 10.0).round() / 10.0)
        };
        let cbs = calibrate::cbs_distance(self.dataset, area, category);
        let coverage = near.map_or(super::coverage::AreaCoverage::Outside, |p| p.coverage);
        CategoryRow {
            category: category.key(),
            label: category.label(),
            nearest_m: near.and_then(|p| p.nearest_m).map(f64::round),
            within_1km: within(0),
            within_3km: within(1),
            within_5km: within(2),
            people_beyond: near.and_then(|p| p.people_beyond).map(f64::round),
            threshold_m: at_level.threshold_m,
            dekking: coverage.key(),
            dekking_omschrijving: at_level.coverage.clone(),
            vraag_basis: near.map_or("", |p| p.basis.described()),
            toegang_bron: basis.described(),
            cbs_afstand_km: cbs.map(|c| c.0),
            cbs_niveau: cbs.map(|c| c.1),
            rank: ranked.map(|r| r.rank),
            ranked_of: ranking.as_ref().map_or(0, |r| r.ranked.len()),
            gap: ranked.map(|r| (r.gap * 100.0).round() / 100.0),
            reason: ranked.map(|r| r.reason.clone()).or_else(|| {
                (!coverage.known()).then(|| {
                    format!(
                        "buiten het gebied van de bron: de geladen {} beschrijven alleen {}",
                        category.key(),
                        at_level.coverage
                    )
                })
            }),
            nearest_gemeente,
            nearest_nederland,
        }
    }
}

fn need_summary(dataset: &Dataset, config: &AnalysisConfig, area: &Area) -> NeedSummary {
    let level = area.level();
    let index = super::need::compute(dataset, level, &config.need_weights);
    let label = |key: &str| {
        Figure::ALL
            .iter()
            .find(|f| f.key() == key)
            .map_or("", |f| f.label())
    };
    let position = dataset
        .areas(level)
        .iter()
        .position(|a| a.code == area.code);
    NeedSummary {
        index: position.and_then(|i| match index.areas[i] {
            super::need::Need::Scored { index } => Some((index * 100.0).round() / 100.0),
            super::need::Need::InsufficientData => None,
        }),
        components: index
            .components
            .iter()
            .map(|(k, w)| (label(k), *w))
            .collect(),
        missing: index.missing.iter().map(|k| label(k)).collect(),
    }
}

/// What a share or mean is weighted by when areas are put together: the people,
/// households or dwellings it is a share of.
fn weight_figure(f: Figure) -> Option<Figure> {
    match f {
        Figure::SinglePersonHouseholds
        | Figure::LowIncomeHouseholds
        | Figure::NearSocialMinimum
        | Figure::HouseholdSize => Some(Figure::Households),
        Figure::OwnerOccupied | Figure::Rental | Figure::CorporationOwned => {
            Some(Figure::Dwellings)
        }
        _ => match f.quantity() {
            Quantity::Count => None,
            _ => Some(Figure::Inhabitants),
        },
    }
}

/// The figure over a set of areas: a sum for counts; for a density, people over land
/// (each area's land from its people and density); otherwise the mean weighted by what
/// it is a share of. `None` without at least one area with both value and weight.
pub(super) fn combine<'a>(
    f: Figure,
    areas: impl Iterator<Item = &'a Area>,
) -> Option<(f64, usize)> {
    let (mut num, mut den, mut n) = (0.0, 0.0, 0usize);
    for a in areas {
        let Some(v) = a.figures.get(f) else { continue };
        match (f.quantity(), weight_figure(f)) {
            (Quantity::Count, _) => {
                num += v;
                den = 1.0;
            }
            (Quantity::Density, _) => {
                let Some(people) = a.figures.get(Figure::Inhabitants) else {
                    continue;
                };
                if v <= 0.0 {
                    continue;
                }
                num += people;
                den += people / v;
            }
            (_, Some(w)) => {
                let Some(weight) = a.figures.get(w).filter(|w| *w > 0.0) else {
                    continue;
                };
                num += v * weight;
                den += weight;
            }
            (_, None) => continue,
        }
        n += 1;
    }
    (n > 0 && den > 0.0).then(|| (num / den, n))
}

/// The distance to the nearest voorziening averaged over the inhabitants of the areas
/// of `level` that `keep` takes (`near` is in the dataset's area order, as
/// `assess` gives it); areas without inhabitants or without a distance
/// count for nothing.
fn mean_distance(
    dataset: &Dataset,
    level: AreaLevel,
    near: &assess::Assessment,
    keep: impl Fn(AreaCode) -> bool,
) -> Option<Reference> {
    let (mut sum, mut people, mut n) = (0.0, 0.0, 0usize);
    for (a, p) in dataset.areas(level).iter().zip(&near.areas) {
        let (Some(d), Some(w)) = (p.nearest_m, a.figures.get(Figure::Inhabitants)) else {
            continue;
        };
        if !keep(a.code) || w <= 0.0 {
            continue;
        }
        sum += d * w;
        people += w;
        n += 1;
    }
    (people > 0.0).then(|| Reference {
        value: (sum / people).round(),
        how: format!(
            "gemiddelde over {n} {} binnen het gebied van de bron, gewogen naar inwoners",
            plural(level)
        ),
        // Measured here from the loaded voorzieningen, not a published figure.
        year: None,
    })
}

fn plural(level: AreaLevel) -> &'static str {
    match level {
        AreaLevel::Gemeente => "gemeenten",
        AreaLevel::Wijk => "wijken",
        AreaLevel::Buurt => "buurten",
    }
}

fn how(f: Figure, n: usize, level: AreaLevel) -> String {
    let plural = plural(level);
    match (f.quantity(), weight_figure(f)) {
        (Quantity::Count, _) => format!("som over {n} {plural}"),
        (Quantity::Density, _) => format!("inwoners per km² land over {n} {plural}"),
        (_, Some(Figure::Households)) => {
            format!("gemiddelde over {n} {plural}, gewogen naar huishoudens")
        }
        (_, Some(Figure::Dwellings)) => {
            format!("gemiddelde over {n} {plural}, gewogen naar woningen")
        }
        _ => format!("gemiddelde over {n} {plural}, gewogen naar inwoners"),
    }
}

fn own(area: &Area, f: Figure, dataset: &Dataset) -> Option<Reference> {
    let year = source_year(dataset, area);
    area.figures.get(f).map(|value| Reference {
        value,
        how: with_year(format!("cijfer van {} zelf", area.name), year),
        year,
    })
}

fn with_year(how: String, year: Option<u16>) -> String {
    match year {
        Some(y) => format!("{how} ({y})"),
        None => how,
    }
}

/// The reference year of the areas that have the figure, when they all state the same
/// one; mixed or unstated years give none rather than one of them.
fn common_year<'a>(
    dataset: &Dataset,
    f: Figure,
    areas: impl Iterator<Item = &'a Area>,
) -> Option<u16> {
    let mut year = None;
    for a in areas.filter(|a| a.figures.get(f).is_some()) {
        let y = source_year(dataset, a)?;
        match year {
            Some(seen) if seen != y => return None,
            _ => year = Some(y),
        }
    }
    year
}

pub(super) fn source_year(dataset: &Dataset, area: &Area) -> Option<u16> {
    area.year
        .or_else(|| dataset.sources.get(area.source.0).and_then(|s| s.year))
}

fn figure_row(
    dataset: &Dataset,
    area: &Area,
    parents: Parents<'_>,
    f: Figure,
) -> Option<FigureRow> {
    let value = area.figures.get(f);
    let level = area.level();
    let same_level = dataset.areas(level);
    let (wijk_ref, gemeente_ref) = parent_references(dataset, area, parents, f);
    let nederland = reference_nederland(dataset, f);
    if value.is_none() && gemeente_ref.is_none() && nederland.is_none() {
        return None;
    }
    let peers = same_level
        .iter()
        .filter(|a| a.figures.get(f).is_some())
        .count();
    let z = standing_z(same_level, f, value, nederland.as_ref());
    let standing = z.map(Standing::from_z);
    let national_standing = nederland.is_some();
    Some(FigureRow {
        key: f.key(),
        label: f.label(),
        unit: f.quantity().unit(),
        value,
        wijk: wijk_ref,
        gemeente: gemeente_ref,
        nederland,
        standing,
        standing_label: standing.map(|s| {
            if national_standing {
                s.label_national()
            } else {
                s.label()
            }
        }),
        z: z.map(|z| (z * 100.0).round() / 100.0),
        standing_among: z.map(|_| standing_among(national_standing, peers, level)),
        // The year and source of this area's own value: a row with only references
        // (a gemeente's figure of 2022 beside a wijk without it) names none here.
        year: value.and_then(|_| source_year(dataset, area)),
        source: value.and_then(|_| {
            dataset
                .sources
                .get(area.source.0)
                .map(|s| s.attribution.clone().unwrap_or_else(|| s.name.clone()))
        }),
    })
}

/// The figure of the area's wijk (for a buurt) and gemeente (for a buurt or wijk).
fn parent_references(
    dataset: &Dataset,
    area: &Area,
    (wijk, gemeente): Parents<'_>,
    f: Figure,
) -> (Option<Reference>, Option<Reference>) {
    let level = area.level();
    // A parent's own published figure first; else the areas of this level inside it.
    let inside = |parent: AreaCode, parent_level: AreaLevel| {
        reference_inside(dataset, f, level, parent, parent_level)
    };
    let wijk_ref = (level == AreaLevel::Buurt)
        .then(|| {
            wijk.and_then(|w| own(w, f, dataset)).or_else(|| {
                area.code
                    .ancestor(AreaLevel::Wijk)
                    .and_then(|w| inside(w, AreaLevel::Wijk))
            })
        })
        .flatten();
    let gemeente_ref = (level != AreaLevel::Gemeente)
        .then(|| {
            gemeente
                .and_then(|g| own(g, f, dataset))
                .or_else(|| inside(area.code.gemeente(), AreaLevel::Gemeente))
        })
        .flatten();
    (wijk_ref, gemeente_ref)
}

/// A parent's figure made from the areas of `level` inside it, for when the parent has
/// no published figure of its own.
fn reference_inside(
    dataset: &Dataset,
    f: Figure,
    level: AreaLevel,
    parent: AreaCode,
    parent_level: AreaLevel,
) -> Option<Reference> {
    let members = || {
        dataset
            .areas(level)
            .iter()
            .filter(move |a| a.code.ancestor(parent_level) == Some(parent))
    };
    combine(f, members()).map(|(v, n)| {
        let year = common_year(dataset, f, members());
        Reference {
            value: v,
            how: with_year(how(f, n, level), year),
            year,
        }
    })
}

/// The Netherlands from the level that has this figure for the most areas (a level
/// loaded for one gemeente says nothing of the country).
fn reference_nederland(dataset: &Dataset, f: Figure) -> Option<Reference> {
    let national = AreaLevel::ALL
        .into_iter()
        .filter_map(|l| {
            let have = dataset
                .areas(l)
                .iter()
                .filter(|a| a.figures.get(f).is_some())
                .count();
            let gemeenten: std::collections::HashSet<AreaCode> = dataset
                .areas(l)
                .iter()
                .filter(|a| a.figures.get(f).is_some())
                .map(|a| a.code.gemeente())
                .collect();
            (have > 0).then_some((l, gemeenten.len()))
        })
        .max_by_key(|&(l, gemeenten)| (gemeenten, l.index()));
    national.and_then(|(l, _)| {
        combine(f, dataset.areas(l).iter()).map(|(v, n)| {
            let year = common_year(dataset, f, dataset.areas(l).iter());
            Reference {
                value: v,
                how: with_year(how(f, n, l), year),
                year,
            }
        })
    })
}

/// Standing: how far the value shown lies from the Netherlands' value shown, in
/// standard deviations of the areas of this level (how unusual such a difference is
/// among its peers). Measured from the numbers printed beside it, so "boven" never
/// stands next to a smaller number; from the areas' unweighted mean only when there
/// is no national figure. Counts have none, nor do levels of fewer than three values.
fn standing_z(
    same_level: &[Area],
    f: Figure,
    value: Option<f64>,
    nederland: Option<&Reference>,
) -> Option<f64> {
    let v = value.filter(|_| f.quantity() != Quantity::Count)?;
    let values: Vec<f64> = same_level.iter().filter_map(|a| a.figures.get(f)).collect();
    let n = values.len() as f64;
    if values.len() < 3 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let centre = nederland.map_or(mean, |r| as_shown(r.value));
    (sd > 0.0).then(|| (as_shown(v) - centre) / sd)
}

/// What a standing is measured against, in words.
fn standing_among(national_standing: bool, peers: usize, level: AreaLevel) -> String {
    if national_standing {
        format!(
            "tegen Nederland, gemeten in de spreiding van {peers} geladen {}",
            plural(level)
        )
    } else {
        format!("tegen het gemiddelde van {peers} geladen {}", plural(level))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture::{area, dataset, facility};
    use crate::model::Category;

    /// Synthetic: three wijken of one gemeente, no gemeente layer.
    fn three() -> Dataset {
        dataset(
            vec![
                area(
                    "WK000101",
                    0.0,
                    &[(Figure::Inhabitants, 1000.0), (Figure::Age65Plus, 10.0)],
                ),
                area(
                    "WK000102",
                    1.0,
                    &[(Figure::Inhabitants, 3000.0), (Figure::Age65Plus, 30.0)],
                ),
                area(
                    "WK000103",
                    2.0,
                    &[(Figure::Inhabitants, 1000.0), (Figure::Age65Plus, 20.0)],
                ),
            ],
            vec![facility("h1", Category::Huisarts, 0.5)],
        )
    }

    #[test]
    fn shares_are_weighted_by_people_and_counts_summed() {
        let ds = three();
        let p = profile(
            &ds,
            &AnalysisConfig::default(),
            "WK000101".parse().expect("code"),
        )
        .expect("a profile");
        let age = p
            .figures
            .iter()
            .find(|r| r.key == "pct_65plus")
            .expect("65+");
        // (10·1000 + 30·3000 + 20·1000) / 5000 = 24.
        let nl = age.nederland.as_ref().expect("national");
        assert!((nl.value - 24.0).abs() < 1e-9, "{nl:?}");
        assert!(nl.how.contains("gewogen naar inwoners"), "{}", nl.how);
        // No gemeente layer: the gemeente is its wijken put together, the same here.
        assert!((age.gemeente.as_ref().expect("gemeente").value - 24.0).abs() < 1e-9);
        // Against the Netherlands shown (24), in the spread of the three wijken (sd
        // 8.165): (10 − 24) / 8.165.
        assert_eq!(age.z, Some(-1.71));
        assert_eq!(age.standing, Some(Standing::WellBelow));
        assert_eq!(
            age.standing_label,
            Some("ruim onder het landelijk gemiddelde")
        );
        let people = p
            .figures
            .iter()
            .find(|r| r.key == "inwoners")
            .expect("inwoners");
        assert_eq!(people.nederland.as_ref().map(|r| r.value), Some(5000.0));
        assert_eq!(people.standing, None, "a count has no standing");
    }

    #[test]
    fn the_ranking_and_the_nearest_come_with_the_profile() {
        let ds = three();
        let p = profile(
            &ds,
            &AnalysisConfig::default(),
            "WK000103".parse().expect("code"),
        )
        .expect("a profile");
        let gp = p
            .categories
            .iter()
            .find(|c| c.category == "huisarts")
            .expect("huisarts");
        assert_eq!(gp.ranked_of, 3);
        assert!(gp.rank.is_some() && gp.reason.is_some(), "{gp:?}");
        // The facility is 0.5 km east of X0; WK000103's square starts 2 km east.
        assert!(
            gp.nearest_m.is_some_and(|d| d > 1000.0 && d < 3000.0),
            "{gp:?}"
        );
        assert!(p.housing_caveat.contains("niet hetzelfde als sociale huur"));
        assert!(profile(
            &ds,
            &AnalysisConfig::default(),
            "WK000199".parse().expect("code")
        )
        .is_none());
    }

    /// The case a reader saw: 28% beside "Nederland 28,6%" was called above the
    /// average, because the areas' unweighted mean was lower than the national figure.
    #[test]
    fn a_standing_never_contradicts_the_numbers_shown() {
        // Many small wijken with few old people pull the unweighted mean down (to about
        // 19) while one large one holds the national figure near 28.6.
        let mut areas = vec![area(
            "WK000100",
            0.0,
            &[(Figure::Inhabitants, 100_000.0), (Figure::Age65Plus, 29.0)],
        )];
        for i in 1..6 {
            areas.push(area(
                &format!("WK00010{i}"),
                i as f64,
                &[(Figure::Inhabitants, 1000.0), (Figure::Age65Plus, 10.0)],
            ));
        }
        areas.push(area(
            "WK000106",
            6.0,
            &[(Figure::Inhabitants, 3000.0), (Figure::Age65Plus, 28.0)],
        ));
        let ds = dataset(areas, vec![facility("h1", Category::Huisarts, 0.5)]);
        let p = profile(
            &ds,
            &AnalysisConfig::default(),
            "WK000106".parse().expect("code"),
        )
        .expect("a profile");
        let age = p
            .figures
            .iter()
            .find(|r| r.key == "pct_65plus")
            .expect("65+");
        let nl = age.nederland.as_ref().expect("national").value;
        assert!(as_shown(nl) > 28.0, "{nl}");
        // 28 is below the 28.x shown beside it: never "boven".
        assert!(
            matches!(age.standing, Some(Standing::Around | Standing::Below)),
            "{age:?}"
        );
        assert!(age.z.is_some_and(|z| z < 0.0), "{age:?}");
    }

    #[test]
    fn a_figure_and_its_references_carry_their_own_years() {
        let ds = three();
        let p = profile(
            &ds,
            &AnalysisConfig::default(),
            "WK000101".parse().expect("code"),
        )
        .expect("a profile");
        for r in &p.figures {
            // The row's year is that of its own value: none without one.
            assert_eq!(r.year.is_some(), r.value.is_some() && r.year.is_some());
            if let Some(n) = &r.nederland {
                if let Some(y) = n.year {
                    assert!(n.how.contains(&format!("({y})")), "{}", n.how);
                }
            }
        }
    }

    #[test]
    fn a_gemeente_lists_the_areas_inside_it() {
        let wijken = three().areas(AreaLevel::Wijk).to_vec();
        let gemeente = area("GM0001", 0.0, &[(Figure::Inhabitants, 5000.0)]);
        let ds = Dataset::assemble(
            vec![],
            [vec![gemeente], wijken, vec![]],
            vec![facility("h1", Category::Huisarts, 0.5)],
            Default::default(),
            vec![],
        );
        let p = profile(
            &ds,
            &AnalysisConfig::default(),
            "GM0001".parse().expect("code"),
        )
        .expect("a profile");
        let codes: Vec<String> = p.subareas.iter().map(|s| s.code.to_string()).collect();
        assert_eq!(codes, ["WK000101", "WK000102", "WK000103"]);
        let second = &p.subareas[1];
        assert_eq!(second.inwoners, Some(3000.0));
        assert_eq!(second.pct_65plus, Some(30.0));
        let gp = &second.categories[0];
        assert_eq!(gp.category, "huisarts");
        assert!(gp.nearest_m.is_some() && gp.rank.is_some(), "{gp:?}");
        // A wijk has no buurten loaded here: nothing listed.
        let w = profile(
            &ds,
            &AnalysisConfig::default(),
            "WK000101".parse().expect("code"),
        )
        .expect("a profile");
        assert!(w.subareas.is_empty());
    }

    #[test]
    fn values_are_compared_as_shown() {
        assert_eq!(as_shown(28.04), 28.0);
        assert_eq!(as_shown(28.56), 28.6);
        assert_eq!(as_shown(1234.4), 1234.0);
        assert_eq!(as_shown(-0.04).to_string(), "0");
    }

    #[test]
    fn standings_follow_the_z_bounds() {
        assert_eq!(Standing::from_z(-2.0), Standing::WellBelow);
        assert_eq!(Standing::from_z(-0.5), Standing::Around);
        assert_eq!(Standing::from_z(0.51), Standing::Above);
        assert_eq!(Standing::from_z(1.6), Standing::WellAbove);
    }
}
