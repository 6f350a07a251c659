//! Model folders: arrays as `.npy` (numpy reads them), `movies.json` (titles, genres) and `model.json` (metadata).
//!
//! ```text
//! user_factors.npy  <f4 (users, factors)     item_factors.npy  <f4 (movies, factors)
//! user_bias.npy     <f4 (users,)             item_bias.npy     <f4 (movies,)
//! user_ids.npy      <u4 (users,)  raw ids    item_ids.npy      <u4 (movies,)  raw ids, ascending
//! item_counts.npy   <u4 (movies,) training ratings per movie
//! user_items_indptr.npy <u8 (users + 1,), user_items_indices.npy <u4 (ratings,), user_items_values.npy <f4:
//!                   the training ratings as CSR (row = user index, column = movie index)
//! baseline_user_bias.npy, baseline_item_bias.npy <f4: the bias-only model
//! ranking_item_factors.npy <f4 (movies, ranking factors), ranking_user_factors.npy <f4 (users, ranking factors):
//!                   the ranking model, when one was trained (model.json's `ranking`); the user factors are written
//!                   for numpy and never read back (lists fold a user's ranking vector in from their ratings)
//! movies.json       [{"id", "title", "genres", "year"?}] (only when a catalogue was given)
//! model.json        ModelMeta (camelCase), formatVersion 1
//! ```
//!
//! Saving is atomic: everything goes to a sibling `<dir>.tmp-<pid>`, each file and the folder are fsynced, the old
//! `<dir>` is renamed to `<dir>.prev`, the new folder renamed to `<dir>`, the parent fsynced, and `<dir>.prev`
//! removed. A crash leaves either the old or the new model whole; in the one window where `<dir>` does not exist,
//! `<dir>.prev` holds the old model and [`load_model`] reads it. Loading validates the version, every shape, the
//! CSR structure and that every number is finite.

mod check;
mod meta;
pub mod npy;
mod read;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::dataset::Catalogue;
use crate::interactions::{Csr, IdMap};
use crate::model::{AlsModel, BiasBaseline, RankingModel};
use crate::recommend::Recommender;
use crate::{CoreError, Result};
use check::check_model;
use meta::{invalid, MovieEntry, META_FILE, MOVIES_FILE};
pub use meta::{DatasetMeta, EventsMeta, ImportedFrom, ModelCounts, ModelMeta, RankingMeta, FORMAT_VERSION};
use npy::Element;
use read::{matrix, read_array, read_catalogue, read_meta, read_vector, read_vector_in_place};

/// A model read back from its folder, ready to serve.
#[derive(Clone, Debug)]
pub struct LoadedModel {
    pub recommender: Recommender,
    /// Shared with the recommender (its filters read genres and years).
    pub catalogue: Option<Arc<Catalogue>>,
    pub meta: ModelMeta,
}

/// Saves `model` (and `catalogue`, when given) to `dir` atomically (see the module doc). `meta`'s model-derived
/// fields are taken from `model`.
pub fn save_model(dir: &Path, model: &AlsModel, catalogue: Option<&Catalogue>, meta: &ModelMeta) -> Result<()> {
    check_model(model).map_err(|m| invalid(dir, format!("refusing to save an inconsistent model: {m}")))?;
    let meta = meta.synced_with(model);
    let parent = parent_of(dir);
    std::fs::create_dir_all(&parent).map_err(|e| CoreError::io(&parent, e))?;
    remove_stale_temporaries(dir);
    let tmp = sibling(dir, &format!("tmp-{}", std::process::id()))?;
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| CoreError::io(&tmp, e))?;
    }
    std::fs::create_dir(&tmp).map_err(|e| CoreError::io(&tmp, e))?;
    if let Err(e) = write_model_files(&tmp, model, catalogue, &meta).and_then(|()| sync_dir(&tmp)) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let prev = sibling(dir, "prev")?;
    if dir.exists() {
        // `dir` is whole, so an older `.prev` is stale.
        if prev.exists() {
            std::fs::remove_dir_all(&prev).map_err(|e| CoreError::io(&prev, e))?;
        }
        std::fs::rename(dir, &prev).map_err(|e| CoreError::io(dir, e))?;
    }
    std::fs::rename(&tmp, dir).map_err(|e| CoreError::io(dir, e))?;
    sync_dir(&parent)?;
    if prev.exists() {
        std::fs::remove_dir_all(&prev).map_err(|e| CoreError::io(&prev, e))?;
        sync_dir(&parent)?;
    }
    Ok(())
}

