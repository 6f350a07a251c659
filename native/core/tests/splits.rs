//! Splits (sizes, disjointness, determinism) and writing split files that read back identically.

mod common;

use common::shared;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use movierec_core::dataset::split::{
    copy_movies_file, kfold, kfold_assignments, split_per_user, split_random, split_users, write_ratings,
};
use movierec_core::dataset::{read_movies_beside, read_ratings, RatingTriples, RatingsLayout, ReadOptions};
use movierec_core::CoreError;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

fn read(path: &Path) -> RatingTriples {
    read_ratings(path, &ReadOptions::default()).unwrap().triples
}

type Row = (u32, u32, u32);

/// Rows as a set (ratings as half stars so they compare exactly).
fn rows(t: &RatingTriples) -> Vec<Row> {
    (0..t.len())
        .map(|i| (t.users[i], t.movies[i], (t.ratings[i] * 2.0) as u32))
        .collect()
}

/// The two parts are disjoint, together exactly the input, and each keeps the input order.
fn assert_partition(all: &RatingTriples, a: &RatingTriples, b: &RatingTriples) {
    assert_eq!(a.len() + b.len(), all.len());
    let (all_rows, a_rows, b_rows) = (rows(all), rows(a), rows(b));
    let mut joined: Vec<Row> = a_rows.iter().chain(&b_rows).copied().collect();
    joined.sort_unstable();
    let mut expected = all_rows.clone();
    expected.sort_unstable();
    assert_eq!(joined, expected);
    let position: BTreeMap<Row, usize> = all_rows.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    for part in [&a_rows, &b_rows] {
        assert!(
            part.windows(2).all(|w| position[&w[0]] < position[&w[1]]),
            "a part lost the input order"
        );
    }
}

fn users_of(t: &RatingTriples) -> BTreeSet<u32> {
    t.users.iter().copied().collect()
}

fn per_user_counts(t: &RatingTriples) -> BTreeMap<u32, usize> {
    let mut counts = BTreeMap::new();
    for &u in &t.users {
        *counts.entry(u).or_default() += 1;
    }
    counts
}

#[test]
fn random_split_sizes_disjoint_and_deterministic() {
    let all = read(&shared("ml-latest-small/ratings.csv"));
    let (train, test) = split_random(&all, 0.1, 42).unwrap();
    assert_eq!(test.len(), 10_084); // round(100,836 * 0.1)
    assert_partition(&all, &train, &test);
    assert_eq!(split_random(&all, 0.1, 42).unwrap(), (train.clone(), test.clone()));
    let (_, other_test) = split_random(&all, 0.1, 43).unwrap();
    assert_ne!(other_test, test);

    let small = read(&fixture("ml-latest/ratings.csv"));
    let (train, test) = split_random(&small, 0.2, 7).unwrap();
    assert_eq!((train.len(), test.len()), (40, 10));
    assert_partition(&small, &train, &test);
}

#[test]
fn fractions_and_folds_are_validated() {
    let all = read(&fixture("ml-1m/ratings.dat"));
    for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        assert!(
            matches!(split_random(&all, bad, 1), Err(CoreError::InvalidInput { .. })),
            "{bad}"
        );
        assert!(
            matches!(split_users(&all, bad, 1), Err(CoreError::InvalidInput { .. })),
            "{bad}"
        );
        assert!(
            matches!(split_per_user(&all, bad, 1), Err(CoreError::InvalidInput { .. })),
            "{bad}"
        );
    }
    assert!(matches!(
        kfold_assignments(10, 1, 1),
        Err(CoreError::InvalidInput { .. })
    ));
    assert!(matches!(
        kfold_assignments(10, 11, 1),
        Err(CoreError::InvalidInput { .. })
    ));
    assert!(matches!(
        kfold_assignments(1000, 256, 1),
        Err(CoreError::InvalidInput { .. })
    ));
    assert!(matches!(kfold(&all, 5, 5, 1), Err(CoreError::InvalidInput { .. })));
}

