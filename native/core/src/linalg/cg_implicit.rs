//! One row of an implicit-feedback half-step, solved by conjugate gradient (Takács, Pilászy, Tikk 2011).
//!
//! For a user with rated movies `j` (fixed vectors `q_j`, confidences `c_j` and preferences `p_j` from the ratings,
//! `linalg::confidence`) and `G = Q'Q` over ALL movies, the Hu-Koren-Volinsky normal equations are
//!
//! ```text
//! (G + lambda I + sum_j (c_j - 1) q_j q_j') x = sum_j c_j p_j q_j  =: b
//! ```
//!
//! with `lambda` one value for every row or `reg * n` for a row of `n` ratings ([`RowLambda`]).
//!
//! Conjugate gradient needs only products `A v`: `G v` costs `k^2` and the sparse part one pass over the row's
//! `n` fixed vectors, so a step is `O(n k + k^2)` instead of the `O(n k^2 + k^3)` of forming and factorising `A`.
//! Warm-started from the previous iteration's `x`, a few steps per iteration reach the accuracy ALS needs.
//!
//! The first pass gathers the row's fixed vectors into a contiguous block (zero-padded to whole vector lanes);
//! every later pass streams that block from cache instead of gathering scattered rows again.

use super::confidence::ConfidenceFn;
use super::isa::{dispatch_by_isa, F32_LANES as LANES};
use super::lanes::{axpy, dot, gather_pass, sparse_times};
use super::matrix::Matrix;

/// `k` rounded up to whole lanes.
pub(crate) fn padded_len(k: usize) -> usize {
    k.div_ceil(LANES) * LANES
}

/// `Q'Q` of the fixed side, padded (`padded x padded`, full symmetric, zero outside `k x k`).
#[derive(Clone, Debug, PartialEq)]
pub struct FactorGram {
    k: usize,
    padded: usize,
    data: Vec<f32>,
}

/// Rows summed in f32 before the partial sum is added into f64: keeps the f32 error of a partial small.
const GRAM_CHUNK_ROWS: usize = 256;

impl FactorGram {
    /// `factors' factors`. Partial sums per chunk of rows are formed in parallel and added in chunk order, so the
    /// result does not depend on the thread count.
    pub fn of(factors: &Matrix) -> Self {
        use rayon::prelude::*;
        let k = factors.cols;
        let padded = padded_len(k);
        let partials: Vec<Vec<f64>> = factors
            .data
            .par_chunks(GRAM_CHUNK_ROWS * k.max(1))
            .map(|rows| {
                let mut acc = vec![0.0f32; k * k];
                for q in rows.chunks_exact(k.max(1)) {
                    // Upper triangle only: row a gets q[a] * q[a..].
                    for a in 0..k {
                        let qa = q[a];
                        for (s, &qb) in acc[a * k + a..(a + 1) * k].iter_mut().zip(&q[a..]) {
                            *s += qa * qb;
                        }
                    }
                }
                acc.iter().map(|&v| v as f64).collect()
            })
            .collect();
        let mut sum = vec![0.0f64; k * k];
        for p in &partials {
            for (s, v) in sum.iter_mut().zip(p) {
                *s += v;
            }
        }
        let mut data = vec![0.0f32; padded * padded];
        for a in 0..k {
            for b in a..k {
                let v = sum[a * k + b] as f32;
                data[a * padded + b] = v;
                data[b * padded + a] = v;
            }
        }
        Self { k, padded, data }
    }

    pub fn factors(&self) -> usize {
        self.k
    }

    /// Entry `(a, b)` of `Q'Q` (both below [`Self::factors`]).
    pub(crate) fn entry(&self, a: usize, b: usize) -> f32 {
        self.data[a * self.padded + b]
    }
}

/// The regularisation of one row's factors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum RowLambda {
    /// The same lambda for every row (Hu, Koren, Volinsky).
    Plain(f32),
    /// `reg * n` for a row with `n` ratings (weighted-lambda, Zhou et al. 2008, as Spark MLlib does for implicit
    /// feedback).
    Weighted(f32),
}

impl RowLambda {
    /// The lambda of a row with `n` ratings.
    pub(crate) fn of(self, n: usize) -> f32 {
        match self {
            RowLambda::Plain(lambda) => lambda,
            RowLambda::Weighted(reg) => reg * n as f32,
        }
    }
}

