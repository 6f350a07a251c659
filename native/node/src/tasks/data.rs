//! Data sets written to disk: `splitDataset` (train/test parts for experiments) and `generateDemo` (the synthetic
//! MovieLens-format catalogue).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use movierec_core::dataset::split::{copy_movies_file, split_random, split_users, write_ratings};
use movierec_core::dataset::RatingsLayout;
use movierec_core::synth::{self, SynthParams};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::dataset::{DatasetData, NativeDataset};
use movierec_core::threads::run_in_pool;
use movierec_core::CoreError;

use crate::error::{or_throw, Failure, Result};
use crate::threads;

// ---- splitDataset ----

#[napi(object)]
pub struct SplitOptions {
    /// `ratings`: a random share of all ratings is the test part; `users`: a random share of users, with all their
    /// ratings, is the test part (for fold-in evaluation).
    pub by: String,
    /// Share of ratings (or users) in the test part, strictly between 0 and 1.
    pub test_fraction: f64,
    pub seed: i64,
}

#[napi(object)]
pub struct SplitReport {
    pub train_file: String,
    pub test_file: String,
    pub train_ratings: i64,
    pub test_ratings: i64,
    /// The movies file copied beside each part (absent when the source has none).
    pub train_movies_file: Option<String>,
    pub test_movies_file: Option<String>,
}

pub struct SplitTask {
    data: Arc<DatasetData>,
    by_users: bool,
    test_fraction: f64,
    seed: u64,
    out_dir: PathBuf,
    threads: usize,
    failure: Failure,
}

fn split_run(t: &SplitTask) -> Result<SplitReport> {
    run_in_pool(t.threads, || {
        let triples = &t.data.dataset.triples;
        let (train, test) = if t.by_users {
            split_users(triples, t.test_fraction, t.seed)
        } else {
            split_random(triples, t.test_fraction, t.seed)
        }?;
        let source = Path::new(&t.data.dataset.report.path);
        let file_name = t.data.dataset.report.layout.ratings_file_name();
        let mut files = Vec::with_capacity(2);
        for (part, triples) in [("train", &train), ("test", &test)] {
            let dir = t.out_dir.join(part);
            let ratings_file = dir.join(file_name);
            write_ratings(&ratings_file, triples, t.data.dataset.report.layout)?;
            let movies = copy_movies_file(source, &dir)?;
            files.push((ratings_file, movies));
        }
        let show = |p: &PathBuf| p.display().to_string();
        Ok(SplitReport {
            train_file: show(&files[0].0),
            test_file: show(&files[1].0),
            train_ratings: train.len() as i64,
            test_ratings: test.len() as i64,
            train_movies_file: files[0].1.as_ref().map(show),
            test_movies_file: files[1].1.as_ref().map(show),
        })
    })
}

#[napi]
impl Task for SplitTask {
    type Output = SplitReport;
    type JsValue = SplitReport;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = split_run(self);
        self.failure.capture(out)
    }
    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.take_js_error(&env, err))
    }
}

/// Splits a data set into `outDir/train/<ratings file>` and `outDir/test/<ratings file>`, in the layout it was read
/// in, each with a copy of the movies file, so both parts read back like any MovieLens folder.
#[napi]
pub fn split_dataset(
    env: Env,
    dataset: &NativeDataset,
    options: SplitOptions,
    out_dir: String,
) -> napi::Result<AsyncTask<SplitTask>> {
    let by_users = match options.by.as_str() {
        "users" => true,
        "ratings" => false,
        other => {
            return or_throw(
                &env,
                Err(CoreError::invalid(
                    "by",
                    format!("split by must be \"ratings\" or \"users\", got \"{other}\""),
                )),
            )
        }
    };
    Ok(AsyncTask::new(SplitTask {
        data: dataset.inner.clone(),
        by_users,
        test_fraction: options.test_fraction,
        seed: or_throw(&env, non_negative_seed(options.seed))?,
        out_dir: out_dir.into(),
        threads: threads::configured(),
        failure: Failure::default(),
    }))
}

pub fn non_negative_seed(seed: i64) -> Result<u64> {
    u64::try_from(seed)
        .map_err(|_| CoreError::invalid("seed", format!("seed must be a non-negative integer, got {seed}")))
}

// ---- generateDemo ----

