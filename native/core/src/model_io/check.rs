//! The invariants a model must satisfy before it is saved or after it is loaded, checked on all cores by blocks.

use rayon::prelude::*;

use crate::interactions::Csr;
use crate::model::{AlsModel, Matrix};

/// Every invariant the rest of the core relies on; the message names the first broken one.
pub(super) fn check_model(m: &AlsModel) -> std::result::Result<(), String> {
    crate::als::validate_common(&m.params).map_err(|e| format!("params: {e}"))?;
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
        let bad_block = values
            .par_chunks(BLOCK)
            .position_first(|block| !block.iter().all(|v| v.is_finite()));
        if let Some(b) = bad_block {
            let at = b * BLOCK + values[b * BLOCK..].iter().position(|v| !v.is_finite()).unwrap_or(0);
            return Err(format!("{name}: non-finite value {} at position {at}", values[at]));
        }
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

/// CSR structure: indptr from 0, non-decreasing, ending at nnz; each row strictly ascending and in range; the
/// movie counts equal to the column counts.
fn check_user_items(ui: &Csr, n_items: usize, item_counts: &[u32]) -> std::result::Result<(), String> {
    let nnz = ui.indices.len() as u64;
    if ui.indptr.first() != Some(&0) || ui.indptr.last() != Some(&nnz) || ui.indptr.windows(2).any(|w| w[0] > w[1]) {
        return Err(format!("user items indptr is not a valid CSR index for {nnz} entries"));
    }
    let bad_row_in = |rows: std::ops::Range<usize>| {
        rows.into_iter().find(|&r| {
            let (cols, _) = ui.row(r);
            cols.windows(2).any(|w| w[0] >= w[1]) || cols.last().is_some_and(|&c| c as usize >= n_items)
        })
    };
    const ROWS: usize = 4096;
    let bad_row = (0..ui.rows().div_ceil(ROWS))
        .into_par_iter()
        .find_map_first(|b| bad_row_in(b * ROWS..((b + 1) * ROWS).min(ui.rows())));
    if let Some(r) = bad_row {
        return Err(format!("user items row {r}: movie indices unsorted or out of range"));
    }
    // Every index is in range now. Counted per block of ratings on each core, then summed.
    let counts = ui
        .indices
        .par_chunks(1 << 20)
        .fold(
            || vec![0u32; n_items],
            |mut counts, block| {
                block.iter().for_each(|&c| counts[c as usize] += 1);
                counts
            },
        )
        .reduce(
            || vec![0u32; n_items],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        );
    if counts != item_counts {
        return Err("item counts do not match the training ratings".into());
    }
    Ok(())
}
