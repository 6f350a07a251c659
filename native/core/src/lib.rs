//! movierec-core: the pure Rust heart of the recommender.
//!
//! It knows nothing of Node. Its modules, bottom up (the layer order itself is `LAYERS` in
//! `tests/architecture.rs`, which fails on an import circle or an import running up it):
//! - [`error`]; [`rng`] (seeded streams), [`limits`], [`threads`] (the one pool builder), [`array_data`].
//! - [`linalg`]: the row solves and vector kernels training and fold-in share.
//! - [`dataset`]: MovieLens readers (layout detected from content), the movie catalogue, splits.
//! - [`interactions`]: dense id maps and the user-major / item-major CSR matrices ALS works on.
//! - [`params`]: the training parameters, each defined once (name, range, help, defaults per mode).
//! - [`model`]: the trained model (holding its parameters).
//! - [`als`] (training: explicit and implicit ALS, Gibbs sampling, one run loop) beside [`recommend`] (serving:
//!   fold-in, scoring, the one top-k, the lists); neither imports the other.
//! - [`metrics`] (RMSE/MAE and ranking metrics beside baselines), [`model_io`] (`.npy` + `model.json` folders,
//!   saved atomically and validated on load), [`synth`] (the deterministic MovieLens-shaped generator), [`foreign`]
//!   (models trained by Spark or `implicit`, made into ours; the `movierec-interop` crate reads their files).
//!
//! Expected outcomes (an unknown movie, an empty history) are data; only real failures are [`CoreError`]s.

pub mod als;
pub mod array_data;
pub mod dataset;
pub mod error;
pub mod foreign;
pub mod interactions;
pub mod limits;
pub mod linalg;
pub mod metrics;
pub mod model;
pub mod model_io;
pub mod params;
pub mod recommend;
pub mod rng;
pub mod synth;
pub mod threads;

pub use error::{CoreError, Result};
