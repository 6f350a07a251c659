//! Writing a generated data set in the ml-latest / ml-25m CSV layout, and its planted truth as JSON.
//!
//! ratings.csv is formatted in parallel into large reused buffers (numbers by hand, no `format!` per row) and
//! written in order, so the 25M-rating file costs a few seconds. Every file is written to `NAME.tmp` and renamed
//! into place, so a cached benchmark file under its real name is always complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use super::generate::SynthData;
use super::planted::PlantedTruth;
use crate::dataset::RatingTriples;
use crate::{CoreError, Result};

/// Rows formatted per parallel chunk (about 7 MB of text).
const CHUNK_ROWS: usize = 1 << 18;
/// MovieLens-25M's first and last rating times (1995-01-09 and 2019-11-21), in Unix seconds.
const FIRST_TIMESTAMP: u64 = 789_652_009;
const LAST_TIMESTAMP: u64 = 1_574_327_703;

/// Writes `ratings.csv` (`userId,movieId,rating,timestamp`) and `movies.csv` (`movieId,title,genres`) into `dir`,
/// creating it if needed.
pub fn write_movielens_csv(dir: &Path, data: &SynthData) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
    let seed = data.truth.params.seed;
    write_atomically(&dir.join("ratings.csv"), |out| write_ratings(out, &data.triples, seed))?;
    write_atomically(&dir.join("movies.csv"), |out| {
        out.write_all(b"movieId,title,genres\n")?;
        let catalogue = &data.catalogue;
        for ((id, title), genres) in catalogue.ids.iter().zip(&catalogue.titles).zip(&catalogue.genres) {
            write!(out, "{id},")?;
            write_csv_field(out, title)?;
            if genres.is_empty() {
                out.write_all(b",(no genres listed)\n")?;
            } else {
                writeln!(out, ",{}", genres.join("|"))?;
            }
        }
        Ok(())
    })
}

/// Writes `truth.json`: genre names, each movie's genres, each user's favourite genre and taste strength, the
/// clusters and their fans (see [`PlantedTruth`]).
pub fn write_truth_json(dir: &Path, truth: &PlantedTruth) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
    write_atomically(&dir.join("truth.json"), |out| {
        serde_json::to_writer(&mut *out, &truth.file())?;
        out.write_all(b"\n")
    })
}

fn write_atomically(path: &Path, body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> Result<()> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        body(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    })()
    .and_then(|()| std::fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CoreError::io(path, e)
    })
}

/// RFC 4180: quote a field that holds a comma, a quote or a line break, doubling inner quotes.
fn write_csv_field(out: &mut impl Write, field: &str) -> std::io::Result<()> {
    if field.contains([',', '"', '\n', '\r']) {
        write!(out, "\"{}\"", field.replace('"', "\"\""))
    } else {
        out.write_all(field.as_bytes())
    }
}

fn write_ratings(out: &mut impl Write, triples: &RatingTriples, seed: u64) -> std::io::Result<()> {
    out.write_all(b"userId,movieId,rating,timestamp\n")?;
    let rows = triples.len();
    let per_window = 2 * rayon::current_num_threads();
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); per_window];
    let mut start = 0;
    while start < rows {
        let ranges: Vec<Range<usize>> = (0..per_window)
            .map(|k| (start + k * CHUNK_ROWS).min(rows)..(start + (k + 1) * CHUNK_ROWS).min(rows))
            .collect();
        buffers.par_iter_mut().zip(&ranges).for_each(|(buffer, range)| {
            buffer.clear();
            format_rows(buffer, triples, range.clone(), seed);
        });
        for buffer in &buffers {
            out.write_all(buffer)?;
        }
        start = ranges.last().map_or(rows, |r| r.end);
    }
    Ok(())
}

