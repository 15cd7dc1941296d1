//! Analysis over a loaded dataset: proximity, access, need, and the housing target.
//!
//! Everything here works on a [`crate::model::Dataset`] without a server; the HTTP
//! layer only parses parameters and writes the answers.

pub mod access;
pub mod assess;
pub mod basis;
pub mod calibrate;
pub mod change;
pub mod config;
pub mod coverage;
pub mod demand;
/// SYNTHETIC areas and facilities for unit tests, here and in the server crate.
#[cfg(any(test, feature = "fixtures"))]
#[doc(hidden)]
pub mod fixture;
pub mod gap;
pub mod housing;
pub mod indicators;
pub mod layer;
pub mod need;
pub mod network;
pub mod network_access;
pub mod profile;
pub mod proximity;
pub mod scenario;
pub mod search;
pub mod suggest;

use crate::model::{AreaLevel, Dataset};
use std::collections::HashSet;

/// The level the analysis works at by default: the finest level that covers (nearly)
/// every loaded gemeente. A few buurten of one gemeente loaded beside national wijken
/// do not make the buurt the national unit; the wijk stays it.
pub fn default_level(dataset: &Dataset) -> Option<AreaLevel> {
    let gemeenten = |level: AreaLevel| -> usize {
        dataset
            .areas(level)
            .iter()
            .map(|a| a.code.gemeente())
            .collect::<HashSet<_>>()
            .len()
    };
    let widest = AreaLevel::ALL.into_iter().map(gemeenten).max()?;
    AreaLevel::ALL
        .into_iter()
        .rev()
        .find(|l| widest > 0 && gemeenten(*l) * 10 >= widest * 9)
}

/// A question the analysis cannot answer, in words a user can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error("the coordinates are not finite numbers")]
    NotFinite,
    #[error("the point lies outside the Netherlands{hint}")]
    OutsideNetherlands { hint: &'static str },
    #[error("the point lies in no loaded {level} (at sea, or outside the loaded region)")]
    OutsideLoadedAreas { level: AreaLevel },
    #[error("k = {k}: ask for 1 to {max} voorzieningen")]
    KOutOfRange { k: usize, max: usize },
    #[error("radius {radius} m: give a radius above 0 and at most {max} m")]
    RadiusOutOfRange { radius: f64, max: f64 },
    #[error("no loaded {category} has the id '{id}'")]
    UnknownFacility {
        id: String,
        category: crate::model::Category,
    },
    #[error(
        "the capacity of '{id}' must be a number above 0 and at most {}",
        scenario::MAX_CAPACITY
    )]
    BadCapacity { id: String },
    #[error("{changes} changes: a scenario may make at most {max}")]
    TooManyChanges { changes: usize, max: usize },
    #[error("no {category} is loaded: its access is CBS's distance, which places cannot change; load the voorzieningen to try a what-if or ask for suggestions")]
    NoVoorzieningen { category: crate::model::Category },
}
