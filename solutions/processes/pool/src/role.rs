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
// SOLUTION:
use std::io::{self, BufReader, Write};
use std::panic::{self, AssertUnwindSafe};

use crate::protocol::{FRAME_LIMIT, Reply, Request};
use frames_solution::{FrameReader, write_frame};
// END SOLUTION

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
    // SOLUTION: todo!("remember that the role was checked, then read ROLE_VAR")
    ROLE_CHECKED.store(true, Ordering::SeqCst);
    started_as_worker().map(|index| Worker { index })
    // END SOLUTION
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
        // SOLUTION: todo!("send Hello, then read Run requests until the end of stdin and answer each with Done")
        let pid = std::process::id();
        // A task's panic goes back to the parent as that input's error; the
        // default hook would also print it (with a backtrace, maybe) on the
        // stderr the worker shares with its parent.
        panic::set_hook(Box::new(|_| {}));
        let mut out = io::stdout().lock();
        if write_frame(&mut out, &Reply::Hello { pid }).is_err() {
            return ExitCode::FAILURE;
        }
        let mut requests = FrameReader::new(BufReader::new(io::stdin().lock()), FRAME_LIMIT);
        let mut replies = Vec::new();
        loop {
            let (task, inputs) = match requests.read::<Request>() {
                Ok(Some(Request::Run { task, inputs })) => (task, inputs),
                Ok(None) => return ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("pool worker {} (pid {pid}): {e}", self.index);
                    return ExitCode::FAILURE;
                }
            };
            let results = run_all(tasks, &task, &inputs);
            write_frame(&mut replies, &Reply::Done { pid, results })
                .expect("a reply always encodes");
            // While more requests wait in the buffer, answer them first and
            // send the replies together: one write for many.
            if requests.get_ref().buffer().is_empty() {
                if out.write_all(&replies).and_then(|()| out.flush()).is_err() {
                    // The parent is gone: nobody wants the answer.
                    return ExitCode::FAILURE;
                }
                replies.clear();
            }
        }
        // END SOLUTION
    }
    // ANCHOR_END: serve
}

// SOLUTION:
/// Runs `name` on every input; a panic is an error for that input only.
fn run_all(tasks: &[Task], name: &str, inputs: &[u64]) -> Vec<Result<u64, String>> {
    let Some(task) = tasks.iter().find(|t| t.name == name) else {
        let known: Vec<&str> = tasks.iter().map(|t| t.name).collect();
        let why = format!("this program has no task named `{name}` (it has {known:?})");
        return inputs.iter().map(|_| Err(why.clone())).collect();
    };
    inputs
        .iter()
        .map(|&x| {
            panic::catch_unwind(AssertUnwindSafe(|| (task.run)(x))).map_err(|payload| {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".into());
                format!("task `{name}` panicked on input {x}: {message}")
            })
        })
        .collect()
}
// END SOLUTION
