//! PLACEHOLDER (readers helper replaces): movie titles and genres.
use std::path::{Path, PathBuf};
use crate::Result;

/// Titles and genres by raw movie id, in id order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalogue {
    pub ids: Vec<u32>,
    pub titles: Vec<String>,
    /// Genres of each movie (empty when the file gives none).
    pub genres: Vec<Vec<String>>,
}

pub fn find_movies_file(_ratings_path: &Path) -> Option<PathBuf> { todo!() }
pub fn read_movies(_path: &Path) -> Result<Catalogue> { todo!() }
pub fn read_movies_beside(_ratings_path: &Path) -> Result<Option<Catalogue>> { todo!() }
