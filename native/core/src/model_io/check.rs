//! The invariants a model must satisfy before it is saved or after it is loaded, checked on all cores by blocks.

use rayon::prelude::*;

use crate::interactions::Csr;
use crate::model::{AlsModel, Feedback, Matrix, RankingModel};

/// Every invariant the rest of the core relies on; the message names the first broken one.
pub(super) fn check_model(m: &AlsModel) -> std::result::Result<(), String> {
    m.params.validate_stored().map_err(|e| format!("params: {e}"))?;
    let (n_users, n_items, k) = (m.users.len(), m.items.len(), m.params.factors);
    let shape = |name: &str, x: &Matrix, rows: usize| {
        if x.rows != rows || x.cols != k || x.data.len() != rows * k {
            return Err(format!("{name} is {}x{}, expected {rows}x{k}", x.rows, x.cols));
        }
        Ok(())
    };
    shape("user factors", &m.user_factors, n_users)?;
    shape("item factors", &m.item_factors, n_items)?;
    let lengths = [
        ("user bias (user_bias.npy)", m.user_bias.len(), n_users),
        ("item bias (item_bias.npy)", m.item_bias.len(), n_items),
        ("item counts (item_counts.npy)", m.item_counts.len(), n_items),
        (
            "baseline user bias (baseline_user_bias.npy)",
            m.baseline.user_bias.len(),
            n_users,
        ),
        (
            "baseline item bias (baseline_item_bias.npy)",
            m.baseline.item_bias.len(),
            n_items,
        ),
        (
            "user items indptr (user_items_indptr.npy)",
            m.user_items.indptr.len(),
            n_users + 1,
        ),
        (
            "user items values (user_items_values.npy)",
            m.user_items.values.len(),
            m.user_items.indices.len(),
        ),
    ];
    for (name, got, want) in lengths {
        if got != want {
            return Err(format!("{name} has {got} entries, expected {want}"));
        }
    }
    let floats: [(&str, &[f32]); 7] = [
        ("user factors (user_factors.npy)", &m.user_factors.data),
        ("item factors (item_factors.npy)", &m.item_factors.data),
        ("user bias (user_bias.npy)", &m.user_bias),
        ("item bias (item_bias.npy)", &m.item_bias),
        ("baseline user bias (baseline_user_bias.npy)", &m.baseline.user_bias),
        ("baseline item bias (baseline_item_bias.npy)", &m.baseline.item_bias),
        ("user items values (user_items_values.npy)", &m.user_items.values),
    ];
    for (name, values) in floats {
        // By blocks: a per-value parallel search costs far more than the test itself.
        const BLOCK: usize = 1 << 16;
        let bad_block = values.par_chunks(BLOCK).position_first(|block| !all_finite(block));
        if let Some(b) = bad_block {
            let at = b * BLOCK + values[b * BLOCK..].iter().position(|v| !v.is_finite()).unwrap_or(0);
            return Err(format!("{name}: non-finite value {} at position {at}", values[at]));
        }
    }
    if !m.engine.has_biases() && (m.global_mean != 0.0 || m.user_bias.iter().chain(&m.item_bias).any(|&b| b != 0.0)) {
        return Err(format!(
            "a {:?} model has no mean and no biases, but global mean {} or a user or movie bias is not zero",
            m.engine, m.global_mean
        ));
    }
    if let Some(r) = &m.ranking {
        check_ranking(r, n_users, n_items)?;
    }
    let s = m.scale;
    if ![m.global_mean, m.baseline.global_mean, s.min, s.max, s.step]
        .iter()
        .all(|v| v.is_finite())
        || s.min > s.max
    {
        return Err(format!(
            "bad mean or scale: mean {}, scale {}..{}",
            m.global_mean, s.min, s.max
        ));
    }
    check_user_items(&m.user_items, n_items, &m.item_counts)
}

