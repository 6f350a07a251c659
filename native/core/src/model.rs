//! The trained model as it lives in memory: immutable once built; a reload builds a new one.

use serde::{Deserialize, Serialize};

use crate::dataset::RatingScale;
use crate::interactions::{Csr, IdMap};
use crate::linalg::cg_implicit::RowLambda;
use crate::linalg::confidence::ConfidenceFn;
use crate::linalg::row::Regularisation;
pub use crate::linalg::Matrix;
use crate::params::implicit_defaults;
pub use crate::params::{AlsParams, Confidence, Feedback, Method, Ranking, RegScaling, Solver};

impl AlsParams {
    /// The weighted-lambda regularisation a row solve applies (explicit ALS, Gibbs and fold-in).
    pub(crate) fn regularisation(&self) -> Regularisation {
        Regularisation {
            bias: self.reg_bias as f64,
            factors: self.reg_factors as f64,
            prior: self.prior_count as f64,
        }
    }

    /// The parameters of the ranking model trained beside this one: the implicit defaults, with this training's seed
    /// and threads. None when this model chooses its own lists (`ranking: none`, or an implicit model).
    pub fn ranking_params(&self) -> Option<AlsParams> {
        (self.feedback == Feedback::Explicit && self.ranking == Ranking::Implicit).then(|| AlsParams {
            seed: self.seed,
            threads: self.threads,
            ..implicit_defaults()
        })
    }

    /// How an implicit model reads a rating on `scale` (`confidence`, `alpha`, `confidenceMid`, `confidenceLow`).
    pub(crate) fn confidence_fn(&self, scale: RatingScale) -> ConfidenceFn {
        match self.confidence {
            Confidence::Linear => ConfidenceFn::Linear { alpha: self.alpha },
            Confidence::Graded => ConfidenceFn::Graded {
                alpha: self.alpha,
                mid: self.confidence_mid,
                low: self.confidence_low,
                liked: scale.liked_threshold(),
                disliked: scale.disliked_threshold(),
            },
        }
    }

    /// An implicit model's row regularisation (`regScaling`, `regFactors`; a plain lambda of 0 means "from the data's
    /// size", which training resolves before any row is solved, `als::implicit`).
    pub(crate) fn row_lambda(&self) -> RowLambda {
        match self.reg_scaling {
            RegScaling::Plain => RowLambda::Plain(self.reg_factors),
            RegScaling::Weighted => RowLambda::Weighted(self.reg_factors),
        }
    }
}

/// The model that chooses the movies of a list, beside the rating model that estimates them: an implicit-feedback ALS
/// trained on the same ratings (`AlsParams::ranking_params`). A user's vector is folded in from their ratings when
/// their list is asked for (new and known users alike, `recommend`), so only the movie factors serve.
#[derive(Clone, Debug, PartialEq)]
pub struct RankingModel {
    /// As trained: `reg_factors` holds the lambda training used (resolved from the data's size when it was 0).
    pub params: AlsParams,
    /// n_items x factors (the rating model's movie order).
    pub item_factors: Matrix,
    /// n_users x factors as training left them: written to the model folder (for numpy), not read back to serve.
    pub user_factors: Option<Matrix>,
    pub history: Vec<IterationStats>,
    pub training_seconds: f64,
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
    /// The model that chooses this one's lists, when one was trained beside it.
    pub ranking: Option<RankingModel>,
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
