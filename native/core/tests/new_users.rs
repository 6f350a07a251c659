//! The new-user evaluation (`metrics::evaluate_new_users`) on ml-latest-small, users held out whole
//! (`split_users`, as `movierec split --by users`): the lists chosen by the ranking model beside the rating model beat
//! popularity by the margin the product promises (docs/quality.md), and the protocol's bookkeeping holds.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::shared;

use movierec_core::als::{als_defaults, train};
use movierec_core::dataset::split::split_users;
use movierec_core::dataset::RatingTriples;
use movierec_core::dataset::{read_movies_beside, read_ratings, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::{evaluate_new_user_lists, evaluate_new_users, new_user_halves, GIVEN_FRACTION};
use movierec_core::recommend::{ListOptions, ListOrder, Recommender};

/// ALS defaults (with their ranking model) trained on ml-latest-small without 20% of its users, and those users.
fn trained_without_heldout_users() -> (Recommender, RatingTriples) {
    let path = shared("ml-latest-small/ratings.csv");
    let data = read_ratings(&path, &ReadOptions::default()).unwrap();
    let catalogue = read_movies_beside(&path).unwrap().map(Arc::new);
    let (train_part, heldout) = split_users(&data.triples, 0.2, 42).unwrap();
    let x = Interactions::from_triples(&train_part).unwrap();
    let model = train(&x, data.report.scale, &als_defaults(), &mut |_| true).unwrap();
    (Recommender::with_catalogue(model, catalogue), heldout)
}

#[test]
fn ranking_model_lists_beat_popularity_for_new_users() {
    let (recommender, heldout) = trained_without_heldout_users();
    assert!(recommender.has_ranking_model(), "the defaults train a ranking model");

    let e = evaluate_new_users(&recommender, &heldout, 10, 42).unwrap();
    println!("{}", serde_json::to_string(&e).unwrap());
    assert_eq!((e.k, e.given_fraction, e.liked_rating), (10, GIVEN_FRACTION, 4.0));
    assert_eq!(e.users_known, 0, "whole users were held out");
    assert!(e.users >= 100, "{} users evaluated", e.users);
    assert_eq!(e.model.users, e.users);
    let (m, p) = (&e.model, &e.popularity);
    assert!(
        m.precision >= 1.6 * p.precision,
        "P@10 {:.4} vs popularity {:.4}",
        m.precision,
        p.precision
    );
    assert!(
        m.coverage >= 3.0 * p.coverage,
        "coverage {:.4} vs popularity {:.4}",
        m.coverage,
        p.coverage
    );
    assert!(
        m.novelty > p.novelty,
        "novelty {:.3} vs popularity {:.3}",
        m.novelty,
        p.novelty
    );
    // The same movies in another order: precision and recall are equal, NDCG and MAP may differ.
    let s = &e.model_by_score;
    assert!((s.precision - m.precision).abs() < 1e-12 && (s.recall - m.recall).abs() < 1e-12);
    let diversity = m.diversity.expect("the catalogue has genres");
    assert!((0.0..=1.0).contains(&diversity), "diversity {diversity}");
}

#[test]
fn lists_made_elsewhere_from_the_given_halves_are_scored_like_the_products() {
    let (recommender, heldout) = trained_without_heldout_users();
    let model = recommender.model();
    let halves = new_user_halves(&heldout, |u| model.users.index_of(u).is_some(), 7).unwrap();
    assert_eq!(halves.known_users, 0);
    assert_eq!(halves.given.len() + halves.target.len(), heldout.len());
    // The product's by-score lists, made from the given halves as another library would make its own.
    let by_score = ListOptions {
        order: ListOrder::Score,
        ..ListOptions::default()
    };
    let mut lists: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut given: BTreeMap<u32, (Vec<u32>, Vec<f32>)> = BTreeMap::new();
    for j in 0..halves.given.len() {
        let entry = given.entry(halves.given.users[j]).or_default();
        entry.0.push(halves.given.movies[j]);
        entry.1.push(halves.given.ratings[j]);
    }
    for (user, (movies, ratings)) in &given {
        lists.insert(
            *user,
            recommender.new_user(movies, ratings, 10, &by_score).unwrap().movie_ids,
        );
    }
    let e = evaluate_new_users(&recommender, &heldout, 10, 7).unwrap();
    let scored = evaluate_new_user_lists(&recommender, &heldout, 10, 7, &lists).unwrap();
    assert_eq!(scored, e.model_by_score);
    // A user without a list scores 0 and still counts; an empty list covers nothing.
    let none = evaluate_new_user_lists(&recommender, &heldout, 10, 7, &BTreeMap::new()).unwrap();
    assert_eq!((none.precision, none.coverage, none.users), (0.0, 0.0, e.users));
}
