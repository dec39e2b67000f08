//! Every wrong manager in the corpus is rejected by its check, for the
//! reason the student should read. This binary is also the decoys'
//! manager, updater and child program, so its `main` checks the role first.

use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(role) = manager_solution::role() {
        return role.run();
    }
    let misses = decoys::misses(&decoys::manager::corpus(), suites::manager::CHECKS);
    // A decoy that never waits for its manager never removes its socket.
    let mine = format!("course-manager-{}-", std::process::id());
    for entry in std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with(&mine) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    if misses.is_empty() {
        println!("every manager decoy was rejected for the right reason");
        ExitCode::SUCCESS
    } else {
        eprintln!("decoys not rejected:\n{}", misses.join("\n\n"));
        ExitCode::FAILURE
    }
}
