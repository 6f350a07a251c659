//! The one builder of worker-thread pools. A training runs in a pool of its `threads` parameter, and the binding
//! runs each heavy task in a pool of the configured size: a given thread count gives repeatable timings, and the
//! service and the CLI choose without touching rayon's global pool.

use crate::{CoreError, Result};

/// A pool of `threads` workers; 0 = one per core (rayon's default).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("movierec-{i}"))
        .build()
        .map_err(|e| CoreError::invalid("threads", format!("cannot start {threads} worker threads: {e}")))
}

/// Runs `work` in a pool of `threads` workers, or in the caller's pool when `threads` is 0.
pub fn run_in_pool<T: Send>(threads: usize, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    if threads == 0 {
        return work();
    }
    pool(threads)?.install(work)
}
