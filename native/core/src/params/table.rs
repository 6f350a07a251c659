//! The table: every training parameter on one entry (see `define.rs` for what an entry holds), and what reads the
//! table whole: the defaults per mode, the spec, the lookup by name and the errors naming a parameter.

use serde_json::Value;

use super::spec::{ParamDef, ParamSpec, PerMode};
use super::value::{integer, number, words, Mode, ParamType, ParamValue, Search};
use super::words::{Confidence, Feedback, Method, Ranking, RegScaling, Solver};
use crate::{CoreError, Result};

const ALL: &[Mode] = &Mode::ALL;
const EXPLICIT: &[Mode] = &[Mode::Gibbs, Mode::Als];
const GIBBS: &[Mode] = &[Mode::Gibbs];
const ALS: &[Mode] = &[Mode::Als];
const IMPLICIT: &[Mode] = &[Mode::Implicit];

/// The largest integer a JavaScript number holds exactly.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

training_params! {
    factors: usize as "factors" {
        cli: "--factors <n>",
        help: "latent factors",
        kind: integer(1, 1024),
        applies: ALL,
        defaults: [64, 64, 64],
        search: Search::Choices { choices: &[16, 32, 48, 64, 96, 128] },
    }
    reg_factors: f32 as "regFactors" {
        cli: "--reg <x>",
        help: "regularisation of the factors (weighted-lambda: scaled by each row's rating count; implicit feedback \
               with regScaling plain: lambda itself, 0 = from the data's size)",
        kind: number(0.0, 1e6),
        applies: ALL,
        defaults: [5e-6, 0.04, 0.0],
        search: Search::LogUniform { min: 0.01, max: 0.2, integer: false },
    }
    reg_bias: f32 as "regBias" {
        cli: "--reg-bias <x>",
        help: "regularisation of the user and movie biases",
        kind: number(0.0, 1e6),
        applies: EXPLICIT,
        defaults: [5e-6, 0.03, 0.03],
        search: Search::LogUniform { min: 0.005, max: 0.3, integer: false },
    }
    prior_count: f32 as "priorCount" {
        help: "virtual ratings added to each row's regularisation (reg * (n + priorCount) for a row of n ratings)",
        kind: number(0.0, 1e6),
        applies: EXPLICIT,
        defaults: [1e6, 150.0, 150.0],
        search: Search::LogUniform { min: 20.0, max: 500.0, integer: true },
    }
    iterations: usize as "iterations" {
        cli: "--iters <n>",
        help: "ALS iterations (gibbs: the ones that start the chain)",
        kind: integer(1, 1000),
        applies: ALL,
        defaults: [5, 10, 15],
        search: Search::IntUniform { min: 5, max: 25 },
    }
    seed: u64 as "seed" {
        cli: "--seed <n>",
        help: "random seed",
        kind: integer(0, MAX_SAFE_INTEGER),
        applies: ALL,
        defaults: [42, 42, 42],
    }
    threads: usize as "threads" {
        cli: "--threads <n>",
        help: "worker threads, 0 = all cores",
        kind: integer(0, 1024),
        applies: ALL,
        defaults: [0, 0, 0],
    }
    feedback: Feedback as "feedback" {
        cli: "--feedback <kind>",
        help: "explicit: predict ratings; implicit: confidence-weighted, for top-N lists",
        kind: words(Feedback::WORDS),
        applies: ALL,
        defaults: [Feedback::Explicit, Feedback::Explicit, Feedback::Implicit],
    }
    alpha: f32 as "alpha" {
        cli: "--alpha <x>",
        help: "confidence of a rated pair: 1 + alpha (liked, confidence graded) or 1 + alpha * rating (linear); 0: \
               from the data's size (1 to 10, resolved when training starts)",
        kind: number(0.0, 1e4),
        applies: IMPLICIT,
        defaults: [0.0, 0.0, 0.0],
    }
    cg_steps: usize as "cgSteps" {
        cli: "--cg-steps <n>",
        help: "conjugate-gradient steps per row and half-step (als: with solver cg)",
        kind: integer(1, 64),
        applies: &[Mode::Als, Mode::Implicit],
        defaults: [3, 3, 3],
    }
    method: Method as "method" {
        cli: "--method <method>",
        help: "gibbs: Gibbs sampling, posterior-mean model; als: alternating least squares",
        kind: words(Method::WORDS),
        applies: ALL,
        defaults: [Method::Gibbs, Method::Als, Method::Als],
    }
    samples: usize as "samples" {
        cli: "--samples <n>",
        help: "sweeps averaged into the model",
        kind: integer(1, 100_000),
        applies: GIBBS,
        defaults: [100, 100, 100],
    }
    burn_in: usize as "burnIn" {
        cli: "--burn-in <n>",
        help: "sweeps discarded before averaging",
        kind: integer(0, 100_000),
        applies: GIBBS,
        defaults: [10, 10, 10],
    }
    noise_std: f32 as "noiseStd" {
        cli: "--noise-std <x>",
        help: "standard deviation of the rating noise (the width of every sample)",
        kind: number(0.0, 10.0).above_min(),
        applies: GIBBS,
        defaults: [0.8, 0.8, 0.8],
    }
    validation_fraction: f32 as "validationFraction" {
        cli: "--validation-fraction <f>",
        help: "fraction of the ratings held out (seeded) to report a validation RMSE per iteration; 0 = none",
        kind: number(0.0, 0.5).below_max(),
        applies: EXPLICIT,
        defaults: [0.0, 0.0, 0.0],
    }
    early_stopping: usize as "earlyStopping" {
        cli: "--early-stopping <n>",
        help: "with a validationFraction: stop after N iterations without a better validation RMSE, keep the best; \
               0 = never",
        kind: integer(0, 1000),
        applies: ALS,
        defaults: [0, 0, 0],
    }
    solver: Solver as "solver" {
        cli: "--solver <solver>",
        help: "cholesky: exact row solves; cg: cgSteps warm-started conjugate-gradient steps per row (faster)",
        kind: words(Solver::WORDS),
        applies: ALS,
        defaults: [Solver::Cholesky, Solver::Cholesky, Solver::Cholesky],
    }
    ranking: Ranking as "ranking" {
        cli: "--ranking <model>",
        help: "which model chooses the movies of every list: implicit, an implicit-feedback ALS trained beside the \
               rating model with the implicit defaults (the rating model gives the estimates shown); none, the rating \
               model",
        kind: words(Ranking::WORDS),
        applies: EXPLICIT,
        defaults: [Ranking::Implicit, Ranking::Implicit, Ranking::None],
    }
    confidence: Confidence as "confidence" {
        cli: "--confidence <kind>",
        help: "graded: liked ratings (>= 4/5 of the scale's top) count with 1 + alpha, middling ones with 1 + alpha * \
               confidenceMid, disliked ones (<= 2/5) as not liked with 1 + alpha * confidenceLow; linear: every rating \
               liked, with 1 + alpha * rating",
        kind: words(Confidence::WORDS),
        applies: IMPLICIT,
        defaults: [Confidence::Linear, Confidence::Linear, Confidence::Graded],
    }
    confidence_mid: f32 as "confidenceMid" {
        cli: "--confidence-mid <x>",
        help: "confidence graded: the weight of a middling rating, as a share of a liked one's",
        kind: number(0.0, 100.0),
        applies: IMPLICIT,
        defaults: [0.25, 0.25, 0.25],
    }
    confidence_low: f32 as "confidenceLow" {
        cli: "--confidence-low <x>",
        help: "confidence graded: the weight of a disliked rating (a preference 0), as a share of a liked one's",
        kind: number(0.0, 100.0),
        applies: IMPLICIT,
        defaults: [0.5, 0.5, 0.5],
    }
    reg_scaling: RegScaling as "regScaling" {
        cli: "--reg-scaling <kind>",
        help: "plain: every row regularised by regFactors (0: by a lambda from the data's size); weighted: by \
               regFactors times the row's rating count",
        kind: words(RegScaling::WORDS),
        applies: IMPLICIT,
        defaults: [RegScaling::Weighted, RegScaling::Weighted, RegScaling::Plain],
    }
}

