//! The served feature collections, written once per snapshot and queried without a server.
//!
//! Every feature is serialised once, in CRS84 (the default every map and client asks
//! for), when the snapshot is built; a request for it only selects features and joins
//! their ready-made bytes. The other CRSs are written when asked for, from the outlines
//! the dataset holds in both datums, so the snapshot keeps one copy of each feature.
//!
//! A property that is null in every feature of a collection is left out of its
//! features (and so of its pages, tiles and downloads); the queryables still list it
//! when the model says its type, so a filter on it is valid and matches nothing.

mod asked_box;
pub mod cql2;
pub mod csv_cell;
pub mod datetime;
pub mod encode;
mod query;
mod spatial;

pub use asked_box::AskedBox;
pub use query::{
    BboxFilter, Format, ItemsQuery, Parameter, ParameterValue, QueryError, DEFAULT_LIMIT,
    ITEMS_PARAMETERS, MAX_LIMIT,
};

use crate::crs::Crs;
use crate::index::RunTree;
use crate::model::{Area, AreaLevel, Dataset, UnlocatedArea};
use bytes::Bytes;
use geo::{BoundingRect, Intersects, Rect};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// What a collection holds, and where its geometry lives in the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionKind {
    Areas(AreaLevel),
    Facilities,
}

/// One feature, ready to serve in each CRS.
#[derive(Debug)]
pub struct Item {
    pub id: String,
    /// Bounding box in RD metres: min x, min y, max x, max y.
    pub bbox_rd: [f64; 4],
    /// The reference year of its figures, when known.
    pub year: Option<u16>,
    /// Properties, for filtering; the served ones are inside the fragment. Without the
    /// properties null in every feature of the collection.
    pub props: Map<String, Value>,
    /// The whole GeoJSON Feature in CRS84: its part of [`Collection::joined`].
    fragment: Bytes,
    /// Where the fragment starts in [`Collection::joined`].
    at: usize,
    /// The length of its properties object, which every feature ends with (before the
    /// closing brace): a feature written in another CRS takes that text as it is.
    props_len: usize,
    /// Where the feature is in the dataset.
    origin: Origin,
    /// Whether its geometry is one piece (a point, or an outline of one polygon): then a
    /// box that spans its box along one axis meets it (see [`crate::index::BoxFit::Spanned`]).
    one_piece: bool,
}

/// Position of a feature in the dataset: among the areas of the collection's level (or
/// its facilities), or among the areas of that level listed without an outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Located(usize),
    Unlocated(usize),
}

impl Item {
    /// The properties as the ready-made feature has them, as JSON text.
    fn props_json(&self) -> &str {
        let end = self.fragment.len().saturating_sub(1);
        let start = end.saturating_sub(self.props_len);
        // Written from a String in `build_item`, so UTF-8, and cut at the properties'
        // own bounds; the fallback is never taken.
        std::str::from_utf8(self.fragment.get(start..end).unwrap_or_default()).unwrap_or("{}")
    }

    /// The whole GeoJSON Feature in CRS84, written when the snapshot was built; other
    /// CRSs through [`Collection::render`].
    pub fn crs84_fragment(&self) -> &Bytes {
        &self.fragment
    }
}

#[derive(Debug)]
pub struct Collection {
    pub id: &'static str,
    pub title: &'static str,
    pub description: String,
    pub kind: CollectionKind,
    /// Spatial extent in CRS84: min lon, min lat, max lon, max lat.
    pub extent: Option<[f64; 4]>,
    /// Reference years of the data, when known.
    pub years: Vec<u16>,
    /// Property names with a value in some feature, and the JSON type of their values:
    /// the columns of pages and downloads, the fields of tiles.
    pub properties: BTreeMap<String, &'static str>,
    /// What filters may name: [`Self::properties`] and those null in every feature
    /// whose type the model gives (see [`encode::model_type`]).
    pub queryables: BTreeMap<String, &'static str>,
    pub items: Vec<Item>,
    /// Every feature's CRS84 fragment in order, comma-separated, as a page lists them:
    /// a page of features next to each other here is sent as one piece of it, uncopied
    /// (see [`Collection::crs84_pieces`]).
    joined: Bytes,
    by_id: HashMap<String, usize>,
    /// The located features' RD boxes in id order, each with where it is here: box
    /// queries walk this and never read a feature to find, place or bound it.
    placed: RunTree<Placed>,
    /// For the properties in [`INDEXED`]: lower-cased value → item positions.
    lookup: HashMap<&'static str, HashMap<String, Vec<usize>>>,
    /// Simplified outlines per zoom (0 to [`MAX_GENERALISED_ZOOM`]), made on first use.
    generalised: Vec<std::sync::OnceLock<Vec<geo::MultiPolygon<f64>>>>,
}

/// A located feature as a box query meets it, without reading the feature itself.
#[derive(Debug, Clone, Copy)]
struct Placed {
    /// Its position in the collection.
    position: u32,
    /// Its ready-made feature's bytes and a separator: what it adds to a page.
    bytes: u32,
    /// See [`Item::one_piece`].
    one_piece: bool,
}

