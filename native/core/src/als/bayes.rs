//! Gibbs-sampled factorisation with biases (BPMF, Salakhutdinov & Mnih 2008), the default training `method`.
//!
//! The model is the explicit one (`rating = mean + b_u + b_i + p_u.q_i + noise`), with the weighted-lambda
//! regularisation of `solve` read as a Gaussian prior. Given the other side, a row's `[bias, factors]` has the
//! Gaussian posterior `N(m, sigma^2 A^-1)`, where `A = X'X + diag(reg * (n + prior))` and `m = A^-1 X'y` are exactly
//! the normal equations and solution of an ALS row ([`solve_row`]). A sample is `m + sigma U^-1 z` with `A = U'U`
//! (the Cholesky factor the solve already computed) and `z` standard normal; `sigma` is the noise level
//! (`noiseStd`, fixed; 0 in [`GibbsParams`] estimates it as the previous sweep's training RMSE, which is too low).
//!
//! The chain starts from a few ALS iterations (so burn-in is short), then sweeps users then movies, each row sampled
//! in parallel with its own random stream `rng::seeded(seed, stream(sweep, row))` — deterministic for a seed,
//! whatever the thread count. With the hyperprior (the default), each side's prior precision per coordinate is
//! drawn from its Gamma posterior before the side is sampled (BPMF's Normal-Wishart step, diagonal and with a zero
//! prior mean), replacing the fixed `regFactors`/`regBias` penalties.
//!
//! After `burn_in` sweeps, every sweep's factors, biases and predictions are added to running sums.
//! [`GibbsTrainer::averaged_predictions`] gives BPMF's average of predictions over samples for given pairs; the
//! model stored (an ordinary `AlsModel`: fold-in, scoring, model files unchanged) is the posterior mean of the
//! factors and biases distilled towards those averaged predictions ([`GibbsTrainer::distill`]).

use std::time::Instant;

use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use super::explicit::ExplicitTrainer;
use super::trainer::Trainer;
use crate::dataset::RatingScale;
use crate::interactions::{Csr, Interactions};
use crate::linalg::row::{FixedSide, Regularisation};
use crate::linalg::solve::{solve_row, Workspace};
use crate::model::{AlsModel, AlsParams, IterationStats, Matrix};
use crate::{CoreError, Result};

/// Sampler settings beside the ALS hyper-parameters (which give the priors).
#[derive(Clone, Debug, PartialEq)]
pub struct GibbsParams {
    /// ALS iterations that initialise the chain.
    pub init_iterations: usize,
    /// Sweeps discarded before averaging.
    pub burn_in: usize,
    /// Sweeps averaged.
    pub samples: usize,
    /// Standard deviation of the rating noise; 0 estimates it as each sweep's training RMSE at the row means
    /// (which underestimates it, since those means fit the training ratings).
    pub noise_std: f64,
    /// Sample each side's prior precision per coordinate (bias and every factor dimension) from its Gamma posterior
    /// given that side's current values (BPMF's hyperprior, diagonal), instead of the fixed `regFactors`/`regBias`.
    pub hyperprior: bool,
}

impl Default for GibbsParams {
    /// The sampler settings of the default parameters.
    fn default() -> Self {
        Self::of(&AlsParams::default())
    }
}

impl GibbsParams {
    /// The sampler settings of `params` (`method: gibbs`): `iterations` ALS sweeps start the chain.
    pub fn of(params: &AlsParams) -> Self {
        Self {
            init_iterations: params.iterations,
            burn_in: params.burn_in,
            samples: params.samples,
            noise_std: params.noise_std as f64,
            hyperprior: HYPERPRIOR,
        }
    }
}

/// Whether [`GibbsParams::of`] samples the prior precisions (see [`GibbsParams::hyperprior`]): it lowers the test RMSE
/// (docs/tuning.md).
const HYPERPRIOR: bool = true;

