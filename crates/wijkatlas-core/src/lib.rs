//! The wijkatlas library: where need for care and welfare is high and the services are
//! far away, without a server.
//!
//! Data flows `load` → `model` + `index` → `analysis` and `features` (the collections a
//! server serves), and `export` writes those collections out as GeoPackage or PostGIS
//! tables. `routing` builds walking, cycling and driving graphs from OpenStreetMap. The
//! `wijkatlas` server crate puts HTTP, tiles, the web map and the CLI on top.

pub mod analysis;
pub mod crs;
pub mod deadline;
pub mod export;
pub mod features;
pub mod index;
pub mod load;
pub mod model;
pub mod parallel;
pub mod routing;
pub mod text;
pub mod topology;
