//! The gather of an explicit row solve: one chunk of a row's ratings turned into the dense block the Gram kernel
//! reads (row `r` = the fixed vector of rating `r`), plus the parts of the normal equations that are linear in the
//! fixed vectors: `sum q` (the bias row), `sum y q` (the right-hand side), `sum y` and `sum y^2`, where
//! `y = rating - mean - fixed bias`.
//!
//! The AVX-512 kernel holds the two vector sums in registers across the chunk; summed through memory, every rating
//! waited on the previous rating's store of the same sums.

#[cfg(test)]
use super::isa::PORTABLE;
use super::isa::{AVX512, F32_LANES};
use super::lanes::{copy_row, prefetch, PREFETCH_AHEAD};
use super::row::FixedSide;

/// One chunk to gather: `cols`/`ratings` are the chunk's, `ahead` the row's columns from the chunk's start on (for
/// prefetching past the chunk's end).
pub(crate) struct Chunk<'a> {
    pub cols: &'a [u32],
    pub ratings: &'a [f32],
    pub ahead: &'a [u32],
}

/// Fills the first `chunk.cols.len()` rows of `block` (`padded` wide; columns beyond `k` stay zero), overwrites
/// `sum_q` and `sum_yq` (`k` long) with the chunk's sums in f32, and returns `(sum y, sum y^2)` in f64.
#[inline(always)]
pub(crate) fn gather_chunk<const ISA: u8>(
    fixed: FixedSide<'_>,
    mean: f32,
    chunk: Chunk<'_>,
    block: &mut [f32],
    padded: usize,
    sums: (&mut [f32], &mut [f32]),
) -> (f64, f64) {
    let k = fixed.factors.cols;
    let (sum_q, sum_yq) = sums;
    let n = chunk.cols.len();
    assert!(chunk.ratings.len() == n && chunk.ahead.len() >= n && block.len() >= n * padded);
    assert!(
        padded >= k
            && padded.is_multiple_of(F32_LANES)
            && padded < k + F32_LANES
            && sum_q.len() == k
            && sum_yq.len() == k
    );
    // Only the columns this call reads (the chunk's and the prefetch distance past it), not the rest of the row.
    let read = &chunk.ahead[..chunk.ahead.len().min(n + PREFETCH_AHEAD)];
    assert!(read.iter().all(|&c| (c as usize) < fixed.factors.rows) && fixed.bias.len() == fixed.factors.rows);
    #[cfg(target_arch = "x86_64")]
    if ISA == AVX512 {
        macro_rules! vectors {
            ($($c:literal)*) => {
                match padded / F32_LANES {
                    // SAFETY: the caller's CPU has AVX-512F (ISA); every column is a row of `fixed` and the lengths
                    // match (asserted above).
                    $($c => return unsafe { x86::gather512::<$c>(fixed, mean, &chunk, block, sum_q, sum_yq) },)*
                    _ => {}
                }
            };
        }
        vectors!(1 2 3 4 5 6 7 8);
    }
    sum_q.fill(0.0);
    sum_yq.fill(0.0);
    let (mut sum_y, mut sum_y2) = (0.0f64, 0.0f64);
    for (r, (&c, &rating)) in chunk.cols.iter().zip(chunk.ratings).enumerate() {
        if let Some(&ahead) = chunk.ahead.get(r + PREFETCH_AHEAD) {
            prefetch(fixed.factors.row(ahead as usize));
        }
        let q = fixed.factors.row(c as usize);
        let y = rating - mean - fixed.bias[c as usize];
        copy_row(&mut block[r * padded..r * padded + k], q);
        sum_y += y as f64;
        sum_y2 += y as f64 * y as f64;
        for ((s, t), &qj) in sum_q.iter_mut().zip(sum_yq.iter_mut()).zip(q) {
            *s += qj;
            *t += y * qj;
        }
    }
    (sum_y, sum_y2)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{Chunk, FixedSide, PREFETCH_AHEAD};

    /// `gather_chunk` for `C` vectors per fixed row.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(super) unsafe fn gather512<const C: usize>(
        fixed: FixedSide<'_>,
        mean: f32,
        chunk: &Chunk<'_>,
        block: &mut [f32],
        sum_q: &mut [f32],
        sum_yq: &mut [f32],
    ) -> (f64, f64) {
        const LANES: usize = super::F32_LANES;
        let k = fixed.factors.cols;
        // Lanes of the last vector inside the row; the rest load as zeros (and are never read).
        let tail: __mmask16 = if k.is_multiple_of(LANES) {
            0xFFFF
        } else {
            (1u16 << (k % LANES)) - 1
        };
        let base = fixed.factors.data.as_ptr();
        let bias = fixed.bias.as_ptr();
        let mut q_acc = [_mm512_setzero_ps(); C];
        let mut yq_acc = [_mm512_setzero_ps(); C];
        let (mut sum_y, mut sum_y2) = (0.0f64, 0.0f64);
        let n = chunk.cols.len();
        for r in 0..n {
            if let Some(&ahead) = chunk.ahead.get(r + PREFETCH_AHEAD) {
                let line = base.add(ahead as usize * k).cast::<i8>();
                for offset in (0..k * 4).step_by(64) {
                    _mm_prefetch::<_MM_HINT_T0>(line.add(offset));
                }
                _mm_prefetch::<_MM_HINT_T0>(line.add(k * 4 - 1));
            }
            let c = *chunk.cols.get_unchecked(r) as usize;
            let src = base.add(c * k);
            let dst = block.as_mut_ptr().add(r * C * LANES);
            let y = *chunk.ratings.get_unchecked(r) - mean - *bias.add(c);
            sum_y += y as f64;
            sum_y2 += y as f64 * y as f64;
            let yv = _mm512_set1_ps(y);
            for v in 0..C {
                let q = if v + 1 == C {
                    _mm512_maskz_loadu_ps(tail, src.add(v * LANES))
                } else {
                    _mm512_loadu_ps(src.add(v * LANES))
                };
                _mm512_storeu_ps(dst.add(v * LANES), q);
                q_acc[v] = _mm512_add_ps(q_acc[v], q);
                yq_acc[v] = _mm512_fmadd_ps(yv, q, yq_acc[v]);
            }
        }
        let mut lanes = [0.0f32; LANES];
        for v in 0..C {
            let width = (k - v * LANES).min(LANES);
            _mm512_storeu_ps(lanes.as_mut_ptr(), q_acc[v]);
            sum_q[v * LANES..v * LANES + width].copy_from_slice(&lanes[..width]);
            _mm512_storeu_ps(lanes.as_mut_ptr(), yq_acc[v]);
            sum_yq[v * LANES..v * LANES + width].copy_from_slice(&lanes[..width]);
        }
        (sum_y, sum_y2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Matrix;

    /// Every kernel the CPU has gives the portable loop's block and sums, for widths with and without a partial
    /// last vector, chunks shorter and longer than the prefetch distance.
    #[test]
    fn every_unit_gathers_what_the_portable_loop_gathers() {
        for &(k, n) in &[(7usize, 5usize), (33, 40), (64, 128), (100, 3)] {
            let rows = 60;
            let factors = Matrix {
                rows,
                cols: k,
                data: crate::rng::test_values(rows * k, k as u32),
            };
            let bias = crate::rng::test_values(rows, 3);
            let fixed = FixedSide {
                factors: &factors,
                bias: &bias,
            };
            let cols: Vec<u32> = (0..n + 20).map(|j| ((j * 13 + 5) % rows) as u32).collect();
            let ratings: Vec<f32> = crate::rng::test_values(n, 8).iter().map(|v| 3.0 + 2.0 * v).collect();
            let padded = k.div_ceil(F32_LANES) * F32_LANES;
            let run = |unit: u8| {
                let mut block = vec![0.0f32; n * padded];
                let (mut q, mut yq) = (vec![0.0f32; k], vec![0.0f32; k]);
                let chunk = Chunk {
                    cols: &cols[..n],
                    ratings: &ratings,
                    ahead: &cols,
                };
                let sums = match unit {
                    AVX512 => gather_chunk::<AVX512>(fixed, 3.5, chunk, &mut block, padded, (&mut q, &mut yq)),
                    _ => gather_chunk::<PORTABLE>(fixed, 3.5, chunk, &mut block, padded, (&mut q, &mut yq)),
                };
                (block, q, yq, sums)
            };
            let want = run(PORTABLE);
            for (r, &c) in cols[..n].iter().enumerate() {
                assert_eq!(&want.0[r * padded..r * padded + k], factors.row(c as usize));
                assert!(want.0[r * padded + k..(r + 1) * padded].iter().all(|&v| v == 0.0));
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx512f") {
                let got = run(AVX512);
                assert_eq!(got.0, want.0, "k={k}: block");
                for (a, b) in got.1.iter().chain(&got.2).zip(want.1.iter().chain(&want.2)) {
                    assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "k={k}: {a} vs {b}");
                }
                assert!((got.3 .0 - want.3 .0).abs() < 1e-9 && (got.3 .1 - want.3 .1).abs() < 1e-9);
            }
        }
    }
}