/// The CRS84 extent over all collections: min lon, min lat, max lon, max lat.
pub fn union_extent(collections: &[Collection]) -> Option<[f64; 4]> {
    collections
        .iter()
        .filter_map(|c| c.extent)
        .reduce(crate::index::box_union)
}

/// Beyond this zoom half a pixel is under a metre and outlines are served as they are.
pub const MAX_GENERALISED_ZOOM: u8 = 15;

/// Room [`Collection::estimate_bytes`] gives each feature beyond its text (separator,
/// links of an HTML row), and a page beyond its features (head, links).
const PER_FEATURE_ROOM: usize = 16;
const PAGE_ROOM: usize = 1024;

/// Properties filtered on so often (a gemeente's areas, a category of facilities) that
/// they get an index instead of a scan.
const INDEXED: [&str; 4] = ["gemeentecode", "wijkcode", "buurtcode", "categorie"];

/// A feature's geometry in RD metres, for drawing previews.
#[derive(Debug, Clone, Copy)]
pub enum OutlineRd<'a> {
    Area(&'a geo::MultiPolygon<f64>),
    Point(geo::Coord<f64>),
}

/// The outlines of a collection at one zoom, from [`Collection::outlines_at_zoom`].
pub struct ZoomOutlines<'a> {
    collection: &'a Collection,
    dataset: &'a Dataset,
    kept: Option<&'a [geo::MultiPolygon<f64>]>,
    made: Option<Vec<geo::MultiPolygon<f64>>>,
}

impl ZoomOutlines<'_> {
    /// The feature's outline at this zoom (generalised when it applies).
    pub fn get(&self, item: &Item) -> Option<OutlineRd<'_>> {
        let Origin::Located(i) = item.origin else {
            return None;
        };
        match self.kept.or(self.made.as_deref()).and_then(|g| g.get(i)) {
            Some(outline) => Some(OutlineRd::Area(outline)),
            None => self.collection.outline_rd(self.dataset, item),
        }
    }
}

/// A query answered from ready-made features (see [`Collection::ready_made`]): a bound
/// on its bytes, and the candidates its index lookup gave.
#[derive(Debug)]
pub struct ReadyMade {
    pub bytes: usize,
    pool: Pool,
}

/// The features a query's page is taken from, as the indexes gave them.
#[derive(Debug)]
enum Pool {
    /// Every feature of the collection.
    Every,
    /// These positions (in id order); every condition is still tested on each.
    Positions(Vec<usize>),
    /// The features near the box `asked`, the query's one condition (see `spatial`).
    NearBox {
        asked: AskedBox,
        near: spatial::NearBox,
    },
}

/// The result of a query: how many matched, and the page asked for.
#[derive(Debug)]
pub struct Page<'a> {
    pub matched: usize,
    pub items: Vec<&'a Item>,
}