/// Distillation of the stored model (see [`GibbsTrainer::distill`]); chosen on ml-1m 90/10 (docs/tuning.md).
pub const DISTILL_PENALTY: f64 = 0.5;
pub const DISTILL_HALF_STEPS: usize = 7;

/// A Gibbs chain in progress; `step()` is one sweep.
pub struct GibbsTrainer<'a> {
    x: &'a Interactions,
    gibbs: GibbsParams,
    /// The current sample (factors and biases); its history collects the sweeps' statistics.
    current: AlsModel,
    pool: rayon::ThreadPool,
    sweep: usize,
    sigma: f64,
    /// Hyperprior only: the absolute penalty per coordinate of each side (sigma^2 * sampled precision).
    user_penalty: Vec<f64>,
    item_penalty: Vec<f64>,
    averaged: usize,
    sum_user_factors: Vec<f64>,
    sum_item_factors: Vec<f64>,
    sum_user_bias: Vec<f64>,
    sum_item_bias: Vec<f64>,
    /// Sum over averaged samples of each training rating's prediction (in `by_user` order).
    sum_train_predictions: Vec<f64>,
    probe: Vec<(u32, u32)>,
    sum_probe_predictions: Vec<f64>,
    started: Instant,
}

impl<'a> GibbsTrainer<'a> {
    /// Runs the initial ALS iterations. `probe` lists (user index, movie index) pairs whose predictions are
    /// averaged over the samples (see [`Self::averaged_predictions`]); it may be empty.
    pub fn new(
        x: &'a Interactions,
        scale: RatingScale,
        params: &AlsParams,
        gibbs: GibbsParams,
        probe: Vec<(u32, u32)>,
    ) -> Result<Self> {
        // The ALS start validates `params`, so their errors come before those of the sampler's own settings.
        let started = Instant::now();
        let mut init = ExplicitTrainer::new(x, scale, params)?;
        if !(gibbs.noise_std.is_finite() && gibbs.noise_std >= 0.0) {
            return Err(CoreError::invalid(
                "noiseStd",
                format!("noise_std must be >= 0, got {}", gibbs.noise_std),
            ));
        }
        let empty = [("iterations", gibbs.init_iterations), ("samples", gibbs.samples)];
        if let Some((field, _)) = empty.into_iter().find(|&(_, n)| n == 0) {
            return Err(CoreError::invalid(
                field,
                "Gibbs sampling needs at least one initial iteration and one sample",
            ));
        }
        if let Some(&(u, i)) = probe
            .iter()
            .find(|&&(u, i)| u as usize >= x.n_users() || i as usize >= x.n_items())
        {
            return Err(CoreError::invalid_input(format!(
                "probe pair ({u}, {i}) outside the training matrix"
            )));
        }
        let mut last = None;
        for _ in 0..gibbs.init_iterations {
            last = Some(init.step());
        }
        let sigma = if gibbs.noise_std > 0.0 {
            gibbs.noise_std
        } else {
            last.map_or(1.0, |s| s.train_rmse)
        };
        let (mut current, pool) = init.into_parts();
        current.history.clear();
        Ok(Self {
            sum_user_factors: vec![0.0; current.user_factors.data.len()],
            sum_item_factors: vec![0.0; current.item_factors.data.len()],
            sum_user_bias: vec![0.0; x.n_users()],
            sum_item_bias: vec![0.0; x.n_items()],
            sum_train_predictions: vec![0.0; x.nnz()],
            sum_probe_predictions: vec![0.0; probe.len()],
            probe,
            x,
            gibbs,
            current,
            pool,
            sweep: 0,
            sigma,
            user_penalty: Vec::new(),
            item_penalty: Vec::new(),
            averaged: 0,
            started,
        })
    }

