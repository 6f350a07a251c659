//! The draws of one sweep: every row of a side from its Gaussian conditional, each side's prior precisions from
//! their Gamma conditional, and which seeded stream each draw takes.

use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use crate::interactions::Csr;
use crate::linalg::row::{FixedSide, Regularisation};
use crate::linalg::solve::{back_substitute, solve_row, Workspace};
use crate::model::Matrix;
use crate::rng::Rng;

/// Shape and rate of the Gamma hyperprior on each coordinate's prior precision: weak (worth two rows), centred on
/// precision 1.
const HYPER_SHAPE: f64 = 1.0;
const HYPER_RATE: f64 = 1.0;

/// Which seeded stream each draw of sweep `sweep` takes: rows count up from 1, the precisions down from the top, the
/// links and the rated-movie vectors in regions of their own between. A draw's stream depends only on what it draws,
/// never on scheduling, so a seed gives the same chain whatever the thread count.
#[derive(Clone, Copy)]
pub(super) struct Streams {
    pub seed: u64,
    pub sweep: u64,
    pub n_users: u64,
    pub n_items: u64,
}

/// The two sides of a sweep, in the order they are drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Users = 0,
    Items = 1,
}

impl Streams {
    /// Row `r` of `side`.
    pub(super) fn row(&self, side: Side, r: usize) -> u64 {
        let first = 1 + self.sweep * (self.n_users + self.n_items);
        let side_start = if side == Side::Users { 0 } else { self.n_users };
        first + side_start + r as u64
    }

    pub(super) fn precision(&self, side: Side) -> Rng {
        crate::rng::seeded(self.seed, u64::MAX - 2 * self.sweep - side as u64)
    }

    pub(super) fn link(&self, side: Side) -> Rng {
        crate::rng::seeded(self.seed, (1 << 62) + 2 * self.sweep + side as u64)
    }

    /// Block `block` of the rated-movie vectors' pass.
    pub(super) fn rated(&self, block: usize) -> Rng {
        crate::rng::seeded(self.seed, (1 << 61) + self.sweep * 1024 + block as u64)
    }
}

/// What a half-step of the sampler draws from: the noise level and the side's penalties and prior means.
pub(super) struct RowPrior<'p> {
    pub sigma: f64,
    /// Per coordinate (the sampled `sigma^2 lambda`), or empty for the weighted-lambda `Regularisation`.
    pub penalty: &'p [f64],
    /// Rows x (k + 1), row-major, or empty for a zero mean.
    pub means: &'p [f64],
}

/// Samples every row of `rows` from its conditional posterior (a row without ratings takes its prior mean); returns
/// the summed squared training error at the posterior means (the solve's error; cheap, and what sets the next sweep's
/// noise level without `noiseStd`).
#[allow(clippy::too_many_arguments)]
pub(super) fn sample_half(
    rows: &Csr,
    fixed: FixedSide<'_>,
    mean: f32,
    reg: Regularisation,
    prior: RowPrior<'_>,
    stream: impl Fn(usize) -> u64 + Sync,
    seed: u64,
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
            || (sampler_workspace(k, prior.penalty), vec![0.0f64; k + 1]),
            |(ws, noise), (r, (factors, bias))| {
                let (cols, ratings) = rows.row(r);
                if !prior.means.is_empty() {
                    ws.set_prior_mean(&prior.means[r * (k + 1)..(r + 1) * (k + 1)]);
                }
                *bias = solve_row(ws, fixed, mean, cols, ratings, reg, factors);
                if !cols.is_empty() {
                    let mut rng = crate::rng::seeded(seed, stream(r));
                    noise.iter_mut().for_each(|z| *z = StandardNormal.sample(&mut rng));
                    let (u, stride) = ws.cholesky_upper();
                    back_substitute(u, stride, noise);
                    *bias += (prior.sigma * noise[0]) as f32;
                    for (f, &z) in factors.iter_mut().zip(&noise[1..]) {
                        *f += (prior.sigma * z) as f32;
                    }
                }
                ws.row_error()
            },
        )
        .collect();
    per_row.iter().sum()
}

/// A row-solve workspace for the sampler: the f64 Cholesky factor kept (draws are `U^-1 z`, and the sampler's
/// results stay those of the f64 solve), and the per-dimension prior precisions when there are any.
pub(super) fn sampler_workspace(k: usize, penalty: &[f64]) -> Workspace {
    let mut ws = Workspace::new(k);
    ws.keep_cholesky();
    if !penalty.is_empty() {
        ws.set_penalty(penalty);
    }
    ws
}

/// Coordinate-wise sums of a side's rows about their prior means, over the rows with ratings: what the precisions'
/// Gamma posterior needs (BPMF's hyperprior step, diagonal), before any link adds its terms.
pub(super) struct PrecisionPosterior {
    /// Twice the shape beyond the hyperprior's (rows, then link features).
    pub shape2: f64,
    /// Twice the rate beyond the hyperprior's, per coordinate.
    pub rate2: Vec<f64>,
}

impl PrecisionPosterior {
    /// `rows` (rows x d, row-major, `[bias, factors]`) about `means` (same shape, or empty for zero), rows with
    /// ratings in `by_row` only.
    pub(super) fn of(rows: &[f64], means: &[f64], by_row: &Csr, d: usize) -> Self {
        let mut rate2 = vec![0.0f64; d];
        let mut n = 0usize;
        for r in (0..by_row.rows()).filter(|&r| by_row.row_len(r) > 0) {
            n += 1;
            let row = &rows[r * d..(r + 1) * d];
            for (c, s) in rate2.iter_mut().enumerate() {
                let e = row[c] - means.get(r * d + c).copied().unwrap_or(0.0);
                *s += e * e;
            }
        }
        Self {
            shape2: n as f64,
            rate2,
        }
    }

    /// Draws each coordinate's precision `lambda_j ~ Gamma(shape + shape2/2, rate + rate2_j/2)`; returns the penalties
    /// `sigma^2 * lambda_j` a row solve adds to its diagonal.
    pub(super) fn draw_penalties(&self, sigma: f64, rng: &mut Rng) -> Vec<f64> {
        self.rate2
            .iter()
            .map(|&sq| {
                let gamma = rand_distr::Gamma::new(HYPER_SHAPE + self.shape2 / 2.0, 1.0 / (HYPER_RATE + sq / 2.0))
                    .expect("positive shape and scale");
                sigma * sigma * gamma.sample(rng)
            })
            .collect()
    }
}

/// A side's rows as f64 `[bias, factors]` (rows x (k + 1), row-major).
pub(super) fn rows_of(factors: &Matrix, bias: &[f32]) -> Vec<f64> {
    let k = factors.cols;
    let mut out = vec![0.0f64; bias.len() * (k + 1)];
    for (r, row) in out.chunks_exact_mut(k + 1).enumerate() {
        row[0] = bias[r] as f64;
        row[1..]
            .iter_mut()
            .zip(factors.row(r))
            .for_each(|(o, &f)| *o = f as f64);
    }
    out
}
