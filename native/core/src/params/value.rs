//! What a parameter's definition is made of: the modes, the kinds of value and their ranges, a value of any kind,
//! and the conversions between a field's Rust type and JSON.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

/// The three ways to train, each with its own defaults: explicit ratings by Gibbs sampling (the default) or by
/// ALS, or implicit feedback (always ALS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Gibbs,
    Als,
    Implicit,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Gibbs, Mode::Als, Mode::Implicit];
}

/// A parameter's type and range.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Kind {
    Integer {
        #[serde(serialize_with = "js_integer")]
        min: u64,
        #[serde(serialize_with = "js_integer")]
        max: u64,
    },
    Number {
        min: f64,
        max: f64,
        #[serde(rename = "minExclusive", skip_serializing_if = "is_false")]
        min_exclusive: bool,
        #[serde(rename = "maxExclusive", skip_serializing_if = "is_false")]
        max_exclusive: bool,
    },
    Word {
        words: &'static [&'static str],
    },
}

/// An integer in `min..=max`.
pub const fn integer(min: u64, max: u64) -> Kind {
    Kind::Integer { min, max }
}

/// A number in `[min, max]` (see [`Kind::above_min`], [`Kind::below_max`] for open ends).
pub const fn number(min: f64, max: f64) -> Kind {
    Kind::Number {
        min,
        max,
        min_exclusive: false,
        max_exclusive: false,
    }
}

/// One of `words`.
pub const fn words(words: &'static [&'static str]) -> Kind {
    Kind::Word { words }
}

impl Kind {
    /// The number range without its lower end.
    pub const fn above_min(self) -> Kind {
        match self {
            Kind::Number {
                min,
                max,
                max_exclusive,
                ..
            } => Kind::Number {
                min,
                max,
                min_exclusive: true,
                max_exclusive,
            },
            other => other,
        }
    }

    /// The number range without its upper end.
    pub const fn below_max(self) -> Kind {
        match self {
            Kind::Number {
                min,
                max,
                min_exclusive,
                ..
            } => Kind::Number {
                min,
                max,
                min_exclusive,
                max_exclusive: true,
            },
            other => other,
        }
    }

    /// Whether `value` has this kind and lies in its range (NaN never does).
    pub fn admits(&self, value: ParamValue) -> bool {
        match (*self, value) {
            (Kind::Integer { min, max }, ParamValue::Integer(v)) => (min..=max).contains(&v),
            (
                Kind::Number {
                    min,
                    max,
                    min_exclusive,
                    max_exclusive,
                },
                ParamValue::Number(v),
            ) => (if min_exclusive { v > min } else { v >= min }) && (if max_exclusive { v < max } else { v <= max }),
            (Kind::Word { words }, ParamValue::Word(w)) => words.contains(&w),
            _ => false,
        }
    }

    /// `an integer in 1..=1024`, `a number in [0, 0.5)`, `"gibbs" or "als"`.
    pub fn describe(&self) -> String {
        match *self {
            Kind::Integer { min, max } => format!("an integer in {min}..={max}"),
            Kind::Number {
                min,
                max,
                min_exclusive,
                max_exclusive,
            } => {
                let (open, close) = (
                    if min_exclusive { '(' } else { '[' },
                    if max_exclusive { ')' } else { ']' },
                );
                format!("a number in {open}{}, {}{close}", show(min), show(max))
            }
            Kind::Word { words } => {
                let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                match quoted.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                    _ => quoted.concat(),
                }
            }
        }
    }
}

/// Where `movierec tune --trials` samples a parameter (serialised as `{choices}`, `{logMin, logMax, integer?}` or
/// `{intMin, intMax}`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Search {
    /// One of these values, uniformly.
    Choices { choices: &'static [u64] },
    /// Log-uniform between `min` and `max`, kept to 3 significant digits (rounded to an integer when `integer`).
    LogUniform {
        #[serde(rename = "logMin")]
        min: f64,
        #[serde(rename = "logMax")]
        max: f64,
        #[serde(skip_serializing_if = "is_false")]
        integer: bool,
    },
    /// An integer in `min..=max`, uniformly.
    IntUniform {
        #[serde(rename = "intMin")]
        min: u64,
        #[serde(rename = "intMax")]
        max: u64,
    },
}

/// One parameter's value, whatever its type: what JSON, the spec and the range checks see.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamValue {
    Integer(u64),
    /// An `f32` field as written: the f64 of its shortest decimal (0.04, not 0.03999999910593033).
    Number(f64),
    Word(&'static str),
}

impl Serialize for ParamValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ParamValue::Integer(v) => js_integer(v, s),
            ParamValue::Number(v) => s.serialize_f64(*v),
            ParamValue::Word(w) => s.serialize_str(w),
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Integer(v) => write!(f, "{v}"),
            ParamValue::Number(v) => f.write_str(&show(*v)),
            ParamValue::Word(w) => write!(f, "\"{w}\""),
        }
    }
}

/// A field type a parameter can have: read from JSON (its type only; ranges are [`Kind`]'s) and seen as a
/// [`ParamValue`].
pub trait ParamType: Sized {
    /// None for a JSON value of another type.
    fn read(value: &Value) -> Option<Self>;
    fn value(&self) -> ParamValue;
}

impl ParamType for u64 {
    fn read(value: &Value) -> Option<Self> {
        // JavaScript numbers beyond 2^32 may arrive as floats; an integral one is an integer.
        value.as_u64().or_else(|| {
            value
                .as_f64()
                .filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v < u64::MAX as f64)
                .map(|v| v as u64)
        })
    }
    fn value(&self) -> ParamValue {
        ParamValue::Integer(*self)
    }
}

impl ParamType for usize {
    fn read(value: &Value) -> Option<Self> {
        u64::read(value).and_then(|v| usize::try_from(v).ok())
    }
    fn value(&self) -> ParamValue {
        ParamValue::Integer(*self as u64)
    }
}

impl ParamType for f32 {
    fn read(value: &Value) -> Option<Self> {
        value.as_f64().map(|v| v as f32)
    }
    fn value(&self) -> ParamValue {
        ParamValue::Number(as_written(*self))
    }
}

/// The f64 of an f32's shortest decimal (0.07, not 0.07000000029802322): what JSON and JavaScript should see.
pub fn as_written(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(x as f64)
}

/// A number for a message: plain, or in exponent form when plain would be long.
fn show(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-6..1e16).contains(&x.abs()) {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

/// An integer as a plain JavaScript number where it fits one exactly (napi turns a u64 above 2^32 into a BigInt).
fn js_integer<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    match i64::try_from(*v) {
        Ok(v) => s.serialize_i64(v),
        Err(_) => s.serialize_u64(*v),
    }
}

fn is_false(b: &bool) -> bool {
    !b
}