    /// Adds the current sample to the running sums; returns the training RMSE of the averaged predictions.
    fn accumulate(&mut self) -> f64 {
        let m = &self.current;
        self.averaged += 1;
        add_into(&mut self.sum_user_factors, &m.user_factors.data);
        add_into(&mut self.sum_item_factors, &m.item_factors.data);
        add_into(&mut self.sum_user_bias, &m.user_bias);
        add_into(&mut self.sum_item_bias, &m.item_bias);
        let by_user = &self.x.by_user;
        let count = self.averaged as f64;
        // Per-user sums collected, then added in user order: the total does not depend on scheduling.
        let per_user: Vec<f64> = self.pool.install(|| {
            (0..self.x.n_users())
                .into_par_iter()
                .zip(split_rows_mut(&mut self.sum_train_predictions, by_user).into_par_iter())
                .map(|(u, sums)| {
                    let (cols, ratings) = by_user.row(u);
                    let mut sse = 0.0;
                    for ((&i, &r), s) in cols.iter().zip(ratings).zip(sums.iter_mut()) {
                        *s += m.predict_raw(u, i as usize) as f64;
                        let e = r as f64 - *s / count;
                        sse += e * e;
                    }
                    sse
                })
                .collect()
        });
        let sse: f64 = per_user.iter().sum();
        for (s, &(u, i)) in self.sum_probe_predictions.iter_mut().zip(&self.probe) {
            *s += m.predict_raw(u as usize, i as usize) as f64;
        }
        (sse / self.x.nnz() as f64).sqrt()
    }

    /// BPMF's estimate for the probe pairs: each pair's prediction averaged over the samples so far, clipped to the
    /// rating scale. Empty before the first averaged sample.
    pub fn averaged_predictions(&self) -> Vec<f32> {
        if self.averaged == 0 {
            return Vec::new();
        }
        let scale = self.current.scale;
        self.sum_probe_predictions
            .iter()
            .map(|&s| ((s / self.averaged as f64) as f32).clamp(scale.min, scale.max))
            .collect()
    }

    /// The probe pairs' predictions: averaged over the samples so far, or the current sample's during burn-in;
    /// clipped to the rating scale.
    pub fn probe_predictions(&self) -> Vec<f32> {
        if self.averaged > 0 {
            return self.averaged_predictions();
        }
        let m = &self.current;
        self.probe
            .iter()
            .map(|&(u, i)| m.predict(u as usize, i as usize))
            .collect()
    }

    /// The posterior mean of the factors and biases (the current sample before any averaging).
    pub fn posterior_mean(&self) -> AlsModel {
        let mut model = self.current.clone();
        if self.averaged > 0 {
            let n = self.averaged as f64;
            let mean_of = |sums: &[f64]| sums.iter().map(|&s| (s / n) as f32).collect::<Vec<f32>>();
            model.user_factors.data = mean_of(&self.sum_user_factors);
            model.item_factors.data = mean_of(&self.sum_item_factors);
            model.user_bias = mean_of(&self.sum_user_bias);
            model.item_bias = mean_of(&self.sum_item_bias);
        }
        model
    }

    /// `model` distilled towards the averaged predictions: `half_steps` ALS half-steps (users, movies, users, ...) whose
    /// targets are the averaged training predictions instead of the ratings, with a flat `penalty` per coordinate.
    ///
    /// Why: averaging factors over a chain that slowly rotates shrinks their products, so the posterior mean predicts
    /// worse than the average of the samples' predictions. Refitting the rank-k model to those averaged predictions,
    /// which are smooth (noise averaged out), closes most of the gap in a few ALS half-steps (docs/tuning.md).
    pub fn distill(&self, model: &AlsModel, penalty: f64, half_steps: usize) -> AlsModel {
        let mut out = model.clone();
        if self.averaged == 0 {
            return out;
        }
        let n = self.averaged as f64;
        let by_user_targets: Vec<f32> = self.sum_train_predictions.iter().map(|&s| (s / n) as f32).collect();
        let by_item_targets = transpose_values(&by_user_targets, &self.x.by_user, &self.x.by_item);
        let reg = model.params.regularisation();
        let mean = model.global_mean;
        let pen = vec![penalty; out.user_factors.cols + 1];
        for step in 0..half_steps {
            let m = &mut out;
            let (rows, targets, fixed, factors, bias) = if step % 2 == 0 {
                let fixed = FixedSide {
                    factors: &m.item_factors,
                    bias: &m.item_bias,
                };
                (
                    &self.x.by_user,
                    &by_user_targets,
                    fixed,
                    &mut m.user_factors,
                    &mut m.user_bias,
                )
            } else {
                let fixed = FixedSide {
                    factors: &m.user_factors,
                    bias: &m.user_bias,
                };
                (
                    &self.x.by_item,
                    &by_item_targets,
                    fixed,
                    &mut m.item_factors,
                    &mut m.item_bias,
                )
            };
            let per_row = split_rows(targets, rows);
            self.pool
                .install(|| solve_all(rows, &per_row, fixed, mean, reg, &pen, factors, bias));
        }
        out
    }
}

