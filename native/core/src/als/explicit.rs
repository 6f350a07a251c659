//! Explicit ALS with biases: alternate user and movie half-steps, each row solved by `solve::solve_row`.
//!
//! [`ExplicitTrainer`] exposes one iteration at a time (for early stopping and tuning, which need the model between
//! iterations); [`super::train_explicit`] drives it to the end with a progress callback.
//!
//! Determinism: every row is solved from the previous half-step's values only, into its own output slot, and the
//! training error is summed per row and then in row order. No result depends on scheduling, so a seed gives the
//! same model whatever the thread count.

use std::time::Instant;

use rayon::prelude::*;

mod cg_row;

use cg_row::{solve_row_cg, CgRowWorkspace};

use super::solve::{solve_row_then, FixedSide, Regularisation, Workspace};
use super::start::{start_training, TrainingStart};
use crate::dataset::RatingScale;
use crate::interactions::{Csr, Interactions};
use crate::model::{AlsModel, AlsParams, IterationStats, Matrix, Solver};
use crate::{CoreError, Result};

/// Standard deviation of the initial movie factors. ALS forgets the start after one sweep; this only has to break
/// symmetry without dominating the first user solve.
const INIT_STD: f32 = 0.1;

/// Explicit ALS in progress: `model()` is a complete, usable model after every `step()`.
pub struct ExplicitTrainer<'a> {
    x: &'a Interactions,
    model: AlsModel,
    pool: rayon::ThreadPool,
    started: Instant,
}

impl<'a> ExplicitTrainer<'a> {
    /// Validates `params`, fits the bias-only baseline, and draws the initial movie factors from `params.seed`.
    pub fn new(x: &'a Interactions, scale: RatingScale, params: &AlsParams) -> Result<Self> {
        if params.feedback != crate::model::Feedback::Explicit {
            return Err(CoreError::invalid(
                Some("feedback"),
                "implicit feedback is not supported by the explicit trainer",
            ));
        }
        let TrainingStart {
            started,
            pool,
            mean: global_mean,
            baseline,
            item_factors,
            item_counts,
        } = start_training(x, params, INIT_STD)?;
        let k = params.factors;
        let model = AlsModel {
            params: params.clone(),
            scale,
            global_mean,
            users: x.users.clone(),
            items: x.items.clone(),
            user_factors: Matrix::zeros(x.n_users(), k),
            item_factors,
            user_bias: vec![0.0; x.n_users()],
            // Start from the baseline's movie biases: the first user solve then sees sensible residuals.
            item_bias: baseline.item_bias.clone(),
            item_counts,
            user_items: x.by_user.clone(),
            baseline,
            history: Vec::new(),
            implicit_gram: Default::default(),
            selection_bias: Default::default(),
        };
        Ok(Self {
            x,
            model,
            pool,
            started,
        })
    }

    /// One iteration: all users against fixed movies, then all movies against the new users. Returns (and records in
    /// the model's history) the training RMSE of the resulting model.
    pub fn step(&mut self) -> IterationStats {
        let m = &mut self.model;
        let reg = Regularisation::of(&m.params);
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

    /// Records the validation RMSE of the last iteration in the history.
    pub fn set_last_validation(&mut self, rmse: Option<f64>) {
        if let Some(last) = self.model.history.last_mut() {
            last.validation_rmse = rmse;
        }
    }

    pub fn model(&self) -> &AlsModel {
        &self.model
    }

    pub fn into_model(self) -> AlsModel {
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
