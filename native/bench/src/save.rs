//! Model save and load timing, through the core's model folder format (`model_io`).

use std::path::Path;
use std::time::Instant;

use movierec_core::dataset::{read_movies_beside, ReadReport};
use movierec_core::model::AlsModel;
use movierec_core::model_io::{load_model, save_model, DatasetMeta, ModelMeta};
use serde_json::json;

use crate::{median, memory};

/// Saves `model` (with the catalogue beside the ratings) into `dir`, as `train` does; returns the seconds it took
/// and the folder's size.
pub fn save(
    model: &AlsModel,
    report: &ReadReport,
    dir: &Path,
    training_seconds: f64,
) -> Result<serde_json::Value, String> {
    let catalogue = read_movies_beside(Path::new(&report.path)).map_err(|e| e.to_string())?;
    let meta = ModelMeta::new(model, DatasetMeta::from(report), "bench", training_seconds);
    let started = Instant::now();
    save_model(dir, model, catalogue.as_ref(), &meta).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let bytes: u64 = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    Ok(json!({ "dir": dir, "seconds": seconds, "bytes": bytes }))
}

/// Loads the model folder `repeat` times in this fresh process: the first load is the one a service start (warmup)
/// sees, on a warm page cache since the model was just written.
pub fn load_times(dir: &Path, repeat: usize) -> Result<serde_json::Value, String> {
    let mut millis = Vec::with_capacity(repeat);
    let mut users = 0;
    for _ in 0..repeat {
        let started = Instant::now();
        let loaded = load_model(dir).map_err(|e| e.to_string())?;
        millis.push(started.elapsed().as_secs_f64() * 1e3);
        users = loaded.recommender.model().users.len();
    }
    Ok(json!({
        "dir": dir,
        "users": users,
        "loadsMs": millis,
        "firstMs": millis[0],
        "medianMs": median(&millis),
        "peakRssBytes": memory::peak_rss_bytes(),
    }))
}
