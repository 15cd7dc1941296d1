//! A loaded, indexed, read-only snapshot of everything wijkatlas serves.

use super::{Area, AreaCode, AreaLevel, Dwelling, HousingCount, UnlocatedArea, Voorziening};
use crate::crs::{LonLat, RdPoint};
use crate::index::SpatialIndex;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Index of a source in [`Dataset::sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SourceId(pub usize);

/// Where a part of the data came from, for attribution and the status report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceInfo {
    pub name: String,
    pub path: PathBuf,
    pub year: Option<u16>,
    pub licence: Option<String>,
    pub attribution: Option<String>,
    /// For a facility source: the part of the country its records describe.
    #[serde(rename = "dekking", skip_serializing_if = "Option::is_none")]
    pub coverage: Option<super::SourceCoverage>,
}

/// A 4-digit postcode area reduced to a point, for geocoding addresses and lookups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Postcode {
    pub pc4: u16,
    pub wgs84: LonLat,
    pub rd: RdPoint,
    pub places: String,
    pub gemeente: Option<AreaCode>,
}

/// The areas of one level as an earlier year drew and counted them, kept only so a
/// profile can show change over time; they are never analysed or served as a layer.
#[derive(Debug)]
pub struct EarlierAreas {
    pub level: AreaLevel,
    pub year: u16,
    pub source: SourceId,
    pub areas: Vec<Area>,
}

#[derive(Debug, Default)]
pub struct Dataset {
    pub sources: Vec<SourceInfo>,
    areas: [Vec<Area>; 3],
    unlocated: [Vec<UnlocatedArea>; 3],
    by_code: HashMap<AreaCode, usize>,
    voorzieningen: Vec<Voorziening>,
    postcodes: BTreeMap<u16, Postcode>,
    dwellings: Vec<Dwelling>,
    housing: HashMap<AreaCode, HousingCount>,
    index: SpatialIndex,
    earlier: Vec<EarlierAreas>,
    /// The sources holding voorzieningen of each category, found once here rather than
    /// by a scan of every voorziening on each resident's lookup.
    sources_by_category: HashMap<crate::model::Category, Vec<SourceId>>,
}

impl Dataset {
    /// Indexes the parts and assigns every voorziening to the areas it lies in.
    ///
    /// Codes must already be unique per level; the loader guarantees it.
    pub fn assemble(
        sources: Vec<SourceInfo>,
        mut areas: [Vec<Area>; 3],
        mut voorzieningen: Vec<Voorziening>,
        postcodes: BTreeMap<u16, Postcode>,
        mut dwellings: Vec<Dwelling>,
    ) -> Self {
        for level in &mut areas {
            level.sort_by_key(|a| a.code);
        }
        for v in &mut voorzieningen {
            v.category = v.category.refined(v.subtype.as_deref());
        }
        voorzieningen.sort_by(|a, b| a.id.cmp(&b.id));
        let by_code = areas
            .iter()
            .flat_map(|level| level.iter().enumerate().map(|(i, a)| (a.code, i)))
            .collect();
        let index = SpatialIndex::build([&areas[0], &areas[1], &areas[2]], &voorzieningen);
        for v in &mut voorzieningen {
            v.containing = index.containing([&areas[0], &areas[1], &areas[2]], v.location.rd);
        }
        let mut housing: HashMap<AreaCode, HousingCount> = HashMap::new();
        for d in &mut dwellings {
            d.containing = index.containing([&areas[0], &areas[1], &areas[2]], d.location.rd);
            for code in [d.containing.gemeente, d.containing.wijk, d.containing.buurt]
                .into_iter()
                .flatten()
            {
                housing.entry(code).or_default().add(d);
            }
        }
        let mut sources_by_category: HashMap<crate::model::Category, Vec<SourceId>> =
            HashMap::new();
        for v in &voorzieningen {
            let ids = sources_by_category.entry(v.category).or_default();
            if !ids.contains(&v.source) {
                ids.push(v.source);
            }
        }
        for ids in sources_by_category.values_mut() {
            ids.sort_by_key(|id| id.0);
        }
        Dataset {
            sources,
            areas,
            unlocated: Default::default(),
            by_code,
            voorzieningen,
            postcodes,
            dwellings,
            housing,
            index,
            earlier: Vec::new(),
            sources_by_category,
        }
    }

    /// Adds the earlier years' areas, newest year first.
    pub fn with_earlier(mut self, mut earlier: Vec<EarlierAreas>) -> Self {
        earlier.sort_by_key(|e| std::cmp::Reverse(e.year));
        self.earlier = earlier;
        self
    }

    /// The earlier years loaded for this level, newest first.
    pub fn earlier(&self, level: AreaLevel) -> impl Iterator<Item = &EarlierAreas> {
        self.earlier.iter().filter(move |e| e.level == level)
    }

    pub fn areas(&self, level: AreaLevel) -> &[Area] {
        &self.areas[level.index()]
    }

    /// Adds the areas listed without an outline, per level, sorted by code.
    pub fn with_unlocated(mut self, mut unlocated: [Vec<UnlocatedArea>; 3]) -> Self {
        for level in &mut unlocated {
            level.sort_by_key(|a| a.code);
        }
        self.unlocated = unlocated;
        self
    }

    /// Areas of `level` that have figures but no outline.
    pub fn unlocated(&self, level: AreaLevel) -> &[UnlocatedArea] {
        &self.unlocated[level.index()]
    }

    pub fn areas_by_level(&self) -> [&[Area]; 3] {
        [&self.areas[0], &self.areas[1], &self.areas[2]]
    }

    pub fn area(&self, code: AreaCode) -> Option<&Area> {
        let i = *self.by_code.get(&code)?;
        self.areas[code.level().index()].get(i)
    }

    /// The finest level that has any areas loaded.
    pub fn finest_level(&self) -> Option<AreaLevel> {
        AreaLevel::ALL
            .into_iter()
            .rev()
            .find(|l| !self.areas(*l).is_empty())
    }

    pub fn voorzieningen(&self) -> &[Voorziening] {
        &self.voorzieningen
    }

    /// The categories that have at least one voorziening loaded, in taxonomy order.
    pub fn categories_present(&self) -> impl Iterator<Item = crate::model::Category> + '_ {
        crate::model::Category::ALL
            .iter()
            .copied()
            .filter(|c| self.voorzieningen.iter().any(|v| v.category == *c))
    }

    /// The coverages of the sources that hold voorzieningen of `category`: the category
    /// is known where any of them covers. Empty when none is loaded.
    pub fn coverage_of(&self, category: crate::model::Category) -> Vec<&super::SourceCoverage> {
        self.sources_by_category
            .get(&category)
            .into_iter()
            .flatten()
            .filter_map(|id| self.sources.get(id.0)?.coverage.as_ref())
            .collect()
    }

    /// Dwelling points, when a source provides them (the analysis measures from them).
    pub fn dwellings(&self) -> &[Dwelling] {
        &self.dwellings
    }

    /// The dwelling points counted in an area, if any lie in it.
    pub fn housing(&self, code: AreaCode) -> Option<&HousingCount> {
        self.housing.get(&code)
    }

    pub fn postcodes(&self) -> &BTreeMap<u16, Postcode> {
        &self.postcodes
    }

    pub fn index(&self) -> &SpatialIndex {
        &self.index
    }

    /// The area at `level` containing an RD point.
    pub fn area_at(&self, level: AreaLevel, p: RdPoint) -> Option<&Area> {
        let areas = self.areas(level);
        self.index.area_at(areas, level, p).map(|i| &areas[i])
    }
}
