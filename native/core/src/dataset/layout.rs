//! Which MovieLens ratings layout a file uses, decided from its first non-blank line (never from its name).
//!
//! - a line containing `::` is `user::movie::rating[::timestamp]` (ml-1m, ml-10m);
//! - a line containing a tab is `user\tmovie\trating[\ttimestamp]` (ml-100k `u.data`, no header);
//! - a line `userId,movieId,rating[,timestamp]` is the header of a CSV file (ml-latest-small, ml-20m/25m/32m).
//!
//! Anything else is a [`CoreError::Dataset`] that names the file and the layouts we expected.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{CoreError, Result};

/// The published ratings layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RatingsLayout {
    /// `user::movie::rating[::timestamp]` (ml-1m, ml-10m)
    DoubleColon,
    /// `user\tmovie\trating\ttimestamp` without header (ml-100k u.data)
    Tab,
    /// `userId,movieId,rating,timestamp` with a header (ml-latest-small, ml-20m/25m/32m)
    CsvHeader,
}

impl RatingsLayout {
    /// The field separator between the values of one line.
    pub fn separator(self) -> &'static [u8] {
        match self {
            RatingsLayout::DoubleColon => b"::",
            RatingsLayout::Tab => b"\t",
            RatingsLayout::CsvHeader => b",",
        }
    }

    /// The name MovieLens gives a ratings file in this layout.
    pub fn ratings_file_name(self) -> &'static str {
        match self {
            RatingsLayout::DoubleColon => "ratings.dat",
            RatingsLayout::Tab => "u.data",
            RatingsLayout::CsvHeader => "ratings.csv",
        }
    }

    /// The name of the movies file that accompanies this layout in a MovieLens release.
    pub fn movies_file_name(self) -> &'static str {
        match self {
            RatingsLayout::DoubleColon => "movies.dat",
            RatingsLayout::Tab => "u.item",
            RatingsLayout::CsvHeader => "movies.csv",
        }
    }

    /// Human description used in messages.
    pub fn describe(self) -> &'static str {
        match self {
            RatingsLayout::DoubleColon => "'::'-separated (ml-1m/ml-10m ratings.dat)",
            RatingsLayout::Tab => "tab-separated (ml-100k u.data)",
            RatingsLayout::CsvHeader => "CSV with header (ratings.csv)",
        }
    }
}

/// The CSV header MovieLens writes; the timestamp column is optional for us.
pub const CSV_HEADER: &str = "userId,movieId,rating,timestamp";

/// What the start of a ratings file told us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DetectedLayout {
    pub layout: RatingsLayout,
    /// Byte offset where data lines start (after a UTF-8 byte order mark, leading blank lines and the CSV header).
    pub data_start: usize,
    /// Number of lines before `data_start`, so the first data line is line `lines_before_data + 1`.
    pub lines_before_data: u64,
}

const EXPECTED: &str = "expected MovieLens ratings: 'user::movie::rating[::timestamp]' (ml-1m/ml-10m), \
     'user<TAB>movie<TAB>rating[<TAB>timestamp]' (ml-100k u.data) or CSV with header \
     'userId,movieId,rating[,timestamp]' (ratings.csv)";

/// Detects the layout of the ratings in `bytes` (the whole file, or at least its first lines).
/// `path` only names the file in errors.
pub fn detect_layout(path: &Path, bytes: &[u8]) -> Result<DetectedLayout> {
    let dataset_error = |message: String| CoreError::Dataset {
        path: path.to_path_buf(),
        message,
    };
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let mut offset = bom;
    let mut lines_before = 0u64;
    // The first non-blank line decides.
    let (line, line_end) = loop {
        if offset >= bytes.len() {
            let message = if bytes.len() == bom {
                "file is empty"
            } else {
                "file has only blank lines"
            };
            return Err(dataset_error(format!("{message}; {EXPECTED}")));
        }
        let end = memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |i| offset + i + 1);
        let line = trim_line_end(&bytes[offset..end]);
        if is_blank(line) {
            lines_before += 1;
            offset = end;
            continue;
        }
        break (line, end);
    };

    if memchr::memmem::find(line, b"::").is_some() {
        return Ok(DetectedLayout {
            layout: RatingsLayout::DoubleColon,
            data_start: offset,
            lines_before_data: lines_before,
        });
    }
    if line.contains(&b'\t') {
        return Ok(DetectedLayout {
            layout: RatingsLayout::Tab,
            data_start: offset,
            lines_before_data: lines_before,
        });
    }
    if line.contains(&b',') {
        if is_csv_ratings_header(line) {
            return Ok(DetectedLayout {
                layout: RatingsLayout::CsvHeader,
                data_start: line_end,
                lines_before_data: lines_before + 1,
            });
        }
        let shown = show(line);
        let message = if line.first().is_some_and(u8::is_ascii_digit) {
            format!("comma-separated ratings without a header line (first line '{shown}'); a CSV ratings file must start with '{CSV_HEADER}'")
        } else if line.len() >= 8 && line[..8].eq_ignore_ascii_case(b"movieId,") {
            format!("this looks like a movies file (header '{shown}'), not ratings; {EXPECTED}")
        } else {
            format!("unrecognised CSV header '{shown}'; expected '{CSV_HEADER}' (timestamp optional)")
        };
        return Err(dataset_error(message));
    }
    Err(dataset_error(format!(
        "unknown layout: line {} ('{}') has none of the separators '::', tab or ','; {EXPECTED}",
        lines_before + 1,
        show(line)
    )))
}

/// `userId,movieId,rating` or `userId,movieId,rating,timestamp`, letter case ignored.
fn is_csv_ratings_header(line: &[u8]) -> bool {
    let mut fields = line.split(|&b| b == b',').map(|f| f.trim_ascii());
    let expected: [&[u8]; 3] = [b"userId", b"movieId", b"rating"];
    for name in expected {
        match fields.next() {
            Some(f) if f.eq_ignore_ascii_case(name) => {}
            _ => return false,
        }
    }
    match (fields.next(), fields.next()) {
        (None, _) => true,
        (Some(f), None) => f.eq_ignore_ascii_case(b"timestamp"),
        _ => false,
    }
}

/// A line without its `\n` and an optional `\r` before it (CRLF files are common on Windows-made copies).
pub(crate) fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// A short, printable rendering of raw bytes for messages (lossy UTF-8, at most 60 characters).
pub(crate) fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}
