//! Spark MLlib `ALSModel` folders (`model.write().save(dir)`): `metadata/part-*` (JSON: class, sparkVersion, uid,
//! rank, the serving parameters) and `userFactors/`, `itemFactors/` (Parquet part files of `id`, `features`).
//!
//! Spark's model has no biases and estimates `user . item` (its `transform`); the imported model says so
//! (`Engine::Spark`) and folds a new user in as Spark's half-step does: explicit feedback minimises
//! `sum (r - p.q)^2 + regParam * n * |p|^2` (ALS-WR: lambda times the user's rating count), implicit feedback as
//! this project's implicit ALS (confidence `1 + alpha * r`, `regParam * n`). The estimator's `regParam`,
//! `implicitPrefs`, `alpha` and `maxIter` are not in a saved model: [`SparkTraining`] gives them (Spark's
//! defaults when left out).

mod factors;
mod metadata;

use std::path::Path;

use movierec_core::als::{als_defaults, implicit_defaults};
use movierec_core::foreign::ForeignModel;
use movierec_core::model::{Confidence, Engine, Feedback, Method, Ranking, RegScaling};
use movierec_core::model_io::ImportedFrom;
use movierec_core::params::MAX_SAFE_INTEGER;
use movierec_core::Result;
use serde_json::json;

pub use factors::read_factor_table;
pub use metadata::{read_metadata, SparkMetadata, ALS_MODEL_CLASS};

/// The format name model.json's `importedFrom.format` gives a Spark model.
pub const FORMAT: &str = "spark-als-model";

/// How the model was trained: the ALS estimator's parameters, which Spark does not save with the model.
#[derive(Clone, Debug, PartialEq)]
pub struct SparkTraining {
    pub reg_param: f32,
    pub implicit_prefs: bool,
    pub alpha: f32,
    pub max_iter: usize,
    /// Spark's seed is any long; recorded as given, and as the model's `seed` when it is one this project takes.
    pub seed: Option<i64>,
}

impl Default for SparkTraining {
    /// Spark's defaults (`org.apache.spark.ml.recommendation.ALS`).
    fn default() -> Self {
        Self {
            reg_param: 0.1,
            implicit_prefs: false,
            alpha: 1.0,
            max_iter: 10,
            seed: None,
        }
    }
}

/// Reads the model folder `dir`. Errors name the file and what is wrong: not an ALSModel, a factor table of
/// another rank, an unreadable Parquet file, a negative id (duplicates and non-finite factors: `foreign`).
pub fn read_spark_model(dir: &Path, training: &SparkTraining) -> Result<(ForeignModel, ImportedFrom)> {
    let meta = read_metadata(dir)?;
    let users = read_factor_table(&dir.join("userFactors"), meta.rank)?;
    let items = read_factor_table(&dir.join("itemFactors"), meta.rank)?;
    let mut params = if training.implicit_prefs {
        implicit_defaults()
    } else {
        als_defaults()
    };
    params.factors = meta.rank;
    params.reg_factors = training.reg_param;
    params.iterations = training.max_iter;
    // Spark's seed is any long (pyspark's default is a 64-bit hash): the model's own `seed` only when in its range.
    params.seed = training
        .seed
        .and_then(|s| u64::try_from(s).ok())
        .filter(|&s| s <= MAX_SAFE_INTEGER)
        .unwrap_or(0);
    params.threads = 0;
    match training.implicit_prefs {
        true => {
            params.feedback = Feedback::Implicit;
            params.alpha = training.alpha;
            // Spark's implicit half-step: confidence `1 + alpha * r`, `regParam * n`.
            params.confidence = Confidence::Linear;
            params.reg_scaling = RegScaling::Weighted;
        }
        false => {
            params.feedback = Feedback::Explicit;
            params.method = Method::Als;
            // Spark trained one model: its own factors choose the lists.
            params.ranking = Ranking::None;
            // ALS-WR: lambda * n, no prior, no bias.
            params.prior_count = 0.0;
            params.reg_bias = 0.0;
        }
    }
    let mut spark_params = meta.params.clone();
    if let Some(all) = spark_params.as_object_mut() {
        let given = json!({
            "rank": meta.rank,
            "regParam": training.reg_param,
            "implicitPrefs": training.implicit_prefs,
            "alpha": training.alpha,
            "maxIter": training.max_iter,
            "seed": training.seed,
        });
        all.extend(
            given
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
    }
    let from = ImportedFrom {
        path: dir.display().to_string(),
        format: FORMAT.into(),
        engine_version: Some(meta.spark_version.clone()).filter(|v| !v.is_empty()),
        params: spark_params,
        ratings_left_out: 0,
    };
    let model = ForeignModel {
        engine: Engine::Spark,
        params,
        users,
        items,
    };
    Ok((model, from))
}
