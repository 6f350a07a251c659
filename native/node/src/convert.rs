//! Plain JS objects that cross the boundary, and their conversions from core types. Nothing here decides anything.

use std::time::{SystemTime, UNIX_EPOCH};

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
        Self {
            min: f32_as_written(s.min),
            max: f32_as_written(s.max),
            step: f32_as_written(s.step),
        }
    }
}

pub use movierec_core::params::as_written as f32_as_written;

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
    /// The movies file read beside the ratings; absent when there is none (titles will be missing).
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

/// `2026-11-27T00:15:39.811Z`, the form JavaScript's `Date.prototype.toISOString` gives (UTC, milliseconds).
pub fn iso8601_utc(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_epoch.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since_epoch.subsec_millis()
    )
}
