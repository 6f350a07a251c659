//! Recommendations from a trained model: a new user folded in from their ratings, a training user, a movie's
//! neighbours, and the non-personalised list.
//!
//! Fold-in is the ALS user half-step for one user: the same regularised least squares (`als::solve::solve_row`)
//! against the fixed movie factors and biases, so a folded-in user is what training would have made of them.
//! Every list scores all movies (O(movies x factors)) and keeps the top M by partial selection.

use std::cmp::Ordering;

use serde::Serialize;

use crate::als::solve::{solve_row, FixedSide, Regularisation, Workspace};
use crate::model::{AlsModel, Feedback};
use crate::{CoreError, Result};

/// The largest list a caller may ask for.
pub const MAX_RECOMMENDATIONS: usize = 10_000;
/// The floor of the minimum-support guard of [`popular`]; see [`min_support`].
pub const MIN_SUPPORT_FLOOR: u32 = 20;

/// A user's bias and factors, as the user half-step solves them.
#[derive(Clone, Debug, PartialEq)]
pub struct UserVector {
    pub bias: f32,
    pub factors: Vec<f32>,
}

/// A top-M list: raw movie ids with estimated ratings (clipped to the model's scale), best first. Which movies enter
/// a personalised list is decided with a popularity term (`topn`); they are shown by the unclipped estimate, ties by
/// movie id, so several movies shown at the top of the scale keep a meaningful order.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendations {
    pub movie_ids: Vec<u32>,
    pub scores: Vec<f32>,
    /// Input movie ids the model does not know (ignored), each once, in input order.
    pub unknown_ids: Vec<u32>,
    /// False for the non-personalised list (no known movie in the input).
    pub personalised: bool,
}

/// Solves a new user's bias and factors from ratings of movies given by dense index (`model.items.index_of`).
/// Each index must be below `model.items.len()`, and `ratings` as long as `item_indices`; an empty history gives
/// the zero vector (the model's prediction is then mean + movie bias).
pub fn fold_in(model: &AlsModel, item_indices: &[u32], ratings: &[f32]) -> UserVector {
    if model.params.feedback == Feedback::Implicit {
        return crate::als::fold_in_implicit(model, model.implicit_gram(), item_indices, ratings);
    }
    assert_eq!(item_indices.len(), ratings.len(), "fold_in: one rating per movie index");
    assert!(
        item_indices.iter().all(|&i| (i as usize) < model.items.len()),
        "fold_in: movie index out of range (indices come from model.items.index_of)"
    );
    let k = model.params.factors;
    let mut factors = vec![0.0; k];
    let fixed = FixedSide {
        factors: &model.item_factors,
        bias: &model.item_bias,
    };
    let reg = Regularisation::of(&model.params);
    let bias = solve_row(
        &mut Workspace::new(k),
        fixed,
        model.global_mean,
        item_indices,
        ratings,
        reg,
        &mut factors,
    );
    UserVector { bias, factors }
}

/// Top-M movies for a new user given `(movie id, rating)` pairs. Unknown ids are ignored and reported; for a movie
/// given twice the last rating counts. Without any known movie the list is [`popular`] (`personalised: false`).
///
/// Errors (`InvalidInput`): lengths differ, a rating is not finite or outside the model's scale, `m` not in
/// `1..=MAX_RECOMMENDATIONS`.
pub fn recommend_new_user(model: &AlsModel, movie_ids: &[u32], ratings: &[f32], m: usize) -> Result<Recommendations> {
    Ok(match fold_in_new_user(model, movie_ids, ratings, m)? {
        NewUser::Listed(list) => list,
        NewUser::FoldedIn(user) => {
            let top = crate::scoring::top_scores(
                &model.item_factors,
                model.selection_bias(),
                user.score_offset(model),
                &user.vector.factors,
                &user.seen,
                user.m,
            );
            user.into_recommendations(model, top)
        }
    })
}

/// A new user's request after validation and fold-in: either already answered (the non-personalised list), or a
/// user vector still to be scored against every movie (alone, or in a batch: `foldin_batch`).
pub(crate) enum NewUser {
    Listed(Recommendations),
    FoldedIn(FoldedInUser),
}

pub(crate) struct FoldedInUser {
    pub(crate) vector: UserVector,
    /// The known input movies (dense indices, sorted): left out of the list.
    pub(crate) seen: Vec<u32>,
    pub(crate) unknown_ids: Vec<u32>,
    pub(crate) m: usize,
}

