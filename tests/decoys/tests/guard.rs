//! Every wrong program in the corpus is rejected by its check, for the
//! reason the student should read. This binary is also each wrong
//! program (and its workers): its `main` plays the one the suite names.

use std::process::ExitCode;

fn main() -> ExitCode {
    guard_solution::arrive();
    if let Some(code) = guard_solution::mistakes::play() {
        return code;
    }
    if let Some(code) = decoys::guard::play() {
        return code;
    }
    if let Some(worker) = guard_solution::worker_role() {
        return worker.serve(guard_solution::TASKS);
    }
    let misses = decoys::misses(&decoys::guard::corpus(), suites::guard::CHECKS);
    if misses.is_empty() {
        println!("every guard decoy was rejected for the right reason");
        ExitCode::SUCCESS
    } else {
        eprintln!("decoys not rejected:\n{}", misses.join("\n\n"));
        ExitCode::FAILURE
    }
}
