//! Made-up, plausible, unique movie titles with years, in MovieLens style: a leading article moves to the end
//! ("Silent Harbor, The (1987)"), so many titles contain commas and a few contain double quotes or non-ASCII
//! letters, which is exactly what CSV writers and readers must get right. Planted clusters become franchises
//! ("Iron Lantern (1979)", "Iron Lantern II (1982)", ...), so a recommendation list shows the structure at a glance.

use std::collections::HashSet;

use rand::Rng as _;

use crate::rng::Rng;

#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "Silent", "Broken", "Golden", "Hidden", "Last", "Crimson", "Endless", "Frozen", "Wild", "Quiet", "Burning",
    "Distant", "Electric", "Forgotten", "Hollow", "Iron", "Lonely", "Midnight", "Northern", "Painted", "Restless",
    "Scarlet", "Secret", "Shattered", "Sleeping", "Stolen", "Strange", "Sudden", "Velvet", "Wandering", "Bitter",
    "Bright", "Dark", "Deep", "Fading", "Final", "Gentle", "Glass", "Lost", "Lucky", "Savage", "Second", "Shadow",
    "Silver", "Small", "Sweet", "Tender", "Twisted", "Violent", "Winter", "Summer", "Little", "Dangerous", "Perfect",
    "Invisible", "Crooked", "Empty", "Blue", "Red", "Black",
];

#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "Harbor", "Road", "Kingdom", "Garden", "River", "Mirror", "Letter", "Station", "Island", "Promise", "Stranger",
    "Horizon", "Lantern", "Machine", "Season", "Witness", "Voyage", "Frontier", "Empire", "Echo", "Storm", "Affair",
    "Bridge", "Circus", "Detective", "Dream", "Engine", "Fortune", "Ghost", "Heart", "Hunter", "Journey", "Legacy",
    "Mountain", "Night", "Orchard", "Passenger", "Planet", "Prophet", "Rebel", "Sister", "Brother", "Summer",
    "Symphony", "Tide", "Tower", "Valley", "Village", "Widow", "Wolf", "Cartographer", "Carnival", "Gambler",
    "Orchestra", "Puzzle", "Signal", "Silence", "Sparrow", "Thief", "Window", "Game", "Code", "Crown", "Dance",
    "Desert", "Doctor", "Forest", "Gate", "Lighthouse", "Melody", "Ocean", "Painter", "Pilot", "Queen", "Secret",
    "Shore", "Soldier", "Spy", "Teacher", "Winter",
];

#[rustfmt::skip]
const NAMES: &[&str] = &[
    "Anna", "Marco", "Eleanor", "Jack", "Rosa", "Henry", "Clara", "Victor", "Lucy", "Oscar", "Mabel", "Felix",
    "Ingrid", "Samuel", "Nadia", "Theo", "Beatrice", "Hugo", "Iris", "Leon", "Zoë", "Chloé", "Søren", "José",
];

#[rustfmt::skip]
const PLACES: &[&str] = &[
    "Paris", "Brooklyn", "Vienna", "Tangier", "Lisbon", "Memphis", "Kyoto", "Havana", "Dublin", "Marseille",
    "Chicago", "Bombay", "Naples", "Reno", "Alaska", "Berlin", "Montréal", "Zürich", "Kraków", "Malmö", "São Paulo",
    "Bogotá", "Reykjavík", "the City", "the Valley", "the North", "the Desert",
];

const ROMAN: &[&str] = &["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];

fn pick<'a>(rng: &mut Rng, words: &[&'a str]) -> &'a str {
    words[rng.random_range(0..words.len())]
}

