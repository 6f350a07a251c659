//! Model folders: exact round trip (real ml-latest-small model and catalogue), numpy reads the arrays, atomic
//! replacement and the crash window, and every class of damaged folder refused with a clear message.

mod common;

use common::shared;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use movierec_core::als::train;
use movierec_core::dataset::{read_movies_beside, read_ratings, Catalogue, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::model::{AlsModel, AlsParams};
use movierec_core::model_io::{
    load_model, resolve_model_dir, save_model, update_evaluation, DatasetMeta, LoadedModel, ModelMeta,
    RANKING_ITEM_FACTORS, RANKING_USER_FACTORS,
};
use movierec_core::recommend::{ListOptions, Recommender};
use movierec_core::CoreError;
use serde_json::{json, Value};

const ARRAYS: [&str; 12] = [
    "user_factors.npy",
    "item_factors.npy",
    "user_bias.npy",
    "item_bias.npy",
    "user_ids.npy",
    "item_ids.npy",
    "item_counts.npy",
    "user_items_indptr.npy",
    "user_items_indices.npy",
    "user_items_values.npy",
    "baseline_user_bias.npy",
    "baseline_item_bias.npy",
];

struct Trained {
    model: AlsModel,
    catalogue: Option<Catalogue>,
    dataset: DatasetMeta,
}

fn train_small(seed: u64) -> Trained {
    let path = shared("ml-latest-small/ratings.csv");
    let data = read_ratings(&path, &ReadOptions::default()).unwrap();
    let x = Interactions::from_triples(&data.triples).unwrap();
    let params = AlsParams {
        factors: 16,
        iterations: 3,
        seed,
        ..movierec_core::als::als_defaults()
    };
    let model = train(&x, data.report.scale, &params, &mut |_| true).unwrap();
    Trained {
        model,
        catalogue: read_movies_beside(&path).unwrap(),
        dataset: DatasetMeta::from(&data.report),
    }
}

fn trained() -> &'static Trained {
    static MODEL: OnceLock<Trained> = OnceLock::new();
    MODEL.get_or_init(|| train_small(42))
}

fn meta_for(t: &Trained) -> ModelMeta {
    let mut meta = ModelMeta::new(&t.model, t.dataset.clone(), "2024-05-01T12:00:00.000Z", 1.25);
    meta.extra.insert("producedBy".into(), json!("model_io test"));
    meta
}

/// A saved copy of the shared model in a fresh temporary folder: (guard, model dir).
fn saved() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("model");
    let t = trained();
    save_model(&dir, &t.model, t.catalogue.as_ref(), &meta_for(t)).unwrap();
    (tmp, dir)
}

fn assert_same_model(a: &AlsModel, b: &AlsModel) {
    assert_eq!(a.params, b.params);
    assert_eq!(a.scale, b.scale);
    assert_eq!(a.global_mean, b.global_mean);
    assert_eq!((&a.users, &a.items), (&b.users, &b.items));
    assert_eq!((&a.user_factors, &a.item_factors), (&b.user_factors, &b.item_factors));
    assert_eq!((&a.user_bias, &a.item_bias), (&b.user_bias, &b.item_bias));
    assert_eq!(a.item_counts, b.item_counts);
    assert_eq!(a.user_items, b.user_items);
    assert_eq!(a.baseline, b.baseline);
    assert_eq!(a.history, b.history);
}

