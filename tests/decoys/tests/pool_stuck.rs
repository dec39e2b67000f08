//! Pools that hang when a worker dies are rejected by the deadline. Their
//! own binary: each abandons a stuck thread, which would disturb timed
//! checks in the same process. Its workers are killed by the suite runner
//! when the check is cut short.

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(worker) = pool_solution::worker_role() {
        return worker.serve(pool_solution::TASKS);
    }
    let misses = decoys::misses(&decoys::pool::stuck(), suites::pool::CHECKS);
    if misses.is_empty() {
        println!("every stuck pool decoy was rejected for the right reason");
        ExitCode::SUCCESS
    } else {
        eprintln!("decoys not rejected:\n{}", misses.join("\n\n"));
        ExitCode::FAILURE
    }
}
