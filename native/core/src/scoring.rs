//! The scoring kernel of every top-M list: `offset + bias[i] + q_i . u` for every movie `i`, fused with the top-M
//! selection, so no candidate vector of all movies is built and sorted.
//!
//! Scores are computed a block at a time (explicit AVX-512 / AVX2+FMA kernels chosen at run time, portable
//! otherwise) and streamed through a bounded heap: once it holds M entries a movie enters only if it beats the
//! worst kept one, a single comparison for almost every movie. The order is `top_m`'s: score descending, then index
//! ascending; since indices are scanned in ascending order, a later movie with an equal score never displaces a
//! kept one, so the result is exactly `top_m` of all candidates.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::model::Matrix;

/// Movies scored per block (a stack buffer).
const BLOCK: usize = 256;

/// A kept candidate. `Ord` ranks the worse candidate greater, so the heap's top is the worst one kept.
#[derive(Clone, Copy, Debug)]
struct Kept(u32, f32);

impl PartialEq for Kept {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Kept {}
impl PartialOrd for Kept {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Kept {
    /// `top_m`'s order: higher score first, then lower index; "greater" = ranked later.
    fn cmp(&self, other: &Self) -> Ordering {
        other.1.total_cmp(&self.1).then(self.0.cmp(&other.0))
    }
}

/// The best `m` of `offset + bias[i] + factors.row(i) . user` over all rows `i` not in `seen` (sorted ascending), best
/// first (score descending, then index ascending): the same list as scoring every candidate and calling `top_m`.
pub fn top_scores(
    factors: &Matrix,
    bias: &[f32],
    offset: f32,
    user: &[f32],
    seen: &[u32],
    m: usize,
) -> Vec<(u32, f32)> {
    let query = ScoreQuery { offset, user, seen, m };
    check_query(factors, bias, &query);
    let mut keeper = TopKeeper::new(&query);
    if m == 0 {
        return Vec::new();
    }
    let mut scores = [0.0f32; BLOCK];
    scan_blocks(factors, BLOCK, |start, rows| {
        let block = &mut scores[..rows.len() / factors.cols];
        score_block(
            rows,
            factors.cols,
            &bias[start..start + block.len()],
            offset,
            user,
            block,
        );
        keeper.offer(start, block);
    });
    keeper.into_sorted()
}

/// One user's share of [`top_scores_batch`]: the same arguments as [`top_scores`].
#[derive(Clone, Copy, Debug)]
pub struct ScoreQuery<'a> {
    pub offset: f32,
    pub user: &'a [f32],
    pub seen: &'a [u32],
    pub m: usize,
}

/// [`top_scores`] for many users at once, with the movie factors read once per batch instead of once per user: a
/// block of rows small enough to stay in L1 is scored for every user before the next block is read. Each user's
/// list is exactly what `top_scores` gives them (every score is the same arithmetic, blocks are scanned in the same
/// ascending order).
pub fn top_scores_batch(factors: &Matrix, bias: &[f32], queries: &[ScoreQuery<'_>]) -> Vec<Vec<(u32, f32)>> {
    for query in queries {
        check_query(factors, bias, query);
    }
    let mut keepers: Vec<TopKeeper<'_>> = queries.iter().map(TopKeeper::new).collect();
    // About 32 KiB of factors per block (128 rows at 64 factors), at least 16 rows.
    // A multiple of 16 rows, so every row is scored in the same 16-row group as in `top_scores` (see x86.rs).
    let rows_per_block = (32 * 1024 / (4 * factors.cols.max(1)) / 16 * 16).clamp(16, BLOCK);
    let mut scores = [0.0f32; BLOCK];
    scan_blocks(factors, rows_per_block, |start, rows| {
        let n = rows.len() / factors.cols;
        for (query, keeper) in queries.iter().zip(&mut keepers) {
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
            keeper.offer(start, block);
        }
    });
    keepers.into_iter().map(TopKeeper::into_sorted).collect()
}

fn check_query(factors: &Matrix, bias: &[f32], query: &ScoreQuery<'_>) {
    assert_eq!(
        factors.cols,
        query.user.len(),
        "top_scores: user vector of another size"
    );
    assert_eq!(factors.rows, bias.len(), "top_scores: one bias per row");
}

/// Calls `visit(first_row, rows)` for consecutive blocks of `rows_per_block` rows of `factors` (the last shorter).
fn scan_blocks(factors: &Matrix, rows_per_block: usize, mut visit: impl FnMut(usize, &[f32])) {
    let k = factors.cols;
    for start in (0..factors.rows).step_by(rows_per_block) {
        let end = (start + rows_per_block).min(factors.rows);
        visit(start, &factors.data[start * k..end * k]);
    }
}

/// The bounded heap of one user's best `m`, fed blocks of scores in ascending row order.
struct TopKeeper<'a> {
    heap: BinaryHeap<Kept>,
    m: usize,
    /// Rows to skip, sorted ascending (a handful: the user's input movies).
    seen: &'a [u32],
}

impl<'a> TopKeeper<'a> {
    fn new(query: &ScoreQuery<'a>) -> Self {
        Self {
            heap: BinaryHeap::with_capacity(query.m.min(crate::foldin::MAX_RECOMMENDATIONS) + 1),
            m: query.m,
            seen: query.seen,
        }
    }

