//! Plain JS objects that cross the boundary, and their conversions from core types. Nothing here decides anything.

use movierec_core::dataset::{RatingScale, RatingsLayout};
use napi::bindgen_prelude::{Float32Array, Uint32Array};
use napi_derive::napi;

use crate::dataset::DatasetData;

#[napi(object, js_name = "RatingScale")]
#[derive(Clone, Copy)]
pub struct JsRatingScale {
    pub min: f64,
    pub max: f64,
    /// 0.5 when half stars occur, else 1.
    pub step: f64,
}

impl From<RatingScale> for JsRatingScale {
    fn from(s: RatingScale) -> Self {
        Self { min: s.min as f64, max: s.max as f64, step: s.step as f64 }
    }
}

#[napi(object)]
pub struct ReadOptions {
    /// Skip (and count) malformed lines instead of failing on the first one.
    pub skip_invalid: Option<bool>,
}

#[napi(object)]
pub struct DatasetReport {
    pub path: String,
    /// `double-colon` (ml-1m, ml-10m), `tab` (ml-100k u.data) or `csv-header` (ml-latest, ml-20m+).
    pub layout: String,
    pub sha256: String,
    /// Lines in the file, header, blank and skipped lines included.
    pub lines: i64,
    /// Ratings kept: one per distinct (user, movie) pair.
    pub ratings: i64,
    pub users: i64,
    pub movies: i64,
    pub skipped_invalid: i64,
    /// The first skipped lines as `file:line: what is wrong`.
    pub skipped_examples: Vec<String>,
    /// Repeated (user, movie) pairs dropped; the last occurrence in the file wins.
    pub duplicates: i64,
    pub scale: JsRatingScale,
    /// The movies file read beside the ratings, or null when there is none (titles will be missing).
    pub movies_file: Option<String>,
    /// Movies in that file.
    pub catalogue_movies: u32,
}

pub fn layout_name(layout: RatingsLayout) -> &'static str {
    match layout {
        RatingsLayout::DoubleColon => "double-colon",
        RatingsLayout::Tab => "tab",
        RatingsLayout::CsvHeader => "csv-header",
    }
}

impl DatasetReport {
    pub fn new(data: &DatasetData) -> Self {
        let r = &data.dataset.report;
        Self {
            path: r.path.clone(),
            layout: layout_name(r.layout).to_string(),
            sha256: r.sha256.clone(),
            lines: r.lines as i64,
            ratings: r.ratings as i64,
            users: r.users as i64,
            movies: r.movies as i64,
            skipped_invalid: r.skipped_invalid as i64,
            skipped_examples: r.skipped_examples.clone(),
            duplicates: r.duplicates as i64,
            scale: r.scale.into(),
            movies_file: data.movies_file.as_ref().map(|p| p.display().to_string()),
            catalogue_movies: data.catalogue.as_ref().map_or(0, |c| c.len() as u32),
        }
    }
}

/// Parallel arrays: rating `i` is `ratings[i]` by `users[i]` for `movies[i]`.
#[napi(object)]
pub struct RatingTriplesJs {
    pub users: Uint32Array,
    pub movies: Uint32Array,
    pub ratings: Float32Array,
}
