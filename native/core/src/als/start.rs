//! What every trainer starts from, whatever its loss: a thread pool of the requested size, the bias-only baseline
//! (kept in the model for evaluation and the non-personalised list), and seeded random initial movie factors.

use std::time::Instant;

use rand_distr::{Distribution, Normal};

use super::baseline::fit_baseline;
use crate::interactions::Interactions;
use crate::model::{AlsParams, BiasBaseline, Matrix};
use crate::{CoreError, Result};

pub(crate) struct TrainingStart {
    pub started: Instant,
    pub pool: rayon::ThreadPool,
    /// Mean of the training ratings.
    pub mean: f32,
    pub baseline: BiasBaseline,
    /// n_items x factors, drawn from N(0, init_std) with `params.seed`.
    pub item_factors: Matrix,
    /// Training ratings per movie.
    pub item_counts: Vec<u32>,
}

/// Every trainer starts here, so this is where training validates its parameters, once.
pub(crate) fn start_training(x: &Interactions, params: &AlsParams, init_std: f32) -> Result<TrainingStart> {
    params.validate()?;
    if x.nnz() == 0 {
        return Err(CoreError::invalid(None, "no ratings to train on"));
    }
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(params.threads)
        .thread_name(|i| format!("movierec-als-{i}"))
        .build()
        .map_err(|e| CoreError::invalid(None, format!("cannot start {} training threads: {e}", params.threads)))?;
    let sum: f64 = x.by_user.values.iter().map(|&v| v as f64).sum();
    let mean = (sum / x.nnz() as f64) as f32;
    let baseline = pool.install(|| fit_baseline(x, mean));

    let mut rng = crate::rng::seeded(params.seed, 0);
    let normal = Normal::new(0.0f32, init_std).expect("constant, valid standard deviation");
    let mut item_factors = Matrix::zeros(x.n_items(), params.factors);
    item_factors.data.iter_mut().for_each(|v| *v = normal.sample(&mut rng));

    let item_counts = (0..x.n_items()).map(|i| x.by_item.row_len(i) as u32).collect();
    Ok(TrainingStart {
        started,
        pool,
        mean,
        baseline,
        item_factors,
        item_counts,
    })
}
