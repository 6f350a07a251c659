//! The synthetic generator: deterministic, exact in size, MovieLens-shaped, and carrying the planted structure
//! (genre taste, co-liked clusters) that the quality tests of other layers rely on.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use movierec_core::dataset::{read_movies, read_ratings, ReadOptions};
use movierec_core::synth::{
    generate, write_movielens_csv, write_truth_json, SynthData, SynthParams, GENRE_NAMES, MIN_RATINGS_PER_USER,
    STRONG_TASTE,
};

fn demo() -> &'static SynthData {
    static DEMO: OnceLock<SynthData> = OnceLock::new();
    DEMO.get_or_init(|| generate(&SynthParams::demo()).expect("demo parameters are valid"))
}

/// Small, half stars, odd sizes.
fn small() -> SynthParams {
    SynthParams {
        users: 811,
        movies: 613,
        ratings: 70_003,
        factors: 6,
        genres: 19,
        clusters: 5,
        cluster_size: 5,
        half_stars: true,
        seed: 7,
    }
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn mean(xs: impl IntoIterator<Item = f32>) -> f64 {
    let (sum, n) = xs.into_iter().fold((0.0, 0usize), |(s, n), x| (s + x as f64, n + 1));
    sum / n.max(1) as f64
}

#[test]
fn same_seed_gives_identical_data_whatever_the_thread_count() {
    let params = small();
    let one = in_pool(1, || generate(&params).unwrap());
    let three = in_pool(3, || generate(&params).unwrap());
    assert_eq!(one.triples, three.triples);
    assert_eq!(one.catalogue, three.catalogue);
    assert_eq!(one.truth.favourite_genre, three.truth.favourite_genre);
    assert_eq!(one.truth.taste_strength, three.truth.taste_strength);
    assert_eq!(one.truth.clusters, three.truth.clusters);
    assert_eq!(one.truth.cluster_fans, three.truth.cluster_fans);
    assert_eq!(one.truth.true_scores(17), three.truth.true_scores(17));

    let other_seed = generate(&SynthParams { seed: 8, ..params }).unwrap();
    assert_ne!(one.triples, other_seed.triples);
    assert_ne!(one.catalogue.titles, other_seed.catalogue.titles);
}

#[test]
fn presets_have_the_documented_shapes() {
    let ml25m = SynthParams::ml25m_shape();
    assert_eq!(
        (ml25m.users, ml25m.movies, ml25m.ratings, ml25m.half_stars),
        (162_541, 59_047, 25_000_095, true)
    );
    let ml5m = SynthParams::ml5m_shape();
    assert_eq!(
        (ml5m.users, ml5m.movies, ml5m.ratings, ml5m.half_stars),
        (32_508, 11_809, 5_000_019, true)
    );
    for preset in [SynthParams::demo(), ml25m, ml5m] {
        preset.validate().unwrap();
    }
    let demo = demo();
    assert_eq!(demo.triples.len(), SynthParams::demo().ratings);
}

#[test]
fn rating_count_is_exact_and_every_user_and_movie_appears() {
    // ML-25M's shape a hundred times smaller, then the extremes the count logic must also hit exactly.
    let ml25m_scaled = SynthParams {
        users: 1_625,
        movies: 590,
        ratings: 250_001,
        ..SynthParams::ml25m_shape()
    };
    let at_minimum = SynthParams {
        ratings: 811 * MIN_RATINGS_PER_USER,
        ..small()
    };
    let at_maximum = SynthParams {
        users: 50,
        movies: 100,
        ratings: 50 * 55,
        clusters: 2,
        ..small()
    };
    // Every movie needs an owner among users with odd counts: capacity is tight here.
    let fewest_ratings_per_movie = SynthParams {
        users: 99,
        movies: 1_000,
        ratings: 2_000,
        clusters: 2,
        ..small()
    };
    for params in [ml25m_scaled, small(), at_minimum, at_maximum, fewest_ratings_per_movie] {
        let data = generate(&params).unwrap();
        assert_eq!(data.triples.len(), params.ratings, "{params:?}");
        let users: HashSet<u32> = data.triples.users.iter().copied().collect();
        let movies: HashSet<u32> = data.triples.movies.iter().copied().collect();
        assert_eq!(users.len(), params.users);
        assert_eq!(movies.len(), params.movies, "every movie is rated at least once");
        assert_eq!(data.catalogue.ids.len(), params.movies);
    }
}

#[test]
fn pairs_are_unique_sorted_and_every_user_rates_at_least_twenty() {
    let t = &demo().triples;
    for i in 1..t.len() {
        assert!(
            (t.users[i - 1], t.movies[i - 1]) < (t.users[i], t.movies[i]),
            "row {i} out of order or repeated"
        );
    }
    let mut per_user: HashMap<u32, usize> = HashMap::new();
    for &u in &t.users {
        *per_user.entry(u).or_default() += 1;
    }
    let users = SynthParams::demo().users as u32;
    assert!((1..=users).all(|u| per_user.get(&u).copied().unwrap_or(0) >= MIN_RATINGS_PER_USER));
    let known: HashSet<u32> = demo().catalogue.ids.iter().copied().collect();
    assert!(t.movies.iter().all(|m| known.contains(m)));
}

#[test]
fn popularity_and_activity_are_heavy_tailed() {
    let t = &demo().triples;
    let mut per_movie: HashMap<u32, usize> = HashMap::new();
    for &m in &t.movies {
        *per_movie.entry(m).or_default() += 1;
    }
    let mut counts: Vec<usize> = per_movie.into_values().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let share = |k: usize| counts[..k].iter().sum::<usize>() as f64 / t.len() as f64;
    assert!(
        share(counts.len() / 100) > 0.10,
        "top 1% of movies hold {:.3}",
        share(counts.len() / 100)
    );
    assert!(
        share(counts.len() / 10) > 0.45,
        "top 10% of movies hold {:.3}",
        share(counts.len() / 10)
    );
    let mean_per_movie = t.len() / counts.len();
    assert!(
        counts[counts.len() / 2] * 3 < mean_per_movie,
        "median movie far below the mean"
    );

    let mut per_user: HashMap<u32, usize> = HashMap::new();
    for &u in &t.users {
        *per_user.entry(u).or_default() += 1;
    }
    let mut activity: Vec<usize> = per_user.into_values().collect();
    activity.sort_unstable();
    let median = activity[activity.len() / 2];
    assert!(
        *activity.last().unwrap() > 10 * median,
        "longest history {} vs median {median}",
        activity.last().unwrap()
    );
    assert!(
        median < t.len() / activity.len(),
        "median user below the mean: a long tail of heavy raters"
    );
}

#[test]
fn ratings_lie_on_the_grid_with_a_movielens_like_distribution() {
    let whole = &demo().triples.ratings;
    assert!(whole.iter().all(|&r| r.fract() == 0.0 && (1.0..=5.0).contains(&r)));
    let m = mean(whole.iter().copied());
    let sd = (whole.iter().map(|&r| (r as f64 - m).powi(2)).sum::<f64>() / whole.len() as f64).sqrt();
    assert!((3.3..=3.7).contains(&m), "mean {m}");
    assert!((0.8..=1.2).contains(&sd), "sd {sd}");
    for star in 1..=5 {
        let share = whole.iter().filter(|&&r| r == star as f32).count() as f64 / whole.len() as f64;
        assert!(share > 0.01, "{star} stars: {share}");
    }

    let halves = generate(&small()).unwrap().triples.ratings;
    assert!(halves
        .iter()
        .all(|&r| (r * 2.0).fract() == 0.0 && (0.5..=5.0).contains(&r)));
    let half_share = halves.iter().filter(|&&r| r.fract() == 0.5).count() as f64 / halves.len() as f64;
    assert!(
        (0.1..=0.5).contains(&half_share),
        "share of half-star ratings {half_share}"
    );
    assert!((3.3..=3.8).contains(&mean(halves.iter().copied())));
}

/// Per user: (mean rating of favourite-genre movies, mean of the others, how many of each).
fn favourite_vs_other(data: &SynthData) -> HashMap<u32, (f64, f64, usize, usize)> {
    let (t, truth) = (&data.triples, &data.truth);
    let mut sums: HashMap<u32, (f64, f64, usize, usize)> = HashMap::new();
    for i in 0..t.len() {
        let user = t.users[i];
        let movie = truth.movie_index(t.movies[i]).unwrap();
        let entry = sums.entry(user).or_default();
        if truth.has_genre(movie, truth.favourite_genre[user as usize - 1]) {
            entry.0 += t.ratings[i] as f64;
            entry.2 += 1;
        } else {
            entry.1 += t.ratings[i] as f64;
            entry.3 += 1;
        }
    }
    sums.into_iter()
        .map(|(u, (f, o, nf, no))| (u, (f / nf.max(1) as f64, o / no.max(1) as f64, nf, no)))
        .collect()
}

#[test]
fn strong_taste_users_rate_their_favourite_genre_higher() {
    let data = demo();
    let truth = &data.truth;
    let strong = truth.strong_taste_users();
    assert!(
        strong.len() > SynthParams::demo().users / 5,
        "{} strong-taste users",
        strong.len()
    );
    let per_user = favourite_vs_other(data);
    let gaps = |users: &[u32]| -> Vec<f64> {
        users
            .iter()
            .filter_map(|u| per_user.get(u))
            .filter(|(_, _, nf, no)| *nf >= 5 && *no >= 5)
            .map(|(f, o, _, _)| f - o)
            .collect()
    };
    let strong_gaps = gaps(&strong);
    let preferring = strong_gaps.iter().filter(|&&g| g > 0.0).count() as f64 / strong_gaps.len() as f64;
    assert!(
        preferring > 0.9,
        "only {preferring:.2} of strong-taste users rate their favourite genre higher"
    );
    let weak: Vec<u32> = (1..=truth.taste_strength.len() as u32)
        .filter(|&u| truth.taste_strength[u as usize - 1] < 0.2)
        .collect();
    let (strong_gap, weak_gap) = (
        mean(strong_gaps.iter().map(|&g| g as f32)),
        mean(gaps(&weak).iter().map(|&g| g as f32)),
    );
    assert!(
        strong_gap > 0.7 && weak_gap < 0.4,
        "gap strong {strong_gap:.2}, weak {weak_gap:.2}"
    );

    // The noise-free truth: a strong-taste user's 20 best movies are mostly of the favourite genre.
    let mut favourite_share = 0.0;
    for &user in strong.iter().take(100) {
        let scores = truth.true_scores(user).unwrap();
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let genre = truth.favourite_genre[user as usize - 1];
        favourite_share += order[..20].iter().filter(|&&m| truth.has_genre(m, genre)).count() as f64 / 20.0 / 100.0;
    }
    assert!(
        favourite_share > 0.75,
        "favourite genre share of true top-20: {favourite_share:.2}"
    );
    assert!(truth.true_scores(0).is_none() && truth.true_scores(6_001).is_none());
    assert!(truth.taste_strength.iter().all(|s| (0.0..1.0).contains(s)));
    assert!(strong
        .iter()
        .all(|&u| truth.taste_strength[u as usize - 1] >= STRONG_TASTE));
}

#[test]
fn cluster_movies_are_co_liked() {
    let data = demo();
    let (t, truth) = (&data.triples, &data.truth);
    let params = SynthParams::demo();
    assert_eq!(truth.clusters.len(), params.clusters);
    assert!(truth.clusters.iter().all(|c| c.len() == params.cluster_size));
    let all: HashSet<u32> = truth.clusters.iter().flatten().copied().collect();
    assert_eq!(
        all.len(),
        params.clusters * params.cluster_size,
        "clusters are disjoint"
    );

    let overall_mean = mean(t.ratings.iter().copied());
    for (c, members) in truth.clusters.iter().enumerate() {
        // Seen from the data alone: users who gave one cluster movie 5 stars rate its other movies far above
        // what everybody else gives those movies.
        let mut by_user: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
        for i in 0..t.len() {
            if members.contains(&t.movies[i]) {
                by_user.entry(t.users[i]).or_default().push((t.movies[i], t.ratings[i]));
            }
        }
        let (mut after_a_five, mut everybody_else) = (Vec::new(), Vec::new());
        for rated in by_user.values() {
            let loves_one = rated.iter().any(|&(_, r)| r == 5.0);
            for (k, &(_, r)) in rated.iter().enumerate() {
                let loves_another = rated.iter().enumerate().any(|(j, &(_, r2))| j != k && r2 == 5.0);
                if loves_another {
                    after_a_five.push(r);
                } else if !loves_one {
                    everybody_else.push(r);
                }
            }
        }
        let (co_liked, baseline) = (mean(after_a_five.iter().copied()), mean(everybody_else.iter().copied()));
        assert!(
            after_a_five.len() > 200,
            "cluster {c}: {} co-ratings",
            after_a_five.len()
        );
        assert!(
            co_liked > 4.0 && co_liked > baseline + 0.8,
            "cluster {c}: {co_liked:.2} vs {baseline:.2}"
        );

        // And by the truth: fans watch several of their cluster's movies and love them.
        let fans: HashSet<u32> = truth.cluster_fans[c].iter().copied().collect();
        let watched_three = fans
            .iter()
            .filter(|u| by_user.get(u).is_some_and(|r| r.len() >= 3))
            .count();
        assert!(
            watched_three * 2 > fans.len(),
            "cluster {c}: {watched_three} of {} fans rated 3+",
            fans.len()
        );
        let fan_mean = mean(
            by_user
                .iter()
                .filter(|(u, _)| fans.contains(u))
                .flat_map(|(_, r)| r.iter().map(|p| p.1)),
        );
        assert!(fan_mean > overall_mean + 1.0, "cluster {c}: fans rate it {fan_mean:.2}");
    }
}

#[test]
fn catalogue_titles_years_and_genres_are_plausible() {
    let data = demo();
    let catalogue = &data.catalogue;
    assert!(catalogue.ids.windows(2).all(|w| w[0] < w[1]));
    assert!(
        *catalogue.ids.last().unwrap() as usize > catalogue.ids.len(),
        "ids have gaps, like MovieLens"
    );
    let distinct: HashSet<&String> = catalogue.titles.iter().collect();
    assert_eq!(distinct.len(), catalogue.titles.len());
    for (title, genres) in catalogue.titles.iter().zip(&catalogue.genres) {
        let year: u32 = title[title.len() - 5..title.len() - 1]
            .parse()
            .unwrap_or_else(|_| panic!("{title}"));
        assert!(title.ends_with(')') && (1915..=2019).contains(&year), "{title}");
        assert!(
            (1..=3).contains(&genres.len()) && genres.windows(2).all(|w| w[0] < w[1]),
            "{genres:?}"
        );
        assert!(genres.iter().all(|g| GENRE_NAMES.contains(&g.as_str())));
    }
    assert!(
        catalogue.titles.iter().any(|t| t.contains(", The (")),
        "MovieLens-style trailing articles"
    );
    // A cluster is a franchise: its titles share a name.
    let truth = &data.truth;
    for members in &truth.clusters {
        let titles: Vec<&String> = members
            .iter()
            .map(|&m| &catalogue.titles[truth.movie_index(m).unwrap()])
            .collect();
        let name = titles[0].rsplit_once(" (").unwrap().0;
        assert!(titles.iter().all(|t| t.starts_with(name)), "{titles:?}");
    }
}

/// Minimal RFC 4180 split of one line (no embedded line breaks in these files).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[test]
fn written_csv_has_the_movielens_layout_and_reads_back_identically() {
    let data = generate(&small()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("synthetic");
    write_movielens_csv(&out, &data).unwrap();
    write_movielens_csv(&out, &data).unwrap(); // overwriting an earlier run is fine

    let ratings = std::fs::read_to_string(out.join("ratings.csv")).unwrap();
    let mut lines = ratings.lines();
    assert_eq!(lines.next(), Some("userId,movieId,rating,timestamp"));
    let mut rows = 0;
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 4, "{line}");
        assert_eq!(f[0].parse::<u32>().unwrap(), data.triples.users[i]);
        assert_eq!(f[1].parse::<u32>().unwrap(), data.triples.movies[i]);
        assert_eq!(f[2].parse::<f32>().unwrap(), data.triples.ratings[i]);
        assert!(f[2].contains('.'), "ratings written as MovieLens does: {line}");
        assert!(
            (789_652_009..=1_574_327_703).contains(&f[3].parse::<u64>().unwrap()),
            "{line}"
        );
        rows += 1;
    }
    assert_eq!(rows, data.triples.len());

    let movies = std::fs::read_to_string(out.join("movies.csv")).unwrap();
    let mut lines = movies.lines();
    assert_eq!(lines.next(), Some("movieId,title,genres"));
    let parsed: Vec<Vec<String>> = lines.map(csv_fields).collect();
    assert_eq!(parsed.len(), data.catalogue.ids.len());
    for (i, fields) in parsed.iter().enumerate() {
        assert_eq!(fields.len(), 3, "{fields:?}");
        assert_eq!(fields[0].parse::<u32>().unwrap(), data.catalogue.ids[i]);
        assert_eq!(fields[1], data.catalogue.titles[i]);
        assert_eq!(fields[2], data.catalogue.genres[i].join("|"));
    }
    assert!(
        movies.contains(", The (") && movies.contains("\"\""),
        "quoting exercised: commas and quotes"
    );
    assert!(!std::fs::read_dir(&out)
        .unwrap()
        .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".tmp")));
}