/// A title without its year.
fn bare_title(rng: &mut Rng) -> String {
    let adj = pick(rng, ADJECTIVES);
    let noun = pick(rng, NOUNS);
    match rng.random_range(0..100) {
        0..=24 => format!("{adj} {noun}, The"),
        25..=39 => format!("{noun} of {}", pick(rng, PLACES)),
        40..=59 => format!("{adj} {noun}"),
        60..=69 => format!("{}'s {noun}", pick(rng, NAMES)),
        70..=78 => format!("{noun} in {}", pick(rng, PLACES)),
        79..=85 => format!("{noun} and the {}", pick(rng, NOUNS)),
        86..=92 => format!("{noun}: {adj} {}", pick(rng, NOUNS)),
        93..=98 => format!("{noun} for {}, A", pick(rng, NAMES)),
        _ => format!("\"{adj} {noun}\" {}", pick(rng, NOUNS)),
    }
}

/// Release years lean recent, like MovieLens: from 1915 to 2019.
fn year(rng: &mut Rng) -> u32 {
    2019 - (104.0 * rng.random::<f64>().powf(1.7)) as u32
}

fn sequel_suffix(k: usize) -> String {
    match k {
        0 => String::new(),
        k if k + 1 < ROMAN.len() => format!(" {}", ROMAN[k + 1]),
        k => format!(" {}", k + 1),
    }
}

/// Full titles "Name (Year)" for `movies` movies, unique; the movies of each cluster (indices) form a franchise.
pub fn catalogue_titles(rng: &mut Rng, movies: usize, clusters: &[Vec<usize>]) -> Vec<String> {
    let mut titles = vec![String::new(); movies];
    let mut used = HashSet::with_capacity(movies);
    let claim = |base: String, used: &mut HashSet<String>| -> String {
        if used.insert(base.clone()) {
            return base;
        }
        // Only reached after the caller's own retries: a numbered variant is always free eventually.
        (2..)
            .map(|n| format!("{base} #{n}"))
            .find(|t| used.insert(t.clone()))
            .expect("unbounded range")
    };
    // Other titles never start with a franchise name, so a franchise is recognisable by its name alone.
    let mut franchises: Vec<String> = Vec::with_capacity(clusters.len());
    let is_franchise = |title: &str, franchises: &[String]| franchises.iter().any(|f| title.starts_with(f.as_str()));
    for members in clusters {
        let mut name = format!("{} {}", pick(rng, ADJECTIVES), pick(rng, NOUNS));
        for _ in 0..50 {
            if !franchises
                .iter()
                .any(|f| name.starts_with(f.as_str()) || f.starts_with(name.as_str()))
            {
                break;
            }
            name = format!("{} {}", pick(rng, ADJECTIVES), pick(rng, NOUNS));
        }
        franchises.push(name.clone());
        let mut released = rng.random_range(1960..=2005u32);
        for (k, &m) in members.iter().enumerate() {
            titles[m] = claim(format!("{name}{} ({released})", sequel_suffix(k)), &mut used);
            released = (released + rng.random_range(1..=4u32)).min(2019);
        }
    }
    for title in titles.iter_mut().filter(|t| t.is_empty()) {
        let mut candidate = format!("{} ({})", bare_title(rng), year(rng));
        for _ in 0..50 {
            if !used.contains(&candidate) && !is_franchise(&candidate, &franchises) {
                break;
            }
            candidate = format!("{} ({})", bare_title(rng), year(rng));
        }
        *title = claim(candidate, &mut used);
    }
    titles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;

    #[test]
    fn titles_are_unique_and_franchises_share_a_name() {
        let clusters = vec![vec![5, 9, 200], vec![1, 2]];
        let titles = catalogue_titles(&mut seeded(1, 0), 20_000, &clusters);
        let distinct: HashSet<&String> = titles.iter().collect();
        assert_eq!(distinct.len(), titles.len());
        let base = titles[5].rsplit_once(" (").unwrap().0.to_string();
        assert!(
            titles[9].starts_with(&format!("{base} II (")),
            "{} / {}",
            titles[5],
            titles[9]
        );
        assert!(titles[200].starts_with(&format!("{base} III (")));
        assert!(titles.iter().all(|t| t.ends_with(')') && t.len() > 8));
        assert!(titles.iter().any(|t| t.contains(',')) && titles.iter().any(|t| t.contains('"')));
    }
}
