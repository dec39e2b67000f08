//! Every wrong pool in the corpus is rejected by its check, for the reason
//! the student should read. This binary is also the decoys' worker program,
//! so its `main` begins with the role check (no libtest harness: it would
//! not let `main` check first).

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(worker) = pool_solution::worker_role() {
        return worker.serve(pool_solution::TASKS);
    }
    let misses = decoys::misses(&decoys::pool::corpus(), suites::pool::CHECKS);
    if misses.is_empty() {
        println!("every pool decoy was rejected for the right reason");
        ExitCode::SUCCESS
    } else {
        eprintln!("decoys not rejected:\n{}", misses.join("\n\n"));
        ExitCode::FAILURE
    }
}
