//! Train/test splits of ratings, each deterministic for a seed (xoshiro streams from [`crate::rng::seeded`]),
//! and writing a split back as a MovieLens file that [`super::read_ratings`] reads identically.
//!
//! Every split keeps the input order within each part, so splitting the (user, movie)-sorted triples of a read
//! gives sorted parts, and a written part reads back equal. Fractions must lie strictly between 0 and 1; with at
//! least two items to split, both parts get at least one.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::Rng as _;

use super::{find_movies_file, RatingTriples, RatingsLayout};
use crate::rng::{seeded, Rng};
use crate::{CoreError, Result};

/// Random streams of the different splits, so one seed gives unrelated choices in each.
const STREAM_RANDOM: u64 = 1;
const STREAM_USERS: u64 = 2;
const STREAM_KFOLD: u64 = 3;
const STREAM_SAMPLE: u64 = 4;
/// Per-user streams start here (plus the user id), independent of which other users are present.
const STREAM_PER_USER: u64 = 1 << 40;

/// Each rating goes to `test` with probability `test_fraction`: exactly `round(n * test_fraction)` of them.
pub fn split_random(triples: &RatingTriples, test_fraction: f64, seed: u64) -> Result<(RatingTriples, RatingTriples)> {
    check_fraction("test_fraction", test_fraction)?;
    let n = triples.len();
    let in_test = choose(n, part_size(n, test_fraction), &mut seeded(seed, STREAM_RANDOM));
    Ok(partition(triples, |i| !in_test[i]))
}

/// Whole users held out: `round(users * heldout_user_fraction)` users and all their ratings go to `heldout`
/// (for fold-in evaluation on users the model never saw).
pub fn split_users(
    triples: &RatingTriples,
    heldout_user_fraction: f64,
    seed: u64,
) -> Result<(RatingTriples, RatingTriples)> {
    check_fraction("heldout_user_fraction", heldout_user_fraction)?;
    let mut users = triples.users.clone();
    users.sort_unstable();
    users.dedup();
    let held = choose(
        users.len(),
        part_size(users.len(), heldout_user_fraction),
        &mut seeded(seed, STREAM_USERS),
    );
    let is_held = |user: u32| users.binary_search(&user).is_ok_and(|i| held[i]);
    Ok(partition(triples, |i| !is_held(triples.users[i])))
}

/// Each user's ratings split into `history` (about `history_fraction` of them, at least one) and `target` (the
/// rest, at least one when the user has two or more). A user with one rating has it in history only.
pub fn split_per_user(
    triples: &RatingTriples,
    history_fraction: f64,
    seed: u64,
) -> Result<(RatingTriples, RatingTriples)> {
    check_fraction("history_fraction", history_fraction)?;
    // Positions grouped by user, each group in input order.
    let mut order: Vec<usize> = (0..triples.len()).collect();
    order.sort_by_key(|&i| triples.users[i]);
    let mut in_history = vec![false; triples.len()];
    for group in order.chunk_by(|&a, &b| triples.users[a] == triples.users[b]) {
        let user = triples.users[group[0]];
        let size = part_size(group.len(), history_fraction).max(1);
        let chosen = choose(group.len(), size, &mut seeded(seed, STREAM_PER_USER + u64::from(user)));
        for (k, &i) in group.iter().enumerate() {
            in_history[i] = chosen[k];
        }
    }
    Ok(partition(triples, |i| in_history[i]))
}

/// A smaller data set drawn from `triples`: `users` users chosen uniformly, then `ratings` of their ratings chosen
/// uniformly (ml-100k's shape from ml-1m: 943 users, 100,000 ratings). Input order is kept. `users` must be between 1
/// and the number of users, `ratings` between 1 and the number of their ratings.
pub fn sample(triples: &RatingTriples, users: usize, ratings: usize, seed: u64) -> Result<RatingTriples> {
    let mut ids = triples.users.clone();
    ids.sort_unstable();
    ids.dedup();
    if !(1..=ids.len()).contains(&users) {
        return Err(CoreError::invalid(
            "sampleUsers",
            format!(
                "sampleUsers must be in 1..={} (the users of the data set), got {users}",
                ids.len()
            ),
        ));
    }
    let mut rng = seeded(seed, STREAM_SAMPLE);
    let chosen = choose(ids.len(), users, &mut rng);
    let is_chosen = |user: u32| ids.binary_search(&user).is_ok_and(|i| chosen[i]);
    let (pool, _) = partition(triples, |i| is_chosen(triples.users[i]));
    if !(1..=pool.len()).contains(&ratings) {
        return Err(CoreError::invalid(
            "sampleRatings",
            format!(
                "sampleRatings must be in 1..={} (the chosen users' ratings), got {ratings}",
                pool.len()
            ),
        ));
    }
    let kept = choose(pool.len(), ratings, &mut rng);
    Ok(partition(&pool, |i| kept[i]).0)
}

/// Fold number (0..k) of each of `n` items: a random balanced assignment (fold sizes differ by at most one).
pub fn kfold_assignments(n: usize, k: usize, seed: u64) -> Result<Vec<u8>> {
    if !(2..=255).contains(&k) || k > n {
        return Err(CoreError::invalid(
            "k",
            format!("k-fold needs 2 <= k <= min(255, items); got k = {k} for {n} items"),
        ));
    }
    let mut folds: Vec<u8> = (0..n).map(|i| (i % k) as u8).collect();
    shuffle(&mut folds, &mut seeded(seed, STREAM_KFOLD));
    Ok(folds)
}

