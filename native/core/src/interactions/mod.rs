//! Dense indices and compressed sparse rows: the shape ALS, fold-in and metrics work on.
//!
//! Raw MovieLens ids are sparse u32s; every matrix row is a dense index. `IdMap` converts both ways.
//! `by_user` (users x movies) and `by_item` (movies x users) hold the same ratings, each row sorted by column.
//!
//! - `matrix.rs`: [`IdMap`], [`Csr`] and [`Interactions`]; `build.rs`: [`Interactions::from_triples`].

mod build;
mod matrix;

pub use matrix::{Csr, IdMap, Interactions};
