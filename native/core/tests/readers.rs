//! Ratings and movies readers on the hand-written fixtures (one folder per MovieLens layout, plus `bad/`), on
//! generated inputs (chunk boundaries, sparse ids, fuzzed lines) and on the real files in ../shared/movielens.

mod common;

use common::shared;
use std::path::{Path, PathBuf};
use std::time::Instant;

use movierec_core::dataset::{
    find_movies_file, read_movies, read_movies_beside, read_ratings, RatingScale, RatingTriples, RatingsLayout,
    ReadOptions,
};
use movierec_core::CoreError;
use proptest::prelude::*;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

const STRICT: ReadOptions = ReadOptions { skip_invalid: false };
const SKIP: ReadOptions = ReadOptions { skip_invalid: true };

/// Expected triples given in file order, returned in the reader's (user, movie) order.
fn sorted(rows: &[(u32, u32, f32)]) -> RatingTriples {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| (r.0, r.1));
    let mut t = RatingTriples::default();
    for (u, m, r) in rows {
        t.push(u, m, r);
    }
    t
}

fn parse_error(path: &Path, opts: &ReadOptions) -> (u64, String) {
    match read_ratings(path, opts) {
        Err(CoreError::Parse { path: p, line, message }) => {
            assert_eq!(p, path);
            (line, message)
        }
        Err(other) => panic!("expected a parse error, got {other}"),
        Ok(d) => panic!("expected a parse error, got {} ratings", d.triples.len()),
    }
}

