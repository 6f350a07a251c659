//! Mixed-precision solve of one row's normal equations, what plain ALS rows use. The Gibbs sampler, which draws from
//! the f64 Cholesky factor itself, keeps `cholesky.rs`.
//!
//! Three steps, each chosen for the shape of the problem (`k + 1` unknowns: bias, then `k` factors):
//! 1. The bias is eliminated in f64 (its Schur complement `S = G - s s'/a`, with `a` the bias's diagonal entry and
//!    `s` its row). What is left has `k` unknowns, a whole number of f32 vectors (64 factors = 4 AVX-512 registers)
//!    rather than `k + 1`, which pads every row of an f64 factorisation by most of a vector.
//! 2. `S` is factored (`U'U`) and solved in f32: twice the lanes per instruction of f64, half the bytes in L1. The
//!    factorisation is blocked by vectors: each panel of [`W`] pivot rows is factored row by row, then the rows
//!    below take the panel's rank-`W` update in register tiles (the same shape as the Gram kernel).
//! 3. When a bound on the condition number of `S` (its trace over the smallest penalty on a factor) exceeds
//!    [`REFINE_ABOVE_CONDITION`], that is when the row is weakly regularised, one step of iterative refinement: the
//!    residual of the full system is computed in f64 from the f64 normal equations and solved again with the f32
//!    factor. The f32 solve's relative error (about `1e-7 x` the condition number) is squared by the step. Either way
//!    the solution matches an f64 solve to about the f32 rounding of the stored factors (`solve`'s tests compare the
//!    two; refining every row costs time for no visible change: docs/tuning.md).

use crate::linalg::isa::{F32_LANES, F64_LANES, PORTABLE};

/// The block size of the factorisation: one AVX-512 register of f32.
const W: usize = F32_LANES;
/// Bound on the condition number of `S` above which the f32 solve is refined.
const REFINE_ABOVE_CONDITION: f64 = 1e3;
/// Rows of a trailing-update tile (accumulators held across the panel's `W` pivots).
const TILE_ROWS: usize = 8;

/// Buffers of the mixed-precision solve for one `k`, reused across rows.
pub(super) struct MixedSolver {
    schur: SchurFactor,
    /// The f64 residual of the full system and the correction solved from it (refinement only).
    residual: Vec<f64>,
    correction: Vec<f64>,
}

/// The bias-eliminated system `S` of the row being solved, its f32 factor, and what recovering the bias needs.
struct SchurFactor {
    k: usize,
    /// `k` rounded up to whole vectors; the padding unknowns get the identity and solve to zero.
    kp: usize,
    /// `S` (upper triangle, `kp x kp` row-major), factored in place into `U`; the strict lower triangle is scratch.
    factor: Vec<f32>,
    inv_diag: Vec<f32>,
    /// The bias row of the normal equations and its diagonal entry, for eliminating and recovering the bias.
    bias_row: Vec<f64>,
    bias_diag: f64,
    /// Trace of `S` (f64).
    trace: f64,
    work: Vec<f32>,
    solved: Vec<f32>,
}

impl MixedSolver {
    pub(super) fn new(k: usize) -> Self {
        let kp = k.div_ceil(W) * W;
        Self {
            schur: SchurFactor {
                k,
                kp,
                factor: vec![0.0; kp * kp],
                inv_diag: vec![0.0; kp],
                bias_row: vec![0.0; k],
                bias_diag: 0.0,
                trace: 0.0,
                work: vec![0.0; kp],
                solved: vec![0.0; kp],
            },
            residual: vec![0.0; k + 1],
            correction: vec![0.0; k + 1],
        }
    }

