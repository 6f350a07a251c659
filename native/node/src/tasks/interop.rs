//! `importSparkModel`, `importImplicitModel` and `exportImplicitModel`: other engines' model files, through
//! `movierec-interop`. An import is saved like a trained model (atomically, to the model folder it is given) and
//! resolves to it, loaded back from disk.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use movierec_core::dataset::read_movies;
use movierec_core::foreign::{build_model, TrainingRatings};
use movierec_core::model_io::{load_model, save_model, DatasetMeta, LoadedModel, ModelMeta};
use movierec_core::threads::run_in_pool;
use movierec_interop::implicit::{read_implicit_model, write_implicit_model, RowIds};
use movierec_interop::spark::{read_spark_model, SparkTraining};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::convert::iso8601_utc;
use crate::dataset::{DatasetData, NativeDataset};
use crate::error::{Failure, Result};
use crate::model::NativeModel;
use crate::threads;

/// How a Spark model was trained: the ALS estimator's parameters, which Spark does not save with the model (each
/// left out is Spark's default: regParam 0.1, implicitPrefs false, alpha 1.0, maxIter 10).
#[napi(object)]
pub struct SparkTrainingOptions {
    pub reg_param: Option<f64>,
    pub implicit_prefs: Option<bool>,
    pub alpha: Option<f64>,
    pub max_iter: Option<u32>,
    pub seed: Option<i64>,
}

impl From<SparkTrainingOptions> for SparkTraining {
    fn from(o: SparkTrainingOptions) -> Self {
        let spark = SparkTraining::default();
        Self {
            reg_param: o.reg_param.map_or(spark.reg_param, |v| v as f32),
            implicit_prefs: o.implicit_prefs.unwrap_or(spark.implicit_prefs),
            alpha: o.alpha.map_or(spark.alpha, |v| v as f32),
            max_iter: o.max_iter.map_or(spark.max_iter, |v| v as usize),
            seed: o.seed.or(spark.seed),
        }
    }
}

enum Source {
    Spark { dir: PathBuf, training: SparkTraining },
    Implicit { file: PathBuf },
}

pub struct ImportTask {
    source: Source,
    ratings: Option<Arc<DatasetData>>,
    movies_file: Option<PathBuf>,
    model_dir: PathBuf,
    failure: Failure,
}

fn import_run(t: &ImportTask) -> Result<LoadedModel> {
    run_in_pool(threads::configured(), || {
        let started = Instant::now();
        let (foreign, mut imported_from) = match &t.source {
            Source::Spark { dir, training } => read_spark_model(dir, training)?,
            Source::Implicit { file } => {
                let row_ids = match &t.ratings {
                    Some(data) => RowIds::FromRatings {
                        users: &data.dataset.triples.users,
                        movies: &data.dataset.triples.movies,
                    },
                    None => RowIds::RowNumbers,
                };
                read_implicit_model(file, row_ids)?
            }
        };
        let ratings = t.ratings.as_ref().map(|data| TrainingRatings {
            triples: &data.dataset.triples,
            scale: data.dataset.report.scale,
        });
        let imported = build_model(foreign, ratings)?;
        let model = imported.model;
        imported_from.ratings_left_out = imported.ratings_left_out;
        let dataset = match &t.ratings {
            Some(data) => DatasetMeta::from(&data.dataset.report),
            None => DatasetMeta::without_ratings(
                imported_from.path.as_ref(),
                model.users.len() as u64,
                model.items.len() as u64,
            ),
        };
        let catalogue = match (&t.movies_file, &t.ratings) {
            (Some(file), _) => Some(read_movies(file)?),
            (None, Some(data)) => data.catalogue.clone(),
            (None, None) => None,
        };
        let seconds = started.elapsed().as_secs_f64();
        let mut meta = ModelMeta::new(&model, dataset, iso8601_utc(SystemTime::now()), seconds);
        meta.imported_from = Some(imported_from);
        save_model(&t.model_dir, &model, catalogue.as_ref(), &meta)?;
        drop(model);
        load_model(&t.model_dir)
    })
}

#[napi]
impl Task for ImportTask {
    type Output = LoadedModel;
    type JsValue = NativeModel;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = import_run(self);
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

fn import_task(
    source: Source,
    ratings: Option<&NativeDataset>,
    movies_file: Option<String>,
    model_dir: String,
) -> AsyncTask<ImportTask> {
    AsyncTask::new(ImportTask {
        source,
        ratings: ratings.map(|d| d.inner.clone()),
        movies_file: movies_file.map(PathBuf::from),
        model_dir: model_dir.into(),
        failure: Failure::default(),
    })
}

/// Imports the Spark MLlib ALSModel folder `dir` (trained with `training`), with the ratings it was trained on when
/// given (stored to leave seen movies out of known users' lists) and titles from `moviesFile` (else from the movies
/// file beside the ratings), saves it atomically to `modelDir` and resolves to it, loaded back from disk.
/// `INVALID_MODEL` names the file at fault.
#[napi]
pub fn import_spark_model(
    dir: String,
    training: SparkTrainingOptions,
    ratings: Option<&NativeDataset>,
    movies_file: Option<String>,
    model_dir: String,
) -> AsyncTask<ImportTask> {
    let source = Source::Spark {
        dir: dir.into(),
        training: training.into(),
    };
    import_task(source, ratings, movies_file, model_dir)
}

/// Imports an archive saved by `implicit`'s `AlternatingLeastSquares.save` (rows numbered by its
/// `movierec_*_ids` arrays, else by the ascending ids of `ratings`, else the row numbers are the ids), as
/// `importSparkModel` does.
#[napi]
pub fn import_implicit_model(
    file: String,
    ratings: Option<&NativeDataset>,
    movies_file: Option<String>,
    model_dir: String,
) -> AsyncTask<ImportTask> {
    import_task(Source::Implicit { file: file.into() }, ratings, movies_file, model_dir)
}

pub struct ExportImplicitTask {
    model: Arc<LoadedModel>,
    file: PathBuf,
    failure: Failure,
}

#[napi]
impl Task for ExportImplicitTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = write_implicit_model(&self.file, self.model.recommender.model());
        self.failure.capture(out)
    }
    fn resolve(&mut self, _env: Env, _output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(())
    }
    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.take_js_error(&env, err))
    }
}

/// Writes `model` to `file` as `implicit`'s `AlternatingLeastSquares.save` does (with the MovieLens ids of its rows;
/// an explicit model's mean and biases as two more factor columns), through a temporary file renamed into place.
#[napi]
pub fn export_implicit_model(model: &NativeModel, file: String) -> AsyncTask<ExportImplicitTask> {
    AsyncTask::new(ExportImplicitTask {
        model: model.inner.clone(),
        file: file.into(),
        failure: Failure::default(),
    })
}
