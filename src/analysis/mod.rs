//! Analysis over a loaded dataset: need against access, and the housing target.

pub mod access;
pub mod housing;
