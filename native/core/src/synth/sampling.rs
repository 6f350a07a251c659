//! Which movies one user rates: a sample without replacement from a mixture of global popularity and the
//! popularity within the user's favourite genre (people watch what they like).
//!
//! Light users draw from alias tables and reject repeats with a bitset (expected O(n)). Heavy users, or users whose
//! favourite-genre share would exhaust that genre, use Efraimidis-Spirakis keys over the whole catalogue (O(movies)),
//! which samples the same successive-draw distribution without ever stalling. All buffers live in a per-thread
//! [`Scratch`], so a user costs no heap allocation once the thread is warm.

use rand::RngCore;

use super::popularity::AliasTable;
use crate::rng::Rng;

/// Popularity in the form the sampler needs, shared by every user.
pub(super) struct Popularity {
    pub weights: Vec<f64>,
    pub total: f64,
    pub global: AliasTable,
    /// Per genre: its movies (indices), an alias table over their weights, and their total weight.
    pub genre_members: Vec<Vec<u32>>,
    pub genre_tables: Vec<AliasTable>,
    pub genre_mass: Vec<f64>,
    pub genre_mask: Vec<u32>,
}

/// Per-thread working memory: the chosen movies, a bitset of them, and the key buffer for heavy users.
pub(super) struct Scratch {
    taken: Vec<u64>,
    pub chosen: Vec<u32>,
    keys: Vec<(f64, u32)>,
}

impl Scratch {
    pub fn new(movies: usize) -> Self {
        Self {
            taken: vec![0; movies.div_ceil(64)],
            chosen: Vec::new(),
            keys: Vec::new(),
        }
    }

    pub fn is_taken(&self, m: usize) -> bool {
        self.taken[m / 64] & (1 << (m % 64)) != 0
    }

    /// Adds movie `m` unless already chosen; returns whether it was added.
    pub fn take(&mut self, m: usize) -> bool {
        let (word, bit) = (m / 64, 1u64 << (m % 64));
        if self.taken[word] & bit != 0 {
            return false;
        }
        self.taken[word] |= bit;
        self.chosen.push(m as u32);
        true
    }

    /// Forgets the current user's movies (O(their count), not O(movies)).
    pub fn clear(&mut self) {
        for &m in &self.chosen {
            self.taken[m as usize / 64] = 0;
        }
        self.chosen.clear();
    }
}

/// A uniform draw in (0, 1], so its logarithm is finite.
fn open_unit(rng: &mut Rng) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

impl Popularity {
    /// Tops `scratch.chosen` up to `n` movies. `favourite_share` of the draws come from genre `favourite`.
    pub fn fill(&self, rng: &mut Rng, scratch: &mut Scratch, n: usize, favourite: usize, favourite_share: f64) {
        let movies = self.weights.len();
        let genre_size = self.genre_members[favourite].len();
        let share = if genre_size == 0 { 0.0 } else { favourite_share };
        let heavy = n * 16 > movies || (n as f64 * share * 4.0 > genre_size as f64);
        if !heavy {
            let remaining = n.saturating_sub(scratch.chosen.len());
            // Generous: the light-user thresholds keep the expected attempts near `remaining`.
            let mut attempts = 20 * remaining + 64;
            let threshold = (share * 4_294_967_296.0) as u64;
            while scratch.chosen.len() < n && attempts > 0 {
                attempts -= 1;
                let m = if (rng.next_u64() & 0xFFFF_FFFF) < threshold {
                    self.genre_members[favourite][self.genre_tables[favourite].sample(rng)] as usize
                } else {
                    self.global.sample(rng)
                };
                scratch.take(m);
            }
        }
        if scratch.chosen.len() < n {
            self.fill_by_keys(rng, scratch, n, favourite, share);
        }
    }

    /// Efraimidis-Spirakis: key = ln(u) / p for every movie not yet chosen; the largest keys win.
    fn fill_by_keys(&self, rng: &mut Rng, scratch: &mut Scratch, n: usize, favourite: usize, share: f64) {
        let global_scale = (1.0 - share) / self.total;
        let genre_scale = if share > 0.0 {
            share / self.genre_mass[favourite]
        } else {
            0.0
        };
        let mut keys = std::mem::take(&mut scratch.keys);
        keys.clear();
        for (m, &w) in self.weights.iter().enumerate() {
            // Draw for every movie, chosen or not, so the stream does not depend on earlier picks' positions.
            let u = open_unit(rng);
            if scratch.is_taken(m) {
                continue;
            }
            let in_favourite = self.genre_mask[m] & (1 << favourite) != 0;
            let p = w * (global_scale + if in_favourite { genre_scale } else { 0.0 });
            keys.push((u.ln() / p, m as u32));
        }
        let wanted = n - scratch.chosen.len();
        if wanted < keys.len() {
            keys.select_nth_unstable_by(wanted - 1, |a, b| b.0.total_cmp(&a.0));
        }
        for &(_, m) in keys.iter().take(wanted) {
            scratch.take(m as usize);
        }
        scratch.keys = keys;
    }
}
