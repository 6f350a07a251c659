//! Spark ALSModel folders written here with the Parquet writer in Spark's schema (`required int32 id; optional group
//! features (LIST) { repeated group list { required float element; } }`, Snappy, several part files): what an import
//! reads from them, how a new user folds in (Spark's half-step), and each refusal, naming the file at fault.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use movierec_core::foreign::build_model;
use movierec_core::model::Engine;
use movierec_core::recommend::Recommender;
use movierec_core::CoreError;
use movierec_interop::spark::{read_spark_model, SparkTraining};
use parquet::basic::Compression;
use parquet::data_type::{FloatType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

const SCHEMA: &str = "message spark_schema { required int32 id; optional group features (LIST) { \
                      repeated group list { required float element; } } }";

fn write_part(path: &Path, rows: &[(i32, Vec<f32>)]) {
    let schema = Arc::new(parse_message_type(SCHEMA).unwrap());
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let mut writer = SerializedFileWriter::new(File::create(path).unwrap(), schema, props).unwrap();
    let mut group = writer.next_row_group().unwrap();
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let mut column = group.next_column().unwrap().unwrap();
    column.typed::<Int32Type>().write_batch(&ids, None, None).unwrap();
    column.close().unwrap();
    let values: Vec<f32> = rows.iter().flat_map(|r| r.1.clone()).collect();
    let rep: Vec<i16> = rows
        .iter()
        .flat_map(|r| (0..r.1.len()).map(|i| i16::from(i > 0)))
        .collect();
    let mut column = group.next_column().unwrap().unwrap();
    column
        .typed::<FloatType>()
        .write_batch(&values, Some(&vec![2; values.len()]), Some(&rep))
        .unwrap();
    column.close().unwrap();
    group.close().unwrap();
    writer.close().unwrap();
}

fn write_metadata(dir: &Path, class: &str, rank: usize) {
    std::fs::create_dir_all(dir.join("metadata")).unwrap();
    let json = format!(
        r#"{{"class":"{class}","timestamp":1,"sparkVersion":"4.3.0","uid":"ALS_test","paramMap":{{"blockSize":4096}},"defaultParamMap":{{"userCol":"user","itemCol":"item","coldStartStrategy":"nan"}},"rank":{rank}}}"#
    );
    std::fs::write(dir.join("metadata").join("part-00000-0a-c000.txt"), json).unwrap();
}

/// A model of rank 2: users 7, 3 (part 0) and 5 (part 1); movies 10, 20, 30.
fn write_model(dir: &Path) {
    write_metadata(dir, "org.apache.spark.ml.recommendation.ALSModel", 2);
    for side in ["userFactors", "itemFactors"] {
        std::fs::create_dir_all(dir.join(side)).unwrap();
    }
    write_part(
        &dir.join("userFactors/part-00000-a.snappy.parquet"),
        &[(7, vec![1.0, 0.5]), (3, vec![-0.5, 2.0])],
    );
    write_part(
        &dir.join("userFactors/part-00001-a.snappy.parquet"),
        &[(5, vec![0.25, 0.25])],
    );
    write_part(
        &dir.join("itemFactors/part-00000-b.snappy.parquet"),
        &[(30, vec![0.3, 1.0]), (10, vec![1.5, -0.5]), (20, vec![0.7, 0.9])],
    );
}

fn import_error(dir: &Path) -> String {
    let err = read_spark_model(dir, &SparkTraining::default())
        .and_then(|(model, _)| build_model(model, None))
        .unwrap_err();
    assert!(matches!(err, CoreError::InvalidModel { .. }), "{err:?}");
    err.to_string()
}

#[test]
fn reads_every_part_file_sorted_by_id_and_estimates_user_dot_movie() {
    let dir = tempfile::tempdir().unwrap();
    write_model(dir.path());
    let (foreign, from) = read_spark_model(dir.path(), &SparkTraining::default()).unwrap();
    assert_eq!(from.engine_version.as_deref(), Some("4.3.0"));
    assert_eq!(from.params["regParam"], serde_json::json!(0.1f32));
    assert_eq!(from.params["coldStartStrategy"], "nan");
    let model = build_model(foreign, None).unwrap().model;
    assert_eq!(model.engine, Engine::Spark);
    assert_eq!(model.users.raw_ids(), &[3, 5, 7]);
    assert_eq!(model.items.raw_ids(), &[10, 20, 30]);
    assert_eq!(model.user_factors.row(2), &[1.0, 0.5]);
    // user 3 . movie 30 = -0.5 * 0.3 + 2 * 1 = 1.85: no mean, no bias, not clipped to the 0.5..5 scale.
    let (u, m) = (
        model.users.index_of(3).unwrap() as usize,
        model.items.index_of(30).unwrap() as usize,
    );
    assert!((model.predict(u, m) - 1.85).abs() < 1e-6);
    let (u, m) = (
        model.users.index_of(7).unwrap() as usize,
        model.items.index_of(10).unwrap() as usize,
    );
    assert!((model.predict(u, m) - 1.25).abs() < 1e-6);
    assert_eq!(model.user_items.nnz(), 0);
}

#[test]
fn a_new_user_folds_in_as_sparks_half_step() {
    let dir = tempfile::tempdir().unwrap();
    write_model(dir.path());
    let training = SparkTraining {
        reg_param: 0.3,
        ..SparkTraining::default()
    };
    let (foreign, _) = read_spark_model(dir.path(), &training).unwrap();
    let recommender = Recommender::new(build_model(foreign, None).unwrap().model);
    let model = recommender.model();
    let (items, ratings) = ([0u32, 2], [4.0f32, 2.0]);
    let user = recommender.fold_in(&items, &ratings);
    assert_eq!(user.bias, 0.0);
    // (Q'Q + regParam * n * I) p = Q' r, n = 2 ratings, solved directly.
    let q: Vec<&[f32]> = items.iter().map(|&i| model.item_factors.row(i as usize)).collect();
    let lambda = 0.3 * 2.0;
    let a =
        |r: usize, c: usize| q.iter().map(|v| (v[r] * v[c]) as f64).sum::<f64>() + if r == c { lambda } else { 0.0 };
    let b = |r: usize| q.iter().zip(&ratings).map(|(v, &y)| (v[r] * y) as f64).sum::<f64>();
    let det = a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0);
    let want = [
        (b(0) * a(1, 1) - a(0, 1) * b(1)) / det,
        (a(0, 0) * b(1) - a(1, 0) * b(0)) / det,
    ];
    for (got, want) in user.factors.iter().zip(want) {
        assert!((*got as f64 - want).abs() < 1e-5, "{:?} vs {want:?}", user.factors);
    }
}

