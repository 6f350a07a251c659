//! Which movies a personalised list holds when the rating model chooses them (a model without a ranking model).
//!
//! An explicit model estimates the rating a user would give a movie *if they watched it*; a top-N list is judged on
//! the movies the user goes on to watch and like, and most movies with a high estimate are well-rated classics few
//! people watch (a new user folded in from three ratings gets nearly `movie bias`, the same list for everyone).
//! So movies are *chosen* by `estimate + POPULARITY_WEIGHT * ln(1 + training ratings)`, the missing "will they watch
//! it" term, and the chosen M are *shown* by their estimate, descending, as the product promises (`lists.rs`).
//! Estimates, RMSE and fold-in are unchanged. A ranking model, or an implicit model, scores watching itself.
//! How the weight was chosen: docs/tuning.md.

use std::sync::LazyLock;

use crate::model::AlsModel;

/// Rating points added per unit of `ln(1 + training ratings)` when choosing an explicit model's list.
pub const POPULARITY_WEIGHT: f32 = 0.3;

/// `ln(1 + count)` for the counts most movies have, computed once per process (a table lookup is much cheaper than
/// `ln`, and a list is built per request).
const LN_TABLE_LEN: usize = 4096;
static LN_ONE_PLUS: LazyLock<Vec<f32>> = LazyLock::new(|| (0..LN_TABLE_LEN).map(|c| (1.0 + c as f32).ln()).collect());

fn ln_one_plus(count: u32) -> f32 {
    LN_ONE_PLUS
        .get(count as usize)
        .copied()
        .unwrap_or_else(|| (1.0 + count as f32).ln())
}

/// The per-movie term a list's choice adds to the user's part of the estimate: the movie bias plus the popularity
/// term. O(movies); the [`super::Recommender`] keeps it.
pub(super) fn selection_bias(model: &AlsModel) -> Vec<f32> {
    model
        .item_bias
        .iter()
        .zip(&model.item_counts)
        .map(|(&b, &c)| b + POPULARITY_WEIGHT * ln_one_plus(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::ln_one_plus;

    #[test]
    fn table_and_direct_log_agree() {
        for c in [0u32, 1, 122, 4095, 4096, 100_000] {
            assert!((ln_one_plus(c) - (1.0 + c as f32).ln()).abs() < 1e-6, "count {c}");
        }
    }
}
