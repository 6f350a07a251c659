//! Loading a model large enough that its training ratings are read in place from the mapped files (ml-latest-small
//! is below the mapping threshold, so `model_io.rs` covers only the copied path): the loaded model equals the
//! trained one, outlives a save over its folder and the folder's removal, and damaged mapped files are refused.

use std::path::Path;
use std::sync::OnceLock;

use movierec_core::als::train as train_model;
use movierec_core::dataset::{RatingScale, RatingsLayout};
use movierec_core::interactions::Interactions;
use movierec_core::model::{AlsModel, AlsParams};
use movierec_core::model_io::{load_model, save_model, DatasetMeta, ModelMeta};
use movierec_core::recommend::{ListOptions, Recommender};
use movierec_core::synth::{generate, SynthParams};
use movierec_core::CoreError;

/// 320,000 ratings: the rating indices and values files are 1.28 MB each, above the 1 MiB mapping threshold.
fn train(seed: u64) -> AlsModel {
    let data = generate(&SynthParams {
        users: 2_000,
        movies: 1_500,
        ratings: 320_000,
        factors: 4,
        genres: 10,
        clusters: 3,
        cluster_size: 4,
        half_stars: true,
        seed,
    })
    .unwrap();
    let x = Interactions::from_triples(&data.triples).unwrap();
    let params = AlsParams {
        factors: 4,
        iterations: 1,
        seed,
        ..movierec_core::als::als_defaults()
    };
    let scale = RatingScale {
        min: 0.5,
        max: 5.0,
        step: 0.5,
    };
    train_model(&x, scale, &params, &mut |_| true).unwrap()
}

fn trained() -> &'static AlsModel {
    static MODEL: OnceLock<AlsModel> = OnceLock::new();
    MODEL.get_or_init(|| train(11))
}

fn save(dir: &Path, model: &AlsModel) {
    let dataset = DatasetMeta {
        path: "synthetic".into(),
        layout: Some(RatingsLayout::CsvHeader),
        sha256: String::new(),
        ratings: model.user_items.nnz() as u64,
        users: model.users.len() as u64,
        movies: model.items.len() as u64,
        skipped_invalid: 0,
        duplicates: 0,
    };
    save_model(
        dir,
        model,
        None,
        &ModelMeta::new(model, dataset, "2026-11-27T00:00:00Z", 1.0),
    )
    .unwrap();
}

#[test]
fn ratings_are_read_in_place_and_outlive_a_save_over_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("model");
    let model = trained();
    save(&dir, model);
    let loaded = load_model(&dir).unwrap().recommender;
    let ui = &loaded.model().user_items;
    assert!(
        ui.indices.is_mapped() && ui.values.is_mapped(),
        "the large CSR arrays are mapped"
    );
    assert!(!ui.indptr.is_mapped(), "row bounds are always owned");
    assert_eq!(&loaded.model().user_items, &model.user_items);
    let user = model.users.raw_id(17);
    let before = loaded.known_user(user, 20, &ListOptions::default()).unwrap().unwrap();
    assert_eq!(
        before,
        Recommender::new(model.clone())
            .known_user(user, 20, &ListOptions::default())
            .unwrap()
            .unwrap()
    );

    // A later save renames a new folder over this one, then the folder is removed: the mapping keeps the old
    // files' bytes, so the loaded model is unchanged.
    let other = train(12);
    save(&dir, &other);
    assert_ne!(
        load_model(&dir).unwrap().recommender.model().user_items,
        loaded.model().user_items
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(&loaded.model().user_items, &model.user_items);
    assert_eq!(
        loaded.known_user(user, 20, &ListOptions::default()).unwrap().unwrap(),
        before
    );

    // Writing to a mapped array copies it first; the clone still reading the mapping is untouched.
    let mut edited = loaded.model().user_items.clone();
    edited.values[0] += 1.0;
    assert!(!edited.values.is_mapped() && loaded.model().user_items.values.is_mapped());
    assert_eq!(loaded.model().user_items.values[0], model.user_items.values[0]);
}

#[test]
fn damaged_mapped_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("model");
    save(&good, trained());
    let data_start = |bytes: &[u8]| 10 + u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    type Damage = fn(&mut Vec<u8>, usize);
    let cases: [(&str, Damage, &str); 5] = [
        (
            "user_items_indices.npy",
            |b, at| b[at..at + 4].copy_from_slice(&1_500u32.to_le_bytes()),
            "out of range",
        ),
        ("user_items_indices.npy", |b, at| b.swap(at, at + 4), "unsorted"),
        ("user_items_indices.npy", |b, _| b.truncate(b.len() - 4), "truncated"),
        (
            "user_items_values.npy",
            |b, _| {
                let end = b.len();
                b[end - 4..].copy_from_slice(&f32::NAN.to_le_bytes());
            },
            "non-finite",
        ),
        (
            "user_items_values.npy",
            |b, _| b.extend_from_slice(&[0; 8]),
            "after the data",
        ),
    ];
    for (n, (name, damage, word)) in cases.into_iter().enumerate() {
        let dir = tmp.path().join(format!("damaged-{n}"));
        std::fs::create_dir(&dir).unwrap();
        for entry in std::fs::read_dir(&good).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
        let mut bytes = std::fs::read(dir.join(name)).unwrap();
        let at = data_start(&bytes);
        damage(&mut bytes, at);
        std::fs::write(dir.join(name), bytes).unwrap();
        match load_model(&dir) {
            Err(e @ CoreError::InvalidModel { .. }) => {
                let message = e.to_string();
                println!("damaged mapped #{n}: {message}");
                assert!(message.contains(word), "case {n}: {message:?} should mention {word:?}");
            }
            Err(e) => panic!("case {n}: expected InvalidModel, got {e:?}"),
            Ok(_) => panic!("case {n}: a damaged model loaded"),
        }
    }
}