#[napi(object)]
pub struct SynthOptions {
    /// `demo` (default: 6,000 users, 3,000 movies, 600,000 whole-star ratings), `ml5m` or `ml25m` (ML-25M's shape).
    pub preset: Option<String>,
    /// Overrides of the preset.
    pub users: Option<u32>,
    pub movies: Option<u32>,
    pub ratings: Option<u32>,
    pub seed: Option<i64>,
}

#[napi(object)]
pub struct SynthReport {
    pub dir: String,
    pub ratings_file: String,
    pub movies_file: String,
    pub users: u32,
    pub movies: u32,
    pub ratings: u32,
    pub seed: i64,
}

pub struct GenerateTask {
    params: SynthParams,
    out_dir: PathBuf,
    threads: usize,
    failure: Failure,
}

fn generate_run(t: &GenerateTask) -> Result<SynthReport> {
    run_in_pool(t.threads, || {
        let data = synth::generate(&t.params)?;
        synth::write_movielens_csv(&t.out_dir, &data)?;
        // truth.json beside the data: what was planted (genre taste, clusters), for tests and people to check
        // recommendations against.
        synth::write_truth_json(&t.out_dir, &data.truth)?;
        Ok(SynthReport {
            dir: t.out_dir.display().to_string(),
            ratings_file: t.out_dir.join("ratings.csv").display().to_string(),
            movies_file: t.out_dir.join("movies.csv").display().to_string(),
            users: t.params.users as u32,
            movies: t.params.movies as u32,
            ratings: data.triples.len() as u32,
            seed: t.params.seed as i64,
        })
    })
}

#[napi]
impl Task for GenerateTask {
    type Output = SynthReport;
    type JsValue = SynthReport;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = generate_run(self);
        self.failure.capture(out)
    }
    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.take_js_error(&env, err))
    }
}

/// Generates a synthetic MovieLens-format data set (`ratings.csv`, `movies.csv`) into `outDir`; deterministic for
/// the preset and seed.
#[napi]
pub fn generate_demo(
    env: Env,
    out_dir: String,
    options: Option<SynthOptions>,
) -> napi::Result<AsyncTask<GenerateTask>> {
    or_throw(&env, generate_task(out_dir, options))
}

fn generate_task(out_dir: String, options: Option<SynthOptions>) -> Result<AsyncTask<GenerateTask>> {
    let o = options.unwrap_or(SynthOptions {
        preset: None,
        users: None,
        movies: None,
        ratings: None,
        seed: None,
    });
    let mut params = match o.preset.as_deref().unwrap_or("demo") {
        "demo" => SynthParams::demo(),
        "ml5m" => SynthParams::ml5m_shape(),
        "ml25m" => SynthParams::ml25m_shape(),
        other => {
            return Err(CoreError::invalid(
                "preset",
                format!("preset must be demo, ml5m or ml25m, got \"{other}\""),
            ))
        }
    };
    if let Some(users) = o.users {
        params.users = users as usize;
    }
    if let Some(movies) = o.movies {
        params.movies = movies as usize;
    }
    if let Some(ratings) = o.ratings {
        params.ratings = ratings as usize;
    }
    if let Some(seed) = o.seed {
        params.seed = non_negative_seed(seed)?;
    }
    params.validate()?;
    Ok(AsyncTask::new(GenerateTask {
        params,
        out_dir: out_dir.into(),
        threads: threads::configured(),
        failure: Failure::default(),
    }))
}

// ---- writeRatingsCsv ----

pub struct WriteRatingsTask {
    data: Arc<DatasetData>,
    path: PathBuf,
    failure: Failure,
}

#[napi]
impl Task for WriteRatingsTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = run_in_pool(threads::configured(), || {
            write_ratings(&self.path, &self.data.dataset.triples, RatingsLayout::CsvHeader)
        });
        self.failure.capture(out)
    }
    fn resolve(&mut self, _env: Env, _output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(())
    }
    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.take_js_error(&env, err))
    }
}

/// Writes the data set's ratings (as read: duplicates resolved, invalid lines skipped when asked) to `path` as
/// `userId,movieId,rating,timestamp` CSV with a header (what another engine is fed, e.g. Spark by `train --engine
/// spark`).
#[napi]
pub fn write_ratings_csv(dataset: &NativeDataset, path: String) -> AsyncTask<WriteRatingsTask> {
    AsyncTask::new(WriteRatingsTask {
        data: dataset.inner.clone(),
        path: path.into(),
        failure: Failure::default(),
    })
}
