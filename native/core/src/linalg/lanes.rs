//! Vector kernels of the conjugate-gradient row solves (`cg_implicit.rs`, `cg_explicit.rs`) on lane-padded f32
//! vectors (length a multiple of [`LANES`]): explicit AVX-512 and AVX2+FMA versions and a portable fallback, picked
//! by the const `ISA` the caller was compiled for (the same scheme as `gram.rs`): the compiler's own vectorisation of
//! these loops is much slower (docs/tuning.md).

use super::confidence::ConfidenceFn;
#[cfg(test)]
use super::isa::PORTABLE;
use super::isa::{AVX2, AVX512, F32_LANES as LANES};
use super::matrix::Matrix;

/// `a . b`, the one dot product of the core. The vector units take whole lanes (padded vectors, as the row solves
/// keep them); any other length, and the portable build, sum in eight partial sums (no chain of dependent
/// additions, and the compiler vectorises it).
#[inline(always)]
pub(crate) fn dot<const ISA: u8>(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "dot: vectors of different lengths");
    #[cfg(target_arch = "x86_64")]
    if a.len().is_multiple_of(LANES) {
        // SAFETY: ISA names a unit the caller's CPU was checked for (see cg_implicit::solve_row_cg); the lengths are
        // equal and whole lanes (checked above).
        if ISA == AVX512 {
            return unsafe { x86::dot512(a, b) };
        }
        if ISA == AVX2 {
            return unsafe { x86::dot256(a, b) };
        }
    }
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f32>() + ra.iter().zip(rb).map(|(x, y)| x * y).sum::<f32>()
}

/// `y += a x`.
#[inline(always)]
pub(crate) fn axpy<const ISA: u8>(y: &mut [f32], a: f32, x: &[f32]) {
    assert!(y.len().is_multiple_of(LANES) && y.len() == x.len());
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: as in `dot`.
        if ISA == AVX512 {
            return unsafe { x86::axpy512(y, a, x) };
        }
        if ISA == AVX2 {
            return unsafe { x86::axpy256(y, a, x) };
        }
    }
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

/// Rows ahead whose fixed vector is requested before it is needed: the gather is a random walk over a factor
/// matrix larger than the cache (162k users x 64 factors = 41 MB at ML-25M scale), so without it the loop waits
/// on one memory round trip per rating.
pub(crate) const PREFETCH_AHEAD: usize = 12;

/// Pass 1 of a row solve. For each rating `j` (column `cols[j]`, `(c, p) = confidence.of(ratings[j])`): copies row
/// `cols[j]` of `factors` into row `j` of `block` (`padded` wide, zero beyond `k`), sets `weights[j] = c - 1`, and
/// accumulates `b = sum c p q` and `r = sum (c p - (c - 1) q.x) q` (both overwritten). Returns `sum c p` (= `sum c
/// p^2`, the loss's constant term, as `p` is 0 or 1).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn gather_pass<const ISA: u8>(
    factors: &Matrix,
    cols: &[u32],
    ratings: &[f32],
    confidence: ConfidenceFn,
    x: &[f32],
    block: &mut [f32],
    weights: &mut [f32],
    b: &mut [f32],
    r: &mut [f32],
) -> f64 {
    let (k, padded, n) = (factors.cols, x.len(), cols.len());
    assert!(
        padded.is_multiple_of(LANES) && padded >= k && padded < k + LANES && b.len() == padded && r.len() == padded
    );
    assert!(ratings.len() == n && weights.len() == n && block.len() >= n * padded);
    assert!(cols.iter().all(|&c| (c as usize) < factors.rows));
    #[cfg(target_arch = "x86_64")]
    if ISA == AVX512 {
        let args = x86::GatherArgs {
            factors: &factors.data,
            k,
            cols,
            ratings,
            confidence,
            x,
            block,
            weights,
            b,
            r,
        };
        // SAFETY: the caller's CPU has AVX-512F (ISA); every column is a row of `factors` and the lengths match
        // (asserted above).
        macro_rules! chunks {
            ($($c:literal)*) => {
                match padded / LANES {
                    $($c => return unsafe { x86::gather_pass512::<$c>(args) },)*
                    _ => {}
                }
            };
        }
        chunks!(1 2 3 4 5 6 7 8);
    }
    b.fill(0.0);
    r.fill(0.0);
    let mut preference_weight = 0.0f64;
    for (j, (&c, &rating)) in cols.iter().zip(ratings).enumerate() {
        if let Some(&ahead) = cols.get(j + PREFETCH_AHEAD) {
            prefetch(factors.row(ahead as usize));
        }
        let row = &mut block[j * padded..(j + 1) * padded];
        row[..k].copy_from_slice(factors.row(c as usize));
        row[k..].fill(0.0);
        let (conf, preference) = confidence.of(rating);
        let weighted = conf * preference;
        preference_weight += weighted as f64;
        weights[j] = conf - 1.0;
        let s = dot::<ISA>(row, x);
        axpy::<ISA>(b, weighted, row);
        axpy::<ISA>(r, weighted - (conf - 1.0) * s, row);
    }
    preference_weight
}

