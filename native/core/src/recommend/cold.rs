//! Cold movies: movies of the movies file without a training rating, which the Gibbs sampler places by their genres
//! and year alone. The ranking model has no signal for them (their implicit factors are zero), so they are left out
//! of every list unless a request asks for them (`includeCold`), and then they compete by the rating model alone:
//!
//! a cold movie enters a list of M when the rating model alone would place it in the top M among the list's
//! candidates (a personalised list: by the user's estimate; similar: by the cosine of the rating model's factors;
//! popular: by the rating model's `global mean + movie bias`). The cold movies so admitted take the last places of
//! the chooser's top M (the list stays M long), and every listed cold movie is marked (`coldStart`).
//!
//! How often they enter and how their estimates fare on a held-out set of movies made cold: docs/quality.md.

use super::filters::{is_cold, materialised, CandidateMask};
use super::options::ListOptions;
use super::recommender::Recommender;
use crate::model::AlsModel;
use crate::Result;

/// The candidates of one list request.
pub(crate) struct Candidates {
    /// What the chooser scans: the movies the filters let in, cold movies left out; None: every movie.
    pub(crate) chosen: Option<CandidateMask>,
    /// With `includeCold` on a model with cold movies: the movies the filters let in, cold ones included, among
    /// which the rating model's top M admits cold movies.
    pub(crate) with_cold: Option<CandidateMask>,
}

impl Recommender {
    /// The candidates of a request with `options`. Errors (`InvalidInput`, naming the filter): a genre the
    /// catalogue does not have.
    pub(crate) fn candidates_of(&self, options: &ListOptions) -> Result<Candidates> {
        let facts = self.movie_facts();
        let model = self.model();
        let with_cold = if options.include_cold && facts.has_cold() {
            let mask = facts.candidates(model, &options.filters, true)?;
            Some(materialised(mask, model.items.len()))
        } else {
            None
        };
        Ok(Candidates {
            chosen: facts.candidates(model, &options.filters, false)?,
            with_cold,
        })
    }

    /// Per movie id of a list, whether it is cold; None when none is (the mark is then absent). Ids the model does
    /// not know are not cold.
    pub fn cold_start(&self, movie_ids: &[u32]) -> Option<Vec<bool>> {
        let model = self.model();
        let marks: Vec<bool> = movie_ids
            .iter()
            .map(|&id| model.items.index_of(id).is_some_and(|i| is_cold(model, i as usize)))
            .collect();
        marks.contains(&true).then_some(marks)
    }
}

/// `chosen` (best first, at most `m`, no cold movie) with the cold movies of `by_rating` (the rating model's top `m`
/// among the candidates cold ones included, best first) in its last places, in their `by_rating` order.
pub(super) fn admit_cold(
    model: &AlsModel,
    mut chosen: Vec<(u32, f32)>,
    by_rating: &[(u32, f32)],
    m: usize,
) -> Vec<(u32, f32)> {
    let cold: Vec<(u32, f32)> = by_rating
        .iter()
        .copied()
        .filter(|&(i, _)| is_cold(model, i as usize))
        .collect();
    chosen.truncate(m.saturating_sub(cold.len()));
    chosen.extend(cold);
    chosen
}
