//! A parameter's definition ([`ParamDef`], one per entry of the table) and the serialisable spec the addon exports
//! (the definitions with their defaults), from which the TypeScript types, schemas and CLI flags are derived.

use serde::Serialize;

use super::value::{Kind, Mode, ParamValue, Search};

/// One parameter, as the table defines it (its defaults are `AlsParams::defaults`').
#[derive(Debug, Serialize)]
pub struct ParamDef {
    /// As model.json and JavaScript spell it.
    pub name: &'static str,
    /// The `movierec train` flag with its placeholder, e.g. `--reg <x>`; none for a parameter without a flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cli: Option<&'static str>,
    pub help: &'static str,
    #[serde(flatten)]
    pub kind: Kind,
    /// The modes whose training uses it (it is accepted, and range-checked, in every mode).
    #[serde(rename = "appliesTo")]
    pub applies: &'static [Mode],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<Search>,
}

/// A parameter's definition and its default in each mode: one element of `parameter_spec`.
#[derive(Debug, Serialize)]
pub struct ParamSpec {
    #[serde(flatten)]
    pub def: &'static ParamDef,
    pub defaults: PerMode,
}

#[derive(Debug, Serialize)]
pub struct PerMode {
    pub gibbs: ParamValue,
    pub als: ParamValue,
    pub implicit: ParamValue,
}
