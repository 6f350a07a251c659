//! The trained model as it lives in memory: immutable once built; a reload builds a new one.

use serde::{Deserialize, Serialize};

use crate::dataset::RatingScale;
use crate::interactions::{Csr, IdMap};
use crate::linalg::row::Regularisation;
pub use crate::linalg::Matrix;

/// Which objective the factors were trained for (flagged in model.json).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Feedback {
    #[default]
    Explicit,
    Implicit,
}

/// How the explicit model is fitted (flagged in model.json; files written before it existed are ALS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Alternating least squares: `iterations` sweeps to the regularised optimum.
    #[default]
    Als,
    /// Gibbs sampling (`als::bayes`): `iterations` ALS sweeps start a chain of `burnIn + samples` sweeps, and the
    /// model stored is the posterior mean of the sampled factors and biases.
    Gibbs,
}

/// How explicit ALS solves each row's regularised least squares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// Exactly: normal equations and Cholesky.
    #[default]
    Cholesky,
    /// Approximately: `cg_steps` conjugate-gradient steps warm-started from the row's previous values (faster; its
    /// RMSE cost is in docs/benchmarks.md).
    Cg,
}

/// Hyper-parameters. Defaults are tuned on ml-1m (see `als::AlsParams::default`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlsParams {
    pub factors: usize,
    /// Weighted-lambda regularisation of the factors (scaled by each row's rating count).
    pub reg_factors: f32,
    /// Weighted-lambda regularisation of the biases.
    pub reg_bias: f32,
    /// Prior strength of the weighted-lambda regularisation, in ratings: a row with `n` ratings is regularised as if
    /// it had `n + prior_count` (`reg * (n + prior_count)`), so a movie or user with a handful of ratings cannot take
    /// an extreme bias or vector. 0 is the plain scheme of Zhou et al. (see `als::AlsParams::default`).
    #[serde(default = "default_prior_count")]
    pub prior_count: f32,
    pub iterations: usize,
    pub seed: u64,
    /// Worker threads; 0 = all cores.
    pub threads: usize,
    #[serde(default)]
    pub feedback: Feedback,
    /// Implicit feedback only: confidence of a rated pair is `1 + alpha * rating` (see `als::implicit`).
    #[serde(default = "default_alpha")]
    pub alpha: f32,
    /// Conjugate-gradient steps per row and half-step: implicit feedback, and explicit with `solver: cg`.
    #[serde(default = "default_cg_steps")]
    pub cg_steps: usize,
    #[serde(default)]
    pub method: Method,
    /// Gibbs only: sweeps averaged into the stored model.
    #[serde(default = "default_samples")]
    pub samples: usize,
    /// Gibbs only: sweeps discarded before averaging.
    #[serde(default = "default_burn_in")]
    pub burn_in: usize,
    /// Gibbs only: standard deviation of the rating noise (the width of every sample).
    #[serde(default = "default_noise_std")]
    pub noise_std: f32,
    /// Fraction of the ratings held out (seeded by `seed`) to report a validation RMSE after every iteration;
    /// 0 = none, everything trains.
    #[serde(default)]
    pub validation_fraction: f32,
    /// ALS with a validation fraction only: stop after this many iterations without a better validation RMSE and
    /// keep the best iterate; 0 = never stop early.
    #[serde(default)]
    pub early_stopping: usize,
    /// Explicit feedback only: exact (Cholesky, the default) or conjugate-gradient row solves.
    #[serde(default)]
    pub solver: Solver,
}

impl AlsParams {
    /// The weighted-lambda regularisation a row solve applies (explicit ALS, Gibbs and fold-in).
    pub(crate) fn regularisation(&self) -> Regularisation {
        Regularisation {
            bias: self.reg_bias as f64,
            factors: self.reg_factors as f64,
            prior: self.prior_count as f64,
        }
    }
}

/// Confidence slope of implicit feedback; chosen on ml-1m (see `als::implicit`).
pub const DEFAULT_ALPHA: f32 = 1.0;
/// Conjugate-gradient steps per row of implicit ALS, warm-started: 3 is as good as an exact solve there.
pub const DEFAULT_CG_STEPS: usize = 3;

/// Prior strength of explicit ALS regularisation, in ratings; chosen on ml-1m (see `als::AlsParams::default`).
pub const DEFAULT_PRIOR_COUNT: f32 = 150.0;

/// Gibbs sampling defaults; chosen on ml-1m (see `als::bayes`).
pub const DEFAULT_SAMPLES: usize = 150;
pub const DEFAULT_BURN_IN: usize = 10;
pub const DEFAULT_NOISE_STD: f32 = 0.8;

fn default_samples() -> usize {
    DEFAULT_SAMPLES
}
fn default_burn_in() -> usize {
    DEFAULT_BURN_IN
}
fn default_noise_std() -> f32 {
    DEFAULT_NOISE_STD
}
fn default_prior_count() -> f32 {
    DEFAULT_PRIOR_COUNT
}
fn default_alpha() -> f32 {
    DEFAULT_ALPHA
}
fn default_cg_steps() -> usize {
    DEFAULT_CG_STEPS
}

/// One line of the training history, reported to JS after every iteration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IterationStats {
    /// 1-based.
    pub iteration: usize,
    pub train_rmse: f64,
    /// RMSE on the held-out validation ratings (`validationFraction`), when there are any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_rmse: Option<f64>,
    /// Seconds since training started.
    pub elapsed_seconds: f64,
}

/// A bias-only model (mean + user bias + item bias) trained on the same data: the baseline evaluation
/// reports beside the real model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BiasBaseline {
    pub global_mean: f32,
    pub user_bias: Vec<f32>,
    pub item_bias: Vec<f32>,
}

/// Everything prediction, fold-in and evaluation need. Indices are dense (see `IdMap`).
#[derive(Clone, Debug)]
pub struct AlsModel {
    pub params: AlsParams,
    pub scale: RatingScale,
    pub global_mean: f32,
    pub users: IdMap,
    pub items: IdMap,
    /// n_users x factors
    pub user_factors: Matrix,
    /// n_items x factors
    pub item_factors: Matrix,
    pub user_bias: Vec<f32>,
    pub item_bias: Vec<f32>,
    /// Training ratings per movie: popularity baseline and the minimum-support guard.
    pub item_counts: Vec<u32>,
    /// Which movies each training user rated (values = ratings): excluded from that user's lists,
    /// and the "seen" set for ranking metrics.
    pub user_items: Csr,
    pub baseline: BiasBaseline,
    pub history: Vec<IterationStats>,
}

impl AlsModel {
    /// Unclipped estimate for dense indices.
    pub fn predict_raw(&self, user: usize, item: usize) -> f32 {
        let dot: f32 = self
            .user_factors
            .row(user)
            .iter()
            .zip(self.item_factors.row(item))
            .map(|(a, b)| a * b)
            .sum();
        self.global_mean + self.user_bias[user] + self.item_bias[item] + dot
    }
    /// Estimate clipped to the data set's rating scale.
    pub fn predict(&self, user: usize, item: usize) -> f32 {
        self.scale.clip(self.predict_raw(user, item))
    }
}