fn dataset_error(path: &Path) -> String {
    match read_ratings(path, &STRICT) {
        Err(e @ CoreError::Dataset { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains(&path.display().to_string()),
                "error does not name the file: {text}"
            );
            assert_eq!(e.code(), "DATASET_ERROR");
            text
        }
        Err(other) => panic!("expected a dataset error, got {other}"),
        Ok(d) => panic!("expected a dataset error, got {} ratings", d.triples.len()),
    }
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

// ---------------------------------------------------------------- each layout, exact triples

#[test]
fn csv_with_header_crlf_and_half_stars() {
    let path = fixture("ml-latest/ratings.csv");
    let data = read_ratings(&path, &STRICT).unwrap();
    #[rustfmt::skip]
    let expected = sorted(&[
        (1, 1, 4.0), (1, 2, 3.5), (1, 48, 4.5), (1, 4306, 5.0), (1, 356, 4.0), (1, 296, 2.0), (1, 858, 1.5),
        (2, 1, 5.0), (2, 48, 4.0), (2, 4306, 4.5), (2, 2, 4.0), (2, 356, 3.5), (2, 593, 2.0),
        (3, 296, 5.0), (3, 318, 4.5), (3, 593, 5.0), (3, 858, 5.0), (3, 2571, 4.0), (3, 1, 2.0), (3, 73, 4.0),
        (4, 296, 4.5), (4, 858, 4.5), (4, 593, 4.0), (4, 318, 5.0), (4, 7789, 3.5), (4, 4306, 1.0),
        (5, 1196, 5.0), (5, 2571, 4.5), (5, 356, 4.0), (5, 318, 4.0), (5, 1, 3.0),
        (6, 1196, 4.5), (6, 2571, 5.0), (6, 296, 4.0), (6, 593, 3.5), (6, 48, 1.0), (6, 122, 2.5),
        (7, 356, 5.0), (7, 318, 5.0), (7, 73, 4.5), (7, 1, 4.0), (7, 7789, 3.0), (7, 2, 2.5),
        (8, 4306, 4.0), (8, 1, 4.5), (8, 2, 4.0), (8, 48, 3.5), (8, 1196, 3.0), (8, 2571, 3.5), (8, 122, 0.5),
    ]);
    assert_eq!(data.triples, expected);
    let r = &data.report;
    assert_eq!(r.layout, RatingsLayout::CsvHeader);
    assert_eq!((r.lines, r.ratings, r.users, r.movies), (51, 50, 8, 14));
    assert_eq!((r.duplicates, r.skipped_invalid), (0, 0));
    assert_eq!(
        r.scale,
        RatingScale {
            min: 0.5,
            max: 5.0,
            step: 0.5
        }
    );
    assert_eq!(r.path, path.display().to_string());
    assert_eq!(r.sha256.len(), 64);
}

#[test]
fn double_colon_with_three_fields() {
    let data = read_ratings(&fixture("ml-1m/ratings.dat"), &STRICT).unwrap();
    #[rustfmt::skip]
    let expected = sorted(&[
        (1, 1193, 5.0), (1, 73, 4.0), (1, 1, 5.0), (1, 527, 5.0), (1, 2, 3.0),
        (2, 1, 4.0), (2, 260, 5.0), (2, 296, 3.0), (2, 318, 5.0), (2, 356, 4.0),
        (3, 73, 5.0), (3, 3, 2.0), (3, 527, 4.0), (3, 1193, 4.0),
        (4, 260, 5.0), (4, 296, 5.0), (4, 318, 4.0), (4, 2, 1.0), (4, 356, 3.0),
        (5, 1, 3.0), (5, 3, 4.0), (5, 356, 5.0), (5, 527, 2.0),
        (6, 296, 4.0), (6, 1193, 3.0), (6, 73, 3.0), (6, 260, 4.0), (6, 318, 5.0),
    ]);
    assert_eq!(data.triples, expected);
    let r = &data.report;
    assert_eq!(r.layout, RatingsLayout::DoubleColon);
    assert_eq!((r.lines, r.ratings, r.users, r.movies), (28, 28, 6, 10));
    assert_eq!(
        r.scale,
        RatingScale {
            min: 1.0,
            max: 5.0,
            step: 1.0
        }
    );
}

#[test]
fn double_colon_with_four_fields_and_half_stars() {
    let data = read_ratings(&fixture("ml-10m/ratings.dat"), &STRICT).unwrap();
    #[rustfmt::skip]
    let expected = sorted(&[
        (1, 122, 5.0), (1, 185, 4.5), (1, 231, 5.0), (1, 292, 3.5), (1, 316, 5.0),
        (2, 110, 4.5), (2, 151, 3.0), (2, 260, 5.0), (2, 376, 3.0), (2, 539, 2.5),
        (3, 110, 4.0), (3, 185, 2.0), (3, 231, 3.5), (3, 292, 4.0), (3, 4973, 5.0),
        (4, 151, 4.0), (4, 260, 4.5), (4, 316, 3.0), (4, 539, 1.5), (4, 4973, 4.5),
        (5, 122, 0.5), (5, 110, 5.0), (5, 376, 4.0), (5, 231, 1.0),
        (7, 260, 3.0), (7, 292, 2.5), (7, 4973, 5.0), (7, 185, 3.5),
    ]);
    assert_eq!(data.triples, expected);
    let r = &data.report;
    assert_eq!(r.layout, RatingsLayout::DoubleColon);
    assert_eq!((r.ratings, r.users, r.movies), (28, 6, 11));
    assert_eq!(
        r.scale,
        RatingScale {
            min: 0.5,
            max: 5.0,
            step: 0.5
        }
    );
}

#[test]
fn tab_separated_u_data() {
    let data = read_ratings(&fixture("ml-100k/u.data"), &STRICT).unwrap();
    #[rustfmt::skip]
    let expected = sorted(&[
        (1, 1, 5.0), (1, 2, 3.0), (1, 7, 4.0), (1, 11, 5.0), (1, 9, 4.0),
        (2, 1, 4.0), (2, 3, 2.0), (2, 4, 4.0), (2, 8, 5.0), (2, 10, 3.0),
        (3, 5, 3.0), (3, 6, 4.0), (3, 7, 5.0), (3, 9, 5.0), (3, 11, 4.0),
        (4, 2, 4.0), (4, 4, 3.0), (4, 8, 4.0), (4, 10, 2.0), (4, 1, 3.0),
        (5, 3, 1.0), (5, 5, 4.0), (5, 6, 2.0), (5, 11, 3.0),
        (6, 7, 4.0), (6, 8, 5.0), (6, 9, 3.0), (6, 2, 2.0),
    ]);
    assert_eq!(data.triples, expected);
    let r = &data.report;
    assert_eq!(r.layout, RatingsLayout::Tab);
    assert_eq!((r.ratings, r.users, r.movies), (28, 6, 11));
}

#[test]
fn layout_comes_from_content_not_name() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], RatingsLayout); 4] = [
        ("ratings.csv", b"1::2::3\n", RatingsLayout::DoubleColon),
        ("u.data", b"userId,movieId,rating\n1,2,3\n", RatingsLayout::CsvHeader),
        ("ratings.dat", b"1\t2\t3\n", RatingsLayout::Tab),
        (
            "whatever",
            b"\xEF\xBB\xBF\r\n\nUSERID,MovieId,Rating,Timestamp\r\n1,2,3,4\r\n\r\n\r\n",
            RatingsLayout::CsvHeader,
        ),
    ];
    for (name, bytes, layout) in cases {
        let data = read_ratings(&write_temp(&dir, name, bytes), &STRICT).unwrap();
        assert_eq!(data.report.layout, layout, "{name}");
        assert_eq!(data.triples, sorted(&[(1, 2, 3.0)]), "{name}");
    }
}

