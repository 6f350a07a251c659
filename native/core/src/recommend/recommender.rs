//! The serving side of a model: the trained model and what serving it computes once (O(movies) or more) and keeps
//! for the model's life. A loaded model holds one (`model_io::LoadedModel`); the lists are its methods
//! (`lists.rs`, `batch.rs`).

use std::sync::OnceLock;

use super::foldin::{fold_in_explicit, fold_in_implicit, UserVector};
use super::selection::selection_bias;
use crate::linalg::FactorGram;
use crate::model::{AlsModel, Feedback};

/// A trained model ready to answer: immutable, shared between requests (`Arc` in the binding).
#[derive(Clone, Debug)]
pub struct Recommender {
    model: AlsModel,
    /// Implicit models only: the movie-factor Gram fold-in needs (O(movies x k^2)), computed on first use.
    implicit_gram: OnceLock<FactorGram>,
    /// What a personalised list is selected by, per movie (`selection.rs`), computed on first use: every request
    /// and every evaluated user would otherwise redo O(movies) logarithms.
    selection_bias: OnceLock<Vec<f32>>,
}

impl Recommender {
    pub fn new(model: AlsModel) -> Self {
        Self {
            model,
            implicit_gram: OnceLock::new(),
            selection_bias: OnceLock::new(),
        }
    }

    pub fn model(&self) -> &AlsModel {
        &self.model
    }

    pub fn into_model(self) -> AlsModel {
        self.model
    }

    /// A new user's bias and factors from ratings of movies given by dense index (`model.items.index_of`), as
    /// training would have solved them: the explicit user half-step, or the implicit one (bias 0). Each index must be
    /// below `model.items.len()`, one rating per index; an empty history gives the zero vector.
    pub fn fold_in(&self, item_indices: &[u32], ratings: &[f32]) -> UserVector {
        match self.model.params.feedback {
            Feedback::Explicit => fold_in_explicit(&self.model, item_indices, ratings),
            Feedback::Implicit => fold_in_implicit(&self.model, self.implicit_gram(), item_indices, ratings),
        }
    }

    /// The per-movie term personalised lists are selected by (the movie bias, plus the popularity term for explicit
    /// models).
    pub fn selection_bias(&self) -> &[f32] {
        self.selection_bias.get_or_init(|| selection_bias(&self.model))
    }

    fn implicit_gram(&self) -> &FactorGram {
        self.implicit_gram
            .get_or_init(|| FactorGram::of(&self.model.item_factors))
    }
}

impl From<AlsModel> for Recommender {
    fn from(model: AlsModel) -> Self {
        Self::new(model)
    }
}
