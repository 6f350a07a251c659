//! The heavy calls, each an `AsyncTask` (compute on a libuv worker thread, inside the configured rayon pool), with
//! a sync twin where a caller may want one (tests, scripts); a task and its twin share one `run` function.
//!
//! Every task keeps a [`crate::error::Failure`]: `compute` parks the core error there, `reject` turns it into the
//! JS error with its stable `code` and the `field` at fault.

pub mod data;
pub mod events;
pub mod interop;
pub mod model;
pub mod read;
pub mod recommend;
pub mod train;
pub mod tune;
