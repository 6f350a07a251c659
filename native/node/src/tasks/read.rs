//! `readDataset`: a ratings file and the movies file beside it.

use std::path::PathBuf;
use std::sync::Arc;

use movierec_core::dataset::{find_movies_file, read_movies, read_ratings};
use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::convert::ReadOptions;
use crate::dataset::{DatasetData, NativeDataset};
use movierec_core::threads::run_in_pool;

use crate::error::{or_throw, Failure, Result};
use crate::threads;

// ---- readDataset ----

pub struct ReadDatasetTask {
    path: PathBuf,
    skip_invalid: bool,
    threads: usize,
    failure: Failure,
}

fn read_dataset_run(path: &std::path::Path, skip_invalid: bool, threads: usize) -> Result<DatasetData> {
    run_in_pool(threads, || {
        let opts = movierec_core::dataset::ReadOptions { skip_invalid };
        let dataset = read_ratings(path, &opts)?;
        let movies_file = find_movies_file(path);
        let catalogue = movies_file.as_deref().map(read_movies).transpose()?;
        Ok(DatasetData {
            dataset,
            catalogue,
            movies_file,
            events: None,
        })
    })
}

#[napi]
impl Task for ReadDatasetTask {
    type Output = DatasetData;
    type JsValue = NativeDataset;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = read_dataset_run(&self.path, self.skip_invalid, self.threads);
        self.failure.capture(out)
    }
    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(NativeDataset {
            inner: Arc::new(output),
        })
    }
    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(self.failure.take_js_error(&env, err))
    }
}

/// Reads a ratings file (layout detected from its content) and the movies file beside it.
#[napi]
pub fn read_dataset(path: String, options: Option<ReadOptions>) -> AsyncTask<ReadDatasetTask> {
    let skip_invalid = options.and_then(|o| o.skip_invalid).unwrap_or(false);
    AsyncTask::new(ReadDatasetTask {
        path: path.into(),
        skip_invalid,
        threads: threads::configured(),
        failure: Failure::default(),
    })
}

/// `readDataset` on the calling thread (blocks it: tests and small files only).
#[napi]
pub fn read_dataset_sync(env: Env, path: String, options: Option<ReadOptions>) -> napi::Result<NativeDataset> {
    let skip_invalid = options.and_then(|o| o.skip_invalid).unwrap_or(false);
    let data = or_throw(
        &env,
        read_dataset_run(path.as_ref(), skip_invalid, threads::configured()),
    )?;
    Ok(NativeDataset { inner: Arc::new(data) })
}
