//! `metadata/part-*`: the one-line JSON Spark's `DefaultParamsWriter` saves beside a model's data, e.g.
//! `{"class":"org.apache.spark.ml.recommendation.ALSModel","sparkVersion":"4.3.0","uid":"ALS_67d05ae02d56",
//! "paramMap":{"blockSize":4096},"defaultParamMap":{...},"rank":3}`. An `ALSModel` keeps only its serving
//! parameters there (columns, cold-start strategy, block size) and its `rank`: the estimator's `regParam`,
//! `implicitPrefs`, `alpha` and `maxIter` are not saved with the model, so the import is told them.

use std::path::{Path, PathBuf};

use movierec_core::{CoreError, Result};
use serde_json::Value;

use crate::invalid;

/// The class a Spark ALS model folder must hold.
pub const ALS_MODEL_CLASS: &str = "org.apache.spark.ml.recommendation.ALSModel";

/// What the metadata file says.
#[derive(Clone, Debug)]
pub struct SparkMetadata {
    pub file: PathBuf,
    pub spark_version: String,
    pub uid: String,
    pub rank: usize,
    /// `paramMap` and `defaultParamMap` merged (set values win), as Spark wrote them.
    pub params: Value,
}

/// Reads `dir/metadata/part-*` (Spark 2-3 name it `part-00000`, Spark 4 `part-00000-<uuid>-c000.txt`).
pub fn read_metadata(dir: &Path) -> Result<SparkMetadata> {
    let folder = dir.join("metadata");
    let not_a_model = |what: &str| invalid(dir, format!("not a Spark ALSModel folder: {what}"));
    let entries = std::fs::read_dir(&folder).map_err(|_| not_a_model("no metadata/ folder"))?;
    let mut parts: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("part-"))
        })
        .collect();
    parts.sort();
    let file = match parts.as_slice() {
        [one] => one.clone(),
        [] => return Err(not_a_model("no metadata/part-* file")),
        _ => return Err(not_a_model("more than one metadata/part-* file")),
    };
    let text = std::fs::read_to_string(&file).map_err(|e| CoreError::io(&file, e))?;
    let json: Value =
        serde_json::from_str(text.trim()).map_err(|e| invalid(&file, format!("not the JSON Spark writes: {e}")))?;
    let class = json.get("class").and_then(Value::as_str).unwrap_or("");
    if class != ALS_MODEL_CLASS {
        return Err(invalid(
            &file,
            format!("class is \"{class}\", not {ALS_MODEL_CLASS}: not a Spark ALSModel"),
        ));
    }
    let text_field = |name: &str| json.get(name).and_then(Value::as_str).unwrap_or("").to_string();
    let rank = json
        .get("rank")
        .and_then(Value::as_u64)
        .filter(|&r| r >= 1)
        .ok_or_else(|| invalid(&file, "no positive integer \"rank\"".into()))?;
    let mut params = json
        .get("defaultParamMap")
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    if let (Some(all), Some(set)) = (params.as_object_mut(), json.get("paramMap").and_then(Value::as_object)) {
        all.extend(set.clone());
    }
    Ok(SparkMetadata {
        spark_version: text_field("sparkVersion"),
        uid: text_field("uid"),
        rank: rank as usize,
        params,
        file,
    })
}
