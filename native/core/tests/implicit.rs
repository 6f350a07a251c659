//! Implicit-feedback ALS on real MovieLens data: its top-10 lists beat popularity on a per-user 80/20 holdout, it is
//! deterministic whatever the thread count, fold-in reproduces a trained user, and bad parameters are errors.

mod common;

use common::shared;

use movierec_core::als::{implicit_defaults, train, ImplicitTrainer, Trainer};
use movierec_core::dataset::split::split_per_user;
use movierec_core::dataset::{read_ratings, Dataset, RatingTriples, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::{evaluate, Evaluation};
use movierec_core::model::{AlsModel, AlsParams, Feedback, RegScaling};
use movierec_core::recommend::Recommender;
use movierec_core::CoreError;

fn implicit_params() -> AlsParams {
    implicit_defaults()
}

/// Trains on 80% of every user's ratings and ranks the other 20% (relevant = rating >= 4).
fn holdout(data: &Dataset, params: &AlsParams) -> (AlsModel, Evaluation) {
    let (history, heldout) = split_per_user(&data.triples, 0.8, 7).unwrap();
    let x = Interactions::from_triples(&history).unwrap();
    let recommender = Recommender::new(train(&x, data.report.scale, params, &mut |_| true).unwrap());
    let evaluation = evaluate(&recommender, &heldout, 10).unwrap();
    (recommender.into_model(), evaluation)
}

fn assert_beats_popularity(name: &str, e: &Evaluation, min_lift: f64) {
    let (model, popularity) = (&e.model.ranking, &e.popularity.ranking);
    eprintln!(
        "{name}: implicit P@10 {:.4} R@10 {:.4} NDCG@10 {:.4} coverage {:.3} | popularity P@10 {:.4} R@10 {:.4} NDCG@10 {:.4} | users {}",
        model.precision, model.recall, model.ndcg, model.coverage, popularity.precision, popularity.recall, popularity.ndcg, model.users
    );
    assert!(model.users > 100, "{name}: too few users evaluated ({})", model.users);
    assert!(
        model.precision >= popularity.precision * min_lift,
        "{name}: precision@10 {:.4} is not {min_lift}x popularity's {:.4}",
        model.precision,
        popularity.precision
    );
    assert!(
        model.ndcg > popularity.ndcg,
        "{name}: NDCG@10 {:.4} <= popularity {:.4}",
        model.ndcg,
        popularity.ndcg
    );
    assert!(
        model.recall > popularity.recall,
        "{name}: recall@10 {:.4} <= popularity {:.4}",
        model.recall,
        popularity.recall
    );
    // A model that learnt nothing personal recommends the same few blockbusters to everyone.
    assert!(
        model.coverage > 2.0 * popularity.coverage,
        "{name}: coverage {:.3} vs popularity {:.3}",
        model.coverage,
        popularity.coverage
    );
}

#[test]
fn ml_1m_top_10_beats_popularity() {
    let data = read_ratings(&shared("ml-1m/ratings.dat"), &ReadOptions::default()).unwrap();
    let (model, e) = holdout(&data, &implicit_params());
    assert_eq!(model.params.feedback, Feedback::Implicit);
    assert_beats_popularity("ml-1m", &e, 1.2);
}

#[test]
fn ml_latest_small_top_10_beats_popularity() {
    let data = read_ratings(&shared("ml-latest-small/ratings.csv"), &ReadOptions::default()).unwrap();
    let (_, e) = holdout(&data, &implicit_params());
    assert_beats_popularity("ml-latest-small", &e, 1.2);
}

fn ml_latest_small() -> (Interactions, Dataset) {
    let data = read_ratings(&shared("ml-latest-small/ratings.csv"), &ReadOptions::default()).unwrap();
    (Interactions::from_triples(&data.triples).unwrap(), data)
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn same_seed_gives_the_same_model_whatever_the_thread_count() {
    let (x, data) = ml_latest_small();
    let params = |threads| AlsParams {
        threads,
        iterations: 4,
        ..implicit_params()
    };
    let one = in_pool(1, || train(&x, data.report.scale, &params(1), &mut |_| true).unwrap());
    let three = in_pool(3, || train(&x, data.report.scale, &params(3), &mut |_| true).unwrap());
    assert_eq!(one.user_factors, three.user_factors);
    assert_eq!(one.item_factors, three.item_factors);
    assert_eq!(
        one.history.iter().map(|h| h.train_rmse).collect::<Vec<_>>(),
        three.history.iter().map(|h| h.train_rmse).collect::<Vec<_>>()
    );
    let other_seed = train(&x, data.report.scale, &AlsParams { seed: 43, ..params(1) }, &mut |_| {
        true
    })
    .unwrap();
    assert_ne!(one.item_factors, other_seed.item_factors);
}

#[test]
fn weighted_error_falls_and_more_cg_steps_fit_at_least_as_well() {
    let (x, data) = ml_latest_small();
    let params = AlsParams {
        iterations: 6,
        ..implicit_params()
    };
    let mut trainer = ImplicitTrainer::new(&x, data.report.scale, &params).unwrap();
    let errors: Vec<f64> = (0..6).map(|_| trainer.step().train_rmse).collect();
    assert!(
        errors.iter().all(|e| e.is_finite() && *e > 0.0 && *e < 1.0),
        "{errors:?}"
    );
    assert!(
        errors.windows(2).all(|w| w[1] <= w[0] * 1.0001),
        "training error rose: {errors:?}"
    );
    let model = trainer.into_model();
    assert_eq!(
        (model.global_mean, model.user_bias.iter().all(|&b| b == 0.0)),
        (0.0, true)
    );

    let exact = train(
        &x,
        data.report.scale,
        &AlsParams {
            cg_steps: 12,
            ..params.clone()
        },
        &mut |_| true,
    )
    .unwrap();
    let exact_error = exact.history.last().unwrap().train_rmse;
    assert!(
        exact_error <= errors[5] * 1.0001,
        "12 CG steps {exact_error} vs 3 steps {}",
        errors[5]
    );
    // Three warm-started steps are close to the exact solve.
    assert!(
        errors[5] <= exact_error * 1.01,
        "3 CG steps {} vs 12 steps {exact_error}",
        errors[5]
    );
}

#[test]
fn fold_in_reproduces_a_trained_user() {
    let (x, data) = ml_latest_small();
    let params = AlsParams {
        iterations: 8,
        cg_steps: 8,
        ..implicit_params()
    };
    let recommender = Recommender::new(train(&x, data.report.scale, &params, &mut |_| true).unwrap());
    let model = recommender.model();
    // The last half-step solved users against item factors that have moved since, so refit against the final ones:
    // a fold-in of a user's own ratings must rank like that user's trained vector.
    let u = 17;
    let (cols, ratings) = model.user_items.row(u);
    let folded = recommender.fold_in(cols, ratings);
    assert_eq!(folded.bias, 0.0);
    let trained = model.user_factors.row(u);
    let cos = cosine(&folded.factors, trained);
    assert!(cos > 0.95, "fold-in vs trained vector: cosine {cos}");

    let empty = recommender.fold_in(&[], &[]);
    assert!(empty.factors.iter().all(|&v| v == 0.0));
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let norm = |v: &[f32]| v.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

#[test]
fn bad_parameters_are_invalid_input_errors() {
    let mut t = RatingTriples::default();
    t.push(1, 10, 4.0);
    t.push(2, 10, 3.0);
    let x = Interactions::from_triples(&t).unwrap();
    let scale = movierec_core::dataset::RatingScale::MOVIELENS;
    for (params, needle) in [
        (
            AlsParams {
                alpha: -1.0,
                ..implicit_params()
            },
            "alpha",
        ),
        (
            AlsParams {
                alpha: f32::NAN,
                ..implicit_params()
            },
            "alpha",
        ),
        (
            AlsParams {
                cg_steps: 0,
                ..implicit_params()
            },
            "cgSteps",
        ),
        (
            AlsParams {
                reg_factors: 0.0,
                reg_scaling: RegScaling::Weighted,
                ..implicit_params()
            },
            "regFactors",
        ),
        (
            AlsParams {
                factors: 0,
                ..implicit_params()
            },
            "factors",
        ),
        (
            AlsParams {
                feedback: Feedback::Explicit,
                ..implicit_params()
            },
            "implicit",
        ),
    ] {
        match ImplicitTrainer::new(&x, scale, &params) {
            Err(CoreError::InvalidInput { message, field }) => {
                assert!(message.contains(needle), "{message}");
                let named = if needle == "implicit" { "feedback" } else { needle };
                assert_eq!(field.as_deref(), Some(named), "{message}");
            }
            other => panic!(
                "expected InvalidInput about {needle}, got {:?}",
                other.map(|t| t.model().params.clone())
            ),
        }
    }
    // Cancelling after the first iteration.
    let cancelled = train(&x, scale, &implicit_params(), &mut |_| false);
    assert!(matches!(cancelled, Err(CoreError::Cancelled)));
}

#[test]
fn params_without_the_implicit_fields_read_with_their_defaults() {
    let json =
        r#"{"factors":8,"regFactors":0.1,"regBias":0.01,"iterations":3,"seed":1,"threads":0,"feedback":"implicit"}"#;
    let params: AlsParams = serde_json::from_str(json).unwrap();
    assert_eq!(params.feedback, Feedback::Implicit);
    assert_eq!(
        (params.alpha, params.cg_steps),
        (
            movierec_core::als::als_defaults().alpha,
            movierec_core::als::als_defaults().cg_steps
        )
    );
    let round_trip: AlsParams = serde_json::from_str(&serde_json::to_string(&params).unwrap()).unwrap();
    assert_eq!(round_trip, params);
}
