//! Rating events (the service's stored ratings) merged into a read data set, so training includes them: an event is
//! later than anything in the file, so it replaces the file's rating of its (user, movie) or adds one, and a
//! deletion (a NaN rating) removes the file's rating. One linear merge of two sorted lists; the file is not rewritten.

use super::ratings::count_distinct;
use super::{Dataset, RatingScale, RatingTriples, ReadReport};
use crate::{CoreError, Result};

/// What merging events changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventsMerge {
    /// Events given (ratings and deletions).
    pub events: u64,
    /// The file's ratings an event replaced.
    pub replaced: u64,
    /// Ratings the file did not have.
    pub added: u64,
    /// The file's ratings a deletion removed.
    pub deleted: u64,
}

/// `dataset` with `events` applied (see the module doc): the triples stay sorted by (user, movie), one per pair, and
/// the report's counts and scale are those of the result. Events may come in any order; for a pair given twice the
/// later one counts.
///
/// Errors (`InvalidInput`, naming `events.ratings[i]` or `events`): columns of different lengths, a rating that is
/// neither NaN nor a half star on the MovieLens scale, or nothing left to train on.
pub fn merge_events(dataset: &Dataset, events: &RatingTriples) -> Result<(Dataset, EventsMerge)> {
    let events = sorted_events(events)?;
    let file = &dataset.triples;
    let mut out = RatingTriples::with_capacity(file.len() + events.len());
    let mut merge = EventsMerge {
        events: events.len() as u64,
        ..EventsMerge::default()
    };
    let (mut i, mut j) = (0, 0);
    while i < file.len() || j < events.len() {
        let file_key = (i < file.len()).then(|| (file.users[i], file.movies[i]));
        let event_key = (j < events.len()).then(|| (events.users[j], events.movies[j]));
        match (file_key, event_key) {
            (Some(f), Some(e)) if f == e => {
                let r = events.ratings[j];
                if r.is_nan() {
                    merge.deleted += 1;
                } else {
                    merge.replaced += 1;
                    out.push(e.0, e.1, r);
                }
                i += 1;
                j += 1;
            }
            (Some(f), e) if e.is_none_or(|e| f < e) => {
                out.push(f.0, f.1, file.ratings[i]);
                i += 1;
            }
            (_, Some(e)) => {
                let r = events.ratings[j];
                if !r.is_nan() {
                    merge.added += 1;
                    out.push(e.0, e.1, r);
                }
                j += 1;
            }
            (_, None) => unreachable!("the loop runs while one list has entries"),
        }
    }
    if out.is_empty() {
        return Err(CoreError::invalid(
            "events",
            "no ratings left to train on: the events delete every rating of the file",
        ));
    }
    let stats = count_distinct(&out);
    let report = ReadReport {
        ratings: out.len() as u64,
        users: stats.users,
        movies: stats.movies,
        scale: stats.scale,
        ..dataset.report.clone()
    };
    Ok((Dataset { triples: out, report }, merge))
}

