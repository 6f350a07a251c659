//! One implicit-feedback row solved exactly: the Hu-Koren-Volinsky normal equations of a user against fixed movie
//! factors `Y` (Gram `G = Y'Y`),
//!
//! ```text
//! A x = b,    A = G + sum_j (c_j - 1) y_j y_j' + lambda I,    b = sum_j c_j p_j y_j
//! ```
//!
//! formed in f64 and factored by Cholesky. Fold-in uses it (training's few warm-started CG steps, `cg_implicit`, solve
//! the same system approximately), and so do explanations: with `W = A^-1`, a movie's score is
//! `y_i' x = sum_j c_j p_j (y_i' W y_j)`, a sum over the rated movies (HKV section 5), and [`ImplicitSystem::
//! contributions`] gives its terms.
//!
//! The sparse part is the explicit row solve's Gram kernel (`gram.rs`) on the rows `sqrt(c_j - 1) y_j`, which adds
//! into the `(k + 1)`-wide layout of an explicit row (coordinate 0 is the explicit bias): here coordinate 0 is unused
//! and held at the identity, so the factor and the solves are the explicit row's too (`solve/cholesky.rs`).

use super::cg_implicit::ImplicitSide;
use super::gram::{gram_chunk, TILE_COLS};
use super::isa::{dispatch_by_isa, F64_LANES, PORTABLE};
use super::solve::cholesky;

/// Rows gathered per Gram block (as the explicit row solve).
const CHUNK: usize = 128;

/// A row's factored system, kept for solves against other right-hand sides (explanations).
pub(crate) struct ImplicitSystem {
    k: usize,
    padded: usize,
    stride: usize,
    block: Vec<f32>,
    /// The Cholesky factor `U` of `[1 0; 0 A]` (row-major, `stride` wide, upper triangle).
    factor: Vec<f64>,
    packed: Vec<[f64; F64_LANES]>,
    /// `[0, b]`, then (after [`factor_system`]) `[0, x]`.
    solution: Vec<f64>,
    /// The row's columns and their `c_j p_j`.
    cols: Vec<u32>,
    weighted: Vec<f32>,
}

impl ImplicitSystem {
    pub(crate) fn new(k: usize) -> Self {
        let padded = k.div_ceil(TILE_COLS) * TILE_COLS;
        let stride = (k + 1).div_ceil(F64_LANES) * F64_LANES;
        Self {
            k,
            padded,
            stride,
            block: vec![0.0; CHUNK * padded],
            factor: vec![0.0; (k + 1) * stride],
            packed: vec![[0.0; F64_LANES]; stride],
            solution: vec![0.0; k + 1],
            cols: Vec::new(),
            weighted: Vec::new(),
        }
    }

    /// The columns of the row last factored, in its order.
    pub(crate) fn cols(&self) -> &[u32] {
        &self.cols
    }

    /// The solution `x = A^-1 b` of the row last factored.
    pub(crate) fn solution(&self) -> impl Iterator<Item = f32> + '_ {
        self.solution[1..].iter().map(|&v| v as f32)
    }

    /// The terms `c_j p_j (y' W y_j)` of `y' x` over the row's columns `j` (in the row's order; 0 for a preference
    /// 0), where `y` is any vector of the fixed side's width (a movie's factors) and `W = A^-1`. Their sum is
    /// `y' x` up to rounding.
    pub(crate) fn contributions(&self, side: ImplicitSide<'_>, y: &[f32]) -> Vec<f64> {
        assert_eq!(y.len(), self.k, "contributions: vector of another width");
        let mut z = vec![0.0f64; self.k + 1];
        z[1..].iter_mut().zip(y).for_each(|(z, &v)| *z = v as f64);
        cholesky::solve::<PORTABLE>(&self.factor, self.stride, &mut z);
        self.cols
            .iter()
            .zip(&self.weighted)
            .map(|(&c, &w)| {
                if w == 0.0 {
                    return 0.0;
                }
                let yj = side.factors.row(c as usize);
                w as f64 * z[1..].iter().zip(yj).map(|(a, &b)| a * b as f64).sum::<f64>()
            })
            .collect()
    }
}

dispatch_by_isa! {
    /// Forms and factors the system of the row `cols`/`ratings` against `side` and solves it (the solution:
    /// [`ImplicitSystem::solution`]). False when the matrix is not numerically positive definite (only possible with
    /// lambda 0 and a rank-deficient side).
    pub(crate) fn factor_system(
        sys: &mut ImplicitSystem,
        side: ImplicitSide<'_>,
        cols: &[u32],
        ratings: &[f32],
    ) -> bool => factor_impl
}