    /// Solves `normal * w = rhs` (`normal`: `(k+1) x stride` row-major, upper triangle given; the strict lower
    /// triangle is never read) into `solution`. `min_penalty` is the smallest value the regularisation added to
    /// a factor's diagonal entry. Returns false when `S` is not numerically positive definite in f32
    /// or the result is not finite; the caller then solves in f64.
    #[inline(always)]
    pub(super) fn solve<const ISA: u8>(
        &mut self,
        normal: &[f64],
        stride: usize,
        rhs: &[f64],
        solution: &mut [f64],
        min_penalty: f64,
    ) -> bool {
        let schur = &mut self.schur;
        let d = schur.k + 1;
        assert!(normal.len() >= d * stride && stride >= d && rhs.len() == d && solution.len() == d);
        if !schur.eliminate_bias(normal, stride) || !factor::<ISA>(&mut schur.factor, schur.kp, &mut schur.inv_diag) {
            return false;
        }
        schur.solve_factored::<ISA>(rhs, solution);
        // The f32 solve's relative error is about 1e-7 times the condition number of S. Its smallest eigenvalue is at
        // least the factors' smallest penalty (S is that penalty plus a positive semidefinite matrix), its largest at
        // most its trace: a row regularised as ALS regularises has a small bound and a solution already as exact as
        // its f32 storage; a weakly regularised one is refined.
        if schur.trace <= REFINE_ABOVE_CONDITION * min_penalty {
            return solution.iter().all(|v| v.is_finite());
        }
        // Refinement: solve for the f64 residual with the same factor and add the correction.
        self.residual.copy_from_slice(rhs);
        subtract_symmetric_product(normal, stride, solution, &mut self.residual);
        schur.solve_factored::<ISA>(&self.residual, &mut self.correction);
        for (w, c) in solution.iter_mut().zip(&self.correction) {
            *w += c;
        }
        solution.iter().all(|v| v.is_finite())
    }
}

impl SchurFactor {
    /// Fills `factor` with the Schur complement of the bias (upper triangle, f32) and the identity on the padding.
    #[inline(always)]
    fn eliminate_bias(&mut self, normal: &[f64], stride: usize) -> bool {
        let (k, kp) = (self.k, self.kp);
        let a = normal[0];
        if !(a > 0.0 && a.is_finite()) {
            return false;
        }
        self.bias_diag = a;
        self.bias_row.copy_from_slice(&normal[1..=k]);
        let inv_a = 1.0 / a;
        self.trace = 0.0;
        for i in 0..k {
            self.trace += normal[(1 + i) * stride + 1 + i] - self.bias_row[i] * self.bias_row[i] * inv_a;
            let si = self.bias_row[i] * inv_a;
            let source = &normal[(1 + i) * stride + 1 + i..(1 + i) * stride + 1 + k];
            let target = &mut self.factor[i * kp + i..i * kp + k];
            for ((t, &g), &sj) in target.iter_mut().zip(source).zip(&self.bias_row[i..]) {
                *t = (g - si * sj) as f32;
            }
            self.factor[i * kp + k..(i + 1) * kp].fill(0.0);
        }
        for i in k..kp {
            self.factor[i * kp..(i + 1) * kp].fill(0.0);
            self.factor[i * kp + i] = 1.0;
        }
        true
    }

    /// Solves the full system with the factored `S`: the bias is eliminated from the right-hand side, the factors
    /// solved by the two triangular solves in f32, then the bias recovered from its own equation, in f64.
    #[inline(always)]
    fn solve_factored<const ISA: u8>(&mut self, rhs: &[f64], solution: &mut [f64]) {
        let k = self.k;
        let inv_a = 1.0 / self.bias_diag;
        let scaled_r0 = rhs[0] * inv_a;
        for ((t, &r), &s) in self.work.iter_mut().zip(&rhs[1..]).zip(&self.bias_row) {
            *t = (r - s * scaled_r0) as f32;
        }
        self.work[k..].fill(0.0);
        forward::<ISA>(&self.factor, self.kp, &self.inv_diag, &mut self.work, &mut self.solved);
        backward::<ISA>(&self.factor, self.kp, &self.inv_diag, &mut self.solved, &mut self.work);
        let mut bias_dot = 0.0f64;
        for ((w, &p), &s) in solution[1..].iter_mut().zip(&self.work).zip(&self.bias_row) {
            *w = p as f64;
            bias_dot += s * p as f64;
        }
        solution[0] = (rhs[0] - bias_dot) * inv_a;
    }
}

