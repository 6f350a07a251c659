//! Implicit-feedback ALS for top-N lists (Hu, Koren, Volinsky 2008), each row solved by conjugate gradient
//! (`linalg::cg_implicit`, Takács et al. 2011).
//!
//! Every rated (user, movie) pair is a preference `p` with a confidence `c` read from its rating (`confidence`:
//! graded, the default, makes a liked rating a strong 1, a middling one a weak 1 and a disliked one a 0; linear makes
//! every rating a 1 with `c = 1 + alpha * rating`; `linalg::confidence`); every unrated pair a preference 0 with
//! confidence 1. The loss is
//!
//! ```text
//! sum over ALL pairs of c (p - x_u . y_i)^2  +  sum_u lambda_u |x_u|^2  +  sum_i lambda_i |y_i|^2
//! ```
//!
//! with one lambda for every row (`regScaling` plain, the default), or `reg_factors * n` for a row with `n` ratings
//! (weighted, Zhou et al. 2008). Once disliked ratings are negatives, the plain lambda ranks better on ml-1m and
//! ml-latest-small; it must grow with the data, so by default (`regFactors` 0) it is [`lambda_from_size`] of the
//! training data, and the confidence weight (`alpha` 0) [`alpha_from_size`], both resolved when training starts and
//! stored in the model (the measurements: docs/tuning.md).
//!
//! No biases: the model's global mean and biases are zero, so `predict_raw` is the preference score `x_u . y_i`
//! (ranking only; it is not a rating). Each half-step precomputes the fixed side's Gram `Y'Y` once, in parallel.
//!
//! Determinism: rows are solved independently from the previous half-step's values (warm start from the row's own
//! previous vector), the Gram and the loss are summed in a fixed order, so a seed gives the same model whatever the
//! thread count.

use std::time::Instant;

use rayon::prelude::*;

use super::start::{start_factors_only, start_training, TrainingStart};
use super::trainer::Trainer;
use crate::dataset::RatingScale;
use crate::interactions::{Csr, Interactions};
use crate::linalg::cg_implicit::{solve_row_cg, CgStop, CgWorkspace, FactorGram, ImplicitSide};
use crate::model::{AlsModel, AlsParams, Feedback, IterationStats, Matrix, RegScaling};
use crate::{CoreError, Result};

/// Standard deviation of the initial movie factors: small, so the first user solve is led by the data.
const INIT_STD: f32 = 0.01;

/// Implicit ALS in progress.
pub struct ImplicitTrainer<'a> {
    x: &'a Interactions,
    model: AlsModel,
    pool: rayon::ThreadPool,
    started: Instant,
    /// Pairs in the full matrix plus the extra confidence of the rated ones: the weight the loss is averaged over.
    total_weight: f64,
}

impl<'a> ImplicitTrainer<'a> {
    /// Validates `params` (which must say `Feedback::Implicit`), fits the bias-only baseline (kept for the
    /// non-personalised list and evaluation), and draws the initial movie factors from `params.seed`.
    pub fn new(x: &'a Interactions, scale: RatingScale, params: &AlsParams) -> Result<Self> {
        Self::start_with(start_training, x, scale, params)
    }

    /// [`ImplicitTrainer::new`] for the ranking model beside a rating model: the model it trains holds its factors
    /// and history only (no baseline, no copy of the ratings).
    pub fn for_ranking(x: &'a Interactions, scale: RatingScale, params: &AlsParams) -> Result<Self> {
        Self::start_with(start_factors_only, x, scale, params)
    }

    fn start_with(start: StartFn, x: &'a Interactions, scale: RatingScale, params: &AlsParams) -> Result<Self> {
        if params.feedback != Feedback::Implicit {
            return Err(CoreError::invalid(
                "feedback",
                "the implicit trainer needs feedback = implicit",
            ));
        }
        let TrainingStart {
            started,
            pool,
            mut model,
        } = start(x, scale, params, INIT_STD)?;
        if model.params.reg_scaling == RegScaling::Plain && model.params.reg_factors == 0.0 {
            model.params.reg_factors = lambda_from_size(x);
        }
        if model.params.alpha == 0.0 {
            model.params.alpha = alpha_from_size(x);
        }
        let confidence = model.params.confidence_fn(scale);
        let extra: f64 = x
            .by_user
            .values
            .iter()
            .map(|&r| (confidence.of(r).0 - 1.0) as f64)
            .sum();
        let total_weight = x.n_users() as f64 * x.n_items() as f64 + extra;
        Ok(Self {
            x,
            model,
            pool,
            started,
            total_weight,
        })
    }
}

