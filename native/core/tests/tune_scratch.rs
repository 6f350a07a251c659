// TEMPORARY tuning harness (deleted before hand-off).
use std::path::Path;
use std::time::Instant;
use movierec_core::als::ExplicitTrainer;
use movierec_core::dataset::{read_ratings, split::split_random, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::evaluate;
use movierec_core::model::AlsParams;

fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

#[test]
#[ignore]
fn tune() {
    let file = std::env::var("TUNE_FILE").unwrap_or("../../../shared/movielens/ml-1m/ratings.dat".into());
    let t = Instant::now();
    let data = read_ratings(Path::new(&file), &ReadOptions::default()).unwrap();
    let (train, test) = split_random(&data.triples, 0.1, 42).unwrap();
    let x = Interactions::from_triples(&train).unwrap();
    eprintln!("read+split+build {:.2}s", t.elapsed().as_secs_f64());
    let grid = std::env::var("GRID").unwrap(); // "k,rf,rb,iters;..."
    let threads: usize = std::env::var("THREADS").map(|s| s.parse().unwrap()).unwrap_or(0);
    for g in grid.split(';') {
        let v: Vec<&str> = g.split(',').collect();
        let p = AlsParams { factors: v[0].parse().unwrap(), reg_factors: v[1].parse().unwrap(), reg_bias: v[2].parse().unwrap(), iterations: v[3].parse().unwrap(), threads, ..AlsParams::default() };
        let mut tr = ExplicitTrainer::new(&x, data.report.scale, &p).unwrap();
        let mut line = String::new();
        let mut train_secs = 0.0;
        let mut cpu_secs = 0.0;
        for it in 1..=p.iterations {
            let t0 = Instant::now();
            let c0 = cpu();
            let s = tr.step();
            train_secs += t0.elapsed().as_secs_f64();
            cpu_secs += cpu() - c0;
            if it % 5 == 0 || it == p.iterations {
                let m = tr.model();
                let mut se = 0.0f64; let mut n = 0;
                for j in 0..test.len() {
                    if let (Some(u), Some(i)) = (m.users.index_of(test.users[j]), m.items.index_of(test.movies[j])) {
                        let e = (m.predict(u as usize, i as usize) - test.ratings[j]) as f64; se += e*e; n += 1;
                    }
                }
                line += &format!(" it{it}:{:.4}({:.1}s,tr {:.4})", (se / n as f64).sqrt(), train_secs, s.train_rmse);
            }
        }
        let e = evaluate(tr.model(), &test, 10).unwrap();
        eprintln!("k={} rf={} rb={} | {line} | base {:.4} | secs {:.2} cpu {:.2}", p.factors, p.reg_factors, p.reg_bias, e.bias_only.rating.rmse, train_secs, cpu_secs);
    }
}
