//! A pool that waits forever for a hello is rejected by the deadline. Its
//! own binary: it abandons a stuck thread, which would cut the time of any
//! later check in the same process.

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(worker) = pool_solution::worker_role() {
        return worker.serve(pool_solution::TASKS);
    }
    let misses = decoys::misses(&decoys::pool::stuck_hello(), suites::pool::CHECKS);
    if misses.is_empty() {
        println!("every pool decoy stuck on a hello was rejected for the right reason");
        ExitCode::SUCCESS
    } else {
        eprintln!("decoys not rejected:\n{}", misses.join("\n\n"));
        ExitCode::FAILURE
    }
}
