//! `trainModel`: ALS on a read data set, saved atomically to the model folder, loaded back (validated) as the
//! `NativeModel` JS swaps in. Progress goes to JS after every iteration through a threadsafe function.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use movierec_core::als::{train_models, Phase};
use movierec_core::model::{AlsParams, IterationStats};
use movierec_core::model_io::{load_model, save_model, DatasetMeta, LoadedModel, ModelMeta};
use napi::bindgen_prelude::AsyncTask;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status, Task};
use napi_derive::napi;

use crate::convert::iso8601_utc;
use crate::dataset::{DatasetData, NativeDataset};
use movierec_core::threads::run_in_pool;

use crate::error::{or_throw, Failure, Result};
use crate::model::NativeModel;
use crate::{params, threads};

/// One finished ALS iteration or Gibbs sweep.
#[napi(object)]
pub struct IterationProgress {
    /// 1-based.
    pub iteration: u32,
    /// Gibbs: of the predictions averaged over the samples so far (of the current sample during burn-in).
    pub train_rmse: f64,
    /// RMSE on the ratings held out for validation; absent without a holdout.
    pub validation_rmse: Option<f64>,
    /// Seconds since the model's training started.
    pub elapsed_seconds: f64,
    /// Which model the step belongs to: the rating model's steps come first, then the ranking model's.
    #[napi(ts_type = "'rating' | 'ranking'")]
    pub phase: String,
}

impl IterationProgress {
    fn of(phase: Phase, s: &IterationStats) -> Self {
        Self {
            iteration: s.iteration as u32,
            train_rmse: s.train_rmse,
            validation_rmse: s.validation_rmse,
            elapsed_seconds: s.elapsed_seconds,
            phase: match phase {
                Phase::Rating => "rating",
                Phase::Ranking => "ranking",
            }
            .to_string(),
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
        let mut report = |phase: Phase, stats: &IterationStats| {
            if let Some(f) = &t.on_iteration {
                f.call(
                    IterationProgress::of(phase, stats),
                    ThreadsafeFunctionCallMode::NonBlocking,
                );
            }
            true
        };
        let (triples, scale) = (&t.data.dataset.triples, t.data.dataset.report.scale);
        let catalogue = t.data.catalogue.as_ref();
        let model = train_models(triples, catalogue, scale, &t.params, &mut report)?;
        let training_seconds = started.elapsed().as_secs_f64();
        let trained_at = iso8601_utc(SystemTime::now());
        let mut meta = ModelMeta::new(
            &model,
            DatasetMeta::from(&t.data.dataset.report),
            trained_at,
            training_seconds,
        );
        meta.events = t.data.events.clone();
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

/// Trains on `dataset` with `params` (every parameter, as `resolveParams` gives them), saves the model atomically to
/// `modelDir` (a crash leaves the previous model whole) and resolves to it, loaded back from disk. `onIteration`
/// gets each iteration's training RMSE.
#[napi]
pub fn train_model(
    env: Env,
    dataset: &NativeDataset,
    #[napi(ts_arg_type = "Record<string, number | string>")] params: serde_json::Value,
    model_dir: String,
    on_iteration: Option<ThreadsafeFunction<IterationProgress, (), IterationProgress, Status, false, true>>,
) -> napi::Result<AsyncTask<TrainTask>> {
    let params = or_throw(&env, params::complete(params))?;
    Ok(AsyncTask::new(TrainTask {
        data: dataset.inner.clone(),
        params,
        model_dir: model_dir.into(),
        on_iteration: on_iteration.map(Arc::new),
        failure: Failure::default(),
    }))
}
