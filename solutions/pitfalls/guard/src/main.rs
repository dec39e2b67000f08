//! A program with a process pool. Its workers are this same program,
//! started again: `main` must find out first which role it plays.
//!
//! `cargo run -- 3 5 6 7` squares 5, 6 and 7 on 3 workers. To see the
//! mistakes (safely: the course's pool has two fuses), run it with
//! `COURSE_GUARD_MISTAKE=forgot` or `COURSE_GUARD_MISTAKE=ignored`.

use std::process::ExitCode;

// SOLUTION:
use guard_solution::{TASKS, worker_role};
// END SOLUTION

// ANCHOR: main
fn main() -> ExitCode {
    // Counts this process when the suite asks for a census.
    guard_solution::arrive();
    // The two mistakes, on demand (see the crate's `mistakes`).
    if let Some(code) = guard_solution::mistakes::play() {
        return code;
    }
    // SOLUTION: todo!("ask worker_role() first: a worker serves TASKS; else run()")
    // A worker started by the pool serves, and never reaches `run`: `run`
    // starts a pool, and a worker that started one would start workers
    // that start pools, without end.
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    guard_solution::run()
    // END SOLUTION
}
// ANCHOR_END: main