type StartFn = fn(&Interactions, RatingScale, &AlsParams, f32) -> Result<TrainingStart>;

/// The size rule of the defaults `regFactors` 0 and `alpha` 0, fitted to the settings chosen on validation splits of
/// two data sets (docs/tuning.md): lambda 20 and alpha 3 at about 90,000 training ratings (ml-latest-small), lambda 100
/// and alpha 10 at about 900,000 (ml-1m). Lambda grows as the ratings to the power 0.7 from the larger one.
const RULE_RATINGS: f64 = 900_000.0;
const RULE_LAMBDA: f64 = 100.0;
const LAMBDA_EXPONENT: f64 = 0.7;
/// Training ratings per unit of alpha, up to [`MAX_ALPHA`].
const RATINGS_PER_ALPHA: f64 = 30_000.0;
const MAX_ALPHA: f64 = 10.0;

/// The plain lambda of `regFactors` 0 for training data `x`.
pub fn lambda_from_size(x: &Interactions) -> f32 {
    (RULE_LAMBDA * (x.nnz() as f64 / RULE_RATINGS).powf(LAMBDA_EXPONENT)) as f32
}

/// The confidence weight of `alpha` 0 for training data `x`: less data, less confidence in each rating (from 1 at
/// 30,000 ratings or fewer to 10 from 300,000).
pub fn alpha_from_size(x: &Interactions) -> f32 {
    (x.nnz() as f64 / RATINGS_PER_ALPHA).clamp(1.0, MAX_ALPHA) as f32
}

impl Trainer for ImplicitTrainer<'_> {
    fn steps(&self) -> usize {
        self.model.params.iterations
    }

    /// One iteration: all users against fixed movies, then all movies against the new users. Records and returns
    /// `train_rmse` = the confidence-weighted RMS error of the preference over the full matrix,
    /// `sqrt(sum c (p - x.y)^2 / sum c)`.
    fn step(&mut self) -> IterationStats {
        let m = &mut self.model;
        let (lambda, confidence) = (m.params.row_lambda(), m.params.confidence_fn(m.scale));
        let stop = CgStop {
            max_steps: m.params.cg_steps,
            relative_residual_sq: 0.0,
        };
        self.pool.install(|| {
            let gram = FactorGram::of(&m.item_factors);
            let items = ImplicitSide {
                factors: &m.item_factors,
                gram: &gram,
                lambda,
                confidence,
            };
            half_step(&self.x.by_user, items, stop, &mut m.user_factors)
        });
        let loss = self.pool.install(|| {
            let gram = FactorGram::of(&m.user_factors);
            let users = ImplicitSide {
                factors: &m.user_factors,
                gram: &gram,
                lambda,
                confidence,
            };
            half_step(&self.x.by_item, users, stop, &mut m.item_factors)
        });
        let stats = IterationStats {
            iteration: m.history.len() + 1,
            train_rmse: (loss.max(0.0) / self.total_weight).sqrt(),
            validation_rmse: None,
            elapsed_seconds: self.started.elapsed().as_secs_f64(),
        };
        m.history.push(stats.clone());
        stats
    }

    fn model(&self) -> &AlsModel {
        &self.model
    }

    fn history_mut(&mut self) -> &mut Vec<IterationStats> {
        &mut self.model.history
    }

    fn into_model(self) -> AlsModel {
        self.model
    }
}

/// Solves every row of `rows` against `side` in parallel, warm-started from `out`; returns the summed loss data term.
fn half_step(rows: &Csr, side: ImplicitSide<'_>, stop: CgStop, out: &mut Matrix) -> f64 {
    let k = out.cols;
    let per_row: Vec<f64> = out
        .data
        .par_chunks_mut(k)
        .enumerate()
        // Rows differ in length by four orders of magnitude; small pieces keep both threads busy to the end.
        .with_max_len(64)
        .map_init(
            || CgWorkspace::new(k),
            |ws, (r, x)| {
                let (cols, ratings) = rows.row(r);
                solve_row_cg(ws, side, cols, ratings, stop, x)
            },
        )
        .collect();
    per_row.iter().sum()
}
