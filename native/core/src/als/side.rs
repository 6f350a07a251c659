//! What training knows beside the ratings: each movie's features (genres, release year) from the catalogue, and
//! each user's (demographics) when a users file is given, one row per row of the interaction matrix.

use crate::dataset::features::{movie_features, user_features, Demographics, FeatureRows};
use crate::dataset::Catalogue;
use crate::interactions::Interactions;
use crate::{CoreError, Result};

/// Side information of an interaction matrix's movies and users; each part optional.
#[derive(Clone, Debug, Default)]
pub struct SideInfo {
    /// One row per movie index of the matrix.
    pub movies: Option<FeatureRows>,
    /// One row per user index of the matrix.
    pub users: Option<FeatureRows>,
}

impl SideInfo {
    /// The features of `x`'s movies from `catalogue` and of its users from `demographics`, where given.
    pub fn of(x: &Interactions, catalogue: Option<&Catalogue>, demographics: Option<&Demographics>) -> Self {
        Self {
            movies: catalogue.map(|c| movie_features(c, x.items.raw_ids())),
            users: demographics.map(|d| user_features(d, x.users.raw_ids())),
        }
    }

    /// Each part has one row per row of its side of `x`.
    pub(crate) fn check(&self, x: &Interactions) -> Result<()> {
        for (what, rows, expected) in [("movie", &self.movies, x.n_items()), ("user", &self.users, x.n_users())] {
            if let Some(rows) = rows.as_ref().filter(|r| r.rows() != expected) {
                return Err(CoreError::invalid_input(format!(
                    "{what} features have {} rows for {expected} {what}s",
                    rows.rows()
                )));
            }
        }
        Ok(())
    }
}
