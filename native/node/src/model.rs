//! A loaded model as JS sees it: `NativeModel`, an immutable handle (`Arc<LoadedModel>`) whose sync methods answer
//! requests in well under a millisecond (fold-in and scoring are O(movies x factors)). A reload builds a new handle;
//! calls running on the old one finish on it.

use std::sync::Arc;

use movierec_core::dataset::Catalogue;
use movierec_core::model_io::LoadedModel;
use movierec_core::recommend::{Because as CoreBecause, ListOptions, Recommendations};
use napi::bindgen_prelude::{AsyncTask, Float32Array, Uint32Array};
use napi::Env;
use napi_derive::napi;

use crate::convert::JsRatingScale;
use crate::error::or_throw;
use crate::tasks::recommend::{RecommendBatchTask, UserBatch};

#[napi]
pub struct NativeModel {
    pub(crate) inner: Arc<LoadedModel>,
}

/// A top-M list, best first; `scores` are estimated ratings clipped to the model's scale.
#[napi(object)]
pub struct RecommendationList {
    pub movie_ids: Uint32Array,
    pub scores: Float32Array,
    /// Input movie ids the model does not know (ignored).
    pub unknown_ids: Uint32Array,
    /// false: no known movie in the input, so this is the non-personalised list.
    pub personalised: bool,
    /// With `explain`: per listed movie, the rated movies that contributed most to choosing it, largest first.
    pub explanations: Option<Vec<Vec<Because>>>,
    /// Per listed movie, whether it is a cold movie (no training rating: `includeCold`); absent when none is.
    pub cold_start: Option<Vec<bool>>,
}

/// One rated movie that contributed to choosing a listed movie, with its share of the choosing score.
#[napi(object)]
pub struct Because {
    pub movie_id: u32,
    pub share: f64,
}

impl From<CoreBecause> for Because {
    fn from(b: CoreBecause) -> Self {
        Self {
            movie_id: b.movie_id,
            share: b.share as f64,
        }
    }
}

pub(crate) fn explanations(lists: Option<Vec<Vec<CoreBecause>>>) -> Option<Vec<Vec<Because>>> {
    lists.map(|lists| {
        lists
            .into_iter()
            .map(|list| list.into_iter().map(Because::from).collect())
            .collect()
    })
}

/// The options of a list request (`{ filters?, explain?, order? }`, `ListOptions`), refused with the option named.
pub(crate) fn list_options(env: &Env, options: Option<serde_json::Value>) -> napi::Result<ListOptions> {
    or_throw(env, ListOptions::from_json(&options.unwrap_or_default()))
}

impl From<Recommendations> for RecommendationList {
    fn from(r: Recommendations) -> Self {
        Self {
            movie_ids: Uint32Array::new(r.movie_ids),
            scores: Float32Array::new(r.scores),
            unknown_ids: Uint32Array::new(r.unknown_ids),
            personalised: r.personalised,
            explanations: explanations(r.explanations),
            cold_start: r.cold_start,
        }
    }
}

/// A user's ratings as their list is folded in from: the training ratings with the stored ones applied.
#[napi(object)]
pub struct UserHistory {
    /// Ascending, once each.
    pub movie_ids: Uint32Array,
    pub ratings: Float32Array,
    /// Ratings the model was trained on for this user (0 for a user it does not know).
    pub training: u32,
}

/// Movies most similar to one movie; `scores` are cosine similarities of the factor vectors (-1..1).
#[napi(object)]
pub struct SimilarList {
    pub movie_ids: Uint32Array,
    pub scores: Float32Array,
    /// Per listed movie, whether it is a cold movie (`includeCold`); absent when none is.
    pub cold_start: Option<Vec<bool>>,
}

/// Every movie the model knows of (rated in training or listed in the movies file), sorted by id.
#[napi(object, js_name = "CatalogueArrays")]
pub struct JsCatalogue {
    pub movie_ids: Uint32Array,
    pub titles: Vec<String>,
    /// Every genre name once; movie `i`'s genres are `genreNames[genreIds[k]]` for `k` in
    /// `genreOffsets[i]..genreOffsets[i + 1]` (flat arrays: one JS array per movie made the copy ~4x slower).
    pub genre_names: Vec<String>,
    pub genre_offsets: Uint32Array,
    pub genre_ids: Uint32Array,
    /// Training ratings of each movie (0 for movies only the movies file lists).
    pub rating_counts: Uint32Array,
}

