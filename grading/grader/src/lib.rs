//! The grader: `cargo xtask grade`, `cargo xtask progress` and the
//! gradebook.
//!
//! - [`workspace`]: the clean copy of the course and what is taken from a
//!   student's checkout (only `src/**/*.rs` of each exercise).
//! - [`forgery`]: sources that write what only the test harness writes.
//! - [`sandbox`]: limits, process group, namespaces, and the kill.
//! - [`run`]: build one exercise, run its suite, re-run an inconclusive check.
//! - [`score`]: pure scoring of records and libtest lines against the
//!   manifest's points.
//! - [`report`]: the report's types and its JSON, JUnit, Markdown and
//!   terminal forms.
//! - [`results`]: reading the suites' records and libtest's output (the
//!   stub check in `xtask` reads them too).
//! - [`gradebook`]: many reports into one CSV and JSON.
//!
//! One typed [`Event`] stream feeds the terminal's progress; the finished
//! [`report::Report`] feeds every file.

pub mod forgery;
pub mod gradebook;
pub mod report;
pub mod results;
pub mod run;
pub mod sandbox;
pub mod score;
pub mod workspace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use course::{Course, Exercise};
use report::{ExerciseLimit, ExerciseReport, ExerciseStatus, Limits, Report, TestReport};
use sandbox::Sandbox;

/// What happens while grading, in order, for whoever shows progress.
#[derive(Clone, Debug)]
pub enum Event {
    /// A student's grade begins.
    GradeStarted {
        /// The student.
        student: String,
        /// Exercises to grade.
        exercises: Vec<String>,
    },
    /// An exercise's build begins.
    ExerciseStarted {
        /// The exercise.
        exercise: String,
    },
    /// One build of every exercise of a grade has started.
    Building {
        /// The exercises it builds.
        exercises: Vec<String>,
    },
    /// An exercise was built (or failed to).
    Built {
        /// The exercise.
        exercise: String,
        /// It compiled.
        ok: bool,
        /// Build time.
        seconds: f64,
    },
    /// The suite recorded the end of a test (live, before scoring).
    TestEnded {
        /// The exercise.
        exercise: String,
        /// The test.
        test: String,
        /// Whether it passed.
        passed: bool,
    },
    /// A test was scored.
    TestFinished {
        /// The exercise.
        exercise: String,
        /// Its score (with the check's figures for a speed test).
        test: TestReport,
    },
    /// An exercise was scored.
    ExerciseFinished {
        /// Its report.
        report: ExerciseReport,
    },
    /// The grade is complete.
    GradeFinished {
        /// The report.
        report: Box<Report>,
    },
}

/// How to grade.
#[derive(Clone, Debug)]
pub struct Options {
    /// Only these exercises (all when empty).
    pub only: Vec<String>,
    /// Overrides the manifest's wall limit for every exercise.
    pub wall_seconds: Option<u64>,
    /// Run an inconclusive speed check once more before "not judged", and a
    /// failed one up to [`run::SPEED_ATTEMPTS`] times in all (the best counts).
    pub rerun_inconclusive: bool,
    /// `CARGO_TARGET_DIR` for the builds; `None`: cargo's default for the
    /// workspace built in.
    pub target_dir: Option<PathBuf>,
    /// The sandbox.
    pub sandbox: Sandbox,
    /// Only these tests of an exercise, by exercise (every test of an
    /// exercise not named here). The others are neither run nor counted:
    /// the grader's self-check judges one check per decoy, and a decoy's
    /// whole suite would take ten times as long to say the same.
    pub tests: BTreeMap<String, Vec<String>>,
}

/// A course copy ready for submissions, shared by every student of a class.
pub struct Grader<'a> {
    course_root: PathBuf,
    course: &'a Course,
    copy: workspace::CourseCopy,
    options: Options,
}

