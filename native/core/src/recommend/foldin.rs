//! Fold-in: a new user's vector against the fixed movie side, by the same row solve training uses, so a folded-in
//! user is what training would have made of them.

use crate::linalg::cg_implicit::{solve_row_cg, CgStop, CgWorkspace, FactorGram, ImplicitSide};
use crate::linalg::row::FixedSide;
use crate::linalg::solve::{solve_row, Workspace};
use crate::model::AlsModel;

/// A user's bias and factors, as the user half-step solves them.
#[derive(Clone, Debug, PartialEq)]
pub struct UserVector {
    pub bias: f32,
    pub factors: Vec<f32>,
}

/// Explicit feedback: the regularised least squares of the ALS user half-step (`linalg::solve`) against the movie
/// factors and biases. Indices below `model.items.len()`, one rating per index.
pub(super) fn fold_in_explicit(model: &AlsModel, item_indices: &[u32], ratings: &[f32]) -> UserVector {
    check_history(model, item_indices, ratings);
    let k = model.params.factors;
    let mut factors = vec![0.0; k];
    let fixed = FixedSide {
        factors: &model.item_factors,
        bias: &model.item_bias,
    };
    let bias = solve_row(
        &mut Workspace::new(k),
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
    let side = ImplicitSide {
        factors: &model.item_factors,
        gram,
        reg_per_rating: model.params.reg_factors,
        alpha: model.params.alpha,
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
