//! Ratings files to [`RatingTriples`]: memory-mapped, split into newline-aligned chunks parsed in parallel,
//! hashed (sha256) at the same time.
//!
//! Contract:
//! - the layout comes from the content ([`super::layout`]); CRLF line ends and blank lines are accepted;
//! - every malformed line is a [`CoreError::Parse`] with its 1-based line number (header included), unless
//!   [`ReadOptions::skip_invalid`], which skips and counts it instead;
//! - a repeated (user, movie) pair keeps its LAST occurrence in file order (a later line is taken as a correction);
//!   each dropped earlier occurrence counts in [`ReadReport::duplicates`];
//! - the triples come out sorted by (user, movie), one per pair.

pub(super) mod fields;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::layout::{detect_layout, is_blank, trim_line_end, DetectedLayout};
use super::{RatingScale, RatingTriples, RatingsLayout};
use crate::{CoreError, Result};
use fields::{parse_line, Record};

#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Skip (and count) malformed lines instead of failing on the first.
    pub skip_invalid: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReadReport {
    pub path: String,
    pub layout: RatingsLayout,
    pub sha256: String,
    /// Lines in the file: header, blank and skipped lines included.
    pub lines: u64,
    /// Ratings kept (one per distinct (user, movie) pair).
    pub ratings: u64,
    /// Distinct users among the kept ratings.
    pub users: u64,
    /// Distinct movies among the kept ratings.
    pub movies: u64,
    pub skipped_invalid: u64,
    /// First few skipped-line messages (file:line: what), for the log.
    pub skipped_examples: Vec<String>,
    /// Repeated (user, movie) pairs; the last occurrence in the file wins.
    pub duplicates: u64,
    /// Lowest and highest rating kept; step 0.5 when any half star occurs, else 1.
    pub scale: RatingScale,
}

pub struct Dataset {
    pub triples: RatingTriples,
    pub report: ReadReport,
}

/// How many skipped-line messages the report keeps.
pub const MAX_SKIPPED_EXAMPLES: usize = 10;

/// Reads a MovieLens ratings file in any published layout. See the module doc for the contract.
pub fn read_ratings(path: &Path, opts: &ReadOptions) -> Result<Dataset> {
    let file = FileBytes::open(path)?;
    let bytes = file.as_slice();
    let detected = detect_layout(path, bytes)?;
    let (sha256, parsed) = rayon::join(|| hex_sha256(bytes), || parse_chunks(path, bytes, &detected, opts));
    let parsed = parsed?;
    if parsed.chunks_records.iter().all(Vec::is_empty) {
        let message = if parsed.skipped > 0 {
            format!(
                "no valid ratings: all {} data lines are malformed, first: {}",
                parsed.skipped, parsed.examples[0]
            )
        } else if detected.layout == RatingsLayout::CsvHeader {
            "no ratings after the header line".to_string()
        } else {
            "no ratings in the file".to_string()
        };
        return Err(CoreError::Dataset {
            path: path.to_path_buf(),
            message,
        });
    }
    let records_seen: usize = parsed.chunks_records.iter().map(Vec::len).sum();
    let triples = dedup_keep_last(parsed.chunks_records);
    let stats = count_distinct(&triples);
    let report = ReadReport {
        path: path.display().to_string(),
        layout: detected.layout,
        sha256,
        lines: parsed.lines,
        ratings: triples.len() as u64,
        users: stats.users,
        movies: stats.movies,
        skipped_invalid: parsed.skipped,
        skipped_examples: parsed.examples,
        duplicates: (records_seen - triples.len()) as u64,
        scale: stats.scale,
    };
    Ok(Dataset { triples, report })
}

