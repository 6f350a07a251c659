//! Explicit ALS on real MovieLens data (`../shared/movielens`): accuracy with the defaults against the bias-only
//! baseline, determinism, the progress callback and cancellation, and parameter validation.

mod common;

use common::split_90_10;
use std::time::Instant;

use movierec_core::als::{train, ExplicitTrainer, Trainer};
use movierec_core::dataset::{RatingScale, RatingTriples};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::evaluate;
use movierec_core::model::{AlsModel, AlsParams, Feedback, IterationStats, Method, Solver};
use movierec_core::recommend::Recommender;
use movierec_core::CoreError;

fn train_quietly(x: &Interactions, scale: RatingScale, params: &AlsParams) -> AlsModel {
    train(x, scale, params, &mut |_| true).unwrap()
}

#[test]
fn ml_1m_defaults_beat_the_bias_baseline_well_under_0_86() {
    let (scale, x, test) = split_90_10("ml-1m/ratings.dat");
    let params = movierec_core::als::als_defaults();
    let started = Instant::now();
    let mut seen: Vec<IterationStats> = Vec::new();
    let model = train(&x, scale, &params, &mut |s| {
        seen.push(s.clone());
        true
    })
    .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let e = evaluate(&Recommender::new(model.clone()), &test, 10).unwrap();
    let (m, b) = (&e.model.rating, &e.bias_only.rating);
    println!(
        "ml-1m 90/10 seed 42, defaults {params:?}: model RMSE {:.4} MAE {:.4} | bias-only RMSE {:.4} MAE {:.4} | \
         {} test pairs | trained in {seconds:.2}s",
        m.rmse, m.mae, b.rmse, b.mae, m.count
    );
    assert!(m.rmse < 0.86, "RMSE {} not under 0.86", m.rmse);
    assert!(m.rmse < b.rmse - 0.04, "model {} vs bias-only {}", m.rmse, b.rmse);
    assert!(m.mae < b.mae);
    assert!(b.rmse < 0.93, "bias-only baseline broken: {}", b.rmse);
    // Every test pair of a random split has a known user; a handful of movies occur only in the test part.
    assert_eq!(m.count + m.unknown_user + m.unknown_movie, test.len() as u64);
    assert_eq!(m.unknown_user, 0);
    // The histories are what the callback saw: one line per iteration of the rating model, then of the ranking model
    // trained beside it, training error falling overall.
    let ranking = model.ranking.as_ref().expect("the defaults train a ranking model");
    assert_eq!([model.history.clone(), ranking.history.clone()].concat(), seen);
    assert_eq!(ranking.history.len(), params.ranking_params().unwrap().iterations);
    let seen = &seen[..params.iterations];
    assert!(seen.iter().enumerate().all(|(i, s)| s.iteration == i + 1));
    assert!(seen.windows(2).all(|w| w[1].elapsed_seconds >= w[0].elapsed_seconds));
    assert!(seen.last().unwrap().train_rmse < seen[0].train_rmse);
    assert!(
        seen.last().unwrap().train_rmse < m.rmse,
        "training error should be below test error"
    );
    assert!(seconds < 120.0, "training took {seconds:.1}s");
}

