//! Which movies a user rated, not only how (SVD++'s implicit term, Koren 2008, as in Bayesian SVD++): a user's prior
//! mean gains `sum_{j rated by u} y_j / sqrt(n_u)`, each movie `j` having a vector `y_j` (one value per coordinate
//! `[bias, factors]`) with prior `N(0, (ridge * lambda_d)^-1)`.
//!
//! The `y_j` are drawn by one exact single-site pass per sweep: movie after movie, each from its conditional given all
//! the others, through the users' residuals `R_u = w_u - m_u` kept up to date. (Warm-started conjugate-gradient draws
//! of all of `Y` at once are under-dispersed: the research behind issue 17 measured them at 0.918-0.920 against
//! 0.876.) Coordinates are independent given the precisions, so the pass runs per block of coordinates in parallel,
//! each block with its own random stream: the same draws whatever the thread count.

use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use crate::interactions::Csr;

/// Prior precision of the `y_j`, relative to the coordinate's `lambda` (docs/tuning.md: 1 best of 0.1, 1, 3).
const RATED_RIDGE: f64 = 1.0;

/// Coordinates per block of the pass (one vector of f64 lanes per user and movie).
const BLOCK: usize = 8;

pub(super) struct RatedMovies {
    /// Movies by user (`by_user`) and users by movie (`by_item`), for the weights `1 / sqrt(n_u)`.
    weight: Vec<f64>,
    /// Per movie: `sum over its raters of 1/n_u + ridge`, the precision of `y_j` in units of `lambda`.
    precision: Vec<f64>,
    /// `y` per block of coordinates: `blocks[b][j]` holds coordinates `b*BLOCK..` of movie `j`.
    blocks: Vec<Vec<[f64; BLOCK]>>,
    d: usize,
    drawn: bool,
}

impl RatedMovies {
    pub(super) fn new(by_user: &Csr, by_item: &Csr, d: usize) -> Self {
        let weight: Vec<f64> = (0..by_user.rows())
            .map(|u| match by_user.row_len(u) {
                0 => 0.0,
                n => 1.0 / (n as f64).sqrt(),
            })
            .collect();
        let precision = (0..by_item.rows())
            .map(|j| {
                let (raters, _) = by_item.row(j);
                raters.iter().map(|&u| weight[u as usize].powi(2)).sum::<f64>() + RATED_RIDGE
            })
            .collect();
        Self {
            weight,
            precision,
            blocks: vec![vec![[0.0; BLOCK]; by_item.rows()]; d.div_ceil(BLOCK)],
            d,
            drawn: false,
        }
    }

    /// Adds each user's implicit term `sum_j y_j / sqrt(n_u)` to `out` (users x d, row-major).
    pub(super) fn add_means(&self, by_user: &Csr, out: &mut [f64]) {
        let d = self.d;
        out.par_chunks_mut(d).enumerate().for_each(|(u, row)| {
            let (movies, _) = by_user.row(u);
            let w = self.weight[u];
            for (b, block) in self.blocks.iter().enumerate() {
                let lanes = &mut row[b * BLOCK..((b + 1) * BLOCK).min(d)];
                let mut sum = [0.0f64; BLOCK];
                for &j in movies {
                    let y = &block[j as usize];
                    sum = std::array::from_fn(|l| sum[l] + y[l]);
                }
                lanes.iter_mut().zip(sum).for_each(|(o, s)| *o += w * s);
            }
        });
    }

    /// One single-site pass: every `y_j` (movies with raters, in index order) drawn from its conditional, with
    /// `residuals` (users x d, row-major: `w_u - m_u`, `m_u` including the current implicit term) kept up to date.
    /// `lambda` holds the coordinates' prior precisions; block `b` draws from `stream(b)`.
    pub(super) fn pass(
        &mut self,
        by_item: &Csr,
        residuals: &mut [f64],
        lambda: &[f64],
        stream: impl Fn(usize) -> crate::rng::Rng + Sync,
    ) {
        let d = self.d;
        let n_users = self.weight.len();
        let (weight, precision) = (&self.weight, &self.precision);
        // Residuals by block (each block's users contiguous), so each block is one task's own memory.
        let mut by_block: Vec<Vec<[f64; BLOCK]>> = (0..self.blocks.len())
            .map(|b| {
                (0..n_users)
                    .map(|u| std::array::from_fn(|l| lane(&residuals[u * d..(u + 1) * d], b * BLOCK + l)))
                    .collect()
            })
            .collect();
        self.blocks
            .par_iter_mut()
            .zip(by_block.par_iter_mut())
            .enumerate()
            .for_each(|(b, (y, r))| {
                let mut rng = stream(b);
                let scale: [f64; BLOCK] =
                    std::array::from_fn(|l| 1.0 / lambda.get(b * BLOCK + l).map_or(1.0, |v| v.sqrt()));
                for (j, y_j) in y.iter_mut().enumerate() {
                    let (raters, _) = by_item.row(j);
                    if raters.is_empty() {
                        continue;
                    }
                    // Conditional mean: sum_u w_u (R_u + w_u y_j) / h_j.
                    let mut acc = [0.0f64; BLOCK];
                    for &u in raters {
                        let (w, r_u) = (weight[u as usize], &r[u as usize]);
                        acc = std::array::from_fn(|l| acc[l] + w * (r_u[l] + w * y_j[l]));
                    }
                    let h = precision[j];
                    let mut delta = [0.0f64; BLOCK];
                    for l in 0..BLOCK {
                        let z: f64 = StandardNormal.sample(&mut rng);
                        let drawn = acc[l] / h + scale[l] * z / h.sqrt();
                        delta[l] = drawn - y_j[l];
                        y_j[l] = drawn;
                    }
                    for &u in raters {
                        let w = weight[u as usize];
                        let r_u = &mut r[u as usize];
                        *r_u = std::array::from_fn(|l| r_u[l] - w * delta[l]);
                    }
                }
            });
        for (u, row) in residuals.chunks_exact_mut(d).enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = by_block[c / BLOCK][u][c % BLOCK];
            }
        }
        self.drawn = true;
    }

    /// What the `y_j` add to the Gamma posterior of each coordinate's precision (see `FeatureLink::precision_terms`):
    /// one feature per movie with raters.
    pub(super) fn precision_terms(&self, by_item: &Csr, shape2: &mut f64, rate2: &mut [f64]) {
        if !self.drawn {
            return;
        }
        let movies = (0..by_item.rows()).filter(|&j| by_item.row_len(j) > 0).count();
        *shape2 += movies as f64;
        for (b, block) in self.blocks.iter().enumerate() {
            for y in block {
                for (l, &v) in y.iter().enumerate().filter(|&(l, _)| b * BLOCK + l < self.d) {
                    rate2[b * BLOCK + l] += RATED_RIDGE * v * v;
                }
            }
        }
    }
}

/// Coordinate `c` of a row, 0 past its end (the padding lanes of the last block).
fn lane(row: &[f64], c: usize) -> f64 {
    row.get(c).copied().unwrap_or(0.0)
}
