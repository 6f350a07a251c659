//! The lists a [`Recommender`] answers: a new user's (folded in from their ratings), a training user's, a movie's
//! neighbours, and the non-personalised list, with the checks of their input. Every list scores all movies
//! (O(movies x factors)) and keeps the top M by [`super::TopK`].

use serde::Serialize;

use super::foldin::UserVector;
use super::recommender::Recommender;
use super::scoring::{scan_top_k, ScoreQuery};
use super::selection::rated;
use super::topk::top_k;
use crate::limits::MAX_LIST_LENGTH;
use crate::linalg::isa::PORTABLE;
use crate::linalg::lanes::dot;
use crate::model::AlsModel;
use crate::{CoreError, Result};

/// The floor of the minimum-support guard of [`Recommender::popular`]; see [`min_support`].
pub const MIN_SUPPORT_FLOOR: u32 = 20;

/// A top-M list: raw movie ids with estimated ratings (as [`AlsModel::shown`] shows them), best first. Which movies enter
/// a personalised list is decided with a popularity term (`selection.rs`); they are shown by the unclipped
/// estimate, ties by movie id, so several movies shown at the top of the scale keep a meaningful order.
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

/// A new user's request after its checks and fold-in: either already answered (the non-personalised list), or a
/// user vector still to be scored against every movie (alone, or in a batch: `batch.rs`).
pub(super) enum NewUser {
    Listed(Recommendations),
    FoldedIn(FoldedInUser),
}

pub(super) struct FoldedInUser {
    pub(super) vector: UserVector,
    /// The known input movies (dense indices, sorted): left out of the list.
    pub(super) seen: Vec<u32>,
    pub(super) unknown_ids: Vec<u32>,
    pub(super) m: usize,
}

impl FoldedInUser {
    pub(super) fn query(&self, model: &AlsModel) -> ScoreQuery<'_> {
        ScoreQuery {
            offset: model.global_mean + self.vector.bias,
            user: &self.vector.factors,
            exclude: &self.seen,
            m: self.m,
        }
    }

    /// The list from the scan's choice (dense index, selection score).
    pub(super) fn into_recommendations(self, model: &AlsModel, chosen: Vec<(u32, f32)>) -> Recommendations {
        let offset = self.query(model).offset;
        let (movie_ids, scores) = shown(model, rated(model, offset, &self.vector.factors, chosen));
        Recommendations {
            movie_ids,
            scores,
            unknown_ids: self.unknown_ids,
            personalised: true,
        }
    }
}

impl Recommender {
    /// Top-M movies for a new user given `(movie id, rating)` pairs. Unknown ids are ignored and reported; for a
    /// movie given twice the last rating counts. Without any known movie the list is [`Self::popular`]
    /// (`personalised: false`).
    ///
    /// Errors (`InvalidInput`): lengths differ, a rating is not finite or outside the model's scale, `m` not in
    /// `1..=MAX_LIST_LENGTH`.
    pub fn new_user(&self, movie_ids: &[u32], ratings: &[f32], m: usize) -> Result<Recommendations> {
        Ok(match self.prepare_new_user(movie_ids, ratings, m)? {
            NewUser::Listed(list) => list,
            NewUser::FoldedIn(user) => {
                let chosen = scan_top_k(
                    &self.model().item_factors,
                    self.selection_bias(),
                    user.query(self.model()),
                );
                user.into_recommendations(self.model(), chosen)
            }
        })
    }

