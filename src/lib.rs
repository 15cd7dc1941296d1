//! The wijkatlas server: the HTTP API (OGC API – Features and Tiles, the analysis
//! endpoints), vector tiles, the web map, the basemap and the command line, over the
//! `wijkatlas-core` library, whose modules are re-exported here under their own names.

pub use wijkatlas_core::{
    analysis, crs, deadline, export, features, index, load, model, parallel, routing, text,
    topology,
};

pub mod api;
pub mod basemap;
pub mod cli;
pub mod config;
pub mod fetch;
pub mod tiles;
