//! PLACEHOLDER (readers helper replaces): streaming parallel ratings parser.
use std::path::Path;
use serde::Serialize;
use super::{RatingScale, RatingTriples, RatingsLayout};
use crate::Result;

#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Skip (and count) malformed lines instead of failing on the first.
    pub skip_invalid: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReadReport {
    pub path: String,
    pub layout: RatingsLayout,
    pub sha256: String,
    pub lines: u64,
    pub ratings: u64,
    pub users: u64,
    pub movies: u64,
    pub skipped_invalid: u64,
    /// First few skipped-line messages (file:line: what), for the log.
    pub skipped_examples: Vec<String>,
    /// Repeated (user, movie) pairs; the last occurrence in the file wins.
    pub duplicates: u64,
    pub scale: RatingScale,
}

pub struct Dataset {
    pub triples: RatingTriples,
    pub report: ReadReport,
}

pub fn read_ratings(_path: &Path, _opts: &ReadOptions) -> Result<Dataset> { todo!() }
