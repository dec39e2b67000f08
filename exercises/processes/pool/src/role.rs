//! The worker's side: recognising the role, then serving requests.
//!
//! A pool's workers are this same program, started again. So the program
//! must ask, before anything else in `main`, "am I a worker?"; otherwise
//! each worker would run the parent's `main` and start a pool of its own,
//! whose workers would start pools... CPython has the same problem under
//! its spawn start method, and `if __name__ == '__main__':` is its answer.

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::tasks::Task;

/// Environment variable that makes a process a worker; its value is the
/// worker's number in its pool. An environment variable survives harnesses
/// that rewrite the command line (a test runner does).
pub const ROLE_VAR: &str = "COURSE_POOL_WORKER";

/// Environment variable holding how many pools deep this process is.
pub const DEPTH_VAR: &str = "COURSE_POOL_DEPTH";

/// Deepest nesting of pools (a task that starts a pool of its own) allowed.
pub const MAX_DEPTH: u32 = 4;

/// Set by [`worker_role`]: this program asks whether it is a worker.
static ROLE_CHECKED: AtomicBool = AtomicBool::new(false);

/// Whether this process has called [`worker_role`].
pub(crate) fn role_checked() -> bool {
    ROLE_CHECKED.load(Ordering::SeqCst)
}

/// This process's pool depth: 0 in a program started by hand.
pub(crate) fn depth() -> u32 {
    std::env::var(DEPTH_VAR)
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

/// The worker number this process was started with, if it was started as
/// one.
pub(crate) fn started_as_worker() -> Option<usize> {
    std::env::var(ROLE_VAR).ok().and_then(|w| w.parse().ok())
}

/// A process started by a pool to run tasks.
#[derive(Debug)]
pub struct Worker {
    index: usize,
}

// ANCHOR: worker_role
/// `Some` when this process was started by a [`Pool`](crate::Pool) as one of
/// its workers. Call it first thing in `main`:
///
/// ```ignore
/// if let Some(worker) = pool::worker_role() {
///     return worker.serve(TASKS);
/// }
/// ```
pub fn worker_role() -> Option<Worker> {
    todo!("remember that the role was checked, then read ROLE_VAR")
}
// ANCHOR_END: worker_role

impl Worker {
    /// This worker's number in its pool.
    pub fn index(&self) -> usize {
        self.index
    }

    // ANCHOR: serve
    /// Says hello, then runs each request from stdin and answers on stdout,
    /// until the parent closes stdin. A task that panics becomes an error
    /// for its input; the worker goes on. Tasks must not print to stdout:
    /// it carries the frames.
    pub fn serve(self, tasks: &[Task]) -> ExitCode {
        todo!("send Hello, then read Run requests until the end of stdin and answer each with Done")
    }
    // ANCHOR_END: serve
}
