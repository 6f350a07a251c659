//! Many new users' lists in one pass over the movie factors: what a service does with the requests that arrive
//! together. Each user is checked and folded in on their own (one user's bad input fails that user only); the
//! folded-in users are then scored together by [`scan_top_k_batch`], so the movie factors (15 MB at 59k movies x 64
//! factors) are read once per batch instead of once per user. Every list is exactly the one
//! [`Recommender::new_user`] gives (the same fold-ins, scores and finish).

use super::lists::{NewUser, Recommendations};
use super::options::ListOptions;
use super::recommender::Recommender;
use super::scoring::{scan_top_k_batch, ScoreQuery};
use crate::Result;

/// One new user's request: `(movie_ids[i], ratings[i])` pairs, the list length `m` and the list's options.
#[derive(Clone, Copy, Debug)]
pub struct NewUserRequest<'a> {
    pub movie_ids: &'a [u32],
    pub ratings: &'a [f32],
    pub m: usize,
    pub options: &'a ListOptions,
}

impl Recommender {
    /// [`Recommender::new_user`] for each request, in order; an error answers only its own request.
    pub fn new_users(&self, requests: &[NewUserRequest<'_>]) -> Vec<Result<Recommendations>> {
        let prepared: Vec<Result<NewUser>> = requests
            .iter()
            .map(|r| self.prepare_new_user(r.movie_ids, r.ratings, r.m, r.options))
            .collect();
        let queries: Vec<ScoreQuery<'_>> = prepared
            .iter()
            .filter_map(|p| match p {
                Ok(NewUser::FoldedIn(user, _)) => Some(user.query()),
                _ => None,
            })
            .collect();
        let mut chosen = scan_top_k_batch(self.choice_factors(), self.selection_bias(), &queries).into_iter();
        drop(queries);
        prepared
            .into_iter()
            .map(|p| {
                p.map(|user| match user {
                    NewUser::Listed(list) => list,
                    NewUser::FoldedIn(user, unknown_ids) => {
                        let top = chosen.next().expect("one scored list per folded-in user");
                        user.finish(self, top).shown(self.model(), unknown_ids, true)
                    }
                })
            })
            .collect()
    }
}
