//! Explicit ALS with biases: alternate user and movie half-steps, each row solved by `solve::solve_row`.
//!
//! [`ExplicitTrainer`] is a [`Trainer`]: one iteration at a time (early stopping and tuning need the model between
//! iterations), run to the end by [`super::run`].
//!
//! Determinism: every row is solved from the previous half-step's values only, into its own output slot, and the
//! training error is summed per row and then in row order. No result depends on scheduling, so a seed gives the
//! same model whatever the thread count.

use std::time::Instant;

use rayon::prelude::*;

use super::start::{start_training, TrainingStart};
use super::trainer::Trainer;
use crate::dataset::RatingScale;
use crate::interactions::{Csr, Interactions};
use crate::linalg::cg_explicit::{solve_row_cg, CgRowWorkspace};
use crate::linalg::row::{FixedSide, Regularisation};
use crate::linalg::solve::{solve_row_then, Workspace};
use crate::model::{AlsModel, AlsParams, Feedback, IterationStats, Matrix, Solver};
use crate::{CoreError, Result};

/// Standard deviation of the initial movie factors. ALS forgets the start after one sweep; this only has to break
/// symmetry without dominating the first user solve.
const INIT_STD: f32 = 0.1;

/// Explicit ALS in progress.
pub struct ExplicitTrainer<'a> {
    x: &'a Interactions,
    model: AlsModel,
    pool: rayon::ThreadPool,
    started: Instant,
}

impl<'a> ExplicitTrainer<'a> {
    /// Validates `params`, fits the bias-only baseline, and draws the initial movie factors from `params.seed`.
    pub fn new(x: &'a Interactions, scale: RatingScale, params: &AlsParams) -> Result<Self> {
        if params.feedback != Feedback::Explicit {
            return Err(CoreError::invalid(
                "feedback",
                "implicit feedback is not supported by the explicit trainer",
            ));
        }
        let TrainingStart { started, pool, model } = start_training(x, scale, params, INIT_STD)?;
        Ok(Self {
            x,
            model,
            pool,
            started,
        })
    }

    /// The model and the pool it was trained in (the Gibbs sampler goes on from there).
    pub(crate) fn into_parts(self) -> (AlsModel, rayon::ThreadPool) {
        (self.model, self.pool)
    }
}

impl Trainer for ExplicitTrainer<'_> {
    fn steps(&self) -> usize {
        self.model.params.iterations
    }

    /// One iteration: all users against fixed movies, then all movies against the new users. Returns (and records in
    /// the model's history) the training RMSE of the resulting model.
    fn step(&mut self) -> IterationStats {
        let m = &mut self.model;
        let reg = m.params.regularisation();
        let mean = m.global_mean;
        let solver = match m.params.solver {
            Solver::Cholesky => RowSolver::Exact,
            Solver::Cg => RowSolver::Cg(m.params.cg_steps),
        };
        self.pool.install(|| {
            let items = FixedSide {
                factors: &m.item_factors,
                bias: &m.item_bias,
            };
            half_step(
                &self.x.by_user,
                items,
                mean,
                reg,
                solver,
                &mut m.user_factors,
                &mut m.user_bias,
            );
        });
        let sse = self.pool.install(|| {
            let users = FixedSide {
                factors: &m.user_factors,
                bias: &m.user_bias,
            };
            half_step(
                &self.x.by_item,
                users,
                mean,
                reg,
                solver,
                &mut m.item_factors,
                &mut m.item_bias,
            )
        });
        let stats = IterationStats {
            iteration: m.history.len() + 1,
            train_rmse: (sse / self.x.nnz() as f64).sqrt(),
            validation_rmse: None,
            elapsed_seconds: self.started.elapsed().as_secs_f64(),
        };
        m.history.push(stats.clone());
        stats
    }

    fn model(&self) -> &AlsModel {
        &self.model
    }

    fn history_mut(&mut self) -> &mut Vec<IterationStats> {
        &mut self.model.history
    }

    fn into_model(self) -> AlsModel {
        self.model
    }
}

#[derive(Clone, Copy)]
enum RowSolver {
    Exact,
    /// Conjugate-gradient steps per row, warm-started from the row's current values.
    Cg(usize),
}

/// Solves every row of `rows` against `fixed` in parallel; returns the rows' summed squared training error after
/// the solve (so after the movie half-step it is the error of the finished iteration).
fn half_step(
    rows: &Csr,
    fixed: FixedSide<'_>,
    mean: f32,
    reg: Regularisation,
    solver: RowSolver,
    out_factors: &mut Matrix,
    out_bias: &mut [f32],
) -> f64 {
    let k = out_factors.cols;
    let slots = out_factors
        .data
        .par_chunks_mut(k)
        .zip(out_bias.par_iter_mut())
        .enumerate();
    let per_row: Vec<f64> = match solver {
        RowSolver::Exact => slots
            .map_init(
                || Workspace::new(k),
                |ws, (r, (factors, bias))| {
                    let upcoming = if r + 1 < rows.rows() { rows.row(r + 1).0 } else { &[] };
                    let (cols, ratings) = rows.row(r);
                    *bias = solve_row_then(ws, fixed, mean, cols, ratings, reg, factors, upcoming);
                    ws.row_error()
                },
            )
            .collect(),
        RowSolver::Cg(steps) => slots
            .map_init(
                || CgRowWorkspace::new(k),
                |ws, (r, (factors, bias))| {
                    let (cols, ratings) = rows.row(r);
                    solve_row_cg(ws, fixed, mean, cols, ratings, reg, steps, factors, bias);
                    ws.row_error()
                },
            )
            .collect(),
    };
    per_row.iter().sum()
}
