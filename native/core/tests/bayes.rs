//! The Gibbs-sampled factorisation on real ml-1m (`../shared/movielens`): accuracy of the averaged predictions and
//! of the posterior-mean model against plain ALS on the documented 90/10 split, and determinism.

mod common;

use common::split_90_10;
use std::time::Instant;

use movierec_core::als::{run, train, GibbsParams, GibbsTrainer, SideInfo, Trainer};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::evaluate;
use movierec_core::model::{AlsModel, AlsParams};
use movierec_core::recommend::Recommender;

fn rmse(predicted: &[f32], actual: &[f32]) -> f64 {
    let sse: f64 = predicted
        .iter()
        .zip(actual)
        .map(|(&p, &a)| (p as f64 - a as f64).powi(2))
        .sum();
    (sse / actual.len() as f64).sqrt()
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn the_default_configuration_meets_the_ml_1m_goal() {
    // Exploration knobs (GIBBS_*, documented in docs/quality.md) change the data set, split or settings; the
    // goal is asserted for the defaults only: ml-1m, random 90/10, seed 42, stored model RMSE <= 0.830.
    let knobs: Vec<String> = std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("GIBBS_"))
        .collect();
    let before = env_or("GIBBS_BEFORE", false);
    let data = match std::env::var("GIBBS_SPLIT_DIR") {
        Ok(dir) => common::SplitData::from_dir(std::path::Path::new(&dir)),
        Err(_) => common::SplitData::random(
            &env_or("GIBBS_DATASET", "ml-1m/ratings.dat".to_string()),
            env_or("GIBBS_TEST_FRACTION", 0.1),
        ),
    };
    // Before issue 17 the model knew neither the catalogue's movies without ratings nor any feature.
    let catalogue = data
        .catalogue
        .as_ref()
        .filter(|_| !before && env_or("GIBBS_CATALOGUE", true));
    let cold_candidates = catalogue.map_or(&[][..], |c| c.ids.as_slice());
    let x = Interactions::from_triples_and_movies(&data.train, cold_candidates).unwrap();
    let test = &data.test;
    let (pairs, actual) = x.known_pairs(test);
    let defaults = AlsParams::default();
    let params = AlsParams {
        reg_factors: env_or("GIBBS_REG_FACTORS", defaults.reg_factors),
        reg_bias: env_or("GIBBS_REG_BIAS", defaults.reg_bias),
        prior_count: env_or("GIBBS_PRIOR", defaults.prior_count),
        factors: env_or("GIBBS_FACTORS", defaults.factors),
        iterations: env_or("GIBBS_INIT", defaults.iterations),
        burn_in: env_or("GIBBS_BURN_IN", defaults.burn_in),
        samples: env_or("GIBBS_SAMPLES", defaults.samples),
        noise_std: env_or("GIBBS_NOISE", defaults.noise_std),
        seed: env_or("GIBBS_SEED", defaults.seed),
        ..defaults
    };
    let of_params = GibbsParams::of(&params);
    let of_params = if before {
        of_params.without_side_information()
    } else {
        of_params
    };
    let gibbs = GibbsParams {
        hyperprior: env_or("GIBBS_HYPER", of_params.hyperprior),
        feature_priors: env_or("GIBBS_FEATURES", of_params.feature_priors),
        rated_movies: env_or("GIBBS_RATED", of_params.rated_movies),
        distill_to_prior: env_or("GIBBS_DISTILL_PRIOR", of_params.distill_to_prior),
        ..of_params
    };
    let side = SideInfo::of(&x, catalogue, None);
    let started = Instant::now();
    let mut trainer = GibbsTrainer::new(&x, data.scale, &params, gibbs.clone(), side, pairs.clone()).unwrap();
    let mut last = None;
    for sweep in 0..trainer.steps() {
        let stats = trainer.step();
        if sweep > gibbs.burn_in && (sweep - gibbs.burn_in).is_multiple_of(50) {
            println!(
                "sweep {} train RMSE {:.4} test RMSE (averaged predictions) {:.4} at {:.1}s",
                stats.iteration,
                stats.train_rmse,
                rmse(&trainer.averaged_predictions(), &actual),
                stats.elapsed_seconds
            );
        }
        last = Some(stats);
    }
    let averaged = rmse(&trainer.averaged_predictions(), &actual);
    let evaluate_model = |model: AlsModel| evaluate(&Recommender::new(model), test, 10);
    let posterior_mean = evaluate_model(trainer.posterior_mean()).unwrap().model.rating.rmse;
    for share in env_or("GIBBS_DISTILL_GRID", false)
        .then_some([0.1, 0.2, 0.3, 0.5])
        .into_iter()
        .flatten()
    {
        let distilled = trainer.distill(&trainer.posterior_mean(), Some(share), 7);
        println!(
            "distilled, share {share}: RMSE {:.4}",
            evaluate_model(distilled).unwrap().model.rating.rmse
        );
    }
    let model = trainer.into_model();
    let seconds = started.elapsed().as_secs_f64();
    let history_len = model.history.len();
    let slices = common::thin_slices(&model, test);
    let stored = evaluate_model(model).unwrap();
    let als = train(&x, data.scale, &movierec_core::als::als_defaults(), &mut |_| true).unwrap();
    let plain = evaluate_model(als).unwrap();
    println!(
        "{} seed {}, {gibbs:?}, {params:?}: stored (distilled) model RMSE {:.4} P@10 {:.4} | averaged \
         predictions {averaged:.4} | posterior mean {posterior_mean:.4} | plain ALS RMSE {:.4} P@10 {:.4} | \
         popularity P@10 {:.4} | {seconds:.1}s\n{slices}",
        data.name,
        params.seed,
        stored.model.rating.rmse,
        stored.model.ranking.precision,
        plain.model.rating.rmse,
        plain.model.ranking.precision,
        plain.popularity.ranking.precision,
    );
    assert_eq!(history_len, gibbs.burn_in + gibbs.samples);
    assert!(last.unwrap().train_rmse.is_finite());
    assert!(stored.model.rating.rmse < plain.model.rating.rmse - 0.005);
    if knobs.is_empty() {
        assert!(
            stored.model.rating.rmse <= 0.830,
            "default model RMSE {}",
            stored.model.rating.rmse
        );
    }
}