impl Collection {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.by_id.get(id).map(|&i| &self.items[i])
    }

    /// Positions of the items that can match the query (in id order): those near the
    /// places it asks about (through the R-tree, see `spatial`) and with the values its
    /// equality conditions on an indexed property ask for; `None` when it has neither
    /// and every item is a candidate. A superset: the full conditions are still tested
    /// on each.
    fn candidates(&self, q: &ItemsQuery) -> Option<Vec<usize>> {
        let mut best: Option<Vec<usize>> = None;
        for rd in spatial::required_boxes(q.bbox.as_ref().map(|b| &b.asked), q.filter.as_ref()) {
            let near = spatial::positions_in_box(self, &rd);
            best = Some(match best {
                None => near,
                Some(prev) => spatial::intersect(prev, &near),
            });
        }
        match (best, self.value_candidates(q)) {
            (Some(near), Some(valued)) => Some(spatial::intersect(near, &valued)),
            (near, valued) => near.or(valued),
        }
    }

    /// Positions of the items that can match the query's equality conditions on an
    /// indexed property (in id order), or `None` when it has none.
    fn value_candidates(&self, q: &ItemsQuery) -> Option<Vec<usize>> {
        let mut terms: Vec<(&str, Vec<String>)> = q
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), vec![v.clone()]))
            .collect();
        if let Some(f) = &q.filter {
            terms.extend(f.equality_terms());
        }
        let mut best: Option<Vec<usize>> = None;
        for (name, values) in terms {
            let Some(by_value) = self.lookup.get(name) else {
                continue;
            };
            let mut hits: Vec<usize> = values
                .iter()
                .filter_map(|v| by_value.get(&v.to_lowercase()))
                .flatten()
                .copied()
                .collect();
            hits.sort_unstable();
            hits.dedup();
            best = Some(match best {
                None => hits,
                Some(prev) => prev
                    .into_iter()
                    .filter(|i| hits.binary_search(i).is_ok())
                    .collect(),
            });
        }
        best
    }

    /// Positions of the features whose box meets an RD box, in id order, through the
    /// R-tree (a superset for areas: their exact outline is for the caller to test).
    pub fn positions_in_rd_box(&self, rd: &Rect<f64>) -> Vec<usize> {
        spatial::positions_in_box(self, rd)
    }

    /// How to answer `q` from ready-made features joined together (GeoJSON, CRS84, all
    /// properties, no CQL2 filter or order), with an upper bound on the answer's bytes
    /// that bounds the work too; `None` when answering means evaluating a filter,
    /// ordering or writing features anew. Without conditions the bound is the page
    /// itself; with a bbox or indexed property conditions it is every candidate the
    /// indexes give (a page is some of them, and the exact tests run on them alone).
    /// Costs one index lookup, which [`Collection::query_ready_made`] then reuses.
    pub fn ready_made(&self, q: &ItemsQuery, format: Format) -> Option<ReadyMade> {
        let joined = format == Format::GeoJson
            && q.keeps_features_as_made()
            && q.filter.is_none()
            && q.sort.is_empty();
        if !joined {
            return None;
        }
        let fragment = |item: &Item| item.fragment.len() + 1;
        if q.properties.is_empty() && q.bbox.is_none() && q.datetime.is_none() {
            let bytes = self.items.iter().skip(q.offset).take(q.limit).map(fragment);
            return Some(ReadyMade {
                bytes: bytes.sum(),
                pool: Pool::Every,
            });
        }
        let pool = self.pool(q);
        let bytes = match &pool {
            Pool::Every => return None,
            Pool::Positions(positions) => positions
                .iter()
                .filter_map(|&i| self.items.get(i))
                .map(fragment)
                .sum(),
            Pool::NearBox { near, .. } => near.bytes(),
        };
        Some(ReadyMade { bytes, pool })
    }

    /// The CRS84 fragments of `items`, comma-separated as a page lists them, as pieces
    /// of [`Collection::joined`], uncopied: one piece per run of items that follow each
    /// other there, each piece but the last with the comma after it. `None` when that
    /// takes more than `max_pieces` (scattered items are cheaper copied than sent as many
    /// pieces).
    pub fn crs84_pieces(&self, items: &[&Item], max_pieces: usize) -> Option<Vec<Bytes>> {
        let mut pieces = Vec::new();
        let mut run: Option<std::ops::Range<usize>> = None;
        for item in items {
            let here = item.at..item.at + item.fragment.len();
            run = match run {
                Some(r) if r.end + 1 == here.start => Some(r.start..here.end),
                Some(r) => {
                    if pieces.len() >= max_pieces {
                        return None;
                    }
                    // The comma after the run is the joined bytes' own.
                    pieces.push(self.joined_part(r.start..r.end + 1)?);
                    Some(here)
                }
                None => Some(here),
            };
        }
        if let Some(r) = run {
            if pieces.len() >= max_pieces {
                return None;
            }
            pieces.push(self.joined_part(r)?);
        }
        Some(pieces)
    }

    /// A part of [`Collection::joined`], checked: `Bytes::slice` would panic outside it.
    fn joined_part(&self, r: std::ops::Range<usize>) -> Option<Bytes> {
        (r.end <= self.joined.len()).then(|| self.joined.slice(r))
    }

    /// The page of a query [`Collection::ready_made`] planned, without looking its
    /// candidates up again.
    pub fn query_ready_made<'a>(
        &'a self,
        dataset: &Dataset,
        q: &ItemsQuery,
        plan: ReadyMade,
    ) -> Page<'a> {
        self.query_among(dataset, q, plan.pool)
    }

    /// Items matching every filter, in id order, paged.
    pub fn query<'a>(&'a self, dataset: &Dataset, q: &ItemsQuery) -> Page<'a> {
        self.query_among(dataset, q, self.pool(q))
    }

    /// The features `q`'s page is taken from: those near its box when that is its one
    /// condition (a `bbox` page, as a map or GIS client asks), else its candidates.
    fn pool(&self, q: &ItemsQuery) -> Pool {
        let box_only = q.properties.is_empty()
            && q.datetime.is_none()
            && q.filter.is_none()
            && q.sort.is_empty();
        match &q.bbox {
            Some(b) if box_only => Pool::NearBox {
                asked: b.asked.clone(),
                near: spatial::near_box(self, b.asked.query()),
            },
            _ => match self.candidates(q) {
                Some(positions) => Pool::Positions(positions),
                None => Pool::Every,
            },
        }
    }

    /// [`Collection::query`] over `pool`, as the indexes gave it for `q`.
    fn query_among<'a>(&'a self, dataset: &Dataset, q: &ItemsQuery, pool: Pool) -> Page<'a> {
        let unfiltered = q.properties.is_empty()
            && q.bbox.is_none()
            && q.datetime.is_none()
            && q.filter.is_none();
        if unfiltered && q.sort.is_empty() {
            // Nothing to test: the page is a slice of the collection.
            let items = self.items.iter().skip(q.offset).take(q.limit).collect();
            return Page {
                matched: self.items.len(),
                items,
            };
        }
        let holds = |item: &Item| {
            q.properties
                .iter()
                .all(|(name, wanted)| property_matches(item.props.get(name), wanted))
                && q.bbox
                    .as_ref()
                    .is_none_or(|b| self.intersects(dataset, item, b))
                && q.datetime
                    .as_ref()
                    .is_none_or(|d| item.year.is_some_and(|y| d.meets_year(y)))
                && q.filter.as_ref().is_none_or(|f| {
                    f.matches(&item.props, &|shape| self.meets(dataset, item, shape))
                })
        };
        match pool {
            Pool::NearBox { asked, near } => {
                spatial::box_page(self, dataset, &asked, near, (q.offset, q.limit))
            }
            Pool::Positions(positions) => {
                let pool = positions.into_iter().filter_map(|i| self.items.get(i));
                page_of(pool, holds, q)
            }
            Pool::Every => page_of(self.items.iter(), holds, q),
        }
    }

    /// The feature's geometry in RD, or `None` when the dataset no longer has it.
    pub fn outline_rd<'d>(&self, dataset: &'d Dataset, item: &Item) -> Option<OutlineRd<'d>> {
        let Origin::Located(i) = item.origin else {
            return None;
        };
        match self.kind {
            CollectionKind::Areas(level) => dataset
                .areas(level)
                .get(i)
                .map(|a| OutlineRd::Area(&a.geometry.rd)),
            CollectionKind::Facilities => dataset.voorzieningen().get(i).map(|v| {
                OutlineRd::Point(geo::Coord {
                    x: v.location.rd.x,
                    y: v.location.rd.y,
                })
            }),
        }
    }

    /// The feature's geometry in RD as a map at `zoom` should draw it: the topology-safe
    /// generalised outline up to [`MAX_GENERALISED_ZOOM`], the loaded one beyond.
    pub fn outline_for_zoom<'a>(
        &'a self,
        dataset: &'a Dataset,
        item: &Item,
        zoom: u8,
    ) -> Option<OutlineRd<'a>> {
        let Origin::Located(i) = item.origin else {
            return None;
        };
        match self.generalised(dataset, zoom).and_then(|g| g.get(i)) {
            Some(outline) => Some(OutlineRd::Area(outline)),
            None => self.outline_rd(dataset, item),
        }
    }

    /// The outlines of this collection's areas simplified for `zoom`, made on first use
    /// and kept with the snapshot; `None` where no simplification applies (facilities,
    /// or zooms at which it would move nothing a map shows).
    fn generalised(&self, dataset: &Dataset, zoom: u8) -> Option<&[geo::MultiPolygon<f64>]> {
        let slot = self.generalised.get(usize::from(zoom))?;
        if let Some(made) = slot.get() {
            return Some(made);
        }
        let made = self.generalise(dataset, zoom)?;
        Some(slot.get_or_init(|| made))
    }

    /// The outlines of this collection's areas simplified for `zoom`, made anew.
    fn generalise(&self, dataset: &Dataset, zoom: u8) -> Option<Vec<geo::MultiPolygon<f64>>> {
        let CollectionKind::Areas(level) = self.kind else {
            return None;
        };
        if zoom > MAX_GENERALISED_ZOOM {
            return None;
        }
        let outlines: Vec<geo::MultiPolygon<f64>> = dataset
            .areas(level)
            .iter()
            .map(|a| a.geometry.rd.clone())
            .collect();
        Some(crate::topology::simplify_coverage(
            &outlines,
            crate::topology::tolerance_for_zoom(zoom),
        ))
    }

    /// Every feature's outline as a map at `zoom` draws it (as [`Self::outline_for_zoom`]
    /// gives), for a caller that keeps its own copy: the generalised outlines are made
    /// for it and not kept with the snapshot, unless a GeoJSON request already had them
    /// kept. Tiles keep theirs projected (`crate::tiles::projected`), so the snapshot
    /// need not hold a second copy per zoom.
    pub fn outlines_at_zoom<'a>(&'a self, dataset: &'a Dataset, zoom: u8) -> ZoomOutlines<'a> {
        let kept = self
            .generalised
            .get(usize::from(zoom))
            .and_then(std::sync::OnceLock::get);
        let made = match kept {
            Some(_) => None,
            None => self.generalise(dataset, zoom),
        };
        ZoomOutlines {
            collection: self,
            dataset,
            kept: kept.map(Vec::as_slice),
            made,
        }
    }

    /// The feature as served: the ready-made bytes, or, when only some properties or a
    /// generalised outline (`zoom`) are asked for, written anew.
    pub fn render(
        &self,
        dataset: &Dataset,
        item: &Item,
        crs: Crs,
        select: Option<&[String]>,
        zoom: Option<u8>,
    ) -> Bytes {
        let generalised = zoom.and_then(|z| self.generalised(dataset, z));
        if select.is_none() && generalised.is_none() && crs == Crs::Crs84 {
            return item.fragment.clone();
        }
        let props = match select {
            Some(names) => {
                let props: Map<String, Value> = names
                    .iter()
                    .filter_map(|n| item.props.get(n).map(|v| (n.clone(), v.clone())))
                    .collect();
                std::borrow::Cow::Owned(Value::Object(props).to_string())
            }
            None => std::borrow::Cow::Borrowed(item.props_json()),
        };
        let mut s = String::new();
        match (self.kind, item.origin) {
            (CollectionKind::Areas(level), Origin::Located(i)) => {
                if let Some(a) = dataset.areas(level).get(i) {
                    match generalised.and_then(|g| g.get(i)) {
                        Some(outline) => {
                            encode::write_area_feature_from_rd(&mut s, a, outline, &props, crs)
                        }
                        None => encode::write_area_feature(&mut s, a, &props, crs),
                    }
                }
            }
            (CollectionKind::Areas(level), Origin::Unlocated(i)) => {
                if let Some(a) = dataset.unlocated(level).get(i) {
                    encode::write_unlocated_feature(&mut s, a, &props);
                }
            }
            (CollectionKind::Facilities, Origin::Located(i)) => {
                if let Some(v) = dataset.voorzieningen().get(i) {
                    encode::write_facility_feature(&mut s, v, &props, crs);
                }
            }
            (CollectionKind::Facilities, Origin::Unlocated(_)) => {}
        }
        Bytes::from(s)
    }

    /// An upper bound of [`Collection::estimate_bytes`] for a GeoJSON page of `count`
    /// ready-made features taken from candidates whose fragments, with a separator
    /// each, come to `candidate_bytes` ([`ReadyMade::bytes`]).
    pub fn estimate_bound(candidate_bytes: usize, count: usize) -> usize {
        candidate_bytes
            .saturating_add(count.saturating_mul(PER_FEATURE_ROOM))
            .saturating_add(PAGE_ROOM)
    }

    /// An upper estimate of the bytes a page takes in `format`, cheap to work out
    /// before the page is written: each feature's ready-made GeoJSON bounds its own
    /// geometry and properties in any encoding, and a page adds markup per cell.
    pub fn estimate_bytes(
        &self,
        items: &[&Item],
        format: Format,
        select: Option<&[String]>,
    ) -> usize {
        let columns = select.map_or(self.properties.len(), <[String]>::len);
        let per_cell = match format {
            Format::GeoJson => 0,
            Format::Csv => 4,
            // A table cell's tags and attributes, with room to spare.
            Format::Html => 96,
        };
        items
            .iter()
            .map(|item| {
                let text: usize = match (format, select) {
                    (Format::Html, Some(names)) => names
                        .iter()
                        .filter_map(|n| item.props.get(n))
                        .map(|v| v.to_string().len())
                        .sum(),
                    _ => 0,
                };
                // RD's and EPSG:4326's numbers take no more characters than CRS84's.
                item.fragment.len() + text + columns * per_cell + PER_FEATURE_ROOM
            })
            .fold(PAGE_ROOM, usize::saturating_add)
    }

    /// A page as CSV: the id, the properties (all, or those selected) as columns, and
    /// the geometry as WKT in `crs`.
    pub fn write_csv(
        &self,
        dataset: &Dataset,
        items: &[&Item],
        crs: Crs,
        select: Option<&[String]>,
    ) -> Vec<u8> {
        let columns: Vec<&str> = match select {
            Some(names) => names.iter().map(String::as_str).collect(),
            None => self.properties.keys().map(String::as_str).collect(),
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        // Every cell, headers included, as a spreadsheet will not run it (`csv_cell`).
        let safe = |s: &str| csv_cell::neutralise(s).into_owned();
        let mut header = vec!["id".to_string()];
        header.extend(columns.iter().map(|c| safe(c)));
        header.push("wkt".into());
        // Writing into memory cannot fail; a failed row would only shorten the download.
        let _ = w.write_record(&header);
        for item in items {
            let mut row = vec![safe(&item.id)];
            row.extend(columns.iter().map(|c| match item.props.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => safe(s),
                Some(other) => other.to_string(),
            }));
            // A feature without an outline has an empty WKT cell.
            row.push(match (self.kind, item.origin) {
                (CollectionKind::Areas(level), Origin::Located(i)) => dataset
                    .areas(level)
                    .get(i)
                    .map(|a| encode::area_wkt(a, crs))
                    .unwrap_or_default(),
                (CollectionKind::Facilities, Origin::Located(i)) => dataset
                    .voorzieningen()
                    .get(i)
                    .map(|v| encode::facility_wkt(v, crs))
                    .unwrap_or_default(),
                (_, Origin::Unlocated(_)) => String::new(),
            });
            let _ = w.write_record(&row);
        }
        w.into_inner().unwrap_or_default()
    }

    /// Whether the feature's own geometry meets a CQL2 shape (both in RD).
    fn meets(&self, dataset: &Dataset, item: &Item, shape: &cql2::Shape) -> bool {
        match shape {
            cql2::Shape::Rect(asked) => self.meets_box(dataset, item, asked),
            cql2::Shape::Point(p) => {
                self.meets_literal(dataset, item, &geo::Point::from(*p), Rect::new(*p, *p))
            }
            cql2::Shape::Polygon(p) => p
                .bounding_rect()
                .is_some_and(|b| self.meets_literal(dataset, item, p, b)),
        }
    }

    /// Whether the feature's own geometry meets a CQL2 point or polygon whose box is `b`
    /// (all in RD): the boxes first, then the geometry.
    fn meets_literal<L>(&self, dataset: &Dataset, item: &Item, literal: &L, b: Rect<f64>) -> bool
    where
        geo::MultiPolygon<f64>: Intersects<L>,
        geo::Point<f64>: Intersects<L>,
    {
        let Origin::Located(i) = item.origin else {
            return false;
        };
        let [x0, y0, x1, y1] = item.bbox_rd;
        if x1 < b.min().x || x0 > b.max().x || y1 < b.min().y || y0 > b.max().y {
            return false;
        }
        match self.kind {
            CollectionKind::Areas(level) => dataset
                .areas(level)
                .get(i)
                .is_some_and(|a| a.geometry.rd.intersects(literal)),
            CollectionKind::Facilities => geo::Point::new(x0, y0).intersects(literal),
        }
    }

    /// Whether the feature's own geometry meets a box a query asks about: a `bbox` or a
    /// CQL2 `BBOX`. Every candidate of a `bbox` page comes here.
    fn meets_box(&self, dataset: &Dataset, item: &Item, asked: &AskedBox) -> bool {
        let Origin::Located(i) = item.origin else {
            return false;
        };
        let Some(fit) = asked.fit(item.bbox_rd) else {
            return false;
        };
        // The rule the R-tree walk applies (see `spatial::near_box`), so a scan and the
        // index answer alike.
        if fit.meets_for_certain(item.one_piece) {
            return true;
        }
        match self.kind {
            CollectionKind::Areas(level) => dataset
                .areas(level)
                .get(i)
                .is_some_and(|a| asked.meets_outline(&a.geometry.rd)),
            CollectionKind::Facilities => asked.holds_point(geo::Coord {
                x: item.bbox_rd[0],
                y: item.bbox_rd[1],
            }),
        }
    }

    /// Whether the feature's own geometry, not just its box, meets the query box: the
    /// same test as a CQL2 `S_INTERSECTS` with that box.
    fn intersects(&self, dataset: &Dataset, item: &Item, bbox: &BboxFilter) -> bool {
        self.meets_box(dataset, item, &bbox.asked)
    }
}

