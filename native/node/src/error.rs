//! `CoreError` -> JavaScript `Error` carrying `code` (the stable string of `CoreError::code()`), `field` when the
//! core names the input at fault, and the core's message. A sync call builds the object and returns it as its error
//! (napi throws that very object); an `AsyncTask` keeps the `CoreError` in its [`Failure`] slot between `compute`
//! (worker thread) and `reject` (JS thread), which builds the same object.

use movierec_core::CoreError;
use napi::bindgen_prelude::JsObjectValue;
use napi::{Env, JsValue, Status};

/// The result of the binding's own work: the core's error, turned into a JS error at the boundary.
pub type Result<T> = std::result::Result<T, CoreError>;

/// The JS Error of `err`, as a napi error that throws (or rejects with) exactly that object.
pub fn js_error(env: &Env, err: &CoreError) -> napi::Error {
    let build = || -> napi::Result<napi::Error> {
        let mut error = env.create_error(napi::Error::new(Status::GenericFailure, err.to_string()))?;
        error.set_named_property("code", err.code())?;
        if let Some(field) = err.field() {
            error.set_named_property("field", field)?;
        }
        Ok(napi::Error::from(error.to_unknown()))
    };
    build().unwrap_or_else(|failed| failed)
}

/// `result` as a sync call returns it: a core error becomes its JS Error.
pub fn or_throw<T>(env: &Env, result: Result<T>) -> napi::Result<T> {
    result.map_err(|err| js_error(env, &err))
}

/// Where an `AsyncTask` keeps the core error between `compute` (worker thread) and `reject` (JS thread).
#[derive(Default)]
pub struct Failure(Option<CoreError>);

impl Failure {
    /// Runs core work in `compute`; on error keeps the core error and hands napi a plain one.
    pub fn capture<T>(&mut self, result: Result<T>) -> napi::Result<T> {
        result.map_err(|err| {
            let plain = napi::Error::new(Status::GenericFailure, err.to_string());
            self.0 = Some(err);
            plain
        })
    }

    /// In `reject`: the core error as its JS Error (napi's own error when compute did not fail).
    pub fn take_js_error(&mut self, env: &Env, fallback: napi::Error) -> napi::Error {
        match self.0.take() {
            Some(err) => js_error(env, &err),
            None => fallback,
        }
    }
}
