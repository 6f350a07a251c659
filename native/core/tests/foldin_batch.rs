//! Batch recommendations (`foldin_batch::recommend_new_users`) on a model trained on ml-1m: every user of a batch
//! gets exactly the list `recommend_new_user` gives them alone, and a bad request fails only itself.

mod common;

use common::shared;

use movierec_core::als::train_explicit;
use movierec_core::dataset::{read_ratings, ReadOptions};
use movierec_core::foldin::recommend_new_user;
use movierec_core::foldin_batch::{recommend_new_users, NewUserRequest};
use movierec_core::interactions::Interactions;
use movierec_core::model::{AlsModel, AlsParams};
use movierec_core::CoreError;

fn model() -> AlsModel {
    let data = read_ratings(&shared("ml-1m/ratings.dat"), &ReadOptions::default()).unwrap();
    let x = Interactions::from_triples(&data.triples).unwrap();
    // Few iterations: serving does not depend on how well the factors converged.
    let params = AlsParams {
        iterations: 2,
        ..AlsParams::default()
    };
    train_explicit(&x, data.report.scale, &params, &mut |_| true).unwrap()
}

#[test]
fn each_user_of_a_batch_gets_their_own_list_and_errors_stay_their_own() {
    let model = model();
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
    let requests: Vec<NewUserRequest<'_>> = requests_owned
        .iter()
        .map(|(ids, ratings, m)| NewUserRequest {
            movie_ids: ids,
            ratings,
            m: *m,
        })
        .collect();

    let batch = recommend_new_users(&model, &requests);
    assert_eq!(batch.len(), requests.len());
    let mut failures = 0;
    for (request, got) in requests.iter().zip(&batch) {
        let alone = recommend_new_user(&model, request.movie_ids, request.ratings, request.m);
        match (got, alone) {
            (Ok(got), Ok(alone)) => {
                assert_eq!(*got, alone, "request {:?}", request.movie_ids);
                assert_eq!(got.movie_ids.len(), request.m);
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
    assert_eq!(failures, 3, "exactly the three bad requests fail");
    let personalised = batch
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.personalised))
        .count();
    assert_eq!(
        personalised, 42,
        "40 training users, one with an unknown id, one with a repeated movie"
    );
    // A batch of one is the single-user call.
    let one = recommend_new_users(&model, &requests[..1]);
    assert_eq!(one[0].as_ref().unwrap(), batch[0].as_ref().unwrap());
    assert!(recommend_new_users(&model, &[]).is_empty());
}
