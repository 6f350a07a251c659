//! The worker-thread setting: every heavy task runs inside a pool of that size (`movierec_core::threads`; 0 =
//! rayon's global pool, one thread per core).

use std::sync::atomic::{AtomicUsize, Ordering};

use napi_derive::napi;

static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets the worker threads of later tasks; 0 = one per core.
#[napi]
pub fn set_threads(threads: u32) {
    THREADS.store(threads as usize, Ordering::Relaxed);
}

/// The worker threads tasks use now (the setting, or the number of cores when the setting is 0).
#[napi]
pub fn get_threads() -> u32 {
    match THREADS.load(Ordering::Relaxed) {
        0 => rayon::current_num_threads() as u32,
        n => n as u32,
    }
}

/// The setting as stored (0 = all cores).
pub fn configured() -> usize {
    THREADS.load(Ordering::Relaxed)
}

/// The threads of a training: its own `threads` parameter, or the setting when that is 0.
pub fn for_training(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        configured()
    }
}
