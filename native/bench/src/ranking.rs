//! `ranking-split` and `ranking`: the Rust side of `npm run bench:ranking` (bench/ranking/run.ts), the new-user
//! protocol of `movierec evaluate --new-users`.
//!
//! Both hold out `--heldout-users` (0.1) of the users entirely with `dataset::split::split_users` and `--seed` (what
//! `movierec split --by users` does) and split each held-out user's ratings into a given and a target half with
//! `metrics::new_user_halves` (what `metrics::evaluate_new_users` does), so they see the same split. `ranking-split`
//! writes the training part and the given halves for the Python references; `ranking` trains the product with its
//! defaults on the training part and scores its lists, popularity's and the references' (read from
//! `--lists name=FILE,...`) with the core's one set of new-user metrics; with `--ranking-alpha-reg A,L`, also the
//! same rating model beside a ranking model trained with another alpha and lambda (research settings, not defaults).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use movierec_core::als::{run as run_trainer, train_models, ImplicitTrainer};
use movierec_core::dataset::split::{split_users, write_ratings};
use movierec_core::dataset::{read_movies_beside, read_ratings, Catalogue, RatingTriples, RatingsLayout, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::{evaluate_new_user_lists, evaluate_new_users, new_user_halves, GIVEN_FRACTION};
use movierec_core::model::{AlsModel, AlsParams, Ranking, RankingModel};
use movierec_core::recommend::Recommender;
use serde_json::json;

use crate::args::Args;

/// A ratings file split by users, as both subcommands read it.
struct Protocol {
    file: PathBuf,
    seed: u64,
    heldout_users: f64,
    scale: movierec_core::dataset::RatingScale,
    catalogue: Option<Arc<Catalogue>>,
    train: RatingTriples,
    heldout: RatingTriples,
}

impl Protocol {
    fn read(args: &mut Args) -> Result<Self, String> {
        let file = PathBuf::from(args.required("file")?);
        let heldout_users: f64 = args.number("heldout-users", 0.1)?;
        let seed: u64 = args.number("seed", 42)?;
        let data = read_ratings(&file, &ReadOptions::default()).map_err(|e| e.to_string())?;
        let catalogue = read_movies_beside(&file).map_err(|e| e.to_string())?.map(Arc::new);
        let (train, heldout) = split_users(&data.triples, heldout_users, seed).map_err(|e| e.to_string())?;
        let scale = data.report.scale;
        Ok(Self {
            file,
            seed,
            heldout_users,
            scale,
            catalogue,
            train,
            heldout,
        })
    }

    fn describe(&self) -> serde_json::Value {
        json!({
            "file": self.file,
            "seed": self.seed,
            "heldoutUsers": self.heldout_users,
            "givenFraction": GIVEN_FRACTION,
            "likedRating": self.scale.liked_threshold(),
            "trainRatings": self.train.len(),
            "heldoutRatings": self.heldout.len(),
        })
    }
}

/// Writes the training part (`train.csv`) and the held-out users' given halves (`given.csv`) as
/// `userId,movieId,rating,timestamp` CSV into `--out`.
pub fn write_split(args: &mut Args) -> Result<serde_json::Value, String> {
    let p = Protocol::read(args)?;
    let out = PathBuf::from(args.required("out")?);
    args.finish()?;
    let mut trained_users = p.train.users.clone();
    trained_users.sort_unstable();
    trained_users.dedup();
    let halves =
        new_user_halves(&p.heldout, |u| trained_users.binary_search(&u).is_ok(), p.seed).map_err(|e| e.to_string())?;
    let (train_file, given_file) = (out.join("train.csv"), out.join("given.csv"));
    write_ratings(&train_file, &p.train, RatingsLayout::CsvHeader).map_err(|e| e.to_string())?;
    write_ratings(&given_file, &halves.given, RatingsLayout::CsvHeader).map_err(|e| e.to_string())?;
    Ok(json!({
        "protocol": p.describe(),
        "train": train_file,
        "given": given_file,
        "newUsers": halves.new_users,
    }))
}

/// Trains the product with its defaults and scores every method; each row is `{ method, ranking, ... }`.
pub fn run(args: &mut Args) -> Result<serde_json::Value, String> {
    let p = Protocol::read(args)?;
    let k: usize = args.number("k", 10)?;
    let lists = args.string("lists", "");
    let alternative = args.optional("ranking-alpha-reg").map(|v| alpha_reg(&v)).transpose()?;
    args.finish()?;

    let started = Instant::now();
    let catalogue = p.catalogue.as_deref();
    let model = train_models(&p.train, catalogue, p.scale, &AlsParams::default(), &mut |_, _| true)
        .map_err(|e| e.to_string())?;
    let train_seconds = started.elapsed().as_secs_f64();
    let ranking_seconds = model.ranking.as_ref().map_or(0.0, |r| r.training_seconds);
    // `--ranking none` trains the same rating model (the ranking model is trained after it, from its own seed) and
    // no ranking model: the rating model alone chooses, as before issue 13.
    let mut rating_only = model.clone();
    rating_only.ranking = None;
    rating_only.params.ranking = Ranking::None;

    let evaluated = |model| {
        let recommender = Recommender::with_catalogue(model, p.catalogue.clone());
        let started = Instant::now();
        let e = evaluate_new_users(&recommender, &p.heldout, k, p.seed).map_err(|e| e.to_string())?;
        Ok::<_, String>((recommender, e, started.elapsed().as_secs_f64()))
    };
    let params = json!(model.params);
    let ranking_params = json!(model.ranking.as_ref().map(|r| &r.params));
    let (product, e, product_seconds) = evaluated(model)?;
    let (_, none, none_seconds) = evaluated(rating_only)?;
    let mut rows = vec![
        json!({ "method": "popularity", "ranking": e.popularity }),
        json!({ "method": "movierec defaults (rating + ranking model), by estimate", "params": params,
                "rankingParams": ranking_params, "fitSeconds": train_seconds, "rankingFitSeconds": ranking_seconds,
                "listSeconds": product_seconds, "ranking": e.model }),
        json!({ "method": "movierec defaults, by ranking score", "ranking": e.model_by_score }),
        json!({ "method": "movierec --ranking none (rating model chooses)",
                "fitSeconds": train_seconds - ranking_seconds, "listSeconds": none_seconds, "ranking": none.model }),
    ];
    if let Some((alpha, reg)) = alternative {
        let started = Instant::now();
        let with_alternative = with_ranking_model(product.model(), &p, alpha, reg)?;
        let fit_seconds = started.elapsed().as_secs_f64();
        let (_, e, list_seconds) = evaluated(with_alternative)?;
        rows.push(
            json!({ "method": format!("movierec, ranking model alpha {alpha}, lambda {reg} (not the default)"),
                          "fitSeconds": fit_seconds, "listSeconds": list_seconds, "ranking": e.model }),
        );
    }
    for spec in lists.split(',').filter(|s| !s.is_empty()) {
        let (name, path) = spec
            .split_once('=')
            .ok_or_else(|| format!("--lists: expected name=FILE, got {spec:?}"))?;
        let top = read_lists(Path::new(path))?;
        let ranking = evaluate_new_user_lists(&product, &p.heldout, k, p.seed, &top).map_err(|e| e.to_string())?;
        rows.push(json!({ "method": name, "listsFile": path, "listUsers": top.len(), "ranking": ranking }));
    }
    Ok(json!({
        "protocol": p.describe(),
        "k": k,
        "users": e.users,
        "usersSkipped": e.users_skipped,
        "usersNotPersonalised": e.users_not_personalised,
        "movies": product.model().items.len(),
        "rows": rows,
    }))
}

/// `ALPHA,LAMBDA` of `--ranking-alpha-reg`.
fn alpha_reg(value: &str) -> Result<(f32, f32), String> {
    let parsed = value
        .split_once(',')
        .and_then(|(a, r)| Some((a.parse().ok()?, r.parse().ok()?)));
    parsed.ok_or_else(|| format!("--ranking-alpha-reg: expected ALPHA,LAMBDA, got {value:?}"))
}

/// `model` (the same rating model) with a ranking model trained like the default one but for `alpha` and a plain
/// `reg`: what other ranking settings would give, the product's defaults untouched.
fn with_ranking_model(model: &AlsModel, p: &Protocol, alpha: f32, reg: f32) -> Result<AlsModel, String> {
    let defaults = model
        .params
        .ranking_params()
        .ok_or("the default model has no ranking model")?;
    let params = AlsParams {
        alpha,
        reg_factors: reg,
        ..defaults
    };
    let x = Interactions::from_triples(&p.train).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let trainer = ImplicitTrainer::for_ranking(&x, p.scale, &params).map_err(|e| e.to_string())?;
    let trained = run_trainer(trainer, None, &mut |_| true).map_err(|e| e.to_string())?;
    let mut out = model.clone();
    out.ranking = Some(RankingModel {
        params: trained.params,
        item_factors: trained.item_factors,
        user_factors: None,
        history: trained.history,
        training_seconds: started.elapsed().as_secs_f64(),
    });
    Ok(out)
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
