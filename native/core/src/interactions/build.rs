//! Builds `Interactions` from triples: two counting sorts (by user, by item), then each row sorted by column.

use rayon::prelude::*;

use super::matrix::{Csr, IdMap, Interactions};
use crate::dataset::RatingTriples;
use crate::{CoreError, Result};

impl Interactions {
    /// Builds both CSR orientations from deduplicated triples (see `dataset::ratings`).
    /// Fails with `InvalidInput` on an empty set.
    pub fn from_triples(triples: &RatingTriples) -> Result<Self> {
        Self::from_triples_and_movies(triples, &[])
    }

    /// [`Self::from_triples`] whose movies are also `movies` (raw ids): the catalogue's movies without ratings become
    /// movies without ratings (empty columns), which training places by their features alone.
    pub fn from_triples_and_movies(triples: &RatingTriples, movies: &[u32]) -> Result<Self> {
        if triples.is_empty() {
            return Err(CoreError::invalid("ratings", "no ratings to build a model from"));
        }
        let users = IdMap::from_ids(triples.users.iter().copied());
        let items = IdMap::from_ids(triples.movies.iter().chain(movies).copied());
        Ok(Self::with_ids(users, items, triples).0)
    }

    /// Builds both orientations over given id maps (a model's, trained elsewhere): the ratings whose user or movie
    /// the maps lack are left out, and their number returned beside the interactions.
    pub fn with_ids(users: IdMap, items: IdMap, triples: &RatingTriples) -> (Self, u64) {
        const MISSING: u32 = u32::MAX;
        let mut user_idx: Vec<u32> = triples
            .users
            .par_iter()
            .map(|&u| users.index_of(u).unwrap_or(MISSING))
            .collect();
        let mut item_idx: Vec<u32> = triples
            .movies
            .par_iter()
            .map(|&m| items.index_of(m).unwrap_or(MISSING))
            .collect();
        let known = |k: usize| user_idx[k] != MISSING && item_idx[k] != MISSING;
        let dropped = (0..triples.len()).filter(|&k| !known(k)).count();
        let mut ratings = std::borrow::Cow::Borrowed(&triples.ratings[..]);
        if dropped > 0 {
            let keep: Vec<usize> = (0..triples.len()).filter(|&k| known(k)).collect();
            ratings = keep.iter().map(|&k| triples.ratings[k]).collect::<Vec<f32>>().into();
            user_idx = keep.iter().map(|&k| user_idx[k]).collect();
            item_idx = keep.iter().map(|&k| item_idx[k]).collect();
        }
        let by_user = csr_from_coo(users.len(), &user_idx, &item_idx, &ratings);
        let by_item = csr_from_coo(items.len(), &item_idx, &user_idx, &ratings);
        let interactions = Interactions {
            users,
            items,
            by_user,
            by_item,
        };
        (interactions, dropped as u64)
    }
}

/// COO -> CSR by counting sort on `rows`, then sorts each row by column.
fn csr_from_coo(n_rows: usize, rows: &[u32], cols: &[u32], values: &[f32]) -> Csr {
    let mut indptr = vec![0u64; n_rows + 1];
    for &r in rows {
        indptr[r as usize + 1] += 1;
    }
    for r in 0..n_rows {
        indptr[r + 1] += indptr[r];
    }
    let nnz = rows.len();
    let mut next: Vec<u64> = indptr[..n_rows].to_vec();
    let mut indices = vec![0u32; nnz];
    let mut vals = vec![0f32; nnz];
    for k in 0..nnz {
        let r = rows[k] as usize;
        let at = next[r] as usize;
        indices[at] = cols[k];
        vals[at] = values[k];
        next[r] += 1;
    }
    // Sort every row by column; rows are disjoint slices, so split them up and sort in parallel.
    let mut chunks: Vec<(&mut [u32], &mut [f32])> = Vec::with_capacity(n_rows);
    let (mut rest_i, mut rest_v) = (indices.as_mut_slice(), vals.as_mut_slice());
    for r in 0..n_rows {
        let len = (indptr[r + 1] - indptr[r]) as usize;
        let (a, b) = std::mem::take(&mut rest_i).split_at_mut(len);
        let (c, d) = std::mem::take(&mut rest_v).split_at_mut(len);
        chunks.push((a, c));
        rest_i = b;
        rest_v = d;
    }
    chunks.into_par_iter().for_each(|(idx, val)| {
        if idx.windows(2).all(|w| w[0] <= w[1]) {
            return;
        }
        let mut pairs: Vec<(u32, f32)> = idx.iter().copied().zip(val.iter().copied()).collect();
        pairs.sort_unstable_by_key(|p| p.0);
        for (k, (c, v)) in pairs.into_iter().enumerate() {
            idx[k] = c;
            val[k] = v;
        }
    });
    Csr {
        indptr: indptr.into(),
        indices: indices.into(),
        values: vals.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_both_orientations_with_sorted_rows() {
        let mut t = RatingTriples::default();
        t.push(10, 300, 4.0);
        t.push(10, 100, 3.0);
        t.push(7, 300, 5.0);
        let x = Interactions::from_triples(&t).unwrap();
        assert_eq!(x.users.raw_ids(), &[7, 10]);
        assert_eq!(x.items.raw_ids(), &[100, 300]);
        assert_eq!(x.by_user.row(1), (&[0u32, 1][..], &[3.0f32, 4.0][..]));
        assert_eq!(x.by_item.row(1), (&[0u32, 1][..], &[5.0f32, 4.0][..]));
        assert_eq!(x.nnz(), 3);
    }

    #[test]
    fn empty_is_an_error() {
        assert!(Interactions::from_triples(&RatingTriples::default()).is_err());
    }
}
