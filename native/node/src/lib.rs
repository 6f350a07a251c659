//! movierec-node: the thin napi-rs binding over `movierec-core`.
//!
//! It only converts: JS values and typed arrays in, core calls (heavy ones as `AsyncTask`s on the libuv pool),
//! plain objects and typed arrays out, `CoreError`s as JS errors with a stable `code` (and the `field` at fault).
//! `src/native.ts` is the only JavaScript that loads it.

mod convert;
mod dataset;
mod error;
mod limits;
mod model;
mod params;
mod tasks;
mod threads;
