//! The training parameters' defaults and checks (until they move to `crate::params`, branch arch-params).

use crate::model::{AlsParams, Feedback, Method};
use crate::{CoreError, Result};

pub const MAX_FACTORS: usize = 1024;
pub const MAX_ITERATIONS: usize = 1000;
/// More worker threads than this is a mistake, not a machine.
pub const MAX_THREADS: usize = 1024;
pub const MAX_PRIOR_COUNT: f32 = 1e6;
/// Gibbs sweeps (burn-in or samples) beyond this are a mistake, not a chain.
pub const MAX_SWEEPS: usize = 100_000;
/// Largest accepted `alpha`; beyond it confidences of 1 for unrated pairs no longer matter numerically.
pub const MAX_ALPHA: f32 = 1.0e4;
pub const MAX_CG_STEPS: usize = 64;

impl Default for AlsParams {
    /// The default is Gibbs sampling (`method: gibbs`, see `bayes`): 5 ALS iterations start the chain, 10 burn-in
    /// sweeps, 150 samples, noise 0.8, 64 factors, per-coordinate prior precisions sampled (hyperprior), the stored
    /// model distilled towards the averaged predictions. On ml-1m 90/10 (seed 42) the stored model's test RMSE is
    /// 0.8349 against 0.8470 for the best ALS below ([`als_defaults`]). `regFactors`/`regBias`/`priorCount` only set
    /// the starting ALS iterations and fold-in: with `priorCount` 1e6, `reg * (n + priorCount)` is ~5 for every row.
    fn default() -> Self {
        Self {
            method: Method::Gibbs,
            reg_factors: 5e-6,
            reg_bias: 5e-6,
            prior_count: MAX_PRIOR_COUNT,
            iterations: 5,
            ..als_defaults()
        }
    }
}

/// The defaults of `method: als`, tuned on ml-1m.
///
/// Tuned on ml-1m, random 90/10 split (`split_random(.., 0.1, 42)`); seconds per iteration with 2 threads.
///
/// Plain weighted-lambda (`priorCount` 0), test RMSE after 5/10/20 iterations:
///
/// ```text
/// factors regFactors regBias |  it5    it10   it20  | s/it
///   16      0.05      0.01   | 0.8628 0.8557 0.8526 | 0.02
///   32      0.07      0.01   | 0.8558 0.8524 0.8513 | 0.04
///   48      0.07      0.01   | 0.8536 0.8506 0.8504 | 0.07
///   64      0.05      0.01   | 0.8580 0.8565 0.8567 | 0.10
///   64      0.07      0.01   | 0.8518 0.8497 0.8497 | 0.10
///   64      0.10      0.01   | 0.8640 0.8605 0.8601 | 0.10
///   64      0.07      0.3    | 0.8573 0.8546 0.8544 | 0.10
///   96      0.07      0.01   | 0.8503 0.8492 0.8491 | 0.3
///  128      0.07      0.01   | 0.8495 0.8486 0.8486 | 0.6
/// ```
///
/// It plateaus near 0.849 whatever the size, and ranks badly: a movie with one 5-star rating gets a large bias
/// (its penalty is tiny) and tops every list (precision@10 0.011 on ml-1m, 0.0005 on ml-latest-small, far below
/// popularity's 0.088 / 0.073). A prior of virtual ratings fixes both. 64 factors, 10 iterations, RMSE on ml-1m /
/// ml-latest-small, model precision@10 on ml-1m / ml-latest-small:
///
/// ```text
/// regFactors regBias priorCount | RMSE 1m  small  | P@10 1m  small
///   0.07      0.01       0      | 0.8497  0.8416  | 0.0108  0.0005
///   0.045     0.03      100     | 0.8471  0.8325  | 0.0522  0.0462
///   0.045     0.05      100     | 0.8476  0.8344  | 0.0562  0.0556
///   0.045     0.10      100     | 0.8496  0.8383  | 0.0608  0.0671
///   0.04      0.04      100     | 0.8499  0.8345  | 0.0535  0.0531
///   0.04      0.03      150     | 0.8470  0.8338  | 0.0561  0.0523   <- default
///   0.04      0.0333    150     | 0.8471  0.8342  | 0.0567  0.0547
///   0.04      0.04      150     | 0.8473  0.8350  | 0.0578  0.0587
/// ```
///
/// Training for 20 iterations instead of 10 changes the RMSE by less than 0.001.
pub fn als_defaults() -> AlsParams {
    AlsParams {
        factors: 64,
        reg_factors: 0.04,
        reg_bias: 0.03,
        prior_count: crate::model::DEFAULT_PRIOR_COUNT,
        iterations: 10,
        seed: 42,
        threads: 0,
        feedback: Feedback::Explicit,
        alpha: crate::model::DEFAULT_ALPHA,
        cg_steps: crate::model::DEFAULT_CG_STEPS,
        method: Method::Als,
        samples: crate::model::DEFAULT_SAMPLES,
        burn_in: crate::model::DEFAULT_BURN_IN,
        noise_std: crate::model::DEFAULT_NOISE_STD,
        validation_fraction: 0.0,
        early_stopping: 0,
        solver: Default::default(),
    }
}