#[test]
fn line_numbers_count_header_blank_and_crlf_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "r.csv", b"\r\nuserId,movieId,rating\r\n1,2,3\r\n\r\n1,3,x\r\n");
    let (line, message) = parse_error(&path, &STRICT);
    assert_eq!(line, 5);
    assert!(message.contains("rating 'x' is not a number"), "{message}");
}

// ---------------------------------------------------------------- bad inputs, one class each

#[test]
fn empty_and_header_only_files_are_dataset_errors() {
    assert!(dataset_error(&fixture("bad/empty.dat")).contains("file is empty"));
    assert!(dataset_error(&fixture("bad/header_only.csv")).contains("no ratings after the header"));
    let dir = tempfile::tempdir().unwrap();
    assert!(dataset_error(&write_temp(&dir, "blank.dat", b"\n \r\n\n")).contains("only blank lines"));
}

#[test]
fn unknown_separator_names_the_expected_layouts() {
    let message = dataset_error(&fixture("bad/unknown_separator.txt"));
    assert!(message.contains("unknown layout"), "{message}");
    assert!(message.contains("'1;10;4.0'"), "{message}");
    assert!(message.contains("userId,movieId,rating"), "{message}");
    assert!(message.contains("::"), "{message}");
}

#[test]
fn csv_without_ratings_header_is_a_dataset_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(dataset_error(&write_temp(&dir, "a.csv", b"1,2,3.5,0\n")).contains("without a header"));
    assert!(dataset_error(&write_temp(&dir, "b.csv", b"user,item,score\n1,2,3\n")).contains("unrecognised CSV header"));
    let movies = dataset_error(&fixture("ml-latest/movies.csv"));
    assert!(movies.contains("looks like a movies file"), "{movies}");
}

#[test]
fn missing_file_and_folder() {
    let missing = fixture("bad/no_such_file.dat");
    assert!(matches!(read_ratings(&missing, &STRICT), Err(CoreError::Io { .. })));
    assert!(dataset_error(&fixture("bad")).contains("is a folder"));
}

#[test]
fn non_numeric_field() {
    let (line, message) = parse_error(&fixture("bad/non_numeric.dat"), &STRICT);
    assert_eq!(line, 6);
    assert_eq!(message, "movie id 'abc' is not a positive integer");
    let data = read_ratings(&fixture("bad/non_numeric.dat"), &SKIP).unwrap();
    assert_eq!((data.report.skipped_invalid, data.report.ratings), (1, 6));
}

