//! Every wrong pool in the corpus is rejected by its check, for the reason
//! the student should read. This binary is also the decoys' worker program,
//! so its `main` begins with the role check (no libtest harness: it would
//! not let `main` check first).

use std::process::ExitCode;

/// The check `a_missing_role_check_is_named` runs this binary again, as a
/// worker whose `main` forgot its role check, with the check's name as its
/// only test: that copy must not take the worker role below, but start a
/// pool with the decoy under test, as the suite's own test binary would.
/// The corpus has one decoy for that check, so the copy knows which.
const ROLE_CHECK: &str = "a_missing_role_check_is_named";

fn main() -> ExitCode {
    if std::env::args().any(|a| a == ROLE_CHECK) {
        let corpus = decoys::pool::corpus();
        let mut decoys = corpus.iter().filter(|d| d.caught_by == ROLE_CHECK);
        let decoy = decoys
            .next()
            .expect("the corpus has a decoy for the role check");
        assert!(
            decoys.next().is_none(),
            "one decoy per run of the role check"
        );
        suites::pool::a_missing_role_check_is_named(decoy.subject);
        return ExitCode::SUCCESS;
    }
    if let Some(worker) = pool_solution::worker_role() {
        return worker.serve(pool_solution::TASKS);
    }
    if let Some(workers) = std::env::var(decoys::pool::DEMO_WORKERS)
        .ok()
        .and_then(|n| decoys::pool::demo_workers(&n))
    {
        // A pool program run without a role: its demo.
        return decoys::pool::demo(workers);
    }
    suites::pure::set_source(decoys::pool::SOURCE);
    let misses = decoys::misses(&decoys::pool::corpus(), suites::pool::CHECKS);
    let scripts = decoys::pool::demo_scripts();
    for entry in std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with(&scripts) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    if misses.is_empty() {
        println!("every pool decoy was rejected for the right reason");
        ExitCode::SUCCESS
    } else {
        eprintln!("decoys not rejected:\n{}", misses.join("\n\n"));
        ExitCode::FAILURE
    }
}