/// The page of `q` among the items of `pool` (in id order) for which `holds`: how many
/// match, and those the page asks for. Without an order the page is kept as the matches
/// stream past, so only the page's references are stored; with one every match is.
fn page_of<'a>(
    pool: impl Iterator<Item = &'a Item>,
    holds: impl Fn(&Item) -> bool,
    q: &ItemsQuery,
) -> Page<'a> {
    // A filter can be slow on every feature (a long LIKE, a detailed polygon): stop once
    // nobody waits for the answer (see `crate::deadline`).
    let tested = pool
        .enumerate()
        .take_while(|(i, _)| i % 64 != 0 || !crate::deadline::expired())
        .map(|(_, item)| item)
        .filter(|item| holds(item));
    if q.sort.is_empty() {
        let mut matched = 0;
        let mut items = Vec::with_capacity(q.limit.min(1024));
        for item in tested {
            if matched >= q.offset && items.len() < q.limit {
                items.push(item);
            }
            matched += 1;
        }
        return Page { matched, items };
    }
    let mut matching: Vec<&Item> = tested.collect();
    // Stable, so equal values keep id order and pages stay consistent.
    matching.sort_by(|a, b| {
        q.sort
            .iter()
            .map(|(name, descending)| {
                let o = compare(a.props.get(name), b.props.get(name));
                if *descending {
                    o.reverse()
                } else {
                    o
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let matched = matching.len();
    let items = matching.into_iter().skip(q.offset).take(q.limit).collect();
    Page { matched, items }
}

fn property_matches(value: Option<&Value>, wanted: &str) -> bool {
    match value {
        Some(Value::String(s)) => s.eq_ignore_ascii_case(wanted),
        Some(Value::Number(n)) => wanted.parse::<f64>().ok() == n.as_f64(),
        Some(Value::Bool(b)) => wanted.parse::<bool>().ok() == Some(*b),
        // A property left out of a feature is null there (see `drop_null_everywhere`).
        None | Some(Value::Null) => wanted.eq_ignore_ascii_case("null"),
        _ => false,
    }
}

/// Orders property values for `sortby`: numbers, then text, then missing values last.
fn compare(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Equal)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Number(_)), Some(Value::String(_))) => Less,
        (Some(Value::String(_)), Some(Value::Number(_))) => Greater,
        (None | Some(Value::Null), None | Some(Value::Null)) => Equal,
        (None | Some(Value::Null), _) => Greater,
        (_, None | Some(Value::Null)) => Less,
        _ => Equal,
    }
}