#[test]
fn rating_out_of_range_and_off_step() {
    let path = fixture("bad/rating_out_of_range.csv");
    let (line, message) = parse_error(&path, &STRICT);
    assert_eq!((line, message.as_str()), (4, "rating 5.5 is outside [0.5, 5.0]"));
    let data = read_ratings(&path, &SKIP).unwrap();
    assert_eq!(
        (data.report.skipped_invalid, data.report.ratings, data.report.lines),
        (2, 4, 7)
    );
    let shown = path.display();
    assert_eq!(
        data.report.skipped_examples,
        vec![
            format!("{shown}:4: rating 5.5 is outside [0.5, 5.0]"),
            format!("{shown}:7: rating 0 is outside [0.5, 5.0]")
        ]
    );
    assert_eq!(
        data.triples,
        sorted(&[(1, 10, 4.0), (1, 20, 3.5), (2, 20, 1.0), (3, 10, 4.5)])
    );

    let (line, message) = parse_error(&fixture("bad/not_half_step.csv"), &STRICT);
    assert_eq!((line, message.as_str()), (3, "rating 3.7 is not a multiple of 0.5"));
}

#[test]
fn duplicates_keep_the_last_occurrence() {
    let data = read_ratings(&fixture("bad/duplicates.dat"), &STRICT).unwrap();
    // (1,10): 3 then 5; (2,20): 1, 2, then 4.
    assert_eq!(
        data.triples,
        sorted(&[(1, 10, 5.0), (1, 20, 4.0), (2, 20, 4.0), (3, 30, 4.0)])
    );
    assert_eq!(
        (
            data.report.duplicates,
            data.report.ratings,
            data.report.users,
            data.report.movies
        ),
        (3, 4, 3, 3)
    );
}

#[test]
fn mixed_separators_fail_at_the_first_foreign_line() {
    let path = fixture("bad/mixed_separators.dat");
    let (line, message) = parse_error(&path, &STRICT);
    assert_eq!(line, 4);
    assert!(
        message.contains("expected 3 or 4 fields separated by '::', found 1"),
        "{message}"
    );
    let data = read_ratings(&path, &SKIP).unwrap();
    assert_eq!((data.report.skipped_invalid, data.report.ratings), (2, 5));
    assert!(data.report.skipped_examples[1].contains(":6: expected 3 or 4 fields"));
}

#[test]
fn bad_utf8_and_wrong_field_counts() {
    let (line, message) = parse_error(&fixture("bad/bad_utf8.dat"), &STRICT);
    assert_eq!(line, 3);
    assert!(message.contains("not valid UTF-8"), "{message}");

    let path = fixture("bad/wrong_field_count.tsv");
    let (line, message) = parse_error(&path, &STRICT);
    assert_eq!(line, 2);
    assert!(message.contains("separated by tabs, found 5"), "{message}");
    let data = read_ratings(&path, &SKIP).unwrap();
    assert_eq!((data.report.skipped_invalid, data.report.ratings), (2, 1));
    assert!(data.report.skipped_examples[1].contains(":3: expected 3 or 4 fields separated by tabs, found 2"));
}

#[test]
fn ids_must_be_positive_u32s() {
    let path = fixture("bad/zero_and_huge_ids.csv");
    let (line, message) = parse_error(&path, &STRICT);
    assert_eq!((line, message.as_str()), (2, "user id 0 is not valid (ids start at 1)"));
    let data = read_ratings(&path, &SKIP).unwrap();
    assert_eq!(data.report.skipped_invalid, 4);
    let examples = &data.report.skipped_examples;
    assert!(
        examples[1].ends_with(":3: movie id 99999999999 is too large (at most 4294967295)"),
        "{examples:?}"
    );
    assert!(
        examples[2].ends_with(":4: movie id '-5' is not a positive integer"),
        "{examples:?}"
    );
    assert!(examples[3].ends_with(":5: movie id is empty"), "{examples:?}");
    assert_eq!(data.triples, sorted(&[(2, 10, 4.0)]));
}

#[test]
fn all_lines_invalid_is_a_dataset_error_even_when_skipping() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "r.dat", b"1::x::3\n2::y::4\n");
    match read_ratings(&path, &SKIP) {
        Err(CoreError::Dataset { message, .. }) => {
            assert!(message.contains("all 2 data lines are malformed"), "{message}")
        }
        other => panic!("unexpected {:?}", other.map(|d| d.report)),
    }
}

