//! The trained model as it lives in memory: immutable once built; a reload builds a new one.

use serde::{Deserialize, Serialize};

use crate::dataset::RatingScale;
use crate::interactions::{Csr, IdMap};
use crate::linalg::row::Regularisation;
pub use crate::linalg::Matrix;
pub use crate::params::{AlsParams, Feedback, Method, Solver};

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

/// The engine that trained a model, and so how the model estimates and folds in a new user (model.json's `engine`).
/// Models of other engines are imported (`foreign`); they have no global mean and no biases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Trained here: `mean + user bias + movie bias + user . movie`, explicit estimates clipped to the rating scale.
    #[default]
    Movierec,
    /// Spark MLlib's `ALSModel`: `user . movie` alone, not clipped (what Spark's `transform` gives). Fold-in is
    /// Spark's half-step: explicit without a bias and with `regParam * n`; implicit as this project's.
    Spark,
    /// `implicit`'s `AlternatingLeastSquares`: `user . movie`; fold-in as its `recalculate_user` (confidence
    /// `alpha * rating`, a fixed `regularization`).
    Implicit,
}

impl Engine {
    /// Whether the model has a global mean and user and movie biases (only models trained here do).
    pub fn has_biases(self) -> bool {
        self == Engine::Movierec
    }
}

/// Everything prediction, fold-in and evaluation need. Indices are dense (see `IdMap`).
#[derive(Clone, Debug)]
pub struct AlsModel {
    /// What trained it (and so how it estimates and folds in).
    pub engine: Engine,
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
    /// Estimate as the model shows it (see [`Self::shown`]).
    pub fn predict(&self, user: usize, item: usize) -> f32 {
        self.shown(self.predict_raw(user, item))
    }
    /// An estimate as shown: an explicit model trained here clips it to the data set's rating scale; implicit
    /// preferences (not ratings: clipping would flatten them) and imported engines' estimates (as their engine
    /// computes them) are shown as they are.
    pub fn shown(&self, estimate: f32) -> f32 {
        if self.params.feedback == Feedback::Explicit && self.engine == Engine::Movierec {
            self.scale.clip(estimate)
        } else {
            estimate
        }
    }
}