/// `value` with every integer beyond 32 bits as a float: napi gives such a serde integer to JS as a BigInt, which
/// `JSON.stringify` refuses (a seed of Spark's, say); a float is exact up to 2^53 and a plain JS number.
fn js_numbers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n)
            if n.as_i64()
                .is_some_and(|i| i32::try_from(i).is_err() && u32::try_from(i).is_err())
                || n.as_u64().is_some_and(|u| u > u64::from(u32::MAX)) =>
        {
            n.as_f64().map_or(Value::Number(n), Value::from)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(js_numbers).collect()),
        Value::Object(fields) => Value::Object(fields.into_iter().map(|(k, v)| (k, js_numbers(v))).collect()),
        other => other,
    }
}

#[napi]
impl NativeModel {
    /// model.json of this model (format version, training date-time, parameters, data set, history, evaluation).
    #[napi(ts_return_type = "Record<string, any>")]
    pub fn meta(&self, env: Env) -> napi::Result<serde_json::Value> {
        // Through the text form, so f32 fields read as written (0.01, not 0.009999999776482582).
        let value = serde_json::to_string(&self.inner.meta)
            .and_then(|text| serde_json::from_str(&text))
            .map(js_numbers);
        or_throw(
            &env,
            value.map_err(|e| movierec_core::CoreError::invalid_input(format!("model.json: {e}"))),
        )
    }

    /// The rating scale predictions are clipped to.
    #[napi(getter)]
    pub fn scale(&self) -> JsRatingScale {
        self.inner.recommender.model().scale.into()
    }

    /// Top `m` movies for a new user from `(movieIds[i], ratings[i])` pairs (the typed arrays are read in place).
    /// Unknown ids are ignored and reported; with no known movie the list is the non-personalised one.
    #[napi]
    pub fn recommend_new_user(
        &self,
        env: Env,
        movie_ids: Uint32Array,
        ratings: Float32Array,
        m: u32,
        #[napi(ts_arg_type = "Record<string, any> | null")] options: Option<serde_json::Value>,
    ) -> napi::Result<RecommendationList> {
        let options = list_options(&env, options)?;
        let list = self
            .inner
            .recommender
            .new_user(&movie_ids, &ratings, m as usize, &options);
        or_throw(&env, list).map(RecommendationList::from)
    }

    /// `recommendNewUser` for a batch of users, scored together off the JS thread (the movie factors are read once
    /// per batch). User `u` is `(movieIds[i], ratings[i])` for `i` in `offsets[u]..offsets[u + 1]` with list length
    /// `m[u]`; `offsets` has one entry more than `m`, starts at 0 and ends at the arrays' length. A user's bad input
    /// fails that user only (`failures`); a malformed batch throws `INVALID_INPUT`. The typed arrays are read in
    /// place: do not write to them until the promise settles.
    #[napi(ts_return_type = "Promise<BatchRecommendations>")]
    pub fn recommend_new_users(
        &self,
        env: Env,
        movie_ids: Uint32Array,
        ratings: Float32Array,
        offsets: Uint32Array,
        m: Uint32Array,
        #[napi(ts_arg_type = "Record<string, any> | null")] options: Option<serde_json::Value>,
    ) -> napi::Result<AsyncTask<RecommendBatchTask>> {
        let options = list_options(&env, options)?;
        let batch = or_throw(&env, UserBatch::new(movie_ids, ratings, offsets, m, options))?;
        Ok(AsyncTask::new(RecommendBatchTask::new(self.inner.clone(), batch)))
    }

    /// Top `m` movies for a user of the training data (their training movies left out); null for an unknown user.
    #[napi]
    pub fn recommend_known_user(
        &self,
        env: Env,
        user_id: u32,
        m: u32,
        #[napi(ts_arg_type = "Record<string, any> | null")] options: Option<serde_json::Value>,
    ) -> napi::Result<Option<RecommendationList>> {
        let options = list_options(&env, options)?;
        let list = self.inner.recommender.known_user(user_id, m as usize, &options);
        or_throw(&env, list).map(|list| list.map(RecommendationList::from))
    }

    /// The training ratings of `userId` (none for a user the model was not trained on) with the stored ones applied:
    /// `(movieIds[i], ratings[i])`, NaN deleting, for a movie given twice the later one counting. O(the user's
    /// ratings); the result is a new user's input (`recommendNewUser`, `recommendNewUsers`).
    #[napi]
    pub fn history_with(
        &self,
        env: Env,
        user_id: u32,
        movie_ids: Uint32Array,
        ratings: Float32Array,
    ) -> napi::Result<UserHistory> {
        let history = self.inner.recommender.history_with(user_id, &movie_ids, &ratings);
        or_throw(&env, history).map(|h| UserHistory {
            movie_ids: Uint32Array::new(h.movie_ids),
            ratings: Float32Array::new(h.ratings),
            training: h.training as u32,
        })
    }