/// The file's bytes: memory-mapped when possible (no copy of a 680 MB file), read otherwise (pipes, empty files).
enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl FileBytes {
    fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| CoreError::io(path, e))?;
        let metadata = file.metadata().map_err(|e| CoreError::io(path, e))?;
        if metadata.is_dir() {
            let message = "is a folder; expected a ratings file (ratings.dat, u.data or ratings.csv)".to_string();
            return Err(CoreError::Dataset {
                path: path.to_path_buf(),
                message,
            });
        }
        if metadata.is_file() && metadata.len() > 0 {
            // SAFETY: the map is read-only and lives only for this call; a file truncated by another process
            // meanwhile could fault, which is the documented limit of reading data sets by mapping them.
            if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
                return Ok(FileBytes::Mapped(map));
            }
        }
        std::fs::read(path)
            .map(FileBytes::Read)
            .map_err(|e| CoreError::io(path, e))
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Read(bytes) => bytes,
        }
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// What one newline-aligned chunk of the data yielded. Line numbers inside are chunk-local (0-based).
#[derive(Default)]
struct ChunkResult {
    records: Vec<Record>,
    /// Lines in the chunk (complete only when the chunk was parsed to its end).
    lines: u64,
    skipped: u64,
    /// Up to MAX_SKIPPED_EXAMPLES (local line, message) pairs; with `skip_invalid` off, the first error.
    problems: Vec<(u64, String)>,
}

struct Parsed {
    chunks_records: Vec<Vec<Record>>,
    lines: u64,
    skipped: u64,
    examples: Vec<String>,
}

fn parse_chunks(path: &Path, bytes: &[u8], detected: &DetectedLayout, opts: &ReadOptions) -> Result<Parsed> {
    let bounds = chunk_bounds(bytes, detected.data_start);
    // With skip_invalid off, chunks after the first failed one need not finish.
    let first_failed = AtomicUsize::new(usize::MAX);
    let results: Vec<ChunkResult> = bounds
        .par_iter()
        .enumerate()
        .map(|(index, &(start, end))| {
            parse_chunk(
                &bytes[start..end],
                detected.layout,
                opts.skip_invalid,
                index,
                &first_failed,
            )
        })
        .collect();

    let mut line_base = detected.lines_before_data;
    let mut parsed = Parsed {
        chunks_records: Vec::new(),
        lines: 0,
        skipped: 0,
        examples: Vec::new(),
    };
    for result in results {
        if !opts.skip_invalid {
            if let Some((local, message)) = result.problems.into_iter().next() {
                return Err(parse_error(path, line_base + local + 1, message));
            }
        } else {
            for (local, message) in result.problems {
                if parsed.examples.len() < MAX_SKIPPED_EXAMPLES {
                    parsed
                        .examples
                        .push(parse_error(path, line_base + local + 1, message).to_string());
                }
            }
        }
        line_base += result.lines;
        parsed.skipped += result.skipped;
        parsed.chunks_records.push(result.records);
    }
    parsed.lines = line_base;
    Ok(parsed)
}

fn parse_error(path: &Path, line: u64, message: String) -> CoreError {
    CoreError::Parse {
        path: PathBuf::from(path),
        line,
        message,
    }
}

/// Splits `bytes[start..]` into ranges that each end just after a newline (the last may end at EOF).
fn chunk_bounds(bytes: &[u8], start: usize) -> Vec<(usize, usize)> {
    let threads = rayon::current_num_threads().max(1);
    // Several chunks per thread balance the load; 8 MiB caps the per-chunk buffer, 256 KiB the overhead.
    let target = ((bytes.len() - start) / (threads * 4)).clamp(256 << 10, 8 << 20);
    let mut bounds = Vec::new();
    let mut from = start;
    while from < bytes.len() {
        let guess = (from + target).min(bytes.len());
        let end = match memchr::memchr(b'\n', &bytes[guess..]) {
            Some(i) if guess < bytes.len() => guess + i + 1,
            _ => bytes.len(),
        };
        bounds.push((from, end));
        from = end;
    }
    bounds
}

