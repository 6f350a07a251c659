//! New users with 1, 3, 5 and 10 given ratings (`metrics::evaluate_given_counts`): fold-in RMSE on the rest of their
//! ratings beside bias-only. A fast check on ml-latest-small (ALS) always; the issue-17 report on ml-1m, the default
//! model now and before issue 17 (no side information), with
//! `cargo test -p movierec-core --release --test given_counts -- --ignored --nocapture`.

mod common;

use common::shared;
use movierec_core::als::{als_defaults, run, train, train_models, GibbsParams, GibbsTrainer, SideInfo};
use movierec_core::dataset::split::split_users;
use movierec_core::dataset::{read_movies_beside, read_ratings, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::{evaluate_given_counts, GivenCountEvaluation};
use movierec_core::model::{AlsParams, Ranking};
use movierec_core::recommend::Recommender;

const COUNTS: [usize; 4] = [1, 3, 5, 10];
const SEED: u64 = 42;

fn table(name: &str, e: &GivenCountEvaluation) -> String {
    let mut out = format!(
        "{name}: {} new users, {} target ratings ({} skipped)\n| given | model RMSE | bias-only RMSE |\n|---|---|---|\n",
        e.users, e.targets, e.users_skipped
    );
    for r in &e.rows {
        out += &format!("| {} | {:.4} | {:.4} |\n", r.given, r.model_rmse, r.bias_only_rmse);
    }
    out
}

#[test]
fn more_given_ratings_predict_the_same_targets_better() {
    let path = shared("ml-latest-small/ratings.csv");
    let data = read_ratings(&path, &ReadOptions::default()).unwrap();
    let (train_part, heldout) = split_users(&data.triples, 0.2, SEED).unwrap();
    let x = Interactions::from_triples(&train_part).unwrap();
    let params = AlsParams {
        ranking: Ranking::None,
        ..als_defaults()
    };
    let recommender = Recommender::new(train(&x, data.report.scale, &params, &mut |_| true).unwrap());
    let e = evaluate_given_counts(&recommender, &heldout, &COUNTS, SEED).unwrap();
    println!("{}", table("ml-latest-small, ALS defaults", &e));
    assert!(e.users > 50 && e.targets > 1000, "{e:?}");
    assert_eq!(e.rows.iter().map(|r| r.given).collect::<Vec<_>>(), COUNTS);
    let (first, last) = (&e.rows[0], &e.rows[3]);
    assert!(e
        .rows
        .iter()
        .all(|r| r.model_rmse.is_finite() && r.model_rmse > 0.5 && r.model_rmse < 1.5));
    assert!(last.model_rmse < first.model_rmse, "10 given vs 1: {e:?}");
    assert!(last.bias_only_rmse < first.bias_only_rmse, "10 given vs 1: {e:?}");
    // The same seed gives the same evaluation; bad counts are refused naming them.
    assert_eq!(evaluate_given_counts(&recommender, &heldout, &COUNTS, SEED).unwrap(), e);
    for bad in [&[][..], &[0, 3][..]] {
        let err = evaluate_given_counts(&recommender, &heldout, bad, SEED).unwrap_err();
        assert_eq!(err.field(), Some("counts"));
    }
}

#[test]
#[ignore = "the issue-17 report: two Gibbs trainings on ml-1m (minutes); run with --ignored --nocapture"]
fn ml_1m_new_users_with_few_ratings_now_and_before_issue_17() {
    let path = shared("ml-1m/ratings.dat");
    let data = read_ratings(&path, &ReadOptions::default()).unwrap();
    let catalogue = read_movies_beside(&path).unwrap();
    let (train_part, heldout) = split_users(&data.triples, 0.1, SEED).unwrap();
    let scale = data.report.scale;
    let params = AlsParams {
        ranking: Ranking::None,
        ..AlsParams::default()
    };
    // Now: the product's training (side information, rated movies, cold movies of the catalogue).
    let now =
        Recommender::new(train_models(&train_part, catalogue.as_ref(), scale, &params, &mut |_, _| true).unwrap());
    // Before issue 17: the same sampler without side information, on the rated movies only.
    let x = Interactions::from_triples(&train_part).unwrap();
    let gibbs = GibbsParams::of(&params).without_side_information();
    let trainer = GibbsTrainer::new(&x, scale, &params, gibbs, SideInfo::default(), Vec::new()).unwrap();
    let before = Recommender::new(run(trainer, None, &mut |_| true).unwrap());
    for (name, r) in [("ml-1m, defaults now", &now), ("ml-1m, before issue 17", &before)] {
        let e = evaluate_given_counts(r, &heldout, &COUNTS, SEED).unwrap();
        println!("{}", table(name, &e));
        assert!(e.rows[3].model_rmse < e.rows[0].model_rmse);
    }
}
