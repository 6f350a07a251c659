//! Fold-in and recommendation lists on a model trained on ml-1m (90/10, seed 42, ALS defaults without a ranking
//! model: the rating model chooses its lists, as models trained before the ranking model do): fold-in is the ALS
//! user half-step, lists are well-formed, inputs are validated, the fallback list respects minimum support, and a
//! new user's list takes well under a millisecond. The two-stage lists (a ranking model chooses): `two_stage.rs`.

mod common;

use common::shared;
use std::sync::OnceLock;
use std::time::Instant;

use movierec_core::als::train;
use movierec_core::dataset::split::split_random;
use movierec_core::dataset::{read_ratings, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::limits::MAX_LIST_LENGTH;
use movierec_core::model::{AlsModel, AlsParams, Ranking};
use movierec_core::recommend::{
    min_support, ListFilters, ListOptions, Recommendations, Recommender, MIN_SUPPORT_FLOOR, POPULARITY_WEIGHT,
};
use movierec_core::CoreError;

fn recommender() -> &'static Recommender {
    static RECOMMENDER: OnceLock<Recommender> = OnceLock::new();
    RECOMMENDER.get_or_init(|| {
        let data = read_ratings(&shared("ml-1m/ratings.dat"), &ReadOptions::default()).unwrap();
        let (train_part, _) = split_random(&data.triples, 0.1, 42).unwrap();
        let x = Interactions::from_triples(&train_part).unwrap();
        let params = AlsParams {
            ranking: Ranking::None,
            ..movierec_core::als::als_defaults()
        };
        let model = train(&x, data.report.scale, &params, &mut |_| true).unwrap();
        Recommender::new(model)
    })
}

fn model() -> &'static AlsModel {
    recommender().model()
}

/// A training user's ratings as raw (movie ids, ratings).
fn history(model: &AlsModel, u: usize) -> (Vec<u32>, Vec<f32>) {
    let (cols, values) = model.user_items.row(u);
    (
        cols.iter().map(|&i| model.items.raw_id(i as usize)).collect(),
        values.to_vec(),
    )
}

/// The user half-step written out independently: dense normal equations in f64, Gaussian elimination.
fn direct_solve(model: &AlsModel, items: &[u32], ratings: &[f32]) -> Vec<f64> {
    let k = model.params.factors;
    let d = k + 1;
    let mut a = vec![vec![0.0f64; d + 1]; d];
    for (&i, &r) in items.iter().zip(ratings) {
        let mut x = vec![1.0f64];
        x.extend(model.item_factors.row(i as usize).iter().map(|&v| v as f64));
        let y = (r - model.global_mean - model.item_bias[i as usize]) as f64;
        for p in 0..d {
            for q in 0..d {
                a[p][q] += x[p] * x[q];
            }
            a[p][d] += x[p] * y;
        }
    }
    // Weighted-lambda: the penalty counts the row's ratings plus the prior's virtual ones.
    let n = items.len() as f64 + model.params.prior_count as f64;
    a[0][0] += model.params.reg_bias as f64 * n;
    for (j, row) in a.iter_mut().enumerate().skip(1) {
        row[j] += model.params.reg_factors as f64 * n;
    }
    for p in 0..d {
        let pivot = a[p].clone();
        for row in a.iter_mut().skip(p + 1) {
            let f = row[p] / pivot[p];
            row.iter_mut().zip(&pivot).skip(p).for_each(|(v, &w)| *v -= f * w);
        }
    }
    let mut w = vec![0.0; d];
    for i in (0..d).rev() {
        let s: f64 = (i + 1..d).map(|j| a[i][j] * w[j]).sum();
        w[i] = (a[i][d] - s) / a[i][i];
    }
    w
}

fn assert_well_formed(model: &AlsModel, list: &Recommendations, m: usize, rated: &[u32]) {
    assert_eq!(list.movie_ids.len(), m);
    assert_eq!(list.scores.len(), m);
    assert!(
        list.scores.windows(2).all(|w| w[0] >= w[1]),
        "not sorted: {:?}",
        list.scores
    );
    assert!(list
        .scores
        .iter()
        .all(|&s| s >= model.scale.min && s <= model.scale.max));
    assert!(list
        .movie_ids
        .iter()
        .all(|id| !rated.contains(id) && model.items.index_of(*id).is_some()));
    let mut distinct = list.movie_ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), m, "repeated movie in the list");
}

