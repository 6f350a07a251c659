//! The numerical kernels training and recommending share, apart from the code that uses them: one row of a
//! half-step solved exactly ([`solve`]: gather, Gram, mixed-precision or f64 Cholesky) or by conjugate gradient
//! ([`cg_explicit`], [`cg_implicit`]), an implicit row exactly ([`implicit_exact`]: fold-in and explanations), how
//! implicit feedback reads a rating ([`confidence`]), the vector kernels under them ([`lanes`], [`gram`], [`gather`]), and the
//! vector unit they are compiled for ([`isa`]). Nothing here knows of models, parameters or lists.

pub(crate) mod cg_explicit;
pub(crate) mod cg_implicit;
pub(crate) mod confidence;
pub(crate) mod gather;
pub(crate) mod gram;
pub(crate) mod implicit_exact;
pub(crate) mod isa;
pub(crate) mod lanes;
mod matrix;
pub(crate) mod row;
pub(crate) mod solve;

pub use cg_implicit::FactorGram;
pub use matrix::Matrix;