#[test]
fn skipped_examples_keep_only_the_first_ten() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("1::1::1\n");
    for i in 0..25 {
        text.push_str(&format!("{}::bad::1\n", i + 2));
    }
    let data = read_ratings(&write_temp(&dir, "r.dat", text.as_bytes()), &SKIP).unwrap();
    assert_eq!(data.report.skipped_invalid, 25);
    assert_eq!(data.report.skipped_examples.len(), 10);
    assert!(data.report.skipped_examples[9].contains(":11: movie id 'bad'"));
}

// ---------------------------------------------------------------- generated: chunks, sparse ids, sha256

/// A ~3.5 MB file is parsed in several chunks; line numbers, duplicates and skipping must not notice.
#[test]
fn errors_and_duplicates_across_chunk_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("userId,movieId,rating,timestamp\n");
    let n = 200_000u32;
    for i in 0..n {
        text.push_str(&format!("{},{},{}.5,1234567890\n", i % 5000 + 1, i / 5000 + 1, i % 5));
    }
    text.push_str("1,1,2.0,1\n"); // a late correction of (1, 1) at line n + 2
    let good = write_temp(&dir, "good.csv", text.as_bytes());
    let data = read_ratings(&good, &STRICT).unwrap();
    assert_eq!(
        (
            data.report.ratings,
            data.report.duplicates,
            data.report.users,
            data.report.movies
        ),
        (200_000, 1, 5000, 40)
    );
    assert_eq!(
        (data.triples.users[0], data.triples.movies[0], data.triples.ratings[0]),
        (1, 1, 2.0)
    );

    let mut lines: Vec<&str> = text.lines().collect();
    for &at in &[150_001usize, 30_000, 199_999] {
        lines[at - 1] = "9,9,9,9";
    }
    let bad = write_temp(&dir, "bad.csv", (lines.join("\n") + "\n").as_bytes());
    let (line, message) = parse_error(&bad, &STRICT);
    assert_eq!((line, message.as_str()), (30_000, "rating 9 is outside [0.5, 5.0]"));
    let skipped = read_ratings(&bad, &SKIP).unwrap();
    assert_eq!(skipped.report.skipped_invalid, 3);
    let at: Vec<bool> = [":30000:", ":150001:", ":199999:"]
        .iter()
        .zip(&skipped.report.skipped_examples)
        .map(|(line, example)| example.contains(line))
        .collect();
    assert_eq!(at, vec![true; 3], "{:?}", skipped.report.skipped_examples);
}

#[test]
fn sparse_user_ids_take_the_sorting_path() {
    let dir = tempfile::tempdir().unwrap();
    let text = "4000000000::7::1\n3::7::2\n4000000000::5::3\n4000000000::7::4\n";
    let data = read_ratings(&write_temp(&dir, "r.dat", text.as_bytes()), &STRICT).unwrap();
    assert_eq!(
        data.triples,
        sorted(&[(3, 7, 2.0), (4_000_000_000, 5, 3.0), (4_000_000_000, 7, 4.0)])
    );
    assert_eq!(
        (data.report.duplicates, data.report.users, data.report.movies),
        (1, 2, 2)
    );
}

#[test]
fn sha256_matches_the_published_checksum() {
    let data = read_ratings(&shared("ml-latest-small/ratings.csv"), &STRICT).unwrap();
    assert_eq!(
        data.report.sha256,
        "aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646"
    );
}

// ---------------------------------------------------------------- fuzzing: never a panic

