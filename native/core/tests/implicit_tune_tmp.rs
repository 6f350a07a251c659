use std::path::Path;
use movierec_core::als::train;
use movierec_core::dataset::split::split_per_user;
use movierec_core::dataset::{read_ratings, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::metrics::evaluate;
use movierec_core::model::{AlsParams, Feedback};

#[test]
#[ignore]
fn tune() {
    let file = std::env::var("TUNE_FILE").unwrap_or("ml-1m/ratings.dat".into());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/movielens").join(file);
    let data = read_ratings(&path, &ReadOptions::default()).unwrap();
    let (history, heldout) = split_per_user(&data.triples, 0.8, 7).unwrap();
    let x = Interactions::from_triples(&history).unwrap();
    let grid = std::env::var("TUNE_GRID").unwrap_or("1:0.05:64:15:3".into());
    for g in grid.split(',') {
        let v: Vec<&str> = g.split(':').collect();
        let p = AlsParams { feedback: Feedback::Implicit, alpha: v[0].parse().unwrap(), reg_factors: v[1].parse().unwrap(), factors: v[2].parse().unwrap(), iterations: v[3].parse().unwrap(), cg_steps: v[4].parse().unwrap(), ..AlsParams::default() };
        let t = std::time::Instant::now();
        let m = train(&x, data.report.scale, &p, &mut |_| true).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let e = evaluate(&m, &heldout, 10).unwrap();
        let r = &e.model.ranking;
        println!("{g}: P {:.4} R {:.4} NDCG {:.4} cov {:.3} | pop P {:.4} | expl-bias P {:.4} | {secs:.2}s rmse {:.4}", r.precision, r.recall, r.ndcg, r.coverage, e.popularity.ranking.precision, e.bias_only.ranking.precision, m.history.last().unwrap().train_rmse);
    }
}
