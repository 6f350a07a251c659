//! `CoreError` -> JavaScript `Error` whose `code` is the stable string of `CoreError::code()`.
//!
//! Sync methods return `napi::Result<T, ErrorCode>`, so napi-rs itself sets `err.code`. An `AsyncTask` can only fail
//! with a plain `napi::Error` (Status), so its `compute` parks the `CoreError` in a [`Failure`] slot and `reject`
//! rebuilds the coded JS error on the JS thread.

use movierec_core::CoreError;
use napi::bindgen_prelude::{JsError, JsObjectValue};
use napi::{Env, JsValue, Status};

/// The `code` of a JS error thrown by the addon (`IO_ERROR`, `DATASET_ERROR`, `INVALID_INPUT`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCode(pub &'static str);

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl From<Status> for ErrorCode {
    fn from(status: Status) -> Self {
        // napi's own failures (a wrong argument type, ...) keep napi's name for them.
        ErrorCode(match status {
            Status::InvalidArg => "InvalidArg",
            Status::NumberExpected => "NumberExpected",
            Status::StringExpected => "StringExpected",
            Status::ObjectExpected => "ObjectExpected",
            _ => "GenericFailure",
        })
    }
}

pub type Result<T> = napi::Result<T, ErrorCode>;

/// The one conversion: the core's message, the core's code. (A `From` impl is impossible here: both types are
/// foreign to this crate, so call sites say `.map_err(to_napi)`.)
pub fn to_napi(err: CoreError) -> napi::Error<ErrorCode> {
    napi::Error::new(ErrorCode(err.code()), err.to_string())
}

/// An `INVALID_INPUT` error raised by the binding's own argument checks (e.g. a negative count).
pub fn invalid_input(message: impl Into<String>) -> napi::Error<ErrorCode> {
    to_napi(CoreError::invalid(None, message))
}

/// A core error as the JS Error a sync function throws: `code`, and `field` when it names the argument at fault.
pub fn js_error(env: &Env, err: CoreError) -> napi::Error {
    let field = err.field().map(str::to_owned);
    let error = JsError::from(to_napi(err)).into_unknown(*env);
    if let (Some(field), Ok(mut object)) = (field, error.coerce_to_object()) {
        // Best effort: without the property the error still has its code and a message naming the field.
        let _ = object.set_named_property("field", field);
    }
    napi::Error::from(error)
}

/// Where an `AsyncTask` keeps the core error between `compute` (worker thread) and `reject` (JS thread).
#[derive(Default)]
pub struct Failure(Option<napi::Error<ErrorCode>>);

impl Failure {
    /// Runs core work in `compute`; on error keeps the coded error and hands napi a plain one.
    pub fn capture<T>(&mut self, result: std::result::Result<T, napi::Error<ErrorCode>>) -> napi::Result<T> {
        result.map_err(|err| {
            let plain = napi::Error::new(Status::GenericFailure, err.reason.clone());
            self.0 = Some(err);
            plain
        })
    }

    /// In `reject`: the coded error as a JS Error object (falls back to napi's error when compute did not fail).
    pub fn take_js_error(&mut self, env: Env, fallback: napi::Error) -> napi::Error {
        match self.0.take() {
            Some(coded) => napi::Error::from(JsError::from(coded).into_unknown(env)),
            None => fallback,
        }
    }
}