/// The ranking model: implicit-feedback parameters in range, factors of the model's movies (and users, when kept),
/// every number finite.
fn check_ranking(r: &RankingModel, n_users: usize, n_items: usize) -> std::result::Result<(), String> {
    r.params.validate_stored().map_err(|e| format!("ranking params: {e}"))?;
    if r.params.feedback != Feedback::Implicit {
        return Err("ranking params: the ranking model is an implicit-feedback model".into());
    }
    let k = r.params.factors;
    let mut tables = vec![(
        "ranking item factors (ranking_item_factors.npy)",
        &r.item_factors,
        n_items,
    )];
    tables.extend(
        r.user_factors
            .iter()
            .map(|u| ("ranking user factors (ranking_user_factors.npy)", u, n_users)),
    );
    for (name, x, rows) in tables {
        if x.rows != rows || x.cols != k || x.data.len() != rows * k {
            return Err(format!("{name} is {}x{}, expected {rows}x{k}", x.rows, x.cols));
        }
        if !all_finite(&x.data) {
            return Err(format!("{name}: a non-finite value"));
        }
    }
    Ok(())
}

/// Whether no value is NaN or infinite (all exponent bits set), tested on every value without stopping early so the
/// loop runs on SIMD lanes: this pass reads every number of the model.
fn all_finite(values: &[f32]) -> bool {
    const EXPONENT: u32 = 0x7f80_0000;
    values.iter().fold(0, |max, v| (v.to_bits() & EXPONENT).max(max)) != EXPONENT
}

/// CSR structure: indptr from 0, non-decreasing, ending at nnz; each row strictly ascending and in range; the
/// movie counts equal to the column counts.
fn check_user_items(ui: &Csr, n_items: usize, item_counts: &[u32]) -> std::result::Result<(), String> {
    let nnz = ui.indices.len() as u64;
    if ui.indptr.first() != Some(&0) || ui.indptr.last() != Some(&nnz) || ui.indptr.windows(2).any(|w| w[0] > w[1]) {
        return Err(format!("user items indptr is not a valid CSR index for {nnz} entries"));
    }
    // One pass over the ratings, by blocks of rows on all cores: each block's rows are checked, then their movies
    // counted (only once every index of the block is known to be in range).
    const ROWS: usize = 4096;
    let (counts, bad_row) = (0..ui.rows().div_ceil(ROWS))
        .into_par_iter()
        .fold(
            || (vec![0u32; n_items], None),
            |(mut counts, bad): (Vec<u32>, Option<usize>), b| {
                let bad = bad.or_else(|| check_and_count(ui, b * ROWS..((b + 1) * ROWS).min(ui.rows()), &mut counts));
                (counts, bad)
            },
        )
        .reduce(
            || (vec![0u32; n_items], None),
            |(mut a, bad_a), (b, bad_b)| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                // A fold stops at its first bad row and covers contiguous blocks: the smallest is the first overall.
                (a, bad_a.into_iter().chain(bad_b).min())
            },
        );
    if let Some(r) = bad_row {
        return Err(format!("user items row {r}: movie indices unsorted or out of range"));
    }
    if counts != item_counts {
        return Err("item counts do not match the training ratings".into());
    }
    Ok(())
}

/// Checks that each row of `rows` is strictly ascending and in range, adding its movies to `counts`; the first bad
/// row, if any. The ascending test runs over the whole row without stopping early (so it vectorises).
fn check_and_count(ui: &Csr, rows: std::ops::Range<usize>, counts: &mut [u32]) -> Option<usize> {
    for r in rows {
        let (cols, _) = ui.row(r);
        let next = cols.get(1..).unwrap_or_default();
        let unsorted = cols.iter().zip(next).fold(false, |bad, (a, b)| bad | (a >= b));
        if unsorted || cols.last().is_some_and(|&c| c as usize >= counts.len()) {
            return Some(r);
        }
        cols.iter().for_each(|&c| counts[c as usize] += 1);
    }
    None
}
