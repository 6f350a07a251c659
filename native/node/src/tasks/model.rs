//! `loadModel` (+ sync twin), `evaluateModel`, `evaluateFoldIn`, `evaluateNewUsers`, `storeEvaluation` and
//! `storeNewUserEvaluation`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use movierec_core::metrics::{evaluate, evaluate_fold_in, evaluate_new_users};
use movierec_core::model_io::{load_model, update_evaluation, update_new_user_evaluation, LoadedModel};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, ScopedTask, Task};
use napi_derive::napi;

use crate::dataset::{DatasetData, NativeDataset};
use movierec_core::threads::run_in_pool;
use movierec_core::CoreError;

use crate::error::{or_throw, Failure, Result};
use crate::model::NativeModel;
use crate::tasks::data::non_negative_seed;
use crate::threads;

// ---- loadModel ----

pub struct LoadModelTask {
    dir: PathBuf,
    failure: Failure,
}

fn load_run(dir: &Path) -> Result<LoadedModel> {
    run_in_pool(threads::configured(), || load_model(dir))
}

#[napi]
impl Task for LoadModelTask {
    type Output = LoadedModel;
    type JsValue = NativeModel;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = load_run(&self.dir);
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

/// Loads and validates the model folder `dir` (`MODEL_NOT_FOUND` when there is none, `INVALID_MODEL` when it is
/// damaged or of another format version).
#[napi(js_name = "loadModel")]
pub fn load_model_task(dir: String) -> AsyncTask<LoadModelTask> {
    AsyncTask::new(LoadModelTask {
        dir: dir.into(),
        failure: Failure::default(),
    })
}

/// `loadModel` on the calling thread.
#[napi]
pub fn load_model_sync(env: Env, dir: String) -> napi::Result<NativeModel> {
    Ok(NativeModel {
        inner: Arc::new(or_throw(&env, load_run(Path::new(&dir)))?),
    })
}

// ---- evaluateModel / evaluateFoldIn ----

enum Evaluation {
    Split { k: usize },
    FoldIn { history_fraction: f64, seed: u64 },
    NewUsers { k: usize, seed: u64 },
}

pub struct EvaluateTask {
    model: Arc<LoadedModel>,
    data: Arc<DatasetData>,
    what: Evaluation,
    failure: Failure,
}

fn evaluate_run(t: &EvaluateTask) -> Result<serde_json::Value> {
    run_in_pool(threads::configured(), || {
        let model = &t.model.recommender;
        let test = &t.data.dataset.triples;
        let value = match t.what {
            Evaluation::Split { k } => evaluate(model, test, k).map(serde_json::to_value),
            Evaluation::FoldIn { history_fraction, seed } => {
                evaluate_fold_in(model, test, history_fraction, seed).map(serde_json::to_value)
            }
            Evaluation::NewUsers { k, seed } => evaluate_new_users(model, test, k, seed).map(serde_json::to_value),
        }?;
        value.map_err(|e| CoreError::invalid_input(format!("evaluation result: {e}")))
    })
}

#[napi]
impl<'task> ScopedTask<'task> for EvaluateTask {
    type Output = serde_json::Value;
    /// A plain object (camelCase, from the core's serde form).
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = evaluate_run(self);
        self.failure.capture(out)
    }
    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        env.to_js_value(&output)
    }
    fn reject(&mut self, env: &'task Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.take_js_error(env, err))
    }
}

/// RMSE/MAE of the model and of the bias-only baseline, and ranking metrics at `k` of the model, bias-only and
/// popularity, on `dataset` (camelCase `metrics::Evaluation`).
#[napi(ts_return_type = "Promise<Record<string, any>>")]
pub fn evaluate_model(model: &NativeModel, dataset: &NativeDataset, k: u32) -> AsyncTask<EvaluateTask> {
    AsyncTask::new(EvaluateTask {
        model: model.inner.clone(),
        data: dataset.inner.clone(),
        what: Evaluation::Split { k: k as usize },
        failure: Failure::default(),
    })
}

/// Fold-in accuracy on users the model never saw: each user's ratings split into a `historyFraction` history
/// (folded in) and a target (predicted), seeded (camelCase `metrics::FoldInEvaluation`).
#[napi(js_name = "evaluateFoldIn", ts_return_type = "Promise<Record<string, any>>")]
pub fn evaluate_fold_in_task(
    env: Env,
    model: &NativeModel,
    dataset: &NativeDataset,
    history_fraction: f64,
    seed: i64,
) -> napi::Result<AsyncTask<EvaluateTask>> {
    Ok(AsyncTask::new(EvaluateTask {
        model: model.inner.clone(),
        data: dataset.inner.clone(),
        what: Evaluation::FoldIn {
            history_fraction,
            seed: or_throw(&env, non_negative_seed(seed))?,
        },
        failure: Failure::default(),
    }))
}

/// Stores `evaluation` as the latest evaluation in `dir/model.json` (atomic rewrite, everything else kept).
#[napi]
pub fn store_evaluation(env: Env, dir: String, evaluation: serde_json::Value) -> napi::Result<()> {
    or_throw(&env, update_evaluation(Path::new(&dir), &evaluation))
}

/// The new-user protocol on the users of `dataset` the model never saw: a seeded half of each user's ratings folded
/// in, the list of `k` scored against the other half's liked movies, beside popularity (camelCase
/// `metrics::NewUserEvaluation`).
#[napi(js_name = "evaluateNewUsers", ts_return_type = "Promise<Record<string, any>>")]
pub fn evaluate_new_users_task(
    env: Env,
    model: &NativeModel,
    dataset: &NativeDataset,
    k: u32,
    seed: i64,
) -> napi::Result<AsyncTask<EvaluateTask>> {
    Ok(AsyncTask::new(EvaluateTask {
        model: model.inner.clone(),
        data: dataset.inner.clone(),
        what: Evaluation::NewUsers {
            k: k as usize,
            seed: or_throw(&env, non_negative_seed(seed))?,
        },
        failure: Failure::default(),
    }))
}

/// Stores `evaluation` as the latest new-user evaluation in `dir/model.json` (as `storeEvaluation`).
#[napi]
pub fn store_new_user_evaluation(env: Env, dir: String, evaluation: serde_json::Value) -> napi::Result<()> {
    or_throw(&env, update_new_user_evaluation(Path::new(&dir), &evaluation))
}