fn format_rows(buffer: &mut Vec<u8>, triples: &RatingTriples, rows: Range<usize>, seed: u64) {
    buffer.reserve(rows.len() * 30);
    let mut clock = UserClock::new(seed, 0);
    for i in rows {
        let (user, movie) = (triples.users[i], triples.movies[i]);
        if clock.user != user {
            clock = UserClock::new(seed, user);
        }
        push_u64(buffer, user as u64);
        buffer.push(b',');
        push_u64(buffer, movie as u64);
        buffer.push(b',');
        push_rating(buffer, triples.ratings[i]);
        buffer.push(b',');
        push_u64(buffer, clock.timestamp(movie));
        buffer.push(b'\n');
    }
}

/// A user's rating times: one active period (a single evening for half the users, up to four years for the
/// rest) somewhere in MovieLens' history, each rating at a hashed moment inside it.
struct UserClock {
    user: u32,
    seed: u64,
    start: u64,
    span: u64,
}

impl UserClock {
    fn new(seed: u64, user: u32) -> Self {
        let h = mix(seed ^ mix(user as u64 ^ 0xC10C));
        let span = if h & 1 == 0 {
            600 + (h >> 8) % (6 * 3600)
        } else {
            86_400 + (h >> 8) % (4 * 365 * 86_400)
        };
        let start = FIRST_TIMESTAMP + mix(h) % (LAST_TIMESTAMP - FIRST_TIMESTAMP - span);
        Self {
            user,
            seed,
            start,
            span,
        }
    }

    fn timestamp(&self, movie: u32) -> u64 {
        self.start + mix(self.seed ^ mix(((self.user as u64) << 32) | movie as u64)) % (self.span + 1)
    }
}

/// SplitMix64's finaliser: a cheap, well-mixed hash of a u64.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Decimal digits of `n` without going through `fmt`.
fn push_u64(buffer: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buffer.extend_from_slice(&digits[at..]);
}

/// A rating on the half-star grid as MovieLens writes it: "4.0", "3.5", "0.5".
fn push_rating(buffer: &mut Vec<u8>, rating: f32) {
    let halves = (rating * 2.0).round().clamp(0.0, 10.0) as u8;
    let whole = halves / 2;
    if whole >= 10 {
        buffer.extend_from_slice(b"10");
    } else {
        buffer.push(b'0' + whole);
    }
    buffer.extend_from_slice(if halves % 2 == 1 { b".5" } else { b".0" });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_ratings_format_like_movielens() {
        let mut b = Vec::new();
        for n in [0u64, 7, 10, 99, 1_574_327_703, u64::MAX] {
            b.clear();
            push_u64(&mut b, n);
            assert_eq!(String::from_utf8(b.clone()).unwrap(), n.to_string());
        }
        let texts: Vec<String> = [0.5f32, 1.0, 3.5, 4.0, 5.0]
            .iter()
            .map(|&r| {
                let mut b = Vec::new();
                push_rating(&mut b, r);
                String::from_utf8(b).unwrap()
            })
            .collect();
        assert_eq!(texts, ["0.5", "1.0", "3.5", "4.0", "5.0"]);
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let quoted = |s: &str| {
            let mut b = Vec::new();
            write_csv_field(&mut b, s).unwrap();
            String::from_utf8(b).unwrap()
        };
        assert_eq!(quoted("Silent Harbor (1987)"), "Silent Harbor (1987)");
        assert_eq!(quoted("Silent Harbor, The (1987)"), "\"Silent Harbor, The (1987)\"");
        assert_eq!(quoted("\"Red Night\" Spy (2001)"), "\"\"\"Red Night\"\" Spy (2001)\"");
    }

    #[test]
    fn timestamps_stay_in_movielens_history() {
        for user in 1..2000u32 {
            let clock = UserClock::new(42, user);
            for movie in [1u32, 50, 9999] {
                let t = clock.timestamp(movie);
                assert!((FIRST_TIMESTAMP..=LAST_TIMESTAMP).contains(&t));
            }
        }
    }
}
