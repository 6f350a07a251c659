//! `model.json` and `movies.json`: what a model folder says about itself, and the folder's file names.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dataset::{EventsMerge, RatingScale, RatingsLayout, ReadReport};
use crate::model::{AlsModel, AlsParams, Engine, IterationStats, RankingModel};
use crate::CoreError;

pub const FORMAT_VERSION: u32 = 1;
pub(super) const META_FILE: &str = "model.json";
pub(super) const MOVIES_FILE: &str = "movies.json";

/// The data set a model was trained on (mirrors `DatasetInfo` in src/model/types.ts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetMeta {
    pub path: String,
    /// None (null) when the model came without its ratings (an import without `--ratings`).
    pub layout: Option<RatingsLayout>,
    pub sha256: String,
    pub ratings: u64,
    pub users: u64,
    pub movies: u64,
    pub skipped_invalid: u64,
    pub duplicates: u64,
}

impl From<&ReadReport> for DatasetMeta {
    fn from(r: &ReadReport) -> Self {
        Self {
            path: r.path.clone(),
            layout: Some(r.layout),
            sha256: r.sha256.clone(),
            ratings: r.ratings,
            users: r.users,
            movies: r.movies,
            skipped_invalid: r.skipped_invalid,
            duplicates: r.duplicates,
        }
    }
}

/// The rating events (the service's stored ratings) merged into the training data (`train --with-events`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsMeta {
    /// Events merged: ratings and deletions.
    pub count: u64,
    /// The file's ratings an event replaced, ratings the file did not have, the file's ratings deletions removed.
    pub replaced: u64,
    pub added: u64,
    pub deleted: u64,
    /// When the latest event was written (ISO 8601); absent when there was none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_time: Option<String>,
}

impl EventsMeta {
    pub fn new(merge: EventsMerge, last_event_time: Option<String>) -> Self {
        Self {
            count: merge.events,
            replaced: merge.replaced,
            added: merge.added,
            deleted: merge.deleted,
            last_event_time,
        }
    }
}

impl DatasetMeta {
    /// The data set of a model imported without its ratings: `source` (what was imported), no ratings.
    pub fn without_ratings(source: &Path, users: u64, movies: u64) -> Self {
        Self {
            path: source.display().to_string(),
            layout: None,
            sha256: String::new(),
            ratings: 0,
            users,
            movies,
            skipped_invalid: 0,
            duplicates: 0,
        }
    }
}

/// Where an imported model came from (model.json's `importedFrom`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedFrom {
    /// The folder or file imported.
    pub path: String,
    /// Its format: `spark-als-model` or `implicit-npz`.
    pub format: String,
    /// The engine's version, when the files say (Spark's `sparkVersion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    /// The engine's own parameters, as its files hold them.
    pub params: Value,
    /// Ratings of `--ratings` whose user or movie the model has no factors for (left out).
    pub ratings_left_out: u64,
}

/// Sizes of the saved model, for the service's info without loading arrays.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelCounts {
    pub users: u64,
    pub movies: u64,
    pub factors: u64,
    pub ratings: u64,
}

/// `model.json`. Unknown fields are kept in `extra` and written back, so older builds preserve newer metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelMeta {
    pub format_version: u32,
    /// The engine that trained the model ("movierec" when absent: files written before imports existed).
    #[serde(default)]
    pub engine: Engine,
    /// When training finished, as given by the caller (ISO 8601).
    pub trained_at: String,
    pub params: AlsParams,
    pub dataset: DatasetMeta,
    pub counts: ModelCounts,
    pub global_mean: f32,
    pub baseline_global_mean: f32,
    pub scale: RatingScale,
    pub training_seconds: f64,
    pub history: Vec<IterationStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Value>,
    /// Present when stored rating events were merged into the training data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<EventsMeta>,
    /// Imported models only: where from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<ImportedFrom>,
    /// The latest new-user evaluation (`metrics::evaluate_new_users`, `movierec evaluate --new-users`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_user_evaluation: Option<Value>,
    /// The ranking model beside the rating model, when one was trained (its movie factors:
    /// `ranking_item_factors.npy`). A folder without it serves the rating model's own lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranking: Option<RankingMeta>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// What model.json says of the ranking model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RankingMeta {
    /// As trained (implicit feedback; `regFactors` the lambda used).
    pub params: AlsParams,
    pub training_seconds: f64,
    /// The confidence-weighted RMS error of the preference per iteration (`trainRmse`).
    pub history: Vec<IterationStats>,
}

impl From<&RankingModel> for RankingMeta {
    fn from(r: &RankingModel) -> Self {
        Self {
            params: r.params.clone(),
            training_seconds: r.training_seconds,
            history: r.history.clone(),
        }
    }
}

impl ModelMeta {
    /// Metadata for `model`; the model-derived fields (params, counts, means, scale, history) are refreshed from the
    /// model again by [`save_model`], so they can never disagree with the arrays.
    pub fn new(model: &AlsModel, dataset: DatasetMeta, trained_at: impl Into<String>, training_seconds: f64) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            engine: model.engine,
            trained_at: trained_at.into(),
            params: model.params.clone(),
            dataset,
            counts: ModelCounts::default(),
            global_mean: 0.0,
            baseline_global_mean: 0.0,
            scale: model.scale,
            training_seconds,
            history: Vec::new(),
            evaluation: None,
            events: None,
            imported_from: None,
            new_user_evaluation: None,
            ranking: None,
            extra: BTreeMap::new(),
        }
        .synced_with(model)
    }

    pub(super) fn synced_with(&self, model: &AlsModel) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            engine: model.engine,
            params: model.params.clone(),
            counts: ModelCounts {
                users: model.users.len() as u64,
                movies: model.items.len() as u64,
                factors: model.params.factors as u64,
                ratings: model.user_items.nnz() as u64,
            },
            global_mean: model.global_mean,
            baseline_global_mean: model.baseline.global_mean,
            scale: model.scale,
            history: model.history.clone(),
            ranking: model.ranking.as_ref().map(RankingMeta::from),
            ..self.clone()
        }
    }
}

/// One entry of movies.json (`year` since the catalogue has years; an older file's are read from the titles).
#[derive(Serialize, Deserialize)]
pub(super) struct MovieEntry {
    pub(super) id: u32,
    pub(super) title: String,
    pub(super) genres: Vec<String>,
    /// Release year, when the movies file gives one (absent in folders written before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) year: Option<u16>,
}

/// `InvalidModel` about the folder `dir`.
pub(super) fn invalid(dir: &Path, message: String) -> CoreError {
    CoreError::InvalidModel {
        path: dir.to_path_buf(),
        message,
    }
}