impl FoldedInUser {
    pub(crate) fn score_offset(&self, model: &AlsModel) -> f32 {
        model.global_mean + self.vector.bias
    }

    /// The list from the scorer's top (dense index, selection score) pairs, scored against
    /// [`AlsModel::selection_bias`].
    pub(crate) fn into_recommendations(self, model: &AlsModel, chosen: Vec<(u32, f32)>) -> Recommendations {
        let top = crate::topn::shown_by_estimate(model, self.score_offset(model), &self.vector.factors, chosen);
        let (movie_ids, scores) = shown_top(model, top);
        Recommendations {
            movie_ids,
            scores,
            unknown_ids: self.unknown_ids,
            personalised: true,
        }
    }
}

/// Validates a new user's request and folds them in (the errors of [`recommend_new_user`]).
pub(crate) fn fold_in_new_user(model: &AlsModel, movie_ids: &[u32], ratings: &[f32], m: usize) -> Result<NewUser> {
    if movie_ids.len() != ratings.len() {
        return Err(CoreError::invalid(
            None,
            format!(
                "{} movie ids but {} ratings: give one rating per movie",
                movie_ids.len(),
                ratings.len()
            ),
        ));
    }
    validate_m(m)?;
    let scale = model.scale;
    if let Some((id, r)) = movie_ids
        .iter()
        .zip(ratings)
        .find(|(_, r)| !(r.is_finite() && **r >= scale.min && **r <= scale.max))
    {
        return Err(CoreError::invalid(
            None,
            format!(
                "rating {r} for movie {id} is outside the model's scale {}..{}",
                scale.min, scale.max
            ),
        ));
    }

    let mut unknown_ids = Vec::new();
    // (index, position, rating): sorted by index then position, the last of each run is the last occurrence.
    let mut known: Vec<(u32, usize, f32)> = Vec::with_capacity(movie_ids.len());
    for (pos, (&id, &r)) in movie_ids.iter().zip(ratings).enumerate() {
        match model.items.index_of(id) {
            Some(i) => known.push((i, pos, r)),
            None if !unknown_ids.contains(&id) => unknown_ids.push(id),
            None => {}
        }
    }
    if known.is_empty() {
        let mut list = popular(model, m, &[]);
        list.unknown_ids = unknown_ids;
        return Ok(NewUser::Listed(list));
    }
    known.sort_unstable_by_key(|&(i, pos, _)| (i, pos));
    let mut indices: Vec<u32> = Vec::with_capacity(known.len());
    let mut values: Vec<f32> = Vec::with_capacity(known.len());
    for (n, &(i, _, r)) in known.iter().enumerate() {
        if known.get(n + 1).is_some_and(|next| next.0 == i) {
            continue;
        }
        indices.push(i);
        values.push(r);
    }
    let vector = fold_in(model, &indices, &values);
    Ok(NewUser::FoldedIn(FoldedInUser {
        vector,
        seen: indices,
        unknown_ids,
        m,
    }))
}

/// Top-M movies for a user of the training data, without the movies they rated there. `None` for an unknown user;
/// `m` is capped at the number of candidates (0 gives an empty list).
pub fn recommend_known_user(model: &AlsModel, user_id: u32, m: usize) -> Option<Recommendations> {
    let u = model.users.index_of(user_id)? as usize;
    let user = UserVector {
        bias: model.user_bias[u],
        factors: model.user_factors.row(u).to_vec(),
    };
    let (seen, _) = model.user_items.row(u);
    let (movie_ids, scores) = top_for_vector(model, &user, seen, m.min(MAX_RECOMMENDATIONS));
    Some(Recommendations {
        movie_ids,
        scores,
        unknown_ids: Vec::new(),
        personalised: true,
    })
}

/// The M movies most similar to `movie_id` by cosine of their factor vectors, with the similarities; the movie
/// itself is left out. `None` for an unknown movie.
pub fn similar_movies(model: &AlsModel, movie_id: u32, m: usize) -> Option<(Vec<u32>, Vec<f32>)> {
    let target = model.items.index_of(movie_id)? as usize;
    let q = model.item_factors.row(target);
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let q_norm = norm(q);
    let candidates = (0..model.items.len()).filter(|&i| i != target).map(|i| {
        let v = model.item_factors.row(i);
        let denom = q_norm * norm(v);
        let cos = if denom > 0.0 { dot(q, v) / denom } else { 0.0 };
        (i as u32, cos)
    });
    let top = top_m(candidates.collect(), m.min(MAX_RECOMMENDATIONS));
    Some(
        top.into_iter()
            .map(|(i, s)| (model.items.raw_id(i as usize), s))
            .unzip(),
    )
}

