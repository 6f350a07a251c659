//! Side information for the priors of training: each movie's features (genres, release-year bucket) from the
//! catalogue, and each user's (gender, age group, occupation) from `users.dat` (ml-1m) or `u.user` (ml-100k), as
//! sparse 0/1 rows that always hold an intercept (feature 0).
//!
//! Vocabularies come from the data: the genres are the catalogue's own (18 in ml-1m, 19 in ml-latest), occupations the
//! users file's. Release years fall into [`YEAR_EDGES`] buckets, finer where most movies are (the 1990s); a movie with
//! no year, or one the catalogue does not list, has the intercept and whatever else it has.

use std::path::{Path, PathBuf};

use super::movies::{decode, numbered_lines, parse_error};
use super::ratings::fields::parse_id;
use super::Catalogue;
use crate::{CoreError, Result};

/// Lower edges of the release-year buckets after the first (before 1940); 19 buckets in all.
pub const YEAR_EDGES: [u16; 18] = [
    1940, 1950, 1960, 1970, 1980, 1985, 1990, 1993, 1995, 1996, 1997, 1998, 1999, 2000, 2003, 2006, 2010, 2014,
];

/// Lower edges of the age groups after the first (under 18): ml-1m's codes 1, 18, 25, 35, 45, 50, 56; ml-100k's ages
/// fall into the same groups.
const AGE_EDGES: [u16; 6] = [18, 25, 35, 45, 50, 56];

/// Sparse 0/1 rows of named features: row `r` has the features `row(r)` (ascending; feature 0, the intercept, in
/// every row).
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureRows {
    /// One name per feature: `intercept`, `genre:Comedy`, `year:1995`, `age:25`, ...
    pub names: Vec<String>,
    indptr: Vec<usize>,
    cols: Vec<u32>,
}

impl FeatureRows {
    /// One row per entry of `rows` (feature indices below `names.len()`; the intercept is added).
    fn new(names: Vec<String>, rows: impl IntoIterator<Item = Vec<u32>>) -> Self {
        let mut out = Self {
            names,
            indptr: vec![0],
            cols: Vec::new(),
        };
        for mut row in rows {
            row.push(0);
            row.sort_unstable();
            row.dedup();
            debug_assert!(row.iter().all(|&f| (f as usize) < out.names.len()));
            out.cols.extend_from_slice(&row);
            out.indptr.push(out.cols.len());
        }
        out
    }

    /// Only the intercept, for `rows` rows (side information absent).
    pub fn intercept_only(rows: usize) -> Self {
        Self::new(vec!["intercept".to_string()], (0..rows).map(|_| Vec::new()))
    }

    pub fn rows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn n_features(&self) -> usize {
        self.names.len()
    }

    /// The features of row `r`, ascending.
    pub fn row(&self, r: usize) -> &[u32] {
        &self.cols[self.indptr[r]..self.indptr[r + 1]]
    }
}

/// Feature rows of the movies `ids` (raw ids, any order): intercept, the catalogue's genres, the release-year bucket.
pub fn movie_features(catalogue: &Catalogue, ids: &[u32]) -> FeatureRows {
    let mut genres: Vec<&str> = catalogue.genres.iter().flatten().map(String::as_str).collect();
    genres.sort_unstable();
    genres.dedup();
    let year_base = 1 + genres.len();
    let mut names = vec!["intercept".to_string()];
    names.extend(genres.iter().map(|g| format!("genre:{g}")));
    names.push(format!("year:<{}", YEAR_EDGES[0]));
    names.extend(YEAR_EDGES.iter().map(|y| format!("year:{y}")));
    let rows = ids.iter().map(|&id| {
        let Some(i) = catalogue.index_of(id) else {
            return Vec::new();
        };
        let mut row: Vec<u32> = catalogue.genres[i]
            .iter()
            .filter_map(|g| genres.binary_search(&g.as_str()).ok())
            .map(|g| 1 + g as u32)
            .collect();
        if let Some(year) = catalogue.years[i] {
            row.push((year_base + bucket(&YEAR_EDGES, year)) as u32);
        }
        row
    });
    FeatureRows::new(names, rows)
}

/// The bucket of `value`: how many `edges` (ascending) are at or below it.
fn bucket(edges: &[u16], value: u16) -> usize {
    edges.partition_point(|&e| e <= value)
}

