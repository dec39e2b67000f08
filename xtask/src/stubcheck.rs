//! Proof that every stub fails its suite, and for the right reason.
//!
//! A suite test that passes against a `todo!()` stub cannot tell a solution
//! from no solution: the suite is broken. A stub that fails to compile, or
//! fails for another reason than the `todo!()`, means the exercise is broken.
//! Either is reported here with the test names.
//!
//! A compile-fail exercise's stub is proved otherwise: `cargo check` must
//! refuse it with exactly the error codes the manifest names, so the
//! student meets the mistake the page explains and no other.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::course::{Exercise, Kind};
use grader::results;
use listings::diagnostics;

/// What running one exercise's suite against its stub showed.
#[derive(Debug, Default)]
pub struct StubRun {
    /// The exercise's package.
    pub package: String,
    /// Whether the suite compiled and ran at all.
    pub ran: bool,
    /// Tests that failed because of the stub's `todo!()`.
    pub failed_on_todo: Vec<String>,
    /// Tests that passed against the stub: they cannot fail, a broken suite.
    pub passed: Vec<String>,
    /// Tests that failed for some other reason.
    pub failed_otherwise: Vec<String>,
    /// The tail of cargo's output, for the report.
    pub output_tail: String,
    /// For a compile-fail stub: the codes it must get, and what `cargo
    /// check` gave (`None`: a suite stub).
    pub refused: Option<Refused>,
}

/// A compile-fail stub's check: the codes wanted and what came.
#[derive(Debug, Default)]
pub struct Refused {
    /// Codes the manifest names.
    pub expected: std::collections::BTreeSet<String>,
    /// What `cargo check` said.
    pub checked: diagnostics::Checked,
}

impl Refused {
    /// True when the stub did not compile, with exactly the expected codes.
    pub fn is_proof(&self) -> bool {
        !self.checked.compiled && self.checked.codes() == self.expected
    }
}

