//! Many new users' top-M lists in one pass over the movie factors: what a service does with the requests that arrive
//! together. Each user is validated and folded in on their own (one user's bad input fails that user only); the
//! folded-in users are then scored together by [`crate::scoring::top_scores_batch`], so the movie factors (15 MB at
//! 59k movies x 64 factors) are read once per batch instead of once per user. Every list is exactly the one
//! [`crate::foldin::recommend_new_user`] gives.

use crate::foldin::{fold_in_new_user, FoldedInUser, NewUser, Recommendations};
use crate::model::AlsModel;
use crate::scoring::{top_scores_batch, ScoreQuery};
use crate::Result;

/// One new user's request: `(movie_ids[i], ratings[i])` pairs and the list length `m`.
#[derive(Clone, Copy, Debug)]
pub struct NewUserRequest<'a> {
    pub movie_ids: &'a [u32],
    pub ratings: &'a [f32],
    pub m: usize,
}

/// [`crate::foldin::recommend_new_user`] for each request, in order; an error answers only its own request.
pub fn recommend_new_users(model: &AlsModel, requests: &[NewUserRequest<'_>]) -> Vec<Result<Recommendations>> {
    let prepared: Vec<Result<NewUser>> = requests
        .iter()
        .map(|r| fold_in_new_user(model, r.movie_ids, r.ratings, r.m))
        .collect();
    let folded: Vec<&FoldedInUser> = prepared
        .iter()
        .filter_map(|p| match p {
            Ok(NewUser::FoldedIn(user)) => Some(user),
            _ => None,
        })
        .collect();
    let queries: Vec<ScoreQuery<'_>> = folded
        .iter()
        .map(|user| ScoreQuery {
            offset: user.score_offset(model),
            user: &user.vector.factors,
            seen: &user.seen,
            m: user.m,
        })
        .collect();
    let mut tops = top_scores_batch(&model.item_factors, model.selection_bias(), &queries).into_iter();
    drop(queries);
    prepared
        .into_iter()
        .map(|p| {
            p.map(|user| match user {
                NewUser::Listed(list) => list,
                NewUser::FoldedIn(user) => {
                    let top = tops.next().expect("one scored list per folded-in user");
                    user.into_recommendations(model, top)
                }
            })
        })
        .collect()
}
