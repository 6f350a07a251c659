//! The training parameters across the boundary, all defined by the core (`movierec_core::params`): their spec, the
//! resolution of a partial object (what the edge validates with, once), and a complete object as a task receives it.

use movierec_core::params::{self, AlsParams, CompleteParams};
use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;

use crate::error::{or_throw, Result};

/// Every training parameter: name, `movierec train` flag, help, type and range, the modes it applies to, its
/// default in each mode, and where `movierec tune` samples it. `src/model/params.generated.ts` is this, generated.
#[napi(ts_return_type = "Array<Record<string, unknown>>")]
pub fn parameter_spec(env: &Env) -> napi::Result<Unknown<'_>> {
    env.to_js_value(&params::parameter_spec())
}

/// Every training parameter: those of `partial` (any subset; unknown names refused), the others the defaults of
/// its feedback and method; validated. Throws INVALID_INPUT with `field`, the parameter at fault.
#[napi(
    ts_args_type = "partial: Record<string, unknown>",
    ts_return_type = "Record<string, number | string>"
)]
pub fn resolve_params(env: &Env, partial: serde_json::Value) -> napi::Result<Unknown<'_>> {
    let resolved = or_throw(env, params::resolve(&partial))?;
    env.to_js_value(&params::AsWritten(&resolved))
}

/// A complete parameter object (as `resolveParams` gives it) as the core's struct; its values are validated by
/// the training itself.
pub fn complete(params: serde_json::Value) -> Result<AlsParams> {
    CompleteParams::from_json(&params)
}
