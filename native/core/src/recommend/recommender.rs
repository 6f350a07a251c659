//! The serving side of a model: the trained model, its catalogue, and what serving it computes once (O(movies) or
//! more) and keeps for the model's life. A loaded model holds one (`model_io::LoadedModel`); the lists are its methods
//! (`lists.rs`, `batch.rs`, `similar.rs`).

use std::sync::{Arc, OnceLock};

use super::filters::{CandidateMask, ListFilters, MovieFacts};
use super::foldin::{fold_in_explicit, ImplicitChooser, UserVector};
use super::selection::selection_bias;
use crate::dataset::Catalogue;
use crate::linalg::FactorGram;
use crate::model::{AlsModel, Engine, Feedback, Method};
use crate::Result;

/// A trained model ready to answer: immutable, shared between requests (`Arc` in the binding).
#[derive(Clone, Debug)]
pub struct Recommender {
    model: AlsModel,
    catalogue: Option<Arc<Catalogue>>,
    /// The Gram of the implicit movie factors that choose lists (the ranking model's, or an implicit model's own),
    /// which every fold-in needs (O(movies x k^2)), computed on first use.
    choice_gram: OnceLock<FactorGram>,
    /// The per-movie term added to the user's part of the choosing score (`selection.rs`), computed on first use:
    /// every request and every evaluated user would otherwise redo O(movies) logarithms.
    selection_bias: OnceLock<Vec<f32>>,
    /// Genres, years and cold movies of the model, for filters (`filters.rs`), computed on the first list.
    movie_facts: OnceLock<MovieFacts>,
    /// What a new user's explicit fold-in is pulled towards (see [`Recommender::user_prior_mean`]), computed on first
    /// use.
    user_prior_mean: OnceLock<Option<Vec<f64>>>,
}

/// What chooses the movies of a personalised list.
pub(super) enum Chooser<'a> {
    /// Implicit factors: the ranking model beside a rating model, or an implicit model itself.
    Implicit(ImplicitChooser<'a>),
    /// The rating model's estimate plus the popularity term (a model without a ranking model).
    Rating,
}

impl Recommender {
    pub fn new(model: AlsModel) -> Self {
        Self::with_catalogue(model, None)
    }

    /// A recommender whose lists can be filtered by the catalogue's genres and years.
    pub fn with_catalogue(model: AlsModel, catalogue: Option<Arc<Catalogue>>) -> Self {
        Self {
            model,
            catalogue,
            choice_gram: OnceLock::new(),
            selection_bias: OnceLock::new(),
            movie_facts: OnceLock::new(),
            user_prior_mean: OnceLock::new(),
        }
    }

    pub fn model(&self) -> &AlsModel {
        &self.model
    }

    pub fn catalogue(&self) -> Option<&Catalogue> {
        self.catalogue.as_deref()
    }

    pub fn into_model(self) -> AlsModel {
        self.model
    }

    /// Whether a second model (the ranking model) chooses the lists this model rates.
    pub fn has_ranking_model(&self) -> bool {
        self.model.ranking.is_some()
    }

    /// A new user's bias and factors in this model (the rating model; for an implicit model, its preference vector)
    /// from ratings of movies given by dense index (`model.items.index_of`), as training would have solved them: the
    /// explicit user half-step, or the implicit one solved exactly (bias 0). Each index must be below
    /// `model.items.len()`, one rating per index; an empty history gives the zero vector.
    pub fn fold_in(&self, item_indices: &[u32], ratings: &[f32]) -> UserVector {
        match (self.model.params.feedback, self.chooser()) {
            (Feedback::Implicit, Chooser::Implicit(chooser)) => chooser.fold_in(item_indices, ratings).vector(),
            _ => fold_in_explicit(&self.model, self.user_prior_mean(), item_indices, ratings),
        }
    }

    /// The mean `[bias, factors...]` of the training users, for a Gibbs-sampled model: the sampler trains every user
    /// towards a prior mean of their own (made of the movies they rated), not towards zero, so its movie biases and
    /// factors expect users around that mean; a new user pulled towards zero would be off by the mean's share of every
    /// estimate (ml-1m, 1 given rating: RMSE 1.005 against bias-only 0.983). None for other models, whose training
    /// pulls towards zero, as their fold-in does.
    pub fn user_prior_mean(&self) -> Option<&[f64]> {
        self.user_prior_mean
            .get_or_init(|| {
                let m = &self.model;
                let gibbs = m.params.method == Method::Gibbs
                    && m.params.feedback == Feedback::Explicit
                    && m.engine == Engine::Movierec;
                let n = m.users.len();
                (gibbs && n > 0).then(|| {
                    let mut mean = vec![0.0f64; m.params.factors + 1];
                    mean[0] = m.user_bias.iter().map(|&b| b as f64).sum::<f64>();
                    for row in m.user_factors.data.chunks_exact(m.params.factors) {
                        mean[1..].iter_mut().zip(row).for_each(|(s, &v)| *s += v as f64);
                    }
                    mean.iter_mut().for_each(|s| *s /= n as f64);
                    mean
                })
            })
            .as_deref()
    }

    /// What chooses this model's lists.
    pub(super) fn chooser(&self) -> Chooser<'_> {
        let m = &self.model;
        let (params, item_factors) = match (&m.ranking, m.params.feedback) {
            (Some(r), _) => (&r.params, &r.item_factors),
            (None, Feedback::Implicit) => (&m.params, &m.item_factors),
            (None, Feedback::Explicit) => return Chooser::Rating,
        };
        let gram = self.choice_gram.get_or_init(|| FactorGram::of(item_factors));
        Chooser::Implicit(ImplicitChooser::new(m.engine, params, item_factors, gram, m.scale))
    }

    /// The per-movie term of the choosing score: the movie bias plus the popularity term when the rating model
    /// chooses, zero when implicit factors do.
    pub fn selection_bias(&self) -> &[f32] {
        self.selection_bias.get_or_init(|| match self.chooser() {
            Chooser::Rating => selection_bias(&self.model),
            Chooser::Implicit(_) => vec![0.0; self.model.items.len()],
        })
    }

    /// The movies `filters` let into a list, cold movies left out (`cold.rs`); None when that is every movie.
    /// Errors (`InvalidInput`, naming the filter): a genre the catalogue does not have.
    pub fn candidates(&self, filters: &ListFilters) -> Result<Option<CandidateMask>> {
        self.movie_facts().candidates(&self.model, filters, false)
    }

    /// The mean pairwise Jaccard distance of the genre sets of the movies of `list` (dense indices); None when the
    /// model has no genres or the list fewer than two movies.
    pub(crate) fn list_diversity(&self, list: &[u32]) -> Option<f64> {
        self.movie_facts().list_diversity(self.model.items.len(), list)
    }

    pub(super) fn movie_facts(&self) -> &MovieFacts {
        self.movie_facts
            .get_or_init(|| MovieFacts::of(&self.model, self.catalogue.as_deref()))
    }
}

impl From<AlsModel> for Recommender {
    fn from(model: AlsModel) -> Self {
        Self::new(model)
    }
}