fn parse_chunk(
    chunk: &[u8],
    layout: RatingsLayout,
    skip_invalid: bool,
    index: usize,
    first_failed: &AtomicUsize,
) -> ChunkResult {
    // Real ratings lines are 10-30 bytes; over-reserving a little avoids regrowing.
    let mut out = ChunkResult {
        records: Vec::with_capacity(chunk.len() / 12 + 1),
        ..Default::default()
    };
    let mut pos = 0;
    while pos < chunk.len() {
        if !skip_invalid && out.lines & 4095 == 0 && first_failed.load(Ordering::Relaxed) < index {
            return out;
        }
        let end = memchr::memchr(b'\n', &chunk[pos..]).map_or(chunk.len(), |i| pos + i + 1);
        let line = trim_line_end(&chunk[pos..end]);
        let local = out.lines;
        out.lines += 1;
        pos = end;
        if line.is_empty() || (line[0].is_ascii_whitespace() && is_blank(line)) {
            continue;
        }
        match parse_line(line, layout) {
            Ok(record) => out.records.push(record),
            Err(message) => {
                if !skip_invalid {
                    out.problems.push((local, message));
                    first_failed.fetch_min(index, Ordering::Relaxed);
                    return out;
                }
                out.skipped += 1;
                if out.problems.len() < MAX_SKIPPED_EXAMPLES {
                    out.problems.push((local, message));
                }
            }
        }
    }
    out
}

/// Sorts records by (user, movie) keeping file order among equal pairs, then keeps the last of each pair.
///
/// Users are grouped by a counting sort (linear; MovieLens user ids are dense) unless the ids are too sparse
/// for a count array, then a stable parallel sort does the same job.
fn dedup_keep_last(chunks: Vec<Vec<Record>>) -> RatingTriples {
    let total: usize = chunks.iter().map(Vec::len).sum();
    let max_user = chunks.iter().flatten().map(|r| r.user).max().unwrap_or(0) as usize;
    let mut sorted: Vec<Record>;
    // The count array costs 8 bytes per possible user id: allow it up to the size of the records themselves.
    if max_user <= total.max(1 << 20) {
        let mut starts = vec![0usize; max_user + 2];
        for record in chunks.iter().flatten() {
            starts[record.user as usize + 1] += 1;
        }
        for u in 1..starts.len() {
            starts[u] += starts[u - 1];
        }
        sorted = vec![Record::default(); total];
        for record in chunks.into_iter().flatten() {
            let slot = &mut starts[record.user as usize];
            sorted[*slot] = record;
            *slot += 1;
        }
        // Stable: equal movies of one user stay in file order.
        sorted
            .par_chunk_by_mut(|a, b| a.user == b.user)
            .for_each(|group| group.sort_by_key(|r| r.movie));
    } else {
        sorted = chunks.into_iter().flatten().collect();
        sorted.par_sort_by_key(|r| (r.user, r.movie));
    }

    let mut triples = RatingTriples::with_capacity(total);
    for (i, record) in sorted.iter().enumerate() {
        let superseded = sorted
            .get(i + 1)
            .is_some_and(|next| next.user == record.user && next.movie == record.movie);
        if !superseded {
            triples.push(record.user, record.movie, f32::from(record.half_stars) * 0.5);
        }
    }
    triples
}

pub(super) struct DistinctStats {
    pub(super) users: u64,
    pub(super) movies: u64,
    pub(super) scale: RatingScale,
}

/// Distinct users and movies of sorted, deduplicated triples, and the rating scale they use.
pub(super) fn count_distinct(triples: &RatingTriples) -> DistinctStats {
    let users = 1 + triples.users.windows(2).filter(|w| w[0] != w[1]).count() as u64;
    let max_movie = triples.movies.iter().copied().max().unwrap_or(0) as usize;
    let movies = if max_movie < (1 << 28) {
        let mut seen = vec![0u64; max_movie / 64 + 1];
        for &m in &triples.movies {
            seen[m as usize / 64] |= 1 << (m % 64);
        }
        seen.iter().map(|w| u64::from(w.count_ones())).sum()
    } else {
        let mut ids = triples.movies.clone();
        ids.par_sort_unstable();
        ids.dedup();
        ids.len() as u64
    };
    let (mut min, mut max, mut has_half) = (f32::MAX, f32::MIN, false);
    for &r in &triples.ratings {
        min = min.min(r);
        max = max.max(r);
        has_half |= r.fract() != 0.0;
    }
    DistinctStats {
        users,
        movies,
        scale: RatingScale {
            min,
            max,
            step: if has_half { 0.5 } else { 1.0 },
        },
    }
}
