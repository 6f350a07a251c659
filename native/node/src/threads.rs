//! The worker-thread setting: every heavy task runs inside a rayon pool of that size (0 = rayon's global pool,
//! one thread per core). A per-task pool keeps results repeatable for a given thread count (ALS sums in a
//! fixed order per thread layout) and lets the service and the CLI choose without rebuilding the global pool.

use std::sync::atomic::{AtomicUsize, Ordering};

use napi_derive::napi;

use crate::error::{invalid_input, ErrorCode};

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

/// Runs `work` in a pool of `threads` workers (0 = the global pool).
pub fn run_in_pool<T: Send>(
    threads: usize,
    work: impl FnOnce() -> Result<T, napi::Error<ErrorCode>> + Send,
) -> Result<T, napi::Error<ErrorCode>> {
    if threads == 0 {
        return work();
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("movierec-{i}"))
        .build()
        .map_err(|e| invalid_input(format!("cannot start {threads} worker threads: {e}")))?;
    pool.install(work)
}
