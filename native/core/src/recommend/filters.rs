//! List filters: which movies a list may hold, besides leaving out the user's own. One request's filters
//! ([`ListFilters`]) are turned once into a [`CandidateMask`] over the model's movies, which every list (new user,
//! known user, similar, popular) applies before its top-M cut, so a list is still M long when enough movies pass.
//!
//! Cold movies (no training rating) are never candidates of the mask a list's chooser scans; with `includeCold` a
//! second mask, the filters' movies cold ones included, is what the rule of `cold.rs` admits them from.
//!
//! Genres and years come from the catalogue ([`MovieFacts`], built on the first filtered request); a movie without
//! a known year passes no year bound, one without genres no `genres` filter.

use crate::dataset::Catalogue;
use crate::model::AlsModel;
use crate::{CoreError, Result};

/// The filters of one list request (every one optional; none given: every movie is a candidate).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListFilters {
    /// Movies with any of these genres.
    pub genres: Vec<String>,
    /// Movies with none of these genres.
    pub exclude_genres: Vec<String>,
    /// Released in or after this year.
    pub year_min: Option<u16>,
    /// Released in or before this year.
    pub year_max: Option<u16>,
    /// Movies with at least this many training ratings.
    pub min_ratings: Option<u32>,
    /// Movie ids never listed (ids the model does not know are ignored).
    pub exclude: Vec<u32>,
}

impl ListFilters {
    pub fn is_empty(&self) -> bool {
        self.genres.is_empty()
            && self.exclude_genres.is_empty()
            && self.year_min.is_none()
            && self.year_max.is_none()
            && self.min_ratings.is_none()
            && self.exclude.is_empty()
    }
}

/// Which movies (dense indices) pass a request's filters: one bit per movie.
#[derive(Clone, Debug, PartialEq)]
pub struct CandidateMask {
    bits: Vec<u64>,
}

impl CandidateMask {
    fn none(n: usize) -> Self {
        Self {
            bits: vec![0; n.div_ceil(64)],
        }
    }

    fn all(n: usize) -> Self {
        let mut mask = Self::none(n);
        (0..n).for_each(|i| mask.set(i, true));
        mask
    }

    pub fn contains(&self, i: u32) -> bool {
        self.bits
            .get(i as usize / 64)
            .is_some_and(|word| word >> (i % 64) & 1 == 1)
    }

    fn set(&mut self, i: usize, on: bool) {
        let bit = 1u64 << (i % 64);
        if on {
            self.bits[i / 64] |= bit;
        } else {
            self.bits[i / 64] &= !bit;
        }
    }

    /// How many movies pass.
    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// Genres and years of the model's movies (by dense index), from the catalogue.
#[derive(Clone, Debug, Default)]
pub(super) struct MovieFacts {
    /// Every genre of the catalogue once, in order of first appearance.
    genre_names: Vec<String>,
    /// `u64` words of genre bits per movie.
    words: usize,
    genre_bits: Vec<u64>,
    /// Release year, 0 when unknown.
    years: Vec<u16>,
    /// Every movie but the cold ones; None when the model has no cold movie.
    warm: Option<CandidateMask>,
}

impl MovieFacts {
    pub(super) fn of(model: &AlsModel, catalogue: Option<&Catalogue>) -> Self {
        let n = model.items.len();
        let warm = model.item_counts.contains(&0).then(|| {
            let mut mask = CandidateMask::none(n);
            (0..n).for_each(|i| mask.set(i, !is_cold(model, i)));
            mask
        });
        let Some(c) = catalogue else {
            return Self {
                years: vec![0; n],
                warm,
                ..Self::default()
            };
        };
        let mut genre_names: Vec<String> = Vec::new();
        let genre_ids: Vec<Vec<usize>> = c
            .genres
            .iter()
            .map(|genres| {
                genres
                    .iter()
                    .map(|g| match genre_names.iter().position(|known| known == g) {
                        Some(id) => id,
                        None => {
                            genre_names.push(g.clone());
                            genre_names.len() - 1
                        }
                    })
                    .collect()
            })
            .collect();
        let words = genre_names.len().div_ceil(64).max(1);
        let mut genre_bits = vec![0u64; n * words];
        let mut years = vec![0u16; n];
        for (i, (bits, year)) in genre_bits.chunks_exact_mut(words).zip(&mut years).enumerate() {
            let Some(at) = c.index_of(model.items.raw_id(i)) else {
                continue;
            };
            for &g in &genre_ids[at] {
                bits[g / 64] |= 1 << (g % 64);
            }
            *year = c.years[at].unwrap_or(0);
        }
        Self {
            genre_names,
            words,
            genre_bits,
            years,
            warm,
        }
    }