#[test]
fn ml_latest_small_half_stars_beat_the_baseline() {
    let (scale, x, test) = split_90_10("ml-latest-small/ratings.csv");
    assert_eq!(scale.step, 0.5);
    let started = Instant::now();
    let model = train_quietly(&x, scale, &movierec_core::als::als_defaults());
    let seconds = started.elapsed().as_secs_f64();
    let e = evaluate(&Recommender::new(model), &test, 10).unwrap();
    let (m, b) = (&e.model.rating, &e.bias_only.rating);
    println!(
        "ml-latest-small 90/10 seed 42, defaults: model RMSE {:.4} MAE {:.4} | bias-only RMSE {:.4} MAE {:.4} | \
         unknown movie {} | {seconds:.2}s",
        m.rmse, m.mae, b.rmse, b.mae, m.unknown_movie
    );
    for (name, r) in [
        ("model", &e.model.ranking),
        ("bias-only", &e.bias_only.ranking),
        ("popularity", &e.popularity.ranking),
    ] {
        println!(
            "  {name:10} P@10 {:.4} R@10 {:.4} NDCG@10 {:.4} coverage {:.4} ({} users)",
            r.precision, r.recall, r.ndcg, r.coverage, r.users
        );
    }
    assert!(
        m.rmse < 0.86 && m.rmse < b.rmse - 0.015,
        "model {} vs bias-only {}",
        m.rmse,
        b.rmse
    );
    // Without the prior, movies with one 5-star rating filled every list here (precision@10 0.0005).
    assert!(
        e.model.ranking.precision > e.bias_only.ranking.precision,
        "{:?}",
        e.model.ranking
    );
}
#[test]
fn model_fields_describe_the_training_data() {
    let (scale, x, _) = split_90_10("ml-latest-small/ratings.csv");
    let params = AlsParams {
        factors: 8,
        iterations: 2,
        ..movierec_core::als::als_defaults()
    };
    let model = train_quietly(&x, scale, &params);
    let mean = x.by_user.values.iter().map(|&v| v as f64).sum::<f64>() / x.nnz() as f64;
    assert!((model.global_mean as f64 - mean).abs() < 1e-5);
    assert_eq!(model.baseline.global_mean, model.global_mean);
    assert_eq!(model.user_items, x.by_user);
    assert_eq!(model.item_counts.iter().map(|&c| c as usize).sum::<usize>(), x.nnz());
    for i in [0, 17, x.n_items() - 1] {
        assert_eq!(model.item_counts[i] as usize, x.by_item.row_len(i));
    }
    assert_eq!((model.user_factors.rows, model.user_factors.cols), (x.n_users(), 8));
    assert_eq!((model.item_factors.rows, model.item_factors.cols), (x.n_items(), 8));
    assert_eq!(model.baseline.user_bias.len(), x.n_users());
    assert_eq!(model.baseline.item_bias.len(), x.n_items());
    assert_eq!(model.users, x.users);
    assert_eq!(model.scale, scale);
    assert!(model
        .user_factors
        .data
        .iter()
        .chain(&model.item_factors.data)
        .all(|v| v.is_finite()));
    // The baseline's shrinkage keeps a movie with one rating near the mean.
    let rare = (0..x.n_items()).find(|&i| model.item_counts[i] == 1).unwrap();
    assert!(model.baseline.item_bias[rare].abs() < 0.5);
}

#[test]
fn same_seed_and_threads_give_identical_factors() {
    let (scale, x, _) = split_90_10("ml-latest-small/ratings.csv");
    let params = AlsParams {
        factors: 16,
        iterations: 4,
        threads: 2,
        ..movierec_core::als::als_defaults()
    };
    let a = train_quietly(&x, scale, &params);
    let b = train_quietly(&x, scale, &params);
    assert_eq!(a.user_factors, b.user_factors);
    assert_eq!(a.item_factors, b.item_factors);
    assert_eq!((&a.user_bias, &a.item_bias), (&b.user_bias, &b.item_bias));
    assert_eq!(
        a.history.iter().map(|s| s.train_rmse).collect::<Vec<_>>(),
        b.history.iter().map(|s| s.train_rmse).collect::<Vec<_>>()
    );
    // Stronger than promised: rows are solved independently, so the thread count does not matter either.
    let one_thread = train_quietly(
        &x,
        scale,
        &AlsParams {
            threads: 1,
            ..params.clone()
        },
    );
    assert_eq!(a.item_factors, one_thread.item_factors);
    // And the seed does matter.
    let other_seed = train_quietly(&x, scale, &AlsParams { seed: 7, ..params });
    assert_ne!(a.item_factors, other_seed.item_factors);
}

#[test]
fn trainer_steps_match_train_explicit() {
    let (scale, x, _) = split_90_10("ml-latest-small/ratings.csv");
    let params = AlsParams {
        factors: 8,
        iterations: 3,
        ..movierec_core::als::als_defaults()
    };
    let whole = train_quietly(&x, scale, &params);
    let mut trainer = ExplicitTrainer::new(&x, scale, &params).unwrap();
    let first = trainer.step();
    assert_eq!(first.iteration, 1);
    trainer.step();
    trainer.step();
    let stepped = trainer.into_model();
    assert_eq!(stepped.item_factors, whole.item_factors);
    assert_eq!(stepped.history.len(), 3);
}

#[test]
fn returning_false_from_the_callback_cancels() {
    let (scale, x, _) = split_90_10("ml-latest-small/ratings.csv");
    let params = AlsParams {
        factors: 8,
        iterations: 50,
        ..movierec_core::als::als_defaults()
    };
    let mut calls = 0;
    let result = train(&x, scale, &params, &mut |s| {
        calls += 1;
        s.iteration < 2
    });
    let err = result.unwrap_err();
    assert!(matches!(err, CoreError::Cancelled), "{err}");
    assert_eq!(err.code(), "CANCELLED");
    assert_eq!(calls, 2);
}