/// The events checked, sorted by (user, movie), the last of each pair kept.
fn sorted_events(events: &RatingTriples) -> Result<RatingTriples> {
    let n = events.ratings.len();
    if events.users.len() != n || events.movies.len() != n {
        return Err(CoreError::invalid(
            "events",
            format!(
                "{} users, {} movies and {} ratings: the three columns must have one entry per event",
                events.users.len(),
                events.movies.len(),
                n
            ),
        ));
    }
    let scale = RatingScale::MOVIELENS;
    if let Some(i) = events
        .ratings
        .iter()
        .position(|&r| !(r.is_nan() || (r >= scale.min && r <= scale.max && (r / scale.step).fract() == 0.0)))
    {
        return Err(CoreError::invalid(
            format!("events.ratings[{i}]"),
            format!(
                "rating {} is not a half star from {} to {} (NaN deletes)",
                events.ratings[i], scale.min, scale.max
            ),
        ));
    }
    let mut order: Vec<usize> = (0..n).collect();
    // Stable: of a pair given twice, the later stays after the earlier, and the later is kept below.
    order.sort_by_key(|&k| (events.users[k], events.movies[k]));
    let mut out = RatingTriples::with_capacity(n);
    for (pos, &k) in order.iter().enumerate() {
        let superseded = order
            .get(pos + 1)
            .is_some_and(|&next| events.users[next] == events.users[k] && events.movies[next] == events.movies[k]);
        if !superseded {
            out.push(events.users[k], events.movies[k], events.ratings[k]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::RatingsLayout;

    fn dataset(rows: &[(u32, u32, f32)]) -> Dataset {
        let mut triples = RatingTriples::default();
        for &(u, m, r) in rows {
            triples.push(u, m, r);
        }
        let stats = count_distinct(&triples);
        Dataset {
            report: ReadReport {
                path: "ratings.csv".into(),
                layout: RatingsLayout::CsvHeader,
                sha256: "x".into(),
                lines: rows.len() as u64 + 1,
                ratings: triples.len() as u64,
                users: stats.users,
                movies: stats.movies,
                skipped_invalid: 0,
                skipped_examples: Vec::new(),
                duplicates: 0,
                scale: stats.scale,
            },
            triples,
        }
    }

    fn events(rows: &[(u32, u32, f32)]) -> RatingTriples {
        dataset(rows).triples
    }

    fn rows(d: &Dataset) -> Vec<(u32, u32, f32)> {
        let t = &d.triples;
        (0..t.len()).map(|i| (t.users[i], t.movies[i], t.ratings[i])).collect()
    }

    #[test]
    fn events_replace_add_and_delete_in_order() {
        let file = dataset(&[(1, 10, 4.0), (1, 20, 3.0), (2, 10, 5.0), (3, 30, 1.0)]);
        // Unsorted, with a pair given twice (the later wins) and a new user.
        let ev = RatingTriples {
            users: vec![2, 1, 9, 1, 1, 3],
            movies: vec![10, 20, 40, 15, 20, 99],
            ratings: vec![f32::NAN, 1.0, 4.5, 2.5, 2.0, f32::NAN],
        };
        let (merged, report) = merge_events(&file, &ev).unwrap();
        assert_eq!(
            rows(&merged),
            vec![(1, 10, 4.0), (1, 15, 2.5), (1, 20, 2.0), (3, 30, 1.0), (9, 40, 4.5)]
        );
        assert_eq!(
            report,
            EventsMerge {
                events: 5,
                replaced: 1,
                added: 2,
                deleted: 1
            }
        );
        assert_eq!(
            (merged.report.ratings, merged.report.users, merged.report.movies),
            (5, 3, 5)
        );
        assert_eq!(
            merged.report.scale.step, 0.5,
            "a half star from the events widens the step"
        );
        assert_eq!(merged.report.sha256, "x", "the file's identity stays");
    }

    #[test]
    fn no_events_is_the_file() {
        let file = dataset(&[(1, 10, 4.0), (2, 10, 5.0)]);
        let (merged, report) = merge_events(&file, &events(&[])).unwrap();
        assert_eq!(rows(&merged), rows(&file));
        assert_eq!(report, EventsMerge::default());
    }

    fn refused(file: &Dataset, events: &RatingTriples) -> CoreError {
        match merge_events(file, events) {
            Err(err) => err,
            Ok(_) => panic!("the events were accepted"),
        }
    }

    #[test]
    fn bad_events_are_refused_naming_the_field() {
        let file = dataset(&[(1, 10, 4.0)]);
        let off_scale = events(&[(1, 11, 4.0), (1, 12, 5.5)]);
        assert_eq!(refused(&file, &off_scale).field(), Some("events.ratings[1]"));
        let ragged = RatingTriples {
            users: vec![1],
            movies: vec![],
            ratings: vec![4.0],
        };
        assert_eq!(refused(&file, &ragged).field(), Some("events"));
        let everything = events(&[(1, 10, f32::NAN)]);
        assert!(refused(&file, &everything).to_string().contains("no ratings left"));
    }
}