/// Loads and validates the model in `dir` (or in `<dir>.prev` when a save was interrupted between its two renames).
/// `ModelNotFound` when there is no model; `InvalidModel` naming the file and the problem otherwise.
pub fn load_model(dir: &Path) -> Result<LoadedModel> {
    let dir = resolve_model_dir(dir)?;
    let meta = read_meta(&dir)?;
    // The files are independent: read them on all cores. Parsing movies.json runs beside everything else, the
    // checks included; copying the factors into owned memory is the other long task. The training ratings (three
    // quarters of the bytes of an ML-25M-size model) are only mapped, read in place by the checks and the requests.
    let dir = dir.as_path();
    let (model, catalogue) = rayon::join(|| read_checked_model(dir, &meta), || read_catalogue(dir));
    let catalogue = catalogue?.map(Arc::new);
    Ok(LoadedModel {
        recommender: Recommender::with_catalogue(model?, catalogue.clone()),
        catalogue,
        meta,
    })
}

fn read_checked_model(dir: &Path, meta: &ModelMeta) -> Result<AlsModel> {
    let k = meta.params.factors;
    let ((user_factors, item_factors), (arrays, ranking_factors)) = rayon::join(
        || {
            rayon::join(
                || read_array::<f32>(dir, "user_factors.npy"),
                || read_array::<f32>(dir, "item_factors.npy"),
            )
        },
        || {
            rayon::join(
                || read_arrays(dir),
                || {
                    meta.ranking
                        .as_ref()
                        .map(|_| read_array::<f32>(dir, RANKING_ITEM_FACTORS))
                },
            )
        },
    );
    let arrays = arrays?;
    let ranking = match (&meta.ranking, ranking_factors) {
        (Some(r), Some(factors)) => Some(RankingModel {
            params: r.params.clone(),
            item_factors: matrix(
                dir,
                RANKING_ITEM_FACTORS,
                factors?,
                arrays.items.len(),
                r.params.factors,
            )?,
            user_factors: None,
            history: r.history.clone(),
            training_seconds: r.training_seconds,
        }),
        _ => None,
    };
    let model = AlsModel {
        engine: meta.engine,
        params: meta.params.clone(),
        scale: meta.scale,
        global_mean: meta.global_mean,
        user_factors: matrix(dir, "user_factors.npy", user_factors?, arrays.users.len(), k)?,
        item_factors: matrix(dir, "item_factors.npy", item_factors?, arrays.items.len(), k)?,
        users: arrays.users,
        items: arrays.items,
        user_bias: arrays.user_bias,
        item_bias: arrays.item_bias,
        item_counts: arrays.item_counts,
        user_items: arrays.user_items,
        baseline: BiasBaseline {
            global_mean: meta.baseline_global_mean,
            user_bias: arrays.baseline_user_bias,
            item_bias: arrays.baseline_item_bias,
        },
        history: meta.history.clone(),
        ranking,
    };
    check_model(&model).map_err(|m| invalid(dir, m))?;
    Ok(model)
}

/// The model's arrays other than the factors: ids, the 1-D arrays (one entry per user or movie) and the training
/// ratings (their movie indices and values read in place).
struct Arrays {
    users: IdMap,
    items: IdMap,
    user_bias: Vec<f32>,
    item_bias: Vec<f32>,
    item_counts: Vec<u32>,
    user_items: Csr,
    baseline_user_bias: Vec<f32>,
    baseline_item_bias: Vec<f32>,
}

