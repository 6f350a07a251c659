//! `implicit`'s model files: what `implicit.cpu.als.AlternatingLeastSquares.save(path)` writes (implicit 0.7) and
//! its `load` reads, a `numpy.savez` archive of one `.npy` per attribute: `user_factors`, `item_factors` (2-D, f4 or
//! f8), the scalars `factors`, `regularization`, `alpha`, `iterations`, `cg_steps`, `num_threads`,
//! `random_state` (ints and floats), `use_native`, `use_cg`, `calculate_training_loss` (bools) and `dtype` (text).
//! `load` sets every array of the archive as an attribute of the model.
//!
//! Ids: `implicit` knows rows, not ids. An export adds `movierec_user_ids` and `movierec_item_ids` (`<u4`, the
//! MovieLens id of each row; `load` keeps them as attributes, nothing in `implicit` reads them), and an import uses
//! them when the archive has them. Otherwise the rows are the ids of the ratings given with it, ascending (as
//! `numpy.unique` numbers them), or, without ratings, the row numbers themselves.
//!
//! Estimates: `implicit` scores `user . item`. An explicit model trained here adds a mean and biases, so its export
//! carries them as two more factor columns (user `[p, 1, mean + b_u]`, movie `[q, b_i, 1]`): the dot product is
//! then this model's estimate, unclipped.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use movierec_core::als::implicit_defaults;
use movierec_core::foreign::{FactorTable, ForeignModel};
use movierec_core::model::{AlsModel, Confidence, Engine, Feedback, RegScaling};
use movierec_core::model_io::npy;
use movierec_core::model_io::ImportedFrom;
use movierec_core::{CoreError, Result};
use serde_json::{Map, Value};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::invalid;

/// The format name model.json's `importedFrom.format` gives an `implicit` model.
pub const FORMAT: &str = "implicit-npz";
/// The archive entries that carry this project's ids.
pub const USER_IDS: &str = "movierec_user_ids";
pub const ITEM_IDS: &str = "movierec_item_ids";

/// The arrays of an archive, by name (without `.npy`), as raw `.npy` bytes.
struct Archive {
    path: PathBuf,
    entries: Vec<(String, Vec<u8>)>,
}

impl Archive {
    fn read(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
        let not_npz = |e: zip::result::ZipError| invalid(path, format!("not a .npz archive: {e}"));
        let mut zip = ZipArchive::new(file).map_err(not_npz)?;
        let mut entries = Vec::with_capacity(zip.len());
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(not_npz)?;
            let name = entry.name().map_err(not_npz)?.to_string();
            let Some(name) = name.strip_suffix(".npy").map(str::to_string) else {
                continue;
            };
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| invalid(path, format!("{name}.npy: {e}")))?;
            entries.push((name, bytes));
        }
        Ok(Self {
            path: path.to_path_buf(),
            entries,
        })
    }

    fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, b)| b.as_slice())
    }

    fn npy_error(&self, name: &str, message: String) -> CoreError {
        invalid(&self.path, format!("{name}: {message}"))
    }

    /// A 2-D float array (`<f4`, or `<f8` converted) as (rows, cols, values).
    fn matrix(&self, name: &str) -> Result<(usize, usize, Vec<f32>)> {
        let bytes = self.get(name).ok_or_else(|| self.npy_error(name, "missing".into()))?;
        let (shape, values) = match npy::read::<f32>(bytes) {
            Ok(read) => read,
            Err(_) => {
                let (shape, wide) = npy::read::<f64>(bytes).map_err(|m| self.npy_error(name, m))?;
                (shape, wide.into_iter().map(|v| v as f32).collect())
            }
        };
        match shape[..] {
            [rows, cols] => Ok((rows, cols, values)),
            _ => Err(self.npy_error(name, format!("shape {shape:?}, expected (rows, factors)"))),
        }
    }

    /// A numeric scalar (`<f8` or `<i8`, as Python floats and ints are saved), when the archive has it.
    fn number(&self, name: &str) -> Result<Option<f64>> {
        let Some(bytes) = self.get(name) else {
            return Ok(None);
        };
        let scalar = |read: std::result::Result<(Vec<usize>, Vec<f64>), String>| match read {
            Ok((shape, v)) if shape.is_empty() && v.len() == 1 => Ok(v[0]),
            Ok((shape, _)) => Err(format!("shape {shape:?}, expected a scalar")),
            Err(m) => Err(m),
        };
        let as_int = || npy::read::<i64>(bytes).map(|(s, v)| (s, v.into_iter().map(|x| x as f64).collect()));
        scalar(npy::read::<f64>(bytes))
            .or_else(|_| scalar(as_int()))
            .map(Some)
            .map_err(|m| self.npy_error(name, m))
    }

    fn ids(&self, name: &str, rows: usize) -> Result<Option<Vec<u32>>> {
        let Some(bytes) = self.get(name) else {
            return Ok(None);
        };
        let (shape, ids) = npy::read::<u32>(bytes).map_err(|m| self.npy_error(name, m))?;
        if shape != [rows] {
            return Err(self.npy_error(name, format!("shape {shape:?}, expected ({rows},): one id per row")));
        }
        Ok(Some(ids))
    }
}

