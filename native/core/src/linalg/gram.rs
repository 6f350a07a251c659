//! The Gram matrix `B'B` of a gathered block `B` (one row per rating, the fixed side's factor vector), the hot loop
//! of ALS (about 90% of the arithmetic).
//!
//! Computed tile by tile: a tile of `B'B` (a few rows x 16 columns) stays in vector registers while the whole block
//! streams past, i.e. a blocked rank-`n` update rather than one rank-1 update per rating. The tile is then added into
//! the f64 normal-equation matrix, so long rows (a movie with thousands of ratings) are summed in f64 across blocks.
//! Explicit AVX-512 and AVX2+FMA kernels (chosen at run time), and a portable fallback.

use super::isa::{AVX2, AVX512, F32_LANES};

/// Columns per tile: one AVX-512 register, two AVX2 registers.
pub(crate) const TILE_COLS: usize = F32_LANES;

/// Adds `B'B` into the upper triangle of `normal` (the AVX-512 kernel also into parts of the lower one, which no
/// reader uses) (row-major, `stride` wide) at offset (1, 1): entry `(a, b)`,
/// `b >= a`, goes to `normal[(1 + a) * stride + 1 + b]`. `B` is the first `n` rows of `block`, each `padded` wide (a multiple of
/// `TILE_COLS`, zeros beyond column `k`).
#[inline(always)]
pub(crate) fn gram_chunk<const ISA: u8>(
    block: &[f32],
    n: usize,
    padded: usize,
    k: usize,
    normal: &mut [f64],
    stride: usize,
) {
    assert!(padded.is_multiple_of(TILE_COLS) && padded >= k && block.len() >= n * padded && stride > k);
    assert!(normal.len() >= (k + 1) * stride);
    #[cfg(target_arch = "x86_64")]
    {
        if ISA == AVX512 {
            // SAFETY: ISA == AVX512 only where `solve_row` checked the CPU supports AVX-512F; bounds asserted above.
            return unsafe { x86::gram_avx512(block, n, padded, k, normal, stride) };
        }
        if ISA == AVX2 {
            // SAFETY: as above, for AVX2 and FMA.
            return unsafe { x86::gram_avx2(block, n, padded, k, normal, stride) };
        }
    }
    gram_portable(block, n, padded, k, normal, stride)
}

/// Adds one tile row (`values[j]` is entry `(a, b0 + j)`) into the upper triangle.
#[inline(always)]
fn add_tile_row(normal: &mut [f64], stride: usize, k: usize, a: usize, b0: usize, values: &[f32; TILE_COLS]) {
    let lo = b0.max(a);
    let hi = (b0 + TILE_COLS).min(k);
    if lo >= hi {
        return;
    }
    let out = &mut normal[(1 + a) * stride + 1 + lo..(1 + a) * stride + 1 + hi];
    for (o, &v) in out.iter_mut().zip(&values[lo - b0..hi - b0]) {
        *o += v as f64;
    }
}