impl Trainer for GibbsTrainer<'_> {
    /// Burn-in + samples.
    fn steps(&self) -> usize {
        self.gibbs.burn_in + self.gibbs.samples
    }

    /// One sweep: sample all users, then all movies. After burn-in the training RMSE reported is that of the
    /// running average of predictions (what the averaged model will score); during burn-in, the current sample's.
    fn step(&mut self) -> IterationStats {
        let m = &mut self.current;
        let reg = m.params.regularisation();
        let (mean, sigma, seed) = (m.global_mean, self.sigma, m.params.seed);
        let n_users = self.x.n_users() as u64;
        let stream_base = 1 + self.sweep as u64 * (n_users + self.x.n_items() as u64);
        if self.gibbs.hyperprior {
            // Streams counted down from the top, far from the rows' streams counted up from 1.
            let stream = u64::MAX - 2 * self.sweep as u64;
            self.user_penalty = sample_penalty(&m.user_factors, &m.user_bias, &self.x.by_user, sigma, seed, stream);
        }
        let user_penalty = &self.user_penalty;
        self.pool.install(|| {
            let items = FixedSide {
                factors: &m.item_factors,
                bias: &m.item_bias,
            };
            let draw = Draw {
                sigma,
                seed,
                stream_base,
            };
            sample_half(
                &self.x.by_user,
                items,
                mean,
                (reg, user_penalty),
                draw,
                &mut m.user_factors,
                &mut m.user_bias,
            );
        });
        if self.gibbs.hyperprior {
            let stream = u64::MAX - 2 * self.sweep as u64 - 1;
            self.item_penalty = sample_penalty(&m.item_factors, &m.item_bias, &self.x.by_item, sigma, seed, stream);
        }
        let item_penalty = &self.item_penalty;
        let sse = self.pool.install(|| {
            let users = FixedSide {
                factors: &m.user_factors,
                bias: &m.user_bias,
            };
            let draw = Draw {
                sigma,
                seed,
                stream_base: stream_base + n_users,
            };
            sample_half(
                &self.x.by_item,
                users,
                mean,
                (reg, item_penalty),
                draw,
                &mut m.item_factors,
                &mut m.item_bias,
            )
        });
        self.sweep += 1;
        let sample_rmse = (sse / self.x.nnz() as f64).sqrt();
        if self.gibbs.noise_std <= 0.0 {
            self.sigma = sample_rmse;
        }
        let train_rmse = if self.sweep > self.gibbs.burn_in {
            self.accumulate()
        } else {
            sample_rmse
        };
        let stats = IterationStats {
            iteration: self.sweep,
            train_rmse,
            validation_rmse: None,
            elapsed_seconds: self.started.elapsed().as_secs_f64(),
        };
        self.current.history.push(stats.clone());
        stats
    }

    /// The current sample.
    fn model(&self) -> &AlsModel {
        &self.current
    }

    /// BPMF's estimates for the probe pairs ([`GibbsTrainer::probe_predictions`]); the current sample's for others.
    fn estimates(&self, pairs: &[(u32, u32)]) -> Vec<f32> {
        if pairs == self.probe.as_slice() {
            return self.probe_predictions();
        }
        let m = &self.current;
        pairs.iter().map(|&(u, i)| m.predict(u as usize, i as usize)).collect()
    }

    fn history_mut(&mut self) -> &mut Vec<IterationStats> {
        &mut self.current.history
    }

    /// The model stored: the posterior mean distilled towards the averaged predictions
    /// ([`GibbsTrainer::distill`] with [`DISTILL_PENALTY`] and [`DISTILL_HALF_STEPS`]).
    fn into_model(self) -> AlsModel {
        let mean = self.posterior_mean();
        self.distill(&mean, DISTILL_PENALTY, DISTILL_HALF_STEPS)
    }
}

