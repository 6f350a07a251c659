//! Fold-in: a user's vector against a model's fixed movie side, by the row solve training uses, so a folded-in user is
//! what training would have made of them. The rating model's (explicit: the ALS user half-step) gives the estimates;
//! the implicit factors that choose a list (the ranking model's, or an implicit model's own) are solved exactly
//! (`linalg::implicit_exact`), and that system also explains the choice.

use crate::dataset::RatingScale;
use crate::linalg::cg_implicit::{FactorGram, ImplicitSide, RowLambda};
use crate::linalg::confidence::ConfidenceFn;
use crate::linalg::implicit_exact::{factor_system, ImplicitSystem};
use crate::linalg::row::FixedSide;
use crate::linalg::solve::{solve_row, Workspace};
use crate::model::{AlsModel, AlsParams, Engine, Matrix};

/// A user's bias and factors, as the user half-step solves them.
#[derive(Clone, Debug, PartialEq)]
pub struct UserVector {
    pub bias: f32,
    pub factors: Vec<f32>,
}

/// Explicit feedback: the regularised least squares of the ALS user half-step (`linalg::solve`) against the movie
/// factors and biases (a model without biases: the factors alone, as Spark's half-step). Indices below
/// `model.items.len()`, one rating per index.
/// With `prior_mean` (`[bias, factors...]`), the penalty pulls towards it instead of zero
/// ([`super::Recommender::user_prior_mean`]).
pub(super) fn fold_in_explicit(
    model: &AlsModel,
    prior_mean: Option<&[f64]>,
    item_indices: &[u32],
    ratings: &[f32],
) -> UserVector {
    check_history(model.items.len(), item_indices, ratings);
    let k = model.params.factors;
    let mut factors = vec![0.0; k];
    let fixed = FixedSide {
        factors: &model.item_factors,
        bias: &model.item_bias,
    };
    let mut workspace = Workspace::new(k);
    if !model.engine.has_biases() {
        workspace.without_bias();
    }
    if let Some(mean) = prior_mean {
        workspace.set_prior_mean(mean);
    }
    let bias = solve_row(
        &mut workspace,
        fixed,
        model.global_mean,
        item_indices,
        ratings,
        model.params.regularisation(),
        &mut factors,
    );
    UserVector { bias, factors }
}

/// Implicit movie factors that choose lists, with what a fold-in against them needs.
#[derive(Clone, Copy)]
pub(crate) struct ImplicitChooser<'a> {
    item_factors: &'a Matrix,
    gram: &'a FactorGram,
    lambda: RowLambda,
    confidence: ConfidenceFn,
}

/// A user folded in against implicit factors: the vector `x = A^-1 b` and the factored system, which explains any
/// movie's score `y' x` as a sum over the user's rated movies.
pub(crate) struct FoldedIn {
    pub(super) factors: Vec<f32>,
    system: ImplicitSystem,
}

impl<'a> ImplicitChooser<'a> {
    /// The chooser of factors trained by `engine` with `params` on a `scale`; `gram` is the Gram of `item_factors`.
    /// An `implicit` model folds in as its `recalculate_user` does (confidence `alpha * rating`, a fixed lambda);
    /// every other as its training did.
    pub(super) fn new(
        engine: Engine,
        params: &AlsParams,
        item_factors: &'a Matrix,
        gram: &'a FactorGram,
        scale: RatingScale,
    ) -> Self {
        let (lambda, confidence) = match engine {
            Engine::Implicit => (
                RowLambda::Plain(params.reg_factors),
                ConfidenceFn::Scaled { alpha: params.alpha },
            ),
            Engine::Movierec | Engine::Spark => (params.row_lambda(), params.confidence_fn(scale)),
        };
        Self {
            item_factors,
            gram,
            lambda,
            confidence,
        }
    }

    pub(super) fn item_factors(&self) -> &'a Matrix {
        self.item_factors
    }

    fn side(&self) -> ImplicitSide<'a> {
        ImplicitSide {
            factors: self.item_factors,
            gram: self.gram,
            lambda: self.lambda,
            confidence: self.confidence,
        }
    }

    /// The user half-step for one row, solved exactly (Cholesky in f64). Indices below the number of movies, one
    /// rating per index; an empty history gives the zero vector.
    pub(super) fn fold_in(&self, item_indices: &[u32], ratings: &[f32]) -> FoldedIn {
        check_history(self.item_factors.rows, item_indices, ratings);
        let k = self.item_factors.cols;
        let mut system = ImplicitSystem::new(k);
        let solved = factor_system(&mut system, self.side(), item_indices, ratings);
        // Not solvable only with lambda 0 (which training never leaves) on a rank-deficient side: no preference.
        let factors = if solved {
            system.solution().collect()
        } else {
            vec![0.0; k]
        };
        FoldedIn { factors, system }
    }
}

impl FoldedIn {
    /// As a [`UserVector`] (implicit models have no biases).
    pub(super) fn vector(self) -> UserVector {
        UserVector {
            bias: 0.0,
            factors: self.factors,
        }
    }

    /// The rated movies (dense indices) in the order [`Self::contributions`] gives their terms.
    pub(super) fn rated(&self) -> &[u32] {
        self.system.cols()
    }

    /// The terms of movie `item`'s score `y_item . x` over the user's rated movies (their order as folded in; 0 for
    /// a disliked one, which acts only through the others' weights). They sum to the score up to rounding.
    pub(super) fn contributions(&self, chooser: &ImplicitChooser<'_>, item: u32) -> Vec<f64> {
        self.system
            .contributions(chooser.side(), chooser.item_factors.row(item as usize))
    }
}

fn check_history(n_items: usize, item_indices: &[u32], ratings: &[f32]) {
    assert_eq!(item_indices.len(), ratings.len(), "fold_in: one rating per movie index");
    assert!(
        item_indices.iter().all(|&i| (i as usize) < n_items),
        "fold_in: movie index out of range (indices come from model.items.index_of)"
    );
}