#[test]
fn a_folder_that_is_not_an_als_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(import_error(dir.path()).contains("not a Spark ALSModel folder: no metadata/ folder"));
    write_model(dir.path());
    write_metadata(
        dir.path(),
        "org.apache.spark.ml.classification.LogisticRegressionModel",
        2,
    );
    let message = import_error(dir.path());
    assert!(message.contains("metadata/part-00000-0a-c000.txt"), "{message}");
    assert!(message.contains("not a Spark ALSModel"), "{message}");
}

#[test]
fn a_rank_mismatch_between_the_tables_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_model(dir.path());
    write_part(
        &dir.path().join("itemFactors/part-00000-b.snappy.parquet"),
        &[(10, vec![1.0, 2.0, 3.0])],
    );
    let message = import_error(dir.path());
    assert!(message.contains("itemFactors/part-00000-b.snappy.parquet"), "{message}");
    assert!(
        message.contains("id 10 has 3 factors, but the model's rank (metadata) is 2"),
        "{message}"
    );
}

#[test]
fn non_finite_factors_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_model(dir.path());
    write_part(
        &dir.path().join("userFactors/part-00001-a.snappy.parquet"),
        &[(5, vec![0.25, f32::NAN])],
    );
    let message = import_error(dir.path());
    assert!(message.contains("userFactors"), "{message}");
    assert!(message.contains("id 5: non-finite factor NaN"), "{message}");
}

#[test]
fn duplicate_ids_are_refused_even_across_part_files() {
    let dir = tempfile::tempdir().unwrap();
    write_model(dir.path());
    write_part(
        &dir.path().join("userFactors/part-00001-a.snappy.parquet"),
        &[(7, vec![0.25, 0.25])],
    );
    let message = import_error(dir.path());
    assert!(message.contains("userFactors"), "{message}");
    assert!(message.contains("id 7 appears more than once"), "{message}");
}

#[test]
fn an_unreadable_parquet_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_model(dir.path());
    let part = dir.path().join("itemFactors/part-00000-b.snappy.parquet");
    std::fs::write(&part, b"PAR1 this is not parquet at all PAR1").unwrap();
    let message = import_error(dir.path());
    assert!(message.contains("itemFactors/part-00000-b.snappy.parquet"), "{message}");
    assert!(message.contains("not a readable Parquet file"), "{message}");
}
