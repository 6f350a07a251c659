//! Everything that turns a trained model into lists: fold-in of a user, the scoring kernels, the one top-k selection,
//! the lists (new user, known user, similar, popular), their filters and explanations, and the batched path, behind
//! one [`Recommender`] that owns a model's serving caches.
//!
//! A personalised list is made in two steps. Which movies enter it is *chosen*: by the ranking model when the model
//! folder has one (an implicit-feedback ALS trained beside the rating model, whose score measures "will they watch
//! and like it"), else by the rating model's estimate plus a popularity term (`selection.rs`), always among the
//! candidates: every movie but the user's own and those a request's filters leave out (the [`CandidateMask`],
//! applied before the top-M cut). The chosen movies are then *rated* by the rating model, whose estimate is shown
//! beside each and, by default, orders the list ([`ListOrder`]). A ranking model's choice decomposes exactly over
//! the user's rated movies, which is what `explain` reports.
//!
//! - `recommender.rs`: [`Recommender`], the model, its catalogue and caches (the chooser's Gram, selection bias, the
//!   movies' genres and years).
//! - `foldin.rs`: a user's vector, explicit (the ALS user half-step) or implicit (solved exactly).
//! - `options.rs`: [`ListOptions`] read from JSON; `filters.rs`: [`ListFilters`] into a [`CandidateMask`];
//!   `explain.rs`: "because you rated".
//! - `cold.rs`: cold movies (no training rating): left out unless asked for, then admitted by the rating model.
//! - `selection.rs`: the rating model's choosing score.
//! - `topk.rs`: [`TopK`], the one top-k selection; `scoring.rs` (+ `scoring/x86.rs`) streams every movie's score
//!   into it, for one user or a batch.
//! - `lists.rs`: the personalised and the popular lists and their input checks; `batch.rs`: many new users in one
//!   pass over the movie factors; `similar.rs`: a movie's neighbours.
//! - `history.rs`: a user's training ratings merged with the ratings they gave since, for the new-user path.

mod batch;
mod cold;
mod explain;
mod filters;
mod foldin;
mod history;
mod lists;
mod options;
mod recommender;
mod scoring;
mod selection;
mod similar;
mod topk;

pub use batch::NewUserRequest;
pub use explain::{Because, EXPLAIN_TOP};
pub use filters::{CandidateMask, ListFilters};
pub use foldin::UserVector;
pub use history::History;
pub use lists::{min_support, Recommendations, MIN_SUPPORT_FLOOR};
pub use options::{ListOptions, ListOrder};
pub use recommender::Recommender;
pub use scoring::{scan_top_k, scan_top_k_batch, ScoreQuery};
pub use selection::POPULARITY_WEIGHT;
pub use similar::most_similar;
pub use topk::{top_k, top_k_of, TopK};