impl<'a> Grader<'a> {
    /// Copies the course at `course_root` into `out/.course`.
    pub fn new(
        course_root: &Path,
        course: &'a Course,
        out: &Path,
        options: Options,
    ) -> Result<Self> {
        for name in &options.only {
            course.find(name)?;
        }
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        if let Some(target) = &options.target_dir {
            std::fs::create_dir_all(target)?;
            let (out_abs, target_abs) =
                (std::fs::canonicalize(out)?, std::fs::canonicalize(target)?);
            if out_abs.starts_with(&target_abs) {
                // Cargo records the files of a package inside its target
                // folder relative to that folder, and the course's crates
                // hash alike wherever the copy is: another copy's build
                // could be taken for this one.
                bail!(
                    "--out {} is inside the target folder {}: choose a folder outside it",
                    out.display(),
                    target.display()
                );
            }
        }
        let copy = workspace::prepare(course_root, &out.join(".course"))?;
        Ok(Self {
            course_root: course_root.to_path_buf(),
            course,
            copy,
            options,
        })
    }

    /// Grades the checkout at `checkout` as `student`.
    pub fn grade(
        &self,
        checkout: &Path,
        student: &str,
        emit: &mut dyn FnMut(Event),
    ) -> Result<Report> {
        if !checkout.is_dir() {
            bail!("{} is not a folder", checkout.display());
        }
        let started = Instant::now();
        let chosen = self.chosen();
        emit(Event::GradeStarted {
            student: student.to_owned(),
            exercises: chosen.iter().map(|e| e.name.clone()).collect(),
        });
        let sources_written = SystemTime::now();
        let taken = workspace::take(
            &self.copy,
            &self.course_root,
            self.course,
            &chosen,
            checkout,
        )?;
        let plan = run::Plan {
            root: &self.copy.root,
            target_dir: self.options.target_dir.as_deref(),
            grading: &self.course.grading,
            sandbox: &self.options.sandbox,
            wall_seconds: self.options.wall_seconds,
            rerun_inconclusive: self.options.rerun_inconclusive,
            sources_written: Some(sources_written),
            tests: &self.options.tests,
        };
        let mut to_build = Vec::new();
        for ex in &chosen {
            if run::forged(plan.root, ex)?.is_empty() {
                to_build.push(*ex);
            }
        }
        emit(Event::Building {
            exercises: to_build.iter().map(|e| e.name.clone()).collect(),
        });
        let mut built = run::build_all(plan.root, plan.target_dir, &to_build)?;
        let mut exercises = Vec::new();
        for ex in &self.course.exercises {
            if !chosen.iter().any(|c| c.name == ex.name) {
                exercises.push(skipped(ex, self.course));
                continue;
            }
            let untouched = taken.untouched.contains(&ex.name);
            let missing = taken.missing.contains(&ex.name);
            let built = built.remove(&ex.name);
            exercises.push(run::exercise(&plan, ex, built, untouched, missing, emit)?);
        }
        let report = self.report(student, checkout, taken.ignored, exercises, started);
        emit(Event::GradeFinished {
            report: Box::new(report.clone()),
        });
        Ok(report)
    }

    fn chosen(&self) -> Vec<&'a Exercise> {
        self.course
            .exercises
            .iter()
            .filter(|e| self.options.only.is_empty() || self.options.only.contains(&e.name))
            .collect()
    }

    fn report(
        &self,
        student: &str,
        checkout: &Path,
        ignored: Vec<report::Ignored>,
        exercises: Vec<ExerciseReport>,
        started: Instant,
    ) -> Report {
        let (enforced, not_enforced) = self.options.sandbox.describe();
        let g = &self.course.grading;
        Report {
            schema: report::REPORT_SCHEMA,
            student: student.to_owned(),
            source: checkout.display().to_string(),
            started_unix: unix_now().saturating_sub(started.elapsed().as_secs()),
            seconds: started.elapsed().as_secs_f64(),
            points: exercises.iter().map(|e| e.points).sum(),
            max_points: exercises.iter().map(|e| e.max_points).sum(),
            limits: Limits {
                wall_seconds: self
                    .chosen()
                    .iter()
                    .map(|e| ExerciseLimit {
                        exercise: e.name.clone(),
                        seconds: self
                            .options
                            .wall_seconds
                            .unwrap_or_else(|| e.wall_seconds(g)),
                    })
                    .collect(),
                output_bytes: self.options.sandbox.output_bytes.unwrap_or(0),
                max_tasks: if self.options.sandbox.isolate {
                    self.options.sandbox.max_tasks
                } else {
                    0
                },
                enforced,
                not_enforced,
            },
            ignored,
            exercises,
        }
    }
}

