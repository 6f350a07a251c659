//! PLACEHOLDER (ALS helper replaces).
