//! The `solver: cg` row solve of explicit ALS: the same regularised least squares as `solve::solve_row`, by
//! `steps` conjugate-gradient steps warm-started from the row's previous values. The normal equations are never
//! formed: a step multiplies by `X'X + diag(reg)` as `X'(X v) + reg v` over the row's gathered factor vectors, O(n k),
//! where the exact solve pays O(n k^2) for the Gram and O(k^3) for the Cholesky. Approximate: the RMSE it costs is
//! measured in docs/benchmarks.md.

use super::isa::{dispatch_by_isa, F32_LANES as LANES};
use super::lanes::{axpy, copy_row, dot, prefetch, PREFETCH_AHEAD};
use super::row::{FixedSide, Regularisation};

/// Per-thread buffers, reused for every row a worker solves.
pub(crate) struct CgRowWorkspace {
    k: usize,
    /// `k` rounded up to whole vectors; the padding of every vector below stays zero.
    padded: usize,
    /// The row's gathered factor vectors, `padded` apart (grows to the longest row).
    block: Vec<f32>,
    /// `rating - mean - fixed bias` per rating.
    targets: Vec<f32>,
    x: Vec<f32>,
    r: Vec<f32>,
    p: Vec<f32>,
    ap: Vec<f32>,
    row_error: f64,
}

impl CgRowWorkspace {
    pub fn new(k: usize) -> Self {
        let padded = k.div_ceil(LANES) * LANES;
        Self {
            k,
            padded,
            block: Vec::new(),
            targets: Vec::new(),
            x: vec![0.0; padded],
            r: vec![0.0; padded],
            p: vec![0.0; padded],
            ap: vec![0.0; padded],
            row_error: 0.0,
        }
    }

    /// `sum_j (r_j - mean - o_j - b - q_j.p)^2` of the row last solved, at its result.
    pub fn row_error(&self) -> f64 {
        self.row_error
    }
}

dispatch_by_isa! {
    /// Improves the row's `factors` and `bias` (its values from the previous half-step on entry) by `steps` CG steps.
    pub(crate) fn solve_row_cg(
        ws: &mut CgRowWorkspace,
        fixed: FixedSide<'_>,
        mean: f32,
        cols: &[u32],
        ratings: &[f32],
        reg: Regularisation,
        steps: usize,
        factors: &mut [f32],
        bias: &mut f32,
    ) => cg_impl
}

/// The unknowns are `[bias, factors]`; the bias part of each vector is kept as a scalar beside it.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn cg_impl<const ISA: u8>(
    ws: &mut CgRowWorkspace,
    fixed: FixedSide<'_>,
    mean: f32,
    cols: &[u32],
    ratings: &[f32],
    reg: Regularisation,
    steps: usize,
    factors: &mut [f32],
    bias: &mut f32,
) {
    let (k, padded, n) = (ws.k, ws.padded, cols.len());
    debug_assert_eq!(factors.len(), k);
    ws.row_error = 0.0;
    if n == 0 {
        factors.fill(0.0);
        *bias = 0.0;
        return;
    }
    if ws.block.len() < n * padded {
        ws.block.resize(n * padded, 0.0);
    }
    ws.targets.resize(n, 0.0);
    let weight = n as f64 + reg.prior;
    let (reg_bias, reg_factors) = ((reg.bias * weight) as f32, (reg.factors * weight) as f32);
    let CgRowWorkspace {
        block,
        targets,
        x,
        r,
        p,
        ap,
        ..
    } = ws;
    x[..k].copy_from_slice(factors);
    let mut x0 = *bias;

    // Gather, and the residual at the start: r = X'(y - X x) - reg x.
    r.fill(0.0);
    let mut r0 = 0.0f32;
    for (j, (&c, &rating)) in cols.iter().zip(ratings).enumerate() {
        if let Some(&ahead) = cols.get(j + PREFETCH_AHEAD) {
            prefetch(fixed.factors.row(ahead as usize));
        }
        let row = &mut block[j * padded..(j + 1) * padded];
        copy_row(&mut row[..k], fixed.factors.row(c as usize));
        let y = rating - mean - fixed.bias[c as usize];
        targets[j] = y;
        let e = y - x0 - dot::<ISA>(row, x);
        r0 += e;
        axpy::<ISA>(r, e, row);
    }
    r0 -= reg_bias * x0;
    axpy::<ISA>(r, -reg_factors, x);
    p.copy_from_slice(r);
    let mut p0 = r0;
    let mut rs = r0 * r0 + dot::<ISA>(r, r);

    for _ in 0..steps {
        if !(rs > 0.0 && rs.is_finite()) {
            break;
        }
        // ap = X'(X p) + reg p
        ap.fill(0.0);
        let mut ap0 = 0.0f32;
        for row in block[..n * padded].chunks_exact(padded) {
            let s = p0 + dot::<ISA>(row, p);
            ap0 += s;
            axpy::<ISA>(ap, s, row);
        }
        ap0 += reg_bias * p0;
        axpy::<ISA>(ap, reg_factors, p);
        let curvature = p0 * ap0 + dot::<ISA>(p, ap);
        if !(curvature > 0.0 && curvature.is_finite()) {
            break;
        }
        let alpha = rs / curvature;
        x0 += alpha * p0;
        axpy::<ISA>(x, alpha, p);
        r0 -= alpha * ap0;
        axpy::<ISA>(r, -alpha, ap);
        let rs_next = r0 * r0 + dot::<ISA>(r, r);
        let beta = rs_next / rs;
        p0 = r0 + beta * p0;
        p.iter_mut().zip(r.iter()).for_each(|(pv, &rv)| *pv = rv + beta * *pv);
        rs = rs_next;
    }

    // The training error at the result: one more pass (the normal equations that give it for free are not formed).
    ws.row_error = block[..n * padded]
        .chunks_exact(padded)
        .zip(targets.iter())
        .map(|(row, &y)| {
            let e = (y - x0 - dot::<ISA>(row, x)) as f64;
            e * e
        })
        .sum();
    factors.copy_from_slice(&x[..k]);
    *bias = x0;
}
