//! Movie titles and genres from the movies file beside the ratings, in any of the three MovieLens layouts,
//! recognised from the content:
//! - `movies.dat`: `id::title::A|B` (ml-1m in latin-1, ml-10m in UTF-8);
//! - `u.item`: `id|title|release|video release|url|` + 19 genre flags (ml-100k, latin-1), names from `u.genre`;
//! - `movies.csv`: header `movieId,title,genres`, RFC 4180 quoting (titles with commas and doubled quotes), UTF-8.
//!
//! Encoding: each file is read as UTF-8 when it is valid UTF-8, else as latin-1 (every byte is a character), which
//! is right for every release. `(no genres listed)` and ml-100k's `unknown` genre become an empty genre list.
//!
//! The release year comes from the title's trailing `(1995)` (movies.dat, movies.csv), and for u.item from its
//! release date (`01-Jan-1995`), else from the title too; a movie without either has none.

mod csv;

use std::path::{Path, PathBuf};

use super::layout::detect_layout;
use super::ratings::fields::parse_id;
use crate::{CoreError, Result};

/// Titles, genres and years by raw movie id, in id order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalogue {
    pub ids: Vec<u32>,
    pub titles: Vec<String>,
    /// Genres of each movie (empty when the file gives none).
    pub genres: Vec<Vec<String>>,
    /// Release year of each movie, when the file gives one.
    pub years: Vec<Option<u16>>,
}

impl Catalogue {
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    /// Position of `id` in the catalogue (ids are sorted, so this is a binary search).
    pub fn index_of(&self, id: u32) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }
    pub fn title_of(&self, id: u32) -> Option<&str> {
        self.index_of(id).map(|i| self.titles[i].as_str())
    }
    pub fn genres_of(&self, id: u32) -> Option<&[String]> {
        self.index_of(id).map(|i| self.genres[i].as_slice())
    }

    pub fn year_of(&self, id: u32) -> Option<u16> {
        self.index_of(id).and_then(|i| self.years[i])
    }

    /// Adds a movie after the last one (ids must come in ascending order).
    pub fn push(&mut self, id: u32, title: String, genres: Vec<String>, year: Option<u16>) {
        debug_assert!(self.ids.last().is_none_or(|&last| last < id), "catalogue ids ascending");
        self.ids.push(id);
        self.titles.push(title);
        self.genres.push(genres);
        self.years.push(year);
    }

    /// Sorts by id; when an id repeats, its last entry in file order wins (as for ratings).
    fn from_entries(mut entries: Vec<Entry>) -> Self {
        entries.sort_by_key(|e| e.id); // stable: file order among equal ids
        let mut out = Catalogue::default();
        for e in entries {
            if out.ids.last() == Some(&e.id) {
                out.ids.pop();
                out.titles.pop();
                out.genres.pop();
                out.years.pop();
            }
            out.push(e.id, e.title, e.genres, e.year);
        }
        out
    }
}

/// The years a catalogue accepts (a title's "(123)" or "(9999)" is not a year).
pub const YEARS: std::ops::RangeInclusive<u16> = 1800..=2200;

/// One line of a movies file.
struct Entry {
    id: u32,
    title: String,
    genres: Vec<String>,
    year: Option<u16>,
}

impl Entry {
    /// A movie whose year is the one its title ends with.
    fn titled(id: u32, title: &str, genres: Vec<String>) -> Self {
        let title = title.trim().to_string();
        Self {
            id,
            year: year_in_title(&title),
            title,
            genres,
        }
    }
}

/// The year a MovieLens title ends with: `Toy Story (1995)` -> 1995 (also `(1995 )`, `(2006-2007)`: the first).
pub fn year_in_title(title: &str) -> Option<u16> {
    let inner = title.trim_end().strip_suffix(')')?;
    let open = inner.rfind('(')?;
    year_at_start(inner[open + 1..].trim())
}

/// A plausible year (1800..=2200) made of the first four characters of `text`, when they are digits.
fn year_at_start(text: &str) -> Option<u16> {
    let digits = text.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|y| YEARS.contains(y))
}

/// The year of a u.item release date `01-Jan-1995`.
fn year_of_release_date(date: &str) -> Option<u16> {
    let date = date.trim();
    date.len()
        .checked_sub(4)
        .and_then(|at| date.get(at..))
        .and_then(year_at_start)
}

/// The movies file names we know, in the order tried when the ratings layout does not decide.
const MOVIES_FILE_NAMES: [&str; 3] = ["movies.csv", "movies.dat", "u.item"];