/// The sparse part of a CG product: `out += sum_j weights[j] (row_j . v) row_j` over the first `weights.len()` rows
/// of `block` (`v.len()` wide).
#[inline(always)]
pub(crate) fn sparse_times<const ISA: u8>(block: &[f32], weights: &[f32], v: &[f32], out: &mut [f32]) {
    let padded = v.len();
    assert!(padded.is_multiple_of(LANES) && out.len() == padded && block.len() >= weights.len() * padded);
    #[cfg(target_arch = "x86_64")]
    if ISA == AVX512 {
        // SAFETY: the caller's CPU has AVX-512F (ISA); lengths asserted above.
        macro_rules! chunks {
            ($($c:literal)*) => {
                match padded / LANES {
                    $($c => return unsafe { x86::sparse_times512::<$c>(block, weights, v, out) },)*
                    _ => {}
                }
            };
        }
        chunks!(1 2 3 4 5 6 7 8);
    }
    for (row, &w) in block.chunks_exact(padded).zip(weights) {
        let s = dot::<ISA>(row, v);
        axpy::<ISA>(out, w * s, row);
    }
}

/// `dst.copy_from_slice(src)` in whole lanes where it can: a short row compiles to a few vector moves instead of a
/// call to memmove.
#[inline(always)]
pub(crate) fn copy_row(dst: &mut [f32], src: &[f32]) {
    let mut d = dst.chunks_exact_mut(LANES);
    let mut s = src.chunks_exact(LANES);
    for (d, s) in (&mut d).zip(&mut s) {
        let d: &mut [f32; LANES] = d.try_into().unwrap();
        *d = s.try_into().unwrap();
    }
    d.into_remainder().copy_from_slice(s.remainder());
}

/// Asks for every cache line of `row` in L1 (a hint: no effect on results).
#[inline(always)]
pub(crate) fn prefetch(row: &[f32]) {
    prefetch_lines::<TO_L1>(row);
}

/// Asks for every cache line of `row` to be brought into L2 (a hint: no effect on results). For rows needed a few
/// microseconds later: L2 holds a whole chunk's rows where L1 would evict the block being worked on.
#[inline(always)]
pub(crate) fn prefetch_l2(row: &[f32]) {
    prefetch_lines::<TO_L2>(row);
}

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::{_MM_HINT_T0 as TO_L1, _MM_HINT_T1 as TO_L2};
#[cfg(not(target_arch = "x86_64"))]
const TO_L1: i32 = 0;
#[cfg(not(target_arch = "x86_64"))]
const TO_L2: i32 = 0;

