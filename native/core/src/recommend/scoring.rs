//! The scoring kernel of every personalised list: `offset + bias[i] + q_i . u` for every movie `i`, fused with the
//! top-k selection, so no candidate vector of all movies is built and sorted.
//!
//! Scores are computed a block at a time (explicit AVX-512 / AVX2+FMA kernels chosen at run time, portable
//! otherwise) and streamed through a [`TopK`]: once it holds M entries a movie enters only if it beats the worst
//! kept one, a single comparison for almost every movie. Since indices are scanned in ascending order and ties go to
//! the lower index, the result is exactly [`super::top_k`] of all candidates.

use super::filters::CandidateMask;
use super::topk::TopK;
use crate::linalg::isa::{F32_LANES, PORTABLE};
use crate::linalg::lanes::dot;
use crate::linalg::Matrix;

/// Movies scored per block (a stack buffer).
const BLOCK: usize = 256;

/// One user's list to score: `offset + bias[i] + factors.row(i) . user` over every row `i` not in `exclude` (and in
/// `allowed`, when given), the best `m` kept.
#[derive(Clone, Copy, Debug)]
pub struct ScoreQuery<'a> {
    pub offset: f32,
    pub user: &'a [f32],
    /// Rows left out, sorted ascending (the user's own movies).
    pub exclude: &'a [u32],
    /// The rows a request's filters let in (`filters.rs`); None: every row.
    pub allowed: Option<&'a CandidateMask>,
    pub m: usize,
}

/// The best `query.m` rows by score, best first (score descending, then index ascending).
pub fn scan_top_k(factors: &Matrix, bias: &[f32], query: ScoreQuery<'_>) -> Vec<(u32, f32)> {
    check_query(factors, bias, &query);
    if query.m == 0 {
        return Vec::new();
    }
    let mut top = TopK::new(query.m, query.exclude, query.allowed);
    let mut scores = [0.0f32; BLOCK];
    scan_blocks(factors, BLOCK, |start, rows| {
        let block = &mut scores[..rows.len() / factors.cols];
        score_block(
            rows,
            factors.cols,
            &bias[start..start + block.len()],
            query.offset,
            query.user,
            block,
        );
        top.offer_block(start, block);
    });
    top.into_sorted()
}

/// [`scan_top_k`] for many users at once, with the movie factors read once per batch instead of once per user: a
/// block of rows small enough to stay in L1 is scored for every user before the next block is read. Each user's
/// list is exactly what `scan_top_k` gives them (every score is the same arithmetic, blocks are scanned in the same
/// ascending order).
pub fn scan_top_k_batch(factors: &Matrix, bias: &[f32], queries: &[ScoreQuery<'_>]) -> Vec<Vec<(u32, f32)>> {
    for query in queries {
        check_query(factors, bias, query);
    }
    let mut tops: Vec<TopK<'_>> = queries.iter().map(|q| TopK::new(q.m, q.exclude, q.allowed)).collect();
    // About 32 KiB of factors per block (128 rows at 64 factors), at least one row group. A whole number of row
    // groups, so every row is scored in the same group as in `scan_top_k` (see x86.rs).
    let rows_per_block = (32 * 1024 / (4 * factors.cols.max(1)) / F32_LANES * F32_LANES).clamp(F32_LANES, BLOCK);
    let mut scores = [0.0f32; BLOCK];
    scan_blocks(factors, rows_per_block, |start, rows| {
        let n = rows.len() / factors.cols;
        for (query, top) in queries.iter().zip(&mut tops) {
            if query.m == 0 {
                continue;
            }
            let block = &mut scores[..n];
            score_block(
                rows,
                factors.cols,
                &bias[start..start + n],
                query.offset,
                query.user,
                block,
            );
            top.offer_block(start, block);
        }
    });
    tops.into_iter().map(TopK::into_sorted).collect()
}

fn check_query(factors: &Matrix, bias: &[f32], query: &ScoreQuery<'_>) {
    assert_eq!(
        factors.cols,
        query.user.len(),
        "scan_top_k: user vector of another size"
    );
    assert_eq!(factors.rows, bias.len(), "scan_top_k: one bias per row");
}

/// Calls `visit(first_row, rows)` for consecutive blocks of `rows_per_block` rows of `factors` (the last shorter).
fn scan_blocks(factors: &Matrix, rows_per_block: usize, mut visit: impl FnMut(usize, &[f32])) {
    let k = factors.cols;
    for start in (0..factors.rows).step_by(rows_per_block) {
        let end = (start + rows_per_block).min(factors.rows);
        visit(start, &factors.data[start * k..end * k]);
    }
}

/// `out[r] = offset + bias[r] + rows[r] . user` for the `out.len()` rows of `rows` (each `k` wide).
fn score_block(rows: &[f32], k: usize, bias: &[f32], offset: f32, user: &[f32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above); lengths are checked inside.
            return unsafe { x86::score_block512(rows, k, bias, offset, user, out) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: as above, for AVX2 and FMA.
            return unsafe { x86::score_block256(rows, k, bias, offset, user, out) };
        }
    }
    score_block_portable(rows, k, bias, offset, user, out)
}

