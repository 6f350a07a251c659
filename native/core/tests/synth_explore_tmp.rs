use movierec_core::synth::*;
use std::collections::HashMap;
use std::time::Instant;

fn stats(p: &SynthParams) {
    let t = Instant::now();
    let d = generate(p).unwrap();
    println!("gen {:?} {:.2}s n={}", p.users, t.elapsed().as_secs_f64(), d.triples.len());
    let tr = &d.triples;
    let mean = tr.ratings.iter().map(|&r| r as f64).sum::<f64>() / tr.len() as f64;
    let sd = (tr.ratings.iter().map(|&r| (r as f64 - mean).powi(2)).sum::<f64>() / tr.len() as f64).sqrt();
    let mut hist: HashMap<u32, usize> = HashMap::new();
    for &r in &tr.ratings { *hist.entry((r * 2.0) as u32).or_default() += 1; }
    let mut h: Vec<_> = hist.into_iter().collect(); h.sort();
    println!("mean {mean:.3} sd {sd:.3} hist {:?}", h.iter().map(|(k, v)| (*k as f32 / 2.0, (*v as f64 / tr.len() as f64 * 1000.0).round() / 1000.0)).collect::<Vec<_>>());
    let mut mc: HashMap<u32, usize> = HashMap::new();
    for &m in &tr.movies { *mc.entry(m).or_default() += 1; }
    let mut c: Vec<usize> = mc.values().copied().collect(); c.sort_unstable_by(|a, b| b.cmp(a));
    let top1: usize = c[..c.len() / 100].iter().sum(); let top10: usize = c[..c.len() / 10].iter().sum();
    println!("movies rated {} top {} top1% {:.3} top10% {:.3} median {}", c.len(), c[0], top1 as f64 / tr.len() as f64, top10 as f64 / tr.len() as f64, c[c.len() / 2]);
    let mut uc: HashMap<u32, usize> = HashMap::new();
    for &u in &tr.users { *uc.entry(u).or_default() += 1; }
    let mut c: Vec<usize> = uc.values().copied().collect(); c.sort_unstable();
    println!("users {} min {} median {} max {}", c.len(), c[0], c[c.len() / 2], c[c.len() - 1]);
    // genre affinity
    let truth = &d.truth;
    let (mut fav, mut nf, mut other, mut no) = (0.0, 0, 0.0, 0);
    let mut favshare = 0.0; let mut strong = 0;
    for i in 0..tr.len() {
        let u = tr.users[i] as usize - 1;
        if truth.taste_strength[u] < STRONG_TASTE { continue; }
        let m = truth.movie_index(tr.movies[i]).unwrap();
        if truth.has_genre(m, truth.favourite_genre[u]) { fav += tr.ratings[i] as f64; nf += 1 } else { other += tr.ratings[i] as f64; no += 1 }
    }
    for &u in truth.strong_taste_users().iter().take(200) {
        let s = truth.true_scores(u).unwrap();
        let mut idx: Vec<usize> = (0..s.len()).collect();
        idx.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
        let f = truth.favourite_genre[u as usize - 1];
        favshare += idx[..20].iter().filter(|&&m| truth.has_genre(m, f)).count() as f64 / 20.0; strong += 1;
    }
    println!("strong users: fav mean {:.3} ({nf}) other {:.3} ({no}); true top20 fav share {:.3}", fav / nf as f64, other / no as f64, favshare / strong as f64);
    for (c, members) in truth.clusters.iter().enumerate().take(3) {
        let fans: std::collections::HashSet<u32> = truth.cluster_fans[c].iter().copied().collect();
        let (mut fs, mut fnn, mut os, mut on) = (0.0, 0, 0.0, 0);
        for i in 0..tr.len() { if members.contains(&tr.movies[i]) { if fans.contains(&tr.users[i]) { fs += tr.ratings[i] as f64; fnn += 1 } else { os += tr.ratings[i] as f64; on += 1 } } }
        println!("cluster {c}: fans {} fan ratings {fnn} mean {:.2}; others {on} mean {:.2}; titles {:?}", fans.len(), fs / fnn as f64, os / on as f64, members.iter().map(|&m| d.catalogue.titles[truth.movie_index(m).unwrap()].clone()).collect::<Vec<_>>());
    }
    println!("titles {:?}", &d.catalogue.titles[..12]);
}

#[test]
#[ignore]
fn explore() {
    stats(&SynthParams::demo());
    if std::env::var("BIG").is_ok() { stats(&SynthParams::ml5m_shape()); }
}
