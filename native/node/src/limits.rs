//! The core's limits, exported once for TypeScript (read by `src/model/limits.ts`).

use napi_derive::napi;

/// The longest list a caller may ask for (M), and the largest k of the ranking metrics.
#[napi]
pub const MAX_LIST_LENGTH: u32 = movierec_core::limits::MAX_LIST_LENGTH as u32;
