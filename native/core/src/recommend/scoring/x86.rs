//! The x86-64 kernels of `score_block`: `out[r] = offset + bias[r] + rows[r] . user`.
//!
//! AVX-512 scores 16 rows at a time: each row's products are accumulated lane-wise (one FMA per 16 factors), then
//! the 16 accumulators are reduced together by a transpose-and-add tree (15 steps of two permutes and an add for
//! 16 rows, instead of a full horizontal sum per row), which leaves the 16 row sums in one register in row order.
//! Every row is summed in the same order whatever its position in the group, so a row's score does not depend on
//! which rows are scored with it. Rows past the last full group take the one-row path.

use std::arch::x86_64::*;

/// Lanes of the permutes of each reduction level (x lanes 0..15, y lanes 16..31); the partner lane is `+ step`.
const LEVELS: [([i32; 16], i32); 4] = [
    ([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23], 8),
    ([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27], 4),
    ([0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29], 2),
    ([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30], 1),
];

/// One reduction step: x's and y's partial sums halved, x's in the low lanes, y's in the high ones.
#[inline]
#[target_feature(enable = "avx512f")]
fn fold(x: __m512, y: __m512, level: usize) -> __m512 {
    let (lanes, step) = LEVELS[level];
    // SAFETY: [i32; 16] and __m512i have the same size; every bit pattern is a valid __m512i.
    let first: __m512i = unsafe { std::mem::transmute::<[i32; 16], __m512i>(lanes) };
    let second = _mm512_add_epi32(first, _mm512_set1_epi32(step));
    _mm512_add_ps(
        _mm512_permutex2var_ps(x, first, y),
        _mm512_permutex2var_ps(x, second, y),
    )
}

/// The 16 horizontal sums of `acc`, in order, in one register.
#[inline]
#[target_feature(enable = "avx512f")]
fn sum16(acc: &[__m512; 16]) -> __m512 {
    let v: [__m512; 8] = std::array::from_fn(|i| fold(acc[2 * i], acc[2 * i + 1], 0));
    let w: [__m512; 4] = std::array::from_fn(|i| fold(v[2 * i], v[2 * i + 1], 1));
    let x: [__m512; 2] = std::array::from_fn(|i| fold(w[2 * i], w[2 * i + 1], 2));
    fold(x[0], x[1], 3)
}

#[target_feature(enable = "avx512f")]
pub(super) unsafe fn score_block512(rows: &[f32], k: usize, bias: &[f32], offset: f32, user: &[f32], out: &mut [f32]) {
    assert!(rows.len() >= out.len() * k && bias.len() >= out.len() && user.len() == k);
    let chunks = k.div_ceil(16);
    let tail: __mmask16 = if k.is_multiple_of(16) {
        0xffff
    } else {
        ((1u32 << (k % 16)) - 1) as __mmask16
    };
    let mask = |c: usize| if c + 1 == chunks { tail } else { 0xffff };
    let u = user.as_ptr();
    let groups = out.len() / 16;
    let offsets = _mm512_set1_ps(offset);
    for g in 0..groups {
        let base = rows.as_ptr().add(g * 16 * k);
        let mut acc = [_mm512_setzero_ps(); 16];
        for c in 0..chunks {
            let m = mask(c);
            let uc = _mm512_maskz_loadu_ps(m, u.add(c * 16));
            for (j, a) in acc.iter_mut().enumerate() {
                *a = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, base.add(j * k + c * 16)), uc, *a);
            }
        }
        let sums = sum16(&acc);
        let b = _mm512_loadu_ps(bias.as_ptr().add(g * 16));
        _mm512_storeu_ps(
            out.as_mut_ptr().add(g * 16),
            _mm512_add_ps(_mm512_add_ps(offsets, b), sums),
        );
    }
    for r in groups * 16..out.len() {
        let row = rows.as_ptr().add(r * k);
        let mut s = _mm512_setzero_ps();
        for c in 0..chunks {
            let m = mask(c);
            s = _mm512_fmadd_ps(
                _mm512_maskz_loadu_ps(m, row.add(c * 16)),
                _mm512_maskz_loadu_ps(m, u.add(c * 16)),
                s,
            );
        }
        out[r] = offset + bias[r] + _mm512_reduce_add_ps(s);
    }
}

#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn score_block256(rows: &[f32], k: usize, bias: &[f32], offset: f32, user: &[f32], out: &mut [f32]) {
    assert!(rows.len() >= out.len() * k && bias.len() >= out.len() && user.len() == k);
    let full = k / 8;
    let u = user.as_ptr();
    for (r, o) in out.iter_mut().enumerate() {
        let row = rows.as_ptr().add(r * k);
        let mut s = _mm256_setzero_ps();
        for c in 0..full {
            s = _mm256_fmadd_ps(_mm256_loadu_ps(row.add(c * 8)), _mm256_loadu_ps(u.add(c * 8)), s);
        }
        let q = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
        let q = _mm_add_ps(q, _mm_movehl_ps(q, q));
        let q = _mm_add_ss(q, _mm_movehdup_ps(q));
        let mut sum = _mm_cvtss_f32(q);
        for c in full * 8..k {
            sum += *row.add(c) * *u.add(c);
        }
        *o = offset + *bias.get_unchecked(r) + sum;
    }
}
