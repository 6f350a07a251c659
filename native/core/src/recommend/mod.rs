//! Everything that turns a trained model into lists: fold-in of a new user, the scoring kernels, the one top-k
//! selection, the lists (new user, known user, similar, popular) and the batched path, behind one
//! [`Recommender`] that owns a model's serving caches.
//!
//! A personalised list is made in two steps: which movies enter it is *chosen* by a selection score (the estimate
//! plus a popularity term for explicit models, `selection.rs`), over the candidates (every movie but the excluded
//! ones), and the chosen movies are *rated* by the model's estimate, which orders the list. A candidate mask (filters
//! applied before the top-M cut) belongs to the choosing step ([`ScoreQuery::exclude`] is its first form), and a
//! second model that chooses while this one rates replaces the selection score; neither changes the rating step.
//!
//! - `recommender.rs`: [`Recommender`], the model and its caches (implicit fold-in Gram, selection bias).
//! - `foldin.rs`: a new user's vector, explicit (the ALS user half-step) or implicit (conjugate gradient).
//! - `selection.rs`: the selection score and the rating of what was chosen.
//! - `topk.rs`: [`TopK`], the one top-k selection; `scoring.rs` (+ `scoring/x86.rs`) streams every movie's score
//!   into it, for one user or a batch.
//! - `lists.rs`: the lists and their input checks; `batch.rs`: many new users in one pass over the movie factors.
//! - `history.rs`: a user's training ratings merged with the ratings they gave since, for the new-user path.

mod batch;
mod foldin;
mod history;
mod lists;
mod recommender;
mod scoring;
mod selection;
mod topk;

pub use batch::NewUserRequest;
pub use foldin::UserVector;
pub use history::History;
pub use lists::{min_support, Recommendations, MIN_SUPPORT_FLOOR};
pub use recommender::Recommender;
pub use scoring::{scan_top_k, scan_top_k_batch, ScoreQuery};
pub use selection::POPULARITY_WEIGHT;
pub use topk::{top_k, TopK};