fn json_type(v: &Value) -> Option<&'static str> {
    match v {
        Value::String(_) => Some("string"),
        Value::Number(_) => Some("number"),
        Value::Bool(_) => Some("boolean"),
        _ => None,
    }
}

fn build_item(
    id: String,
    year: Option<u16>,
    bbox: Option<Rect<f64>>,
    one_piece: bool,
    props: Map<String, Value>,
    origin: Origin,
    write: impl Fn(&mut String, &str, Crs),
) -> Item {
    let props_json = Value::Object(props.clone()).to_string();
    let mut s = String::new();
    write(&mut s, &props_json, Crs::Crs84);
    let bbox_rd = bbox.map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y]);
    Item {
        id,
        year,
        bbox_rd,
        props,
        // The written text itself, uncopied, until the collection joins every fragment
        // into one buffer (`join_fragments`) and frees it.
        fragment: Bytes::from(s),
        // Set when the collection joins its fragments (`join_fragments`).
        at: 0,
        props_len: props_json.len(),
        origin,
        one_piece,
    }
}

/// Takes out of every feature's properties those null (or missing) in all of them, and
/// returns their names.
fn drop_null_everywhere<'a>(all: impl Iterator<Item = &'a mut Map<String, Value>>) -> Vec<String> {
    let mut all: Vec<&mut Map<String, Value>> = all.collect();
    let mut names: BTreeMap<&str, bool> = BTreeMap::new();
    for props in &all {
        for (k, v) in props.iter() {
            *names.entry(k.as_str()).or_insert(false) |= !v.is_null();
        }
    }
    let empty: Vec<String> = names
        .into_iter()
        .filter(|(_, valued)| !valued)
        .map(|(k, _)| k.to_string())
        .collect();
    for props in &mut all {
        for k in &empty {
            props.remove(k);
        }
    }
    empty
}

