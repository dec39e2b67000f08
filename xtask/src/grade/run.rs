//! Building one exercise, then running its suite's test executable in the
//! sandbox, then running an inconclusive speed check once more alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};

use super::Event;
use super::report::{ExerciseReport, ExerciseStatus, TestKind, TestReport, TestStatus};
use super::sandbox::{Ended, Sandbox};
use super::score::{self, SuiteRun};
use crate::course::{Exercise, Grading, Kind, Worth};
use crate::diagnostics;
use crate::results;

/// What a build gave.
#[derive(Debug)]
pub struct Built {
    /// The suite's test executable, when it compiled.
    pub exe: Option<PathBuf>,
    /// The package's own binaries (what `CARGO_BIN_EXE_<name>` names): a
    /// suite that starts its crate's program as workers runs them.
    pub programs: Vec<PathBuf>,
    /// The first compiler error (rendered), when it did not.
    pub error: Option<String>,
    /// The codes of every compiler error, when it did not compile.
    pub codes: std::collections::BTreeSet<String>,
    /// Build time.
    pub seconds: f64,
}

/// Builds the suite of `package` in the workspace at `root`:
/// `cargo test --no-run --message-format=json`, reading the executable's
/// path and the first error from cargo's JSON messages.
pub fn build(root: &Path, target_dir: Option<&Path>, package: &str) -> Result<Built> {
    let start = Instant::now();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["test", "--no-run", "--locked", "--message-format=json"])
        .args(["--package", package, "--test", "suite"])
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    if let Some(dir) = target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    let out = cmd.output().context("running cargo to build a suite")?;
    let mut exe = None;
    let mut programs = Vec::new();
    for msg in cargo_metadata::Message::parse_stream(out.stdout.as_slice()).flatten() {
        if let cargo_metadata::Message::CompilerArtifact(a) = msg {
            if a.target.name == "suite" && a.profile.test {
                exe = a.executable.map(PathBuf::from);
            } else if a.target.is_bin() && !a.profile.test {
                programs.extend(a.executable.map(PathBuf::from));
            }
        }
    }
    let errors = diagnostics::errors_in(out.stdout.as_slice());
    let codes = errors.iter().filter_map(|e| e.code.clone()).collect();
    let mut error = errors.into_iter().next().map(|e| e.rendered);
    if !out.status.success() {
        exe = None;
        if error.is_none() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let lines: Vec<&str> = stderr.lines().collect();
            error = Some(lines[lines.len().saturating_sub(15)..].join("\n"));
        }
    }
    Ok(Built {
        exe,
        programs,
        error,
        codes,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// How to grade one exercise.
pub struct Plan<'a> {
    /// The workspace to build in.
    pub root: &'a Path,
    /// `CARGO_TARGET_DIR`, or cargo's default.
    pub target_dir: Option<&'a Path>,
    /// Limits.
    pub grading: &'a Grading,
    /// The sandbox.
    pub sandbox: &'a Sandbox,
    /// Overrides the manifest's wall limit.
    pub wall_seconds: Option<u64>,
    /// Run inconclusive checks once more.
    pub rerun_inconclusive: bool,
    /// When the student's sources were written: a suite executable older
    /// than this was not built from them.
    pub sources_written: Option<SystemTime>,
}

/// Builds, runs and scores `ex`, reporting progress to `emit`.
pub fn exercise(
    plan: &Plan<'_>,
    ex: &Exercise,
    untouched: bool,
    missing: bool,
    emit: &mut dyn FnMut(Event),
) -> Result<ExerciseReport> {
    emit(Event::ExerciseStarted {
        exercise: ex.name.clone(),
    });
    let worth = ex.worth(plan.grading);
    let catalogue = course::Catalogue::load(plan.root, &ex.name)?;
    let mut report = ExerciseReport {
        name: ex.name.clone(),
        chapter: ex.chapter.clone(),
        status: if missing {
            ExerciseStatus::Missing
        } else {
            ExerciseStatus::Graded
        },
        untouched,
        points: 0.0,
        max_points: 0.0,
        message: String::new(),
        build_seconds: 0.0,
        run_seconds: 0.0,
        leftovers_killed: 0,
        tests: Vec::new(),
        requirements: Vec::new(),
    };
    let mut forged = Vec::new();
    let src = plan.root.join(ex.exercise_dir()).join("src");
    for file in super::workspace::rust_sources(&src)? {
        let text = std::fs::read_to_string(src.join(&file))?;
        forged.extend(super::forgery::traces(&text));
    }
    if !forged.is_empty() {
        forged.sort_unstable();
        forged.dedup();
        report.status = ExerciseStatus::Refused;
        report.message = format!(
            "not run: the sources contain {}, which only the test harness writes; an \
             instructor should look at them",
            forged.join(" and ")
        );
        report.tests = score::not_run(&worth, "not run: the sources forge test results");
        return Ok(finish(report, &catalogue, emit));
    }
    let built = build(plan.root, plan.target_dir, ex.package())?;
    report.build_seconds = built.seconds;
    emit(Event::Built {
        exercise: ex.name.clone(),
        ok: built.exe.is_some(),
        seconds: built.seconds,
    });
    let Some(exe) = built.exe else {
        report.status = ExerciseStatus::CompileError;
        report.message = compile_error_message(ex, &built);
        report.tests = score::not_run(&worth, "the exercise did not compile");
        return Ok(finish(report, &catalogue, emit));
    };
    if let Some(written) = plan.sources_written {
        let built_at = std::fs::metadata(&exe).and_then(|m| m.modified())?;
        if built_at < written {
            bail!(
                "cargo took {} as up to date, but it is older than this student's sources: \
                 a build of another copy of the course was reused (a course copy inside the \
                 target folder makes cargo record its files relative to that folder). \
                 Grade into an --out folder outside the target folder.",
                exe.display()
            );
        }
    }
    let wall = Duration::from_secs(
        plan.wall_seconds
            .unwrap_or_else(|| ex.wall_seconds(plan.grading)),
    );
    let args = ["--test-threads=1", "--color=never"];
    let programs = built.programs;
    let run = plan
        .sandbox
        .run(&exe, &programs, &args, wall, &mut |record| {
            if let results::Event::Test(end) = &record.event {
                emit(Event::TestEnded {
                    exercise: ex.name.clone(),
                    test: record.test.clone(),
                    passed: end.status == results::TestStatus::Pass,
                });
            }
        })?;
    report.run_seconds = run.seconds;
    report.leftovers_killed = run.leftovers_killed;
    let whole = match run.ended {
        Ended::TimedOut => Some((
            ExerciseStatus::TimedOut,
            format!(
                "the suite ran past the wall limit of {} s and was killed",
                wall.as_secs()
            ),
        )),
        Ended::OutputLimit => Some((
            ExerciseStatus::OutputLimit,
            format!(
                "the suite printed more than {} bytes and was killed",
                plan.sandbox.output_bytes.unwrap_or(0)
            ),
        )),
        Ended::Signalled(sig) => Some((
            ExerciseStatus::Crashed,
            format!(
                "the test process died of signal {sig} (an abort, a stack overflow or a crash)"
            ),
        )),
        Ended::Exited(code) if code != 0 && code != 101 => Some((
            ExerciseStatus::Crashed,
            format!("the test process exited with code {code}, not as a test run ends"),
        )),
        Ended::Exited(_) => None,
    };
    if let Some((status, message)) = whole {
        report.status = status;
        let all = format!("{}\n{}", run.output, run.errors);
        let tail: Vec<&str> = all.lines().rev().take(8).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        report.message = format!("{message}\n{}", tail.join("\n"));
        report.tests = score::not_run(&worth, &message);
        return Ok(finish(report, &catalogue, emit));
    }
    let mut tests = score::tests(
        &worth,
        SuiteRun {
            records: &run.records,
            output: &run.output,
        },
    );
    if plan.rerun_inconclusive {
        for t in tests.iter_mut() {
            let worth = worth[t.name.as_str()];
            if score::inconclusive(t) {
                let (mut again, seconds) = rerun(plan, &exe, &programs, &t.name, worth, wall)?;
                report.run_seconds += seconds;
                again.reruns = t.reruns + 1;
                if score::inconclusive(&again) {
                    again.message = format!("{} (inconclusive twice)", again.message);
                }
                *t = again;
            }
            // A failed speed check is measured again, alone, and the best
            // of up to SPEED_ATTEMPTS runs counts (CS149's graders keep the
            // fastest of three): a right solution that a busy machine
            // slowed once gets its points back; code that is wrong fails
            // every time.
            let mut attempts = 1;
            while failed_speed_check(t) && attempts < SPEED_ATTEMPTS {
                let (again, seconds) = rerun(plan, &exe, &programs, &t.name, worth, wall)?;
                report.run_seconds += seconds;
                attempts += 1;
                let reruns = t.reruns + 1;
                if again.status == TestStatus::Pass || again.points > t.points {
                    *t = again;
                }
                t.reruns = reruns;
            }
            if attempts > 1 && t.status != TestStatus::Pass {
                t.message = format!("{} (best of {attempts} runs)", t.message);
            }
        }
    }
    for t in &tests {
        emit(Event::TestFinished {
            exercise: ex.name.clone(),
            test: t.clone(),
        });
    }
    report.tests = tests;
    Ok(finish(report, &catalogue, emit))
}

/// Why an exercise scored nothing for not compiling: the first error as
/// rustc rendered it, after, for a compile-fail exercise, its codes and
/// whether they are still the stub's own.
pub fn compile_error_message(ex: &Exercise, built: &Built) -> String {
    let first = built.error.clone().unwrap_or_default();
    if ex.kind != Kind::CompileFail {
        return first;
    }
    let codes: Vec<&str> = built.codes.iter().map(String::as_str).collect();
    let still = if built.codes == ex.expected_errors() {
        "the stub's own error, not fixed yet"
    } else {
        "not the stub's error any more: a new one to fix"
    };
    format!(
        "does not compile: error {} ({still}); make it compile and pass its suite\n{first}",
        codes.join(", ")
    )
}

/// Runs of a failed speed check before its result stands.
pub const SPEED_ATTEMPTS: u32 = 3;

/// A speed test that reached its check and did not pass.
fn failed_speed_check(t: &TestReport) -> bool {
    t.kind == TestKind::Speed
        && t.check.is_some()
        && matches!(t.status, TestStatus::Fail | TestStatus::Partial)
}

/// Runs one test alone and scores it.
fn rerun(
    plan: &Plan<'_>,
    exe: &Path,
    programs: &[PathBuf],
    test: &str,
    worth: Worth,
    wall: Duration,
) -> Result<(TestReport, f64)> {
    let run = plan.sandbox.run(
        exe,
        programs,
        &["--test-threads=1", "--color=never", "--exact", test],
        wall,
        &mut |_| {},
    )?;
    let one = BTreeMap::from([(test, worth)]);
    let mut scored = score::tests(
        &one,
        SuiteRun {
            records: &run.records,
            output: &run.output,
        },
    );
    Ok((scored.remove(0), run.seconds))
}

fn finish(
    mut report: ExerciseReport,
    catalogue: &course::Catalogue,
    emit: &mut dyn FnMut(Event),
) -> ExerciseReport {
    report.requirements = super::report::requirements(catalogue, &report.tests);
    report.points = report.tests.iter().map(|t| t.points).sum();
    report.max_points = report.tests.iter().map(|t| t.max_points).sum();
    emit(Event::ExerciseFinished {
        report: report.clone(),
    });
    report
}
