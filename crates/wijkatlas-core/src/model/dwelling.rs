//! The housing stock as points: where people live, and which homes are social rent.

use super::{Containing, Location, SourceId};
use serde::Serialize;

/// One dwelling or address point (a BAG verblijfsobject, a corporation's address list).
#[derive(Debug, Clone, PartialEq)]
pub struct Dwelling {
    pub location: Location,
    /// Social rent (or corporation-owned, as the source defines it); `None` when unknown.
    pub social_rent: Option<bool>,
    pub source: SourceId,
    pub containing: Containing,
}

/// The dwelling points of one area, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct HousingCount {
    pub dwellings: u32,
    /// Dwellings whose source says whether they are social rent.
    pub with_flag: u32,
    pub social_rent: u32,
}

impl HousingCount {
    pub fn add(&mut self, d: &Dwelling) {
        self.dwellings += 1;
        if let Some(social) = d.social_rent {
            self.with_flag += 1;
            self.social_rent += u32::from(social);
        }
    }

    /// Share of social rent among the dwellings whose status is known, in %.
    pub fn social_rent_pct(&self) -> Option<f64> {
        (self.with_flag > 0)
            .then(|| 100.0 * f64::from(self.social_rent) / f64::from(self.with_flag))
    }
}
