//! The training parameters, each defined once in the table of `table.rs`: its field, JSON name, `movierec train`
//! flag, help, type and range, the modes it applies to, its default in each mode, and where a random search samples
//! it. From the table come [`AlsParams`] and its defaults, [`AlsParams::validate`], the JSON forms ([`resolve`] for a
//! partial object, [`CompleteParams`] for a complete one, `Serialize`/`Deserialize` for model.json) and
//! [`parameter_spec`], which the addon exports and the TypeScript types, schemas and CLI flags are generated from.
//!
//! The modes ([`Mode`]) have their own defaults because they regularise differently:
//! - Gibbs sampling (the default) samples its priors' precisions, so `regFactors`/`regBias`/`priorCount` only set the
//!   starting ALS iterations and fold-in: with `priorCount` 1e6, `reg * (n + priorCount)` is about 5 for every row.
//! - ALS uses weighted-lambda regularisation (Zhou et al. 2008) with a prior: a row with `n` ratings is regularised
//!   as if it had `n + priorCount`, so a movie or user with a handful of ratings cannot take an extreme bias or
//!   vector (with `priorCount` 0 one 5-star rating tops every list).
//! - Implicit feedback regularises every row by one lambda (`regScaling` plain), by default one that grows with the
//!   data (`regFactors` 0). Its defaults also train the ranking model that chooses an explicit model's lists
//!   (`ranking`).
//!
//! The implicit-only parameters' values in the Gibbs and ALS columns (`confidence` linear, `regScaling` weighted) are
//! what implicit training did before they existed, so an older model file without them reads as it was trained.
//!
//! The measurements behind each default are in docs/tuning.md.

#[macro_use]
mod define;
mod resolve;
mod spec;
mod table;
mod value;
mod words;

pub use resolve::{resolve, AsWritten, CompleteParams};
pub use spec::{ParamDef, ParamSpec, PerMode};
pub use table::{als_defaults, implicit_defaults, parameter_spec, AlsParams, MAX_SAFE_INTEGER, PARAMS};
pub use value::{as_written, integer, number, words, Kind, Mode, ParamType, ParamValue, Search};
pub use words::{Confidence, Feedback, Method, Ranking, RegScaling, Solver};

#[cfg(test)]
mod tests;
