//! wijkatlas: where need for care and welfare is high and the services are far away.
//!
//! The library holds everything; the `wijkatlas` binary only wires it to a CLI and HTTP.
//! Data flows `load` → `model` + `index` → `features` (served collections) → `api`, and
//! `export` writes the same collections out as GeoPackage or PostGIS tables.

pub mod analysis;
pub mod api;
pub mod basemap;
pub mod cli;
pub mod config;
pub mod crs;
pub mod deadline;
pub mod export;
pub mod features;
pub mod fetch;
pub mod index;
pub mod load;
pub mod model;
pub mod routing;
pub mod text;
pub mod tiles;
pub mod topology;