#[test]
fn tiny_fractions_still_leave_both_parts_non_empty() {
    let all = read(&fixture("ml-1m/ratings.dat"));
    let (train, test) = split_random(&all, 0.001, 1).unwrap();
    assert_eq!((train.len(), test.len()), (27, 1));
    let (train, test) = split_random(&all, 0.999, 1).unwrap();
    assert_eq!((train.len(), test.len()), (1, 27));
}

#[test]
fn user_split_holds_out_whole_users() {
    let all = read(&shared("ml-1m/ratings.dat"));
    let (train, heldout) = split_users(&all, 0.1, 5).unwrap();
    assert_partition(&all, &train, &heldout);
    let (train_users, heldout_users) = (users_of(&train), users_of(&heldout));
    assert_eq!(heldout_users.len(), 604);
    assert_eq!(train_users.len(), 6_040 - 604);
    assert!(train_users.is_disjoint(&heldout_users));
    let counts = per_user_counts(&all);
    let held_counts = per_user_counts(&heldout);
    assert!(
        held_counts.iter().all(|(u, n)| counts[u] == *n),
        "a held-out user lost ratings to train"
    );
    assert_eq!(split_users(&all, 0.1, 5).unwrap().1, heldout);
    assert_ne!(users_of(&split_users(&all, 0.1, 6).unwrap().1), heldout_users);
}

#[test]
fn per_user_split_keeps_history_and_target_for_every_user() {
    let mut all = read(&fixture("ml-latest/ratings.csv"));
    all.push(99, 1, 4.0); // a user with a single rating
    all.push(100, 1, 3.0); // and one with two
    all.push(100, 2, 5.0);
    let (history, target) = split_per_user(&all, 0.8, 11).unwrap();
    assert_partition(&all, &history, &target);
    let (h, t) = (per_user_counts(&history), per_user_counts(&target));
    for (user, n) in per_user_counts(&all) {
        let expected_history = if n == 1 {
            1
        } else {
            ((n as f64 * 0.8).round() as usize).clamp(1, n - 1)
        };
        assert_eq!(
            h.get(&user).copied().unwrap_or(0),
            expected_history,
            "user {user} with {n}"
        );
        assert_eq!(
            t.get(&user).copied().unwrap_or(0),
            n - expected_history,
            "user {user} with {n}"
        );
    }
    assert_eq!(
        split_per_user(&all, 0.8, 11).unwrap(),
        (history.clone(), target.clone())
    );
    assert_ne!(split_per_user(&all, 0.8, 12).unwrap().0, history);
}

#[test]
fn per_user_choice_does_not_depend_on_other_users() {
    let all = read(&fixture("ml-latest/ratings.csv"));
    let only_user_3 = RatingTriples {
        users: all.users.iter().copied().filter(|&u| u == 3).collect(),
        movies: (0..all.len())
            .filter(|&i| all.users[i] == 3)
            .map(|i| all.movies[i])
            .collect(),
        ratings: (0..all.len())
            .filter(|&i| all.users[i] == 3)
            .map(|i| all.ratings[i])
            .collect(),
    };
    let (history_all, _) = split_per_user(&all, 0.5, 3).unwrap();
    let (history_3, _) = split_per_user(&only_user_3, 0.5, 3).unwrap();
    let user_3_rows: Vec<Row> = rows(&history_all).into_iter().filter(|r| r.0 == 3).collect();
    assert_eq!(user_3_rows, rows(&history_3));
}

#[test]
fn kfold_assigns_every_rating_to_one_balanced_fold() {
    let folds = kfold_assignments(103, 5, 9).unwrap();
    let mut sizes = [0usize; 5];
    for &f in &folds {
        sizes[usize::from(f)] += 1;
    }
    assert_eq!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap(), 1);
    assert_eq!(sizes.iter().sum::<usize>(), 103);
    assert_eq!(kfold_assignments(103, 5, 9).unwrap(), folds);
    assert_ne!(kfold_assignments(103, 5, 10).unwrap(), folds);

    let all = read(&fixture("ml-latest/ratings.csv"));
    let mut tested: Vec<Row> = Vec::new();
    for fold in 0..5 {
        let (train, test) = kfold(&all, 5, fold, 4).unwrap();
        assert_partition(&all, &train, &test);
        assert_eq!(test.len(), 10);
        tested.extend(rows(&test));
    }
    tested.sort_unstable();
    let mut expected = rows(&all);
    expected.sort_unstable();
    assert_eq!(tested, expected, "each rating is tested in exactly one fold");
}

