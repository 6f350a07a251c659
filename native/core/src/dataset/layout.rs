//! PLACEHOLDER (readers helper replaces): detect the ratings layout from content.
use serde::{Deserialize, Serialize};

/// The published ratings layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RatingsLayout {
    /// `user::movie::rating[::timestamp]` (ml-1m, ml-10m)
    DoubleColon,
    /// `user\tmovie\trating\ttimestamp` without header (ml-100k u.data)
    Tab,
    /// `userId,movieId,rating,timestamp` with a header (ml-latest-small, ml-20m/25m/32m)
    CsvHeader,
}
