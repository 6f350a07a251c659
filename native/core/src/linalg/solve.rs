//! One row of an ALS half-step: the regularised least squares for `[bias, factors]` of one user (or movie) against
//! the fixed factors and biases of the other side. Training, fold-in and evaluation all call [`solve_row`], so a
//! folded-in user is exactly what the user half-step would have produced.
//!
//! For a row with ratings `r_j` on columns `c_j` (movies for a user), with fixed vectors `q_j` and biases `o_j`:
//!
//! ```text
//! minimise  sum_j (r_j - mean - o_j - b - q_j.p)^2 + (n + prior) * (reg_bias * b^2 + reg_factors * |p|^2)
//! ```
//!
//! (weighted-lambda regularisation, Zhou et al. 2008: the penalty grows with the row's rating count `n`; `prior`
//! adds that many virtual ratings, so rows with very few ratings are held near zero). With the
//! features `x_j = [1, q_j]` this is the normal equations `(X'X + diag(reg)) w = X'y` of size `k+1`, built in f64
//! and solved in mixed precision (`solve/mixed.rs`), or by an f64 Cholesky (`solve/cholesky.rs`) for callers that
//! need the factor itself (the Gibbs sampler) and as the fallback when the f32 factorisation fails.
//!
//! Cost is dominated by `X'X`: the fixed vectors of up to `CHUNK` ratings are gathered into a small dense f32 block
//! whose Gram matrix `gram::gram_chunk` adds into the f64 normal equations.

use super::gather::{gather_chunk, Chunk};
use super::gram::{gram_chunk, TILE_COLS};
use super::isa::dispatch_by_isa;
use super::isa::F64_LANES;
use super::isa::PORTABLE;
use super::lanes::prefetch_l2;
use super::row::{FixedSide, Regularisation};

pub(crate) mod cholesky;
mod mixed;

use mixed::MixedSolver;

/// Ratings gathered per block: the block (`CHUNK x padded k` f32) stays in L1 for k <= 64 and in L2 beyond.
const CHUNK: usize = 128;

/// Per-thread buffers, reused for every row a worker solves, so the row loop never allocates.
pub(crate) struct Workspace {
    k: usize,
    /// `k` rounded up to a multiple of `TILE_COLS`; padding columns of `block` stay zero.
    padded: usize,
    block: Vec<f32>,
    /// Per-chunk f32 sums of q and y*q (vector-wide), added into the f64 equations after each chunk.
    chunk_sum_q: Vec<f32>,
    chunk_sum_yq: Vec<f32>,
    /// Row stride of `normal` and `cholesky`: `k + 1` rounded up to whole f64 vectors, so every row operation of
    /// the Cholesky runs on full vectors.
    stride: usize,
    /// Normal-equation matrix (`(k+1) x stride`, upper triangle used, the rest zero), its Cholesky factor,
    /// right-hand side, solution.
    normal: Vec<f64>,
    cholesky: Vec<f64>,
    rhs: Vec<f64>,
    solution: Vec<f64>,
    /// Scratch of the Cholesky (one panel, interleaved).
    packed: Vec<[f64; F64_LANES]>,
    /// Squared training error of the row last solved (see [`Workspace::row_error`]).
    row_error: f64,
    /// When not empty: the absolute penalty of each coordinate (`[bias, factors...]`), replacing the count-weighted
    /// `Regularisation` (the Gibbs sampler's per-dimension prior precisions, see [`Workspace::set_penalty`]).
    penalty: Vec<f64>,
    /// When not empty: the prior mean `m` the penalty pulls the next row towards instead of zero (`[bias, factors...]`,
    /// see [`Workspace::set_prior_mean`]).
    prior_mean: Vec<f64>,
    /// The mixed-precision solver (f32 factor, f64 refinement; see `solve/mixed.rs`), unless the caller needs the
    /// f64 Cholesky factor itself ([`Workspace::keep_cholesky`]).
    mixed: Option<MixedSolver>,
    /// Whether the bias is held at zero ([`Workspace::without_bias`]).
    no_bias: bool,
}