#[test]
fn fold_in_is_the_user_half_step() {
    let model = model();
    for u in [0, 1234, 5000] {
        let (cols, values) = model.user_items.row(u);
        let v = recommender().fold_in(cols, values);
        let want = direct_solve(model, cols, values);
        assert!(
            (v.bias as f64 - want[0]).abs() < 1e-4,
            "user {u}: bias {} vs {}",
            v.bias,
            want[0]
        );
        for (j, (&got, &w)) in v.factors.iter().zip(&want[1..]).enumerate() {
            assert!((got as f64 - w).abs() < 1e-4, "user {u} factor {j}: {got} vs {w}");
        }
    }
}

#[test]
fn folding_in_a_training_user_reproduces_the_learned_predictions() {
    // After convergence the learned user vector is (nearly) the half-step solution against the final movies.
    let model = model();
    let (mut worst, mut squares, mut count) = (0.0f32, 0.0f64, 0);
    for u in (0..model.users.len()).step_by(97) {
        let (cols, values) = model.user_items.row(u);
        let v = recommender().fold_in(cols, values);
        for i in (0..model.items.len()).step_by(13) {
            let q = model.item_factors.row(i);
            let folded = v.bias + v.factors.iter().zip(q).map(|(a, b)| a * b).sum::<f32>();
            let learned = model.user_bias[u] + model.user_factors.row(u).iter().zip(q).map(|(a, b)| a * b).sum::<f32>();
            worst = worst.max((folded - learned).abs());
            squares += ((folded - learned) as f64).powi(2);
            count += 1;
        }
    }
    let rms = (squares / count as f64).sqrt();
    println!("prediction difference, folded-in vs learned training users: rms {rms:.4}, max {worst:.4}");
    assert!(rms < 0.02 && worst < 0.15, "rms {rms}, max {worst}");
}

#[test]
fn a_new_users_list_excludes_rated_movies_and_is_sorted() {
    let model = model();
    let (ids, ratings) = history(model, 42);
    let list = recommender()
        .new_user(&ids, &ratings, 20, &ListOptions::default())
        .unwrap();
    assert!(list.personalised && list.unknown_ids.is_empty());
    assert_well_formed(model, &list, 20, &ids);
    // m larger than the candidates gives every candidate (a user who rated all but 999 movies).
    let rated: Vec<u32> = (0..model.items.len() - 999).map(|i| model.items.raw_id(i)).collect();
    let all = recommender()
        .new_user(
            &rated,
            &vec![3.0; rated.len()],
            MAX_LIST_LENGTH,
            &ListOptions::default(),
        )
        .unwrap();
    assert_eq!(all.movie_ids.len(), model.items.len() - rated.len());
    // The 20 are the best 20 candidates by estimate + the popularity term (`topn`), recomputed here from the fold-in.
    let mut indices: Vec<u32> = ids.iter().map(|&id| model.items.index_of(id).unwrap()).collect();
    let mut pairs: Vec<(u32, f32)> = indices.iter().copied().zip(ratings.iter().copied()).collect();
    pairs.sort_unstable_by_key(|p| p.0);
    indices.sort_unstable();
    let v = recommender().fold_in(&indices, &pairs.iter().map(|p| p.1).collect::<Vec<_>>());
    let mut by_selection: Vec<(u32, f32)> = (0..model.items.len() as u32)
        .filter(|i| indices.binary_search(i).is_err())
        .map(|i| {
            let q = model.item_factors.row(i as usize);
            let estimate =
                v.bias + model.item_bias[i as usize] + v.factors.iter().zip(q).map(|(a, b)| a * b).sum::<f32>();
            let popularity = POPULARITY_WEIGHT * (1.0 + model.item_counts[i as usize] as f32).ln();
            (model.items.raw_id(i as usize), estimate + popularity)
        })
        .collect();
    by_selection.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut expected: Vec<u32> = by_selection[..20].iter().map(|p| p.0).collect();
    let mut got = list.movie_ids.clone();
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(
        got, expected,
        "the list is not the best 20 by estimate + popularity term"
    );
}