/// Line-level mutations of valid lines: bytes replaced, inserted, removed; fields emptied, huge or doubled.
fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
    let valid = (1u32..5000, 1u32..5000, 1u8..=10).prop_map(|(u, m, h)| format!("{u}::{m}::{}", f32::from(h) / 2.0));
    (valid, prop::collection::vec((0usize..40, any::<u8>(), 0u8..6), 1..4)).prop_map(|(line, edits)| {
        let mut bytes = line.into_bytes();
        for (at, byte, kind) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 => bytes.insert(at, byte),
                1 if at < bytes.len() => bytes[at] = byte,
                2 if at < bytes.len() => {
                    bytes.remove(at);
                }
                3 => bytes
                    .splice(at..at, b"99999999999999999999".iter().copied())
                    .for_each(drop),
                4 => bytes.splice(at..at, b"::".iter().copied()).for_each(drop),
                _ => bytes
                    .splice(
                        at..at,
                        [b'\t', b',', b'\r', 0xC3].into_iter().take(usize::from(byte % 4) + 1),
                    )
                    .for_each(drop),
            }
        }
        bytes.retain(|&b| b != b'\n');
        bytes
    })
}

proptest! {
    // No regression files in the source tree: a failing case is printed in full instead.
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// A file of valid lines with some mutated ones: a strict read fails on a mutated line (never elsewhere) or
    /// succeeds; a skipping read always succeeds and accounts for every line.
    #[test]
    fn mutated_lines_never_panic_and_errors_point_at_a_mutated_line(
        lines in prop::collection::vec((any::<bool>(), mutated_line(), 1u32..50, 1u32..50), 1..40)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = b"1::1::5\n".to_vec();
        let mut mutated = Vec::new();
        for (i, (mutate, bad, user, movie)) in lines.iter().enumerate() {
            if *mutate {
                text.extend_from_slice(bad);
                mutated.push(i as u64 + 2);
            } else {
                text.extend_from_slice(format!("{user}::{movie}::3").as_bytes());
            }
            text.push(b'\n');
        }
        let path = write_temp(&dir, "r.dat", &text);
        match read_ratings(&path, &STRICT) {
            Ok(data) => prop_assert!(data.report.ratings >= 1),
            Err(CoreError::Parse { line, .. }) => prop_assert!(mutated.contains(&line), "line {} not mutated", line),
            Err(other) => prop_assert!(false, "unexpected error {}", other),
        }
        let data = read_ratings(&path, &SKIP).unwrap();
        let r = &data.report;
        prop_assert!(r.skipped_invalid <= mutated.len() as u64);
        prop_assert!(r.ratings + r.duplicates + r.skipped_invalid <= r.lines);
        prop_assert_eq!(r.lines, lines.len() as u64 + 1);
    }

    /// Arbitrary bytes: an answer, never a panic; a parse error names a line of the file.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), skip in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = write_temp(&dir, "r", &bytes);
        let line_count = bytes.split(|&b| b == b'\n').count() as u64;
        match read_ratings(&path, &ReadOptions { skip_invalid: skip }) {
            Ok(data) => prop_assert!(data.report.ratings >= 1),
            Err(CoreError::Parse { line, .. }) => prop_assert!(line >= 1 && line <= line_count),
            Err(CoreError::Dataset { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {}", other),
        }
    }

    /// Bytes shaped like each layout's lines (digits and separators), so layout detection succeeds more often.
    #[test]
    fn layout_shaped_noise_never_panics(
        header in prop::sample::select(vec!["", "userId,movieId,rating,timestamp\n"]),
        body in prop::collection::vec(prop::sample::select(b"0123456789.:,\t\r\n-5".to_vec()), 0..300),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = header.as_bytes().to_vec();
        bytes.extend_from_slice(&body);
        let path = write_temp(&dir, "r", &bytes);
        let _ = read_ratings(&path, &STRICT);
        let _ = read_ratings(&path, &SKIP);
    }
}

// ---------------------------------------------------------------- movies files

#[test]
fn movies_dat_in_latin1() {
    let catalogue = read_movies(&fixture("ml-1m/movies.dat")).unwrap();
    assert_eq!(catalogue.len(), 11);
    assert_eq!(catalogue.title_of(73), Some("Misérables, Les (1995)"));
    assert_eq!(catalogue.title_of(582), Some("Métisse (Café au Lait) (1993)"));
    assert_eq!(catalogue.genres_of(1).unwrap(), ["Animation", "Children's", "Comedy"]);
    assert_eq!(catalogue.title_of(4), None);
}

#[test]
fn movies_dat_in_utf8_with_no_genres_listed() {
    let catalogue = read_movies(&fixture("ml-10m/movies.dat")).unwrap();
    assert_eq!(catalogue.len(), 12);
    assert_eq!(
        catalogue.title_of(4973),
        Some("Fabuleux destin d'Amélie Poulain, Le (Amelie) (2001)")
    );
    assert_eq!(catalogue.genres_of(8606).unwrap(), [] as [String; 0]);
}

#[test]
fn u_item_with_genre_flags_and_u_genre() {
    let catalogue = read_movies(&fixture("ml-100k/u.item")).unwrap();
    assert_eq!(catalogue.len(), 12);
    assert_eq!(catalogue.title_of(11), Some("Cité des enfants perdus, La (1995)"));
    assert_eq!(catalogue.genres_of(1).unwrap(), ["Animation", "Children's", "Comedy"]);
    assert_eq!(catalogue.genres_of(10).unwrap(), ["Drama", "War"]);
    assert!(
        catalogue.genres_of(267).unwrap().is_empty(),
        "the 'unknown' genre is no genre"
    );

    // Without u.genre beside it, the standard ml-100k names apply.
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("u.item");
    std::fs::copy(fixture("ml-100k/u.item"), &alone).unwrap();
    assert_eq!(read_movies(&alone).unwrap(), catalogue);
}

#[test]
fn movies_csv_with_quoted_titles_sorted_by_id() {
    let catalogue = read_movies(&fixture("ml-latest/movies.csv")).unwrap();
    assert_eq!(catalogue.len(), 16);
    assert!(
        catalogue.ids.windows(2).all(|w| w[0] < w[1]),
        "ids sorted: {:?}",
        catalogue.ids
    );
    assert_eq!(catalogue.title_of(73), Some("Misérables, Les (1995)"));
    assert_eq!(catalogue.title_of(122), Some("Fixture, The \"Untitled\" Cut (2018)"));
    assert!(catalogue.genres_of(122).unwrap().is_empty());
    assert_eq!(catalogue.title_of(7789), Some("11'09\"01 - September 11 (2002)"));
    assert_eq!(catalogue.genres_of(593).unwrap(), ["Crime", "Horror", "Thriller"]);
}

#[test]
fn malformed_movies_files_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], u64, &str); 4] = [
        ("movies.dat", b"1::A (1995)::Drama\n2::B (1996)\n", 2, "found 2 fields"),
        (
            "movies.csv",
            b"movieId,title,genres\n1,\"Open (1995),Drama\n",
            2,
            "never closed",
        ),
        (
            "movies2.csv",
            b"movieId,title,genres\n1,A,Drama\nx,B,Drama\n",
            3,
            "movie id 'x'",
        ),
        (
            "u.item",
            b"1|A (1995)|01-Jan-1995||url|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1\n\
              2|B (1996)|01-Jan-1996||url|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|2\n",
            2,
            "genre flag '2'",
        ),
    ];
    for (name, bytes, expected_line, expected_message) in cases {
        match read_movies(&write_temp(&dir, name, bytes)) {
            Err(CoreError::Parse { line, message, .. }) => {
                assert_eq!(line, expected_line, "{name}: {message}");
                assert!(message.contains(expected_message), "{name}: {message}");
            }
            other => panic!("{name}: expected a parse error, got {other:?}"),
        }
    }
    let empty = read_movies(&write_temp(&dir, "empty.dat", b"\n")).unwrap_err();
    assert!(empty.to_string().contains("movies file is empty"), "{empty}");
    for text in [
        &b"1;A;Drama\n"[..],
        b"1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy|Romance\n",
    ] {
        let unknown = read_movies(&write_temp(&dir, "x.txt", text)).unwrap_err();
        assert!(unknown.to_string().contains("unknown movies layout"), "{unknown}");
    }
}

