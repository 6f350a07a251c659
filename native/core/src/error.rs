//! The one error type of the core. The napi crate maps each variant to a stable string code
//! (see [`CoreError::code`]), so JavaScript can branch on `err.code` without parsing messages.

use std::path::PathBuf;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A data file whose content is wrong at a known line (1-based).
    #[error("{path}:{line}: {message}")]
    Parse { path: PathBuf, line: u64, message: String },

    /// A data file that is wrong as a whole (empty, unknown layout, no movies file, ...).
    #[error("{path}: {message}")]
    Dataset { path: PathBuf, message: String },

    /// Arguments that cannot be used (bad hyper-parameters, mismatched lengths, ratings outside the scale); `field`
    /// names the argument at fault when there is one (a training parameter's name, as JavaScript spells it).
    #[error("invalid input: {message}")]
    InvalidInput { field: Option<String>, message: String },

    /// No model folder (or no model.json) where one was expected.
    #[error("no model at {0}")]
    ModelNotFound(PathBuf),

    /// A model folder that exists but cannot be used (wrong version, bad shapes, non-finite numbers).
    #[error("invalid model at {path}: {message}")]
    InvalidModel { path: PathBuf, message: String },

    /// The caller asked a long-running task (training) to stop.
    #[error("cancelled")]
    Cancelled,
}

impl CoreError {
    /// Stable machine-readable code, mirrored by the TypeScript error classes.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Io { .. } => "IO_ERROR",
            CoreError::Parse { .. } | CoreError::Dataset { .. } => "DATASET_ERROR",
            CoreError::InvalidInput { .. } => "INVALID_INPUT",
            CoreError::ModelNotFound(_) => "MODEL_NOT_FOUND",
            CoreError::InvalidModel { .. } => "INVALID_MODEL",
            CoreError::Cancelled => "CANCELLED",
        }
    }

    /// An [`CoreError::InvalidInput`], naming `field` when the fault is one argument's.
    pub fn invalid(field: Option<&str>, message: impl Into<String>) -> Self {
        CoreError::InvalidInput {
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The argument an [`CoreError::InvalidInput`] names, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::InvalidInput { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CoreError::Io {
            path: path.into(),
            source,
        }
    }
}
