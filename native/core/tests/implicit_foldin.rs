//! Fold-in of implicit-feedback models (ml-latest-small, implicit defaults): a training user's list is the list of
//! the vector training learned for them (as `implicit`'s `recommend` gives it); the fold-in of their own ratings (a
//! new user's list of the same ratings) is close to it; scores are preferences returned unclipped.

mod common;

use common::shared;

use movierec_core::als::{implicit_defaults, train};
use movierec_core::dataset::{read_ratings, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::recommend::{scan_top_k, ListOptions, Recommender, ScoreQuery};

#[test]
fn implicit_fold_in_of_own_ratings_ranks_like_the_learned_vector() {
    let data = read_ratings(&shared("ml-latest-small/ratings.csv"), &ReadOptions::default()).unwrap();
    let x = Interactions::from_triples(&data.triples).unwrap();
    let params = implicit_defaults();
    let recommender = Recommender::new(train(&x, data.report.scale, &params, &mut |_| true).unwrap());
    let model = recommender.model();
    let options = ListOptions::default();

    const TOP: usize = 20;
    let mut overlaps = Vec::new();
    let mut below_scale = 0;
    // Every 10th user: light and heavy raters alike.
    for u in (0..model.users.len()).step_by(10) {
        let user_id = model.users.raw_id(u);
        let (cols, values) = model.user_items.row(u);
        let movie_ids: Vec<u32> = cols.iter().map(|&i| model.items.raw_id(i as usize)).collect();
        let folded = recommender.new_user(&movie_ids, values, TOP, &options).unwrap();
        let known = recommender.known_user(user_id, TOP, &options).unwrap().unwrap();
        assert!(folded.personalised);
        assert!(
            folded.movie_ids.iter().all(|id| !movie_ids.contains(id)),
            "user {user_id}: rated movie listed"
        );
        assert!(
            folded.scores.windows(2).all(|w| w[0] >= w[1]),
            "user {user_id}: not sorted"
        );
        below_scale += folded.scores.iter().filter(|&&s| s < data.report.scale.min).count();
        let query = ScoreQuery {
            offset: 0.0,
            user: model.user_factors.row(u),
            exclude: cols,
            allowed: None,
            m: TOP,
        };
        let learned = scan_top_k(&model.item_factors, &model.item_bias, query);
        let learned_ids: Vec<u32> = learned.iter().map(|&(i, _)| model.items.raw_id(i as usize)).collect();
        let mut by_id = known.movie_ids.clone();
        let mut learned_sorted = learned_ids.clone();
        by_id.sort_unstable();
        learned_sorted.sort_unstable();
        assert_eq!(
            by_id, learned_sorted,
            "user {user_id}: a known user's list is their learned vector's"
        );
        let shared_count = folded
            .movie_ids
            .iter()
            .filter(|&&id| learned.iter().any(|&(i, _)| model.items.raw_id(i as usize) == id))
            .count();
        overlaps.push(shared_count as f64 / TOP as f64);
    }
    let mean = overlaps.iter().sum::<f64>() / overlaps.len() as f64;
    // Training solves the same half-step with a few warm-started CG steps against the previous movie factors;
    // fold-in solves it exactly against the final ones.
    assert!(
        mean >= 0.7,
        "mean top-{TOP} overlap of fold-in and learned vector {mean:.3}"
    );
    // Clipped to the scale (0.5..5), no score could fall below 0.5.
    assert!(below_scale > 0, "implicit scores look clipped to the rating scale");
}
