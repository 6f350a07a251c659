//! Batch recommendations (`Recommender::new_users`) on a model trained on ml-1m (with its ranking model): every user
//! of a batch gets exactly the list `Recommender::new_user` gives them alone, whatever their options (filters,
//! explanations, order), and a bad request fails only itself.

mod common;

use common::shared;

use movierec_core::als::train;
use std::sync::Arc;

use movierec_core::dataset::{read_movies_beside, read_ratings, ReadOptions};
use movierec_core::interactions::Interactions;
use movierec_core::model::{AlsParams, Method};
use movierec_core::recommend::{ListOptions, NewUserRequest, Recommender};
use movierec_core::CoreError;

fn recommender() -> Recommender {
    let path = shared("ml-1m/ratings.dat");
    let data = read_ratings(&path, &ReadOptions::default()).unwrap();
    let catalogue = read_movies_beside(&path).unwrap().map(Arc::new);
    let x = Interactions::from_triples(&data.triples).unwrap();
    // Few iterations: serving does not depend on how well the factors converged.
    let params = AlsParams {
        iterations: 2,
        method: Method::Als,
        ..AlsParams::default()
    };
    Recommender::with_catalogue(train(&x, data.report.scale, &params, &mut |_| true).unwrap(), catalogue)
}

#[test]
fn each_user_of_a_batch_gets_their_own_list_and_errors_stay_their_own() {
    let recommender = recommender();
    let model = recommender.model();
    // Training users' first ratings (raw ids), of several lengths, with several list lengths.
    let mut requests_owned: Vec<(Vec<u32>, Vec<f32>, usize)> = (0..40)
        .map(|u| {
            let (cols, values) = model.user_items.row(u * 97);
            let n = (u % 12 + 1).min(cols.len());
            let ids = cols[..n].iter().map(|&i| model.items.raw_id(i as usize)).collect();
            (ids, values[..n].to_vec(), [20, 1, 100, 5][u % 4])
        })
        .collect();
    requests_owned.push((vec![], vec![], 20)); // no history: the non-personalised list
    requests_owned.push((vec![999_999, 1], vec![4.0, 5.0], 10)); // an unknown id among known ones
    requests_owned.push((vec![999_999], vec![4.0], 10)); // only unknown ids
    requests_owned.push((vec![1, 260, 1], vec![5.0, 4.0, 1.0], 10)); // a movie twice: the last rating counts
    requests_owned.push((vec![1, 260], vec![5.0, 9.0], 10)); // a rating outside the scale: this request fails
    requests_owned.push((vec![1], vec![5.0], 0)); // M = 0: this request fails
    requests_owned.push((vec![1, 2], vec![5.0], 10)); // lengths differ: this request fails
    let options: Vec<ListOptions> = [
        serde_json::json!({}),
        serde_json::json!({"explain": true}),
        serde_json::json!({"order": "score", "filters": {"genres": ["Comedy", "Drama"], "yearMin": 1990}}),
        serde_json::json!({"filters": {"excludeGenres": ["Action"], "minRatings": 100, "exclude": [1, 2858]}}),
    ]
    .iter()
    .map(|o| ListOptions::from_json(o).unwrap())
    .collect();
    let unknown_genre = ListOptions::from_json(&serde_json::json!({"filters": {"genres": ["Comedie"]}})).unwrap();
    let mut requests: Vec<NewUserRequest<'_>> = requests_owned
        .iter()
        .enumerate()
        .map(|(u, (ids, ratings, m))| NewUserRequest {
            movie_ids: ids,
            ratings,
            m: *m,
            options: &options[u % options.len()],
        })
        .collect();
    requests.push(NewUserRequest {
        options: &unknown_genre, // a genre the catalogue does not have: this request fails
        ..requests[0]
    });

    let batch = recommender.new_users(&requests);
    assert_eq!(batch.len(), requests.len());
    let mut failures = 0;
    for (request, got) in requests.iter().zip(&batch) {
        let alone = recommender.new_user(request.movie_ids, request.ratings, request.m, request.options);
        match (got, alone) {
            (Ok(got), Ok(alone)) => {
                assert_eq!(*got, alone, "request {:?}", request.movie_ids);
                assert_eq!(got.movie_ids.len(), request.m);
                assert_eq!(got.explanations.is_some(), request.options.explain);
            }
            (
                Err(CoreError::InvalidInput { message: got, .. }),
                Err(CoreError::InvalidInput { message: alone, .. }),
            ) => {
                assert_eq!(*got, alone);
                failures += 1;
            }
            (got, alone) => panic!("request {:?}: batch {got:?}, alone {alone:?}", request.movie_ids),
        }
    }
    assert_eq!(failures, 4, "exactly the four bad requests fail");
    let personalised = batch
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.personalised))
        .count();
    assert_eq!(
        personalised, 42,
        "40 training users, one with an unknown id, one with a repeated movie"
    );
    // A batch of one is the single-user call.
    let one = recommender.new_users(&requests[..1]);
    assert_eq!(one[0].as_ref().unwrap(), batch[0].as_ref().unwrap());
    assert!(recommender.new_users(&[]).is_empty());
}
