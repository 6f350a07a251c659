//! The personalised lists a [`Recommender`] answers, a new user's (folded in from their ratings) and a training
//! user's, with the checks of their input; and the non-personalised list. Every personalised list scores all
//! movies (O(movies x factors)) and keeps the top M by [`super::TopK`].
//!
//! A list is made in two steps. Which movies enter it is *chosen* by the chooser's score (`recommender.rs`: the
//! ranking model's, else the rating model's estimate plus a popularity term) among the candidates (every movie but
//! the user's own and those the filters leave out, `filters.rs`); the chosen movies are *rated* by the rating
//! model's estimate, which is shown beside each and orders the list by default (`ListOrder`). With `explain`, each
//! chosen movie gets the rated movies that chose it (`explain.rs`).

use serde::Serialize;

use super::cold::{admit_cold, Candidates};
use super::explain::{because, Because};
use super::filters::is_cold;
use super::foldin::{fold_in_explicit, FoldedIn};
use super::options::{ListOptions, ListOrder};
use super::recommender::{Chooser, Recommender};
use super::scoring::{scan_top_k, ScoreQuery};
use super::topk::top_k_of;
use crate::limits::MAX_LIST_LENGTH;
use crate::linalg::isa::PORTABLE;
use crate::linalg::lanes::dot;
use crate::model::{AlsModel, Feedback, Matrix};
use crate::{CoreError, Result};

/// The floor of the minimum-support guard of [`Recommender::popular`]; see [`min_support`].
pub const MIN_SUPPORT_FLOOR: u32 = 20;

/// A top-M list: raw movie ids with estimated ratings (as [`AlsModel::shown`] shows them), in the order the request asked for (by default the unclipped estimate, descending, ties by
/// movie id, so several movies shown at the top of the scale keep a meaningful order).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendations {
    pub movie_ids: Vec<u32>,
    pub scores: Vec<f32>,
    /// Input movie ids the model does not know (ignored), each once, in input order.
    pub unknown_ids: Vec<u32>,
    /// False for the non-personalised list (no known movie in the input).
    pub personalised: bool,
    /// With `explain`: for each listed movie, the rated movies that contributed most to choosing it (empty where the
    /// model cannot tell: the non-personalised list, a model without a ranking model, a cold movie).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanations: Option<Vec<Vec<Because>>>,
    /// Per listed movie, whether it is cold (`cold.rs`); None when none is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cold_start: Option<Vec<bool>>,
}

/// A list as dense indices with unclipped estimates, and its explanations: what the product shows
/// ([`Listed::shown`]) and what the ranking metrics score.
pub(crate) struct Listed {
    pub(crate) items: Vec<(u32, f32)>,
    explanations: Option<Vec<Vec<Because>>>,
}

impl Listed {
    pub(super) fn shown(self, model: &AlsModel, unknown_ids: Vec<u32>, personalised: bool) -> Recommendations {
        let cold: Vec<bool> = self.items.iter().map(|&(i, _)| is_cold(model, i as usize)).collect();
        let (movie_ids, scores) = self
            .items
            .into_iter()
            .map(|(i, s)| (model.items.raw_id(i as usize), model.shown(s)))
            .unzip();
        Recommendations {
            movie_ids,
            scores,
            unknown_ids,
            personalised,
            explanations: self.explanations,
            cold_start: cold.contains(&true).then_some(cold),
        }
    }
}

/// A new user's request after its checks and fold-in: either already answered (the non-personalised list), or a
/// user still to be scored against every movie (alone, or in a batch: `batch.rs`).
pub(super) enum NewUser {
    Listed(Recommendations),
    FoldedIn(UserToList, Vec<u32>),
}

/// A user whose list is to be made: their vectors, their movies, the request.
pub(super) struct UserToList {
    /// The rating model's `global mean + user bias` and factors: the estimates.
    offset: f32,
    factors: Vec<f32>,
    /// Folded in against the implicit factors that choose (none when the rating model chooses).
    choice: Option<FoldedIn>,
    /// The user's rated movies (dense indices, sorted): left out of the list.
    seen: Vec<u32>,
    candidates: Candidates,
    m: usize,
    explain: bool,
    order: ListOrder,
}

