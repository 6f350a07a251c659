//! "Because you rated": which of a user's rated movies chose a listed movie. For implicit factors the score of movie
//! `i` decomposes exactly over the user's rated movies `j` (Hu, Koren, Volinsky 2008, section 5):
//!
//! ```text
//! score_i = y_i' x = sum_j c_j p_j (y_i' W y_j),    W = (Y'Y + sum_j (c_j - 1) y_j y_j' + lambda I)^-1
//! ```
//!
//! Each term over their sum is that rated movie's share. A disliked movie (`p_j = 0`) has no term of its own: it acts
//! only through `W`. A model whose lists the rating model chooses (no ranking model) has no such decomposition, and
//! its explanations are empty.

use serde::Serialize;

use super::foldin::{FoldedIn, ImplicitChooser};
use crate::model::AlsModel;

/// The rated movies named per listed movie, at most.
pub const EXPLAIN_TOP: usize = 3;

/// One rated movie that contributed to choosing a listed movie.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Because {
    /// The rated movie (raw id).
    pub movie_id: u32,
    /// Its term of the listed movie's score over the score (the shares of all rated movies sum to 1).
    pub share: f32,
}

/// The [`EXPLAIN_TOP`] rated movies with the largest positive terms in `item`'s score, largest first (ties by
/// movie), each with its share; none when the score is not positive (nothing chose the movie).
pub(super) fn because(model: &AlsModel, chooser: &ImplicitChooser<'_>, user: &FoldedIn, item: u32) -> Vec<Because> {
    let terms = user.contributions(chooser, item);
    let score: f64 = terms.iter().sum();
    if score.is_nan() || score <= 0.0 {
        return Vec::new();
    }
    let mut named: Vec<(u32, f64)> = user
        .rated()
        .iter()
        .zip(&terms)
        .filter(|(_, &t)| t > 0.0)
        .map(|(&j, &t)| (model.items.raw_id(j as usize), t))
        .collect();
    named.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    named
        .into_iter()
        .take(EXPLAIN_TOP)
        .map(|(movie_id, t)| Because {
            movie_id,
            share: (t / score) as f32,
        })
        .collect()
}
