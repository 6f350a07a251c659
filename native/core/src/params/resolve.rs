//! From JSON to [`AlsParams`] and back, and the checks: a partial object resolved by the defaults of its mode
//! ([`resolve`]), a complete one ([`CompleteParams`]), model.json's (`Serialize`/`Deserialize`: older files lack
//! later parameters), and [`AlsParams::validate`].

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::spec::ParamDef;
use super::table::{unknown_parameter, AlsParams, PARAMS};
use super::value::{Mode, ParamValue};
use super::words::{Feedback, Method, Ranking, RegScaling};
use crate::{CoreError, Result};

/// Every parameter from `partial` (what JavaScript gives: any subset, unknown names refused), the others from the
/// defaults of its mode (the feedback and method it names, else the default ones), then validated.
pub fn resolve(partial: &Value) -> Result<AlsParams> {
    let given = as_object(partial)?;
    let mut selected = AlsParams::default();
    for selector in ["feedback", "method"] {
        if let Some(value) = given.get(selector) {
            selected.set(selector, value)?;
        }
    }
    let mut params = AlsParams::defaults(selected.mode());
    for (name, value) in given {
        params.set(name, value)?;
    }
    params.validate()?;
    Ok(params)
}

impl Default for AlsParams {
    /// The defaults of the default mode, Gibbs sampling.
    fn default() -> Self {
        AlsParams::defaults(Mode::Gibbs)
    }
}

impl AlsParams {
    pub fn mode(&self) -> Mode {
        match (self.feedback, self.method) {
            (Feedback::Implicit, _) => Mode::Implicit,
            (Feedback::Explicit, Method::Als) => Mode::Als,
            (Feedback::Explicit, Method::Gibbs) => Mode::Gibbs,
        }
    }

    /// Refuses parameters no trainer can use: every value in its range, and only combinations that make sense.
    /// Each error names its parameter.
    pub fn validate(&self) -> Result<()> {
        self.check_ranges(|_| true)?;
        let implicit = self.feedback == Feedback::Implicit;
        let refuse = |field: &str, message: String| Err(CoreError::invalid(field, message));
        if implicit && self.method == Method::Gibbs {
            return refuse(
                "method",
                "method gibbs samples the explicit rating model; implicit feedback trains with method als".into(),
            );
        }
        if implicit && self.validation_fraction > 0.0 {
            return refuse(
                "validationFraction",
                "validationFraction reports an RMSE, which implicit feedback has not".into(),
            );
        }
        if implicit && self.reg_scaling == RegScaling::Weighted && self.reg_factors <= 0.0 {
            // Without it a row's system is singular whenever the other side's factors are rank-deficient (with
            // regScaling plain, 0 asks for the lambda from the data's size).
            return refuse(
                "regFactors",
                format!(
                    "regFactors must be > 0 for implicit feedback with regScaling weighted, got {}",
                    self.reg_factors
                ),
            );
        }
        if implicit && self.ranking != Ranking::None {
            return refuse(
                "ranking",
                "an implicit-feedback model chooses its lists itself: ranking must be none".into(),
            );
        }
        if self.early_stopping > 0 && (self.validation_fraction == 0.0 || self.method != Method::Als) {
            return refuse(
                "earlyStopping",
                "earlyStopping needs method als and a validationFraction above 0".into(),
            );
        }
        Ok(())
    }

    /// The check a saved model's parameters pass: the range of each one its mode uses.
    pub fn validate_stored(&self) -> Result<()> {
        let mode = self.mode();
        self.check_ranges(|def| def.applies.contains(&mode))
    }

    fn check_ranges(&self, checked: impl Fn(&ParamDef) -> bool) -> Result<()> {
        for (def, value) in PARAMS.iter().zip(self.values()) {
            if checked(def) && !def.kind.admits(value) {
                let message = format!("{} must be {}, got {value}", def.name, def.kind.describe());
                return Err(CoreError::invalid(def.name, message));
            }
        }
        Ok(())
    }
}