#[inline(always)]
fn factor_impl<const ISA: u8>(sys: &mut ImplicitSystem, side: ImplicitSide<'_>, cols: &[u32], ratings: &[f32]) -> bool {
    let (k, padded, stride) = (sys.k, sys.padded, sys.stride);
    assert_eq!(side.factors.cols, k, "factor_system: side of another width");
    assert_eq!(side.gram.factors(), k, "factor_system: gram of another width");
    assert_eq!(cols.len(), ratings.len(), "factor_system: one rating per column");
    let lambda = side.lambda.of(cols.len()) as f64;
    let u = &mut sys.factor;
    u.fill(0.0);
    u[0] = 1.0;
    for a in 0..k {
        for b in a..k {
            u[(1 + a) * stride + 1 + b] = side.gram.entry(a, b) as f64;
        }
        u[(1 + a) * stride + 1 + a] += lambda;
    }
    sys.solution.fill(0.0);
    sys.cols.clear();
    sys.cols.extend_from_slice(cols);
    sys.weighted.clear();
    for (chunk_cols, chunk_ratings) in cols.chunks(CHUNK).zip(ratings.chunks(CHUNK)) {
        for (r, (&c, &rating)) in chunk_cols.iter().zip(chunk_ratings).enumerate() {
            let (conf, preference) = side.confidence.of(rating);
            let y = side.factors.row(c as usize);
            let scale = (conf - 1.0).max(0.0).sqrt();
            let row = &mut sys.block[r * padded..(r + 1) * padded];
            row[..k].iter_mut().zip(y).for_each(|(o, &v)| *o = scale * v);
            row[k..].fill(0.0);
            let weighted = conf * preference;
            sys.weighted.push(weighted);
            if weighted != 0.0 {
                sys.solution[1..]
                    .iter_mut()
                    .zip(y)
                    .for_each(|(s, &v)| *s += weighted as f64 * v as f64);
            }
        }
        gram_chunk::<ISA>(&sys.block, chunk_cols.len(), padded, k, u, stride);
    }
    cholesky::factor::<ISA>(u, stride, k + 1, &mut sys.packed) && cholesky::solve::<ISA>(u, stride, &mut sys.solution)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::cg_implicit::tests::{reference, test_row, GRADED};
    use crate::linalg::cg_implicit::FactorGram;
    use crate::linalg::cg_implicit::RowLambda;
    use crate::linalg::confidence::ConfidenceFn;
    use crate::linalg::Matrix;

    #[test]
    fn solves_exactly_and_its_contributions_sum_to_the_score() {
        for &(k, n_items, n) in &[
            (1usize, 9usize, 3usize),
            (7, 40, 11),
            (16, 60, 30),
            (33, 300, 200),
            (64, 500, 300),
        ] {
            let factors = Matrix {
                rows: n_items,
                cols: k,
                data: crate::rng::test_values(n_items * k, k as u32),
            };
            let gram = FactorGram::of(&factors);
            let (cols, ratings) = test_row(n_items, n);
            for (confidence, lambda) in [
                (GRADED, RowLambda::Plain(0.5)),
                (
                    ConfidenceFn::Linear { alpha: 1.0 },
                    RowLambda::Weighted(0.5 / cols.len() as f32),
                ),
            ] {
                let side = ImplicitSide {
                    factors: &factors,
                    gram: &gram,
                    lambda,
                    confidence,
                };
                let mut sys = ImplicitSystem::new(k);
                assert!(factor_system(&mut sys, side, &cols, &ratings));
                let x: Vec<f32> = sys.solution().collect();
                let want = reference(&factors, &cols, &ratings, 0.5, confidence);
                for j in 0..k {
                    assert!(
                        (x[j] as f64 - want[j]).abs() < 1e-4 * (1.0 + want[j].abs()),
                        "k={k} j={j}: {} vs {}",
                        x[j],
                        want[j]
                    );
                }
                for i in [0, n_items / 2, n_items - 1] {
                    let y = factors.row(i);
                    let parts = sys.contributions(side, y);
                    let score: f64 = y.iter().zip(&x).map(|(&a, &b)| a as f64 * b as f64).sum();
                    let sum: f64 = parts.iter().sum();
                    assert!(
                        (sum - score).abs() <= 1e-5 * (1.0 + score.abs()),
                        "k={k} item {i}: contributions sum to {sum}, score {score}"
                    );
                    for (&part, &rating) in parts.iter().zip(&ratings) {
                        if confidence.of(rating).1 == 0.0 {
                            assert_eq!(part, 0.0, "a disliked movie has no term of its own");
                        }
                    }
                }
            }
        }
    }
}
