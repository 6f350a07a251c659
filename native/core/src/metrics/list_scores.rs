//! The one definition of the per-user ranking metrics (precision, recall, NDCG, average precision at k).

/// One list's scores against one user's relevant movies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ListScores {
    pub precision: f64,
    pub recall: f64,
    pub ndcg: f64,
    pub average_precision: f64,
}

/// precision@k, recall@k, NDCG@k (binary gains) and AP@k of one list (best first, at most `k` long) against
/// sorted, non-empty `relevant`. The one definition of these metrics: the evaluation and the ranking benchmark
/// (which scores other libraries' lists with it) both call it.
pub fn list_scores(list: &[u32], relevant: &[u32], k: usize) -> ListScores {
    let gain = |rank: usize| 1.0 / ((rank + 2) as f64).log2();
    let mut hits = 0;
    let mut dcg = 0.0;
    let mut precision_sum = 0.0;
    for (rank, item) in list.iter().take(k).enumerate() {
        if relevant.binary_search(item).is_ok() {
            hits += 1;
            dcg += gain(rank);
            precision_sum += hits as f64 / (rank + 1) as f64;
        }
    }
    let ideal: f64 = (0..relevant.len().min(k)).map(gain).sum();
    ListScores {
        precision: hits as f64 / k as f64,
        recall: hits as f64 / relevant.len() as f64,
        ndcg: dcg / ideal,
        average_precision: precision_sum / relevant.len().min(k) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::list_scores;

    #[test]
    fn ranking_scores_by_hand() {
        // Hits at ranks 0 and 2 of 3; three relevant movies.
        let s = list_scores(&[10, 11, 12], &[10, 12, 99], 3);
        assert!((s.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-12);
        let dcg = 1.0 + 1.0 / 4f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2() + 1.0 / 4f64.log2();
        assert!((s.ndcg - dcg / idcg).abs() < 1e-12);
        // AP@3: precision at the hits, 1/1 and 2/3, over min(3 relevant, k 3).
        assert!((s.average_precision - (1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn average_precision_by_hand() {
        // k 5, hits at ranks 2 and 5 (1-based), two relevant movies: (1/2 + 2/5) / 2 = 0.45.
        let s = list_scores(&[1, 7, 2, 3, 9], &[7, 9], 5);
        assert!((s.average_precision - 0.45).abs() < 1e-12, "{s:?}");
        // More relevant movies than k: the denominator is k. k 2, one hit at rank 1: (1/1) / 2.
        let s = list_scores(&[4, 5], &[4, 6, 8, 10], 2);
        assert!((s.average_precision - 0.5).abs() < 1e-12, "{s:?}");
        // No hit: 0; a list longer than k counts only its first k.
        assert_eq!(list_scores(&[1, 2, 3], &[3], 2).average_precision, 0.0);
    }
}
