//! A user's training ratings merged with stored ones (`Recommender::history_with`), on a model trained on
//! ml-latest-small: the training row comes back as it was trained, a stored rating replaces or adds, a NaN deletes,
//! the later of a repeated movie wins, an unknown user has only the stored ratings; and the merged history folded in
//! as a new user leaves the rated movies out of the list.

mod common;

use std::sync::OnceLock;

use common::shared;
use movierec_core::als::{als_defaults, train_ratings};
use movierec_core::dataset::{read_ratings, ReadOptions};
use movierec_core::recommend::{ListOptions, Recommender};

fn recommender() -> &'static Recommender {
    static R: OnceLock<Recommender> = OnceLock::new();
    R.get_or_init(|| {
        let data = read_ratings(&shared("ml-latest-small/ratings.csv"), &ReadOptions::default()).unwrap();
        let params = movierec_core::model::AlsParams {
            factors: 8,
            iterations: 3,
            ..als_defaults()
        };
        Recommender::new(train_ratings(&data.triples, None, data.report.scale, &params, &mut |_| true).unwrap())
    })
}

/// User 1's training ratings as the file has them.
fn user1_file() -> Vec<(u32, f32)> {
    let data = read_ratings(&shared("ml-latest-small/ratings.csv"), &ReadOptions::default()).unwrap();
    let t = &data.triples;
    (0..t.len())
        .filter(|&i| t.users[i] == 1)
        .map(|i| (t.movies[i], t.ratings[i]))
        .collect()
}

#[test]
fn training_ratings_come_back_as_trained() {
    let h = recommender().history_with(1, &[], &[]).unwrap();
    let expected = user1_file();
    assert_eq!(h.training, expected.len());
    assert_eq!(h.movie_ids, expected.iter().map(|p| p.0).collect::<Vec<_>>());
    assert_eq!(h.ratings, expected.iter().map(|p| p.1).collect::<Vec<_>>());
}

#[test]
fn stored_ratings_replace_add_and_delete() {
    let file = user1_file();
    let (first, second) = (file[0], file[1]);
    let new_movie = 2; // Jumanji: not among user 1's ratings
    assert!(!file.iter().any(|p| p.0 == new_movie));
    // Unsorted, with the new movie given twice (the later wins).
    let ids = [new_movie, second.0, first.0, new_movie];
    let ratings = [1.0, f32::NAN, 0.5, 4.5];
    let h = recommender().history_with(1, &ids, &ratings).unwrap();
    assert_eq!(h.movie_ids.len(), file.len(), "one added, one deleted");
    let rating_of = |m: u32| h.movie_ids.iter().position(|&x| x == m).map(|p| h.ratings[p]);
    assert_eq!(rating_of(first.0), Some(0.5), "replaced");
    assert_eq!(rating_of(second.0), None, "deleted");
    assert_eq!(rating_of(new_movie), Some(4.5), "added, the later entry");
    assert!(h.movie_ids.windows(2).all(|w| w[0] < w[1]), "ascending, once each");
}

#[test]
fn an_unknown_user_has_only_the_stored_ratings() {
    let h = recommender()
        .history_with(4_000_000, &[50, 1, 7], &[4.0, 5.0, f32::NAN])
        .unwrap();
    assert_eq!((h.movie_ids, h.ratings, h.training), (vec![1, 50], vec![5.0, 4.0], 0));
    let err = recommender().history_with(1, &[1, 2], &[4.0]).unwrap_err();
    assert_eq!(err.field(), Some("ratings"));
}

#[test]
fn the_merged_history_folded_in_leaves_its_movies_out() {
    let r = recommender();
    let top = r.known_user(1, 5, &ListOptions::default()).unwrap().unwrap().movie_ids;
    // Rating the first movie of the list moves it out of the next list, and the list changes.
    let h = r.history_with(1, &[top[0]], &[1.0]).unwrap();
    let next = r
        .new_user(&h.movie_ids, &h.ratings, 5, &ListOptions::default())
        .unwrap();
    assert!(next.personalised);
    assert!(!next.movie_ids.contains(&top[0]));
    assert_ne!(next.movie_ids, top);
}