impl StubRun {
    /// One line for people: how the suite's tests ended against the stub.
    pub fn summary(&self) -> String {
        if let Some(r) = &self.refused {
            return format!(
                "{:<16} stub: {}, error codes [{}] (expected [{}])",
                self.package,
                if r.checked.compiled {
                    "compiles"
                } else {
                    "refused"
                },
                r.checked.codes_list(),
                r.expected.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        format!(
            "{:<16} stub: {} tests fail on todo!(), {} pass, {} fail otherwise",
            self.package,
            self.failed_on_todo.len(),
            self.passed.len(),
            self.failed_otherwise.len()
        )
    }

    /// Why this run is no proof, with the tests at fault and cargo's
    /// output; `None` when it is one.
    pub fn problem(&self) -> Option<String> {
        if let Some(r) = &self.refused {
            return (!r.is_proof()).then(|| {
                let said: Vec<&str> = r
                    .checked
                    .errors
                    .iter()
                    .map(|e| e.rendered.as_str())
                    .collect();
                format!(
                    "{}: a compile-fail stub must be refused with exactly the codes [{}], \
                     but {} (codes [{}]); fix the stub's solution markers or the manifest's \
                     `errors`:\n{}",
                    self.package,
                    r.expected.iter().cloned().collect::<Vec<_>>().join(", "),
                    if r.checked.compiled {
                        "it compiles"
                    } else {
                        "it was refused"
                    },
                    r.checked.codes_list(),
                    said.join("\n")
                )
            });
        }
        (!self.is_proof()).then(|| {
            format!(
                "{}: the stub is no proof (passed {:?}, failed otherwise {:?}):\n{}",
                self.package, self.passed, self.failed_otherwise, self.output_tail
            )
        })
    }

    /// True when the suite ran and every test failed on the `todo!()`.
    pub fn is_proof(&self) -> bool {
        if let Some(r) = &self.refused {
            return r.is_proof();
        }
        self.ran
            && !self.failed_on_todo.is_empty()
            && self.passed.is_empty()
            && self.failed_otherwise.is_empty()
    }
}

/// The message `todo!()` panics with.
const TODO_PANIC: &str = "not yet implemented";

/// Runs every exercise's suite against its stub and classifies every test;
/// for a compile-fail exercise, `cargo check` and its error codes.
///
/// The suite stubs run in one `cargo test --no-fail-fast` (cargo builds
/// them together, on every core), with `$COURSE_RESULTS` naming a fresh
/// file: each test's end is read from the suites' own typed records
/// (package, test, pass or fail, the panic's message), never from
/// libtest's text.
pub fn run_all(root: &Path, exercises: &[&Exercise]) -> Result<Vec<StubRun>> {
    let mut runs = Vec::new();
    let suites: Vec<&&Exercise> = exercises.iter().filter(|e| e.kind == Kind::Suite).collect();
    let records = tempfile::NamedTempFile::new().context("a file for the suites' records")?;
    let mut output = String::new();
    if !suites.is_empty() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(root)
            .args(["test", "--no-fail-fast", "--test", "suite"])
            .env("CARGO_TERM_COLOR", "never")
            .env("RUST_BACKTRACE", "0")
            .env(results::RESULTS_ENV, records.path());
        for ex in &suites {
            cmd.args(["--package", ex.package()]);
        }
        let out = cmd.output().context("running cargo test on the stubs")?;
        output = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let (records, _) = results::read_records(records.path());
    for ex in exercises {
        if ex.kind == Kind::CompileFail {
            let checked = diagnostics::check(root, ex.package(), None)?;
            runs.push(StubRun {
                package: ex.package().to_owned(),
                refused: Some(Refused {
                    expected: ex.expected_errors(),
                    checked,
                }),
                ..StubRun::default()
            });
        } else {
            runs.push(classify(ex.package(), &records, &output));
        }
    }
    Ok(runs)
}

/// Sorts the tests of one package's records into passed / failed-on-todo /
/// failed-otherwise; `output` (cargo's) is kept for the report.
pub fn classify(package: &str, records: &[results::Record], output: &str) -> StubRun {
    let mut run = StubRun {
        package: package.to_owned(),
        ..StubRun::default()
    };
    for r in records.iter().filter(|r| r.package == package) {
        let results::Event::Test(end) = &r.event else {
            continue;
        };
        run.ran = true;
        match end.status {
            results::TestStatus::Pass => run.passed.push(r.test.clone()),
            _ if end.message.contains(TODO_PANIC) => run.failed_on_todo.push(r.test.clone()),
            _ => run.failed_otherwise.push(r.test.clone()),
        }
    }
    let lines: Vec<&str> = output.lines().collect();
    run.output_tail = lines[lines.len().saturating_sub(25)..].join("\n");
    run
}

#[cfg(test)]
mod tests {
    use super::*;
    use results::{Event, Record, TestEnd, TestStatus};

    fn end(test: &str, status: TestStatus, message: &str) -> Record {
        Record {
            schema: results::RECORD_SCHEMA,
            package: "x".into(),
            test: test.into(),
            event: Event::Test(TestEnd {
                status,
                message: message.into(),
                seconds: 0.0,
            }),
        }
    }

    #[test]
    fn sorts_tests_by_how_they_ended() {
        let records = [
            end("a", TestStatus::Fail, "not yet implemented: do it"),
            end("b", TestStatus::Pass, ""),
            end("c", TestStatus::Fail, "assertion failed"),
        ];
        let run = classify("x", &records, "");
        assert!(run.ran);
        assert_eq!(run.failed_on_todo, ["a"]);
        assert_eq!(run.passed, ["b"]);
        assert_eq!(run.failed_otherwise, ["c"]);
        assert!(!run.is_proof());
        let other = classify("y", &records, "");
        assert!(
            !other.ran && !other.is_proof(),
            "another package's records are not this one's"
        );
    }

    #[test]
    fn a_suite_that_never_ran_is_no_proof() {
        let run = classify("x", &[], "error[E0425]: cannot find function");
        assert!(!run.ran);
        assert!(!run.is_proof());
    }
}
