//! Cholesky factorisation `A = U'U` and the two triangular solves of one row's normal equations: f64, `d = k + 1`
//! unknowns, rows of `stride` (a multiple of [`L`]) values. This is the fixed cost of every row solve, whatever its
//! number of ratings (a 65 x 65 factorisation is about 46k multiply-adds), so at ML-25M scale, with 221k rows per
//! iteration, it weighs as much as the Gram matrices of all the ratings.
//!
//! Right-looking and blocked by panels of [`L`] pivots: the panel's rows are factored one pivot at a time, then every
//! row below takes the whole panel's rank-`L` update in one pass. For that pass the panel is first copied into
//! `packed`, vector by vector with its `L` rows interleaved, so the update reads one stream at fixed offsets (eight
//! separate row pointers made the compiler spill them and re-check bounds on every vector). All row operations are
//! on whole vectors: each starts at the vector boundary at or left of the diagonal; the few entries left of the
//! diagonal it touches belong to the lower triangle, which is scratch and never read.

use crate::linalg::isa::{F64_LANES as L, PORTABLE};

/// Factors the `d x d` matrix in `u` (row-major, upper triangle given) in place into `U`. `packed` is scratch of at
/// least `stride` vectors. Returns false when the matrix is not (numerically) positive definite.
#[inline(always)]
pub(crate) fn factor<const ISA: u8>(u: &mut [f64], stride: usize, d: usize, packed: &mut [[f64; L]]) -> bool {
    assert!(stride.is_multiple_of(L) && stride >= d && u.len() >= d * stride && packed.len() >= stride);
    let vectors = stride / L;
    for p0 in (0..d).step_by(L) {
        let p_end = (p0 + L).min(d);
        for p in p0..p_end {
            let pivot = u[p * stride + p];
            if !(pivot > 0.0 && pivot.is_finite()) {
                return false;
            }
            let root = pivot.sqrt();
            let inv = 1.0 / root;
            let (done, rest) = u.split_at_mut((p + 1) * stride);
            let row_p = &mut done[p * stride..];
            row_p[p] = root;
            row_p[p + 1..].iter_mut().for_each(|v| *v *= inv);
            let row_p = &row_p[p0..];
            // The rest of the panel (p0 is a multiple of L, so every row starts at column p0).
            for (i, row_i) in (p + 1..p_end).zip(rest.chunks_exact_mut(stride)) {
                let f = row_p[i - p0];
                for (a, &b) in row_i[p0..].iter_mut().zip(row_p) {
                    *a = sub_product::<ISA>(*a, f, b);
                }
            }
        }
        if p_end == d {
            break;
        }
        // Only full panels have rows below them (a partial panel is the last one).
        let first = p0 / L;
        let (panel, below) = u.split_at_mut(p_end * stride);
        for (v, group) in (first..vectors).zip(packed.chunks_exact_mut(L)) {
            for (q, slot) in group.iter_mut().enumerate() {
                let at = (p0 + q) * stride + v * L;
                *slot = panel[at..at + L].try_into().unwrap();
            }
        }
        for (i, row_i) in (p_end..d).zip(below.chunks_exact_mut(stride)) {
            let start = i / L;
            let f: [f64; L] = std::array::from_fn(|q| packed[(start - first) * L + q][i % L]);
            let targets = &mut row_i.as_chunks_mut::<L>().0[start..vectors];
            let sources = packed[(start - first) * L..(vectors - first) * L].chunks_exact(L);
            for (a, group) in targets.iter_mut().zip(sources) {
                let mut acc = *a;
                for (&fq, b) in f.iter().zip(group) {
                    acc = std::array::from_fn(|l| sub_product::<ISA>(acc[l], fq, b[l]));
                }
                *a = acc;
            }
        }
    }
    true
}

/// Solves `U'U w = z` in place (`U` from [`factor`]): `U' y = z` column by column, then `U w = y` row by row.
/// Returns false when the result is not finite.
#[inline(always)]
pub(crate) fn solve<const ISA: u8>(u: &[f64], stride: usize, z: &mut [f64]) -> bool {
    let d = z.len();
    for p in 0..d {
        z[p] /= u[p * stride + p];
        let zp = z[p];
        for (t, &v) in z[p + 1..].iter_mut().zip(&u[p * stride + p + 1..p * stride + d]) {
            *t = sub_product::<ISA>(*t, zp, v);
        }
    }
    for i in (0..d).rev() {
        let s = dot_lanes(&u[i * stride + i + 1..i * stride + d], &z[i + 1..]);
        z[i] = (z[i] - s) / u[i * stride + i];
    }
    z.iter().all(|v| v.is_finite())
}

/// Dot product with `L` partial sums: no chain of dependent additions, and it vectorises.
#[inline(always)]
fn dot_lanes(a: &[f64], b: &[f64]) -> f64 {
    let (a_chunks, a_rest) = a.as_chunks::<L>();
    let (b_chunks, b_rest) = b.as_chunks::<L>();
    let mut acc = [0.0f64; L];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        acc = std::array::from_fn(|l| acc[l] + x[l] * y[l]);
    }
    acc.iter().sum::<f64>() + a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum::<f64>()
}

/// `acc - a * b`, fused where the vector unit has FMA (`ISA` is an x86 kernel), plain elsewhere (a software fused
/// multiply-add would be slow).
#[inline(always)]
fn sub_product<const ISA: u8>(acc: f64, a: f64, b: f64) -> f64 {
    if ISA == PORTABLE {
        acc - a * b
    } else {
        (-a).mul_add(b, acc)
    }
}
