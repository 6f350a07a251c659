//! `movierec-bench`: the Rust side of `npm run bench` (bench/run.ts drives it). Each subcommand runs in its own
//! process, so its peak memory is its own, and prints one JSON object on stdout.
//!
//! ```text
//! movierec-bench gen   --preset ml25m|ml5m --out DIR
//! movierec-bench parse --file ratings.csv [--repeat 3]
//! movierec-bench train --file ratings.csv --feedback explicit|implicit --factors K --iters N
//!                      [--solver cholesky|cg] [--cg-steps N] [--alpha A] [--reg X] [--threads T] [--foldin USERS] [--save DIR]
//! movierec-bench load  --dir MODEL_DIR [--repeat 5]
//! movierec-bench ranking-split --file RATINGS --out DIR [--heldout-users 0.1] [--seed 42]
//! movierec-bench ranking       --file RATINGS [--heldout-users 0.1] [--seed 42] [--k 10] [--lists name=FILE,...]
//! ```

mod args;
mod memory;
mod ranking;
mod save;
mod train;

use std::path::PathBuf;
use std::time::Instant;

use movierec_core::dataset::{read_ratings, ReadOptions};
use movierec_core::synth::{generate, write_movielens_csv, SynthParams};
use serde_json::json;

use args::Args;

fn main() {
    let mut args = Args::from_env();
    let command = args.command();
    let result = match command.as_str() {
        "gen" => gen(&mut args),
        "parse" => parse(&mut args),
        "train" => train::run(&mut args),
        "load" => train::load(&mut args),
        "ranking-split" => ranking::write_split(&mut args),
        "ranking" => ranking::run(&mut args),
        other => Err(format!(
            "unknown command {other:?}; expected gen, parse, train, load, ranking-split or ranking"
        )),
    };
    match result {
        Ok(value) => println!("{value}"),
        Err(message) => {
            eprintln!("movierec-bench {command}: {message}");
            std::process::exit(1);
        }
    }
}

fn gen(args: &mut Args) -> Result<serde_json::Value, String> {
    let preset = args.string("preset", "ml5m");
    let params = match preset.as_str() {
        "ml25m" => SynthParams::ml25m_shape(),
        "ml5m" => SynthParams::ml5m_shape(),
        "demo" => SynthParams::demo(),
        other => return Err(format!("unknown preset {other:?}; expected ml25m, ml5m or demo")),
    };
    let out = PathBuf::from(args.required("out")?);
    args.finish()?;
    let started = Instant::now();
    let data = generate(&params).map_err(|e| e.to_string())?;
    let generated = started.elapsed().as_secs_f64();
    write_movielens_csv(&out, &data).map_err(|e| e.to_string())?;
    Ok(json!({
        "preset": preset,
        "dir": out,
        "users": params.users,
        "movies": params.movies,
        "ratings": data.triples.len(),
        "generateSeconds": generated,
        "totalSeconds": started.elapsed().as_secs_f64(),
    }))
}

/// Times `read_ratings` (parse, dedup check, sha256) `repeat` times on a warm page cache.
fn parse(args: &mut Args) -> Result<serde_json::Value, String> {
    let file = PathBuf::from(args.required("file")?);
    let repeat = args.number("repeat", 3)?.max(1);
    args.finish()?;
    let bytes = std::fs::metadata(&file)
        .map_err(|e| format!("{}: {e}", file.display()))?
        .len();
    // Warm the page cache once so every timed run reads from memory, as pandas will after it.
    std::hint::black_box(
        std::fs::read(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .len(),
    );
    memory::reset_peak();
    let mut seconds = Vec::new();
    let mut ratings = 0;
    for _ in 0..repeat {
        let started = Instant::now();
        let data = read_ratings(&file, &ReadOptions::default()).map_err(|e| e.to_string())?;
        seconds.push(started.elapsed().as_secs_f64());
        ratings = data.triples.len();
    }
    Ok(json!({
        "file": file,
        "bytes": bytes,
        "ratings": ratings,
        "seconds": seconds,
        "medianSeconds": median(&seconds),
        "peakRssBytes": memory::peak_rss_bytes(),
    }))
}

pub(crate) fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// The `q`-quantile (0..=1) by nearest rank.
pub(crate) fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}
