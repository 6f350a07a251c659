//! `trainModel`: ALS on a read data set, saved atomically to the model folder, loaded back (validated) as the
//! `NativeModel` JS swaps in. Progress goes to JS after every iteration through a threadsafe function.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use movierec_core::als::{als_defaults, implicit_defaults, train_ratings};
use movierec_core::model::{AlsParams, Feedback, IterationStats, Method, Solver};
use movierec_core::model_io::{load_model, save_model, DatasetMeta, LoadedModel, ModelMeta};
use napi::bindgen_prelude::AsyncTask;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status, Task};
use napi_derive::napi;

use crate::convert::{f32_as_written, iso8601_utc};
use crate::dataset::{DatasetData, NativeDataset};
use movierec_core::threads::run_in_pool;
use movierec_core::CoreError;

use crate::error::{or_throw, Failure, Result};
use crate::model::NativeModel;
use crate::tasks::data::non_negative_seed;
use crate::threads;

/// Hyper-parameters as JS passes them (see `defaultParams()`).
#[napi(object, js_name = "AlsParams")]
pub struct JsAlsParams {
    pub factors: u32,
    /// Weighted-lambda regularisation of the factors.
    pub reg_factors: f64,
    /// Regularisation of the user and movie biases.
    pub reg_bias: f64,
    pub iterations: u32,
    pub seed: i64,
    /// Worker threads of this training; 0 = the `setThreads` setting.
    pub threads: u32,
    /// `explicit` (default) or `implicit` (confidence-weighted, for top-N lists).
    pub feedback: Option<String>,
    /// Virtual ratings per user and movie added to the regularisation (explicit); default `AlsParams`' value.
    pub prior_count: Option<f64>,
    /// Implicit only: confidence of a rated pair is `1 + alpha * rating`.
    pub alpha: Option<f64>,
    /// Implicit only: conjugate-gradient steps per row and half-step.
    pub cg_steps: Option<u32>,
    /// `gibbs` (default: Gibbs sampling, posterior-mean model) or `als`; `iterations` are the ALS iterations
    /// (for `gibbs`, those that start the chain).
    pub method: Option<String>,
    /// Gibbs only: sweeps averaged into the model.
    pub samples: Option<u32>,
    /// Gibbs only: sweeps discarded before averaging.
    pub burn_in: Option<u32>,
    /// Gibbs only: standard deviation of the rating noise.
    pub noise_std: Option<f64>,
    /// Fraction of the ratings held out to report a validation RMSE per iteration; 0 (default) = none.
    pub validation_fraction: Option<f64>,
    /// ALS with a validation fraction: stop after this many iterations without improvement; 0 (default) = never.
    pub early_stopping: Option<u32>,
    /// Explicit ALS only: `cholesky` (default, exact row solves) or `cg` (`cgSteps` warm-started conjugate-gradient
    /// steps per row: about half the time per iteration at 64 factors, docs/benchmarks.md).
    pub solver: Option<String>,
}

impl JsAlsParams {
    pub(crate) fn to_core(&self) -> Result<AlsParams> {
        let feedback = match self.feedback.as_deref().unwrap_or("explicit") {
            "explicit" => Feedback::Explicit,
            "implicit" => Feedback::Implicit,
            other => {
                return Err(CoreError::invalid(
                    "feedback",
                    format!("feedback must be \"explicit\" or \"implicit\", got \"{other}\""),
                ))
            }
        };
        let default_method = if feedback == Feedback::Implicit { "als" } else { "gibbs" };
        let method = match self.method.as_deref().unwrap_or(default_method) {
            "als" => Method::Als,
            "gibbs" => Method::Gibbs,
            other => {
                return Err(CoreError::invalid(
                    "method",
                    format!("method must be \"als\" or \"gibbs\", got \"{other}\""),
                ))
            }
        };
        let solver = match self.solver.as_deref() {
            None => None,
            Some("cholesky") => Some(Solver::Cholesky),
            Some("cg") => Some(Solver::Cg),
            Some(other) => {
                return Err(CoreError::invalid(
                    "solver",
                    format!("solver must be \"cholesky\" or \"cg\", got \"{other}\""),
                ))
            }
        };
        // What the caller leaves out comes from the defaults of its feedback and method (priorCount differs).
        let defaults = match (feedback, method) {
            (Feedback::Implicit, _) => implicit_defaults(),
            (Feedback::Explicit, Method::Als) => als_defaults(),
            (Feedback::Explicit, Method::Gibbs) => AlsParams::default(),
        };
        Ok(AlsParams {
            factors: self.factors as usize,
            reg_factors: self.reg_factors as f32,
            reg_bias: self.reg_bias as f32,
            iterations: self.iterations as usize,
            seed: non_negative_seed(self.seed)?,
            threads: self.threads as usize,
            feedback,
            prior_count: self.prior_count.map_or(defaults.prior_count, |v| v as f32),
            alpha: self.alpha.map_or(defaults.alpha, |v| v as f32),
            cg_steps: self.cg_steps.map_or(defaults.cg_steps, |v| v as usize),
            method,
            samples: self.samples.map_or(defaults.samples, |v| v as usize),
            burn_in: self.burn_in.map_or(defaults.burn_in, |v| v as usize),
            noise_std: self.noise_std.map_or(defaults.noise_std, |v| v as f32),
            validation_fraction: self.validation_fraction.map_or(0.0, |v| v as f32),
            early_stopping: self.early_stopping.map_or(0, |v| v as usize),
            solver: solver.unwrap_or(defaults.solver),
        })
    }
}

