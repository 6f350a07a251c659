//! PLACEHOLDER (readers helper replaces): splits.