#[test]
fn bad_parameters_are_invalid_input_naming_the_parameter() {
    let mut t = RatingTriples::default();
    t.push(1, 10, 4.0);
    t.push(1, 20, 3.0);
    t.push(2, 10, 5.0);
    let x = Interactions::from_triples(&t).unwrap();
    let scale = RatingScale {
        min: 1.0,
        max: 5.0,
        step: 1.0,
    };
    let ok = movierec_core::als::als_defaults();
    let cases = [
        (
            AlsParams {
                factors: 0,
                ..ok.clone()
            },
            "factors",
        ),
        (
            AlsParams {
                factors: 1025,
                ..ok.clone()
            },
            "factors",
        ),
        (
            AlsParams {
                iterations: 0,
                ..ok.clone()
            },
            "iterations",
        ),
        (
            AlsParams {
                iterations: 1001,
                ..ok.clone()
            },
            "iterations",
        ),
        (
            AlsParams {
                reg_factors: -0.1,
                ..ok.clone()
            },
            "regFactors",
        ),
        (
            AlsParams {
                reg_factors: f32::NAN,
                ..ok.clone()
            },
            "regFactors",
        ),
        (
            AlsParams {
                reg_bias: f32::INFINITY,
                ..ok.clone()
            },
            "regBias",
        ),
        (
            AlsParams {
                threads: 100_000,
                ..ok.clone()
            },
            "threads",
        ),
        (
            AlsParams {
                prior_count: -1.0,
                ..ok.clone()
            },
            "priorCount",
        ),
        (
            AlsParams {
                feedback: Feedback::Implicit,
                ..ok.clone()
            },
            "implicit",
        ),
    ];
    for (params, word) in cases {
        match ExplicitTrainer::new(&x, scale, &params).map(|_| ()) {
            Err(CoreError::InvalidInput { message: msg, field }) => {
                assert!(msg.contains(word), "{msg:?} should name {word}");
                let named = if word == "implicit" { "feedback" } else { word };
                assert_eq!(field.as_deref(), Some(named), "{msg:?}");
            }
            other => panic!("{params:?}: expected InvalidInput, got {other:?}"),
        }
    }
    // The tiny set itself trains fine, with zero regularisation too (a rank-deficient row gets a tiny ridge).
    let model = train_quietly(
        &x,
        scale,
        &AlsParams {
            factors: 3,
            reg_factors: 0.0,
            reg_bias: 0.0,
            ..ok
        },
    );
    assert!(model.user_factors.data.iter().all(|v| v.is_finite()));
    assert!(
        (model.predict(0, 0) - 4.0).abs() < 0.01,
        "an unregularised model fits its data"
    );
}

#[test]
fn conjugate_gradient_solver_costs_little_rmse_on_ml_1m() {
    let (scale, x, test) = split_90_10("ml-1m/ratings.dat");
    let mut results = Vec::new();
    for (solver, steps) in [(Solver::Cholesky, 3), (Solver::Cg, 2), (Solver::Cg, 3), (Solver::Cg, 5)] {
        let params = AlsParams {
            solver,
            cg_steps: steps,
            method: Method::Als,
            ..AlsParams::default()
        };
        let started = Instant::now();
        let model = train_quietly(&x, scale, &params);
        let seconds = started.elapsed().as_secs_f64();
        let rmse = evaluate(&Recommender::new(model.clone()), &test, 10)
            .unwrap()
            .model
            .rating
            .rmse;
        println!(
            "ml-1m 90/10, {} iterations, solver {solver:?} ({steps} CG steps if cg): test RMSE {rmse:.4}, \
             train RMSE {:.4}, {seconds:.2}s",
            params.iterations,
            model.history.last().unwrap().train_rmse
        );
        results.push(rmse);
    }
    let exact = results[0];
    // Warm-started CG tracks the exact solve closely; more steps get closer.
    assert!(results[2] < exact + 0.005, "cg 3 steps {} vs exact {exact}", results[2]);
    assert!(
        (results[3] - exact).abs() < 0.002,
        "cg 5 steps {} vs exact {exact}",
        results[3]
    );
}