/// The ids of an archive's rows when the archive does not carry them: from its ratings (ascending user and movie
/// ids), or the row numbers.
#[derive(Clone, Copy, Debug)]
pub enum RowIds<'a> {
    FromRatings { users: &'a [u32], movies: &'a [u32] },
    RowNumbers,
}

/// Reads an archive `implicit` saved. Errors name the file and the entry at fault.
pub fn read_implicit_model(path: &Path, row_ids: RowIds<'_>) -> Result<(ForeignModel, ImportedFrom)> {
    let archive = Archive::read(path)?;
    let (n_users, k, user_factors) = archive.matrix("user_factors")?;
    let (n_items, item_k, item_factors) = archive.matrix("item_factors")?;
    if item_k != k {
        return Err(invalid(
            path,
            format!("user_factors has {k} factors but item_factors {item_k}: not one model"),
        ));
    }
    let ids_for = |entry: &str, rows: usize, from_ratings: Option<&[u32]>| -> Result<Vec<u32>> {
        if let Some(ids) = archive.ids(entry, rows)? {
            return Ok(ids);
        }
        match from_ratings {
            None => Ok((0..rows as u32).collect()),
            Some(raw) => {
                let mut ids = raw.to_vec();
                ids.sort_unstable();
                ids.dedup();
                if ids.len() != rows {
                    return Err(invalid(
                        path,
                        format!(
                            "{rows} rows in {}, but the ratings have {} distinct ids: not the ratings it was trained \
                             on (rows are numbered by ascending id)",
                            entry.replace("movierec_", "").replace("_ids", "_factors"),
                            ids.len()
                        ),
                    ));
                }
                Ok(ids)
            }
        }
    };
    let (user_raw, movie_raw) = match row_ids {
        RowIds::FromRatings { users, movies } => (Some(users), Some(movies)),
        RowIds::RowNumbers => (None, None),
    };
    let users = FactorTable {
        ids: ids_for(USER_IDS, n_users, user_raw)?,
        factors: user_factors,
        source: path.join("user_factors.npy"),
    };
    let items = FactorTable {
        ids: ids_for(ITEM_IDS, n_items, movie_raw)?,
        factors: item_factors,
        source: path.join("item_factors.npy"),
    };
    let mut params = implicit_defaults();
    params.factors = k;
    params.feedback = Feedback::Implicit;
    // `implicit`'s rule: a fixed regularization, every rating liked (its confidence `alpha * r` is the engine's).
    params.confidence = Confidence::Linear;
    params.reg_scaling = RegScaling::Plain;
    // `implicit`'s own default, for an archive that does not say.
    params.alpha = 1.0;
    params.threads = 0;
    // The scalars `implicit` saved, as they are (model.json's importedFrom.params), and those this project uses.
    let mut own = Map::new();
    for name in [
        "factors",
        "regularization",
        "alpha",
        "iterations",
        "cg_steps",
        "random_state",
    ] {
        if let Some(v) = archive.number(name)? {
            own.insert(name.into(), Value::from(v));
        }
    }
    let number = |name: &str| own.get(name).and_then(Value::as_f64);
    if let Some(v) = number("regularization") {
        params.reg_factors = v as f32;
    }
    if let Some(v) = number("alpha") {
        params.alpha = v as f32;
    }
    if let Some(v) = number("iterations") {
        params.iterations = (v as usize).max(1);
    }
    if let Some(v) = number("cg_steps") {
        params.cg_steps = (v as usize).clamp(1, 64);
    }
    params.seed = number("random_state")
        .filter(|&v| v >= 0.0 && v.fract() == 0.0)
        .map_or(0, |v| v as u64);
    let from = ImportedFrom {
        path: path.display().to_string(),
        format: FORMAT.into(),
        engine_version: None,
        params: Value::Object(own),
        ratings_left_out: 0,
    };
    let model = ForeignModel {
        engine: Engine::Implicit,
        params,
        users,
        items,
    };
    Ok((model, from))
}

