//! What one row of a half-step is solved against: the other side's factors and biases, and the regularisation.

use super::matrix::Matrix;

/// The fixed side of a half-step: movie factors and biases when solving users, and vice versa.
#[derive(Clone, Copy)]
pub(crate) struct FixedSide<'a> {
    pub factors: &'a Matrix,
    pub bias: &'a [f32],
}

/// Regularisation of a half-step (already validated as finite and >= 0): a row with `n` ratings gets
/// `bias * (n + prior)` on its bias and `factors * (n + prior)` on each factor.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Regularisation {
    pub bias: f64,
    pub factors: f64,
    pub prior: f64,
}
