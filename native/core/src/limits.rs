//! Limits a caller meets, defined once here: the napi crate exports them to TypeScript (`src/model/limits.ts`), where
//! the model, the CLI, the HTTP schemas and the OpenAPI document read them.

/// The longest list a caller may ask for (the M of every list), and the largest k of the ranking metrics (the
/// lists they score are that long).
pub const MAX_LIST_LENGTH: usize = 1000;

/// The most values a list filter of many values (`genres`, `excludeGenres`, `exclude`) may hold.
pub const MAX_FILTER_VALUES: usize = 1000;
