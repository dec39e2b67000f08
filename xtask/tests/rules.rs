//! The course's rules, run by the root `cargo test` (the same checks as
//! `cargo xtask check`).

use listings::stubs;
use xtask::course::{self, Course};
use xtask::{pages, stubcheck};

fn course() -> Course {
    Course::load(&course::root()).expect("exercises/info.toml loads")
}

#[test]
fn every_exercise_is_generated_from_its_solution() {
    let stale = stubs::sync(&course::root(), &course(), false).unwrap();
    assert!(
        stale.is_empty(),
        "out of date (edit the solution, then run `cargo xtask sync`): {stale:?}"
    );
}

#[test]
fn book_sources_follow_the_rules() {
    let broken = pages::violations(&course::root(), &course()).unwrap();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn every_stub_fails_its_suite_on_todo() {
    let root = course::root();
    let course = course();
    let all: Vec<&course::Exercise> = course.exercises.iter().collect();
    let mut failures = Vec::new();
    for run in stubcheck::run_all(&root, &all).unwrap() {
        eprintln!("{}", run.summary());
        failures.extend(run.problem());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The coverage rule: the course catalogue, the suites, the manifest and the
/// decoy corpus agree. Every requirement a page promises has a check, every
/// check has a decoy that proves it can fail, every decoy breaks a
/// requirement its check judges, and every check has points. Read from the
/// typed lists (the suites' `CHECKS`, the corpus's entries), never from
/// source text or libtest's output; `cargo xtask check` runs it too.
#[test]
fn every_promise_has_a_check_and_every_check_a_decoy() {
    let root = course::root();
    let problems = decoys::catalogue::problems(&root, &course());
    assert!(
        problems.is_empty(),
        "the catalogue, the suites and the decoys disagree ({}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
