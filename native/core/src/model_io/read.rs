//! Reading a model folder's files: model.json, the `.npy` arrays (large ones memory-mapped, then either read in
//! place or converted in one pass) and movies.json. Every error is `InvalidModel` naming the file, or `ModelNotFound`.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use serde_json::Value;

use super::meta::{invalid, ModelMeta, MovieEntry, FORMAT_VERSION, META_FILE, MOVIES_FILE};
use super::npy::{self, Element};
use crate::array_data::ArrayData;
use crate::dataset::{year_in_title, Catalogue};
use crate::model::Matrix;
use crate::{CoreError, Result};

pub(super) fn read_meta(dir: &Path) -> Result<ModelMeta> {
    let path = dir.join(META_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CoreError::ModelNotFound(dir.to_path_buf())),
        Err(e) => return Err(CoreError::io(&path, e)),
    };
    let json: Value =
        serde_json::from_slice(&bytes).map_err(|e| invalid(dir, format!("{META_FILE}: not valid JSON: {e}")))?;
    match json.get("formatVersion").and_then(Value::as_u64) {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(v) => {
            return Err(invalid(
                dir,
                format!("{META_FILE}: format version {v}, this build reads {FORMAT_VERSION}"),
            ))
        }
        None => return Err(invalid(dir, format!("{META_FILE}: no formatVersion"))),
    }
    serde_json::from_value(json).map_err(|e| invalid(dir, format!("{META_FILE}: {e}")))
}

/// Files at least this large are memory-mapped; smaller ones are read.
const MAP_AT_BYTES: u64 = 1 << 20;

/// A model file's bytes: mapped (large files) or read.
enum FileBytes {
    Mapped(Arc<Mmap>),
    Read(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Read(bytes) => bytes,
        }
    }
}

fn file_bytes(dir: &Path, name: &str) -> Result<FileBytes> {
    let path = dir.join(name);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(invalid(dir, format!("{name} is missing"))),
        Err(e) => return Err(CoreError::io(&path, e)),
    };
    let len = file.metadata().map_err(|e| CoreError::io(&path, e))?.len();
    if len >= MAP_AT_BYTES {
        // Mapping saves copying the file into an intermediate buffer (and its page faults). SAFETY: a model
        // folder's files are never modified in place (see `crate::array_data`); when mapping fails the file is read.
        if let Ok(map) = unsafe { Mmap::map(&file) } {
            return Ok(FileBytes::Mapped(Arc::new(map)));
        }
    }
    read_whole(&path, file).map(FileBytes::Read)
}

/// Reads `name` into owned values (converted from the file's little-endian bytes).
pub(super) fn read_array<T: Element>(dir: &Path, name: &str) -> Result<(Vec<usize>, Vec<T>)> {
    npy::read(&file_bytes(dir, name)?).map_err(|m| invalid(dir, format!("{name}: {m}")))
}

/// Reads `name` as a one-dimensional array whose values stay in the mapped file when the file is mapped (every
/// check of the `.npy` layout is made all the same); a small or unmappable file is read and converted.
pub(super) fn read_vector_in_place<T: Element>(dir: &Path, name: &str) -> Result<ArrayData<T>> {
    let bytes = file_bytes(dir, name)?;
    let layout = npy::layout::<T>(&bytes).map_err(|m| invalid(dir, format!("{name}: {m}")))?;
    if layout.shape.len() != 1 {
        return Err(invalid(
            dir,
            format!("{name}: shape {:?}, expected one dimension", layout.shape),
        ));
    }
    let in_place = match &bytes {
        FileBytes::Mapped(map) => ArrayData::mapped(Arc::clone(map), layout.data_start, layout.count),
        FileBytes::Read(_) => None,
    };
    Ok(in_place.unwrap_or_else(|| T::read_le(&bytes[layout.data_start..]).into()))
}

fn read_whole(path: &Path, mut file: File) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| CoreError::io(path, e))?;
    Ok(bytes)
}

pub(super) fn read_vector<T: Element>(dir: &Path, name: &str) -> Result<Vec<T>> {
    let (shape, values) = read_array(dir, name)?;
    if shape.len() != 1 {
        return Err(invalid(dir, format!("{name}: shape {shape:?}, expected one dimension")));
    }
    Ok(values)
}

/// The matrix of an array read from `name`, which must be `rows x cols`.
pub(super) fn matrix(
    dir: &Path,
    name: &str,
    array: (Vec<usize>, Vec<f32>),
    rows: usize,
    cols: usize,
) -> Result<Matrix> {
    let (shape, data) = array;
    if shape != [rows, cols] {
        return Err(invalid(
            dir,
            format!("{name}: shape {shape:?}, expected [{rows}, {cols}] (ids x factors)"),
        ));
    }
    Ok(Matrix { rows, cols, data })
}

pub(super) fn read_catalogue(dir: &Path) -> Result<Option<Catalogue>> {
    let path = dir.join(MOVIES_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CoreError::io(&path, e)),
    };
    let entries: Vec<MovieEntry> =
        serde_json::from_slice(&bytes).map_err(|e| invalid(dir, format!("{MOVIES_FILE}: {e}")))?;
    if !entries.windows(2).all(|w| w[0].id < w[1].id) {
        return Err(invalid(
            dir,
            format!("{MOVIES_FILE}: movie ids are not strictly ascending"),
        ));
    }
    let mut c = Catalogue::default();
    for e in entries {
        let year = e.year.or_else(|| year_in_title(&e.title));
        c.push(e.id, e.title, e.genres, year);
    }
    Ok(Some(c))
}