    /// Offers the scores of rows `start..start + scores.len()`.
    fn offer(&mut self, start: usize, scores: &[f32]) {
        let mut j = 0;
        while self.heap.len() < self.m && j < scores.len() {
            self.consider(start + j, scores[j]);
            j += 1;
        }
        if j == scores.len() {
            return;
        }
        // The heap is full: a movie can only enter with a score of at least the worst kept one. Checking that for
        // 16 scores at once (no early exit, so it vectorises) skips almost every movie without touching the heap.
        let mut worst = self.worst_score();
        let mut chunk_start = j;
        for chunk in scores[j..].chunks(16) {
            if chunk.iter().fold(false, |any, &s| any | (s >= worst)) {
                for (c, &score) in chunk.iter().enumerate() {
                    if score >= worst && self.consider(start + chunk_start + c, score) {
                        worst = self.worst_score();
                    }
                }
            }
            chunk_start += chunk.len();
        }
    }

    fn worst_score(&self) -> f32 {
        self.heap.peek().map_or(f32::NEG_INFINITY, |k| k.1)
    }

    /// Row `i` with `score`, unless it is seen or ranks below the `m` kept; true when it was kept.
    fn consider(&mut self, i: usize, score: f32) -> bool {
        let i = i as u32;
        if self.seen.binary_search(&i).is_ok() {
            return false;
        }
        let candidate = Kept(i, score);
        if self.heap.len() < self.m {
            self.heap.push(candidate);
            true
        } else if candidate < *self.heap.peek().expect("heap holds m >= 1 entries") {
            self.heap.pop();
            self.heap.push(candidate);
            true
        } else {
            false
        }
    }

    fn into_sorted(self) -> Vec<(u32, f32)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|Kept(i, s)| (i, s))
            .collect()
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
        *o = offset + b + crate::foldin::dot(row, user);
    }
}

#[cfg(target_arch = "x86_64")]
mod x86;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foldin::top_m;

    #[test]
    fn same_list_as_scoring_everything_and_top_m() {
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
            // Ties: equal scores must come out in index order, as top_m does.
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
        let want = top_m(candidates, m);
        let got = top_scores(factors, bias, 0.5, user, seen, m);
        // In a batch beside other users (another offset, nothing seen, another m), the same list.
        let other = crate::rng::test_values(factors.cols, 77);
        let queries = [
            ScoreQuery {
                offset: 0.1,
                user: &other,
                seen: &[],
                m: m / 2 + 1,
            },
            ScoreQuery {
                offset: 0.5,
                user,
                seen,
                m,
            },
            ScoreQuery {
                offset: 0.0,
                user,
                seen: &[],
                m: 0,
            },
        ];
        let batch = top_scores_batch(factors, bias, &queries);
        assert_eq!(
            batch[1], got,
            "batch vs single, rows {} k {} m {m}",
            factors.rows, factors.cols
        );
        assert_eq!(batch[0], top_scores(factors, bias, 0.1, &other, &[], m / 2 + 1));
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
