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
use crate::results;
use course::{Exercise, Grading, Kind, Worth};
use listings::diagnostics;

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

/// Builds the suites of `exercises` in the workspace at `root`, all in one
/// `cargo build --test suite --keep-going --message-format=json` (so cargo
/// spreads the crates over every core, and one that does not compile stops
/// none of the others; `cargo test --no-run` has no `--keep-going`, and
/// stops scheduling at the first crate that fails), and reads from cargo's JSON messages, per exercise,
/// its suite's executable, its own binaries and its errors. A message or an
/// artifact belongs to the exercise whose folder holds its target's source.
/// Every exercise's `seconds` is the one build's time.
pub fn build_all(
    root: &Path,
    target_dir: Option<&Path>,
    exercises: &[&Exercise],
) -> Result<BTreeMap<String, Built>> {
    let start = Instant::now();
    let mut built: BTreeMap<String, Built> = BTreeMap::new();
    if exercises.is_empty() {
        return Ok(built);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--locked", "--keep-going", "--message-format=json"])
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    for ex in exercises {
        cmd.args(["--package", ex.package()]);
    }
    cmd.args(["--test", "suite"]);
    if let Some(dir) = target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    let out = cmd.output().context("running cargo to build the suites")?;
    let seconds = start.elapsed().as_secs_f64();
    let dirs: Vec<(String, PathBuf)> = exercises
        .iter()
        .map(|ex| (ex.name.clone(), root.join(ex.exercise_dir())))
        .collect();
    let owner = |src: &Path| {
        dirs.iter()
            .find(|(_, dir)| src.starts_with(dir))
            .map(|(name, _)| name.clone())
    };
    let mut messages: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for line in out.stdout.split(|b| *b == b'\n') {
        let Ok(msg) = serde_json::from_slice::<cargo_metadata::Message>(line) else {
            continue;
        };
        match msg {
            cargo_metadata::Message::CompilerArtifact(a) => {
                let Some(name) = owner(a.target.src_path.as_std_path()) else {
                    continue;
                };
                let entry = built.entry(name).or_insert_with(|| Built::empty(seconds));
                if a.target.name == "suite" && a.profile.test {
                    entry.exe = a.executable.map(PathBuf::from);
                } else if a.target.is_bin() && !a.profile.test {
                    entry.programs.extend(a.executable.map(PathBuf::from));
                }
            }
            cargo_metadata::Message::CompilerMessage(m) => {
                if let Some(name) = owner(m.target.src_path.as_std_path()) {
                    let lines = messages.entry(name).or_default();
                    lines.extend_from_slice(line);
                    lines.push(b'\n');
                }
            }
            _ => {}
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (name, _) in &dirs {
        let entry = built
            .entry(name.clone())
            .or_insert_with(|| Built::empty(seconds));
        let errors = diagnostics::errors_in(messages.get(name).map_or(&[][..], Vec::as_slice));
        entry.codes = errors.iter().filter_map(|e| e.code.clone()).collect();
        entry.error = errors.into_iter().next().map(|e| e.rendered);
        if entry.error.is_some() {
            entry.exe = None;
        }
        if entry.exe.is_none() && entry.error.is_none() {
            // No error of its own and no executable: the build failed
            // elsewhere (a dependency, cargo itself); say what cargo said.
            let lines: Vec<&str> = stderr.lines().collect();
            entry.error = Some(lines[lines.len().saturating_sub(15)..].join("\n"));
        }
    }
    Ok(built)
}

impl Built {
    fn empty(seconds: f64) -> Self {
        Self {
            exe: None,
            programs: Vec::new(),
            error: None,
            codes: Default::default(),
            seconds,
        }
    }
}

/// Whether `ex`'s sources write what only the test harness writes: a
/// submission that forges results is neither built nor run.
pub fn forged(root: &Path, ex: &Exercise) -> Result<Vec<&'static str>> {
    let mut forged = Vec::new();
    let src = root.join(ex.exercise_dir()).join("src");
    for file in super::workspace::rust_sources(&src)? {
        let text = std::fs::read_to_string(src.join(&file))?;
        forged.extend(super::forgery::traces(&text));
    }
    forged.sort_unstable();
    forged.dedup();
    Ok(forged)
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
    /// Only these tests of an exercise, by exercise (see
    /// [`super::Options::tests`]).
    pub tests: &'a BTreeMap<String, Vec<String>>,
}

/// Runs and scores `ex` from what [`build_all`] gave it (`built`; `None`:
/// it was not built, which a submission that forges results is not),
/// reporting progress to `emit`.
pub fn exercise(
    plan: &Plan<'_>,
    ex: &Exercise,
    built: Option<Built>,
    untouched: bool,
    missing: bool,
    emit: &mut dyn FnMut(Event),
) -> Result<ExerciseReport> {
    emit(Event::ExerciseStarted {
        exercise: ex.name.clone(),
    });
    let selected = plan.tests.get(&ex.name);
    let mut worth = ex.worth(plan.grading);
    if let Some(only) = selected {
        worth.retain(|t, _| only.iter().any(|o| o == t));
    }
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
    let forged = forged(plan.root, ex)?;
    if !forged.is_empty() {
        report.status = ExerciseStatus::Refused;
        report.message = format!(
            "not run: the sources contain {}, which only the test harness writes; an \
             instructor should look at them",
            forged.join(" and ")
        );
        report.tests = score::not_run(&worth, "not run: the sources forge test results");
        return Ok(finish(report, &catalogue, emit));
    }
    let built = match built {
        Some(b) => b,
        None => build_all(plan.root, plan.target_dir, &[ex])?
            .remove(&ex.name)
            .expect("build_all reports every exercise it was given"),
    };
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
    let mut args = vec!["--test-threads=1", "--color=never"];
    if let Some(only) = selected {
        args.push("--exact");
        args.extend(only.iter().map(String::as_str));
    }
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