    /// The `m` movies closest to `movieId` that pass the filters; null for an unknown movie.
    #[napi]
    pub fn similar(
        &self,
        env: Env,
        movie_id: u32,
        m: u32,
        #[napi(ts_arg_type = "Record<string, any> | null")] options: Option<serde_json::Value>,
    ) -> napi::Result<Option<SimilarList>> {
        let options = list_options(&env, options)?;
        let list = self.inner.recommender.similar(movie_id, m as usize, &options);
        or_throw(&env, list).map(|list| {
            list.map(|(ids, scores)| SimilarList {
                cold_start: self.inner.recommender.cold_start(&ids),
                movie_ids: Uint32Array::new(ids),
                scores: Float32Array::new(scores),
            })
        })
    }

    /// The non-personalised list (bias-based, with a minimum-support guard) among the movies the filters let in.
    #[napi]
    pub fn popular(
        &self,
        env: Env,
        m: u32,
        #[napi(ts_arg_type = "Record<string, any> | null")] options: Option<serde_json::Value>,
    ) -> napi::Result<RecommendationList> {
        let options = list_options(&env, options)?;
        or_throw(&env, self.inner.recommender.popular(m as usize, &options)).map(RecommendationList::from)
    }

    /// Titles, genres and rating counts of every movie: the movies file's and the trained ones, merged by id (a
    /// trained movie the movies file lacks has an empty title and no genres). A copy: call once per load.
    #[napi]
    pub fn catalogue(&self) -> JsCatalogue {
        let model = self.inner.recommender.model();
        let empty = Catalogue::default();
        let c = self.inner.catalogue.as_deref().unwrap_or(&empty);
        let trained = model.items.raw_ids();
        let mut out = CatalogueBuilder::with_capacity(c.len().max(trained.len()));
        let (mut i, mut j) = (0, 0);
        while i < c.len() || j < trained.len() {
            let listed = c.ids.get(i).copied().unwrap_or(u32::MAX);
            let rated = trained.get(j).copied().unwrap_or(u32::MAX);
            let id = listed.min(rated);
            let (title, genres) = if listed == id {
                (c.titles[i].clone(), c.genres[i].as_slice())
            } else {
                (String::new(), &[][..])
            };
            let count = if rated == id { model.item_counts[j] } else { 0 };
            out.push(id, title, genres, count);
            i += usize::from(listed == id);
            j += usize::from(rated == id);
        }
        out.into()
    }
}

/// Column buffers for [`JsCatalogue`].
struct CatalogueBuilder {
    ids: Vec<u32>,
    titles: Vec<String>,
    genre_names: Vec<String>,
    genre_offsets: Vec<u32>,
    genre_ids: Vec<u32>,
    counts: Vec<u32>,
}

impl CatalogueBuilder {
    fn with_capacity(n: usize) -> Self {
        Self {
            ids: Vec::with_capacity(n),
            titles: Vec::with_capacity(n),
            genre_names: Vec::new(),
            genre_offsets: vec![0],
            genre_ids: Vec::with_capacity(n * 2),
            counts: Vec::with_capacity(n),
        }
    }
    fn push(&mut self, id: u32, title: String, genres: &[String], count: u32) {
        self.ids.push(id);
        self.titles.push(title);
        for genre in genres {
            // A few dozen distinct genres: a linear search beats hashing.
            let index = match self.genre_names.iter().position(|g| g == genre) {
                Some(index) => index,
                None => {
                    self.genre_names.push(genre.clone());
                    self.genre_names.len() - 1
                }
            };
            self.genre_ids.push(index as u32);
        }
        self.genre_offsets.push(self.genre_ids.len() as u32);
        self.counts.push(count);
    }
}

impl From<CatalogueBuilder> for JsCatalogue {
    fn from(b: CatalogueBuilder) -> Self {
        Self {
            movie_ids: Uint32Array::new(b.ids),
            titles: b.titles,
            genre_names: b.genre_names,
            genre_offsets: Uint32Array::new(b.genre_offsets),
            genre_ids: Uint32Array::new(b.genre_ids),
            rating_counts: Uint32Array::new(b.counts),
        }
    }
}