/// Writes `model` to `path` as `implicit` saves a model (see the module doc), through a temporary file renamed into
/// place.
pub fn write_implicit_model(path: &Path, model: &AlsModel) -> Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(name);
    let written =
        write_archive(&tmp, model).and_then(|()| std::fs::rename(&tmp, path).map_err(|e| CoreError::io(path, e)));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn write_archive(path: &Path, model: &AlsModel) -> Result<()> {
    let io = |e: std::io::Error| CoreError::io(path, e);
    let zip_io = |e: zip::result::ZipError| CoreError::io(path, std::io::Error::other(e));
    let (users, items) = export_factors(model);
    let p = &model.params;
    let file = File::create(path).map_err(io)?;
    let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true);
    let mut entry = |name: &str, body: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| -> Result<()> {
        let mut bytes = Vec::new();
        body(&mut bytes).map_err(io)?;
        zip.start_file(format!("{name}.npy"), options).map_err(zip_io)?;
        zip.write_all(&bytes).map_err(io)
    };
    let k = users.cols;
    entry("user_factors", &|w| npy::write(w, &[users.rows, k], &users.data))?;
    entry("item_factors", &|w| npy::write(w, &[items.rows, k], &items.data))?;
    entry("regularization", &|w| npy::write(w, &[], &[p.reg_factors as f64]))?;
    entry("factors", &|w| npy::write(w, &[], &[k as i64]))?;
    entry("num_threads", &|w| npy::write(w, &[], &[0i64]))?;
    entry("iterations", &|w| npy::write(w, &[], &[p.iterations as i64]))?;
    entry("use_native", &|w| bool_scalar(w, true))?;
    entry("use_cg", &|w| bool_scalar(w, true))?;
    entry("cg_steps", &|w| npy::write(w, &[], &[p.cg_steps as i64]))?;
    entry("calculate_training_loss", &|w| bool_scalar(w, false))?;
    entry("dtype", &|w| text_scalar(w, "float32"))?;
    entry("random_state", &|w| npy::write(w, &[], &[p.seed as i64]))?;
    entry("alpha", &|w| npy::write(w, &[], &[p.alpha as f64]))?;
    entry(USER_IDS, &|w| {
        npy::write(w, &[model.users.len()], model.users.raw_ids())
    })?;
    entry(ITEM_IDS, &|w| {
        npy::write(w, &[model.items.len()], model.items.raw_ids())
    })?;
    let out = zip.finish().map_err(zip_io)?;
    out.into_inner().map_err(|e| io(e.into_error()))?.sync_all().map_err(io)
}

/// The factor matrices `implicit` scores with: the model's own, or, for a model with a mean and biases, with the
/// two bias columns (see the module doc).
pub fn export_factors(model: &AlsModel) -> (movierec_core::model::Matrix, movierec_core::model::Matrix) {
    if !(model.engine == Engine::Movierec && model.params.feedback == Feedback::Explicit) {
        return (model.user_factors.clone(), model.item_factors.clone());
    }
    let with_columns = |m: &movierec_core::model::Matrix, extra: &dyn Fn(usize) -> [f32; 2]| {
        let cols = m.cols + 2;
        let mut data = Vec::with_capacity(m.rows * cols);
        for r in 0..m.rows {
            data.extend_from_slice(m.row(r));
            data.extend_from_slice(&extra(r));
        }
        movierec_core::model::Matrix {
            rows: m.rows,
            cols,
            data,
        }
    };
    let users = with_columns(&model.user_factors, &|u| [1.0, model.global_mean + model.user_bias[u]]);
    let items = with_columns(&model.item_factors, &|i| [model.item_bias[i], 1.0]);
    (users, items)
}

/// A numpy bool scalar (`|b1`).
fn bool_scalar(out: &mut Vec<u8>, value: bool) -> std::io::Result<()> {
    out.write_all(&npy::header("|b1", &[]))?;
    out.write_all(&[u8::from(value)])
}

/// A numpy text scalar (`<U{n}`: UTF-32 little-endian code points).
fn text_scalar(out: &mut Vec<u8>, text: &str) -> std::io::Result<()> {
    out.write_all(&npy::header(&format!("<U{}", text.chars().count()), &[]))?;
    text.chars().try_for_each(|c| out.write_all(&(c as u32).to_le_bytes()))
}