#[test]
fn gibbs_is_deterministic_per_seed_whatever_the_thread_count() {
    let (scale, x, _) = split_90_10("ml-latest-small/ratings.csv");
    let gibbs = GibbsParams {
        init_iterations: 2,
        burn_in: 2,
        samples: 3,
        noise_std: 0.0,
        ..GibbsParams::default()
    };
    let run = |threads: usize, seed: u64| {
        let params = AlsParams {
            factors: 16,
            threads,
            seed,
            ..AlsParams::default()
        };
        let trainer = GibbsTrainer::new(&x, scale, &params, gibbs.clone(), SideInfo::default(), Vec::new()).unwrap();
        run(trainer, None, &mut |_| true).unwrap()
    };
    let (a, b, c) = (run(1, 7), run(2, 7), run(2, 8));
    assert_eq!(a.user_factors.data, b.user_factors.data);
    assert_eq!(a.item_bias, b.item_bias);
    assert_eq!(
        a.history.iter().map(|s| s.train_rmse).collect::<Vec<_>>(),
        b.history.iter().map(|s| s.train_rmse).collect::<Vec<_>>()
    );
    assert_ne!(a.user_factors.data, c.user_factors.data);
}

#[test]
fn invalid_gibbs_settings_are_clear_errors() {
    use movierec_core::model::{Feedback, Method};
    use movierec_core::CoreError;
    let (scale, x, _) = split_90_10("ml-latest-small/ratings.csv");
    let ok = AlsParams {
        factors: 4,
        iterations: 1,
        samples: 1,
        burn_in: 0,
        ..AlsParams::default()
    };
    assert_eq!(ok.method, Method::Gibbs, "the default trains by Gibbs sampling");
    let cases = [
        (
            AlsParams {
                samples: 0,
                ..ok.clone()
            },
            "samples",
        ),
        (
            AlsParams {
                burn_in: 1_000_000,
                ..ok.clone()
            },
            "burnIn",
        ),
        (
            AlsParams {
                noise_std: 0.0,
                ..ok.clone()
            },
            "noiseStd",
        ),
        (
            AlsParams {
                noise_std: f32::NAN,
                ..ok.clone()
            },
            "noiseStd",
        ),
        (
            AlsParams {
                feedback: Feedback::Implicit,
                ..ok.clone()
            },
            "implicit",
        ),
        (
            AlsParams {
                validation_fraction: 0.7,
                ..ok.clone()
            },
            "validationFraction",
        ),
        (
            AlsParams {
                validation_fraction: 0.1,
                early_stopping: 2,
                ..ok.clone()
            },
            "earlyStopping",
        ),
        (
            AlsParams {
                early_stopping: 2,
                method: Method::Als,
                ..ok.clone()
            },
            "earlyStopping",
        ),
    ];
    for (params, word) in cases {
        match movierec_core::als::train(&x, scale, &params, &mut |_| true) {
            Err(CoreError::InvalidInput { message: msg, field }) => {
                assert!(msg.contains(word), "{msg:?} should name {word}");
                // Implicit feedback is refused for the method it cannot train with.
                let named = if word == "implicit" { "method" } else { word };
                assert_eq!(field.as_deref(), Some(named), "{msg:?}");
            }
            other => panic!("{params:?}: expected InvalidInput, got {:?}", other.map(|_| ())),
        }
    }
    let model = movierec_core::als::train(&x, scale, &ok, &mut |_| true).unwrap();
    assert_eq!(model.history.len(), 1, "burn-in 0 + 1 sample");
}