fn skipped(ex: &Exercise, course: &Course) -> ExerciseReport {
    ExerciseReport {
        name: ex.name.clone(),
        chapter: ex.chapter.clone(),
        status: ExerciseStatus::Skipped,
        untouched: false,
        points: 0.0,
        max_points: 0.0,
        message: "not graded in this run".to_owned(),
        build_seconds: 0.0,
        run_seconds: 0.0,
        leftovers_killed: 0,
        tests: score::not_run(&ex.worth(&course.grading), "not graded in this run")
            .into_iter()
            .map(|mut t| {
                t.max_points = 0.0;
                t
            })
            .collect(),
        requirements: Vec::new(),
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Writes every report of `report` into `out`: `report.json`, `junit.xml`,
/// `summary.md`.
pub fn write_reports(report: &Report, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)?;
    report::json::write(report, &out.join("report.json"))?;
    report::junit::write(report, &out.join("junit.xml"))?;
    std::fs::write(out.join("summary.md"), report::markdown::summary(report))
        .with_context(|| format!("writing {}", out.join("summary.md").display()))?;
    Ok(())
}

/// The student's view: grades the repository's own exercises in place (no
/// copy, no sandbox limits, the repository's own target folder), skipping
/// exercises whose source is still the stub.
pub fn progress(
    root: &Path,
    course: &Course,
    only: &[String],
    emit: &mut dyn FnMut(Event),
) -> Result<Report> {
    let started = Instant::now();
    let sandbox = Sandbox::none();
    let every_test = BTreeMap::new();
    let plan = run::Plan {
        root,
        target_dir: None,
        grading: &course.grading,
        sandbox: &sandbox,
        wall_seconds: Some(600),
        rerun_inconclusive: true,
        sources_written: None,
        tests: &every_test,
    };
    let chosen: Vec<&Exercise> = course
        .exercises
        .iter()
        .filter(|e| only.is_empty() || only.contains(&e.name))
        .collect();
    emit(Event::GradeStarted {
        student: "you".to_owned(),
        exercises: chosen.iter().map(|e| e.name.clone()).collect(),
    });
    let mut exercises = Vec::new();
    for ex in &course.exercises {
        if !chosen.iter().any(|c| c.name == ex.name) {
            exercises.push(skipped(ex, course));
            continue;
        }
        let src = root.join(ex.exercise_dir()).join("src");
        if workspace::is_stub(root, ex, &src)? {
            let mut r = skipped(ex, course);
            r.status = ExerciseStatus::Missing;
            r.untouched = true;
            r.message = "untouched: still the stub".to_owned();
            if ex.kind == course::Kind::CompileFail {
                // Known without building: the course's rules prove that
                // the stub gets exactly these codes.
                r.status = ExerciseStatus::CompileError;
                r.message = format!(
                    "untouched: error {}; make it compile and pass its suite",
                    ex.errors.join(", ")
                );
            }
            r.tests = score::not_run(&ex.worth(&course.grading), "untouched");
            r.max_points = r.tests.iter().map(|t| t.max_points).sum();
            emit(Event::ExerciseFinished { report: r.clone() });
            exercises.push(r);
            continue;
        }
        exercises.push(run::exercise(&plan, ex, None, false, false, emit)?);
    }
    let (enforced, not_enforced) = sandbox.describe();
    let report = Report {
        schema: report::REPORT_SCHEMA,
        student: "you".to_owned(),
        source: root.display().to_string(),
        started_unix: unix_now().saturating_sub(started.elapsed().as_secs()),
        seconds: started.elapsed().as_secs_f64(),
        points: exercises.iter().map(|e| e.points).sum(),
        max_points: exercises.iter().map(|e| e.max_points).sum(),
        limits: Limits {
            wall_seconds: Vec::new(),
            output_bytes: 0,
            max_tasks: 0,
            enforced,
            not_enforced,
        },
        ignored: Vec::new(),
        exercises,
    };
    emit(Event::GradeFinished {
        report: Box::new(report.clone()),
    });
    Ok(report)
}