/// Every parameter under its JSON name, in [`PARAMS`] order, as model.json holds them: each `f32` written as one
/// (serde_json's shortest form of the float itself).
impl Serialize for AlsParams {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(PARAMS.len()))?;
        for (def, value) in PARAMS.iter().zip(self.values()) {
            match value {
                ParamValue::Number(v) => map.serialize_entry(def.name, &(v as f32))?,
                other => map.serialize_entry(def.name, &other)?,
            }
        }
        map.end()
    }
}

/// The parameters as JavaScript should see them: each `f32` as the f64 of its shortest decimal (0.04, not
/// 0.03999999910593033, which is what the float itself becomes as a JavaScript number).
pub struct AsWritten<'a>(pub &'a AlsParams);

impl Serialize for AsWritten<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(PARAMS.len()))?;
        for (def, value) in PARAMS.iter().zip(self.0.values()) {
            map.serialize_entry(def.name, &value)?;
        }
        map.end()
    }
}

/// The parameters every model file has held. The others were added later: a file without one was trained before
/// it existed, by ALS, so it reads as ALS's default ([`as_before`]).
pub(super) const IN_EVERY_MODEL_FILE: [&str; 6] = ["factors", "regFactors", "regBias", "iterations", "seed", "threads"];

/// As model.json holds them: see [`IN_EVERY_MODEL_FILE`]; names a newer build added are ignored. Ranges are not
/// checked (loading a model checks them, and training validates).
impl<'de> Deserialize<'de> for AlsParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let stored = Map::<String, Value>::deserialize(d)?;
        read_all(&stored, as_before(), |name| IN_EVERY_MODEL_FILE.contains(&name)).map_err(serde_error)
    }
}

/// What a parameter an older model file lacks was when that file was trained: ALS's defaults (whose implicit-only
/// values are what implicit training did then), and no ranking model.
fn as_before() -> AlsParams {
    AlsParams {
        ranking: Ranking::None,
        ..AlsParams::defaults(Mode::Als)
    }
}

/// Parameters that must all be given, as a task receives them from JavaScript (what `resolveParams` returned): every
/// parameter of its type, unknown names refused. Ranges are not checked (the trainers validate).
#[derive(Debug)]
pub struct CompleteParams(pub AlsParams);

impl CompleteParams {
    /// `given` read as a complete parameter object; the error names the parameter at fault.
    pub fn from_json(given: &Value) -> Result<AlsParams> {
        let given = as_object(given)?;
        if let Some(unknown) = given.keys().find(|name| ParamDef::find(name).is_none()) {
            return Err(unknown_parameter(unknown));
        }
        read_all(given, AlsParams::default(), |_| true)
    }
}

impl<'de> Deserialize<'de> for CompleteParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let given = Value::deserialize(d)?;
        CompleteParams::from_json(&given)
            .map(CompleteParams)
            .map_err(serde_error)
    }
}

fn as_object(given: &Value) -> Result<&Map<String, Value>> {
    given
        .as_object()
        .ok_or_else(|| CoreError::invalid_input(format!("training parameters must be an object, got {given}")))
}

/// A serde error carrying the core error's message (its text names the parameter).
fn serde_error<E: serde::de::Error>(err: CoreError) -> E {
    match err {
        CoreError::InvalidInput { message, .. } => E::custom(message),
        other => E::custom(other),
    }
}

/// `base` with every parameter of `given` set; a missing one is an error when `required`.
fn read_all(given: &Map<String, Value>, mut base: AlsParams, required: impl Fn(&str) -> bool) -> Result<AlsParams> {
    for def in PARAMS {
        match given.get(def.name) {
            Some(value) => base.set(def.name, value)?,
            None if required(def.name) => {
                return Err(CoreError::invalid(def.name, format!("missing parameter {}", def.name)))
            }
            None => {}
        }
    }
    Ok(base)
}