/// Rejects hyper-parameters that cannot give a model, with a message naming the parameter and its range.
pub fn validate_params(params: &AlsParams) -> Result<()> {
    let bad = |msg: String| Err(CoreError::invalid_input(msg));
    if !(params.validation_fraction.is_finite() && (0.0..0.5).contains(&params.validation_fraction)) {
        return bad(format!(
            "validationFraction must be in [0, 0.5), got {}",
            params.validation_fraction
        ));
    }
    if params.early_stopping > 0 && (params.validation_fraction == 0.0 || params.method != Method::Als) {
        return bad("earlyStopping needs method als and a validationFraction above 0".into());
    }
    match (params.feedback, params.method) {
        (Feedback::Implicit, Method::Gibbs) => {
            bad("method gibbs samples the explicit rating model; implicit feedback trains with method als".into())
        }
        (Feedback::Implicit, Method::Als) if params.validation_fraction > 0.0 => {
            bad("validationFraction reports an RMSE, which implicit feedback has not".into())
        }
        (Feedback::Implicit, Method::Als) => validate_implicit(params),
        (Feedback::Explicit, Method::Als) => validate_common(params),
        (Feedback::Explicit, Method::Gibbs) => {
            validate_common(params)?;
            if !(1..=MAX_SWEEPS).contains(&params.samples) {
                return bad(format!("samples must be in 1..={MAX_SWEEPS}, got {}", params.samples));
            }
            if params.burn_in > MAX_SWEEPS {
                return bad(format!("burnIn must be in 0..={MAX_SWEEPS}, got {}", params.burn_in));
            }
            if !(params.noise_std.is_finite() && params.noise_std > 0.0 && params.noise_std <= 10.0) {
                return bad(format!("noiseStd must be in (0, 10], got {}", params.noise_std));
            }
            Ok(())
        }
    }
}

/// The checks both trainers share.
pub(crate) fn validate_common(params: &AlsParams) -> Result<()> {
    let bad = |msg: String| Err(CoreError::invalid_input(msg));
    if !(1..=MAX_FACTORS).contains(&params.factors) {
        return bad(format!("factors must be in 1..={MAX_FACTORS}, got {}", params.factors));
    }
    if !(1..=MAX_ITERATIONS).contains(&params.iterations) {
        return bad(format!(
            "iterations must be in 1..={MAX_ITERATIONS}, got {}",
            params.iterations
        ));
    }
    if params.threads > MAX_THREADS {
        return bad(format!(
            "threads must be 0 (all cores) or at most {MAX_THREADS}, got {}",
            params.threads
        ));
    }
    for (name, value) in [("regFactors", params.reg_factors), ("regBias", params.reg_bias)] {
        if !(value.is_finite() && value >= 0.0) {
            return bad(format!("{name} must be a finite number >= 0, got {value}"));
        }
    }
    if !(params.prior_count.is_finite() && (0.0..=MAX_PRIOR_COUNT).contains(&params.prior_count)) {
        return bad(format!(
            "priorCount must be in 0..={MAX_PRIOR_COUNT}, got {}",
            params.prior_count
        ));
    }
    Ok(())
}

/// `regFactors` of implicit feedback when the caller gives none. Chosen on ml-1m, per-user 80/20 holdout, 64 factors,
/// 15 iterations (precision@10 / coverage): 0.05 gave 0.279 / 0.37, 0.1 0.289, 0.15 0.296, 0.2 0.299 / 0.37,
/// 0.3 0.297, 0.5 0.280, 1.0 0.224 / 0.14 (popularity: 0.148). ml-latest-small peaks at 0.2-0.4.
pub const DEFAULT_IMPLICIT_REG: f32 = 0.2;

/// The defaults for implicit feedback: [`AlsParams::default`] with `feedback = Implicit` and
/// [`DEFAULT_IMPLICIT_REG`] (the explicit default regularisation is four times too weak here).
pub fn implicit_defaults() -> AlsParams {
    AlsParams {
        feedback: Feedback::Implicit,
        reg_factors: DEFAULT_IMPLICIT_REG,
        ..als_defaults()
    }
}

/// Rejects implicit hyper-parameters that cannot give a model.
pub(crate) fn validate_implicit(params: &AlsParams) -> Result<()> {
    validate_common(params)?;
    let bad = |msg: String| Err(CoreError::invalid_input(msg));
    if params.feedback != Feedback::Implicit {
        return bad("the implicit trainer needs feedback = implicit".into());
    }
    if !(params.alpha.is_finite() && params.alpha >= 0.0 && params.alpha <= MAX_ALPHA) {
        return bad(format!(
            "alpha must be a finite number in 0..={MAX_ALPHA}, got {}",
            params.alpha
        ));
    }
    if !(1..=MAX_CG_STEPS).contains(&params.cg_steps) {
        return bad(format!(
            "cgSteps must be in 1..={MAX_CG_STEPS}, got {}",
            params.cg_steps
        ));
    }
    if params.reg_factors <= 0.0 {
        // Without regularisation a row's system is singular whenever the other side's factors are rank-deficient.
        return bad(format!(
            "regFactors must be > 0 for implicit feedback, got {}",
            params.reg_factors
        ));
    }
    Ok(())
}