#[test]
fn the_project_readers_read_the_written_files_back() {
    let data = generate(&small()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_movielens_csv(dir.path(), &data).unwrap();
    let read = read_ratings(&dir.path().join("ratings.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(read.triples, data.triples);
    assert_eq!(read.report.scale.step, 0.5);
    assert_eq!(read.report.duplicates, 0);
    let catalogue = read_movies(&dir.path().join("movies.csv")).unwrap();
    assert_eq!(catalogue, data.catalogue);
}

#[test]
fn truth_json_names_genres_tastes_and_clusters() {
    let data = generate(&small()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_truth_json(dir.path(), &data.truth).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth.json")).unwrap()).unwrap();
    let params = small();
    assert_eq!(json["genre_names"].as_array().unwrap().len(), params.genres);
    assert_eq!(json["movie_ids"].as_array().unwrap().len(), params.movies);
    assert_eq!(json["movie_genres"].as_array().unwrap().len(), params.movies);
    assert_eq!(json["favourite_genre"].as_array().unwrap().len(), params.users);
    assert_eq!(json["taste_strength"].as_array().unwrap().len(), params.users);
    assert_eq!(json["strong_taste"].as_f64().unwrap() as f32, STRONG_TASTE);
    assert_eq!(json["params"]["seed"], 7);
    let clusters: Vec<Vec<u32>> = serde_json::from_value(json["clusters"].clone()).unwrap();
    assert_eq!(clusters, data.truth.clusters);
    let fans: Vec<Vec<u32>> = serde_json::from_value(json["cluster_fans"].clone()).unwrap();
    assert_eq!(fans, data.truth.cluster_fans);
    let strong_in_file = json["taste_strength"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s.as_f64().unwrap() >= 0.7)
        .count();
    assert_eq!(strong_in_file, data.truth.strong_taste_users().len());
}

#[test]
fn impossible_parameters_are_invalid_input_not_panics() {
    let base = small();
    let bad = [
        SynthParams {
            users: 0,
            ..base.clone()
        },
        SynthParams {
            movies: 10,
            ..base.clone()
        },
        SynthParams {
            ratings: 811 * 20 - 1,
            ..base.clone()
        },
        SynthParams {
            ratings: 811 * 337 + 1,
            ..base.clone()
        },
        SynthParams {
            genres: 0,
            ..base.clone()
        },
        SynthParams {
            genres: 20,
            ..base.clone()
        },
        SynthParams {
            factors: 100_000,
            ..base.clone()
        },
        SynthParams {
            clusters: 100,
            cluster_size: 5,
            ..base.clone()
        },
        SynthParams {
            clusters: 2,
            cluster_size: 1,
            ..base.clone()
        },
        SynthParams {
            users: 25,
            movies: 1_000,
            ratings: 1_500,
            ..base.clone()
        },
    ];
    for params in bad {
        let err = generate(&params).expect_err(&format!("{params:?} must be rejected"));
        assert_eq!(err.code(), "INVALID_INPUT", "{err}");
    }
}

#[test]
fn writing_where_a_file_blocks_the_folder_is_an_io_error() {
    let data = generate(&SynthParams {
        users: 30,
        movies: 100,
        ratings: 900,
        clusters: 0,
        ..small()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let err = write_movielens_csv(&blocker, &data).unwrap_err();
    assert_eq!(err.code(), "IO_ERROR");
    assert!(err.to_string().contains("not-a-folder"), "{err}");
    assert!(!Path::new(&blocker.join("ratings.csv")).exists());
}

#[test]
fn any_parameters_give_exact_data_or_a_clear_error() {
    // A cheap sweep of small, awkward configurations (including many impossible ones): never a panic or a hang.
    let mut state = 0x1234_5678_9ABC_DEF0u64;
    let mut next = |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound) as usize
    };
    let (mut generated, mut rejected) = (0, 0);
    for case in 0..300 {
        let users = 1 + next(60);
        let movies = 15 + next(400);
        let params = SynthParams {
            users,
            movies,
            ratings: users * (15 + next(300)),
            factors: next(12),
            genres: 1 + next(20),
            clusters: next(6),
            cluster_size: next(9),
            half_stars: next(2) == 0,
            seed: case,
        };
        match generate(&params) {
            Ok(data) => {
                assert_eq!(data.triples.len(), params.ratings, "{params:?}");
                let pairs: HashSet<(u32, u32)> = data
                    .triples
                    .users
                    .iter()
                    .copied()
                    .zip(data.triples.movies.iter().copied())
                    .collect();
                assert_eq!(pairs.len(), params.ratings, "{params:?}");
                generated += 1;
            }
            Err(err) => {
                assert_eq!(err.code(), "INVALID_INPUT", "{params:?}: {err}");
                rejected += 1;
            }
        }
    }
    assert!(
        generated > 50 && rejected > 50,
        "{generated} generated, {rejected} rejected"
    );
}
