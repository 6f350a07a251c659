//! Cross-validation for `movierec tune`: `kfoldSplit` (one fold of a read data set as two in-memory data sets) and
//! `fitAndScore` (train in memory, RMSE/MAE on a test set). Nothing is written to disk, so a tuning run of many
//! fits costs only the training.

use std::sync::Arc;
use std::time::Instant;

use movierec_core::als::train;
use movierec_core::dataset::split::kfold;
use movierec_core::dataset::{Dataset, RatingTriples};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::rating_accuracy;
use movierec_core::model::{AlsParams, Ranking};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::dataset::{DatasetData, NativeDataset};
use movierec_core::threads::run_in_pool;
use movierec_core::CoreError;

use crate::error::{or_throw, Failure, Result};
use crate::tasks::data::non_negative_seed;
use crate::{params, threads};

// ---- kfoldSplit ----

pub struct KFoldTask {
    data: Arc<DatasetData>,
    folds: usize,
    fold: usize,
    seed: u64,
    failure: Failure,
}

/// A part of `source` as a data set of its own: counts recomputed, path marked with the part's name, the
/// catalogue shared (so a part trains like the whole would).
fn part(source: &DatasetData, triples: RatingTriples, name: &str) -> DatasetData {
    let distinct = |ids: &[u32]| {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        ids.len() as u64
    };
    let mut report = source.dataset.report.clone();
    report.path = format!("{}#{name}", report.path);
    report.lines = triples.len() as u64;
    report.ratings = triples.len() as u64;
    report.users = distinct(&triples.users);
    report.movies = distinct(&triples.movies);
    report.skipped_invalid = 0;
    report.skipped_examples.clear();
    report.duplicates = 0;
    DatasetData {
        dataset: Dataset { triples, report },
        catalogue: source.catalogue.clone(),
        movies_file: source.movies_file.clone(),
        events: source.events.clone(),
    }
}

fn kfold_run(t: &KFoldTask) -> Result<Vec<DatasetData>> {
    let (train, test) = kfold(&t.data.dataset.triples, t.folds, t.fold, t.seed)?;
    let label = |what: &str| format!("fold {}/{} {what}", t.fold + 1, t.folds);
    Ok(vec![
        part(&t.data, train, &label("train")),
        part(&t.data, test, &label("test")),
    ])
}

#[napi]
impl Task for KFoldTask {
    type Output = Vec<DatasetData>;
    type JsValue = Vec<NativeDataset>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = kfold_run(self);
        self.failure.capture(out)
    }
    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output
            .into_iter()
            .map(|data| NativeDataset { inner: Arc::new(data) })
            .collect())
    }
    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.take_js_error(&env, err))
    }
}

/// Fold `fold` (0-based) of a seeded, balanced `folds`-fold split of `dataset`: resolves to `[train, test]`, two
/// in-memory data sets (test = that fold's ratings, train = all the others). The same seed gives the same folds.
#[napi]
pub fn kfold_split(
    env: Env,
    dataset: &NativeDataset,
    folds: u32,
    fold: u32,
    seed: i64,
) -> napi::Result<AsyncTask<KFoldTask>> {
    if fold >= folds {
        return or_throw(
            &env,
            Err(CoreError::invalid(
                "fold",
                format!("fold {fold} does not exist for {folds} folds (folds are 0..{folds})"),
            )),
        );
    }
    Ok(AsyncTask::new(KFoldTask {
        data: dataset.inner.clone(),
        folds: folds as usize,
        fold: fold as usize,
        seed: or_throw(&env, non_negative_seed(seed))?,
        failure: Failure::default(),
    }))
}

// ---- fitAndScore ----

/// Accuracy of one fit on its test set (camelCase `metrics::RatingMetrics` plus timing).
#[napi(object)]
pub struct FitScore {
    /// NaN for implicit feedback (its scores are not ratings).
    pub rmse: f64,
    pub mae: f64,
    /// Test pairs scored (user and movie known to the training part).
    pub count: i64,
    pub unknown_user: i64,
    pub unknown_movie: i64,
    pub training_seconds: f64,
    pub final_train_rmse: f64,
}

pub struct FitTask {
    train: Arc<DatasetData>,
    test: Arc<DatasetData>,
    params: AlsParams,
    failure: Failure,
}

fn fit_run(t: &FitTask) -> Result<FitScore> {
    run_in_pool(threads::for_training(t.params.threads), || {
        let started = Instant::now();
        let x = Interactions::from_triples(&t.train.dataset.triples)?;
        let mut final_train_rmse = f64::NAN;
        let mut last = |s: &movierec_core::model::IterationStats| {
            final_train_rmse = s.train_rmse;
            true
        };
        // The score is an RMSE, which the ranking model does not change: it is not trained.
        let params = AlsParams {
            ranking: Ranking::None,
            ..t.params.clone()
        };
        let model = train(&x, t.train.dataset.report.scale, &params, &mut last)?;
        let training_seconds = started.elapsed().as_secs_f64();
        let m = rating_accuracy(&model, &t.test.dataset.triples);
        Ok(FitScore {
            rmse: m.rmse,
            mae: m.mae,
            count: m.count as i64,
            unknown_user: m.unknown_user as i64,
            unknown_movie: m.unknown_movie as i64,
            training_seconds,
            final_train_rmse,
        })
    })
}

#[napi]
impl Task for FitTask {
    type Output = FitScore;
    type JsValue = FitScore;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = fit_run(self);
        self.failure.capture(out)
    }
    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.take_js_error(&env, err))
    }
}

/// Trains on `train` in memory (nothing saved) with `params` (every parameter, as `resolveParams` gives them) and
/// scores RMSE/MAE on `test`: one fit of cross-validation.
#[napi]
pub fn fit_and_score(
    env: Env,
    train: &NativeDataset,
    test: &NativeDataset,
    #[napi(ts_arg_type = "Record<string, number | string>")] params: serde_json::Value,
) -> napi::Result<AsyncTask<FitTask>> {
    let params = or_throw(&env, params::complete(params))?;
    Ok(AsyncTask::new(FitTask {
        train: train.inner.clone(),
        test: test.inner.clone(),
        params,
        failure: Failure::default(),
    }))
}