/// `U' y = t` (`U'` lower triangular): `y` into `y`; `t` is consumed. By blocks of `W`: inside a block, pivot by
/// pivot on scalars (a short chain of dependent steps); then every later vector of `t` takes the block's `W` pivots
/// in one pass.
#[inline(always)]
fn forward<const ISA: u8>(u: &[f32], kp: usize, inv_diag: &[f32], t: &mut [f32], y: &mut [f32]) {
    let vectors = kp / W;
    for block in 0..vectors {
        let p0 = block * W;
        for p in p0..p0 + W {
            let yp = t[p] * inv_diag[p];
            y[p] = yp;
            for (tj, &upj) in t[p + 1..p0 + W].iter_mut().zip(&u[p * kp + p + 1..p * kp + p0 + W]) {
                *tj = sub_product::<ISA>(*tj, yp, upj);
            }
        }
        let ys: &[f32; W] = y[p0..p0 + W].try_into().unwrap();
        let later = &mut t.as_chunks_mut::<W>().0[block + 1..];
        for (v, tv) in (block + 1..vectors).zip(later) {
            let mut acc = *tv;
            for (q, &yq) in ys.iter().enumerate() {
                let row: &[f32; W] = u[(p0 + q) * kp + v * W..(p0 + q) * kp + v * W + W].try_into().unwrap();
                acc = std::array::from_fn(|l| sub_product::<ISA>(acc[l], yq, row[l]));
            }
            *tv = acc;
        }
    }
}

/// `U w = y`: `w` into `w`; `y` is consumed. By blocks of `W` from the last: first the block's rows take the
/// already solved later unknowns (independent dot products), then the block's own triangle, pivot by pivot.
#[inline(always)]
fn backward<const ISA: u8>(u: &[f32], kp: usize, inv_diag: &[f32], y: &mut [f32], w: &mut [f32]) {
    let vectors = kp / W;
    for block in (0..vectors).rev() {
        let p0 = block * W;
        for i in p0..p0 + W {
            let row = &u[i * kp + p0 + W..(i + 1) * kp];
            y[i] -= dot::<ISA>(row, &w[p0 + W..]);
        }
        for i in (p0..p0 + W).rev() {
            let wi = y[i] * inv_diag[i];
            w[i] = wi;
            // Column i of the block's triangle, rows above i.
            for j in p0..i {
                y[j] = sub_product::<ISA>(y[j], u[j * kp + i], wi);
            }
        }
    }
}

/// `residual -= normal * w` for the symmetric `normal` given by its upper triangle (`d = w.len()` unknowns). Row `i`
/// of the triangle serves twice: as row `i` (a dot product) and as column `i` (an update of the later residuals).
#[inline(always)]
fn subtract_symmetric_product(normal: &[f64], stride: usize, w: &[f64], residual: &mut [f64]) {
    const L: usize = F64_LANES;
    let d = w.len();
    for i in 0..d {
        let row = &normal[i * stride + i + 1..i * stride + d];
        let wi = w[i];
        let (row_chunks, row_rest) = row.as_chunks::<L>();
        let (w_chunks, w_rest) = w[i + 1..].as_chunks::<L>();
        let (r_chunks, r_rest) = residual[i + 1..].as_chunks_mut::<L>();
        let mut acc = [0.0f64; L];
        for ((a, x), r) in row_chunks.iter().zip(w_chunks).zip(r_chunks) {
            acc = std::array::from_fn(|l| acc[l] + a[l] * x[l]);
            *r = std::array::from_fn(|l| r[l] - a[l] * wi);
        }
        let mut s = normal[i * stride + i] * wi + pairwise_sum(&acc);
        for ((a, x), r) in row_rest.iter().zip(w_rest).zip(r_rest) {
            s += a * x;
            *r -= a * wi;
        }
        residual[i] -= s;
    }
}

/// Sum of 8 lanes as a tree (three dependent additions, not seven).
#[inline(always)]
fn pairwise_sum(v: &[f64; 8]) -> f64 {
    ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]))
}

