//! Alternating least squares with biases.
//!
//! - `solve`: one row of a half-step (normal equations by blocked Gram + Cholesky), shared with fold-in.
//! - `explicit`: the explicit-rating trainer (weighted-lambda regularisation, Zhou et al. 2008).
//! - `baseline`: the bias-only model trained beside it.
//! - `bayes`: the Gibbs-sampled variant (posterior-mean factors, or predictions averaged over samples).
//! - `implicit` (trainer, fold-in) and `cg` (one row by conjugate gradient): implicit feedback (Hu, Koren, Volinsky
//!   2008) for top-N lists; [`train`] dispatches on `params.feedback`.

mod baseline;
pub mod bayes;
pub(crate) mod cg;
mod driver;
mod explicit;
mod gather;
mod gram;
pub mod implicit;
mod isa;
mod lanes;
pub(crate) mod solve;
mod start;

pub use crate::params::{als_defaults, implicit_defaults};
pub use bayes::{train_gibbs, GibbsParams, GibbsTrainer};
pub use cg::FactorGram;
pub use driver::train_ratings;
pub use explicit::ExplicitTrainer;
pub use implicit::{fold_in_gram, fold_in_implicit, train_implicit, ImplicitTrainer};

use crate::dataset::RatingScale;
use crate::interactions::Interactions;
use crate::model::{AlsModel, AlsParams, Feedback, IterationStats, Method};
use crate::{CoreError, Result};

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

/// Trains the model `params` asks for on all of `x` ([`train_ratings`] also holds out validation ratings):
/// [`train_explicit`], [`bayes::train_gibbs`] or [`implicit::train_implicit`]. Every trainer validates `params`
/// once as it starts ([`AlsParams::validate`]).
pub fn train(
    x: &Interactions,
    scale: RatingScale,
    params: &AlsParams,
    on_iteration: &mut dyn FnMut(&IterationStats) -> bool,
) -> Result<AlsModel> {
    match (params.feedback, params.method) {
        (Feedback::Implicit, _) => train_implicit(x, scale, params, on_iteration),
        (Feedback::Explicit, Method::Als) => train_explicit(x, scale, params, on_iteration),
        (Feedback::Explicit, Method::Gibbs) => train_gibbs(x, scale, params, GibbsParams::of(params), on_iteration),
    }
}
