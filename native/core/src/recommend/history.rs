//! A person's ratings as their list is folded in from: the model's training ratings of that user merged with the
//! ratings they gave since (the service's rating store). A stored rating is later than training, so it replaces the
//! training rating of its movie; a stored deletion (NaN) removes it. The result goes through the new-user path
//! ([`Recommender::new_user`] or the batch), like any list folded in from ratings.

use super::lists::check_pairs;
use super::recommender::Recommender;
use crate::Result;

/// A user's merged ratings: raw movie ids ascending, one rating each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub movie_ids: Vec<u32>,
    pub ratings: Vec<f32>,
    /// Ratings the model was trained on for this user (0 for a user it does not know).
    pub training: usize,
}

impl Recommender {
    /// The training ratings of `user_id` (none for a user the model was not trained on) with `stored` applied:
    /// `(stored_movie_ids[i], stored_ratings[i])`, a NaN rating deleting, for a movie given twice the later one
    /// counting. Errors (`InvalidInput`): columns of different lengths.
    pub fn history_with(&self, user_id: u32, stored_movie_ids: &[u32], stored_ratings: &[f32]) -> Result<History> {
        check_pairs(stored_movie_ids, stored_ratings)?;
        let model = self.model();
        let (items, values): (&[u32], &[f32]) = match model.users.index_of(user_id) {
            Some(u) => model.user_items.row(u as usize),
            None => (&[], &[]),
        };
        // Stored entries by movie id, the later of a repeated movie last (a stable sort keeps input order).
        let mut stored: Vec<usize> = (0..stored_movie_ids.len()).collect();
        stored.sort_by_key(|&k| stored_movie_ids[k]);
        let mut out = History {
            movie_ids: Vec::with_capacity(items.len() + stored.len()),
            ratings: Vec::with_capacity(items.len() + stored.len()),
            training: items.len(),
        };
        // Dense indices follow raw-id order, so the training row is ascending in raw ids too.
        let (mut i, mut j) = (0, 0);
        while i < items.len() || j < stored.len() {
            let trained = items.get(i).map(|&index| model.items.raw_id(index as usize));
            let given = stored.get(j).map(|&k| stored_movie_ids[k]);
            if let (Some(t), true) = (trained, given.is_none_or(|g| trained < Some(g))) {
                out.movie_ids.push(t);
                out.ratings.push(values[i]);
                i += 1;
                continue;
            }
            let Some(g) = given else { break };
            // The last stored entry of this movie decides; it replaces the training rating when there is one.
            let mut last = stored[j];
            while let Some(&next) = stored.get(j + 1).filter(|&&k| stored_movie_ids[k] == g) {
                last = next;
                j += 1;
            }
            j += 1;
            if trained == Some(g) {
                i += 1;
            }
            let r = stored_ratings[last];
            if !r.is_nan() {
                out.movie_ids.push(g);
                out.ratings.push(r);
            }
        }
        Ok(out)
    }
}
