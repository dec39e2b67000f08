//! Every wrong manager in the corpus is rejected by its check, for the
//! reason the student should read. This binary is also the decoys'
//! manager, updater and child program, so its `main` checks the role first.

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(role) = manager_solution::role() {
        return role.run();
    }
    let misses = decoys::misses(&decoys::manager::corpus(), suites::manager::CHECKS);
    if misses.is_empty() {
        println!("every manager decoy was rejected for the right reason");
        ExitCode::SUCCESS
    } else {
        eprintln!("decoys not rejected:\n{}", misses.join("\n\n"));
        ExitCode::FAILURE
    }
}
