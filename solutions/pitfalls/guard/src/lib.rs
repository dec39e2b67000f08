//! Pitfalls, exercise guard: the missing `if __name__ == '__main__':`.
//!
//! A process pool whose workers are the program itself runs the program's
//! `main` once per worker. CPython under its spawn start method (the
//! default on macOS and Windows, and forkserver on Linux from 3.14) does
//! the same with the main module; the guard is how the module tells the
//! two roles apart. This crate's program forgot it. The course's pool has
//! two fuses that stop what follows: it refuses to start in a worker that
//! never asked for its role, and it refuses to nest deeper than
//! [`MAX_DEPTH`]. The [`mistakes`] show each fuse at work.

use std::process::ExitCode;

pub use pool_solution::{
    DEPTH_VAR, Done, MAX_DEPTH, Pool, ROLE_VAR, TASKS, TaskError, worker_role,
};

/// Records this process in the suite's census (does nothing unless the
/// suite asked for one).
pub fn arrive() {
    harness::census::arrive(ROLE_VAR, DEPTH_VAR);
}

/// The command line: the number of workers, then the inputs. Without
/// both: 2 workers, inputs 1 to 8.
pub fn args() -> (usize, Vec<u64>) {
    let numbers: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    match numbers.split_first() {
        Some((&workers, inputs)) if !inputs.is_empty() => (workers as usize, inputs.to_vec()),
        _ => (2, (1..=8).collect()),
    }
}

/// Prints one result as the suite reads it: `square(X) = Y in pid P`.
pub fn print_result(x: u64, done: &Done) {
    println!("square({x}) = {} in pid {}", done.value, done.pid);
}

// ANCHOR: run
/// The program's work: squares its inputs on a pool of workers and prints
/// where each was computed.
pub fn run() -> ExitCode {
    let (workers, inputs) = args();
    let mut pool = match Pool::new_with(workers) {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    for (&x, result) in inputs.iter().zip(pool.map("square", &inputs)) {
        match result {
            Ok(done) => print_result(x, &done),
            Err(e) => {
                eprintln!("square({x}) failed: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
// ANCHOR_END: run

/// The program without its role check, in two forms, played when
/// [`MISTAKE_VAR`] names one. Workers inherit the variable, so they play
/// the same mistake.
pub mod mistakes {
    use std::process::ExitCode;

    /// Environment variable naming the mistake to play.
    pub const MISTAKE_VAR: &str = "COURSE_GUARD_MISTAKE";

    /// Plays the mistake named by [`MISTAKE_VAR`], if any.
    pub fn play() -> Option<ExitCode> {
        match std::env::var(MISTAKE_VAR).ok()?.as_str() {
            "forgot" => Some(forgot()),
            "ignored" => Some(ignored()),
            _ => None,
        }
    }

    // ANCHOR: mistakes
    /// No role check at all: each worker runs the work, which starts a
    /// pool. The pool's first fuse refuses: this process was started as a
    /// worker and never called `worker_role()`.
    pub fn forgot() -> ExitCode {
        super::run()
    }

    /// The role is asked for and then ignored: the first fuse is satisfied,
    /// so every worker starts a pool of its own, until the second fuse
    /// (the depth) refuses.
    pub fn ignored() -> ExitCode {
        let _role = super::worker_role();
        super::run()
    }
    // ANCHOR_END: mistakes
}