/// What a half-step holds fixed: the other side's factors, their Gram, and the loss weights.
#[derive(Clone, Copy)]
pub(crate) struct ImplicitSide<'a> {
    pub factors: &'a Matrix,
    pub gram: &'a FactorGram,
    pub lambda: RowLambda,
    pub confidence: ConfidenceFn,
}

/// When conjugate gradient stops.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CgStop {
    pub max_steps: usize,
    /// Stop early once `|r|^2` falls to this fraction of its start value (0: always take `max_steps`).
    pub relative_residual_sq: f32,
}

/// Per-thread buffers, reused row after row so the row loop does not allocate (the block grows to the longest row).
pub(crate) struct CgWorkspace {
    k: usize,
    padded: usize,
    block: Vec<f32>,
    weights: Vec<f32>,
    x: Vec<f32>,
    b: Vec<f32>,
    r: Vec<f32>,
    p: Vec<f32>,
    ap: Vec<f32>,
}

impl CgWorkspace {
    pub fn new(k: usize) -> Self {
        let padded = padded_len(k);
        let v = || vec![0.0f32; padded];
        Self {
            k,
            padded,
            block: Vec::new(),
            weights: Vec::new(),
            x: v(),
            b: v(),
            r: v(),
            p: v(),
            ap: v(),
        }
    }
}

dispatch_by_isa! {
    /// Solves one row in place: `x` holds the start (the previous iteration's vector, or zeros) and receives the
    /// result. Returns this row's part of the data term of the loss at the new `x`,
    /// `sum over ALL columns of c (p - q.x)^2`, from quantities CG already has:
    /// `sum_j c_j p_j - x'b - x'r - lambda |x|^2` (with `r = b - (A + lambda I) x` the final residual).
    pub(crate) fn solve_row_cg(
        ws: &mut CgWorkspace,
        side: ImplicitSide<'_>,
        cols: &[u32],
        ratings: &[f32],
        stop: CgStop,
        x: &mut [f32],
    ) -> f64 => solve_row_impl
}

/// Inlined into each unit's copy of [`solve_row_cg`]; `ISA` picks the matching kernels of `lanes.rs`.
#[inline(always)]
fn solve_row_impl<const ISA: u8>(
    ws: &mut CgWorkspace,
    side: ImplicitSide<'_>,
    cols: &[u32],
    ratings: &[f32],
    stop: CgStop,
    x_out: &mut [f32],
) -> f64 {
    let (k, padded) = (ws.k, ws.padded);
    debug_assert_eq!(x_out.len(), k);
    debug_assert_eq!(side.factors.cols, k);
    debug_assert_eq!(side.gram.padded, padded);
    let n = cols.len();
    if ws.block.len() < n * padded {
        ws.block.resize(n * padded, 0.0);
    }
    ws.weights.resize(n, 0.0);
    ws.x[..k].copy_from_slice(x_out);
    if n == 0 {
        // b = 0: the solution is zero, and so is its loss (every column predicted 0 with confidence 1).
        x_out.fill(0.0);
        return 0.0;
    }
    let lambda = side.lambda.of(n);

    // Pass 1: gather, and with the start x form b = sum c p q and u = sum (c p - (c - 1) q.x) q, so
    // r0 = u - (G + lambda) x.
    let block = &mut ws.block[..n * padded];
    let preference_weight = gather_pass::<ISA>(
        side.factors,
        cols,
        ratings,
        side.confidence,
        &ws.x,
        block,
        &mut ws.weights,
        &mut ws.b,
        &mut ws.r,
    );
    gram_times::<ISA>(side.gram, &ws.x, &mut ws.ap);
    for ((r, &gx), &x) in ws.r.iter_mut().zip(&ws.ap).zip(&ws.x) {
        *r -= gx + lambda * x;
    }
    ws.p.copy_from_slice(&ws.r);
    let mut rs = dot::<ISA>(&ws.r, &ws.r);
    let good_enough = rs * stop.relative_residual_sq;

    for _ in 0..stop.max_steps {
        if rs <= good_enough {
            break;
        }
        // ap = (G + lambda) p + sum_j w_j (q_j . p) q_j
        gram_times::<ISA>(side.gram, &ws.p, &mut ws.ap);
        for (a, &p) in ws.ap.iter_mut().zip(&ws.p) {
            *a += lambda * p;
        }
        sparse_times::<ISA>(&ws.block[..n * padded], &ws.weights, &ws.p, &mut ws.ap);
        let p_ap = dot::<ISA>(&ws.p, &ws.ap);
        if !(p_ap > 0.0 && p_ap.is_finite()) {
            break;
        }
        let step = rs / p_ap;
        axpy::<ISA>(&mut ws.x, step, &ws.p);
        axpy::<ISA>(&mut ws.r, -step, &ws.ap);
        let rs_next = dot::<ISA>(&ws.r, &ws.r);
        let beta = rs_next / rs;
        for (p, &r) in ws.p.iter_mut().zip(&ws.r) {
            *p = r + beta * *p;
        }
        rs = rs_next;
    }

    let x = &ws.x[..k];
    if x.iter().any(|v| !v.is_finite()) {
        // Cannot happen with lambda > 0 and finite inputs; keep the previous vector rather than spread NaNs.
        return f64::NAN;
    }
    x_out.copy_from_slice(x);
    let (mut xb, mut xr, mut xx) = (0.0f64, 0.0f64, 0.0f64);
    for ((&x, &b), &r) in x.iter().zip(&ws.b).zip(&ws.r) {
        xb += x as f64 * b as f64;
        xr += x as f64 * r as f64;
        xx += x as f64 * x as f64;
    }
    preference_weight - xb - xr - lambda as f64 * xx
}