fn gram_portable(block: &[f32], n: usize, padded: usize, k: usize, normal: &mut [f64], stride: usize) {
    const ROWS: usize = 4;
    let rows = &block[..n * padded];
    for a0 in (0..k).step_by(ROWS) {
        for b0 in ((a0 / TILE_COLS) * TILE_COLS..k).step_by(TILE_COLS) {
            let mut acc = [[0.0f32; TILE_COLS]; ROWS];
            for row in rows.chunks_exact(padded) {
                let right: &[f32; TILE_COLS] = row[b0..b0 + TILE_COLS].try_into().unwrap();
                for (i, acc_row) in acc.iter_mut().enumerate() {
                    let left = row[a0 + i];
                    for (s, &r) in acc_row.iter_mut().zip(right) {
                        *s += left * r;
                    }
                }
            }
            for (i, acc_row) in acc.iter().enumerate().take_while(|(i, _)| a0 + i < k) {
                add_tile_row(normal, stride, k, a0 + i, b0, acc_row);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{add_tile_row, TILE_COLS};

    /// 8 x 16 tile in eight zmm accumulators: per rating one load, eight broadcasts, eight FMAs.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn gram_avx512(
        block: &[f32],
        n: usize,
        padded: usize,
        k: usize,
        normal: &mut [f64],
        stride: usize,
    ) {
        const ROWS: usize = 8;
        let base = block.as_ptr();
        let mut out = [0.0f32; TILE_COLS];
        for a0 in (0..k).step_by(ROWS) {
            for b0 in ((a0 / TILE_COLS) * TILE_COLS..k).step_by(TILE_COLS) {
                let mut acc = [_mm512_setzero_ps(); ROWS];
                for r in 0..n {
                    // SAFETY: r < n and a0 + ROWS <= padded, b0 + 16 <= padded (padded is a multiple of 16 >= k);
                    // the caller asserted block.len() >= n * padded.
                    let row = base.add(r * padded);
                    let right = _mm512_loadu_ps(row.add(b0));
                    for (i, s) in acc.iter_mut().enumerate() {
                        *s = _mm512_fmadd_ps(_mm512_set1_ps(*row.add(a0 + i)), right, *s);
                    }
                }
                for (i, s) in acc.iter().enumerate().take_while(|(i, _)| a0 + i < k) {
                    let at = (1 + a0 + i) * stride + 1 + b0;
                    if 1 + b0 + TILE_COLS <= stride {
                        // The whole tile row, as two f64 vectors: entries left of the diagonal land in the lower
                        // triangle, which no reader of `normal` uses, and the clipping of `add_tile_row` (about a
                        // tenth of all training time on short rows) is saved. SAFETY: row 1 + a0 + i < k + 1 and
                        // columns up to 1 + b0 + 16 <= stride: inside `normal` (asserted by the caller).
                        let dst = normal.as_mut_ptr().add(at);
                        let low = _mm512_cvtps_pd(_mm512_castps512_ps256(*s));
                        let high = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(*s))));
                        _mm512_storeu_pd(dst, _mm512_add_pd(_mm512_loadu_pd(dst), low));
                        _mm512_storeu_pd(dst.add(8), _mm512_add_pd(_mm512_loadu_pd(dst.add(8)), high));
                    } else {
                        _mm512_storeu_ps(out.as_mut_ptr(), *s);
                        add_tile_row(normal, stride, k, a0 + i, b0, &out);
                    }
                }
            }
        }
    }

    /// 4 x 16 tile in eight ymm accumulators: per rating two loads, four broadcasts, eight FMAs.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn gram_avx2(
        block: &[f32],
        n: usize,
        padded: usize,
        k: usize,
        normal: &mut [f64],
        stride: usize,
    ) {
        const ROWS: usize = 4;
        let base = block.as_ptr();
        let mut out = [0.0f32; TILE_COLS];
        for a0 in (0..k).step_by(ROWS) {
            for b0 in ((a0 / TILE_COLS) * TILE_COLS..k).step_by(TILE_COLS) {
                let mut lo = [_mm256_setzero_ps(); ROWS];
                let mut hi = [_mm256_setzero_ps(); ROWS];
                for r in 0..n {
                    // SAFETY: as in gram_avx512.
                    let row = base.add(r * padded);
                    let right_lo = _mm256_loadu_ps(row.add(b0));
                    let right_hi = _mm256_loadu_ps(row.add(b0 + 8));
                    for i in 0..ROWS {
                        let left = _mm256_set1_ps(*row.add(a0 + i));
                        lo[i] = _mm256_fmadd_ps(left, right_lo, lo[i]);
                        hi[i] = _mm256_fmadd_ps(left, right_hi, hi[i]);
                    }
                }
                for i in (0..ROWS).take_while(|i| a0 + i < k) {
                    _mm256_storeu_ps(out.as_mut_ptr(), lo[i]);
                    _mm256_storeu_ps(out.as_mut_ptr().add(8), hi[i]);
                    add_tile_row(normal, stride, k, a0 + i, b0, &out);
                }
            }
        }
    }
}