#[test]
fn written_files_look_like_movielens() {
    let dir = tempfile::tempdir().unwrap();
    let t = RatingTriples {
        users: vec![1, 1, 20],
        movies: vec![10, 305, 7],
        ratings: vec![4.0, 3.5, 0.5],
    };
    let cases = [
        (
            RatingsLayout::CsvHeader,
            "userId,movieId,rating,timestamp\n1,10,4,0\n1,305,3.5,0\n20,7,0.5,0\n",
        ),
        (RatingsLayout::DoubleColon, "1::10::4\n1::305::3.5\n20::7::0.5\n"),
        (RatingsLayout::Tab, "1\t10\t4\t0\n1\t305\t3.5\t0\n20\t7\t0.5\t0\n"),
    ];
    for (layout, text) in cases {
        let path = dir.path().join("out").join(layout.ratings_file_name());
        write_ratings(&path, &t, layout).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        assert_eq!(read(&path), t);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 3, "no temporary files left: {leftovers:?}");
}

#[test]
fn unwritable_ratings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    for (user, rating) in [(1, 3.7), (0, 4.0), (1, 5.5), (1, f32::NAN)] {
        let t = RatingTriples {
            users: vec![user],
            movies: vec![1],
            ratings: vec![rating],
        };
        assert!(matches!(
            write_ratings(&path, &t, RatingsLayout::CsvHeader),
            Err(CoreError::InvalidInput { .. })
        ));
    }
    assert!(!path.exists());
}

#[test]
fn split_files_round_trip_in_every_layout() {
    let source = shared("ml-latest-small/ratings.csv");
    let all = read(&source);
    let (train, test) = split_random(&all, 0.1, 1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for layout in [RatingsLayout::CsvHeader, RatingsLayout::DoubleColon, RatingsLayout::Tab] {
        for (name, part) in [("train", &train), ("test", &test)] {
            let path = dir.path().join(format!("{name}-{:?}", layout));
            write_ratings(&path, part, layout).unwrap();
            let back = read_ratings(&path, &ReadOptions::default()).unwrap();
            assert_eq!(back.report.layout, layout);
            assert_eq!(&back.triples, part, "{name} in {layout:?}");
        }
    }
}

#[test]
fn split_folder_keeps_the_titles() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ml-100k-split");
    let copied = copy_movies_file(&fixture("ml-100k/u.data"), &out).unwrap();
    assert_eq!(copied, Some(out.join("u.item")));
    assert!(out.join("u.genre").is_file());
    let (train, _) = split_random(&read(&fixture("ml-100k/u.data")), 0.25, 2).unwrap();
    let train_path = out.join("u.data");
    write_ratings(&train_path, &train, RatingsLayout::Tab).unwrap();
    let catalogue = read_movies_beside(&train_path).unwrap().unwrap();
    assert_eq!(catalogue.title_of(11), Some("Cité des enfants perdus, La (1995)"));
    assert_eq!(catalogue.genres_of(10).unwrap(), ["Drama", "War"]);

    assert_eq!(
        copy_movies_file(&fixture("bad/duplicates.dat"), &dir.path().join("none")).unwrap(),
        None
    );
    let csv = copy_movies_file(&fixture("ml-latest/ratings.csv"), &dir.path().join("latest"))
        .unwrap()
        .unwrap();
    assert_eq!(
        std::fs::read(&csv).unwrap(),
        std::fs::read(fixture("ml-latest/movies.csv")).unwrap()
    );
}
