//! `train`: read, build, train iteration by iteration (timed), fold-in latency; `load`: model load time.

use std::path::PathBuf;
use std::time::Instant;

use movierec_core::als::{implicit_defaults, ExplicitTrainer, ImplicitTrainer, Trainer};
use movierec_core::dataset::{read_ratings, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::model::{AlsModel, AlsParams, Feedback, IterationStats, Solver};
use movierec_core::recommend::{ListOptions, Recommender};
use serde_json::json;

use crate::args::Args;
use crate::{median, memory, quantile};

/// Movies per fold-in list, as `predict` returns by default.
const LIST_LENGTH: usize = 20;

pub fn run(args: &mut Args) -> Result<serde_json::Value, String> {
    let file = PathBuf::from(args.required("file")?);
    let feedback = match args.string("feedback", "explicit").as_str() {
        "explicit" => Feedback::Explicit,
        "implicit" => Feedback::Implicit,
        other => return Err(format!("--feedback: expected explicit or implicit, got {other:?}")),
    };
    let defaults = match feedback {
        Feedback::Explicit => movierec_core::als::als_defaults(),
        Feedback::Implicit => implicit_defaults(),
    };
    let solver = match args.string("solver", "cholesky").as_str() {
        "cholesky" => Solver::Cholesky,
        "cg" => Solver::Cg,
        other => return Err(format!("--solver: expected cholesky or cg, got {other:?}")),
    };
    let params = AlsParams {
        factors: args.number("factors", defaults.factors)?,
        iterations: args.number("iters", 3)?,
        reg_factors: args.number("reg", defaults.reg_factors)?,
        threads: args.number("threads", 0)?,
        alpha: args.number("alpha", defaults.alpha)?,
        cg_steps: args.number("cg-steps", defaults.cg_steps)?,
        feedback,
        solver,
        ..defaults
    };
    let foldin_users: usize = args.number("foldin", 0)?;
    let save_dir = args.optional("save").map(PathBuf::from);
    args.finish()?;

    let started = Instant::now();
    let data = read_ratings(&file, &ReadOptions::default()).map_err(|e| e.to_string())?;
    let read_seconds = started.elapsed().as_secs_f64();
    let read_peak = memory::peak_rss_bytes();
    // From here on the peak is the training's own: the parse peak (file pages mapped) is reported separately.
    memory::reset_peak();
    let build_started = Instant::now();
    let x = Interactions::from_triples(&data.triples).map_err(|e| e.to_string())?;
    let build_seconds = build_started.elapsed().as_secs_f64();

    let init_started = Instant::now();
    let mut iteration_seconds = Vec::new();
    let mut iteration_cpu_seconds = Vec::new();
    let mut history: Vec<IterationStats> = Vec::new();
    let mut timed = |step: &mut dyn FnMut() -> IterationStats| {
        for _ in 0..params.iterations {
            let (t, cpu) = (Instant::now(), memory::cpu_seconds());
            history.push(step());
            iteration_seconds.push(t.elapsed().as_secs_f64());
            iteration_cpu_seconds.push(memory::cpu_seconds() - cpu);
        }
    };
    let (init_seconds, model) = match feedback {
        Feedback::Explicit => {
            let mut trainer = ExplicitTrainer::new(&x, data.report.scale, &params).map_err(|e| e.to_string())?;
            let init = init_started.elapsed().as_secs_f64();
            timed(&mut || trainer.step());
            (init, trainer.into_model())
        }
        Feedback::Implicit => {
            let mut trainer = ImplicitTrainer::new(&x, data.report.scale, &params).map_err(|e| e.to_string())?;
            let init = init_started.elapsed().as_secs_f64();
            timed(&mut || trainer.step());
            (init, trainer.into_model())
        }
    };
    let train_peak = memory::peak_rss_bytes();
    let train_rss = memory::rss_bytes();

    let save = match &save_dir {
        Some(dir) => Some(crate::save::save(
            &model,
            &data.report,
            dir,
            started.elapsed().as_secs_f64(),
        )?),
        None => None,
    };
    let foldin = if foldin_users > 0 {
        Some(fold_in_latency(model, &x, foldin_users)?)
    } else {
        None
    };

    Ok(json!({
        "file": file,
        "feedback": feedback,
        "factors": params.factors,
        "iterations": params.iterations,
        "cgSteps": params.cg_steps,
        "solver": params.solver,
        "regFactors": params.reg_factors,
        "alpha": params.alpha,
        "threads": params.threads,
        "ratings": x.nnz(),
        "users": x.n_users(),
        "movies": x.n_items(),
        "readSeconds": read_seconds,
        "buildSeconds": build_seconds,
        "initSeconds": init_seconds,
        "iterationSeconds": iteration_seconds,
        "medianIterationSeconds": median(&iteration_seconds),
        "iterationCpuSeconds": iteration_cpu_seconds,
        "trainRmse": history.iter().map(|s| s.train_rmse).collect::<Vec<_>>(),
        "readPeakRssBytes": read_peak,
        "trainPeakRssBytes": train_peak,
        "rssAfterTrainingBytes": train_rss,
        "save": save,
        "foldIn": foldin,
    }))
}

/// Fold-in and top-20 list for `users` training users spread evenly over the id range, each user's training
/// ratings given as a new user's input (raw ids), one call at a time as the service makes them.
fn fold_in_latency(model: AlsModel, x: &Interactions, users: usize) -> Result<serde_json::Value, String> {
    let n = x.n_users();
    let picks: Vec<usize> = (0..users.min(n)).map(|j| j * n / users.min(n)).collect();
    let inputs: Vec<(Vec<u32>, Vec<f32>)> = picks
        .iter()
        .map(|&u| {
            let (cols, ratings) = x.by_user.row(u);
            (
                cols.iter().map(|&c| x.items.raw_id(c as usize)).collect(),
                ratings.to_vec(),
            )
        })
        .collect();
    let recommender = Recommender::new(model);
    let mut millis = Vec::with_capacity(inputs.len());
    for (ids, ratings) in &inputs {
        let t = Instant::now();
        let listed = recommender
            .new_user(ids, ratings, LIST_LENGTH, &ListOptions::default())
            .map_err(|e| e.to_string())?
            .movie_ids
            .len();
        millis.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(listed);
    }
    let history: Vec<usize> = inputs.iter().map(|(ids, _)| ids.len()).collect();
    Ok(json!({
        "users": millis.len(),
        "p50Ms": quantile(&millis, 0.5),
        "p99Ms": quantile(&millis, 0.99),
        "maxMs": quantile(&millis, 1.0),
        "meanHistory": history.iter().sum::<usize>() as f64 / history.len().max(1) as f64,
        "maxHistory": history.iter().copied().max().unwrap_or(0),
    }))
}

pub fn load(args: &mut Args) -> Result<serde_json::Value, String> {
    let dir = PathBuf::from(args.required("dir")?);
    let repeat = args.number("repeat", 5)?.max(1);
    args.finish()?;
    crate::save::load_times(&dir, repeat)
}
