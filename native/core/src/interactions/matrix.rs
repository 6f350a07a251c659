//! The ids, the sparse rows and the pair of them a data set becomes.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::array_data::ArrayData;
use crate::dataset::RatingTriples;

/// Raw id <-> dense index. `raw` is sorted ascending, so the index order is the id order.
///
/// The id -> index table is built on the first lookup, not with the map: a loaded model's service answers its
/// first request a few milliseconds later instead of every load taking them (most loads are followed by few
/// lookups, training by millions).
#[derive(Clone, Debug, Default)]
pub struct IdMap {
    raw: Vec<u32>,
    lookup: OnceLock<HashMap<u32, u32>>,
}

impl PartialEq for IdMap {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl IdMap {
    /// Builds from ids in any order, with repeats; keeps each id once, sorted.
    pub fn from_ids(ids: impl IntoIterator<Item = u32>) -> Self {
        let mut raw: Vec<u32> = ids.into_iter().collect();
        raw.sort_unstable();
        raw.dedup();
        Self::from_sorted_unique(raw)
    }

    /// Builds from ids already sorted and unique (as stored in a model file).
    pub fn from_sorted_unique(raw: Vec<u32>) -> Self {
        Self {
            raw,
            lookup: OnceLock::new(),
        }
    }

    pub fn index_of(&self, id: u32) -> Option<u32> {
        let lookup = self
            .lookup
            .get_or_init(|| self.raw.iter().enumerate().map(|(i, &id)| (id, i as u32)).collect());
        lookup.get(&id).copied()
    }
    pub fn raw_id(&self, index: usize) -> u32 {
        self.raw[index]
    }
    pub fn raw_ids(&self) -> &[u32] {
        &self.raw
    }
    pub fn len(&self) -> usize {
        self.raw.len()
    }
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

/// Compressed sparse rows: row `r` spans `indices[indptr[r]..indptr[r + 1]]`, columns sorted ascending.
#[derive(Clone, Debug, Default, PartialEq)]
///
/// The arrays are [`ArrayData`]: owned when built from ratings, read in place from the file when a model is loaded.
pub struct Csr {
    pub indptr: ArrayData<u64>,
    pub indices: ArrayData<u32>,
    pub values: ArrayData<f32>,
}

impl Csr {
    pub fn rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.indptr[r] as usize, self.indptr[r + 1] as usize);
        (&self.indices[a..b], &self.values[a..b])
    }
    pub fn row_len(&self, r: usize) -> usize {
        (self.indptr[r + 1] - self.indptr[r]) as usize
    }
}

/// Training ratings in both orientations, with the id maps that name their rows and columns.
#[derive(Clone, Debug)]
pub struct Interactions {
    pub users: IdMap,
    pub items: IdMap,
    /// users x items
    pub by_user: Csr,
    /// items x users
    pub by_item: Csr,
}

impl Interactions {
    /// The ratings of `triples` whose user and movie these interactions know, as (user, movie) dense indices with
    /// their ratings, in the triples' order: what a held-out part can be scored on.
    pub fn known_pairs(&self, triples: &RatingTriples) -> (Vec<(u32, u32)>, Vec<f32>) {
        let mut pairs = Vec::new();
        let mut ratings = Vec::new();
        for ((&u, &m), &r) in triples.users.iter().zip(&triples.movies).zip(&triples.ratings) {
            if let (Some(u), Some(m)) = (self.users.index_of(u), self.items.index_of(m)) {
                pairs.push((u, m));
                ratings.push(r);
            }
        }
        (pairs, ratings)
    }
    pub fn n_users(&self) -> usize {
        self.users.len()
    }
    pub fn n_items(&self) -> usize {
        self.items.len()
    }
    pub fn nnz(&self) -> usize {
        self.by_user.nnz()
    }
}