impl UserToList {
    /// What the scan of the chooser's movie factors ([`Recommender::choice_factors`]) keeps for this user.
    pub(super) fn query(&self) -> ScoreQuery<'_> {
        let (offset, user) = match &self.choice {
            Some(folded) => (0.0, folded.factors.as_slice()),
            None => (self.offset, self.factors.as_slice()),
        };
        ScoreQuery {
            offset,
            user,
            exclude: &self.seen,
            allowed: self.candidates.chosen.as_ref(),
            m: self.m,
        }
    }

    /// `chosen` with the cold movies the rating model admits (`cold.rs`), when the request asked for them.
    fn with_cold(&self, model: &AlsModel, chosen: Vec<(u32, f32)>) -> Vec<(u32, f32)> {
        let Some(with_cold) = &self.candidates.with_cold else {
            return chosen;
        };
        let by_estimate = ScoreQuery {
            offset: self.offset,
            user: &self.factors,
            exclude: &self.seen,
            allowed: Some(with_cold),
            m: self.m,
        };
        let by_rating = scan_top_k(&model.item_factors, &model.item_bias, by_estimate);
        admit_cold(model, chosen, &by_rating, self.m)
    }

    /// The list from what the scan chose (dense index, choosing score): each rated, ordered, explained. The single
    /// and the batched path both end here, so they give the same list.
    pub(super) fn finish(self, recommender: &Recommender, chosen: Vec<(u32, f32)>) -> Listed {
        let model = recommender.model();
        let mut items: Vec<(u32, f32)> = self
            .with_cold(model, chosen)
            .into_iter()
            .map(|(i, score)| {
                let estimate = match model.params.feedback {
                    // An implicit model's score is all it has to show.
                    Feedback::Implicit => score,
                    Feedback::Explicit => {
                        let row = i as usize;
                        self.offset + model.item_bias[row] + dot::<PORTABLE>(&self.factors, model.item_factors.row(row))
                    }
                };
                (i, estimate)
            })
            .collect();
        if self.order == ListOrder::Estimate {
            items.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        let explanations = self.explain.then(|| match (recommender.chooser(), &self.choice) {
            (Chooser::Implicit(chooser), Some(folded)) => items
                .iter()
                .map(|&(i, _)| because(model, &chooser, folded, i))
                .collect(),
            _ => vec![Vec::new(); items.len()],
        });
        Listed { items, explanations }
    }
}

impl Recommender {
    /// Top-M movies for a new user given `(movie id, rating)` pairs, with `options` (filters, explanations, order).
    /// Unknown ids are ignored and reported; for a movie given twice the last rating counts. Without any known movie
    /// the list is [`Self::popular`] (`personalised: false`).
    ///
    /// Errors (`InvalidInput`, naming the field): lengths differ, a rating is not finite or outside the model's scale,
    /// `m` not in `1..=MAX_LIST_LENGTH`, a genre the catalogue does not have.
    pub fn new_user(
        &self,
        movie_ids: &[u32],
        ratings: &[f32],
        m: usize,
        options: &ListOptions,
    ) -> Result<Recommendations> {
        Ok(match self.prepare_new_user(movie_ids, ratings, m, options)? {
            NewUser::Listed(list) => list,
            NewUser::FoldedIn(user, unknown_ids) => {
                let chosen = scan_top_k(self.choice_factors(), self.selection_bias(), user.query());
                user.finish(self, chosen).shown(self.model(), unknown_ids, true)
            }
        })
    }

    /// Checks a new user's request and folds them in (the errors of [`Self::new_user`]).
    pub(super) fn prepare_new_user(
        &self,
        movie_ids: &[u32],
        ratings: &[f32],
        m: usize,
        options: &ListOptions,
    ) -> Result<NewUser> {
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
        let candidates = self.candidates_of(options)?;

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
            let mut list = self.popular_of(m, &candidates, options.explain);
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
        let rating = match model.params.feedback {
            Feedback::Explicit => Some(fold_in_explicit(model, self.user_prior_mean(), &indices, &values)),
            // Its chooser's fold-in is its vector.
            Feedback::Implicit => None,
        };
        let user = self.user_to_list(
            rating.map(|v| (model.global_mean + v.bias, v.factors)),
            indices,
            values,
            m,
            candidates,
            options,
        );
        Ok(NewUser::FoldedIn(user, unknown_ids))
    }

    /// A user to list from their rating-model vector (`offset`, factors; None for an implicit model, whose vector is
    /// its fold-in) and their ratings (dense indices, sorted, with the ratings): folded in against the chooser.
    fn user_to_list(
        &self,
        rating: Option<(f32, Vec<f32>)>,
        seen: Vec<u32>,
        ratings: Vec<f32>,
        m: usize,
        candidates: Candidates,
        options: &ListOptions,
    ) -> UserToList {
        let choice = match self.chooser() {
            Chooser::Implicit(chooser) => Some(chooser.fold_in(&seen, &ratings)),
            Chooser::Rating => None,
        };
        let (offset, factors) =
            rating.unwrap_or_else(|| (0.0, choice.as_ref().map_or_else(Vec::new, |c| c.factors.clone())));
        UserToList {
            offset,
            factors,
            choice,
            seen,
            candidates,
            m,
            explain: options.explain,
            order: options.order,
        }
    }

