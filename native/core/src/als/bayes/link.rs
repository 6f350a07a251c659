//! A side's prior mean from its features (Macau's link, Simm et al. 2015): row `r`'s prior mean is `beta' g_r`, with
//! `g_r` its 0/1 feature row (intercept, genres, year bucket for a movie), and the link `beta` (features x
//! coordinates) is drawn every sweep from its conditional given the side's current rows.
//!
//! With each column of `beta` a priori `N(0, (ridge * lambda_d)^-1 I)` and the rows `w_rd ~ N(g_r' beta_d, 1/lambda_d)`,
//! the conditional of column `d` is `N(C^-1 G' t_d, (lambda_d C)^-1)` with `C = G'G + ridge I` over the rows with
//! ratings: `C` does not change, so it is factored once, and a draw costs two triangular solves per coordinate.

use rand_distr::{Distribution, StandardNormal};

use crate::dataset::features::FeatureRows;
use crate::linalg::solve::SpdFactor;
use crate::rng::Rng;

/// Prior precision of the link's entries, relative to the coordinate's `lambda` (docs/tuning.md: flat from 0.3 to 3).
pub(super) const LINK_RIDGE: f64 = 1.0;

pub(super) struct FeatureLink {
    features: FeatureRows,
    /// Which rows enter the regression (the ones with ratings; the others only read their prior mean).
    fitted: Vec<bool>,
    gram: SpdFactor,
    /// `features x d`, row-major; zero until the first draw.
    beta: Vec<f64>,
    drawn: bool,
    d: usize,
}

impl FeatureLink {
    /// The link of `features` (one row per row of the side), fitted on the rows `fitted` marks, for `d` coordinates.
    pub(super) fn new(features: FeatureRows, fitted: Vec<bool>, d: usize) -> Self {
        let f = features.n_features();
        let mut gram = vec![0.0f64; f * f];
        for r in (0..features.rows()).filter(|&r| fitted[r]) {
            let row = features.row(r);
            for &a in row {
                for &b in row {
                    gram[a as usize * f + b as usize] += 1.0;
                }
            }
        }
        for j in 0..f {
            gram[j * f + j] += LINK_RIDGE;
        }
        let gram = SpdFactor::new(&gram, f).expect("G'G + ridge I is positive definite");
        Self {
            features,
            fitted,
            gram,
            beta: vec![0.0; f * d],
            drawn: false,
            d,
        }
    }

    /// Draws `beta` given `targets` (rows x d, row-major: what the link explains of each row) and the coordinates'
    /// prior precisions `lambda`.
    pub(super) fn draw(&mut self, targets: &[f64], lambda: &[f64], rng: &mut Rng) {
        let (f, d) = (self.features.n_features(), self.d);
        let mut column = vec![0.0f64; f];
        let mut noise = vec![0.0f64; f];
        for j in 0..d {
            column.fill(0.0);
            for r in (0..self.features.rows()).filter(|&r| self.fitted[r]) {
                let t = targets[r * d + j];
                for &a in self.features.row(r) {
                    column[a as usize] += t;
                }
            }
            self.gram.solve(&mut column);
            noise.iter_mut().for_each(|z| *z = StandardNormal.sample(rng));
            self.gram.draw(&mut noise);
            let scale = 1.0 / lambda[j].sqrt();
            for (a, (&m, &z)) in column.iter().zip(&noise).enumerate() {
                self.beta[a * d + j] = m + scale * z;
            }
        }
        self.drawn = true;
    }

    /// Adds each row's prior mean `beta' g_r` to `out` (rows x d, row-major).
    pub(super) fn add_means(&self, out: &mut [f64]) {
        let d = self.d;
        for (r, row_out) in out.chunks_exact_mut(d).enumerate() {
            for &a in self.features.row(r) {
                let beta = &self.beta[a as usize * d..(a as usize + 1) * d];
                row_out.iter_mut().zip(beta).for_each(|(o, &b)| *o += b);
            }
        }
    }

    /// What the link adds to the Gamma posterior of each coordinate's precision: `features` to twice the shape and
    /// `ridge * sum_a beta_ad^2` to twice the rate (nothing before the first draw).
    pub(super) fn precision_terms(&self, shape2: &mut f64, rate2: &mut [f64]) {
        if !self.drawn {
            return;
        }
        *shape2 += self.features.n_features() as f64;
        for row in self.beta.chunks_exact(self.d) {
            rate2.iter_mut().zip(row).for_each(|(s, &b)| *s += LINK_RIDGE * b * b);
        }
    }
}
