//! movierec-interop: other engines' model files, read into the core's `foreign::ForeignModel` (which the core makes
//! into a model of its own) or written from a core model.
//!
//! - [`spark`]: Spark MLlib `ALSModel` folders (metadata JSON + Parquet factor tables).
//! - [`implicit`]: `implicit`'s `AlternatingLeastSquares.save` archives (`.npz`), both ways.
//!
//! A crate of its own so that the core (and its tests) never compile a Parquet or zip reader. Errors are the core's
//! `CoreError`s, `InvalidModel` naming the file at fault.

pub mod implicit;
pub mod spark;

use std::path::Path;

use movierec_core::CoreError;

/// `InvalidModel` about `path` (a file or folder of another engine's model).
pub(crate) fn invalid(path: &Path, message: String) -> CoreError {
    CoreError::InvalidModel {
        path: path.to_path_buf(),
        message,
    }
}