    /// Checks a new user's request and folds them in (the errors of [`Self::new_user`]).
    pub(super) fn prepare_new_user(&self, movie_ids: &[u32], ratings: &[f32], m: usize) -> Result<NewUser> {
        let model = self.model();
        check_pairs(movie_ids, ratings)?;
        check_list_length(m)?;
        let scale = model.scale;
        if let Some((position, (id, r))) = movie_ids
            .iter()
            .zip(ratings)
            .enumerate()
            .find(|(_, (_, r))| !(r.is_finite() && **r >= scale.min && **r <= scale.max))
        {
            return Err(CoreError::invalid(
                format!("ratings[{position}]"),
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
            let mut list = self.popular(m, &[]);
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
        let vector = self.fold_in(&indices, &values);
        Ok(NewUser::FoldedIn(FoldedInUser {
            vector,
            seen: indices,
            unknown_ids,
            m,
        }))
    }

    /// Top-M movies for a user of the training data, without the movies they rated there. `None` for an unknown
    /// user; `m` is capped at [`MAX_LIST_LENGTH`] and at the number of candidates (0 gives an empty list).
    pub fn known_user(&self, user_id: u32, m: usize) -> Option<Recommendations> {
        let model = self.model();
        let u = model.users.index_of(user_id)? as usize;
        let (seen, _) = model.user_items.row(u);
        let offset = model.global_mean + model.user_bias[u];
        let list = self.personal_list(offset, model.user_factors.row(u), seen, m.min(MAX_LIST_LENGTH));
        let (movie_ids, scores) = shown(model, list);
        Some(Recommendations {
            movie_ids,
            scores,
            unknown_ids: Vec::new(),
            personalised: true,
        })
    }

    /// A user's personalised list (dense index, unclipped estimate `offset + item_bias + q . factors`), without
    /// `exclude` (sorted dense indices): chosen with the popularity term, shown by estimate descending, ties by
    /// index. `offset` is `global_mean + user bias`. The ranking metrics score exactly this list.
    pub(crate) fn personal_list(&self, offset: f32, factors: &[f32], exclude: &[u32], m: usize) -> Vec<(u32, f32)> {
        let model = self.model();
        let query = ScoreQuery {
            offset,
            user: factors,
            exclude,
            m,
        };
        rated(
            model,
            offset,
            factors,
            scan_top_k(&model.item_factors, self.selection_bias(), query),
        )
    }

    /// The M movies most similar to `movie_id` by cosine of their factor vectors, with the similarities; the movie
    /// itself is left out. `None` for an unknown movie; `m` is capped at [`MAX_LIST_LENGTH`].
    pub fn similar(&self, movie_id: u32, m: usize) -> Option<(Vec<u32>, Vec<f32>)> {
        let model = self.model();
        let target = model.items.index_of(movie_id)? as usize;
        let q = model.item_factors.row(target);
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let q_norm = norm(q);
        let candidates = (0..model.items.len()).filter(|&i| i != target).map(|i| {
            let v = model.item_factors.row(i);
            let denom = q_norm * norm(v);
            let cos = if denom > 0.0 {
                dot::<PORTABLE>(q, v) / denom
            } else {
                0.0
            };
            (i as u32, cos)
        });
        let top = top_k(candidates, m.min(MAX_LIST_LENGTH));
        Some(
            top.into_iter()
                .map(|(i, s)| (model.items.raw_id(i as usize), s))
                .unzip(),
        )
    }

    /// The non-personalised list: movies by bias-only estimate (`baseline.global_mean + baseline.item_bias`, whose
    /// shrinkage already favours well-rated, well-supported movies), among movies with at least [`min_support`]
    /// training ratings, without `exclude_movie_ids` (raw ids). `m` is capped at [`MAX_LIST_LENGTH`] and at the
    /// number of candidates.
    pub fn popular(&self, m: usize, exclude_movie_ids: &[u32]) -> Recommendations {
        let model = self.model();
        let support = min_support(model);
        let b = &model.baseline;
        let candidates = (0..model.items.len())
            .filter(|&i| model.item_counts[i] >= support && !exclude_movie_ids.contains(&model.items.raw_id(i)))
            .map(|i| (i as u32, b.global_mean + b.item_bias[i]));
        let top = top_k(candidates, m.min(MAX_LIST_LENGTH));
        let (movie_ids, scores) = top
            .into_iter()
            .map(|(i, s)| (model.items.raw_id(i as usize), model.shown(s)))
            .unzip();
        Recommendations {
            movie_ids,
            scores,
            unknown_ids: Vec::new(),
            personalised: false,
        }
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

/// One rating per movie id.
pub(super) fn check_pairs(movie_ids: &[u32], ratings: &[f32]) -> Result<()> {
    if movie_ids.len() != ratings.len() {
        return Err(CoreError::invalid(
            "ratings",
            format!(
                "{} movie ids but {} ratings: give one rating per movie",
                movie_ids.len(),
                ratings.len()
            ),
        ));
    }
    Ok(())
}

/// `M` must be in `1..=MAX_LIST_LENGTH`.
fn check_list_length(m: usize) -> Result<()> {
    if !(1..=MAX_LIST_LENGTH).contains(&m) {
        return Err(CoreError::invalid(
            "M",
            format!("M must be in 1..={MAX_LIST_LENGTH}, got {m}"),
        ));
    }
    Ok(())
}

/// Dense indices -> raw ids, scores as shown ([`AlsModel::shown`]).
fn shown(model: &AlsModel, top: Vec<(u32, f32)>) -> (Vec<u32>, Vec<f32>) {
    top.into_iter()
        .map(|(i, s)| (model.items.raw_id(i as usize), model.shown(s)))
        .unzip()
}
