//! Models trained by other engines (Spark MLlib, `implicit`): their two factor tables, and optionally the ratings
//! they were trained on, made into an [`AlsModel`] that serves like one trained here. Such a model has no global
//! mean and no biases (its `engine` says how it estimates and folds in, see [`Engine`]). Reading the engines' files
//! is the `movierec-interop` crate's; this is what is common to every engine.
//!
//! Without the ratings, a known user's list cannot leave out what they rated, and the non-personalised list has
//! nothing to rank by (every movie has 0 ratings). With them, the ratings of users and movies the model has
//! are stored as a trained model's are (the bias-only baseline fitted on them too); the others are counted.

use std::path::PathBuf;

use crate::als::fit_baseline;
use crate::dataset::{RatingScale, RatingTriples};
use crate::interactions::{Csr, IdMap, Interactions};
use crate::model::{AlsModel, AlsParams, BiasBaseline, Engine, Matrix};
use crate::{CoreError, Result};

/// One side of a foreign model: raw ids (any order) and their factor rows, `ids.len() x rank`, row-major.
#[derive(Clone, Debug)]
pub struct FactorTable {
    pub ids: Vec<u32>,
    pub factors: Vec<f32>,
    /// Where the table was read from: named in every error about it.
    pub source: PathBuf,
}

/// A model as another engine saved it. `params.factors` is its rank.
#[derive(Clone, Debug)]
pub struct ForeignModel {
    pub engine: Engine,
    pub params: AlsParams,
    pub users: FactorTable,
    pub items: FactorTable,
}

/// The ratings the foreign model was trained on, read by this project's reader.
#[derive(Clone, Copy, Debug)]
pub struct TrainingRatings<'a> {
    pub triples: &'a RatingTriples,
    pub scale: RatingScale,
}

/// A foreign model made ready to save, and what its ratings did not fit.
#[derive(Debug)]
pub struct Imported {
    pub model: AlsModel,
    /// Ratings of a user or movie the model has no factors for: left out.
    pub ratings_left_out: u64,
}

/// The rating scale of a model imported without its ratings: the MovieLens scale this product serves (the scale a
/// new user's ratings are checked against; the estimates themselves are never clipped, see [`AlsModel::shown`]).
pub const SCALE_WITHOUT_RATINGS: RatingScale = RatingScale::MOVIELENS;

/// Checks and sorts the two tables (by id) and builds the model. Errors are `InvalidModel` naming the table: a rank
/// other than `params.factors`, a duplicate id, a non-finite factor, an empty table.
pub fn build_model(foreign: ForeignModel, ratings: Option<TrainingRatings<'_>>) -> Result<Imported> {
    assert!(!foreign.engine.has_biases(), "build_model: a foreign engine's model");
    let k = foreign.params.factors;
    let (users, user_factors) = sorted_table(foreign.users, k)?;
    let (items, item_factors) = sorted_table(foreign.items, k)?;
    let (n_users, n_items) = (users.len(), items.len());
    let (scale, user_items, item_counts, baseline, ratings_left_out) = match ratings {
        Some(r) => {
            let (x, left_out) = Interactions::with_ids(users.clone(), items.clone(), r.triples);
            let counts = (0..n_items).map(|i| x.by_item.row_len(i) as u32).collect();
            let sum: f64 = x.by_user.values.iter().map(|&v| v as f64).sum();
            let mean = if x.nnz() == 0 {
                0.0
            } else {
                (sum / x.nnz() as f64) as f32
            };
            let baseline = fit_baseline(&x, mean);
            (r.scale, x.by_user, counts, baseline, left_out)
        }
        None => {
            let empty = Csr {
                indptr: vec![0u64; n_users + 1].into(),
                indices: Vec::new().into(),
                values: Vec::new().into(),
            };
            let baseline = BiasBaseline {
                global_mean: 0.0,
                user_bias: vec![0.0; n_users],
                item_bias: vec![0.0; n_items],
            };
            (SCALE_WITHOUT_RATINGS, empty, vec![0; n_items], baseline, 0)
        }
    };
    let model = AlsModel {
        engine: foreign.engine,
        params: foreign.params,
        scale,
        global_mean: 0.0,
        users,
        items,
        user_factors,
        item_factors,
        user_bias: vec![0.0; n_users],
        item_bias: vec![0.0; n_items],
        item_counts,
        user_items,
        baseline,
        history: Vec::new(),
        ranking: None,
    };
    Ok(Imported {
        model,
        ratings_left_out,
    })
}

/// The table's ids, ascending, and its rows in that order.
fn sorted_table(table: FactorTable, k: usize) -> Result<(IdMap, Matrix)> {
    let invalid = |message: String| CoreError::InvalidModel {
        path: table.source.clone(),
        message,
    };
    let n = table.ids.len();
    if n == 0 {
        return Err(invalid("no factors (an empty table)".into()));
    }
    if table.factors.len() != n * k {
        return Err(invalid(format!(
            "{} values for {n} ids: not rank {k}, the model's rank",
            table.factors.len()
        )));
    }
    if let Some(at) = table.factors.iter().position(|v| !v.is_finite()) {
        return Err(invalid(format!(
            "id {}: non-finite factor {}",
            table.ids[at / k],
            table.factors[at]
        )));
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by_key(|&r| table.ids[r as usize]);
    let ids: Vec<u32> = order.iter().map(|&r| table.ids[r as usize]).collect();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(invalid(format!("id {} appears more than once", w[0])));
    }
    let mut data = Vec::with_capacity(n * k);
    for &r in &order {
        let r = r as usize;
        data.extend_from_slice(&table.factors[r * k..(r + 1) * k]);
    }
    Ok((IdMap::from_sorted_unique(ids), Matrix { rows: n, cols: k, data }))
}
