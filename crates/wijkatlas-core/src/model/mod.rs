//! The spatial model: areas at three levels, voorzieningen, and the sources they came from.

mod area;
mod category;
mod code;
mod coverage;
mod dataset;
mod dwelling;
mod figures;
mod voorziening;

pub use area::{Area, AreaGeometry, UnlocatedArea};
pub use category::{Category, Domain, UnknownCategory};
pub use code::{AreaCode, AreaLevel, InvalidAreaCode};
pub use coverage::{Coverage, CoverageOrigin, SourceCoverage};
pub use dataset::{Dataset, EarlierAreas, Postcode, SourceId, SourceInfo};
pub use dwelling::{Dwelling, HousingCount};
pub use figures::{is_cbs_nodata, ExtraProperties, Figure, KeyFigures, Quantity};
pub use voorziening::{Address, Containing, Location, LocationPrecision, Voorziening};