/// A collection's features and where they came from, before the indexes are made.
struct Parts {
    id: &'static str,
    title: &'static str,
    description: String,
    kind: CollectionKind,
    items: Vec<Item>,
    extent: Option<[f64; 4]>,
    years: Vec<u16>,
    /// Properties null in every feature, taken out of them.
    null_everywhere: Vec<String>,
}

fn collection(parts: Parts) -> Collection {
    let Parts {
        id,
        title,
        description,
        kind,
        items,
        extent,
        years,
        null_everywhere,
    } = parts;
    let (joined, items) = join_fragments(items);
    let mut properties = BTreeMap::new();
    for item in &items {
        for (k, v) in &item.props {
            if let Some(t) = json_type(v) {
                properties.entry(k.clone()).or_insert(t);
            }
        }
    }
    // Text that is all dates (or all date-times) is queried as times (CQL2 DATE/TIMESTAMP).
    for (name, kind) in properties.iter_mut().filter(|(_, k)| **k == "string") {
        let texts = items.iter().filter_map(|it| it.props.get(name)?.as_str());
        if let Some(format) = datetime::text_format(texts) {
            *kind = format;
        }
    }
    let mut queryables = properties.clone();
    for name in null_everywhere {
        if let Some(t) = encode::model_type(&name) {
            queryables.entry(name).or_insert(t);
        }
    }
    let by_id = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.id.clone(), i))
        .collect();
    // A collection is far below 4 billion features, and a feature below 4 GB: a bound
    // saturates upwards.
    let placed = RunTree::new(items.iter().enumerate().filter_map(|(position, item)| {
        let located = matches!(item.origin, Origin::Located(_));
        let position = u32::try_from(position).ok().filter(|_| located)?;
        let placed = Placed {
            position,
            bytes: u32::try_from(item.fragment.len() + 1).unwrap_or(u32::MAX),
            one_piece: item.one_piece,
        };
        Some((item.bbox_rd, placed))
    }));
    let mut lookup: HashMap<&'static str, HashMap<String, Vec<usize>>> = HashMap::new();
    for name in INDEXED {
        // Only text-valued properties: a number would be missed by a text lookup.
        let text_only = items.iter().all(|it| {
            matches!(
                it.props.get(name),
                None | Some(Value::Null | Value::String(_))
            )
        });
        if !properties.contains_key(name) || !text_only {
            continue;
        }
        let by_value = lookup.entry(name).or_default();
        for (i, item) in items.iter().enumerate() {
            if let Some(Value::String(v)) = item.props.get(name) {
                by_value.entry(v.to_lowercase()).or_default().push(i);
            }
        }
    }
    Collection {
        id,
        title,
        description,
        kind,
        extent,
        years,
        properties,
        queryables,
        items,
        joined,
        by_id,
        placed,
        lookup,
        generalised: (0..=MAX_GENERALISED_ZOOM)
            .map(|_| std::sync::OnceLock::new())
            .collect(),
    }
}

