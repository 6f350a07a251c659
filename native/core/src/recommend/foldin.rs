//! Fold-in: a new user's vector against the fixed movie side, by the same row solve training uses, so a folded-in
//! user is what training would have made of them.

use crate::linalg::cg_implicit::{solve_row_cg, CgStop, CgWorkspace, FactorGram, ImplicitSide};
use crate::linalg::row::FixedSide;
use crate::linalg::solve::{solve_row, Workspace};
use crate::model::{AlsModel, Engine};

/// A user's bias and factors, as the user half-step solves them.
#[derive(Clone, Debug, PartialEq)]
pub struct UserVector {
    pub bias: f32,
    pub factors: Vec<f32>,
}

/// Explicit feedback: the regularised least squares of the ALS user half-step (`linalg::solve`) against the movie
/// factors and biases (a model without biases: the factors alone, as Spark's half-step). Indices below
/// `model.items.len()`, one rating per index.
pub(super) fn fold_in_explicit(model: &AlsModel, item_indices: &[u32], ratings: &[f32]) -> UserVector {
    check_history(model, item_indices, ratings);
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

/// Implicit feedback: the user half-step for one row, solved to convergence from zero (conjugate gradient to a
/// residual 1e-4 of its start, at most `k` steps). Bias is always zero. `gram` is the Gram of the same model's movie
/// factors.
pub(super) fn fold_in_implicit(
    model: &AlsModel,
    gram: &FactorGram,
    item_indices: &[u32],
    ratings: &[f32],
) -> UserVector {
    check_history(model, item_indices, ratings);
    let k = model.params.factors;
    assert_eq!(gram.factors(), k, "fold_in_implicit: gram of another model");
    let (reg, alpha) = (model.params.reg_factors, model.params.alpha);
    let implicit_library: Vec<f32>;
    let (reg_per_rating, alpha, ratings) = match model.engine {
        // `implicit`'s rule (confidence `alpha * r`, a fixed lambda) in the shared kernel's form (confidence
        // `1 + alpha' r'`, lambda `reg' * n`): alpha' = 1, r' = alpha * r - 1, reg' = lambda / n.
        Engine::Implicit => {
            implicit_library = ratings.iter().map(|&r| alpha * r - 1.0).collect();
            (reg / item_indices.len().max(1) as f32, 1.0, implicit_library.as_slice())
        }
        Engine::Movierec | Engine::Spark => (reg, alpha, ratings),
    };
    let side = ImplicitSide {
        factors: &model.item_factors,
        gram,
        reg_per_rating,
        alpha,
    };
    let mut factors = vec![0.0f32; k];
    if !item_indices.is_empty() {
        // Stop at a residual 1e-4 of the start (rankings no longer change; f32 gets little closer) or after k steps
        // (the exact solution, in exact arithmetic).
        let stop = CgStop {
            max_steps: k,
            relative_residual_sq: 1e-8,
        };
        solve_row_cg(
            &mut CgWorkspace::new(k),
            side,
            item_indices,
            ratings,
            stop,
            &mut factors,
        );
    }
    UserVector { bias: 0.0, factors }
}

fn check_history(model: &AlsModel, item_indices: &[u32], ratings: &[f32]) {
    assert_eq!(item_indices.len(), ratings.len(), "fold_in: one rating per movie index");
    assert!(
        item_indices.iter().all(|&i| (i as usize) < model.items.len()),
        "fold_in: movie index out of range (indices come from model.items.index_of)"
    );
}
