//! The trainers: alternating least squares with biases, and its Gibbs-sampled variant.
//!
//! - `explicit`: the explicit-rating trainer (weighted-lambda regularisation, Zhou et al. 2008).
//! - `implicit`: implicit feedback (Hu, Koren, Volinsky 2008) for top-N lists.
//! - `bayes`: the Gibbs-sampled variant (posterior-mean factors distilled towards the averaged predictions).
//! - `baseline`: the bias-only model trained beside each of them; `start`: what every trainer starts from.
//! - `trainer`: the [`Trainer`] interface they implement and the one [`run`] loop (progress, cancel, the validation
//!   holdout, early stopping); `driver`: [`train`] and [`train_ratings`], the one dispatch on feedback and method.
//!
//! Their parameters (defaults, ranges, checks) are `crate::params`; the row solves they share with fold-in live in
//! `crate::linalg`.

mod baseline;
pub mod bayes;
mod driver;
mod explicit;
pub mod implicit;
mod side;
mod start;
mod trainer;

pub use crate::params::{als_defaults, implicit_defaults};
pub(crate) use baseline::fit_baseline;
pub use bayes::{GibbsParams, GibbsTrainer};
pub use driver::{train, train_models, train_ratings, train_with, Phase};
pub use explicit::ExplicitTrainer;
pub use implicit::{alpha_from_size, lambda_from_size, ImplicitTrainer};
pub use side::SideInfo;
pub use trainer::{run, Holdout, Trainer};
