//! A program with a process pool. Its workers are this same program,
//! started again: `main` must find out first which role it plays.
//!
//! `cargo run -- 3 5 6 7` squares 5, 6 and 7 on 3 workers. To see the
//! mistakes (safely: the course's pool has two fuses), run it with
//! `COURSE_GUARD_MISTAKE=forgot` or `COURSE_GUARD_MISTAKE=ignored`.

use std::process::ExitCode;

// ANCHOR: main
fn main() -> ExitCode {
    // Counts this process when the suite asks for a census.
    guard::arrive();
    // The two mistakes, on demand (see the crate's `mistakes`).
    if let Some(code) = guard::mistakes::play() {
        return code;
    }
    todo!("ask worker_role() first: a worker serves TASKS; else run()")
}
// ANCHOR_END: main
