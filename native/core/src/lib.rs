//! movierec-core: the pure Rust heart of the recommender.
//!
//! It knows nothing of Node. Layers, bottom up:
//! - [`dataset`]: MovieLens readers (layout detected from content), the movie catalogue, splits.
//! - [`interactions`]: dense id maps and the user-major / item-major CSR matrices ALS works on.
//! - [`params`]: the training parameters, each defined once (name, range, help, defaults per mode).
//! - [`als`]: explicit ALS with biases (weighted-lambda regularisation).
//! - [`foldin`]: a new user's bias and factors against fixed item factors, and top-M lists.
//! - [`topn`]: which movies a personalised list holds (the estimate plus a popularity term for explicit models).
//! - [`foldin_batch`]: many new users scored together (the movie factors read once per batch).
//! - [`metrics`]: RMSE/MAE and ranking metrics beside bias-only and popularity baselines.
//! - [`model_io`]: `.npy` + `model.json` model folders, saved atomically and validated on load.
//! - [`synth`]: the deterministic MovieLens-shaped generator (demo catalogue and benchmark data).
//!
//! Expected outcomes (an unknown movie, an empty history) are data; only real failures are [`CoreError`]s.

pub mod als;
pub mod array_data;
pub mod dataset;
pub mod error;
pub mod foldin;
pub mod foldin_batch;
pub mod interactions;
mod interactions_build;
pub mod metrics;
pub mod model;
pub mod model_io;
pub mod params;
pub mod rng;
pub mod scoring;
pub mod synth;
pub mod topn;

pub use error::{CoreError, Result};
