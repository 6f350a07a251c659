//! Gibbs-sampled factorisation with biases (BPMF, Salakhutdinov & Mnih 2008), the default training `method`, with
//! side information in the priors (Macau, Simm et al. 2015) and the movies a user rated (Bayesian SVD++).
//!
//! The model is the explicit one (`rating = mean + b_u + b_i + p_u.q_i + noise`). Each row `w = [bias, factors]` has
//! the prior `N(m, diag(lambda)^-1)`; given the other side its posterior is `N(A^-1 (X'y + P m), sigma^2 A^-1)` with
//! `A = X'X + P`, `P = diag(sigma^2 lambda)`: the normal equations of an ALS row pulled towards `m`
//! ([`solve_row`](crate::linalg::solve)). A sample is that solution plus `sigma U^-1 z` with `A = U'U` and `z`
//! standard normal; `sigma` is the noise level (`noiseStd`, fixed).
//!
//! The chain starts from a few ALS iterations (so burn-in is short), then sweeps users then movies. Per side and
//! sweep (with the hyperprior, the default; [`GibbsParams`] can switch each part off):
//! 1. each coordinate's prior precision `lambda_d` is drawn from its Gamma posterior given the side's rows about their
//!    prior means (BPMF's Normal-Wishart step, diagonal);
//! 2. the prior means are drawn: a movie's from its features (`link.rs`: genres and year bucket, or an intercept alone
//!    without a catalogue), a user's from an intercept plus the rated movies' implicit vectors (`rated.rs`);
//! 3. every row is sampled in parallel with its own random stream (`sample.rs`): deterministic for a seed, whatever
//!    the thread count. A movie without ratings (in the catalogue only) takes its prior mean.
//!
//! After `burn_in` sweeps, every sweep's rows, prior means, penalties and predictions are added to running sums.
//! [`GibbsTrainer::averaged_predictions`] gives BPMF's average of predictions over samples for given pairs; the
//! model stored (an ordinary `AlsModel`: fold-in, scoring, model files unchanged) is the posterior mean refitted to
//! those averaged predictions (`distill.rs`, [`GibbsTrainer::distill`]).

mod distill;
mod link;
mod rated;
mod sample;

use std::time::Instant;

use rayon::prelude::*;

use super::explicit::ExplicitTrainer;
use super::side::SideInfo;
use super::trainer::Trainer;
use crate::dataset::features::FeatureRows;
use crate::dataset::RatingScale;
use crate::interactions::{Csr, Interactions};
use crate::linalg::row::FixedSide;
use crate::model::{AlsModel, AlsParams, IterationStats};
use crate::{CoreError, Result};
use distill::{refit, Refit};
use link::FeatureLink;
use rated::RatedMovies;
use sample::{rows_of, sample_half, PrecisionPosterior, RowPrior, Side, Streams};

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
    /// The parts below need it.
    pub hyperprior: bool,
    /// Sample each side's prior mean from its features: a movie's from its genres and year (an intercept alone
    /// without a catalogue), a user's from an intercept (and demographics, when given).
    pub feature_priors: bool,
    /// Add the rated movies' implicit vectors to each user's prior mean.
    pub rated_movies: bool,
    /// Distil the stored model with [`DISTILL_SHARE`] of the sampled penalties towards each row's prior mean; else
    /// with the flat [`DISTILL_PENALTY`] towards zero (the distillation before issue 17).
    pub distill_to_prior: bool,
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
            hyperprior: true,
            feature_priors: true,
            rated_movies: true,
            distill_to_prior: true,
        }
    }

    /// The sampler as it was before side information (issue 17): zero prior means, flat distillation. What the
    /// thin-data reports compare against.
    pub fn without_side_information(self) -> Self {
        Self {
            feature_priors: false,
            rated_movies: false,
            distill_to_prior: false,
            ..self
        }
    }
}

/// Distillation of the stored model (see [`GibbsTrainer::distill`]): with priors, [`DISTILL_SHARE`] of each
/// coordinate's posterior-mean penalty towards each row's posterior-mean prior mean; without, the flat
/// [`DISTILL_PENALTY`] towards zero. Chosen on ml-1m 90/10 and ml-100k-sized samples (docs/tuning.md).
pub const DISTILL_SHARE: f64 = 0.2;
pub const DISTILL_PENALTY: f64 = 0.5;
pub const DISTILL_HALF_STEPS: usize = 7;