/// `out = G v` (G symmetric, so as a sum of G's rows scaled by v: no horizontal sums).
#[inline(always)]
fn gram_times<const ISA: u8>(gram: &FactorGram, v: &[f32], out: &mut [f32]) {
    out.fill(0.0);
    for (row, &va) in gram.data.chunks_exact(gram.padded).zip(v).take(gram.k) {
        axpy::<ISA>(out, va, row);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Graded confidence on a 5-star scale with the implicit defaults' weights (two ratings of 2 or less: negatives).
    pub(crate) const GRADED: ConfidenceFn = ConfidenceFn::Graded {
        alpha: 10.0,
        mid: 0.25,
        low: 0.5,
        liked: 4.0,
        disliked: 2.0,
    };

    /// The exact solution of a row's normal equations, dense, in f64 by Gaussian elimination.
    pub(crate) fn reference(
        factors: &Matrix,
        cols: &[u32],
        ratings: &[f32],
        lambda: f64,
        confidence: ConfidenceFn,
    ) -> Vec<f64> {
        let k = factors.cols;
        let mut a = vec![vec![0.0f64; k + 1]; k];
        for i in 0..factors.rows {
            let q = factors.row(i);
            for r in 0..k {
                for s in 0..k {
                    a[r][s] += q[r] as f64 * q[s] as f64;
                }
            }
        }
        for (&c, &rating) in cols.iter().zip(ratings) {
            let q = factors.row(c as usize);
            let (conf, preference) = confidence.of(rating);
            let (conf, preference) = (conf as f64, preference as f64);
            for r in 0..k {
                for s in 0..k {
                    a[r][s] += (conf - 1.0) * q[r] as f64 * q[s] as f64;
                }
                a[r][k] += conf * preference * q[r] as f64;
            }
        }
        for (r, row) in a.iter_mut().enumerate() {
            row[r] += lambda;
        }
        for p in 0..k {
            let pivot_row = a[p].clone();
            for row in a.iter_mut().skip(p + 1) {
                let f = row[p] / pivot_row[p];
                for (v, &pv) in row.iter_mut().zip(&pivot_row).skip(p) {
                    *v -= f * pv;
                }
            }
        }
        let mut w = vec![0.0; k];
        for i in (0..k).rev() {
            let s: f64 = (i + 1..k).map(|j| a[i][j] * w[j]).sum();
            w[i] = (a[i][k] - s) / a[i][i];
        }
        w
    }

    /// The loss data term computed directly over every column.
    fn direct_loss(factors: &Matrix, cols: &[u32], ratings: &[f32], confidence: ConfidenceFn, x: &[f32]) -> f64 {
        (0..factors.rows)
            .map(|i| {
                let s: f64 = factors.row(i).iter().zip(x).map(|(&a, &b)| a as f64 * b as f64).sum();
                match cols.iter().position(|&c| c as usize == i) {
                    Some(j) => {
                        let (conf, preference) = confidence.of(ratings[j]);
                        conf as f64 * (preference as f64 - s).powi(2)
                    }
                    None => s * s,
                }
            })
            .sum()
    }

    /// A row's distinct columns and ratings (0.5 .. 5 in half steps, so graded confidence sees all three kinds).
    pub(crate) fn test_row(n_items: usize, n: usize) -> (Vec<u32>, Vec<f32>) {
        let cols: Vec<u32> = (0..n)
            .map(|j| ((j * 7 + 3) % n_items) as u32)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let ratings = crate::rng::test_values(cols.len(), 5)
            .iter()
            .map(|v| ((v + 1.0) * 4.5).round() / 2.0 + 0.5)
            .collect();
        (cols, ratings)
    }

    #[test]
    fn converges_to_the_dense_solution_and_reports_the_loss() {
        let linear = ConfidenceFn::Linear { alpha: 2.0 };
        for &(k, n_items, n) in &[(1usize, 9usize, 3usize), (7, 40, 11), (16, 60, 30), (33, 80, 50)] {
            let factors = Matrix {
                rows: n_items,
                cols: k,
                data: crate::rng::test_values(n_items * k, k as u32),
            };
            let gram = FactorGram::of(&factors);
            let (cols, ratings) = test_row(n_items, n);
            let cases = [
                (linear, RowLambda::Weighted(0.1 / cols.len() as f32)),
                (GRADED, RowLambda::Plain(0.1)),
            ];
            for (confidence, lambda) in cases {
                let side = ImplicitSide {
                    factors: &factors,
                    gram: &gram,
                    lambda,
                    confidence,
                };
                let mut ws = CgWorkspace::new(k);
                let mut x = vec![0.0f32; k];
                let stop = CgStop {
                    max_steps: 4 * k + 10,
                    relative_residual_sq: 0.0,
                };
                let loss = solve_row_cg(&mut ws, side, &cols, &ratings, stop, &mut x);
                let want = reference(&factors, &cols, &ratings, 0.1, confidence);
                for j in 0..k {
                    assert!(
                        (x[j] as f64 - want[j]).abs() < 1e-3 * (1.0 + want[j].abs()),
                        "k={k} j={j} {confidence:?}: {} vs {}",
                        x[j],
                        want[j]
                    );
                }
                let direct = direct_loss(&factors, &cols, &ratings, confidence, &x);
                assert!(
                    (loss - direct).abs() < 1e-3 * direct.max(1.0),
                    "k={k} {confidence:?}: loss {loss} vs {direct}"
                );
            }
        }
    }

    #[test]
    fn warm_start_at_the_solution_stays_there() {
        let k = 8;
        let factors = Matrix {
            rows: 30,
            cols: k,
            data: crate::rng::test_values(30 * k, 3),
        };
        let gram = FactorGram::of(&factors);
        let cols = [1u32, 4, 9, 20];
        let ratings = [5.0f32, 3.0, 4.0, 1.0];
        let confidence = ConfidenceFn::Linear { alpha: 1.0 };
        let side = ImplicitSide {
            factors: &factors,
            gram: &gram,
            lambda: RowLambda::Plain(0.05),
            confidence,
        };
        let want: Vec<f32> = reference(&factors, &cols, &ratings, 0.05, confidence)
            .iter()
            .map(|&v| v as f32)
            .collect();
        let mut x = want.clone();
        let stop = CgStop {
            max_steps: 3,
            relative_residual_sq: 0.0,
        };
        solve_row_cg(&mut CgWorkspace::new(k), side, &cols, &ratings, stop, &mut x);
        for (a, b) in x.iter().zip(&want) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }

    #[test]
    fn gram_matches_direct_sum_for_any_thread_count() {
        let k = 5;
        let factors = Matrix {
            rows: 1000,
            cols: k,
            data: crate::rng::test_values(1000 * k, 11),
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| FactorGram::of(&factors));
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| FactorGram::of(&factors));
        assert_eq!(one, two);
        let direct: f64 = (0..1000)
            .map(|i| factors.row(i)[1] as f64 * factors.row(i)[3] as f64)
            .sum();
        assert!((one.data[padded_len(k) + 3] as f64 - direct).abs() < 1e-3);
        assert_eq!(one.data[padded_len(k) + 3], one.data[3 * padded_len(k) + 1]);
    }
}