fn score_block_portable(rows: &[f32], k: usize, bias: &[f32], offset: f32, user: &[f32], out: &mut [f32]) {
    for ((o, row), &b) in out.iter_mut().zip(rows.chunks_exact(k)).zip(bias) {
        *o = offset + b + dot::<PORTABLE>(row, user);
    }
}

#[cfg(target_arch = "x86_64")]
mod x86;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::top_k;

    #[test]
    fn same_list_as_scoring_everything_and_top_k() {
        for &(rows, k, m) in &[
            (1usize, 1usize, 1usize),
            (300, 7, 5),
            (1000, 64, 20),
            (777, 33, 100),
            (50, 16, 80),
        ] {
            let factors = Matrix {
                rows,
                cols: k,
                data: crate::rng::test_values(rows * k, k as u32),
            };
            let mut bias = crate::rng::test_values(rows, 3);
            // Ties: equal scores must come out in index order, as top_k gives them.
            if rows > 10 {
                let row9 = factors.row(9).to_vec();
                let mut f = factors.clone();
                f.row_mut(4).copy_from_slice(&row9);
                bias[4] = bias[9];
                let user = crate::rng::test_values(k, 9);
                let seen: Vec<u32> = (0..rows as u32).filter(|i| i % 7 == 3).collect();
                check(&f, &bias, &user, &seen, m);
            }
            let user = crate::rng::test_values(k, 5);
            check(&factors, &bias, &user, &[], m);
        }
    }

    fn check(factors: &Matrix, bias: &[f32], user: &[f32], seen: &[u32], m: usize) {
        let mut all = vec![0.0; factors.rows];
        score_block_portable(&factors.data, factors.cols, bias, 0.5, user, &mut all);
        let candidates: Vec<(u32, f32)> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| seen.binary_search(&(*i as u32)).is_err())
            .map(|(i, &s)| (i as u32, s))
            .collect();
        let want = top_k(candidates, m);
        let query = |offset, user, exclude, m| ScoreQuery {
            offset,
            user,
            exclude,
            allowed: None,
            m,
        };
        let got = scan_top_k(factors, bias, query(0.5, user, seen, m));
        // In a batch beside other users (another offset, nothing seen, another m), the same list.
        let other = crate::rng::test_values(factors.cols, 77);
        let queries = [
            query(0.1, &other, &[], m / 2 + 1),
            query(0.5, user, seen, m),
            query(0.0, user, &[], 0),
        ];
        let batch = scan_top_k_batch(factors, bias, &queries);
        assert_eq!(
            batch[1], got,
            "batch vs single, rows {} k {} m {m}",
            factors.rows, factors.cols
        );
        assert_eq!(batch[0], scan_top_k(factors, bias, query(0.1, &other, &[], m / 2 + 1)));
        assert!(batch[2].is_empty());
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(
                g.0, w.0,
                "rows {} k {} m {m}: {got:?} vs {want:?}",
                factors.rows, factors.cols
            );
            assert!((g.1 - w.1).abs() < 1e-4);
        }
    }
}
