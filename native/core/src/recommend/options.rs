//! The options of a list request, as one struct ([`ListOptions`]: filters, explanations, order) read once from JSON
//! (what JavaScript passes): every refusal an `InvalidInput` naming the option at fault by its own name (`genres`,
//! `yearMin`, `explain`, ...), which is also its name as an HTTP query parameter and a `movierec predict` flag.
//!
//! ```json
//! {"filters": {"genres": ["Animation"], "excludeGenres": [], "yearMin": 1990, "yearMax": 2000,
//!              "minRatings": 50, "exclude": [1, 2]},
//!  "explain": true, "order": "estimate", "includeCold": false}
//! ```

use serde_json::{Map, Value};

use super::filters::ListFilters;
use crate::dataset::movies::YEARS;
use crate::limits::MAX_FILTER_VALUES;
use crate::{CoreError, Result};

/// How a list is shown. Which movies it holds does not depend on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListOrder {
    /// By the estimated rating, descending (the seed's contract: `[[ids], [estimates]]` sorted descending).
    #[default]
    Estimate,
    /// By the score that chose the movies (the ranking model's): better NDCG and MAP (docs/quality.md), while the
    /// estimates shown beside them no longer decrease down the list.
    Score,
}

impl ListOrder {
    pub const WORDS: [&'static str; 2] = ["estimate", "score"];
}

/// One list request's options; the default is no filter, no explanations, by estimate, no cold movie.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListOptions {
    pub filters: ListFilters,
    /// Add to each listed movie the rated movies that contributed most to choosing it.
    pub explain: bool,
    pub order: ListOrder,
    /// Let cold movies (in the movies file, no training rating) into the list, by the rule of `cold.rs`.
    pub include_cold: bool,
}

const OPTION_NAMES: [&str; 4] = ["filters", "explain", "order", "includeCold"];
const FILTER_NAMES: [&str; 6] = ["genres", "excludeGenres", "yearMin", "yearMax", "minRatings", "exclude"];

impl ListOptions {
    /// Reads and checks `value` (an object, or null for the defaults): unknown names, wrong types, numbers out of
    /// range, more than [`MAX_FILTER_VALUES`] values in a list, `yearMin` after `yearMax`. Genres are checked against
    /// the model's catalogue when the list is made (`Recommender::candidates`).
    pub fn from_json(value: &Value) -> Result<Self> {
        let mut options = ListOptions::default();
        let Some(given) = object(value, "options")? else {
            return Ok(options);
        };
        for (name, value) in known(given, &OPTION_NAMES)? {
            match name {
                "filters" => options.filters = filters(value)?,
                "explain" => options.explain = boolean(name, value)?,
                "includeCold" => options.include_cold = boolean(name, value)?,
                _ => options.order = order(value)?,
            }
        }
        Ok(options)
    }
}

fn filters(value: &Value) -> Result<ListFilters> {
    let mut f = ListFilters::default();
    let Some(given) = object(value, "filters")? else {
        return Ok(f);
    };
    let years = format!("an integer in {}..={}", YEARS.start(), YEARS.end());
    for (name, value) in known(given, &FILTER_NAMES)? {
        match name {
            "genres" => f.genres = list(name, value, GENRE, |v| v.as_str().map(str::to_string))?,
            "excludeGenres" => f.exclude_genres = list(name, value, GENRE, |v| v.as_str().map(str::to_string))?,
            "yearMin" | "yearMax" => {
                let year = integer(value)
                    .and_then(|y| u16::try_from(y).ok())
                    .filter(|y| YEARS.contains(y))
                    .ok_or_else(|| wrong(name, &years, value))?;
                *(if name == "yearMin" {
                    &mut f.year_min
                } else {
                    &mut f.year_max
                }) = Some(year);
            }
            "minRatings" => {
                let n = integer(value).and_then(|n| u32::try_from(n).ok());
                f.min_ratings = Some(n.ok_or_else(|| wrong(name, "an integer in 0..=4294967295", value))?);
            }
            _ => {
                let id = |v: &Value| integer(v).and_then(|n| u32::try_from(n).ok());
                f.exclude = list(name, value, MOVIE_ID, id)?;
            }
        }
    }
    if let (Some(min), Some(max)) = (f.year_min, f.year_max) {
        if min > max {
            return Err(CoreError::invalid(
                "yearMin",
                format!("yearMin {min} is after yearMax {max}: the year range is empty"),
            ));
        }
    }
    Ok(f)
}

fn boolean(name: &str, value: &Value) -> Result<bool> {
    value.as_bool().ok_or_else(|| wrong(name, "true or false", value))
}

fn order(value: &Value) -> Result<ListOrder> {
    match value.as_str() {
        Some("estimate") => Ok(ListOrder::Estimate),
        Some("score") => Ok(ListOrder::Score),
        _ => Err(wrong("order", "\"estimate\" or \"score\"", value)),
    }
}

/// `value` as an object; None for null.
fn object<'a>(value: &'a Value, name: &str) -> Result<Option<&'a Map<String, Value>>> {
    match value {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        other => Err(wrong(name, "an object", other)),
    }
}