#[inline(always)]
fn prefetch_lines<const HINT: i32>(row: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        let bytes = std::mem::size_of_val(row);
        let start = row.as_ptr().cast::<i8>();
        // SAFETY: prefetch is a hint that cannot fault; the addresses stay inside `row`.
        // A plain loop: an iterator chain here compiled into a state machine that cost as much as the loads.
        unsafe {
            let mut offset = 0;
            while offset < bytes {
                std::arch::x86_64::_mm_prefetch::<HINT>(start.add(offset));
                offset += 64;
            }
            // The last line, when the row does not start on a line boundary.
            std::arch::x86_64::_mm_prefetch::<HINT>(start.add(bytes.saturating_sub(1)));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = row;
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::LANES;

    pub(super) struct GatherArgs<'a> {
        pub factors: &'a [f32],
        pub k: usize,
        pub cols: &'a [u32],
        pub ratings: &'a [f32],
        pub confidence: super::ConfidenceFn,
        pub x: &'a [f32],
        pub block: &'a mut [f32],
        pub weights: &'a mut [f32],
        pub b: &'a mut [f32],
        pub r: &'a mut [f32],
    }

    /// `gather_pass` for `C` vectors per row: the row, x, b and r accumulators all stay in registers.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(super) unsafe fn gather_pass512<const C: usize>(a: GatherArgs<'_>) -> f64 {
        let k = a.k;
        // Lanes of the last vector that belong to the row; the rest are loaded as zeros (and never read past it).
        let tail: __mmask16 = if k.is_multiple_of(LANES) {
            0xFFFF
        } else {
            (1u16 << (k % LANES)) - 1
        };
        let base = a.factors.as_ptr();
        let mut xv = [_mm512_setzero_ps(); C];
        let mut bacc = [_mm512_setzero_ps(); C];
        let mut racc = [_mm512_setzero_ps(); C];
        for (c, v) in xv.iter_mut().enumerate() {
            *v = _mm512_loadu_ps(a.x.as_ptr().add(c * LANES));
        }
        let mut preference_weight = 0.0f64;
        let n = a.cols.len();
        for j in 0..n {
            if j + super::PREFETCH_AHEAD < n {
                let ahead = base
                    .add(*a.cols.get_unchecked(j + super::PREFETCH_AHEAD) as usize * k)
                    .cast::<i8>();
                for offset in (0..k * 4).step_by(64) {
                    _mm_prefetch::<_MM_HINT_T0>(ahead.add(offset));
                }
                _mm_prefetch::<_MM_HINT_T0>(ahead.add(k * 4 - 1));
            }
            let src = base.add(*a.cols.get_unchecked(j) as usize * k);
            let dst = a.block.as_mut_ptr().add(j * C * LANES);
            let mut q = [_mm512_setzero_ps(); C];
            let mut s = _mm512_setzero_ps();
            for c in 0..C {
                q[c] = if c + 1 == C {
                    _mm512_maskz_loadu_ps(tail, src.add(c * LANES))
                } else {
                    _mm512_loadu_ps(src.add(c * LANES))
                };
                _mm512_storeu_ps(dst.add(c * LANES), q[c]);
                s = _mm512_fmadd_ps(q[c], xv[c], s);
            }
            let (conf, preference) = a.confidence.of(*a.ratings.get_unchecked(j));
            let weighted = conf * preference;
            preference_weight += weighted as f64;
            *a.weights.get_unchecked_mut(j) = conf - 1.0;
            let cb = _mm512_set1_ps(weighted);
            let cr = _mm512_set1_ps(weighted - (conf - 1.0) * _mm512_reduce_add_ps(s));
            for c in 0..C {
                bacc[c] = _mm512_fmadd_ps(cb, q[c], bacc[c]);
                racc[c] = _mm512_fmadd_ps(cr, q[c], racc[c]);
            }
        }
        for (c, (b, r)) in bacc.iter().zip(&racc).enumerate() {
            _mm512_storeu_ps(a.b.as_mut_ptr().add(c * LANES), *b);
            _mm512_storeu_ps(a.r.as_mut_ptr().add(c * LANES), *r);
        }
        preference_weight
    }

    /// `sparse_times` for `C` vectors per row, `v` and the sum held in registers across rows.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(super) unsafe fn sparse_times512<const C: usize>(block: &[f32], weights: &[f32], v: &[f32], out: &mut [f32]) {
        let mut vv = [_mm512_setzero_ps(); C];
        let mut acc = [_mm512_setzero_ps(); C];
        for (c, slot) in vv.iter_mut().enumerate() {
            *slot = _mm512_loadu_ps(v.as_ptr().add(c * LANES));
        }
        let rows = block.as_ptr();
        for (j, &w) in weights.iter().enumerate() {
            let row = rows.add(j * C * LANES);
            let mut q = [_mm512_setzero_ps(); C];
            let mut s = _mm512_setzero_ps();
            for c in 0..C {
                q[c] = _mm512_loadu_ps(row.add(c * LANES));
                s = _mm512_fmadd_ps(q[c], vv[c], s);
            }
            let scale = _mm512_set1_ps(w * _mm512_reduce_add_ps(s));
            for c in 0..C {
                acc[c] = _mm512_fmadd_ps(scale, q[c], acc[c]);
            }
        }
        for (c, sum) in acc.iter().enumerate() {
            let o = out.as_mut_ptr().add(c * LANES);
            _mm512_storeu_ps(o, _mm512_add_ps(_mm512_loadu_ps(o), *sum));
        }
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(super) unsafe fn dot512(a: &[f32], b: &[f32]) -> f32 {
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        // Two accumulators: consecutive FMAs do not wait on each other.
        let (mut s0, mut s1) = (_mm512_setzero_ps(), _mm512_setzero_ps());
        let mut i = 0;
        while i + 2 * LANES <= a.len() {
            s0 = _mm512_fmadd_ps(_mm512_loadu_ps(pa.add(i)), _mm512_loadu_ps(pb.add(i)), s0);
            s1 = _mm512_fmadd_ps(
                _mm512_loadu_ps(pa.add(i + LANES)),
                _mm512_loadu_ps(pb.add(i + LANES)),
                s1,
            );
            i += 2 * LANES;
        }
        if i < a.len() {
            s0 = _mm512_fmadd_ps(_mm512_loadu_ps(pa.add(i)), _mm512_loadu_ps(pb.add(i)), s0);
        }
        _mm512_reduce_add_ps(_mm512_add_ps(s0, s1))
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(super) unsafe fn axpy512(y: &mut [f32], a: f32, x: &[f32]) {
        let (py, px) = (y.as_mut_ptr(), x.as_ptr());
        let va = _mm512_set1_ps(a);
        for i in (0..y.len()).step_by(LANES) {
            _mm512_storeu_ps(
                py.add(i),
                _mm512_fmadd_ps(va, _mm512_loadu_ps(px.add(i)), _mm512_loadu_ps(py.add(i))),
            );
        }
    }

    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(super) unsafe fn dot256(a: &[f32], b: &[f32]) -> f32 {
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let (mut s0, mut s1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
        for i in (0..a.len()).step_by(LANES) {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i + 8)), _mm256_loadu_ps(pb.add(i + 8)), s1);
        }
        let s = _mm256_add_ps(s0, s1);
        let q = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
        let q = _mm_add_ps(q, _mm_movehl_ps(q, q));
        let q = _mm_add_ss(q, _mm_movehdup_ps(q));
        _mm_cvtss_f32(q)
    }

    #[target_feature(enable = "avx2,fma")]
    #[inline]
    pub(super) unsafe fn axpy256(y: &mut [f32], a: f32, x: &[f32]) {
        let (py, px) = (y.as_mut_ptr(), x.as_ptr());
        let va = _mm256_set1_ps(a);
        for i in (0..y.len()).step_by(8) {
            _mm256_storeu_ps(
                py.add(i),
                _mm256_fmadd_ps(va, _mm256_loadu_ps(px.add(i)), _mm256_loadu_ps(py.add(i))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_agrees_with_the_portable_loop() {
        let a: Vec<f32> = (0..48).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..48).map(|i| (i as f32 * 0.11).cos()).collect();
        let want_dot: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let mut want_y = b.clone();
        want_y.iter_mut().zip(&a).for_each(|(y, x)| *y += 0.5 * x);
        let mut units = vec![PORTABLE];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                units.push(AVX2);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                units.push(AVX512);
            }
        }
        for unit in units {
            let (d, mut y) = match unit {
                AVX512 => (dot::<AVX512>(&a, &b), b.clone()),
                AVX2 => (dot::<AVX2>(&a, &b), b.clone()),
                _ => (dot::<PORTABLE>(&a, &b), b.clone()),
            };
            match unit {
                AVX512 => axpy::<AVX512>(&mut y, 0.5, &a),
                AVX2 => axpy::<AVX2>(&mut y, 0.5, &a),
                _ => axpy::<PORTABLE>(&mut y, 0.5, &a),
            }
            assert!((d - want_dot).abs() < 1e-4, "unit {unit}: {d} vs {want_dot}");
            for (got, want) in y.iter().zip(&want_y) {
                assert!((got - want).abs() < 1e-6, "unit {unit}");
            }
        }
    }
}
