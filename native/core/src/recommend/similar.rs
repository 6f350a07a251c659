//! A movie's neighbours: the movies whose factor vectors point the same way (cosine). The ranking model's factors
//! when the model has one (they are learned from who watched what, and find neighbours that people who liked the
//! movie go on to like more often than the rating model's, which are learned to fit rating levels:
//! docs/quality.md), else the model's own.

use super::cold::admit_cold;
use super::filters::is_cold;
use super::options::ListOptions;
use super::recommender::Recommender;
use super::topk::top_k_of;
use crate::limits::MAX_LIST_LENGTH;
use crate::linalg::isa::PORTABLE;
use crate::linalg::lanes::dot;
use crate::model::Matrix;
use crate::Result;

impl Recommender {
    /// The M movies most similar to `movie_id` by cosine of their factor vectors, with the similarities, among the
    /// movies `options`' filters let in (cold movies only with `includeCold`, `cold.rs`); the movie itself is left
    /// out. `None` for an unknown movie; `m` is capped
    /// at [`MAX_LIST_LENGTH`]. Errors: a filter the catalogue cannot apply (an unknown genre).
    pub fn similar(&self, movie_id: u32, m: usize, options: &ListOptions) -> Result<Option<(Vec<u32>, Vec<f32>)>> {
        let model = self.model();
        let Some(target) = model.items.index_of(movie_id) else {
            return Ok(None);
        };
        let candidates = self.candidates_of(options)?;
        let m = m.min(MAX_LIST_LENGTH);
        // The ranking model knows nothing of a cold movie: its neighbours are the rating model's.
        let factors = if is_cold(model, target as usize) {
            &model.item_factors
        } else {
            self.similarity_factors()
        };
        let mut top = most_similar(factors, target, m, candidates.chosen.as_ref());
        if let Some(with_cold) = &candidates.with_cold {
            let by_rating = most_similar(&model.item_factors, target, m, Some(with_cold));
            top = admit_cold(model, top, &by_rating, m);
        }
        Ok(Some(
            top.into_iter()
                .map(|(i, s)| (model.items.raw_id(i as usize), s))
                .unzip(),
        ))
    }

    /// The movie factors "similar" compares: the ranking model's, else the model's own.
    pub fn similarity_factors(&self) -> &Matrix {
        self.model()
            .ranking
            .as_ref()
            .map_or(&self.model().item_factors, |r| &r.item_factors)
    }
}

/// The `m` rows of `factors` with the largest cosine to row `target` (itself left out), among `allowed`.
pub fn most_similar(
    factors: &Matrix,
    target: u32,
    m: usize,
    allowed: Option<&super::filters::CandidateMask>,
) -> Vec<(u32, f32)> {
    let q = factors.row(target as usize);
    let norm = |v: &[f32]| dot::<PORTABLE>(v, v).sqrt();
    let q_norm = norm(q);
    let candidates = (0..factors.rows as u32).filter(|&i| i != target).map(|i| {
        let v = factors.row(i as usize);
        let denom = q_norm * norm(v);
        let cos = if denom > 0.0 {
            dot::<PORTABLE>(q, v) / denom
        } else {
            0.0
        };
        (i, cos)
    });
    top_k_of(candidates, m, allowed)
}