/// The ml-100k genre names by flag position, used when `u.genre` is not beside `u.item`.
const ML100K_GENRES: [&str; 19] = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
];

/// The movies file in the folder of `ratings_path`: the one that goes with the ratings layout first
/// (movies.dat for `::`, u.item for tab, movies.csv for CSV), else any other known one.
pub fn find_movies_file(ratings_path: &Path) -> Option<PathBuf> {
    let dir = match ratings_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let preferred = ratings_layout_of(ratings_path).map(|layout| layout.movies_file_name());
    preferred
        .into_iter()
        .chain(MOVIES_FILE_NAMES)
        .map(|name| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The layout of a ratings file from its first 64 KiB, or None when it cannot be read or recognised.
fn ratings_layout_of(ratings_path: &Path) -> Option<super::RatingsLayout> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64 << 10);
    std::fs::File::open(ratings_path)
        .ok()?
        .take(64 << 10)
        .read_to_end(&mut head)
        .ok()?;
    detect_layout(ratings_path, &head).ok().map(|d| d.layout)
}

/// The catalogue beside a ratings file, or `Ok(None)` when there is no movies file (training works without one).
pub fn read_movies_beside(ratings_path: &Path) -> Result<Option<Catalogue>> {
    find_movies_file(ratings_path)
        .map(|path| read_movies(&path))
        .transpose()
}

/// Reads a movies file in any of the three layouts (see the module doc).
pub fn read_movies(path: &Path) -> Result<Catalogue> {
    let bytes = std::fs::read(path).map_err(|e| CoreError::io(path, e))?;
    let text = decode(&bytes);
    let dataset_error = |message: String| CoreError::Dataset {
        path: path.to_path_buf(),
        message,
    };
    let first_line = text.lines().map(str::trim).find(|l| !l.is_empty());
    let entries = match first_line {
        None => return Err(dataset_error("movies file is empty".to_string())),
        Some(line) if line.contains("::") => parse_movies_dat(path, &text)?,
        Some(line) if is_csv_header(line) => parse_movies_csv(path, &text)?,
        Some(line) if looks_like_u_item(line) => parse_u_item(path, &text, &genre_names_beside(path)?)?,
        Some(line) => {
            let shown: String = line.chars().take(60).collect();
            return Err(dataset_error(format!(
                "unknown movies layout (first line '{shown}'); expected 'id::title::genres' (movies.dat), \
                 'id|title|...|19 genre flags' (u.item) or CSV with header 'movieId,title,genres' (movies.csv)"
            )));
        }
    };
    if entries.is_empty() {
        return Err(dataset_error("no movies in the file".to_string()));
    }
    Ok(Catalogue::from_entries(entries))
}

/// UTF-8 when valid (ml-10m, movies.csv), else latin-1 (ml-1m, ml-100k), where each byte is the code point.
pub(super) fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

pub(super) fn parse_error(path: &Path, line: usize, message: String) -> CoreError {
    CoreError::Parse {
        path: path.to_path_buf(),
        line: line as u64,
        message,
    }
}

/// Non-blank lines with their 1-based numbers, CR removed.
pub(super) fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty())
}

fn genre_list(field: &str) -> Vec<String> {
    field
        .split('|')
        .map(str::trim)
        .filter(|g| !g.is_empty() && *g != "(no genres listed)")
        .map(str::to_string)
        .collect()
}

fn movie_id(path: &Path, line: usize, field: &str) -> Result<u32> {
    parse_id(field.trim().as_bytes(), "movie id").map_err(|message| parse_error(path, line, message))
}

/// `id::title::genres`; a title never contains `::`, but splitting at the first and last separators would cope.
fn parse_movies_dat(path: &Path, text: &str) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for (number, line) in numbered_lines(text) {
        let (Some(first), Some(last)) = (line.find("::"), line.rfind("::")) else {
            return Err(parse_error(path, number, "expected 'id::title::genres'".to_string()));
        };
        // `last < first + 2` also catches overlapping separators (`1:::Comedy`), where the title slice would panic.
        if last < first + 2 {
            return Err(parse_error(
                path,
                number,
                "expected 'id::title::genres', found 2 fields".to_string(),
            ));
        }
        let id = movie_id(path, number, &line[..first])?;
        entries.push(Entry::titled(id, &line[first + 2..last], genre_list(&line[last + 2..])));
    }
    Ok(entries)
}

