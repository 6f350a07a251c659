//! Alternating least squares with biases.
//!
//! - `solve`: one row of a half-step (normal equations by blocked Gram + Cholesky), shared with fold-in.
//! - `explicit`: the explicit-rating trainer (weighted-lambda regularisation, Zhou et al. 2008).
//! - `baseline`: the bias-only model trained beside it.
//! - `implicit` (trainer, fold-in) and `cg` (one row by conjugate gradient): implicit feedback (Hu, Koren, Volinsky
//!   2008) for top-N lists; [`train`] dispatches on `params.feedback`.

mod baseline;
pub(crate) mod cg;
mod lanes;
mod explicit;
mod gram;
pub mod implicit;
pub(crate) mod solve;

pub use cg::FactorGram;
pub use explicit::ExplicitTrainer;
pub use implicit::{fold_in_gram, fold_in_implicit, implicit_defaults, train_implicit, ImplicitTrainer};

use crate::dataset::RatingScale;
use crate::interactions::Interactions;
use crate::model::{AlsModel, AlsParams, Feedback, IterationStats};
use crate::{CoreError, Result};

pub const MAX_FACTORS: usize = 1024;
pub const MAX_ITERATIONS: usize = 1000;

impl Default for AlsParams {
    /// Tuned on ml-1m, random 90/10 split, seed 42 (the table is in the README): the best test RMSE that trains in
    /// about a second there.
    fn default() -> Self {
        Self {
            factors: 64,
            reg_factors: 0.07,
            reg_bias: 0.01,
            iterations: 10,
            seed: 42,
            threads: 0,
            feedback: Feedback::Explicit,
            alpha: crate::model::DEFAULT_ALPHA,
            cg_steps: crate::model::DEFAULT_CG_STEPS,
        }
    }
}

/// Trains an explicit-feedback model on `x`. `on_iteration` runs after every iteration; returning false cancels
/// training (`CoreError::Cancelled`).
pub fn train_explicit(
    x: &Interactions,
    scale: RatingScale,
    params: &AlsParams,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    let mut trainer = ExplicitTrainer::new(x, scale, params)?;
    for _ in 0..params.iterations {
        let stats = trainer.step();
        if !on_iteration(&stats) {
            return Err(CoreError::Cancelled);
        }
    }
    Ok(trainer.into_model())
}

/// Trains the model `params.feedback` asks for: [`train_explicit`] or [`implicit::train_implicit`].
pub fn train(
    x: &Interactions,
    scale: RatingScale,
    params: &AlsParams,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    match params.feedback {
        Feedback::Explicit => train_explicit(x, scale, params, on_iteration),
        Feedback::Implicit => train_implicit(x, scale, params, on_iteration),
    }
}

/// Rejects hyper-parameters that cannot give a model, with a message naming the parameter and its range.
pub fn validate_params(params: &AlsParams) -> Result<()> {
    validate_common(params)?;
    if params.feedback != Feedback::Explicit {
        return Err(CoreError::InvalidInput(
            "implicit feedback is not supported by the explicit trainer".into(),
        ));
    }
    Ok(())
}

/// The checks both trainers share.
pub(crate) fn validate_common(params: &AlsParams) -> Result<()> {
    let bad = |msg: String| Err(CoreError::InvalidInput(msg));
    if !(1..=MAX_FACTORS).contains(&params.factors) {
        return bad(format!("factors must be in 1..={MAX_FACTORS}, got {}", params.factors));
    }
    if !(1..=MAX_ITERATIONS).contains(&params.iterations) {
        return bad(format!(
            "iterations must be in 1..={MAX_ITERATIONS}, got {}",
            params.iterations
        ));
    }
    for (name, value) in [("regFactors", params.reg_factors), ("regBias", params.reg_bias)] {
        if !(value.is_finite() && value >= 0.0) {
            return bad(format!("{name} must be a finite number >= 0, got {value}"));
        }
    }
    Ok(())
}