#[test]
fn a_validation_fraction_reports_its_rmse_and_early_stopping_keeps_the_best_iterate() {
    use movierec_core::als::{als_defaults, train_ratings};
    use movierec_core::dataset::{read_ratings, ReadOptions};
    let data = read_ratings(&common::shared("ml-latest-small/ratings.csv"), &ReadOptions::default()).unwrap();
    let scale = data.report.scale;
    // Zero regularisation overfits after a few iterations: the validation RMSE turns up.
    let params = AlsParams {
        factors: 16,
        iterations: 12,
        reg_factors: 0.0,
        reg_bias: 0.0,
        validation_fraction: 0.1,
        ..als_defaults()
    };
    let full = train_ratings(&data.triples, None, scale, &params, &mut |_| true).unwrap();
    let curve: Vec<f64> = full.history.iter().map(|s| s.validation_rmse.unwrap()).collect();
    println!("validation RMSE per iteration (reg 0): {curve:.4?}");
    assert_eq!(curve.len(), 12);
    // 10% of the ratings held out: the model never saw them.
    assert!(full.user_items.values.len() < data.triples.len() * 95 / 100);
    let best = curve.iter().cloned().fold(f64::INFINITY, f64::min);
    let stopped = train_ratings(
        &data.triples,
        None,
        scale,
        &AlsParams {
            early_stopping: 2,
            ..params.clone()
        },
        &mut |_| true,
    )
    .unwrap();
    let last = stopped.history.last().unwrap();
    assert!(stopped.history.len() < 12, "stopped early: {:?}", stopped.history.len());
    assert!(last.validation_rmse.unwrap() > best);
    // The model kept is the best iterate: the same as training just that many iterations.
    let best_at = curve.iter().position(|&v| v == best).unwrap();
    let short = train_ratings(
        &data.triples,
        None,
        scale,
        &AlsParams {
            iterations: best_at + 1,
            ..params.clone()
        },
        &mut |_| true,
    )
    .unwrap();
    assert_eq!(stopped.user_factors.data, short.user_factors.data);
    assert_eq!(stopped.item_bias, short.item_bias);
    // Gibbs reports the validation RMSE of every sweep too.
    let gibbs = train_ratings(
        &data.triples,
        None,
        scale,
        &AlsParams {
            factors: 8,
            iterations: 2,
            burn_in: 2,
            samples: 4,
            validation_fraction: 0.1,
            ..AlsParams::default()
        },
        &mut |_| true,
    )
    .unwrap();
    assert!(gibbs
        .history
        .iter()
        .all(|s| s.validation_rmse.is_some_and(|v| v > 0.5 && v < 1.2)));
}
