//! `mergeEvents`: the service's stored rating events applied to a read data set (core `dataset::merge_events`), so
//! `train --with-events` trains on both without rewriting the ratings file. The result is a new `NativeDataset`
//! whose trained model records the events in model.json.

use std::sync::Arc;

use movierec_core::dataset::{merge_events as merge, Dataset, RatingTriples};
use movierec_core::model_io::EventsMeta;
use napi::bindgen_prelude::{AsyncTask, Float32Array, Uint32Array};
use napi::{Env, Task};
use napi_derive::napi;

use crate::dataset::{DatasetData, NativeDataset};
use crate::error::{Failure, Result};

pub struct MergeEventsTask {
    data: Arc<DatasetData>,
    events: RatingTriples,
    last_event_time: Option<String>,
    failure: Failure,
}

fn merge_run(t: &MergeEventsTask) -> Result<DatasetData> {
    let (dataset, report): (Dataset, _) = merge(&t.data.dataset, &t.events)?;
    Ok(DatasetData {
        dataset,
        catalogue: t.data.catalogue.clone(),
        movies_file: t.data.movies_file.clone(),
        events: Some(EventsMeta::new(report, t.last_event_time.clone())),
    })
}

#[napi]
impl Task for MergeEventsTask {
    type Output = DatasetData;
    type JsValue = NativeDataset;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let out = merge_run(self);
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

/// `dataset` with the events `(users[i], movies[i], ratings[i])` applied: an event replaces the file's rating of its
/// (user, movie) or adds one, a NaN rating deletes it; for a pair given twice the later counts. `lastEventTime`
/// (ISO 8601) is recorded with the count in the model trained on the result. Rejects with `INVALID_INPUT` naming
/// `events` or `events.ratings[i]` (columns of different lengths, a rating that is not a half star from 0.5 to 5).
#[napi(ts_return_type = "Promise<NativeDataset>")]
pub fn merge_events(
    dataset: &NativeDataset,
    users: Uint32Array,
    movies: Uint32Array,
    ratings: Float32Array,
    last_event_time: Option<String>,
) -> AsyncTask<MergeEventsTask> {
    AsyncTask::new(MergeEventsTask {
        data: dataset.inner.clone(),
        events: RatingTriples {
            users: users.to_vec(),
            movies: movies.to_vec(),
            ratings: ratings.to_vec(),
        },
        last_event_time,
        failure: Failure::default(),
    })
}