/// One side's prior: its sampled penalties, its prior means and what draws them, and their running sums.
struct SidePrior {
    /// Hyperprior only: the absolute penalty per coordinate (sigma^2 * sampled precision).
    penalty: Vec<f64>,
    /// Rows x (k + 1), row-major; empty while the means are zero.
    means: Vec<f64>,
    link: Option<FeatureLink>,
    sum_penalty: Vec<f64>,
    sum_means: Vec<f64>,
}

impl SidePrior {
    fn new(link: Option<FeatureLink>) -> Self {
        Self {
            penalty: Vec::new(),
            means: Vec::new(),
            link,
            sum_penalty: Vec::new(),
            sum_means: Vec::new(),
        }
    }

    fn accumulate(&mut self) {
        add_f64(&mut self.sum_penalty, &self.penalty);
        add_f64(&mut self.sum_means, &self.means);
    }
}

/// A Gibbs chain in progress; `step()` is one sweep.
pub struct GibbsTrainer<'a> {
    x: &'a Interactions,
    gibbs: GibbsParams,
    /// The current sample (factors and biases); its history collects the sweeps' statistics.
    current: AlsModel,
    pool: rayon::ThreadPool,
    sweep: usize,
    sigma: f64,
    users: SidePrior,
    items: SidePrior,
    rated: Option<RatedMovies>,
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
    /// Runs the initial ALS iterations. `side` holds the features of `x`'s movies and users (each optional);
    /// `probe` lists (user index, movie index) pairs whose predictions are averaged over the samples (see
    /// [`Self::averaged_predictions`]); it may be empty.
    pub fn new(
        x: &'a Interactions,
        scale: RatingScale,
        params: &AlsParams,
        gibbs: GibbsParams,
        side: SideInfo,
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
        side.check(x)?;
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
        let d = params.factors + 1;
        let with_priors = gibbs.hyperprior && gibbs.feature_priors;
        let link_of = |features: Option<FeatureRows>, rows: &Csr| {
            with_priors.then(|| {
                let features = features.unwrap_or_else(|| FeatureRows::intercept_only(rows.rows()));
                let fitted = (0..rows.rows()).map(|r| rows.row_len(r) > 0).collect();
                FeatureLink::new(features, fitted, d)
            })
        };
        let users = SidePrior::new(link_of(side.users, &x.by_user));
        let items = SidePrior::new(link_of(side.movies, &x.by_item));
        let rated = (with_priors && gibbs.rated_movies).then(|| RatedMovies::new(&x.by_user, &x.by_item, d));
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
            users,
            items,
            rated,
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
        self.users.accumulate();
        self.items.accumulate();
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

    /// `model` distilled towards the averaged predictions: `half_steps` ALS half-steps (users, movies, users, ...)
    /// whose targets are the averaged training predictions instead of the ratings, regularised with `share` of each
    /// coordinate's posterior-mean penalty towards each row's posterior-mean prior mean, or (`share` None, or a chain
    /// without sampled penalties) with the flat [`DISTILL_PENALTY`] towards zero.
    pub fn distill(&self, model: &AlsModel, share: Option<f64>, half_steps: usize) -> AlsModel {
        if self.averaged == 0 {
            return model.clone();
        }
        let n = self.averaged as f64;
        let targets: Vec<f32> = self.sum_train_predictions.iter().map(|&s| (s / n) as f32).collect();
        let mean_of = |sums: &[f64], scale: f64| sums.iter().map(|&s| s * scale / n).collect::<Vec<f64>>();
        let flat = vec![DISTILL_PENALTY; model.params.factors + 1];
        let (user_penalty, item_penalty, user_means, item_means) = match share {
            Some(share) if !self.users.sum_penalty.is_empty() => (
                mean_of(&self.users.sum_penalty, share),
                mean_of(&self.items.sum_penalty, share),
                mean_of(&self.users.sum_means, 1.0),
                mean_of(&self.items.sum_means, 1.0),
            ),
            _ => (flat.clone(), flat, Vec::new(), Vec::new()),
        };
        let how = Refit {
            user_penalty: &user_penalty,
            item_penalty: &item_penalty,
            user_means: &user_means,
            item_means: &item_means,
        };
        refit(
            model,
            (&self.x.by_user, &self.x.by_item),
            &targets,
            &how,
            half_steps,
            &self.pool,
        )
    }

    /// Draws the prior precisions and the prior means of `side`, before its rows are sampled.
    fn draw_prior(&mut self, side: Side, streams: Streams) {
        if !self.gibbs.hyperprior {
            return;
        }
        let m = &self.current;
        let (factors, bias, by_row) = match side {
            Side::Users => (&m.user_factors, &m.user_bias, &self.x.by_user),
            Side::Items => (&m.item_factors, &m.item_bias, &self.x.by_item),
        };
        let d = factors.cols + 1;
        let rows = rows_of(factors, bias);
        let prior = match side {
            Side::Users => &mut self.users,
            Side::Items => &mut self.items,
        };
        let mut posterior = PrecisionPosterior::of(&rows, &prior.means, by_row, d);
        if let Some(link) = &prior.link {
            link.precision_terms(&mut posterior.shape2, &mut posterior.rate2);
        }
        if let (Side::Users, Some(rated)) = (side, &self.rated) {
            rated.precision_terms(&self.x.by_item, &mut posterior.shape2, &mut posterior.rate2);
        }
        prior.penalty = posterior.draw_penalties(self.sigma, &mut streams.precision(side));
        let Some(link) = prior.link.as_mut() else {
            return;
        };
        let lambda: Vec<f64> = prior.penalty.iter().map(|p| p / (self.sigma * self.sigma)).collect();
        // What the link explains: the rows, less the rated movies' term for users.
        let mut implicit = vec![0.0f64; rows.len()];
        let rated = self.rated.as_mut().filter(|_| side == Side::Users);
        if let Some(rated) = &rated {
            self.pool.install(|| rated.add_means(&self.x.by_user, &mut implicit));
        }
        let targets: Vec<f64> = rows.iter().zip(&implicit).map(|(w, y)| w - y).collect();
        link.draw(&targets, &lambda, &mut streams.link(side));
        let mut means = implicit;
        link.add_means(&mut means);
        if let Some(rated) = rated {
            // The pass keeps the residuals `w - m` current as it redraws each movie's vector; the means follow.
            let mut residuals: Vec<f64> = rows.iter().zip(&means).map(|(w, m)| w - m).collect();
            self.pool
                .install(|| rated.pass(&self.x.by_item, &mut residuals, &lambda, |b| streams.rated(b)));
            means = rows.iter().zip(&residuals).map(|(w, r)| w - r).collect();
        }
        prior.means = means;
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
        let streams = Streams {
            seed: self.current.params.seed,
            sweep: self.sweep as u64,
            n_users: self.x.n_users() as u64,
            n_items: self.x.n_items() as u64,
        };
        let reg = self.current.params.regularisation();
        let (mean, sigma, seed) = (self.current.global_mean, self.sigma, streams.seed);
        self.draw_prior(Side::Users, streams);
        let m = &mut self.current;
        let prior = RowPrior {
            sigma,
            penalty: &self.users.penalty,
            means: &self.users.means,
        };
        self.pool.install(|| {
            let items = FixedSide {
                factors: &m.item_factors,
                bias: &m.item_bias,
            };
            let stream = |r| streams.row(Side::Users, r);
            sample_half(
                &self.x.by_user,
                items,
                mean,
                reg,
                prior,
                stream,
                seed,
                &mut m.user_factors,
                &mut m.user_bias,
            );
        });
        self.draw_prior(Side::Items, streams);
        let m = &mut self.current;
        let prior = RowPrior {
            sigma,
            penalty: &self.items.penalty,
            means: &self.items.means,
        };
        let sse = self.pool.install(|| {
            let users = FixedSide {
                factors: &m.user_factors,
                bias: &m.user_bias,
            };
            let stream = |r| streams.row(Side::Items, r);
            sample_half(
                &self.x.by_item,
                users,
                mean,
                reg,
                prior,
                stream,
                seed,
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

    /// The model stored: the posterior mean distilled towards the averaged predictions ([`GibbsTrainer::distill`]
    /// with [`DISTILL_SHARE`], or the flat penalty when `distill_to_prior` is off, and [`DISTILL_HALF_STEPS`]).
    fn into_model(self) -> AlsModel {
        let mean = self.posterior_mean();
        let share = self.gibbs.distill_to_prior.then_some(DISTILL_SHARE);
        self.distill(&mean, share, DISTILL_HALF_STEPS)
    }
}

fn add_into(sums: &mut [f64], values: &[f32]) {
    sums.iter_mut().zip(values).for_each(|(s, &v)| *s += v as f64);
}

/// Adds `values` to `sums`, which start empty (the first call sizes them).
fn add_f64(sums: &mut Vec<f64>, values: &[f64]) {
    if sums.is_empty() {
        sums.resize(values.len(), 0.0);
    }
    sums.iter_mut().zip(values).for_each(|(s, &v)| *s += v);
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