/// Fold `fold` of a k-fold split as `test`, the other folds as `train`.
pub fn kfold(triples: &RatingTriples, k: usize, fold: usize, seed: u64) -> Result<(RatingTriples, RatingTriples)> {
    let folds = kfold_assignments(triples.len(), k, seed)?;
    if fold >= k {
        return Err(CoreError::invalid(
            "fold",
            format!("fold {fold} does not exist for k = {k} (folds are 0..{k})"),
        ));
    }
    Ok(partition(triples, |i| usize::from(folds[i]) != fold))
}

/// Writes ratings as a MovieLens file in `layout`: CSV with header and timestamp 0, `user::movie::rating`, or
/// tab-separated with timestamp 0. Ratings print like MovieLens (`4`, `3.5`). Written to a temporary file and
/// renamed, so a reader never sees half a file.
pub fn write_ratings(path: &Path, triples: &RatingTriples, layout: RatingsLayout) -> Result<()> {
    for i in 0..triples.len() {
        let (user, movie, rating) = (triples.users[i], triples.movies[i], triples.ratings[i]);
        let half_stars = rating * 2.0;
        if user == 0 || movie == 0 || !(1.0..=10.0).contains(&half_stars) || half_stars.fract() != 0.0 {
            return Err(CoreError::invalid(
                format!("ratings[{i}]"),
                format!(
                    "rating #{i} (user {user}, movie {movie}, rating {rating}) cannot be written as MovieLens: \
                     ids start at 1 and ratings are multiples of 0.5 in [0.5, 5]"
                ),
            ));
        }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
    }
    let temporary = temporary_path(path);
    let written = write_lines(&temporary, triples, layout).and_then(|()| std::fs::rename(&temporary, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        CoreError::io(path, e)
    })
}

/// Copies the movies file beside `from_ratings_path` (and u.genre with u.item) into `to_dir`, so a split folder
/// keeps its titles. Returns the copied movies file, or None when there is none to copy.
pub fn copy_movies_file(from_ratings_path: &Path, to_dir: &Path) -> Result<Option<PathBuf>> {
    let Some(source) = find_movies_file(from_ratings_path) else {
        return Ok(None);
    };
    std::fs::create_dir_all(to_dir).map_err(|e| CoreError::io(to_dir, e))?;
    let mut sources = vec![source.clone()];
    let genre = source.with_file_name("u.genre");
    if source.file_name().is_some_and(|n| n == "u.item") && genre.is_file() {
        sources.push(genre);
    }
    for file in &sources {
        let target = to_dir.join(file.file_name().unwrap_or_default());
        std::fs::copy(file, &target).map_err(|e| CoreError::io(&target, e))?;
    }
    Ok(Some(to_dir.join(source.file_name().unwrap_or_default())))
}

fn check_fraction(name: &str, fraction: f64) -> Result<()> {
    if fraction > 0.0 && fraction < 1.0 {
        Ok(())
    } else {
        Err(CoreError::invalid(
            name,
            format!("{name} must be strictly between 0 and 1, got {fraction}"),
        ))
    }
}

/// `round(n * fraction)`, kept within 1..=n-1 when n >= 2 so neither part is empty.
fn part_size(n: usize, fraction: f64) -> usize {
    let size = (n as f64 * fraction).round() as usize;
    if n >= 2 {
        size.clamp(1, n - 1)
    } else {
        size.min(n)
    }
}

/// A mask with exactly `count` of `n` positions set, chosen uniformly (partial Fisher-Yates).
fn choose(n: usize, count: usize, rng: &mut Rng) -> Vec<bool> {
    let mut positions: Vec<usize> = (0..n).collect();
    let mut mask = vec![false; n];
    for i in 0..count {
        let j = rng.random_range(i..n);
        positions.swap(i, j);
        mask[positions[i]] = true;
    }
    mask
}

fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
}

/// (those where `first(i)`, the others), both in input order.
fn partition(triples: &RatingTriples, first: impl Fn(usize) -> bool) -> (RatingTriples, RatingTriples) {
    let (mut a, mut b) = (RatingTriples::default(), RatingTriples::default());
    for i in 0..triples.len() {
        let part = if first(i) { &mut a } else { &mut b };
        part.push(triples.users[i], triples.movies[i], triples.ratings[i]);
    }
    (a, b)
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

fn write_lines(path: &Path, triples: &RatingTriples, layout: RatingsLayout) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(64);
    if layout == RatingsLayout::CsvHeader {
        out.write_all(b"userId,movieId,rating,timestamp\n")?;
    }
    let separator = layout.separator();
    for i in 0..triples.len() {
        line.clear();
        push_u32(&mut line, triples.users[i]);
        line.extend_from_slice(separator);
        push_u32(&mut line, triples.movies[i]);
        line.extend_from_slice(separator);
        let half_stars = (triples.ratings[i] * 2.0) as u32;
        push_u32(&mut line, half_stars / 2);
        if half_stars % 2 == 1 {
            line.extend_from_slice(b".5");
        }
        if layout != RatingsLayout::DoubleColon {
            line.extend_from_slice(separator);
            line.push(b'0');
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}

fn push_u32(out: &mut Vec<u8>, mut value: u32) {
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}