#[test]
fn movies_file_beside_ratings_prefers_the_matching_layout() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["movies.csv", "movies.dat", "u.item"] {
        std::fs::write(dir.path().join(name), b"").unwrap();
    }
    let cases: [(&str, &[u8], &str); 4] = [
        ("ratings.dat", b"1::2::3\n", "movies.dat"),
        ("ratings.txt", b"1\t2\t3\t4\n", "u.item"),
        ("odd.dat", b"userId,movieId,rating\n1,2,3\n", "movies.csv"),
        ("unreadable.bin", b";;;\n", "movies.csv"),
    ];
    for (ratings, bytes, movies) in cases {
        let path = write_temp(&dir, ratings, bytes);
        assert_eq!(find_movies_file(&path), Some(dir.path().join(movies)), "{ratings}");
    }
    assert_eq!(
        find_movies_file(&fixture("ml-10m/ratings.dat")),
        Some(fixture("ml-10m/movies.dat"))
    );
}

#[test]
fn missing_movies_file_is_none() {
    assert_eq!(find_movies_file(&fixture("bad/duplicates.dat")), None);
    assert_eq!(read_movies_beside(&fixture("bad/duplicates.dat")).unwrap(), None);
    let beside = read_movies_beside(&fixture("ml-100k/u.data")).unwrap().unwrap();
    assert_eq!(beside.title_of(11), Some("Cité des enfants perdus, La (1995)"));
}