/// The defaults of `method: als` (weighted-lambda regularisation with a prior, 10 iterations).
pub fn als_defaults() -> AlsParams {
    AlsParams::defaults(Mode::Als)
}

/// The defaults of implicit feedback (graded confidence, a plain lambda from the data's size): also what the ranking
/// model beside an explicit one is trained with.
pub fn implicit_defaults() -> AlsParams {
    AlsParams::defaults(Mode::Implicit)
}

impl ParamDef {
    /// The parameter called `name`, if there is one.
    pub fn find(name: &str) -> Option<&'static ParamDef> {
        PARAMS.iter().find(|def| def.name == name)
    }
}

/// Every parameter with its defaults, in [`PARAMS`] order.
pub fn parameter_spec() -> Vec<ParamSpec> {
    let [gibbs, als, implicit] = Mode::ALL.map(|mode| AlsParams::defaults(mode).values());
    PARAMS
        .iter()
        .enumerate()
        .map(|(i, def)| ParamSpec {
            def,
            defaults: PerMode {
                gibbs: gibbs[i],
                als: als[i],
                implicit: implicit[i],
            },
        })
        .collect()
}

/// The error for a name no parameter has.
pub(super) fn unknown_parameter(name: &str) -> CoreError {
    let known: Vec<&str> = PARAMS.iter().map(|def| def.name).collect();
    CoreError::invalid(
        name,
        format!("unknown parameter \"{name}\" (known: {})", known.join(", ")),
    )
}

/// The error for a value of the wrong type for parameter `name`.
pub(super) fn wrong_value(name: &str, value: &Value) -> CoreError {
    let kind = ParamDef::find(name).map_or_else(String::new, |def| def.kind.describe());
    CoreError::invalid(name, format!("{name} must be {kind}, got {value}"))
}