impl Workspace {
    pub fn new(k: usize) -> Self {
        let padded = k.div_ceil(TILE_COLS) * TILE_COLS;
        let d = k + 1;
        let stride = d.div_ceil(F64_LANES) * F64_LANES;
        Self {
            k,
            padded,
            block: vec![0.0; CHUNK * padded],
            chunk_sum_q: vec![0.0; k],
            chunk_sum_yq: vec![0.0; k],
            stride,
            normal: vec![0.0; d * stride],
            cholesky: vec![0.0; d * stride],
            rhs: vec![0.0; d],
            solution: vec![0.0; d],
            packed: vec![[0.0; F64_LANES]; stride],
            row_error: 0.0,
            penalty: Vec::new(),
            prior_mean: Vec::new(),
            mixed: Some(MixedSolver::new(k)),
            no_bias: false,
        }
    }

    /// Makes every following solve hold the bias at zero and solve the factors alone (a model without biases, such
    /// as Spark's): the bias's equation becomes `b = 0` and its coupling to the factors is dropped.
    pub(crate) fn without_bias(&mut self) {
        self.no_bias = true;
    }

    /// Makes every following solve factor in f64 and keep the factor for [`Workspace::cholesky_upper`] (the Gibbs
    /// sampler draws from it), instead of the faster mixed-precision solve.
    pub(crate) fn keep_cholesky(&mut self) {
        self.mixed = None;
    }

    /// Makes every following solve add `penalty[j]` to diagonal entry `j` of the normal equations (`k + 1` values:
    /// bias first), whatever the row's rating count, instead of the weighted-lambda `Regularisation`.
    pub(crate) fn set_penalty(&mut self, penalty: &[f64]) {
        assert_eq!(penalty.len(), self.k + 1, "one penalty per coordinate");
        self.penalty.clear();
        self.penalty.extend_from_slice(penalty);
    }

    /// Makes the following solves pull towards `mean` (`k + 1` values, bias first) instead of zero: the penalty term
    /// becomes `sum_j penalty_j (w_j - mean_j)^2`, so the right-hand side gains `penalty_j * mean_j` and a row without
    /// ratings solves to `mean` itself. An empty slice restores the zero mean. Callers set it per row.
    pub(crate) fn set_prior_mean(&mut self, mean: &[f64]) {
        assert!(
            mean.is_empty() || mean.len() == self.k + 1,
            "one prior mean per coordinate"
        );
        self.prior_mean.clear();
        self.prior_mean.extend_from_slice(mean);
    }

    /// `sum_j (r_j - mean - o_j - b - q_j.p)^2` of the row [`solve_row`] last solved, at its result.
    pub fn row_error(&self) -> f64 {
        self.row_error
    }

    /// The upper Cholesky factor `U` (`U'U` = the normal-equation matrix) of the row [`solve_row`] last solved,
    /// row-major with row stride `.1`; row `p` holds `U[p, p..k+1]` from column `p`. Only valid after a solve of a
    /// row with ratings by a workspace set to [`Workspace::keep_cholesky`]. The Gibbs sampler (`bayes`) draws `U^-1 z` from it.
    pub(crate) fn cholesky_upper(&self) -> (&[f64], usize) {
        (&self.cholesky, self.stride)
    }
}

/// Solves one row; writes the factors into `out_factors` and returns the bias. A row without ratings gets zeros.
///
/// `cols`/`ratings` are the row's columns (indices into `fixed`) and values. Dispatches once per row to a copy of
/// the code compiled for the widest vector unit the CPU has (the check is a cached load).
pub(crate) fn solve_row(
    ws: &mut Workspace,
    fixed: FixedSide<'_>,
    mean: f32,
    cols: &[u32],
    ratings: &[f32],
    reg: Regularisation,
    out_factors: &mut [f32],
) -> f32 {
    solve_row_then(ws, fixed, mean, cols, ratings, reg, out_factors, &[])
}

dispatch_by_isa! {
    /// [`solve_row`], told the columns of the row the caller solves next (`upcoming`): while this row's last Gram
    /// block and its factorisation run, that row's first fixed vectors are fetched from memory (a half-step's gather
    /// is a random walk over a factor matrix larger than the cache, and otherwise waits on memory between computing).
    pub(crate) fn solve_row_then(
        ws: &mut Workspace,
        fixed: FixedSide<'_>,
        mean: f32,
        cols: &[u32],
        ratings: &[f32],
        reg: Regularisation,
        out_factors: &mut [f32],
        upcoming: &[u32],
    ) -> f32 => solve_row_impl
}