// ---------------------------------------------------------------- the real files

#[test]
fn real_ml_1m_ratings_and_movies() {
    let path = shared("ml-1m/ratings.dat");
    let started = Instant::now();
    let data = read_ratings(&path, &STRICT).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "ml-1m ratings.dat (13.5 MB, 1,000,209 lines): parsed + sha256 in {:.1} ms",
        seconds * 1e3
    );
    let r = &data.report;
    assert_eq!(r.layout, RatingsLayout::DoubleColon);
    assert_eq!(
        (r.lines, r.ratings, r.users, r.movies),
        (1_000_209, 1_000_209, 6_040, 3_706)
    );
    assert_eq!((r.duplicates, r.skipped_invalid), (0, 0));
    assert_eq!(
        r.scale,
        RatingScale {
            min: 1.0,
            max: 5.0,
            step: 1.0
        }
    );
    // First line of the file is 1::1193::5; user 1 rated 53 movies, the lowest id being 1 (rating 5).
    assert_eq!(
        (data.triples.users[0], data.triples.movies[0], data.triples.ratings[0]),
        (1, 1, 5.0)
    );
    assert_eq!(data.triples.users.iter().take_while(|&&u| u == 1).count(), 53);
    let sum: f64 = data.triples.ratings.iter().map(|&r| f64::from(r)).sum();
    assert!(
        (sum / 1_000_209.0 - 3.581_564).abs() < 1e-5,
        "mean rating {}",
        sum / 1_000_209.0
    );

    let movies = read_movies_beside(&path).unwrap().unwrap();
    assert_eq!(movies.len(), 3_883);
    assert_eq!(movies.title_of(73), Some("Misérables, Les (1995)"));
    assert_eq!(movies.title_of(1), Some("Toy Story (1995)"));
}

#[test]
fn real_ml_latest_small_ratings_and_movies() {
    let path = shared("ml-latest-small/ratings.csv");
    let data = read_ratings(&path, &STRICT).unwrap();
    let r = &data.report;
    assert_eq!(r.layout, RatingsLayout::CsvHeader);
    assert_eq!((r.lines, r.ratings, r.users, r.movies), (100_837, 100_836, 610, 9_724));
    assert_eq!(
        r.scale,
        RatingScale {
            min: 0.5,
            max: 5.0,
            step: 0.5
        }
    );

    let movies = read_movies_beside(&path).unwrap().unwrap();
    assert_eq!(movies.len(), 9_742);
    assert_eq!(movies.title_of(73), Some("Misérables, Les (1995)"));
    assert_eq!(movies.title_of(7789), Some("11'09\"01 - September 11 (2002)"));
    assert!(
        movies.genres.iter().filter(|g| g.is_empty()).count() > 0,
        "some movies list no genres"
    );
}
