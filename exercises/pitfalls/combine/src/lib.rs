//! Pitfalls, exercise combine: processes do not share memory.
//!
//! A worker process is another program with its own memory. A task that
//! pushes its result into a collection pushes it into the worker's copy of
//! that collection; the parent's copy, at another address in another
//! process, never changes. Threads would have shared it; processes send
//! messages. The fix is to make the result the task's return value, which
//! the pool carries back in a frame, and to combine the values in the
//! parent.

use std::sync::{Mutex, PoisonError};

pub use pool_solution::{Pool, TaskError, worker_role};
use pool_solution::{Task, tasks::spin};

/// Rounds of [`spin`] per score: a fraction of a millisecond of CPU in a
/// release build, a few milliseconds in a debug build.
pub const ROUNDS: u64 = 200_000;

/// Inputs from here on cost a few dozen rounds only: their scores are as
/// right, only quick, so that a test can ask for a call of thousands of
/// inputs and have it answered in well under a second.
pub const QUICK: u64 = 1 << 63;

/// The work for one input: an integer hash of it, costing between
/// [`ROUNDS`] and twice that many rounds (from [`QUICK`] on, 1 to 64). It
/// records, when a test asked for a census, that this process scored `x`
/// ([`harness::census::served`]), and fails if a test asked it to
/// ([`harness::fault`]).
pub fn score(x: u64) -> u64 {
    harness::census::served("score", x);
    if harness::fault::injected("score", x) {
        panic!("score({x}) failed: a fault a test injected (expected)");
    }
    if x >= QUICK {
        spin(1 + x % 64)
    } else {
        spin(ROUNDS + x % ROUNDS)
    }
}

// ANCHOR: mistake
/// The collection the mistaken task updates. Each process has its own.
static SEEN: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());

/// The mistaken task: records `(x, score)` in [`SEEN`], which in a worker
/// is the worker's own list, and returns nothing useful.
fn record(x: u64) -> u64 {
    let scored = (x, score(x));
    SEEN.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(scored);
    0
}

/// The mistake: the workers fill their lists and the parent reads its own,
/// which nobody touched. It returns an empty list, whatever the inputs.
pub fn scores_in_a_shared_list(pool: &mut Pool, inputs: &[u64]) -> Vec<(u64, u64)> {
    for result in pool.map("record", inputs) {
        // Each task ran, in a worker.
        let _ = result;
    }
    SEEN.lock().unwrap_or_else(PoisonError::into_inner).clone()
}
// ANCHOR_END: mistake

/// The tasks of this program, by name, for its workers.
pub const TASKS: &[Task] = &[
    Task {
        name: "score",
        run: score,
    },
    Task {
        name: "record",
        run: record,
    },
];

// ANCHOR: scores
/// `(input, score)` for every input, in input order, computed in the
/// pool's workers: each score comes back as the value of task `score`, and
/// the parent builds the list. The first input that failed is the error.
pub fn scores(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, TaskError> {
    todo!("map task \"score\", then pair each value with its input")
}
// ANCHOR_END: scores
