//! What an evaluation reports (camelCase JSON, mirrored by `src/model/types.ts`).

use serde::Serialize;

/// A test rating at or above this marks a relevant movie.
pub const RELEVANT_RATING: f32 = 4.0;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingMetrics {
    pub rmse: f64,
    pub mae: f64,
    /// Pairs scored (user and movie known to the model).
    pub count: u64,
    pub unknown_user: u64,
    pub unknown_movie: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RankingMetrics {
    pub k: usize,
    pub precision: f64,
    pub recall: f64,
    pub ndcg: f64,
    /// Mean average precision at k.
    pub map: f64,
    /// Distinct movies recommended / movies in the model.
    pub coverage: f64,
    /// Mean self-information of the movies recommended, `-log2(share of the training ratings)`, in bits: higher
    /// for less-watched movies.
    pub novelty: f64,
    /// Mean over lists of the mean pairwise Jaccard distance of the listed movies' genre sets (0: every movie of
    /// the same genres, 1: no genre shared); none when the model has no genres.
    pub diversity: Option<f64>,
    /// Users evaluated (known to the model, with at least one relevant candidate movie in the test file; for new
    /// users, with at least one liked target movie the model knows).
    pub users: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoredMethod {
    pub rating: RatingMetrics,
    pub ranking: RankingMetrics,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PopularityMethod {
    pub ranking: RankingMetrics,
}

/// The model beside its baselines, on one test file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub model: ScoredMethod,
    pub bias_only: ScoredMethod,
    pub popularity: PopularityMethod,
}

/// Fold-in accuracy on users held out of training.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoldInEvaluation {
    /// On each user's non-history ratings; `unknown_user` counts ratings of users skipped (known to the model, or
    /// with fewer than two ratings).
    pub rating: RatingMetrics,
    pub history_fraction: f64,
    pub users: u64,
    pub users_known: u64,
    pub users_too_few: u64,
}