fn read_arrays(dir: &Path) -> Result<Arrays> {
    let (user_ids, item_ids): (Vec<u32>, Vec<u32>) =
        (read_vector(dir, "user_ids.npy")?, read_vector(dir, "item_ids.npy")?);
    for (name, ids) in [("user_ids.npy", &user_ids), ("item_ids.npy", &item_ids)] {
        if !ids.windows(2).all(|w| w[0] < w[1]) {
            return Err(invalid(dir, format!("{name}: ids are not strictly ascending")));
        }
    }
    Ok(Arrays {
        users: IdMap::from_sorted_unique(user_ids),
        items: IdMap::from_sorted_unique(item_ids),
        user_bias: read_vector(dir, "user_bias.npy")?,
        item_bias: read_vector(dir, "item_bias.npy")?,
        item_counts: read_vector(dir, "item_counts.npy")?,
        user_items: Csr {
            // Owned (1.3 MB at ML-25M): row bounds read from a file changed under a loaded model could slice out
            // of range; changed indices or values only change which movies are left out of a list.
            indptr: read_vector::<u64>(dir, "user_items_indptr.npy")?.into(),
            indices: read_vector_in_place(dir, "user_items_indices.npy")?,
            values: read_vector_in_place(dir, "user_items_values.npy")?,
        },
        baseline_user_bias: read_vector(dir, "baseline_user_bias.npy")?,
        baseline_item_bias: read_vector(dir, "baseline_item_bias.npy")?,
    })
}

/// Replaces the `evaluation` of the model's `model.json` (temporary file, fsync, rename), keeping everything else.
pub fn update_evaluation(dir: &Path, evaluation: &Value) -> Result<()> {
    update_meta(dir, "evaluation", evaluation)
}

/// Replaces the `newUserEvaluation` of the model's `model.json`, as [`update_evaluation`] does the `evaluation`.
pub fn update_new_user_evaluation(dir: &Path, evaluation: &Value) -> Result<()> {
    update_meta(dir, "newUserEvaluation", evaluation)
}

fn update_meta(dir: &Path, key: &str, value: &Value) -> Result<()> {
    let dir = resolve_model_dir(dir)?;
    let path = dir.join(META_FILE);
    let text = std::fs::read(&path).map_err(|e| CoreError::io(&path, e))?;
    let mut json: Value =
        serde_json::from_slice(&text).map_err(|e| invalid(&dir, format!("{META_FILE}: not valid JSON: {e}")))?;
    let Some(object) = json.as_object_mut() else {
        return Err(invalid(&dir, format!("{META_FILE}: not a JSON object")));
    };
    object.insert(key.into(), value.clone());
    let tmp = dir.join(format!("{META_FILE}.tmp-{}", std::process::id()));
    let written = write_file(&tmp, |w| {
        serde_json::to_writer_pretty(&mut *w, &json).map_err(std::io::Error::from)
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, &path).map_err(|e| CoreError::io(&path, e))) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(&dir)
}

/// The folder to read: `dir` when it has a model.json, else `<dir>.prev` when that has one (a save interrupted
/// between its renames), else `ModelNotFound`.
pub fn resolve_model_dir(dir: &Path) -> Result<PathBuf> {
    if dir.join(META_FILE).is_file() {
        return Ok(dir.to_path_buf());
    }
    let prev = sibling(dir, "prev").map_err(|_| CoreError::ModelNotFound(dir.to_path_buf()))?;
    if prev.join(META_FILE).is_file() {
        return Ok(prev);
    }
    Err(CoreError::ModelNotFound(dir.to_path_buf()))
}