/// The entries of `given`, each name one of `names` (else an error naming it); null values are left out.
fn known<'a>(given: &'a Map<String, Value>, names: &[&'static str]) -> Result<Vec<(&'static str, &'a Value)>> {
    let mut out = Vec::new();
    for (name, value) in given {
        let Some(&known) = names.iter().find(|n| **n == name.as_str()) else {
            return Err(CoreError::invalid(
                name.as_str(),
                format!("unknown option \"{name}\" (known: {})", names.join(", ")),
            ));
        };
        if !value.is_null() {
            out.push((known, value));
        }
    }
    Ok(out)
}

/// What a list filter holds: `(one, many)`.
const GENRE: (&str, &str) = ("a genre name", "genre names");
const MOVIE_ID: (&str, &str) = ("a movie id (an integer in 0..=4294967295)", "movie ids");

/// An array of at most [`MAX_FILTER_VALUES`] elements, each read by `read` (None: the error says what it must be).
fn list<T>(name: &str, value: &Value, what: (&str, &str), read: impl Fn(&Value) -> Option<T>) -> Result<Vec<T>> {
    let (one, many) = what;
    let items = value
        .as_array()
        .ok_or_else(|| wrong(name, &format!("an array of {many}"), value))?;
    if items.len() > MAX_FILTER_VALUES {
        return Err(CoreError::invalid(
            name,
            format!(
                "{name} has {} values; at most {MAX_FILTER_VALUES} are allowed",
                items.len()
            ),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| read(v).ok_or_else(|| wrong(&format!("{name}[{i}]"), one, v)))
        .collect()
}

/// A JSON integer (or a float with no fraction, as JavaScript numbers may arrive).
fn integer(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|v| v.fract() == 0.0 && v.abs() < 9e15)
            .map(|v| v as i64)
    })
}

fn wrong(name: &str, expected: &str, got: &Value) -> CoreError {
    let shown: String = got.to_string().chars().take(60).collect();
    CoreError::invalid(name, format!("{name} must be {expected}, got {shown}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refused(value: Value) -> (String, String) {
        let err = ListOptions::from_json(&value).unwrap_err();
        (err.field().unwrap_or_default().to_string(), err.to_string())
    }

    #[test]
    fn reads_every_option() {
        let o = ListOptions::from_json(&json!({
            "filters": {"genres": ["Animation", "Children's"], "excludeGenres": ["Horror"], "yearMin": 1990,
                        "yearMax": 2000.0, "minRatings": 50, "exclude": [1, 2]},
            "explain": true, "order": "score", "includeCold": true
        }))
        .unwrap();
        assert_eq!(o.filters.genres, ["Animation", "Children's"]);
        assert_eq!(o.filters.exclude_genres, ["Horror"]);
        assert_eq!((o.filters.year_min, o.filters.year_max), (Some(1990), Some(2000)));
        assert_eq!(
            (o.filters.min_ratings, o.filters.exclude.as_slice()),
            (Some(50), &[1u32, 2][..])
        );
        assert!(o.explain);
        assert_eq!(o.order, ListOrder::Score);
        assert!(o.include_cold);
        assert_eq!(ListOptions::from_json(&Value::Null).unwrap(), ListOptions::default());
        assert_eq!(
            ListOptions::from_json(&json!({"filters": null})).unwrap(),
            ListOptions::default()
        );
    }

    #[test]
    fn refusals_name_the_option() {
        let cases = [
            (json!([]), "options", "options must be an object"),
            (
                json!({"filter": {}}),
                "filter",
                "unknown option \"filter\" (known: filters, explain, order, includeCold)",
            ),
            (json!({"filters": {"genre": []}}), "genre", "unknown option \"genre\""),
            (
                json!({"filters": {"genres": "Comedy"}}),
                "genres",
                "genres must be an array of genre names",
            ),
            (
                json!({"filters": {"genres": [1]}}),
                "genres[0]",
                "genres[0] must be a genre name, got 1",
            ),
            (
                json!({"filters": {"yearMin": 1700}}),
                "yearMin",
                "yearMin must be an integer in 1800..=2200, got 1700",
            ),
            (
                json!({"filters": {"yearMax": 1999.5}}),
                "yearMax",
                "yearMax must be an integer",
            ),
            (
                json!({"filters": {"yearMin": 2001, "yearMax": 2000}}),
                "yearMin",
                "the year range is empty",
            ),
            (
                json!({"filters": {"minRatings": -1}}),
                "minRatings",
                "minRatings must be an integer in 0..=4294967295",
            ),
            (
                json!({"filters": {"exclude": [1, "2"]}}),
                "exclude[1]",
                "exclude[1] must be a movie id",
            ),
            (
                json!({"filters": {"exclude": vec![1; MAX_FILTER_VALUES + 1]}}),
                "exclude",
                "at most",
            ),
            (
                json!({"explain": "yes"}),
                "explain",
                "explain must be true or false, got \"yes\"",
            ),
            (
                json!({"includeCold": 1}),
                "includeCold",
                "includeCold must be true or false, got 1",
            ),
            (
                json!({"order": "rating"}),
                "order",
                "order must be \"estimate\" or \"score\"",
            ),
        ];
        for (value, field, message) in cases {
            let (got_field, got_message) = refused(value.clone());
            assert_eq!(got_field, field, "{value}");
            assert!(got_message.contains(message), "{value}: {got_message}");
        }
    }
}
