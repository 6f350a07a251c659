//! `ranking-split` and `ranking`: the Rust side of `npm run bench:ranking` (bench/ranking/run.ts).
//!
//! Both hold out about `--holdout` (0.2) of each user's ratings with `dataset::split::split_per_user` and `--seed`,
//! so they see the same split. `ranking-split` writes the training part for the Python reference (`implicit`) and
//! reports the implicit-mode parameters it must use; `ranking` trains this project's explicit and implicit models
//! on the training part and scores them, popularity and the reference's lists (read from `--lists name=FILE,...`)
//! with the core's one set of ranking metrics (`metrics::evaluate`, `metrics::evaluate_lists`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use movierec_core::als::{implicit_defaults, train};
use movierec_core::dataset::split::{split_per_user, write_ratings};
use movierec_core::dataset::{read_ratings, RatingTriples, RatingsLayout, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::{evaluate, evaluate_lists};
use movierec_core::model::AlsParams;
use movierec_core::recommend::Recommender;
use serde_json::json;

use crate::args::Args;

struct Split {
    scale: movierec_core::dataset::RatingScale,
    train: RatingTriples,
    test: RatingTriples,
}

fn split(args: &mut Args) -> Result<(PathBuf, Split, f64, u64), String> {
    let file = PathBuf::from(args.required("file")?);
    let holdout: f64 = args.number("holdout", 0.2)?;
    let seed: u64 = args.number("seed", 42)?;
    let data = read_ratings(&file, &ReadOptions::default()).map_err(|e| e.to_string())?;
    let (train, test) = split_per_user(&data.triples, 1.0 - holdout, seed).map_err(|e| e.to_string())?;
    let scale = data.report.scale;
    Ok((file, Split { scale, train, test }, holdout, seed))
}

/// Writes the training part as `userId,movieId,rating,timestamp` CSV and reports the implicit-mode parameters.
pub fn write_split(args: &mut Args) -> Result<serde_json::Value, String> {
    let (file, data, holdout, seed) = split(args)?;
    let out = PathBuf::from(args.required("out")?);
    args.finish()?;
    let train_file = out.join("train.csv");
    write_ratings(&train_file, &data.train, RatingsLayout::CsvHeader).map_err(|e| e.to_string())?;
    let implicit = implicit_defaults();
    Ok(json!({
        "file": file,
        "holdout": holdout,
        "seed": seed,
        "train": train_file,
        "trainRatings": data.train.len(),
        "testRatings": data.test.len(),
        "implicit": {
            "factors": implicit.factors,
            "iterations": implicit.iterations,
            "cgSteps": implicit.cg_steps,
            "alpha": implicit.alpha,
            "regFactors": implicit.reg_factors,
        },
    }))
}

/// Trains and scores every method; each row is `{ method, params, trainSeconds, ranking }`.
pub fn run(args: &mut Args) -> Result<serde_json::Value, String> {
    let (file, data, holdout, seed) = split(args)?;
    let k: usize = args.number("k", 10)?;
    let lists = args.string("lists", "");
    args.finish()?;
    let x = Interactions::from_triples(&data.train).map_err(|e| e.to_string())?;

    let trained = |params: &AlsParams| -> Result<(Recommender, f64), String> {
        let started = Instant::now();
        let model = train(&x, data.scale, params, &mut |_| true).map_err(|e| e.to_string())?;
        Ok((Recommender::new(model), started.elapsed().as_secs_f64()))
    };
    let (explicit, explicit_seconds) = trained(&AlsParams::default())?;
    let explicit_eval = evaluate(&explicit, &data.test, k).map_err(|e| e.to_string())?;
    let (implicit, implicit_seconds) = trained(&implicit_defaults())?;
    let implicit_eval = evaluate(&implicit, &data.test, k).map_err(|e| e.to_string())?;

    let mut rows = vec![
        json!({ "method": "popularity", "ranking": explicit_eval.popularity.ranking }),
        json!({ "method": "movierec explicit (defaults)", "params": explicit.model().params,
                "trainSeconds": explicit_seconds, "ranking": explicit_eval.model.ranking,
                "testRmse": explicit_eval.model.rating.rmse }),
        json!({ "method": "movierec --feedback implicit (defaults)", "params": implicit.model().params,
                "trainSeconds": implicit_seconds, "ranking": implicit_eval.model.ranking }),
    ];
    for spec in lists.split(',').filter(|s| !s.is_empty()) {
        let (name, path) = spec
            .split_once('=')
            .ok_or_else(|| format!("--lists: expected name=FILE, got {spec:?}"))?;
        let top = read_lists(Path::new(path))?;
        let ranking = evaluate_lists(&explicit, &data.test, k, &top).map_err(|e| e.to_string())?;
        rows.push(json!({ "method": name, "listsFile": path, "listUsers": top.len(), "ranking": ranking }));
    }
    Ok(json!({
        "file": file,
        "holdout": holdout,
        "seed": seed,
        "k": k,
        "trainRatings": data.train.len(),
        "testRatings": data.test.len(),
        "users": x.n_users(),
        "movies": x.n_items(),
        "rows": rows,
    }))
}

/// `userId,movieId` lines (header first), each user's movies best first.
fn read_lists(path: &Path) -> Result<BTreeMap<u32, Vec<u32>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lists: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let parsed = line
            .split_once(',')
            .and_then(|(u, m)| Some((u.trim().parse::<u32>().ok()?, m.trim().parse::<u32>().ok()?)));
        let (user, movie) = parsed.ok_or_else(|| format!("{}:{}: expected userId,movieId", path.display(), n + 1))?;
        lists.entry(user).or_default().push(movie);
    }
    Ok(lists)
}