/// The row solve, inlined into each unit's copy of [`solve_row_then`] so the compiler vectorises it for that unit;
/// `ISA` picks the matching Gram kernel.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn solve_row_impl<const ISA: u8>(
    ws: &mut Workspace,
    fixed: FixedSide<'_>,
    mean: f32,
    cols: &[u32],
    ratings: &[f32],
    reg: Regularisation,
    out_factors: &mut [f32],
    upcoming: &[u32],
) -> f32 {
    let k = ws.k;
    let (d, stride) = (k + 1, ws.stride);
    debug_assert_eq!(out_factors.len(), k);
    debug_assert_eq!(fixed.factors.cols, k);
    let n = cols.len();
    ws.row_error = 0.0;
    if n == 0 {
        return match ws.prior_mean.split_first() {
            Some((&bias, factors)) => {
                out_factors.iter_mut().zip(factors).for_each(|(o, &m)| *o = m as f32);
                bias as f32
            }
            None => {
                out_factors.fill(0.0);
                0.0
            }
        };
    }
    ws.normal.fill(0.0);
    ws.rhs.fill(0.0);
    let mut sum_y2 = 0.0f64;

    for (chunk, (chunk_cols, chunk_ratings)) in cols.chunks(CHUNK).zip(ratings.chunks(CHUNK)).enumerate() {
        // Gather: the block's row r is the fixed vector of the chunk's r-th rating. Meanwhile sum the bias row of
        // the normal equations (sum of q) and the right-hand side (sums of y and y*q): O(n k), in f32 per chunk.
        let chunk_data = Chunk {
            cols: chunk_cols,
            ratings: chunk_ratings,
            ahead: &cols[chunk * CHUNK..],
        };
        let (sum_y, chunk_y2) = gather_chunk::<ISA>(
            fixed,
            mean,
            chunk_data,
            &mut ws.block,
            ws.padded,
            (&mut ws.chunk_sum_q, &mut ws.chunk_sum_yq),
        );
        ws.rhs[0] += sum_y;
        sum_y2 += chunk_y2;
        let (sum_q, sum_yq) = (&mut ws.normal[1..d], &mut ws.rhs[1..d]);
        for ((s, t), (&cs, &ct)) in sum_q
            .iter_mut()
            .zip(sum_yq)
            .zip(ws.chunk_sum_q.iter().zip(&ws.chunk_sum_yq))
        {
            *s += cs as f64;
            *t += ct as f64;
        }
        // The next block's vectors (this row's or the upcoming row's) are fetched while this one is computed.
        let next = match cols.get((chunk + 1) * CHUNK..) {
            Some(rest) if !rest.is_empty() => rest,
            _ => upcoming,
        };
        for &c in &next[..next.len().min(CHUNK)] {
            prefetch_l2(fixed.factors.row(c as usize));
        }
        gram_chunk::<ISA>(&ws.block, chunk_cols.len(), ws.padded, k, &mut ws.normal, stride);
    }

    let n_f = n as f64;
    ws.normal[0] = n_f;
    // What the diagonal holds beyond X'X (per coordinate), for the training error below.
    let mut added = [0.0f64; 2];
    let weight = n_f + reg.prior;
    let (uniform_bias, uniform_factors) = (reg.bias * weight, reg.factors * weight);
    let penalty_of = |penalty: &[f64], j: usize| {
        if penalty.is_empty() {
            if j == 0 {
                uniform_bias
            } else {
                uniform_factors
            }
        } else {
            penalty[j]
        }
    };
    for j in 0..d {
        ws.normal[j * stride + j] += penalty_of(&ws.penalty, j);
    }
    // The prior mean's pull, `penalty * mean` on the right-hand side.
    if !ws.prior_mean.is_empty() {
        for j in 0..d {
            ws.rhs[j] += penalty_of(&ws.penalty, j) * ws.prior_mean[j];
        }
    }
    if ws.no_bias {
        // Row 0 (the upper triangle's bias row) becomes the equation b = 0.
        ws.normal[..d].fill(0.0);
        ws.normal[0] = 1.0;
        ws.rhs[0] = 0.0;
    }
    let min_penalty = (1..d).map(|j| penalty_of(&ws.penalty, j)).fold(f64::INFINITY, f64::min);
    if !solve_normal_equations::<ISA>(ws, d, min_penalty) {
        // Only reachable with zero regularisation and a rank-deficient row: a tiny ridge makes it solvable.
        let ridge = 1e-9 * (1.0 + (0..d).map(|j| ws.normal[j * stride + j]).fold(0.0, f64::max));
        for j in 0..d {
            ws.normal[j * stride + j] += ridge;
        }
        added = [ridge; 2];
        if !solve_normal_equations::<ISA>(ws, d, min_penalty + ridge) {
            out_factors.fill(0.0);
            ws.row_error = sum_y2;
            return 0.0;
        }
    }
    for (o, &s) in out_factors.iter_mut().zip(&ws.solution[1..]) {
        *o = s as f32;
    }
    let pulled: f64 = if ws.prior_mean.is_empty() {
        0.0
    } else {
        (0..d)
            .map(|j| penalty_of(&ws.penalty, j) * ws.prior_mean[j] * ws.solution[j])
            .sum()
    };
    let penalty_at = |j: usize| penalty_of(&ws.penalty, j) + added[(j > 0) as usize];
    ws.row_error = squared_error_at_solution(ws, d, sum_y2, penalty_at, pulled);
    ws.solution[0] as f32
}

