//! The test pairs an evaluation scores, split by what the model knows, and the error sums over them.

use rayon::prelude::*;

use super::report::RatingMetrics;
use crate::dataset::RatingTriples;
use crate::limits::MAX_LIST_LENGTH;
use crate::model::AlsModel;
use crate::{CoreError, Result};

/// `k` of the ranking metrics must be in `1..=MAX_LIST_LENGTH`.
pub(crate) fn check_k(k: usize) -> Result<()> {
    if !(1..=MAX_LIST_LENGTH).contains(&k) {
        return Err(CoreError::invalid(
            "k",
            format!("k must be in 1..={MAX_LIST_LENGTH}, got {k}"),
        ));
    }
    Ok(())
}

/// Test pairs split by what the model knows: known (user, movie, rating) by dense index, sorted by user.
pub(super) struct KnownPairs {
    known: Vec<(u32, u32, f32)>,
    unknown_user: u64,
    unknown_movie: u64,
}

impl KnownPairs {
    pub(super) fn of(model: &AlsModel, test: &RatingTriples) -> Self {
        let mut known = Vec::with_capacity(test.len());
        let (mut unknown_user, mut unknown_movie) = (0, 0);
        for ((&u, &m), &r) in test.users.iter().zip(&test.movies).zip(&test.ratings) {
            match (model.users.index_of(u), model.items.index_of(m)) {
                (None, _) => unknown_user += 1,
                (Some(_), None) => unknown_movie += 1,
                (Some(u), Some(i)) => known.push((u, i, r)),
            }
        }
        known.sort_unstable_by_key(|&(u, i, _)| (u, i));
        Self {
            known,
            unknown_user,
            unknown_movie,
        }
    }

    pub(super) fn rating_metrics(&self, predict: impl Fn(usize, usize) -> f32 + Sync) -> RatingMetrics {
        let (se, ae) = sum_errors(&self.known, |&(u, i, r)| predict(u as usize, i as usize) - r);
        finish_rating(se, ae, self.known.len() as u64, self.unknown_user, self.unknown_movie)
    }

    /// Runs of equal user in `known`.
    pub(super) fn by_user(&self) -> Vec<&[(u32, u32, f32)]> {
        self.known.chunk_by(|a, b| a.0 == b.0).collect()
    }
}

/// Squared and absolute error sums, in fixed-size chunks added in order (deterministic for any thread count).
fn sum_errors<T: Sync>(items: &[T], error: impl Fn(&T) -> f32 + Sync) -> (f64, f64) {
    items
        .par_chunks(4096)
        .map(|chunk| {
            chunk.iter().fold((0.0, 0.0), |(se, ae), t| {
                let e = error(t) as f64;
                (se + e * e, ae + e.abs())
            })
        })
        .collect::<Vec<(f64, f64)>>()
        .into_iter()
        .fold((0.0, 0.0), |(a, b), (c, d)| (a + c, b + d))
}

pub(super) fn finish_rating(se: f64, ae: f64, count: u64, unknown_user: u64, unknown_movie: u64) -> RatingMetrics {
    let n = count.max(1) as f64;
    let (rmse, mae) = if count == 0 {
        (f64::NAN, f64::NAN)
    } else {
        ((se / n).sqrt(), ae / n)
    };
    RatingMetrics {
        rmse,
        mae,
        count,
        unknown_user,
        unknown_movie,
    }
}
