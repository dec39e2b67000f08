//! Every wrong way back in the corpus is rejected by its check, for the
//! reason the student should read. This binary is also the decoys'
//! workers' program, so its `main` begins with the role check (no libtest
//! harness: it would not let `main` check first).

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(worker) = combine_solution::worker_role() {
        // One decoy's workers remember their scores (see its wrapper).
        let tasks = if std::env::var_os(decoys::combine::REMEMBERS).is_some() {
            decoys::combine::REMEMBERING_TASKS
        } else {
            combine_solution::TASKS
        };
        return worker.serve(tasks);
    }
    suites::pure::set_source(decoys::combine::SOURCE);
    let misses = decoys::misses(&decoys::combine::corpus(), suites::combine::CHECKS);
    if misses.is_empty() {
        println!("every combine decoy was rejected for the right reason");
        ExitCode::SUCCESS
    } else {
        eprintln!("decoys not rejected:\n{}", misses.join("\n\n"));
        ExitCode::FAILURE
    }
}