    /// The movie factors the chooser scans: the ranking model's, else the model's own.
    pub(super) fn choice_factors(&self) -> &Matrix {
        match self.chooser() {
            Chooser::Implicit(chooser) => chooser.item_factors(),
            Chooser::Rating => &self.model().item_factors,
        }
    }

    /// Top-M movies for a user of the training data, without the movies they rated there, with `options`. `None` for
    /// an unknown user; `m` is capped at [`MAX_LIST_LENGTH`] and at the number of candidates (0 gives an empty list).
    /// Errors: a filter the catalogue cannot apply (an unknown genre).
    pub fn known_user(&self, user_id: u32, m: usize, options: &ListOptions) -> Result<Option<Recommendations>> {
        let Some(u) = self.model().users.index_of(user_id) else {
            return Ok(None);
        };
        let listed = self.known_user_list(u as usize, m.min(MAX_LIST_LENGTH), options)?;
        Ok(Some(listed.shown(self.model(), Vec::new(), true)))
    }

    /// A training user's list by dense index (the ranking metrics score exactly this list). Their ranking model's
    /// vector is folded in from their training ratings, like a new user's (the ranking model keeps no user factors);
    /// an implicit model's own is the trained one.
    pub(crate) fn known_user_list(&self, u: usize, m: usize, options: &ListOptions) -> Result<Listed> {
        let model = self.model();
        let candidates = self.candidates_of(options)?;
        let (seen, values) = model.user_items.row(u);
        let rating = match model.params.feedback {
            Feedback::Explicit => Some((
                model.global_mean + model.user_bias[u],
                model.user_factors.row(u).to_vec(),
            )),
            Feedback::Implicit => None,
        };
        let mut user = self.user_to_list(rating, seen.to_vec(), values.to_vec(), m, candidates, options);
        if let (None, Feedback::Implicit, Some(choice)) = (&model.ranking, model.params.feedback, user.choice.as_mut())
        {
            // An implicit model chooses with its own factors: a user it was trained on keeps the vector training (or
            // the engine that trained it) gave them, as its own `recommend` would; the fold-in still explains.
            choice.factors = model.user_factors.row(u).to_vec();
            user.factors.clone_from(&choice.factors);
        }
        let chosen = scan_top_k(self.choice_factors(), self.selection_bias(), user.query());
        Ok(user.finish(self, chosen))
    }

    /// The non-personalised list: movies by bias-only estimate (`baseline.global_mean + baseline.item_bias`, whose
    /// shrinkage already favours well-rated, well-supported movies), among movies with at least [`min_support`]
    /// training ratings that pass `options`' filters (cold movies only with `includeCold`, by the rating model's
    /// `global mean + movie bias`: `cold.rs`). `m` is capped at [`MAX_LIST_LENGTH`] and at the number of
    /// candidates. Errors: a filter the catalogue cannot apply (an unknown genre).
    pub fn popular(&self, m: usize, options: &ListOptions) -> Result<Recommendations> {
        let candidates = self.candidates_of(options)?;
        Ok(self.popular_of(m, &candidates, options.explain))
    }

    fn popular_of(&self, m: usize, candidates: &Candidates, explain: bool) -> Recommendations {
        let model = self.model();
        let m = m.min(MAX_LIST_LENGTH);
        let support = min_support(model);
        let b = &model.baseline;
        let supported = (0..model.items.len())
            .filter(|&i| model.item_counts[i] >= support)
            .map(|i| (i as u32, b.global_mean + b.item_bias[i]));
        let mut top = top_k_of(supported, m, candidates.chosen.as_ref());
        if let Some(with_cold) = &candidates.with_cold {
            let by_rating = (0..model.items.len())
                .filter(|&i| is_cold(model, i) || model.item_counts[i] >= support)
                .map(|i| (i as u32, model.global_mean + model.item_bias[i]));
            top = admit_cold(model, top, &top_k_of(by_rating, m, Some(with_cold)), m);
        }
        let listed = Listed {
            explanations: explain.then(|| vec![Vec::new(); top.len()]),
            items: top,
        };
        listed.shown(model, Vec::new(), false)
    }
}

/// Minimum training ratings for a movie to enter the non-personalised list: the larger of [`MIN_SUPPORT_FLOOR`]
/// and the median count of the model's rated movies (ml-1m: 123, ml-latest-small: 20), capped at the largest count
/// so the list is never empty on a tiny data set.
pub fn min_support(model: &AlsModel) -> u32 {
    let mut counts: Vec<u32> = model.item_counts.iter().copied().filter(|&c| c > 0).collect();
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