fn write_model_files(dir: &Path, model: &AlsModel, catalogue: Option<&Catalogue>, meta: &ModelMeta) -> Result<()> {
    let k = model.params.factors;
    let (n_users, n_items) = (model.users.len(), model.items.len());
    let ui = &model.user_items;
    write_npy(dir, "user_factors.npy", &[n_users, k], &model.user_factors.data)?;
    write_npy(dir, "item_factors.npy", &[n_items, k], &model.item_factors.data)?;
    write_npy(dir, "user_bias.npy", &[n_users], &model.user_bias)?;
    write_npy(dir, "item_bias.npy", &[n_items], &model.item_bias)?;
    write_npy(dir, "user_ids.npy", &[n_users], model.users.raw_ids())?;
    write_npy(dir, "item_ids.npy", &[n_items], model.items.raw_ids())?;
    write_npy(dir, "item_counts.npy", &[n_items], &model.item_counts)?;
    write_npy(dir, "user_items_indptr.npy", &[ui.indptr.len()], &ui.indptr)?;
    write_npy(dir, "user_items_indices.npy", &[ui.indices.len()], &ui.indices)?;
    write_npy(dir, "user_items_values.npy", &[ui.values.len()], &ui.values)?;
    write_npy(dir, "baseline_user_bias.npy", &[n_users], &model.baseline.user_bias)?;
    write_npy(dir, "baseline_item_bias.npy", &[n_items], &model.baseline.item_bias)?;
    if let Some(r) = &model.ranking {
        let k_r = r.params.factors;
        write_npy(dir, RANKING_ITEM_FACTORS, &[n_items, k_r], &r.item_factors.data)?;
        if let Some(users) = &r.user_factors {
            write_npy(dir, RANKING_USER_FACTORS, &[n_users, k_r], &users.data)?;
        }
    }
    if let Some(c) = catalogue {
        let entries: Vec<MovieEntry> = (0..c.len())
            .map(|i| MovieEntry {
                id: c.ids[i],
                title: c.titles[i].clone(),
                genres: c.genres[i].clone(),
                year: c.years[i],
            })
            .collect();
        write_file(&dir.join(MOVIES_FILE), |w| {
            serde_json::to_writer(&mut *w, &entries).map_err(Into::into)
        })?;
    }
    // model.json last: a folder with it is complete (the rename makes that true anyway; this helps a reader of a
    // half-written temporary folder).
    write_file(&dir.join(META_FILE), |w| {
        serde_json::to_writer_pretty(&mut *w, meta).map_err(Into::into)
    })
}

/// The ranking model's arrays.
/// The ranking model's movie factors (read back to serve) and user factors (written for numpy only).
pub const RANKING_ITEM_FACTORS: &str = "ranking_item_factors.npy";
pub const RANKING_USER_FACTORS: &str = "ranking_user_factors.npy";

fn write_npy<T: Element>(dir: &Path, name: &str, shape: &[usize], values: &[T]) -> Result<()> {
    write_file(&dir.join(name), |w| npy::write(w, shape, values))
}

/// Creates `path`, writes it through a buffer, and fsyncs it.
fn write_file(path: &Path, write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> Result<()> {
    let io = |e| CoreError::io(path, e);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).map_err(io)?);
    write(&mut out).map_err(io)?;
    out.flush().map_err(io)?;
    out.into_inner().map_err(|e| io(e.into_error()))?.sync_all().map_err(io)
}

/// fsync of a directory, so renames and new entries in it survive a crash. Not possible on Windows (no-op there).
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| CoreError::io(dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn parent_of(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `<dir>.<suffix>` beside `dir`.
fn sibling(dir: &Path, suffix: &str) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .ok_or_else(|| CoreError::invalid("dir", format!("model folder {} has no name", dir.display())))?;
    let mut name = name.to_os_string();
    name.push(format!(".{suffix}"));
    Ok(dir.with_file_name(name))
}

/// Removes `<dir>.tmp-<pid>` folders left by saves that were killed (their process is gone). Only where /proc
/// tells which processes live; elsewhere they stay (harmless, and replaced by the next save of that pid).
fn remove_stale_temporaries(dir: &Path) {
    let (Some(name), true) = (
        dir.file_name().and_then(|n| n.to_str()),
        Path::new("/proc/self").exists(),
    ) else {
        return;
    };
    let prefix = format!("{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(parent_of(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