/// The defaults, tuned on ml-1m: Gibbs sampling.
#[napi]
pub fn default_params() -> JsAlsParams {
    to_js(&AlsParams::default())
}

/// The defaults of `method: "als"`, tuned on ml-1m.
#[napi]
pub fn als_default_params() -> JsAlsParams {
    to_js(&als_defaults())
}

/// The defaults of implicit feedback (stronger `regFactors`), chosen on ml-1m's per-user holdout.
#[napi]
pub fn implicit_default_params() -> JsAlsParams {
    to_js(&implicit_defaults())
}

fn to_js(p: &AlsParams) -> JsAlsParams {
    JsAlsParams {
        factors: p.factors as u32,
        reg_factors: f32_as_written(p.reg_factors),
        reg_bias: f32_as_written(p.reg_bias),
        iterations: p.iterations as u32,
        seed: p.seed as i64,
        threads: p.threads as u32,
        feedback: Some(
            match p.feedback {
                Feedback::Explicit => "explicit",
                Feedback::Implicit => "implicit",
            }
            .into(),
        ),
        prior_count: Some(f32_as_written(p.prior_count)),
        alpha: Some(f32_as_written(p.alpha)),
        cg_steps: Some(p.cg_steps as u32),
        method: Some(
            match p.method {
                Method::Als => "als",
                Method::Gibbs => "gibbs",
            }
            .into(),
        ),
        samples: Some(p.samples as u32),
        burn_in: Some(p.burn_in as u32),
        noise_std: Some(f32_as_written(p.noise_std)),
        validation_fraction: Some(f32_as_written(p.validation_fraction)),
        early_stopping: Some(p.early_stopping as u32),
        solver: Some(
            match p.solver {
                Solver::Cholesky => "cholesky",
                Solver::Cg => "cg",
            }
            .into(),
        ),
    }
}

/// One finished ALS iteration or Gibbs sweep.
#[napi(object)]
pub struct IterationProgress {
    /// 1-based.
    pub iteration: u32,
    /// Gibbs: of the predictions averaged over the samples so far (of the current sample during burn-in).
    pub train_rmse: f64,
    /// RMSE on the held-out `validationFraction` of the ratings; absent without one.
    pub validation_rmse: Option<f64>,
    /// Seconds since training started.
    pub elapsed_seconds: f64,
}

impl From<&IterationStats> for IterationProgress {
    fn from(s: &IterationStats) -> Self {
        Self {
            iteration: s.iteration as u32,
            train_rmse: s.train_rmse,
            validation_rmse: s.validation_rmse,
            elapsed_seconds: s.elapsed_seconds,
        }
    }
}

/// Called with `(progress)` on the JS thread; weak, so it never keeps the process alive on its own.
type ProgressFn = ThreadsafeFunction<IterationProgress, (), IterationProgress, Status, false, true>;

pub struct TrainTask {
    data: Arc<DatasetData>,
    params: AlsParams,
    model_dir: PathBuf,
    on_iteration: Option<Arc<ProgressFn>>,
    failure: Failure,
}

fn train_run(t: &TrainTask) -> Result<LoadedModel> {
    run_in_pool(threads::for_training(t.params.threads), || {
        let started = Instant::now();
        let mut report = |stats: &IterationStats| {
            if let Some(f) = &t.on_iteration {
                f.call(stats.into(), ThreadsafeFunctionCallMode::NonBlocking);
            }
            true
        };
        let (triples, scale) = (&t.data.dataset.triples, t.data.dataset.report.scale);
        let model = train_ratings(triples, scale, &t.params, &mut report)?;
        let training_seconds = started.elapsed().as_secs_f64();
        let trained_at = iso8601_utc(SystemTime::now());
        let meta = ModelMeta::new(
            &model,
            DatasetMeta::from(&t.data.dataset.report),
            trained_at,
            training_seconds,
        );
        save_model(&t.model_dir, &model, t.data.catalogue.as_ref(), &meta)?;
        drop(model);
        load_model(&t.model_dir)
    })
}

#[napi]
impl Task for TrainTask {
    type Output = LoadedModel;
    type JsValue = NativeModel;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = train_run(self);
        self.failure.capture(out)
    }
    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(NativeModel {
            inner: Arc::new(output),
        })
    }
    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.take_js_error(&env, err))
    }
}

/// Trains on `dataset`, saves the model atomically to `modelDir` (a crash leaves the previous model whole) and
/// resolves to it, loaded back from disk. `onIteration` gets each iteration's training RMSE.
#[napi]
pub fn train_model(
    env: Env,
    dataset: &NativeDataset,
    params: JsAlsParams,
    model_dir: String,
    on_iteration: Option<ThreadsafeFunction<IterationProgress, (), IterationProgress, Status, false, true>>,
) -> napi::Result<AsyncTask<TrainTask>> {
    let params = or_throw(&env, params.to_core())?;
    or_throw(&env, movierec_core::als::validate_params(&params))?;
    Ok(AsyncTask::new(TrainTask {
        data: dataset.inner.clone(),
        params,
        model_dir: model_dir.into(),
        on_iteration: on_iteration.map(Arc::new),
        failure: Failure::default(),
    }))
}