#[test]
fn unknown_ids_are_ignored_and_reported_and_the_last_duplicate_wins() {
    // Star Wars (260), The Empire Strikes Back (1196), Return of the Jedi (1210).
    let base = recommender()
        .new_user(&[260, 1196, 1210], &[5.0, 5.0, 2.0], 10, &ListOptions::default())
        .unwrap();
    let with_unknown = recommender()
        .new_user(
            &[999_999, 260, 1196, 999_999, 1210, 888_888],
            &[1.0, 5.0, 5.0, 3.0, 2.0, 4.0],
            10,
            &ListOptions::default(),
        )
        .unwrap();
    assert_eq!(with_unknown.unknown_ids, vec![999_999, 888_888]);
    assert_eq!(with_unknown.movie_ids, base.movie_ids);
    assert_eq!(with_unknown.scores, base.scores);
    let duplicated = recommender()
        .new_user(
            &[1210, 260, 1196, 1210],
            &[5.0, 5.0, 5.0, 2.0],
            10,
            &ListOptions::default(),
        )
        .unwrap();
    assert_eq!(
        duplicated.movie_ids, base.movie_ids,
        "the later rating of 1210 (2.0) must count"
    );
    // Top estimates clip at 5 stars, so compare whole orders: rating 1210 last with 5.0 is a different user.
    let full = |ids: &[u32], ratings: &[f32]| {
        recommender()
            .new_user(ids, ratings, MAX_LIST_LENGTH, &ListOptions::default())
            .unwrap()
            .movie_ids
    };
    let base_order = full(&[260, 1196, 1210], &[5.0, 5.0, 2.0]);
    assert_eq!(full(&[1210, 260, 1196, 1210], &[5.0, 5.0, 5.0, 2.0]), base_order);
    assert_ne!(full(&[1210, 260, 1196, 1210], &[2.0, 5.0, 5.0, 5.0]), base_order);
}

#[test]
fn bad_input_is_invalid_input() {
    let model = model();
    assert_eq!((model.scale.min, model.scale.max), (1.0, 5.0));
    let cases: [(&[u32], &[f32], usize, &str); 7] = [
        (&[1, 2], &[4.0], 10, "ratings"),
        (&[1], &[f32::NAN], 10, "outside"),
        (&[1], &[f32::INFINITY], 10, "outside"),
        (&[1], &[5.5], 10, "outside"),
        (&[1], &[0.5], 10, "outside"),
        (&[1], &[4.0], 0, "M must be"),
        (&[1], &[4.0], MAX_LIST_LENGTH + 1, "M must be"),
    ];
    for (ids, ratings, m, word) in cases {
        match recommender().new_user(ids, ratings, m, &ListOptions::default()) {
            Err(CoreError::InvalidInput { message: msg, .. }) => {
                assert!(msg.contains(word), "{msg:?} should say {word:?}")
            }
            other => panic!("{ids:?} {ratings:?} M={m}: expected InvalidInput, got {other:?}"),
        }
    }
}