/// `movieId,title,genres` with RFC 4180 quoting. An unquoted title with commas (not valid CSV, but seen in
/// hand-edited files) is recovered as everything between the first and the last field.
fn parse_movies_csv(path: &Path, text: &str) -> Result<Vec<Entry>> {
    let records = csv::parse(text).map_err(|(line, message)| parse_error(path, line, message))?;
    let mut entries = Vec::new();
    for (line, fields) in records.into_iter().skip(1) {
        if fields.len() < 3 {
            let message = format!("expected 3 fields 'movieId,title,genres', found {}", fields.len());
            return Err(parse_error(path, line, message));
        }
        let id = movie_id(path, line, &fields[0])?;
        let title = fields[1..fields.len() - 1].join(",");
        entries.push(Entry::titled(id, &title, genre_list(&fields[fields.len() - 1])));
    }
    Ok(entries)
}

/// `movieId,...` in any case. Compared as bytes: byte 8 may fall inside a multi-byte character (`movieIdé,...`),
/// where a str slice would panic.
fn is_csv_header(line: &str) -> bool {
    line.as_bytes()
        .get(..8)
        .is_some_and(|head| head.eq_ignore_ascii_case(b"movieId,"))
}

/// At least the five u.item fields and one flag, ending with a flag (a CSV line ends with a genre name instead).
fn looks_like_u_item(line: &str) -> bool {
    line.split('|').count() >= 6 && matches!(line.rsplit('|').next().map(str::trim), Some("0" | "1"))
}

/// `id|title|release date|video release date|IMDb URL|` then 19 flags `0`/`1`, one per genre.
fn parse_u_item(path: &Path, text: &str, genre_names: &[String]) -> Result<Vec<Entry>> {
    let flags = genre_names.len();
    let mut entries = Vec::new();
    for (number, line) in numbered_lines(text) {
        let fields: Vec<&str> = line.split('|').collect();
        if fields.len() < 5 + flags {
            let message = format!(
                "expected 'id|title|release|video release|url|' and {flags} genre flags, found {} fields",
                fields.len()
            );
            return Err(parse_error(path, number, message));
        }
        let id = movie_id(path, number, fields[0])?;
        let title = fields[1..fields.len() - flags - 3].join("|");
        let mut genres = Vec::new();
        for (flag, name) in fields[fields.len() - flags..].iter().zip(genre_names) {
            match flag.trim() {
                "0" => {}
                "1" if name != "unknown" => genres.push(name.clone()),
                "1" => {}
                other => {
                    let message = format!("genre flag '{other}' for {name} is not 0 or 1");
                    return Err(parse_error(path, number, message));
                }
            }
        }
        let mut entry = Entry::titled(id, &title, genres);
        // The release date is the field after the title (a title with `|` in it was joined above).
        let release = fields[fields.len() - flags - 3];
        entry.year = year_of_release_date(release).or(entry.year);
        entries.push(entry);
    }
    Ok(entries)
}

/// Genre names by flag position from `u.genre` (`name|index` lines) beside `u.item`, or the ml-100k list.
fn genre_names_beside(u_item: &Path) -> Result<Vec<String>> {
    let path = u_item.with_file_name("u.genre");
    if !path.is_file() {
        return Ok(ML100K_GENRES.iter().map(|g| g.to_string()).collect());
    }
    let bytes = std::fs::read(&path).map_err(|e| CoreError::io(&path, e))?;
    let text = decode(&bytes);
    let mut names: Vec<Option<String>> = Vec::new();
    for (number, line) in numbered_lines(&text) {
        let Some((name, index)) = line.rsplit_once('|') else {
            return Err(parse_error(&path, number, "expected 'genre|index'".to_string()));
        };
        let index: usize = match index.trim().parse() {
            Ok(i) if i < 64 => i,
            _ => {
                return Err(parse_error(
                    &path,
                    number,
                    format!("genre index '{index}' is not a number below 64"),
                ))
            }
        };
        if names.len() <= index {
            names.resize(index + 1, None);
        }
        names[index] = Some(name.trim().to_string());
    }
    match names.iter().position(Option::is_none) {
        _ if names.is_empty() => Err(CoreError::Dataset {
            path,
            message: "no genres in u.genre".to_string(),
        }),
        Some(missing) => Err(CoreError::Dataset {
            path,
            message: format!("genre index {missing} is missing"),
        }),
        None => Ok(names.into_iter().flatten().collect()),
    }
}