/// Values given in `from`'s order (one per entry) rearranged into `to`'s order, `to` being `from` transposed with
/// rows sorted by column.
fn transpose_values(values: &[f32], from: &Csr, to: &Csr) -> Vec<f32> {
    let mut cursor: Vec<usize> = (0..to.rows()).map(|r| to.indptr[r] as usize).collect();
    let mut out = vec![0.0f32; values.len()];
    let mut at = 0;
    for r in 0..from.rows() {
        let (cols, _) = from.row(r);
        for &c in cols {
            out[cursor[c as usize]] = values[at];
            cursor[c as usize] += 1;
            at += 1;
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn solve_all(
    rows: &Csr,
    targets: &[&[f32]],
    fixed: FixedSide<'_>,
    mean: f32,
    reg: Regularisation,
    penalty: &[f64],
    out_factors: &mut Matrix,
    out_bias: &mut [f32],
) {
    let k = out_factors.cols;
    out_factors
        .data
        .par_chunks_mut(k)
        .zip(out_bias.par_iter_mut())
        .enumerate()
        .for_each_init(
            || sampler_workspace(k, penalty),
            |ws, (r, (factors, bias))| {
                let (cols, _) = rows.row(r);
                *bias = solve_row(ws, fixed, mean, cols, targets[r], reg, factors);
            },
        );
}

/// A row-solve workspace for the sampler: the f64 Cholesky factor kept (draws are `U^-1 z`, and the sampler's
/// results stay those of the f64 solve), and the per-dimension prior precisions when there are any.
fn sampler_workspace(k: usize, penalty: &[f64]) -> Workspace {
    let mut ws = Workspace::new(k);
    ws.keep_cholesky();
    if !penalty.is_empty() {
        ws.set_penalty(penalty);
    }
    ws
}

/// `values` (one entry per rating of `rows`) split into one slice per row.
fn split_rows<'s, T>(mut values: &'s [T], rows: &Csr) -> Vec<&'s [T]> {
    let mut out = Vec::with_capacity(rows.rows());
    for r in 0..rows.rows() {
        let (head, tail) = values.split_at(rows.row_len(r));
        out.push(head);
        values = tail;
    }
    out
}

/// Where a half-step's random numbers come from.
#[derive(Clone, Copy)]
struct Draw {
    sigma: f64,
    seed: u64,
    stream_base: u64,
}

/// Samples every row of `rows` from its conditional posterior; returns the summed squared training error at the
/// posterior means (the solve's error; cheap, and what sets the next sweep's noise level).
fn sample_half(
    rows: &Csr,
    fixed: FixedSide<'_>,
    mean: f32,
    (reg, penalty): (Regularisation, &[f64]),
    draw: Draw,
    out_factors: &mut Matrix,
    out_bias: &mut [f32],
) -> f64 {
    let k = out_factors.cols;
    let per_row: Vec<f64> = out_factors
        .data
        .par_chunks_mut(k)
        .zip(out_bias.par_iter_mut())
        .enumerate()
        .map_init(
            || (sampler_workspace(k, penalty), vec![0.0f64; k + 1]),
            |(ws, noise), (r, (factors, bias))| {
                let (cols, ratings) = rows.row(r);
                *bias = solve_row(ws, fixed, mean, cols, ratings, reg, factors);
                if !cols.is_empty() {
                    let mut rng = crate::rng::seeded(draw.seed, draw.stream_base + r as u64);
                    noise.iter_mut().for_each(|z| *z = StandardNormal.sample(&mut rng));
                    let (u, stride) = ws.cholesky_upper();
                    back_substitute(u, stride, noise);
                    *bias += (draw.sigma * noise[0]) as f32;
                    for (f, &z) in factors.iter_mut().zip(&noise[1..]) {
                        *f += (draw.sigma * z) as f32;
                    }
                }
                ws.row_error()
            },
        )
        .collect();
    per_row.iter().sum()
}

/// Shape and rate of the Gamma hyperprior on each coordinate's prior precision: weak (worth two rows), centred on
/// precision 1.
const HYPER_SHAPE: f64 = 1.0;
const HYPER_RATE: f64 = 1.0;

/// BPMF's hyperprior step, per coordinate: the prior precision `lambda_j` of coordinate `j` (bias, then each
/// factor) has the Gamma posterior `shape + n/2`, `rate + sum_r w_rj^2 / 2` over the `n` rows that have ratings;
/// returns the penalties `sigma^2 * lambda_j` a row solve adds to its diagonal.
fn sample_penalty(factors: &Matrix, bias: &[f32], rows: &Csr, sigma: f64, seed: u64, stream: u64) -> Vec<f64> {
    let k = factors.cols;
    let mut squares = vec![0.0f64; k + 1];
    let mut n = 0usize;
    for r in (0..rows.rows()).filter(|&r| rows.row_len(r) > 0) {
        n += 1;
        squares[0] += bias[r] as f64 * bias[r] as f64;
        for (s, &f) in squares[1..].iter_mut().zip(factors.row(r)) {
            *s += f as f64 * f as f64;
        }
    }
    let mut rng = crate::rng::seeded(seed, stream);
    squares
        .iter()
        .map(|&sq| {
            let gamma = rand_distr::Gamma::new(HYPER_SHAPE + n as f64 / 2.0, 1.0 / (HYPER_RATE + sq / 2.0))
                .expect("positive shape and scale");
            sigma * sigma * gamma.sample(&mut rng)
        })
        .collect()
}

/// Solves `U v = z` in place (`U` upper triangular, row-major with `stride`): `v = U^-1 z ~ N(0, (U'U)^-1)`.
fn back_substitute(u: &[f64], stride: usize, z: &mut [f64]) {
    let d = z.len();
    for i in (0..d).rev() {
        let row = &u[i * stride..i * stride + d];
        let s: f64 = row[i + 1..].iter().zip(&z[i + 1..]).map(|(a, b)| a * b).sum();
        z[i] = (z[i] - s) / row[i];
    }
}

fn add_into(sums: &mut [f64], values: &[f32]) {
    sums.iter_mut().zip(values).for_each(|(s, &v)| *s += v as f64);
}

/// `values` (one entry per rating of `rows`) split into one mutable slice per row.
fn split_rows_mut<'s>(mut values: &'s mut [f64], rows: &Csr) -> Vec<&'s mut [f64]> {
    let mut out = Vec::with_capacity(rows.rows());
    for r in 0..rows.rows() {
        let (head, tail) = values.split_at_mut(rows.row_len(r));
        out.push(head);
        values = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_substitution_inverts_an_upper_triangle() {
        // U = [[2, 1], [0, 4]] (stride 3), z = [4, 8] -> v = [1, 2].
        let u = [2.0, 1.0, 0.0, 0.0, 4.0, 0.0];
        let mut z = [4.0, 8.0];
        back_substitute(&u, 3, &mut z);
        assert_eq!(z, [1.0, 2.0]);
    }
}