#[test]
fn without_a_known_movie_the_list_is_popular_and_well_supported() {
    let model = model();
    let support = min_support(model);
    let mut counts = model.item_counts.clone();
    counts.sort_unstable();
    println!(
        "min support on ml-1m: {support} ratings (median count {})",
        counts[counts.len() / 2]
    );
    assert!(support >= MIN_SUPPORT_FLOOR && support == counts[counts.len() / 2].max(MIN_SUPPORT_FLOOR));

    let list = recommender()
        .new_user(&[999_999], &[4.0], 50, &ListOptions::default())
        .unwrap();
    assert!(!list.personalised);
    assert_eq!(list.unknown_ids, vec![999_999]);
    let empty = recommender().new_user(&[], &[], 50, &ListOptions::default()).unwrap();
    assert_eq!(empty.movie_ids, list.movie_ids);
    assert_well_formed(model, &list, 50, &[]);
    for id in &list.movie_ids {
        assert!(model.item_counts[model.items.index_of(*id).unwrap() as usize] >= support);
    }
    // The movie with the best mean rating among little-rated movies would top a naive mean-rating list; not this one.
    let mut sums = vec![(0.0f64, 0u32); model.items.len()];
    for u in 0..model.users.len() {
        let (cols, values) = model.user_items.row(u);
        for (&i, &r) in cols.iter().zip(values) {
            sums[i as usize].0 += r as f64;
            sums[i as usize].1 += 1;
        }
    }
    let (best_rare, _) = sums
        .iter()
        .enumerate()
        .filter(|(_, s)| s.1 >= 2 && s.1 < support)
        .map(|(i, s)| (i, s.0 / s.1 as f64))
        .fold((0, 0.0), |best, c| if c.1 > best.1 { c } else { best });
    let everything = recommender().popular(MAX_LIST_LENGTH, &ListOptions::default()).unwrap();
    assert!(!everything.movie_ids.contains(&model.items.raw_id(best_rare)));
    // Excluded movies stay out; the rest keeps its order.
    let top = list.movie_ids[0];
    let filters = ListFilters {
        exclude: vec![top],
        ..ListFilters::default()
    };
    let without_top = recommender()
        .popular(
            49,
            &ListOptions {
                filters,
                ..ListOptions::default()
            },
        )
        .unwrap();
    assert_eq!(&without_top.movie_ids[..], &list.movie_ids[1..]);
}

#[test]
fn a_known_users_list_skips_their_training_movies() {
    let model = model();
    let user_id = model.users.raw_id(10);
    let (ids, _) = history(model, 10);
    let list = recommender()
        .known_user(user_id, 25, &ListOptions::default())
        .unwrap()
        .unwrap();
    assert!(list.personalised);
    assert_well_formed(model, &list, 25, &ids);
    assert!(recommender()
        .known_user(999_999, 25, &ListOptions::default())
        .unwrap()
        .is_none());
}

#[test]
fn similar_movies_are_cosine_neighbours() {
    assert!(recommender()
        .similar(999_999, 10, &ListOptions::default())
        .unwrap()
        .is_none());
    let (ids, sims) = recommender()
        .similar(260, 10, &ListOptions::default())
        .unwrap()
        .unwrap();
    println!("most similar to Star Wars (260): {ids:?} {sims:?}");
    assert_eq!(ids.len(), 10);
    assert!(!ids.contains(&260));
    assert!(sims.windows(2).all(|w| w[0] >= w[1]) && sims.iter().all(|s| (-1.0..=1.0001).contains(s)));
    // Its sequel is among its nearest neighbours.
    assert!(ids.contains(&1196), "Empire Strikes Back missing from {ids:?}");
}

#[test]
fn a_new_users_list_takes_well_under_a_millisecond() {
    let model = model();
    // Warm up (page in the factors), then time real histories of different lengths.
    let (ids, ratings) = history(model, 0);
    recommender()
        .new_user(&ids, &ratings, 20, &ListOptions::default())
        .unwrap();
    let mut times = Vec::new();
    let mut lengths = 0;
    for u in (0..model.users.len()).step_by(12) {
        let (ids, ratings) = history(model, u);
        lengths += ids.len();
        let started = Instant::now();
        let list = recommender()
            .new_user(&ids, &ratings, 20, &ListOptions::default())
            .unwrap();
        times.push(started.elapsed().as_secs_f64() * 1e3);
        assert_eq!(list.movie_ids.len(), 20);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "Recommender::new_user on ml-1m ({} users, {:.0} ratings each on average, {} movies, {} factors): \
         p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        lengths as f64 / times.len() as f64,
        model.items.len(),
        model.params.factors,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        times[times.len() - 1]
    );
    assert!(pct(0.5) < 1.0, "median {} ms", pct(0.5));
}