/// Every item's fragment one after another, comma-separated (see [`Collection::joined`]);
/// each item's fragment becomes its part of them, shared rather than copied, so the
/// features are held once.
fn join_fragments(mut items: Vec<Item>) -> (Bytes, Vec<Item>) {
    let total = items.iter().map(|it| it.fragment.len() + 1).sum::<usize>();
    let mut joined = bytes::BytesMut::with_capacity(total);
    let mut starts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            joined.extend_from_slice(b",");
        }
        starts.push(joined.len());
        joined.extend_from_slice(&item.fragment);
    }
    let joined = joined.freeze();
    for (item, at) in items.iter_mut().zip(starts) {
        item.fragment = joined.slice(at..at + item.fragment.len());
        item.at = at;
    }
    (joined, items)
}

fn union(extent: Option<[f64; 4]>, r: Rect<f64>) -> Option<[f64; 4]> {
    let e = extent.unwrap_or([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
    Some([
        e[0].min(r.min().x),
        e[1].min(r.min().y),
        e[2].max(r.max().x),
        e[3].max(r.max().y),
    ])
}

pub const FACILITIES: &str = "voorzieningen";

/// Every non-empty collection: areas coarsest first, then the voorzieningen.
/// `indicators` are extra properties per area (the analysis results), added after the
/// area's own.
pub fn build(
    dataset: &Dataset,
    indicators: &HashMap<crate::model::AreaCode, Map<String, Value>>,
) -> Vec<Collection> {
    AreaLevel::ALL
        .into_iter()
        .filter_map(|level| area_collection(dataset, level, indicators))
        .chain(facility_collection(dataset))
        .collect()
}

/// The areas of one level, with an outline or without, or `None` when it has none.
fn area_collection(
    dataset: &Dataset,
    level: AreaLevel,
    indicators: &HashMap<crate::model::AreaCode, Map<String, Value>>,
) -> Option<Collection> {
    let areas = dataset.areas(level);
    let unlocated = dataset.unlocated(level);
    if areas.is_empty() && unlocated.is_empty() {
        return None;
    }
    let years = reference_years(areas, unlocated);
    let mut located_props: Vec<Map<String, Value>> = areas
        .iter()
        .map(|a| {
            let mut props = encode::area_properties(a.into(), dataset);
            if let Some(extra) = indicators.get(&a.code) {
                props.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            props
        })
        .collect();
    let mut unlocated_props: Vec<Map<String, Value>> = unlocated
        .iter()
        .map(|a| encode::area_properties(a.into(), dataset))
        .collect();
    let null_everywhere =
        drop_null_everywhere(located_props.iter_mut().chain(unlocated_props.iter_mut()));
    let extent = areas
        .iter()
        .filter_map(|a| a.geometry.wgs84.bounding_rect())
        .fold(None, union);
    let mut items: Vec<Item> = located_items(areas, located_props)
        .chain(unlocated_items(unlocated, unlocated_props))
        .collect();
    // Id order, located or not, so pages are stable and ids easy to find.
    items.sort_by(|a, b| a.id.cmp(&b.id));
    let (title, description) = level_title(level);
    Some(collection(Parts {
        id: level.collection(),
        title,
        description: description.to_string(),
        kind: CollectionKind::Areas(level),
        items,
        extent,
        years,
        null_everywhere,
    }))
}

/// The reference years of a level's figures, once each, in order.
fn reference_years(areas: &[Area], unlocated: &[UnlocatedArea]) -> Vec<u16> {
    let mut years: Vec<u16> = areas
        .iter()
        .filter_map(|a| a.year)
        .chain(unlocated.iter().filter_map(|a| a.year))
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

fn located_items(
    areas: &[Area],
    props: Vec<Map<String, Value>>,
) -> impl Iterator<Item = Item> + '_ {
    areas.iter().zip(props).enumerate().map(|(i, (a, props))| {
        build_item(
            a.code.to_string(),
            a.year,
            a.geometry.rd.bounding_rect(),
            a.geometry.rd.0.len() == 1,
            props,
            Origin::Located(i),
            |s, p, crs| encode::write_area_feature(s, a, p, crs),
        )
    })
}

fn unlocated_items(
    unlocated: &[UnlocatedArea],
    props: Vec<Map<String, Value>>,
) -> impl Iterator<Item = Item> + '_ {
    unlocated
        .iter()
        .zip(props)
        .enumerate()
        .map(|(i, (a, props))| {
            build_item(
                a.code.to_string(),
                a.year,
                None,
                false,
                props,
                Origin::Unlocated(i),
                |s, p, _| encode::write_unlocated_feature(s, a, p),
            )
        })
}

fn level_title(level: AreaLevel) -> (&'static str, &'static str) {
    match level {
        AreaLevel::Gemeente => ("Gemeenten", "Gemeenten met kerncijfers van het CBS"),
        AreaLevel::Wijk => ("Wijken", "Wijken met kerncijfers van het CBS"),
        AreaLevel::Buurt => ("Buurten", "Buurten met kerncijfers van het CBS"),
    }
}

/// The voorzieningen in the order read, or `None` when there are none.
fn facility_collection(dataset: &Dataset) -> Option<Collection> {
    let facilities = dataset.voorzieningen();
    if facilities.is_empty() {
        return None;
    }
    let mut all_props: Vec<Map<String, Value>> = facilities
        .iter()
        .map(|v| encode::facility_properties(v, dataset))
        .collect();
    let null_everywhere = drop_null_everywhere(all_props.iter_mut());
    let extent = facilities
        .iter()
        .map(|v| {
            let p = geo::Coord {
                x: v.location.wgs84.lon,
                y: v.location.wgs84.lat,
            };
            Rect::new(p, p)
        })
        .fold(None, union);
    let items = facilities
        .iter()
        .zip(all_props)
        .enumerate()
        .map(|(i, (v, props))| {
            let rd = geo::Coord {
                x: v.location.rd.x,
                y: v.location.rd.y,
            };
            build_item(
                v.id.clone(),
                None,
                Some(Rect::new(rd, rd)),
                true,
                props,
                Origin::Located(i),
                |s, p, crs| encode::write_facility_feature(s, v, p, crs),
            )
        })
        .collect();
    Some(collection(Parts {
        id: FACILITIES,
        title: "Voorzieningen",
        description: "Zorg- en welzijnsvoorzieningen; filter op categorie met ?categorie=huisarts"
            .into(),
        kind: CollectionKind::Facilities,
        items,
        extent,
        years: vec![],
        null_everywhere,
    }))
}
