//! The core's limits, exported once for TypeScript (read by `src/model/limits.ts`).

use napi_derive::napi;

/// The longest list a caller may ask for (M), and the largest k of the ranking metrics.
#[napi]
pub const MAX_LIST_LENGTH: u32 = movierec_core::limits::MAX_LIST_LENGTH as u32;

/// The most values a list filter of many values (`genres`, `excludeGenres`, `exclude`) may hold.
#[napi]
pub const MAX_FILTER_VALUES: u32 = movierec_core::limits::MAX_FILTER_VALUES as u32;

/// The years a list's `yearMin` and `yearMax` may name.
#[napi]
pub const MIN_YEAR: u32 = *movierec_core::dataset::movies::YEARS.start() as u32;
#[napi]
pub const MAX_YEAR: u32 = *movierec_core::dataset::movies::YEARS.end() as u32;
