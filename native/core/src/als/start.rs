//! What every trainer starts from, whatever its loss: a thread pool of the requested size, the bias-only baseline
//! (kept in the model for evaluation and the non-personalised list), seeded random initial movie factors, and the
//! one constructor of a model in training.

use std::time::Instant;

use rand_distr::{Distribution, Normal};

use super::baseline::fit_baseline;
use crate::dataset::RatingScale;
use crate::interactions::{Csr, Interactions};
use crate::model::{AlsModel, AlsParams, BiasBaseline, Engine, Feedback, Matrix};
use crate::{CoreError, Result};

pub(crate) struct TrainingStart {
    pub started: Instant,
    pub pool: rayon::ThreadPool,
    /// The model before the first iteration: user factors zero, movie factors drawn from N(0, init_std) with
    /// `params.seed`, the baseline fitted.
    pub model: AlsModel,
}

/// Every trainer starts here, so this is where training validates its parameters, once.
pub(crate) fn start_training(
    x: &Interactions,
    scale: RatingScale,
    params: &AlsParams,
    init_std: f32,
) -> Result<TrainingStart> {
    start(x, scale, params, init_std, Keep::Everything)
}

/// [`start_training`] for a model whose factors are all that is kept (the ranking model beside a rating model, which
/// holds the rest): no baseline and no copy of the training ratings.
pub(crate) fn start_factors_only(
    x: &Interactions,
    scale: RatingScale,
    params: &AlsParams,
    init_std: f32,
) -> Result<TrainingStart> {
    start(x, scale, params, init_std, Keep::FactorsOnly)
}

#[derive(Clone, Copy, PartialEq)]
enum Keep {
    Everything,
    FactorsOnly,
}

fn start(x: &Interactions, scale: RatingScale, params: &AlsParams, init_std: f32, keep: Keep) -> Result<TrainingStart> {
    params.validate()?;
    if x.nnz() == 0 {
        return Err(CoreError::invalid("ratings", "no ratings to train on"));
    }
    let started = Instant::now();
    let pool = crate::threads::pool(params.threads)?;
    let sum: f64 = x.by_user.values.iter().map(|&v| v as f64).sum();
    let mean = (sum / x.nnz() as f64) as f32;
    let everything = keep == Keep::Everything;
    let baseline = if everything {
        pool.install(|| fit_baseline(x, mean))
    } else {
        BiasBaseline::default()
    };

    let mut rng = crate::rng::seeded(params.seed, 0);
    let normal = Normal::new(0.0f32, init_std).expect("constant, valid standard deviation");
    let mut item_factors = Matrix::zeros(x.n_items(), params.factors);
    item_factors.data.iter_mut().for_each(|v| *v = normal.sample(&mut rng));

    let (global_mean, item_bias) = match params.feedback {
        // Movie biases start from the baseline's: the first user solve then sees sensible residuals.
        Feedback::Explicit => (mean, baseline.item_bias.clone()),
        // No biases: `predict_raw` is the preference score.
        Feedback::Implicit => (0.0, vec![0.0; x.n_items()]),
    };
    let model = AlsModel {
        engine: Engine::Movierec,
        params: params.clone(),
        scale,
        global_mean,
        users: x.users.clone(),
        items: x.items.clone(),
        user_factors: Matrix::zeros(x.n_users(), params.factors),
        item_factors,
        user_bias: vec![0.0; x.n_users()],
        item_bias,
        item_counts: (0..x.n_items()).map(|i| x.by_item.row_len(i) as u32).collect(),
        user_items: if everything { x.by_user.clone() } else { Csr::default() },
        baseline,
        history: Vec::new(),
        ranking: None,
    };
    Ok(TrainingStart { started, pool, model })
}
