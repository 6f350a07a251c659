//! Cold movies (issue 17): a seeded share of a data set's movies loses all its ratings (the movies stay in the movies
//! file), a model is trained with the catalogue, and the held-out ratings of those movies are estimated from their
//! features alone. Checks that lists leave cold movies out by default, admit them with `includeCold` by the rule of
//! `recommend/cold.rs` and mark them; reports the cold movies' RMSE against the global mean and bias-only estimates,
//! and how often the admitted cold movies are ones the user liked. ml-latest-small always; ml-1m with
//! `COLD_REPORT=1` (docs/quality.md):
//!
//! ```sh
//! COLD_REPORT=1 cargo test -p movierec-core --release --test cold -- --nocapture
//! ```

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use movierec_core::als::train_ratings;
use movierec_core::dataset::{read_movies_beside, read_ratings, RatingTriples, ReadOptions};
use movierec_core::model::AlsParams;
use movierec_core::recommend::{ListOptions, Recommender};
use movierec_core::rng::seeded;
use rand::seq::SliceRandom;

/// The data set's ratings split into those of a seeded `share` of its rated movies (test) and the rest (train).
fn hold_out_movies(triples: &RatingTriples, share: f64, seed: u64) -> (RatingTriples, RatingTriples, HashSet<u32>) {
    let mut movies: Vec<u32> = triples.movies.clone();
    movies.sort_unstable();
    movies.dedup();
    movies.shuffle(&mut seeded(seed, 17));
    let cold: HashSet<u32> = movies[..(movies.len() as f64 * share).round() as usize]
        .iter()
        .copied()
        .collect();
    let (mut train, mut test) = (RatingTriples::default(), RatingTriples::default());
    for k in 0..triples.len() {
        let part = if cold.contains(&triples.movies[k]) {
            &mut test
        } else {
            &mut train
        };
        part.users.push(triples.users[k]);
        part.movies.push(triples.movies[k]);
        part.ratings.push(triples.ratings[k]);
    }
    (train, test, cold)
}

fn rmse(errors: impl Iterator<Item = f64>) -> (f64, usize) {
    let (sse, n) = errors.fold((0.0, 0usize), |(s, n), e| (s + e * e, n + 1));
    ((sse / n.max(1) as f64).sqrt(), n)
}

fn run(relative: &str, params: &AlsParams) {
    let path = common::shared(relative);
    let data = read_ratings(&path, &ReadOptions::default()).unwrap();
    let catalogue = read_movies_beside(&path)
        .unwrap()
        .expect("a movies file beside the ratings");
    let (train, test, held_out) = hold_out_movies(&data.triples, 0.05, 42);
    let model = train_ratings(&train, Some(&catalogue), data.report.scale, params, &mut |_| true).unwrap();
    for &id in &held_out {
        let i = model
            .items
            .index_of(id)
            .expect("a held-out movie stays a movie of the model") as usize;
        assert_eq!(model.item_counts[i], 0, "movie {id} has no training rating");
    }

    // Estimates of the held-out movies' ratings (every held-out rating's user is a training user unless all their
    // ratings were of held-out movies).
    let b = &model.baseline;
    let mut pairs = Vec::new();
    for k in 0..test.len() {
        let Some(u) = model.users.index_of(test.users[k]) else {
            continue;
        };
        let i = model.items.index_of(test.movies[k]).unwrap();
        pairs.push((u as usize, i as usize, test.ratings[k] as f64));
    }
    let (model_rmse, n) = rmse(pairs.iter().map(|&(u, i, r)| model.predict(u, i) as f64 - r));
    let (mean_rmse, _) = rmse(pairs.iter().map(|&(_, _, r)| b.global_mean as f64 - r));
    let (bias_rmse, _) = rmse(
        pairs
            .iter()
            .map(|&(u, i, r)| (b.global_mean + b.user_bias[u] + b.item_bias[i]) as f64 - r),
    );

    // Lists of every training user, M = 10: by default, and with includeCold.
    let recommender = Recommender::with_catalogue(model, Some(Arc::new(catalogue)));
    let model = recommender.model();
    let liked: HashSet<(u32, u32)> = (0..test.len())
        .filter(|&k| test.ratings[k] >= 4.0)
        .map(|k| (test.users[k], test.movies[k]))
        .collect();
    let with_cold = ListOptions {
        include_cold: true,
        ..ListOptions::default()
    };
    let (mut lists_with_cold, mut cold_entries, mut cold_hits) = (0usize, 0usize, 0usize);
    for u in 0..model.users.len() as u32 {
        let user = model.users.raw_id(u as usize);
        let plain = recommender
            .known_user(user, 10, &ListOptions::default())
            .unwrap()
            .unwrap();
        assert!(
            plain.cold_start.is_none(),
            "user {user}: a cold movie listed by default"
        );
        assert!(plain.movie_ids.iter().all(|id| !held_out.contains(id)));
        let list = recommender.known_user(user, 10, &with_cold).unwrap().unwrap();
        assert_eq!(list.movie_ids.len(), plain.movie_ids.len());
        let Some(marks) = &list.cold_start else { continue };
        lists_with_cold += 1;
        for (&id, &cold) in list.movie_ids.iter().zip(marks) {
            let i = model.items.index_of(id).unwrap() as usize;
            assert_eq!(cold, model.item_counts[i] == 0, "movie {id} marked {cold}");
            if cold {
                cold_entries += 1;
                cold_hits += usize::from(liked.contains(&(user, id)));
            }
        }
    }
    let similar = recommender.similar(1, 20, &ListOptions::default()).unwrap().unwrap();
    assert!(recommender.cold_start(&similar.0).is_none());
    let popular = recommender.popular(20, &ListOptions::default()).unwrap();
    assert!(popular.cold_start.is_none());

    println!(
        "{relative}, {} of {} movies made cold (seed 42), {n} held-out ratings of training users:\n\
         | estimate | RMSE |\n|---|---|\n| model (features) | {model_rmse:.4} |\n| global mean | {mean_rmse:.4} |\n\
         | bias-only (global mean + user bias) | {bias_rmse:.4} |\n\
         includeCold, known users' top 10: {lists_with_cold} of {} lists hold a cold movie, {cold_entries} cold \
         entries, {cold_hits} of them liked (>= 4 stars in the held-out ratings)",
        held_out.len(),
        model.items.len(),
        model.users.len(),
    );
    assert!(n > 0);
    assert!(
        model_rmse < mean_rmse,
        "cold movies: model {model_rmse:.4} vs global mean {mean_rmse:.4}"
    );
    assert!(lists_with_cold > 0, "includeCold admitted no cold movie into any list");
}

#[test]
fn cold_movies_are_listed_only_when_asked_and_estimated_better_than_the_global_mean() {
    run("ml-latest-small/ratings.csv", &AlsParams::default());
    if std::env::var("COLD_REPORT").is_ok() {
        run("ml-1m/ratings.dat", &AlsParams::default());
    }
}
