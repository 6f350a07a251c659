//! The one top-k selection of the core: the best `m` (index, score) pairs, score descending, ties by index
//! ascending (the raw id order), kept in a bounded heap. The scoring scan streams every movie's score into it; the
//! lists that score their candidates otherwise (similar, popular, the baselines of the ranking metrics) feed it
//! theirs.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::filters::CandidateMask;
use crate::limits::MAX_LIST_LENGTH;
use crate::linalg::isa::F32_LANES;

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
    /// Higher score first, then lower index; "greater" = ranked later.
    fn cmp(&self, other: &Self) -> Ordering {
        other.1.total_cmp(&self.1).then(self.0.cmp(&other.0))
    }
}

/// The best `m` candidates offered so far, without the excluded indices and, with a mask, only the indices in it.
pub struct TopK<'a> {
    heap: BinaryHeap<Kept>,
    m: usize,
    /// Indices never kept, sorted ascending (a handful: a user's input movies). Like the mask, only checked for a
    /// candidate good enough to enter, so it costs nothing per movie.
    exclude: &'a [u32],
    allowed: Option<&'a CandidateMask>,
}

impl<'a> TopK<'a> {
    /// Keeps the best `m`, leaving out `exclude` (sorted ascending) and, when given, every index `allowed` lacks.
    pub fn new(m: usize, exclude: &'a [u32], allowed: Option<&'a CandidateMask>) -> Self {
        Self {
            heap: BinaryHeap::with_capacity(m.min(MAX_LIST_LENGTH) + 1),
            m,
            exclude,
            allowed,
        }
    }

    /// Offers index `i` with `score`; true when it was kept (it may be displaced later).
    pub fn offer(&mut self, i: u32, score: f32) -> bool {
        if self.exclude.binary_search(&i).is_ok() || self.allowed.is_some_and(|a| !a.contains(i)) {
            return false;
        }
        let candidate = Kept(i, score);
        if self.heap.len() < self.m {
            self.heap.push(candidate);
            true
        } else if self.heap.peek().is_some_and(|worst| candidate < *worst) {
            self.heap.pop();
            self.heap.push(candidate);
            true
        } else {
            false
        }
    }

    /// Offers the scores of indices `start..start + scores.len()` (a block of the scoring scan).
    pub(crate) fn offer_block(&mut self, start: usize, scores: &[f32]) {
        let mut j = 0;
        while self.heap.len() < self.m && j < scores.len() {
            self.offer((start + j) as u32, scores[j]);
            j += 1;
        }
        if j == scores.len() {
            return;
        }
        // The heap is full: a movie can only enter with a score of at least the worst kept one. Checking that for a
        // vector of scores at once (no early exit, so it vectorises) skips almost every movie without the heap.
        let mut worst = self.worst_score();
        let mut chunk_start = j;
        for chunk in scores[j..].chunks(F32_LANES) {
            if chunk.iter().fold(false, |any, &s| any | (s >= worst)) {
                for (c, &score) in chunk.iter().enumerate() {
                    if score >= worst && self.offer((start + chunk_start + c) as u32, score) {
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

    /// The kept candidates, best first.
    pub fn into_sorted(self) -> Vec<(u32, f32)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|Kept(i, s)| (i, s))
            .collect()
    }
}

/// The best `m` of `candidates`, best first (score descending, ties by index ascending).
pub fn top_k(candidates: impl IntoIterator<Item = (u32, f32)>, m: usize) -> Vec<(u32, f32)> {
    top_k_of(candidates, m, None)
}

/// [`top_k`] of the candidates in `allowed` (all when None).
pub fn top_k_of(
    candidates: impl IntoIterator<Item = (u32, f32)>,
    m: usize,
    allowed: Option<&CandidateMask>,
) -> Vec<(u32, f32)> {
    let mut top = TopK::new(m, &[], allowed);
    for (i, score) in candidates {
        top.offer(i, score);
    }
    top.into_sorted()
}

#[cfg(test)]
mod tests {
    use super::top_k;

    #[test]
    fn orders_by_score_then_index() {
        let c = vec![(5, 1.0), (1, 3.0), (2, 1.0), (9, 3.0), (0, -1.0)];
        assert_eq!(top_k(c.clone(), 3), vec![(1, 3.0), (9, 3.0), (2, 1.0)]);
        assert_eq!(top_k(c.clone(), 10).len(), 5);
        assert!(top_k(c, 0).is_empty());
    }
}
