//! Ratings in memory: the (user, movie, rating) triples of a data set, and the rating scale they are on.

use serde::{Deserialize, Serialize};

/// Ratings with raw MovieLens ids, one entry per (user, movie) after duplicate handling.
/// Column-oriented so the three vectors can cross to JS or into CSR builders without reshaping.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RatingTriples {
    pub users: Vec<u32>,
    pub movies: Vec<u32>,
    pub ratings: Vec<f32>,
}

impl RatingTriples {
    pub fn len(&self) -> usize {
        self.ratings.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ratings.is_empty()
    }
    pub fn push(&mut self, user: u32, movie: u32, rating: f32) {
        self.users.push(user);
        self.movies.push(movie);
        self.ratings.push(rating);
    }
    pub fn with_capacity(n: usize) -> Self {
        Self {
            users: Vec::with_capacity(n),
            movies: Vec::with_capacity(n),
            ratings: Vec::with_capacity(n),
        }
    }
}

/// The rating scale seen in a data set: predictions are clipped to `[min, max]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatingScale {
    pub min: f32,
    pub max: f32,
    /// 0.5 when half stars occur, else 1.0.
    pub step: f32,
}

impl RatingScale {
    /// The widest scale any MovieLens release uses; readers reject ratings outside it.
    pub const MOVIELENS: RatingScale = RatingScale {
        min: 0.5,
        max: 5.0,
        step: 0.5,
    };

    pub fn clip(&self, x: f32) -> f32 {
        x.clamp(self.min, self.max)
    }

    /// A rating at or above this is "liked": 4 stars of 5, the same share of any other scale's top (8 of 10).
    /// Implicit feedback's graded confidence and the new-user evaluation read it.
    pub fn liked_threshold(&self) -> f32 {
        self.max * LIKED_STARS / STARS
    }

    /// A rating at or below this is "disliked" (a preference 0 for graded confidence): 2 stars of 5.
    pub fn disliked_threshold(&self) -> f32 {
        self.max * DISLIKED_STARS / STARS
    }
}

/// On a scale of `STARS`, a rating of at least `LIKED_STARS` is liked, one of at most `DISLIKED_STARS` disliked (exact
/// in f32 on MovieLens's 5-star top).
const STARS: f32 = 5.0;
const LIKED_STARS: f32 = 4.0;
const DISLIKED_STARS: f32 = 2.0;