fn siblings(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn invalid_message(result: Result<LoadedModel, CoreError>) -> String {
    match result {
        Err(e @ CoreError::InvalidModel { .. }) => {
            assert_eq!(e.code(), "INVALID_MODEL");
            e.to_string()
        }
        Err(e) => panic!("expected InvalidModel, got {e:?}"),
        Ok(_) => panic!("a damaged model loaded"),
    }
}

/// Byte offset where a `.npy` file's data starts (version 1.0 header).
fn data_offset(bytes: &[u8]) -> usize {
    10 + u16::from_le_bytes([bytes[8], bytes[9]]) as usize
}

/// Replaces text in a `.npy` header (ASCII) by text of the same length.
fn edit_header(bytes: &mut [u8], from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let end = data_offset(bytes);
    let header = std::str::from_utf8(&bytes[10..end]).unwrap().replacen(from, to, 1);
    bytes[10..end].copy_from_slice(header.as_bytes());
}

#[test]
fn save_then_load_is_exact() {
    let t = trained();
    let started = std::time::Instant::now();
    let (_tmp, dir) = saved();
    let saved_in = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let loaded = load_model(&dir).unwrap();
    let loaded_in = started.elapsed().as_secs_f64();
    println!("ml-latest-small model (16 factors) saved in {saved_in:.3}s (fsync included), loaded in {loaded_in:.3}s");
    assert_same_model(loaded.recommender.model(), &t.model);
    assert_eq!(loaded.catalogue.as_deref(), t.catalogue.as_ref());
    let c = loaded.catalogue.as_ref().unwrap();
    assert_eq!(c.title_of(1), Some("Toy Story (1995)"));
    assert!(
        c.titles.iter().any(|title| title.contains(", The")),
        "titles with commas survive"
    );
    assert_eq!(loaded.meta, meta_for(t).clone());
    assert_eq!(loaded.meta.counts.users, t.model.users.len() as u64);
    assert_eq!(loaded.meta.counts.ratings, 100_836);
    assert_eq!(loaded.meta.extra["producedBy"], json!("model_io test"));

    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut want: Vec<String> = ARRAYS.iter().map(|s| s.to_string()).collect();
    want.extend(["model.json".to_string(), "movies.json".to_string()]);
    assert!(t.model.ranking.is_some(), "trained with the default ranking model");
    want.extend([RANKING_ITEM_FACTORS.to_string(), RANKING_USER_FACTORS.to_string()]);
    want.sort();
    assert_eq!(files, want);
    assert_eq!(
        siblings(&dir),
        vec!["model".to_string()],
        "no temporary or previous folder left"
    );

    // model.json is camelCase and carries what the service shows.
    let json: Value = serde_json::from_slice(&std::fs::read(dir.join("model.json")).unwrap()).unwrap();
    for pointer in [
        "/formatVersion",
        "/trainedAt",
        "/params/regFactors",
        "/dataset/sha256",
        "/history/0/trainRmse",
    ] {
        assert!(json.pointer(pointer).is_some(), "{pointer} missing");
    }
    assert_eq!(json["dataset"]["layout"], json!("csv-header"));

    // The loaded model answers exactly like the trained one.
    let (ids, ratings) = (vec![1, 260, 1196, 2571], vec![4.0, 5.0, 4.5, 3.0]);
    assert_eq!(
        loaded
            .recommender
            .new_user(&ids, &ratings, 20, &ListOptions::default())
            .unwrap(),
        Recommender::new(t.model.clone())
            .new_user(&ids, &ratings, 20, &ListOptions::default())
            .unwrap()
    );

    // Without a catalogue there is no movies.json and none comes back.
    let bare = dir.with_file_name("bare");
    save_model(&bare, &t.model, None, &meta_for(t)).unwrap();
    assert!(!bare.join("movies.json").exists());
    assert!(load_model(&bare).unwrap().catalogue.is_none());
}

#[test]
fn numpy_reads_the_arrays() {
    let python = std::env::var("MOVIEREC_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_numpy = Command::new(&python)
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_numpy {
        println!("SKIPPED: {python} with numpy not found (set MOVIEREC_PYTHON to a python that has numpy)");
        return;
    }
    let (_tmp, dir) = saved();
    let script = r#"
import json, sys, numpy as np
out = {}
for name in sys.argv[2:]:
    a = np.load(sys.argv[1] + "/" + name, allow_pickle=False)
    out[name] = {"dtype": a.dtype.str, "shape": list(a.shape), "c": bool(a.flags["C_CONTIGUOUS"]),
                 "first": [float(v) for v in a.reshape(-1)[:3]], "last": float(a.reshape(-1)[-1]),
                 "sum": float(a.astype(np.float64).sum())}
print(json.dumps(out))
"#;
    let output = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(&dir)
        .args(ARRAYS)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "numpy failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let m = &trained().model;
    let (n_users, n_items, k) = (m.users.len(), m.items.len(), m.params.factors);
    let expected: [(&str, &str, Vec<usize>, Vec<f64>); 12] = [
        (
            "user_factors.npy",
            "<f4",
            vec![n_users, k],
            m.user_factors.data.iter().map(|&v| v as f64).collect(),
        ),
        (
            "item_factors.npy",
            "<f4",
            vec![n_items, k],
            m.item_factors.data.iter().map(|&v| v as f64).collect(),
        ),
        (
            "user_bias.npy",
            "<f4",
            vec![n_users],
            m.user_bias.iter().map(|&v| v as f64).collect(),
        ),
        (
            "item_bias.npy",
            "<f4",
            vec![n_items],
            m.item_bias.iter().map(|&v| v as f64).collect(),
        ),
        (
            "user_ids.npy",
            "<u4",
            vec![n_users],
            m.users.raw_ids().iter().map(|&v| v as f64).collect(),
        ),
        (
            "item_ids.npy",
            "<u4",
            vec![n_items],
            m.items.raw_ids().iter().map(|&v| v as f64).collect(),
        ),
        (
            "item_counts.npy",
            "<u4",
            vec![n_items],
            m.item_counts.iter().map(|&v| v as f64).collect(),
        ),
        (
            "user_items_indptr.npy",
            "<u8",
            vec![n_users + 1],
            m.user_items.indptr.iter().map(|&v| v as f64).collect(),
        ),
        (
            "user_items_indices.npy",
            "<u4",
            vec![m.user_items.nnz()],
            m.user_items.indices.iter().map(|&v| v as f64).collect(),
        ),
        (
            "user_items_values.npy",
            "<f4",
            vec![m.user_items.nnz()],
            m.user_items.values.iter().map(|&v| v as f64).collect(),
        ),
        (
            "baseline_user_bias.npy",
            "<f4",
            vec![n_users],
            m.baseline.user_bias.iter().map(|&v| v as f64).collect(),
        ),
        (
            "baseline_item_bias.npy",
            "<f4",
            vec![n_items],
            m.baseline.item_bias.iter().map(|&v| v as f64).collect(),
        ),
    ];
    for (name, dtype, shape, values) in expected {
        let r = &report[name];
        assert_eq!(r["dtype"], json!(dtype), "{name}");
        assert_eq!(r["shape"], json!(shape), "{name}");
        assert_eq!(r["c"], json!(true), "{name}");
        // numpy prints shortest round-trip floats; serde_json's default parser may be one ulp off them.
        let same = |got: &Value, want: f64| (got.as_f64().unwrap() - want).abs() <= 1e-12 * want.abs().max(1.0);
        for (j, want) in values[..3].iter().enumerate() {
            assert!(same(&r["first"][j], *want), "{name}[{j}]: {} vs {want}", r["first"][j]);
        }
        assert!(same(&r["last"], values[values.len() - 1]), "{name} last");
        let sum: f64 = values.iter().sum();
        assert!(
            (r["sum"].as_f64().unwrap() - sum).abs() <= 1e-9 * sum.abs().max(1.0),
            "{name}"
        );
    }
    println!(
        "numpy ({python}) read all {} arrays with the expected dtype, shape and values",
        ARRAYS.len()
    );
}

#[test]
fn saving_over_a_model_replaces_it_whole() {
    let (_tmp, dir) = saved();
    let other = train_small(7);
    save_model(&dir, &other.model, other.catalogue.as_ref(), &meta_for(&other)).unwrap();
    let loaded = load_model(&dir).unwrap();
    assert_same_model(loaded.recommender.model(), &other.model);
    assert_ne!(loaded.recommender.model().item_factors, trained().model.item_factors);
    assert_eq!(siblings(&dir), vec!["model".to_string()]);
}

#[test]
fn a_save_killed_between_its_renames_leaves_the_old_model_loadable() {
    let (_tmp, dir) = saved();
    let prev = dir.with_file_name("model.prev");
    // The state after `<dir>` -> `<dir>.prev` and before the new folder's rename, with the half-written folder of
    // a save whose process died (no such pid).
    std::fs::rename(&dir, &prev).unwrap();
    let dead = dir.with_file_name("model.tmp-4000000000");
    std::fs::create_dir(&dead).unwrap();
    std::fs::write(dead.join("user_factors.npy"), b"\x93NUMPY partial").unwrap();

    assert_eq!(resolve_model_dir(&dir).unwrap(), prev);
    assert_same_model(load_model(&dir).unwrap().recommender.model(), &trained().model);

    // The next save puts a whole model in place and clears the leftovers.
    let other = train_small(7);
    save_model(&dir, &other.model, None, &meta_for(&other)).unwrap();
    assert_same_model(load_model(&dir).unwrap().recommender.model(), &other.model);
    assert_eq!(siblings(&dir), vec!["model".to_string()]);
}

#[test]
fn a_missing_model_is_model_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    let nowhere = tmp.path().join("model");
    for dir in [nowhere.clone(), tmp.path().to_path_buf()] {
        match load_model(&dir) {
            Err(e @ CoreError::ModelNotFound(_)) => assert_eq!(e.code(), "MODEL_NOT_FOUND"),
            other => panic!("{}: expected ModelNotFound, got {:?}", dir.display(), other.map(|_| ())),
        }
    }
    assert!(matches!(
        update_evaluation(&nowhere, &json!({})),
        Err(CoreError::ModelNotFound(_))
    ));
}

#[test]
fn damaged_folders_are_invalid_model_with_a_clear_message() {
    let (_tmp, good) = saved();
    let m = &trained().model;
    type Damage = Box<dyn Fn(&Path)>;
    let edit_json = |f: fn(&mut Value)| -> Damage {
        Box::new(move |dir: &Path| {
            let path = dir.join("model.json");
            let mut json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            f(&mut json);
            std::fs::write(path, serde_json::to_vec(&json).unwrap()).unwrap();
        })
    };
    let edit_bytes = |name: &'static str, f: fn(&mut Vec<u8>)| -> Damage {
        Box::new(move |dir: &Path| {
            let mut bytes = std::fs::read(dir.join(name)).unwrap();
            f(&mut bytes);
            std::fs::write(dir.join(name), bytes).unwrap();
        })
    };
    let one_user_fewer = format!("({},)", m.users.len() - 1);
    let users_text = format!("({},)", m.users.len());
    let cases: Vec<(Damage, Vec<String>)> = vec![
        (
            edit_json(|j| j["formatVersion"] = json!(2)),
            vec!["format version 2".into()],
        ),
        (
            Box::new(|d: &Path| std::fs::write(d.join("model.json"), b"{ not json").unwrap()),
            vec!["not valid JSON".into()],
        ),
        (
            edit_json(|j| j["params"]["factors"] = json!(17)),
            vec!["user_factors.npy".into(), "expected [610, 17]".into()],
        ),
        (
            edit_json(|j| j["scale"] = json!("five stars")),
            vec!["model.json".into()],
        ),
        (
            edit_bytes("item_factors.npy", |b| b.truncate(b.len() - 10)),
            vec!["item_factors.npy".into(), "truncated".into()],
        ),
        (
            edit_bytes("item_factors.npy", |b| b.truncate(40)),
            vec!["item_factors.npy".into()],
        ),
        (
            edit_bytes("user_factors.npy", |b| {
                let at = data_offset(b) + 4 * 5;
                b[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
            }),
            vec!["user factors".into(), "non-finite".into()],
        ),
        (
            edit_bytes("item_bias.npy", |b| {
                let at = data_offset(b);
                b[at..at + 4].copy_from_slice(&f32::INFINITY.to_le_bytes());
            }),
            vec!["item bias".into(), "non-finite".into()],
        ),
        (
            Box::new(move |d: &Path| {
                let mut bytes = std::fs::read(d.join("user_ids.npy")).unwrap();
                edit_header(&mut bytes, &users_text, &one_user_fewer);
                bytes.truncate(bytes.len() - 4);
                std::fs::write(d.join("user_ids.npy"), bytes).unwrap();
            }),
            vec!["user_factors.npy".into(), "expected [609, 16]".into()],
        ),
        (
            edit_bytes("user_bias.npy", |b| edit_header(b, "<f4", "<f8")),
            vec!["user_bias.npy".into(), "<f8".into()],
        ),
        (
            edit_bytes("user_items_indices.npy", |b| {
                let at = data_offset(b);
                b[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
            }),
            vec!["out of range".into()],
        ),
        (
            edit_bytes("item_counts.npy", |b| {
                let at = data_offset(b);
                b[at] = b[at].wrapping_add(1);
            }),
            vec!["item counts".into()],
        ),
        (
            Box::new(|d: &Path| std::fs::remove_file(d.join("item_bias.npy")).unwrap()),
            vec!["item_bias.npy is missing".into()],
        ),
    ];
    for (n, (damage, words)) in cases.iter().enumerate() {
        let dir = good.with_file_name(format!("damaged-{n}"));
        std::fs::create_dir(&dir).unwrap();
        for entry in std::fs::read_dir(&good).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
        damage(&dir);
        let message = invalid_message(load_model(&dir));
        println!("damaged #{n}: {message}");
        for word in words {
            assert!(
                message.contains(word.as_str()),
                "case {n}: {message:?} should mention {word:?}"
            );
        }
    }
}

#[test]
fn update_evaluation_replaces_only_the_evaluation() {
    let (_tmp, dir) = saved();
    // A field from a newer build must survive both the update and a load/save cycle.
    let path = dir.join("model.json");
    let mut json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    json["futureField"] = json!({"x": 1});
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();

    let evaluation = json!({"model": {"rating": {"rmse": 0.85}}, "evaluatedAt": "2024-05-02T00:00:00Z"});
    update_evaluation(&dir, &evaluation).unwrap();
    let loaded = load_model(&dir).unwrap();
    assert_eq!(loaded.meta.evaluation, Some(evaluation.clone()));
    assert_eq!(loaded.meta.extra["futureField"], json!({"x": 1}));
    assert_eq!(loaded.meta.trained_at, "2024-05-01T12:00:00.000Z");
    assert_same_model(loaded.recommender.model(), &trained().model);
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("tmp"));
    assert_eq!(files.count(), 0, "temporary file left behind");

    let again = dir.with_file_name("again");
    save_model(
        &again,
        loaded.recommender.model(),
        loaded.catalogue.as_deref(),
        &loaded.meta,
    )
    .unwrap();
    let reloaded = load_model(&again).unwrap();
    assert_eq!(reloaded.meta.evaluation, Some(evaluation));
    assert_eq!(reloaded.meta.extra["futureField"], json!({"x": 1}));
}

#[test]
fn an_inconsistent_model_is_not_saved_and_the_old_one_stays() {
    let (_tmp, dir) = saved();
    let mut broken = trained().model.clone();
    broken.item_bias.pop();
    match save_model(&dir, &broken, None, &meta_for(trained())) {
        Err(CoreError::InvalidModel { message, .. }) => assert!(message.contains("item bias"), "{message}"),
        other => panic!("expected InvalidModel, got {other:?}"),
    }
    assert_same_model(load_model(&dir).unwrap().recommender.model(), &trained().model);
    assert_eq!(siblings(&dir), vec!["model".to_string()]);
}

#[test]
fn a_model_json_written_before_gibbs_sampling_loads_as_als() {
    let (_tmp, dir) = saved();
    let path = dir.join("model.json");
    let mut json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json["params"]["method"], json!("als"));
    assert!(
        json.pointer("/history/0/validationRmse").is_none(),
        "no validation RMSE without a holdout"
    );
    let params = json["params"].as_object_mut().unwrap();
    for field in [
        "method",
        "samples",
        "burnIn",
        "noiseStd",
        "validationFraction",
        "earlyStopping",
    ] {
        assert!(params.remove(field).is_some(), "{field} is written");
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    let loaded = load_model(&dir).unwrap();
    assert_eq!(
        loaded.recommender.model().params.method,
        movierec_core::model::Method::Als
    );
    assert_eq!(loaded.recommender.model().params.validation_fraction, 0.0);
    assert_eq!(loaded.recommender.model().params.early_stopping, 0);
    assert_same_model(loaded.recommender.model(), &trained().model);
}
