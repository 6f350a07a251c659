//! `userFactors/` and `itemFactors/`: Parquet part files of rows `(id: int, features: array<float>)`, as Spark's
//! `ALSModel` writes them (any number of part files, any compression this build reads, any list encoding: the
//! column reader gives the values and the levels that split them into rows).

use std::fs::File;
use std::path::{Path, PathBuf};

use movierec_core::foreign::FactorTable;
use movierec_core::{CoreError, Result};
use parquet::basic::Type as PhysicalType;
use parquet::column::reader::get_typed_column_reader;
use parquet::data_type::{FloatType, Int32Type};
use parquet::file::reader::{FileReader, SerializedFileReader};

use crate::invalid;

/// Reads every `part-*.parquet` file of `dir` into one table (ids in file order) of `rank` values per id.
pub fn read_factor_table(dir: &Path, rank: usize) -> Result<FactorTable> {
    let entries = std::fs::read_dir(dir).map_err(|e| CoreError::io(dir, e))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("part-") && n.ends_with(".parquet"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(invalid(dir, "no part-*.parquet file".into()));
    }
    let mut table = FactorTable {
        ids: Vec::new(),
        factors: Vec::new(),
        source: dir.to_path_buf(),
    };
    for file in &files {
        read_part(file, rank, &mut table)?;
    }
    Ok(table)
}

/// Appends one part file's rows to `table`.
fn read_part(path: &Path, rank: usize, table: &mut FactorTable) -> Result<()> {
    let unreadable = |e: parquet::errors::ParquetError| invalid(path, format!("not a readable Parquet file: {e}"));
    let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(unreadable)?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let column = |top: &str, physical: PhysicalType| {
        (0..schema.num_columns()).find(|&c| {
            let d = schema.column(c);
            d.path().parts().first().map(String::as_str) == Some(top) && d.physical_type() == physical
        })
    };
    let (Some(id_col), Some(features_col)) = (
        column("id", PhysicalType::INT32),
        column("features", PhysicalType::FLOAT),
    ) else {
        return Err(invalid(
            path,
            format!(
                "not a factor table: expected columns id (int) and features (array<float>), found {}",
                (0..schema.num_columns())
                    .map(|c| format!("{} ({})", schema.column(c).path(), schema.column(c).physical_type()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    let features = schema.column(features_col);
    let (max_def, has_rep) = (features.max_def_level(), features.max_rep_level() > 0);
    if !has_rep {
        return Err(invalid(path, "features is not an array column".into()));
    }
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g).map_err(unreadable)?;
        let rows = group.metadata().num_rows().max(0) as usize;
        let mut ids: Vec<i32> = Vec::with_capacity(rows);
        let mut id_def = Vec::new();
        let mut ids_reader = get_typed_column_reader::<Int32Type>(group.get_column_reader(id_col).map_err(unreadable)?);
        let (id_rows, id_values, _) = ids_reader
            .read_records(rows, Some(&mut id_def), None, &mut ids)
            .map_err(unreadable)?;
        if id_rows != rows || id_values != rows {
            return Err(invalid(
                path,
                format!("{} of {rows} ids are null or missing", rows - id_values.min(rows)),
            ));
        }
        let (mut def, mut rep, mut values) = (Vec::new(), Vec::new(), Vec::with_capacity(rows * rank));
        let mut features_reader =
            get_typed_column_reader::<FloatType>(group.get_column_reader(features_col).map_err(unreadable)?);
        let (feature_rows, _, levels) = features_reader
            .read_records(rows, Some(&mut def), Some(&mut rep), &mut values)
            .map_err(unreadable)?;
        if feature_rows != rows {
            return Err(invalid(path, format!("{feature_rows} feature rows for {rows} ids")));
        }
        // A row starts at each repetition level 0; a value is present where the definition level is the highest.
        let mut row = 0usize;
        let mut in_row = 0usize;
        for level in 0..levels {
            if rep[level] == 0 && level > 0 {
                check_row(path, ids[row], in_row, rank)?;
                row += 1;
                in_row = 0;
            }
            in_row += usize::from(def[level] == max_def);
        }
        if rows > 0 {
            check_row(path, ids[row], in_row, rank)?;
        }
        for &id in &ids {
            let id = u32::try_from(id).map_err(|_| invalid(path, format!("negative id {id}")))?;
            table.ids.push(id);
        }
        table.factors.extend_from_slice(&values);
    }
    Ok(())
}

fn check_row(path: &Path, id: i32, values: usize, rank: usize) -> Result<()> {
    if values != rank {
        return Err(invalid(
            path,
            format!("id {id} has {values} factors, but the model's rank (metadata) is {rank}"),
        ));
    }
    Ok(())
}
