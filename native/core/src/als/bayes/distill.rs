//! The model a finished chain stores: its posterior mean refitted to the averaged predictions.
//!
//! Why: averaging factors over a chain that slowly rotates shrinks their products, so the posterior mean predicts
//! worse than the average of the samples' predictions. Refitting the rank-k model to those averaged predictions,
//! which are smooth (noise averaged out), closes most of the gap in a few ALS half-steps (docs/tuning.md). The refit
//! is regularised like the chain: a share of the sampled penalties, towards each row's posterior-mean prior mean
//! (so a movie with few ratings keeps what its features say, and a movie with none is its prior mean).

use rayon::prelude::*;

use super::sample::sampler_workspace;
use crate::interactions::Csr;
use crate::linalg::row::{FixedSide, Regularisation};
use crate::linalg::solve::solve_row;
use crate::model::{AlsModel, Matrix};

/// How a refit is regularised: per coordinate, towards per-row means (rows x (k + 1); empty for zero).
pub(super) struct Refit<'a> {
    pub user_penalty: &'a [f64],
    pub item_penalty: &'a [f64],
    pub user_means: &'a [f64],
    pub item_means: &'a [f64],
}

/// `model` refitted by `half_steps` ALS half-steps (users, movies, users, ...) to `by_user_targets` (one per training
/// rating, in `by_user` order) instead of the ratings.
pub(super) fn refit(
    model: &AlsModel,
    (by_user, by_item): (&Csr, &Csr),
    by_user_targets: &[f32],
    how: &Refit<'_>,
    half_steps: usize,
    pool: &rayon::ThreadPool,
) -> AlsModel {
    let mut out = model.clone();
    let by_item_targets = transpose_values(by_user_targets, by_user, by_item);
    let reg = model.params.regularisation();
    let mean = model.global_mean;
    for step in 0..half_steps {
        let m = &mut out;
        let users_step = step % 2 == 0;
        let (rows, targets, penalty, means) = if users_step {
            (by_user, by_user_targets, how.user_penalty, how.user_means)
        } else {
            (by_item, &by_item_targets[..], how.item_penalty, how.item_means)
        };
        let (fixed, factors, bias) = if users_step {
            let fixed = FixedSide {
                factors: &m.item_factors,
                bias: &m.item_bias,
            };
            (fixed, &mut m.user_factors, &mut m.user_bias)
        } else {
            let fixed = FixedSide {
                factors: &m.user_factors,
                bias: &m.user_bias,
            };
            (fixed, &mut m.item_factors, &mut m.item_bias)
        };
        let per_row = split_rows(targets, rows);
        let rows_to_solve = RowsToSolve {
            rows,
            targets: &per_row,
            penalty,
            means,
        };
        pool.install(|| solve_all(&rows_to_solve, fixed, mean, reg, factors, bias));
    }
    out
}

struct RowsToSolve<'a> {
    rows: &'a Csr,
    targets: &'a [&'a [f32]],
    penalty: &'a [f64],
    means: &'a [f64],
}

fn solve_all(
    to_solve: &RowsToSolve<'_>,
    fixed: FixedSide<'_>,
    mean: f32,
    reg: Regularisation,
    out_factors: &mut Matrix,
    out_bias: &mut [f32],
) {
    let k = out_factors.cols;
    out_factors
        .data
        .par_chunks_mut(k)
        .zip(out_bias.par_iter_mut())
        .enumerate()
        .for_each_init(
            || sampler_workspace(k, to_solve.penalty),
            |ws, (r, (factors, bias))| {
                let (cols, _) = to_solve.rows.row(r);
                if !to_solve.means.is_empty() {
                    ws.set_prior_mean(&to_solve.means[r * (k + 1)..(r + 1) * (k + 1)]);
                }
                *bias = solve_row(ws, fixed, mean, cols, to_solve.targets[r], reg, factors);
            },
        );
}

/// Values given in `from`'s order (one per entry) rearranged into `to`'s order, `to` being `from` transposed with
/// rows sorted by column.
fn transpose_values(values: &[f32], from: &Csr, to: &Csr) -> Vec<f32> {
    let mut cursor: Vec<usize> = (0..to.rows()).map(|r| to.indptr[r] as usize).collect();
    let mut out = vec![0.0f32; values.len()];
    let mut at = 0;
    for r in 0..from.rows() {
        let (cols, _) = from.row(r);
        for &c in cols {
            out[cursor[c as usize]] = values[at];
            cursor[c as usize] += 1;
            at += 1;
        }
    }
    out
}

/// `values` (one entry per rating of `rows`) split into one slice per row.
pub(super) fn split_rows<'s, T>(mut values: &'s [T], rows: &Csr) -> Vec<&'s [T]> {
    let mut out = Vec::with_capacity(rows.rows());
    for r in 0..rows.rows() {
        let (head, tail) = values.split_at(rows.row_len(r));
        out.push(head);
        values = tail;
    }
    out
}