/// Dot product of whole vectors, reduced as a tree.
#[inline(always)]
fn dot<const ISA: u8>(a: &[f32], b: &[f32]) -> f32 {
    let (a_chunks, _) = a.as_chunks::<W>();
    let (b_chunks, _) = b.as_chunks::<W>();
    debug_assert!(a.len().is_multiple_of(W) && a.len() == b.len());
    let mut acc = [0.0f32; W];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        acc = std::array::from_fn(|l| sub_product::<ISA>(acc[l], -x[l], y[l]));
    }
    let half: [f32; 8] = std::array::from_fn(|l| acc[l] + acc[l + 8]);
    let quarter: [f32; 4] = std::array::from_fn(|l| half[l] + half[l + 4]);
    (quarter[0] + quarter[2]) + (quarter[1] + quarter[3])
}

/// Factors `S` (`kp x kp`, upper triangle) in place into `U` with `U'U = S`; `inv_diag[p] = 1 / U[p][p]`. Returns
/// false when a pivot is not positive and finite. `kp` is a multiple of [`W`]. Every row operation is on whole
/// vectors from the panel's first column; entries left of the diagonal are scratch.
#[inline(always)]
fn factor<const ISA: u8>(m: &mut [f32], kp: usize, inv_diag: &mut [f32]) -> bool {
    assert!(kp.is_multiple_of(W) && m.len() == kp * kp && inv_diag.len() == kp);
    let vectors = kp / W;
    for block in 0..vectors {
        let p0 = block * W;
        // The panel: its W rows factored one pivot at a time.
        for p in p0..p0 + W {
            let pivot = m[p * kp + p];
            if !(pivot > 0.0 && pivot.is_finite()) {
                return false;
            }
            let root = pivot.sqrt();
            let inv = 1.0 / root;
            inv_diag[p] = inv;
            let (upper, lower) = m.split_at_mut((p + 1) * kp);
            let row_p = &mut upper[p * kp..].as_chunks_mut::<W>().0[block..];
            for v in row_p.iter_mut() {
                *v = std::array::from_fn(|l| v[l] * inv);
            }
            row_p[0][p - p0] = root;
            let row_p = &*row_p;
            for (i, row_i) in (p + 1..p0 + W).zip(lower.chunks_exact_mut(kp)) {
                let f = row_p[0][i - p0];
                for (a, b) in row_i.as_chunks_mut::<W>().0[block..].iter_mut().zip(row_p) {
                    *a = std::array::from_fn(|l| sub_product::<ISA>(a[l], f, b[l]));
                }
            }
        }
        // The rows below take the panel's rank-W update, in tiles of TILE_ROWS rows x one vector.
        let (panel, below) = m.split_at_mut((p0 + W) * kp);
        let panel = &panel[p0 * kp..];
        for (tile, rows) in below.chunks_exact_mut(TILE_ROWS * kp).enumerate() {
            let i0 = p0 + W + tile * TILE_ROWS;
            for v in i0 / W..vectors {
                let mut acc: [[f32; W]; TILE_ROWS] =
                    std::array::from_fn(|r| rows[r * kp + v * W..r * kp + v * W + W].try_into().unwrap());
                for q in 0..W {
                    let right: &[f32; W] = panel[q * kp + v * W..q * kp + v * W + W].try_into().unwrap();
                    for (r, acc_r) in acc.iter_mut().enumerate() {
                        let f = panel[q * kp + i0 + r];
                        *acc_r = std::array::from_fn(|l| sub_product::<ISA>(acc_r[l], f, right[l]));
                    }
                }
                for (r, acc_r) in acc.iter().enumerate() {
                    rows[r * kp + v * W..r * kp + v * W + W].copy_from_slice(acc_r);
                }
            }
        }
    }
    true
}

/// `acc - a * b`, fused where the vector unit has FMA (`ISA` is an x86 kernel), plain elsewhere (a software fused
/// multiply-add would be slow).
#[inline(always)]
fn sub_product<const ISA: u8>(acc: f32, a: f32, b: f32) -> f32 {
    if ISA == PORTABLE {
        acc - a * b
    } else {
        (-a).mul_add(b, acc)
    }
}
