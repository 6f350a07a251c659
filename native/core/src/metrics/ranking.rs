//! Ranking metrics: the one definition of the per-user scores (precision, recall, NDCG, average precision at k,
//! [`list_scores`]), the relevant movies of a test user, and the average over users with the lists' coverage,
//! novelty and diversity ([`average`]). The evaluation's three methods and the ranking benchmark's lists from other
//! libraries ([`evaluate_lists`]) go through `rank_users`; the new-user evaluation (`new_users.rs`) through
//! [`list_scores`] and [`average`].

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::pairs::{check_k, KnownPairs};
use super::report::{RankingMetrics, RELEVANT_RATING};
use crate::dataset::RatingTriples;
use crate::model::AlsModel;
use crate::recommend::{top_k, ListOptions, Recommender};
use crate::Result;

/// Model (the product's list: `Recommender::known_user_list`), bias-only (movie bias order) and popularity (training count order), for the test
/// users the model knows.
pub(super) fn ranking(recommender: &Recommender, pairs: &KnownPairs, k: usize) -> [RankingMetrics; 3] {
    let model = recommender.model();
    let n_items = model.items.len();
    // Bias-only and popularity rank every user's candidates in one global order; the model's order is per user.
    let order_by = |score: &dyn Fn(usize) -> f32| -> Vec<u32> {
        top_k((0..n_items).map(|i| (i as u32, score(i))), n_items)
            .into_iter()
            .map(|(i, _)| i)
            .collect()
    };
    let bias_order = order_by(&|i| model.baseline.item_bias[i]);
    let popularity_order = order_by(&|i| model.item_counts[i] as f32);
    rank_users(recommender, pairs, k, |u, seen| {
        let from_order = |order: &[u32]| {
            order
                .iter()
                .copied()
                .filter(|i| seen.binary_search(i).is_err())
                .take(k)
                .collect()
        };
        // Without filters a list cannot be refused.
        let by_model = recommender
            .known_user_list(u, k, &ListOptions::default())
            .map(|listed| listed.items.into_iter().map(|(i, _)| i).collect())
            .unwrap_or_default();
        [by_model, from_order(&bias_order), from_order(&popularity_order)]
    })
}

/// Ranking metrics of lists made elsewhere (another library's top-k, by raw user id: raw movie ids, best first),
/// against `test`, with exactly the evaluation's definitions: the users are the test users the model knows with at
/// least one relevant movie (a test rating >= 4 of a movie the model knows and the user did not rate in training);
/// a user without a list scores 0; list movies the model does not know count as misses and not in coverage.
/// `recommender` gives the training data (movie ids, each user's training movies, genres), not the lists.
pub fn evaluate_lists(
    recommender: &Recommender,
    test: &RatingTriples,
    k: usize,
    lists: &BTreeMap<u32, Vec<u32>>,
) -> Result<RankingMetrics> {
    check_k(k)?;
    let model = recommender.model();
    let pairs = KnownPairs::of(model, test);
    let [metrics] = rank_users(recommender, &pairs, k, |u, _| {
        let raw_user = model.users.raw_id(u);
        let list = lists.get(&raw_user).map_or(&[][..], Vec::as_slice);
        [dense_list(model, list, k)]
    });
    Ok(metrics)
}

/// Raw movie ids as dense indices, at most `k`: a movie the model does not know can never be relevant, and
/// `u32::MAX` keeps its place as a miss.
pub(super) fn dense_list(model: &AlsModel, list: &[u32], k: usize) -> Vec<u32> {
    list.iter()
        .take(k)
        .map(|&m| model.items.index_of(m).unwrap_or(u32::MAX))
        .collect()
}

/// Per-user scores of each method and the movies recommended (dense indices).
pub(super) struct UserRanking<const N: usize> {
    pub(super) scores: [ListScores; N],
    pub(super) recommended: [Vec<u32>; N],
}

/// Scores the `N` lists `lists_of(user index, training movies)` gives each evaluated user, and averages over users
/// (sums in user order, so the result does not depend on the thread count).
fn rank_users<const N: usize>(
    recommender: &Recommender,
    pairs: &KnownPairs,
    k: usize,
    lists_of: impl Fn(usize, &[u32]) -> [Vec<u32>; N] + Sync,
) -> [RankingMetrics; N] {
    let model = recommender.model();
    let per_user: Vec<UserRanking<N>> = pairs
        .by_user()
        .par_iter()
        .filter_map(|rows| {
            let u = rows[0].0 as usize;
            let (seen, _) = model.user_items.row(u);
            let mut relevant: Vec<u32> = rows
                .iter()
                .filter(|r| r.2 >= RELEVANT_RATING && seen.binary_search(&r.1).is_err())
                .map(|r| r.1)
                .collect();
            if relevant.is_empty() {
                return None;
            }
            relevant.sort_unstable();
            let recommended = lists_of(u, seen);
            let scores = std::array::from_fn(|m| list_scores(&recommended[m], &relevant, k));
            Some(UserRanking { scores, recommended })
        })
        .collect();
    average(recommender, &per_user, k)
}

/// The metrics of each of the `N` methods over the users of `per_user` (summed in their order): the means of the
/// per-user scores, catalogue coverage (distinct movies recommended / movies in the model), novelty (mean
/// self-information `-log2(training ratings of the movie / all training ratings)` of the movies recommended) and
/// intra-list diversity (mean over lists of the mean pairwise Jaccard distance of the movies' genre sets; none
/// without genres).
pub(super) fn average<const N: usize>(
    recommender: &Recommender,
    per_user: &[UserRanking<N>],
    k: usize,
) -> [RankingMetrics; N] {
    let model = recommender.model();
    let n_items = model.items.len();
    let total: f64 = model.item_counts.iter().map(|&c| c as f64).sum();
    let self_information = |i: u32| -> Option<f64> {
        let count = *model.item_counts.get(i as usize)? as f64;
        (count > 0.0).then(|| -(count / total).log2())
    };
    std::array::from_fn(|m| {
        let users = per_user.len();
        let mut distinct = vec![false; n_items];
        let (mut p, mut r, mut g, mut ap) = (0.0, 0.0, 0.0, 0.0);
        let (mut novelty, mut listed) = (0.0, 0usize);
        let (mut diversity, mut diverse_lists) = (0.0, 0usize);
        for user in per_user {
            p += user.scores[m].precision;
            r += user.scores[m].recall;
            g += user.scores[m].ndcg;
            ap += user.scores[m].average_precision;
            let list = &user.recommended[m];
            for &i in list {
                if let Some(d) = distinct.get_mut(i as usize) {
                    *d = true;
                }
                if let Some(info) = self_information(i) {
                    novelty += info;
                    listed += 1;
                }
            }
            if let Some(d) = recommender.list_diversity(list) {
                diversity += d;
                diverse_lists += 1;
            }
        }
        let n = users.max(1) as f64;
        RankingMetrics {
            k,
            precision: p / n,
            recall: r / n,
            ndcg: g / n,
            map: ap / n,
            coverage: distinct.iter().filter(|&&d| d).count() as f64 / n_items.max(1) as f64,
            novelty: novelty / listed.max(1) as f64,
            diversity: (diverse_lists > 0).then(|| diversity / diverse_lists as f64),
            users: users as u64,
        }
    })
}

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
