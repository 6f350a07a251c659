//! `NativeModel.recommendNewUsers`: a batch of new users' lists, computed on a libuv worker thread so the JS thread
//! keeps parsing and answering HTTP while the movie factors are scanned. The arguments are typed arrays read in
//! place and the answer is flat typed arrays with offsets: a batch crosses the boundary in a handful of objects
//! however many users it holds.

use std::sync::Arc;

use movierec_core::model_io::LoadedModel;
use movierec_core::recommend::{Because as CoreBecause, ListOptions, NewUserRequest, Recommendations};
use movierec_core::CoreError;
use napi::bindgen_prelude::{Float32Array, Uint32Array, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;

use crate::error::Result;
use crate::model::{explanations, Because};

/// The requests of a batch, as JS passed them (checked: offsets start at 0, never decrease, end at the length).
pub struct UserBatch {
    movie_ids: Uint32Array,
    ratings: Float32Array,
    offsets: Uint32Array,
    m: Uint32Array,
    /// Every user's list options (one request's filters, explanations and order).
    options: ListOptions,
}

impl UserBatch {
    pub fn new(
        movie_ids: Uint32Array,
        ratings: Float32Array,
        offsets: Uint32Array,
        m: Uint32Array,
        options: ListOptions,
    ) -> Result<Self> {
        if movie_ids.len() != ratings.len() {
            return Err(CoreError::invalid(
                "ratings",
                format!(
                    "recommendNewUsers: {} movie ids but {} ratings",
                    movie_ids.len(),
                    ratings.len()
                ),
            ));
        }
        if offsets.len() != m.len() + 1 {
            return Err(CoreError::invalid(
                "offsets",
                format!(
                    "recommendNewUsers: {} offsets for {} users (give one more offset than users)",
                    offsets.len(),
                    m.len()
                ),
            ));
        }
        let ordered = offsets.windows(2).all(|w| w[0] <= w[1]);
        if offsets[0] != 0 || !ordered || offsets[offsets.len() - 1] as usize != movie_ids.len() {
            return Err(CoreError::invalid(
                "offsets",
                "recommendNewUsers: offsets must start at 0, never decrease and end at the number of ratings",
            ));
        }
        Ok(Self {
            movie_ids,
            ratings,
            offsets,
            m,
            options,
        })
    }

    fn requests(&self) -> Vec<NewUserRequest<'_>> {
        self.m
            .iter()
            .enumerate()
            .map(|(u, &m)| {
                let range = self.offsets[u] as usize..self.offsets[u + 1] as usize;
                NewUserRequest {
                    movie_ids: &self.movie_ids[range.clone()],
                    ratings: &self.ratings[range],
                    m: m as usize,
                    options: &self.options,
                }
            })
            .collect()
    }
}

/// Every user's list of a batch, concatenated: user `u`'s entries are `listOffsets[u]..listOffsets[u + 1]` of
/// `movieIds` and `scores`, their unknown input ids `unknownOffsets[u]..unknownOffsets[u + 1]` of `unknownIds`.
#[napi(object)]
pub struct BatchRecommendations {
    pub movie_ids: Uint32Array,
    pub scores: Float32Array,
    pub list_offsets: Uint32Array,
    pub unknown_ids: Uint32Array,
    pub unknown_offsets: Uint32Array,
    /// 1 where the list is personalised, 0 for the non-personalised list (and for failed users).
    pub personalised: Uint8Array,
    /// The users whose input was refused (their lists are empty); usually none.
    pub failures: Vec<UserFailure>,
    /// With `explain`: per entry of `movieIds`, the rated movies that contributed most to choosing it.
    pub explanations: Option<Vec<Vec<Because>>>,
    /// Per entry of `movieIds`, whether it is a cold movie (`includeCold`); absent when none is.
    pub cold_start: Option<Vec<bool>>,
}

/// One refused user of a batch: the error `recommendNewUser` would have thrown for them.
#[napi(object)]
pub struct UserFailure {
    pub user: u32,
    pub code: String,
    /// The input at fault (`M`, `ratings[3]`), when the error is about one.
    pub field: Option<String>,
    pub message: String,
}

/// The batch's answer before it becomes JS values.
#[derive(Default)]
pub struct BatchOutput {
    movie_ids: Vec<u32>,
    scores: Vec<f32>,
    list_offsets: Vec<u32>,
    unknown_ids: Vec<u32>,
    unknown_offsets: Vec<u32>,
    personalised: Vec<u8>,
    failures: Vec<(u32, CoreError)>,
    explanations: Option<Vec<Vec<CoreBecause>>>,
    cold_start: Option<Vec<bool>>,
}

impl BatchOutput {
    fn gather(results: Vec<movierec_core::Result<Recommendations>>) -> Self {
        let mut out = BatchOutput {
            list_offsets: vec![0],
            unknown_offsets: vec![0],
            ..Default::default()
        };
        for (u, result) in results.into_iter().enumerate() {
            match result {
                Ok(list) => {
                    if let Some(marks) = list.cold_start {
                        // Entries before this list are not cold.
                        let all = out.cold_start.get_or_insert_with(Vec::new);
                        all.resize(out.movie_ids.len(), false);
                        all.extend(marks);
                    }
                    out.movie_ids.extend_from_slice(&list.movie_ids);
                    out.scores.extend_from_slice(&list.scores);
                    out.unknown_ids.extend_from_slice(&list.unknown_ids);
                    out.personalised.push(u8::from(list.personalised));
                    if let Some(lists) = list.explanations {
                        out.explanations.get_or_insert_with(Vec::new).extend(lists);
                    }
                }
                Err(err) => {
                    out.personalised.push(0);
                    out.failures.push((u as u32, err));
                }
            }
            out.list_offsets.push(out.movie_ids.len() as u32);
            out.unknown_offsets.push(out.unknown_ids.len() as u32);
        }
        if let Some(marks) = out.cold_start.as_mut() {
            marks.resize(out.movie_ids.len(), false);
        }
        out
    }
}

pub struct RecommendBatchTask {
    model: Arc<LoadedModel>,
    batch: UserBatch,
}

impl RecommendBatchTask {
    /// Holds its own reference to the model: a reload meanwhile does not change what this batch is scored on.
    pub fn new(model: Arc<LoadedModel>, batch: UserBatch) -> Self {
        Self { model, batch }
    }
}

#[napi]
impl Task for RecommendBatchTask {
    type Output = BatchOutput;
    type JsValue = BatchRecommendations;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let results = self.model.recommender.new_users(&self.batch.requests());
        Ok(BatchOutput::gather(results))
    }

    fn resolve(&mut self, _env: Env, out: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(BatchRecommendations {
            movie_ids: Uint32Array::new(out.movie_ids),
            scores: Float32Array::new(out.scores),
            list_offsets: Uint32Array::new(out.list_offsets),
            unknown_ids: Uint32Array::new(out.unknown_ids),
            unknown_offsets: Uint32Array::new(out.unknown_offsets),
            personalised: Uint8Array::new(out.personalised),
            explanations: explanations(out.explanations),
            cold_start: out.cold_start,
            failures: out
                .failures
                .into_iter()
                .map(|(user, err)| UserFailure {
                    user,
                    code: err.code().to_string(),
                    field: err.field().map(str::to_string),
                    message: err.to_string(),
                })
                .collect(),
        })
    }
}
