//! Vector kernels of the conjugate-gradient row solve (`cg.rs`) on lane-padded f32 vectors (length a multiple of
//! [`LANES`]): explicit AVX-512 and AVX2+FMA versions and a portable fallback, picked by the const `ISA` the caller
//! was compiled for (the same scheme as `gram.rs`). The compiler's own vectorisation of these loops used 2-lane
//! registers for the dot products, at a quarter of the speed.

/// f32 lanes of an AVX-512 register; vectors are padded to a multiple of it.
pub(crate) const LANES: usize = 16;

pub(crate) const PORTABLE: u8 = 0;
pub(crate) const AVX2: u8 = 1;
pub(crate) const AVX512: u8 = 2;

/// `a . b`.
#[inline(always)]
pub(crate) fn dot<const ISA: u8>(a: &[f32], b: &[f32]) -> f32 {
    assert!(a.len() % LANES == 0 && a.len() == b.len());
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: ISA names a unit the caller's CPU was checked for (see cg::solve_row_cg); lengths asserted above.
        if ISA == AVX512 {
            return unsafe { x86::dot512(a, b) };
        }
        if ISA == AVX2 {
            return unsafe { x86::dot256(a, b) };
        }
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `y += a x`.
#[inline(always)]
pub(crate) fn axpy<const ISA: u8>(y: &mut [f32], a: f32, x: &[f32]) {
    assert!(y.len() % LANES == 0 && y.len() == x.len());
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

/// The sparse part of a CG product for one row: `out += w (row . v) row`; the row is loaded once.
#[inline(always)]
pub(crate) fn rank_one_times<const ISA: u8>(out: &mut [f32], w: f32, row: &[f32], v: &[f32]) {
    let s = dot::<ISA>(row, v);
    axpy::<ISA>(out, w * s, row);
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::LANES;

    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(super) unsafe fn dot512(a: &[f32], b: &[f32]) -> f32 {
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        // Two accumulators: consecutive FMAs do not wait on each other.
        let (mut s0, mut s1) = (_mm512_setzero_ps(), _mm512_setzero_ps());
        let mut i = 0;
        while i + 2 * LANES <= a.len() {
            s0 = _mm512_fmadd_ps(_mm512_loadu_ps(pa.add(i)), _mm512_loadu_ps(pb.add(i)), s0);
            s1 = _mm512_fmadd_ps(_mm512_loadu_ps(pa.add(i + LANES)), _mm512_loadu_ps(pb.add(i + LANES)), s1);
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
            _mm512_storeu_ps(py.add(i), _mm512_fmadd_ps(va, _mm512_loadu_ps(px.add(i)), _mm512_loadu_ps(py.add(i))));
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
            _mm256_storeu_ps(py.add(i), _mm256_fmadd_ps(va, _mm256_loadu_ps(px.add(i)), _mm256_loadu_ps(py.add(i))));
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