/// The row's squared training error `sum_j (y_j - x_j.w)^2` at the solution `w`, from the normal equations instead
/// of a second pass over the ratings: `sum y^2 - 2 w'X'y + w'X'Xw`, where `(X'X + added) w = X'y + P m` (`P m` the
/// prior mean's pull, `pulled = w'P m`) makes `w'X'Xw = w'X'y + w'P m - w'(added)w`; with `rhs = X'y + P m` that is
/// `sum y^2 - w'rhs + 2 w'P m - w'(added)w`. O(k), in f64. (The stored solution is `w` rounded to f32; that moves the
/// error by about 1e-7 of it.)
#[inline(always)]
fn squared_error_at_solution(ws: &Workspace, d: usize, sum_y2: f64, added: impl Fn(usize) -> f64, pulled: f64) -> f64 {
    let w = &ws.solution[..d];
    let linear: f64 = ws.rhs.iter().zip(w).map(|(a, b)| a * b).sum();
    let added: f64 = w.iter().enumerate().map(|(j, v)| added(j) * v * v).sum();
    (sum_y2 - linear + 2.0 * pulled - added).max(0.0)
}

/// Solves `normal * w = rhs` (upper triangle of `normal` given) into `ws.solution` by Cholesky `U'U` (into
/// `ws.cholesky`), leaving `normal` as it was. Returns false when the matrix is not (numerically) positive definite.
#[inline(always)]
fn solve_normal_equations<const ISA: u8>(ws: &mut Workspace, d: usize, min_penalty: f64) -> bool {
    let stride = ws.stride;
    if let Some(mixed) = ws.mixed.as_mut() {
        if mixed.solve::<ISA>(&ws.normal, stride, &ws.rhs, &mut ws.solution, min_penalty) {
            return true;
        }
    }
    ws.cholesky.copy_from_slice(&ws.normal);
    if !cholesky::factor::<ISA>(&mut ws.cholesky, stride, d, &mut ws.packed) {
        return false;
    }
    ws.solution.copy_from_slice(&ws.rhs);
    cholesky::solve::<ISA>(&ws.cholesky, stride, &mut ws.solution)
}

/// A small symmetric positive definite matrix factored once as `U'U` (the Gibbs sampler's feature links: a few dozen
/// features), for solves `A^-1 x` and draws `U^-1 z ~ N(0, A^-1)`.
pub(crate) struct SpdFactor {
    upper: Vec<f64>,
    stride: usize,
}

impl SpdFactor {
    /// Factors the `d x d` matrix `a` (row-major, symmetric); None when it is not positive definite.
    pub(crate) fn new(a: &[f64], d: usize) -> Option<Self> {
        assert_eq!(a.len(), d * d, "a d x d matrix");
        let stride = d.div_ceil(F64_LANES).max(1) * F64_LANES;
        let mut upper = vec![0.0; d * stride];
        for (row, from) in upper.chunks_exact_mut(stride).zip(a.chunks_exact(d)) {
            row[..d].copy_from_slice(from);
        }
        let mut packed = vec![[0.0; F64_LANES]; stride];
        cholesky::factor::<PORTABLE>(&mut upper, stride, d, &mut packed).then_some(Self { upper, stride })
    }

    /// `x <- A^-1 x`.
    pub(crate) fn solve(&self, x: &mut [f64]) {
        cholesky::solve::<PORTABLE>(&self.upper, self.stride, x);
    }

