//! A ratings file read into memory (with its movie catalogue), held by JS as an opaque `NativeDataset` handle and
//! passed back to `trainModel` / `evaluateModel` without crossing the boundary again.

use std::path::PathBuf;
use std::sync::Arc;

use movierec_core::dataset::{Catalogue, Dataset};
use movierec_core::model_io::EventsMeta;
use napi::bindgen_prelude::{Float32Array, Uint32Array};
use napi_derive::napi;

use crate::convert::{DatasetReport, RatingTriplesJs};

pub struct DatasetData {
    pub dataset: Dataset,
    /// Titles and genres from the movies file beside the ratings, when there is one.
    pub catalogue: Option<Catalogue>,
    pub movies_file: Option<PathBuf>,
    /// The stored rating events merged in (`mergeEvents`), recorded in the trained model's model.json.
    pub events: Option<EventsMeta>,
}

/// A data set read by `readDataset` (immutable; cheap to pass around).
#[napi]
pub struct NativeDataset {
    pub(crate) inner: Arc<DatasetData>,
}

#[napi]
impl NativeDataset {
    /// What the reader found: layout, sha256, counts, skipped lines, duplicates, rating scale, movies file.
    #[napi(getter)]
    pub fn report(&self) -> DatasetReport {
        DatasetReport::new(&self.inner)
    }

    /// Number of ratings (one per distinct user and movie).
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.inner.dataset.triples.len() as u32
    }

    /// The ratings as three parallel arrays, sorted by (user, movie). A copy: meant for the CLI, not for requests.
    #[napi]
    pub fn triples(&self) -> RatingTriplesJs {
        let t = &self.inner.dataset.triples;
        RatingTriplesJs {
            users: Uint32Array::new(t.users.clone()),
            movies: Uint32Array::new(t.movies.clone()),
            ratings: Float32Array::new(t.ratings.clone()),
        }
    }
}
