//! The course's rules, run by the root `cargo test` (the same checks as
//! `cargo xtask check`).

use xtask::course::{self, Course};
use xtask::{pages, stubcheck, stubs};

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
    let mut failures = Vec::new();
    for ex in &course().exercises {
        let run = stubcheck::run(&root, ex).unwrap();
        eprintln!("{}", run.summary());
        failures.extend(run.problem());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_manifest_grades_exactly_the_tests_of_each_suite() {
    use std::collections::BTreeSet;
    use std::process::Command;
    let root = course::root();
    let course = course();
    let mut wrong = Vec::new();
    for ex in &course.exercises {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .current_dir(&root)
            .args(["test", "--quiet", "--package"])
            .arg(ex.solution_package())
            .args(["--test", "suite", "--", "--list"])
            .env_remove(harness::record::RESULTS_ENV)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let suite: BTreeSet<String> =
            xtask::results::listed_tests(&String::from_utf8_lossy(&out.stdout))
                .into_iter()
                .collect();
        let graded: BTreeSet<String> = ex
            .worth(&course.grading)
            .keys()
            .map(|k| (*k).to_owned())
            .collect();
        if suite != graded {
            wrong.push(format!(
                "{}: the suite has {:?} that the manifest lacks; the manifest has {:?} that the suite lacks",
                ex.name,
                suite.difference(&graded).collect::<Vec<_>>(),
                graded.difference(&suite).collect::<Vec<_>>()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