    /// `z <- U^-1 z`: standard normal `z` becomes a draw from `N(0, A^-1)`.
    pub(crate) fn draw(&self, z: &mut [f64]) {
        back_substitute(&self.upper, self.stride, z);
    }
}

/// Solves `U v = z` in place (`U` upper triangular, row-major with `stride`): `v = U^-1 z ~ N(0, (U'U)^-1)` for
/// standard normal `z`.
pub(crate) fn back_substitute(u: &[f64], stride: usize, z: &mut [f64]) {
    let d = z.len();
    for i in (0..d).rev() {
        let row = &u[i * stride..i * stride + d];
        let s: f64 = row[i + 1..].iter().zip(&z[i + 1..]).map(|(a, b)| a * b).sum();
        z[i] = (z[i] - s) / row[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Matrix;

    /// Direct dense normal equations with Gaussian elimination, to check the tiled path independently.
    fn reference(fixed: FixedSide<'_>, mean: f32, cols: &[u32], ratings: &[f32], reg: Regularisation) -> Vec<f64> {
        let k = fixed.factors.cols;
        let d = k + 1;
        let mut a = vec![vec![0.0f64; d + 1]; d];
        for (&c, &r) in cols.iter().zip(ratings) {
            let mut x = vec![1.0f64];
            x.extend(fixed.factors.row(c as usize).iter().map(|&v| v as f64));
            let y = (r - mean - fixed.bias[c as usize]) as f64;
            for i in 0..d {
                for j in 0..d {
                    a[i][j] += x[i] * x[j];
                }
                a[i][d] += x[i] * y;
            }
        }
        let n = cols.len() as f64 + reg.prior;
        a[0][0] += reg.bias * n;
        for (j, row) in a.iter_mut().enumerate().skip(1) {
            row[j] += reg.factors * n;
        }
        for p in 0..d {
            let pivot_row = a[p].clone();
            for row in a.iter_mut().skip(p + 1) {
                let f = row[p] / pivot_row[p];
                row.iter_mut().zip(&pivot_row).skip(p).for_each(|(v, &q)| *v -= f * q);
            }
        }
        let mut w = vec![0.0; d];
        for i in (0..d).rev() {
            let s: f64 = (i + 1..d).map(|j| a[i][j] * w[j]).sum();
            w[i] = (a[i][d] - s) / a[i][i];
        }
        w
    }

    #[test]
    fn matches_dense_reference_for_odd_sizes_and_long_rows() {
        for &(k, n_ratings) in &[(1usize, 3usize), (7, 20), (16, 129), (33, 300), (64, 1000)] {
            let n_items = 50;
            let factors = Matrix {
                rows: n_items,
                cols: k,
                data: crate::rng::test_values(n_items * k, k as u32),
            };
            let bias = crate::rng::test_values(n_items, 99);
            let cols: Vec<u32> = (0..n_ratings).map(|j| ((j * 7 + 3) % n_items) as u32).collect();
            let ratings: Vec<f32> = crate::rng::test_values(n_ratings, 5)
                .iter()
                .map(|v| 3.0 + 2.0 * v)
                .collect();
            let reg = Regularisation {
                bias: 0.01,
                factors: 0.05,
                prior: 7.0,
            };
            let fixed = FixedSide {
                factors: &factors,
                bias: &bias,
            };
            let mut ws = Workspace::new(k);
            let mut out = vec![0.0; k];
            let b = solve_row(&mut ws, fixed, 3.5, &cols, &ratings, reg, &mut out);
            let want = reference(fixed, 3.5, &cols, &ratings, reg);
            assert!((b as f64 - want[0]).abs() < 1e-4, "k={k} bias {b} vs {}", want[0]);
            // The training error from the normal equations equals the direct sum over the ratings.
            let direct_error: f64 = cols
                .iter()
                .zip(&ratings)
                .map(|(&c, &r)| {
                    let p: f64 = factors
                        .row(c as usize)
                        .iter()
                        .zip(&out)
                        .map(|(&a, &b)| a as f64 * b as f64)
                        .sum();
                    let e = r as f64 - 3.5 - bias[c as usize] as f64 - b as f64 - p;
                    e * e
                })
                .sum();
            let error = ws.row_error();
            assert!(
                (error - direct_error).abs() <= 1e-6 * direct_error.max(1.0),
                "k={k}: {error} vs {direct_error}"
            );
            for j in 0..k {
                assert!(
                    (out[j] as f64 - want[1 + j]).abs() < 1e-4,
                    "k={k} j={j}: {} vs {}",
                    out[j],
                    want[1 + j]
                );
            }
        }
    }

    #[test]
    fn zero_regularisation_with_a_singular_row_still_gives_finite_numbers() {
        // Two identical item vectors, k = 3: X'X is rank 2 of 4 without regularisation.
        let factors = Matrix {
            rows: 1,
            cols: 3,
            data: vec![0.5, -0.2, 0.1],
        };
        let fixed = FixedSide {
            factors: &factors,
            bias: &[0.0],
        };
        let mut ws = Workspace::new(3);
        let mut out = vec![9.0; 3];
        let reg = Regularisation {
            bias: 0.0,
            factors: 0.0,
            prior: 0.0,
        };
        let b = solve_row(&mut ws, fixed, 3.0, &[0, 0], &[4.0, 4.0], reg, &mut out);
        assert!(b.is_finite() && out.iter().all(|v| v.is_finite()));
    }

    /// The mixed-precision solve (f32 factor, f64 refinement) gives what the f64 Cholesky gives, to well below
    /// the f32 rounding of the stored factors, from well- to badly-conditioned rows.
    #[test]
    fn mixed_precision_matches_the_f64_factorisation() {
        for &(k, n_ratings, reg_factors) in &[
            (1usize, 3usize, 0.05),
            (7, 20, 0.05),
            (33, 300, 0.01),
            (64, 2000, 0.05),
            (64, 70, 1e-4),
            (100, 150, 0.02),
        ] {
            let n_items = 80;
            let factors = Matrix {
                rows: n_items,
                cols: k,
                data: crate::rng::test_values(n_items * k, 3 + k as u32),
            };
            let bias = crate::rng::test_values(n_items, 7);
            let cols: Vec<u32> = (0..n_ratings).map(|j| ((j * 11 + 1) % n_items) as u32).collect();
            let ratings: Vec<f32> = crate::rng::test_values(n_ratings, 9)
                .iter()
                .map(|v| 3.0 + 2.0 * v)
                .collect();
            let reg = Regularisation {
                bias: 0.01,
                factors: reg_factors,
                prior: 2.0,
            };
            let fixed = FixedSide {
                factors: &factors,
                bias: &bias,
            };
            let (mut mixed, mut exact) = (Workspace::new(k), Workspace::new(k));
            exact.keep_cholesky();
            let (mut got, mut want) = (vec![0.0; k], vec![0.0; k]);
            let got_bias = solve_row(&mut mixed, fixed, 3.5, &cols, &ratings, reg, &mut got);
            let want_bias = solve_row(&mut exact, fixed, 3.5, &cols, &ratings, reg, &mut want);
            let scale = 1.0 + want.iter().fold(want_bias.abs(), |m, v| m.max(v.abs()));
            assert!(
                (got_bias - want_bias).abs() <= 1e-5 * scale,
                "k={k}: bias {got_bias} vs {want_bias}"
            );
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-6 * scale, "k={k} n={n_ratings}: {g} vs {w}");
            }
            let (ge, we) = (mixed.row_error(), exact.row_error());
            assert!((ge - we).abs() <= 1e-6 * we.max(1.0), "k={k}: error {ge} vs {we}");
            // The portable build of the same solve (what a CPU without AVX2 runs; its Gram sums in another order).
            let mut portable = vec![0.0; k];
            let portable_bias =
                solve_row_impl::<PORTABLE>(&mut mixed, fixed, 3.5, &cols, &ratings, reg, &mut portable, &[]);
            assert!(
                (portable_bias - want_bias).abs() <= 1e-5 * scale,
                "k={k}: portable bias"
            );
            for (g, w) in portable.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-5 * scale, "k={k}: portable {g} vs {w}");
            }
        }
    }

    /// Pulling towards a prior mean `m` is solving for `w - m` against the ratings less `m`'s prediction: the same
    /// solution and the same training error, with the mixed and the f64 solve, and a row without ratings gets `m`.
    #[test]
    fn a_prior_mean_shifts_the_solution_as_solving_for_the_difference() {
        let (k, n_items, n_ratings) = (6usize, 30usize, 40usize);
        let factors = Matrix {
            rows: n_items,
            cols: k,
            data: crate::rng::test_values(n_items * k, 11),
        };
        let bias = crate::rng::test_values(n_items, 12);
        let fixed = FixedSide {
            factors: &factors,
            bias: &bias,
        };
        let cols: Vec<u32> = (0..n_ratings).map(|j| ((j * 7 + 2) % n_items) as u32).collect();
        let ratings: Vec<f32> = crate::rng::test_values(n_ratings, 13)
            .iter()
            .map(|v| 3.0 + 2.0 * v)
            .collect();
        let prior: Vec<f64> = crate::rng::test_values(k + 1, 14).iter().map(|&v| v as f64).collect();
        let penalty: Vec<f64> = (0..=k).map(|j| 2.0 + j as f64 * 0.5).collect();
        let reg = Regularisation {
            bias: 0.0,
            factors: 0.0,
            prior: 0.0,
        };
        // Ratings less the prior mean's prediction.
        let shifted: Vec<f32> = cols
            .iter()
            .zip(&ratings)
            .map(|(&c, &r)| {
                let q = factors.row(c as usize);
                let p: f64 = prior[0] + q.iter().zip(&prior[1..]).map(|(&a, &b)| a as f64 * b).sum::<f64>();
                (r as f64 - p) as f32
            })
            .collect();
        for keep in [false, true] {
            let (mut pulled, mut plain) = (Workspace::new(k), Workspace::new(k));
            if keep {
                pulled.keep_cholesky();
                plain.keep_cholesky();
            }
            pulled.set_penalty(&penalty);
            plain.set_penalty(&penalty);
            pulled.set_prior_mean(&prior);
            let (mut w, mut delta) = (vec![0.0; k], vec![0.0; k]);
            let b = solve_row(&mut pulled, fixed, 3.5, &cols, &ratings, reg, &mut w);
            let db = solve_row(&mut plain, fixed, 3.5, &cols, &shifted, reg, &mut delta);
            assert!(
                (b as f64 - (prior[0] + db as f64)).abs() < 1e-4,
                "bias {b} vs {}",
                prior[0] + db as f64
            );
            for j in 0..k {
                assert!(
                    (w[j] as f64 - (prior[1 + j] + delta[j] as f64)).abs() < 1e-4,
                    "factor {j}"
                );
            }
            let (e, de) = (pulled.row_error(), plain.row_error());
            assert!((e - de).abs() <= 1e-4 * de.max(1.0), "error {e} vs {de}");
            let mut empty = vec![9.0; k];
            let b = solve_row(&mut pulled, fixed, 3.5, &[], &[], reg, &mut empty);
            assert_eq!(b, prior[0] as f32);
            assert_eq!(empty, prior[1..].iter().map(|&m| m as f32).collect::<Vec<f32>>());
        }
    }

    #[test]
    fn back_substitution_inverts_an_upper_triangle() {
        // U = [[2, 1], [0, 4]] (stride 3), z = [4, 8] -> v = [1, 2].
        let u = [2.0, 1.0, 0.0, 0.0, 4.0, 0.0];
        let mut z = [4.0, 8.0];
        back_substitute(&u, 3, &mut z);
        assert_eq!(z, [1.0, 2.0]);
    }

    #[test]
    fn a_factored_matrix_solves_and_draws() {
        // A = [[4, 2], [2, 3]] = U'U with U = [[2, 1], [0, sqrt 2]].
        let f = SpdFactor::new(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
        let mut x = [8.0, 8.0]; // A [1, 2]
        f.solve(&mut x);
        assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12, "{x:?}");
        let mut z = [3.0, 2.0f64.sqrt()]; // U [1, 1]
        f.draw(&mut z);
        assert!((z[0] - 1.0).abs() < 1e-12 && (z[1] - 1.0).abs() < 1e-12, "{z:?}");
        assert!(SpdFactor::new(&[1.0, 2.0, 2.0, 1.0], 2).is_none(), "indefinite");
    }

    #[test]
    fn empty_row_is_zero() {
        let factors = Matrix::zeros(2, 4);
        let fixed = FixedSide {
            factors: &factors,
            bias: &[0.0, 0.0],
        };
        let mut out = vec![1.0; 4];
        let reg = Regularisation {
            bias: 0.1,
            factors: 0.1,
            prior: 1.0,
        };
        assert_eq!(
            solve_row(&mut Workspace::new(4), fixed, 3.0, &[], &[], reg, &mut out),
            0.0
        );
        assert_eq!(out, vec![0.0; 4]);
    }
}