    /// Whether the model has a cold movie.
    pub(super) fn has_cold(&self) -> bool {
        self.warm.is_some()
    }

    /// The genre bits of `names` (matched without regard to ASCII case); an unknown name is an error naming `field`.
    fn genre_mask(&self, names: &[String], field: &str) -> Result<Vec<u64>> {
        let mut mask = vec![0u64; self.words];
        for name in names {
            let Some(g) = self
                .genre_names
                .iter()
                .position(|known| known.eq_ignore_ascii_case(name))
            else {
                let known = if self.genre_names.is_empty() {
                    "the model has no genres: it was trained without a movies file".to_string()
                } else {
                    format!("known: {}", self.genre_names.join(", "))
                };
                return Err(CoreError::invalid(
                    field,
                    format!("unknown genre \"{name}\" in {field} ({known})"),
                ));
            };
            mask[g / 64] |= 1 << (g % 64);
        }
        Ok(mask)
    }

    fn genres_of(&self, i: usize) -> &[u64] {
        &self.genre_bits[i * self.words..(i + 1) * self.words]
    }

    /// `1 - |A & B| / |A | B|` of two movies' genre sets (0 when neither has a genre).
    fn jaccard_distance(&self, a: usize, b: usize) -> f64 {
        let (mut shared, mut either) = (0u32, 0u32);
        for (x, y) in self.genres_of(a).iter().zip(self.genres_of(b)) {
            shared += (x & y).count_ones();
            either += (x | y).count_ones();
        }
        if either == 0 {
            0.0
        } else {
            1.0 - shared as f64 / either as f64
        }
    }

    fn has_any(&self, i: usize, mask: &[u64]) -> bool {
        self.genre_bits[i * self.words..(i + 1) * self.words]
            .iter()
            .zip(mask)
            .any(|(a, b)| a & b != 0)
    }
}

impl MovieFacts {
    /// The mean pairwise Jaccard distance of the genre sets of the movies of `list` (dense indices below `n`; others
    /// are left out); None when the model has no genres or the list fewer than two movies.
    pub(super) fn list_diversity(&self, n: usize, list: &[u32]) -> Option<f64> {
        let movies: Vec<usize> = list.iter().map(|&i| i as usize).filter(|&i| i < n).collect();
        if self.genre_names.is_empty() || movies.len() < 2 {
            return None;
        }
        let (mut sum, mut pairs) = (0.0, 0usize);
        for (a, &i) in movies.iter().enumerate() {
            for &j in &movies[a + 1..] {
                sum += self.jaccard_distance(i, j);
                pairs += 1;
            }
        }
        Some(sum / pairs as f64)
    }

    /// The movies of `model` that `filters` let into a list, cold movies only `with_cold`; None when that is every
    /// movie. Errors (`InvalidInput`, naming the filter): a genre the catalogue does not have. (Ranges are checked
    /// where the options are read, `options.rs`.)
    pub(super) fn candidates(
        &self,
        model: &AlsModel,
        filters: &ListFilters,
        with_cold: bool,
    ) -> Result<Option<CandidateMask>> {
        if filters.is_empty() {
            return Ok(if with_cold { None } else { self.warm.clone() });
        }
        let facts = self;
        let wanted = facts.genre_mask(&filters.genres, "genres")?;
        let unwanted = facts.genre_mask(&filters.exclude_genres, "excludeGenres")?;
        let (year_min, year_max) = (filters.year_min.unwrap_or(0), filters.year_max.unwrap_or(u16::MAX));
        let years_asked = filters.year_min.is_some() || filters.year_max.is_some();
        let min_ratings = filters.min_ratings.unwrap_or(0);
        let n = model.items.len();
        let mut mask = CandidateMask::none(n);
        for i in 0..n {
            let year = facts.years[i];
            let pass = (filters.genres.is_empty() || facts.has_any(i, &wanted))
                && (filters.exclude_genres.is_empty() || !facts.has_any(i, &unwanted))
                && (!years_asked || (year != 0 && (year_min..=year_max).contains(&year)))
                && model.item_counts[i] >= min_ratings
                && (with_cold || !is_cold(model, i));
            mask.set(i, pass);
        }
        for &id in &filters.exclude {
            if let Some(i) = model.items.index_of(id) {
                mask.set(i as usize, false);
            }
        }
        Ok(Some(mask))
    }
}

/// Whether movie `i` (dense index) is cold: known from the movies file alone, no training rating.
pub(crate) fn is_cold(model: &AlsModel, i: usize) -> bool {
    model.item_counts[i] == 0
}

/// `mask`, or every one of `n` movies for None.
pub(super) fn materialised(mask: Option<CandidateMask>, n: usize) -> CandidateMask {
    mask.unwrap_or_else(|| CandidateMask::all(n))
}