/// The non-personalised list: movies by bias-only estimate (`baseline.global_mean + baseline.item_bias`, whose
/// shrinkage already favours well-rated, well-supported movies), among movies with at least [`min_support`]
/// training ratings, without `exclude_movie_ids` (raw ids). `m` is capped at the number of candidates.
pub fn popular(model: &AlsModel, m: usize, exclude_movie_ids: &[u32]) -> Recommendations {
    let support = min_support(model);
    let b = &model.baseline;
    let candidates: Vec<(u32, f32)> = (0..model.items.len())
        .filter(|&i| model.item_counts[i] >= support && !exclude_movie_ids.contains(&model.items.raw_id(i)))
        .map(|i| (i as u32, b.global_mean + b.item_bias[i]))
        .collect();
    let top = top_m(candidates, m.min(MAX_RECOMMENDATIONS));
    let (movie_ids, scores) = top
        .into_iter()
        .map(|(i, s)| (model.items.raw_id(i as usize), model.scale.clip(s)))
        .unzip();
    Recommendations {
        movie_ids,
        scores,
        unknown_ids: Vec::new(),
        personalised: false,
    }
}

/// Minimum training ratings for a movie to enter the non-personalised list: the larger of [`MIN_SUPPORT_FLOOR`]
/// and the median count of the model's movies (ml-1m: 123, ml-latest-small: 20), capped at the largest count so the
/// list is never empty on a tiny data set.
pub fn min_support(model: &AlsModel) -> u32 {
    let mut counts = model.item_counts.clone();
    if counts.is_empty() {
        return 0;
    }
    let mid = counts.len() / 2;
    let (_, &mut median, _) = counts.select_nth_unstable(mid);
    let max = counts.iter().copied().max().unwrap_or(0);
    median.max(MIN_SUPPORT_FLOOR).min(max)
}

fn validate_m(m: usize) -> Result<()> {
    if !(1..=MAX_RECOMMENDATIONS).contains(&m) {
        return Err(CoreError::invalid(
            None,
            format!("M must be in 1..={MAX_RECOMMENDATIONS}, got {m}"),
        ));
    }
    Ok(())
}

/// The user's list ([`crate::topn::personal_top`]: selected with the popularity term, shown by estimate), without
/// `seen` (sorted dense indices).
fn top_for_vector(model: &AlsModel, user: &UserVector, seen: &[u32], m: usize) -> (Vec<u32>, Vec<f32>) {
    let base = model.global_mean + user.bias;
    let top = crate::topn::personal_top(model, model.selection_bias(), base, &user.factors, seen, m);
    shown_top(model, top)
}

/// Dense indices -> raw ids, scores as shown: estimates clipped to the scale (explicit models; implicit preferences
/// are returned as they are).
fn shown_top(model: &AlsModel, top: Vec<(u32, f32)>) -> (Vec<u32>, Vec<f32>) {
    // Implicit scores are preferences (about 0..1), not ratings: clipping them to the scale would flatten them.
    let shown = |s: f32| match model.params.feedback {
        Feedback::Explicit => model.scale.clip(s),
        Feedback::Implicit => s,
    };
    top.into_iter()
        .map(|(i, s)| (model.items.raw_id(i as usize), shown(s)))
        .unzip()
}

/// Best `m` by score, descending; ties by index, which is the raw id order. Partial selection, then a sort of the
/// `m` kept only.
pub(crate) fn top_m(mut candidates: Vec<(u32, f32)>, m: usize) -> Vec<(u32, f32)> {
    let order = |a: &(u32, f32), b: &(u32, f32)| -> Ordering { b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)) };
    if m == 0 {
        return Vec::new();
    }
    if candidates.len() > m {
        candidates.select_nth_unstable_by(m - 1, order);
        candidates.truncate(m);
    }
    candidates.sort_unstable_by(order);
    candidates
}

#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f32>() + ra.iter().zip(rb).map(|(x, y)| x * y).sum::<f32>()
}

#[cfg(test)]
mod tests {
    use super::top_m;

    #[test]
    fn top_m_orders_by_score_then_index() {
        let c = vec![(5, 1.0), (1, 3.0), (2, 1.0), (9, 3.0), (0, -1.0)];
        assert_eq!(top_m(c.clone(), 3), vec![(1, 3.0), (9, 3.0), (2, 1.0)]);
        assert_eq!(top_m(c.clone(), 10).len(), 5);
        assert!(top_m(c, 0).is_empty());
    }
}