/// The users file: gender, age and occupation by raw user id, ids ascending.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Demographics {
    pub ids: Vec<u32>,
    /// `M` or `F` as the file gives it.
    pub genders: Vec<String>,
    /// Age in years (ml-100k) or ml-1m's age-group code (its group's lower edge).
    pub ages: Vec<u16>,
    /// ml-1m's occupation code or ml-100k's occupation name.
    pub occupations: Vec<String>,
}

/// Feature rows of the users `ids` (raw ids, any order): intercept, gender, age group, occupation; a user the file
/// does not list has the intercept only.
pub fn user_features(demographics: &Demographics, ids: &[u32]) -> FeatureRows {
    let mut occupations: Vec<&str> = demographics.occupations.iter().map(String::as_str).collect();
    occupations.sort_unstable();
    occupations.dedup();
    let mut names = vec!["intercept".to_string(), "gender:M".to_string(), "age:<18".to_string()];
    names.extend(AGE_EDGES.iter().map(|a| format!("age:{a}")));
    let occupation_base = names.len();
    names.extend(occupations.iter().map(|o| format!("occupation:{o}")));
    let rows = ids.iter().map(|&id| {
        let Ok(u) = demographics.ids.binary_search(&id) else {
            return Vec::new();
        };
        let mut row = vec![(2 + bucket(&AGE_EDGES, demographics.ages[u])) as u32];
        if demographics.genders[u].eq_ignore_ascii_case("m") {
            row.push(1);
        }
        if let Ok(o) = occupations.binary_search(&demographics.occupations[u].as_str()) {
            row.push((occupation_base + o) as u32);
        }
        row
    });
    FeatureRows::new(names, rows)
}

/// The users file beside a ratings file (`users.dat`, else `u.user`), or None when there is none.
pub fn find_users_file(ratings_path: &Path) -> Option<PathBuf> {
    let dir = ratings_path.parent().filter(|d| !d.as_os_str().is_empty())?;
    ["users.dat", "u.user"]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// Reads `users.dat` (`id::gender::age::occupation::zip`) or `u.user` (`id|age|gender|occupation|zip`), told apart
/// by the separator. Every malformed line is a `Parse` error with its line number.
pub fn read_demographics(path: &Path) -> Result<Demographics> {
    let bytes = std::fs::read(path).map_err(|e| CoreError::io(path, e))?;
    let text = decode(&bytes);
    let mut rows: Vec<(u32, String, u16, String)> = Vec::new();
    for (number, line) in numbered_lines(&text) {
        let (fields, [gender, age, occupation]): (Vec<&str>, [usize; 3]) = if line.contains("::") {
            (line.split("::").collect(), [1, 2, 3])
        } else {
            (line.split('|').collect(), [2, 1, 3])
        };
        if fields.len() < 4 {
            let message = "expected 'id::gender::age::occupation::zip' or 'id|age|gender|occupation|zip'";
            return Err(parse_error(path, number, message.to_string()));
        }
        let id = parse_id(fields[0].trim().as_bytes(), "user id").map_err(|m| parse_error(path, number, m))?;
        let age = fields[age]
            .trim()
            .parse::<u16>()
            .map_err(|_| parse_error(path, number, format!("age '{}' is not a number", fields[age].trim())))?;
        rows.push((
            id,
            fields[gender].trim().to_string(),
            age,
            fields[occupation].trim().to_string(),
        ));
    }
    if rows.is_empty() {
        return Err(CoreError::Dataset {
            path: path.to_path_buf(),
            message: "no users in the file".to_string(),
        });
    }
    rows.sort_by_key(|r| r.0);
    rows.dedup_by_key(|r| r.0);
    let mut out = Demographics::default();
    for (id, gender, age, occupation) in rows {
        out.ids.push(id);
        out.genders.push(gender);
        out.ages.push(age);
        out.occupations.push(occupation);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_fall_into_their_buckets() {
        assert_eq!(bucket(&YEAR_EDGES, 1930), 0);
        assert_eq!(bucket(&YEAR_EDGES, 1940), 1);
        assert_eq!(bucket(&YEAR_EDGES, 1995), 9);
        assert_eq!(bucket(&YEAR_EDGES, 2020), 18);
    }
}
