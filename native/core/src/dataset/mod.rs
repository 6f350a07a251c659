//! MovieLens data on disk: ratings in every published layout, the movie catalogue, splits.
//!
//! Owned by the reader work: `layout.rs` (detect from content), `ratings.rs` (streaming parallel parse,
//! duplicate handling), `movies.rs` (movies.dat / u.item / movies.csv), `split.rs` (random, per-user, k-fold, write),
//! `triples.rs` (the ratings in memory and their scale), `events.rs` (rating events merged into a read data set),
//! `features.rs` (movie and user side information).

pub mod events;
pub mod features;
pub mod layout;
pub mod movies;
pub mod ratings;
pub mod split;

mod triples;

pub use events::{merge_events, EventsMerge};
pub use layout::RatingsLayout;
pub use movies::{find_movies_file, read_movies, read_movies_beside, year_in_title, Catalogue};
pub use ratings::{read_ratings, Dataset, ReadOptions, ReadReport};
pub use triples::{RatingScale, RatingTriples};
