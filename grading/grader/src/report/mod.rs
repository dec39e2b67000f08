//! The grade report: one typed value per student, written as JSON (with a
//! JSON Schema generated from these types and kept in
//! `grading/report.schema.json`), JUnit XML, Markdown and a terminal table.
//!
//! Every report of one grade is rendered from the same [`Report`], so the
//! renderings never disagree (the platforms' formats in [`platforms`] too).
//! The grader builds it as it scores each exercise; its [`super::Event`]s
//! only report progress to the terminal.

pub mod json;
pub mod junit;
pub mod markdown;
pub mod platforms;
pub mod terminal;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the report format. Raise it when a field changes meaning or
/// goes away; adding a field does not need a new version, so readers ignore
/// fields they do not know, and a field added later has a default (a report
/// written before it still reads).
pub const REPORT_SCHEMA: u32 = 1;

/// One student's grade: `report.json`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// [`REPORT_SCHEMA`] at the time of writing.
    pub schema: u32,
    /// Who was graded: the checkout's folder name unless given.
    pub student: String,
    /// The checkout that was graded, as given on the command line.
    pub source: String,
    /// When grading started, in seconds since the Unix epoch (UTC).
    pub started_unix: u64,
    /// Wall time of the whole grade, builds included.
    pub seconds: f64,
    /// Points earned over every exercise.
    pub points: f64,
    /// Points that could be earned: speed checks not judged are left out.
    pub max_points: f64,
    /// The limits the suites ran under, and which were enforced.
    pub limits: Limits,
    /// Files of the checkout that were not used: only `src/**/*.rs` of each
    /// exercise is taken from a student; anything else that differs from
    /// the course is listed here and has no effect on the grade.
    pub ignored: Vec<Ignored>,
    /// One entry per exercise, in the course's order.
    pub exercises: Vec<ExerciseReport>,
}

/// Limits of one grade, from the manifest (or the command line).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Limits {
    /// Wall time of one exercise's suite run, per exercise.
    pub wall_seconds: Vec<ExerciseLimit>,
    /// Bytes of output kept from one suite run before it is killed.
    pub output_bytes: u64,
    /// Tasks (threads and processes) the sandbox's user may have.
    pub max_tasks: u64,
    /// Limits in force: e.g. `wall time`, `output size`, `process group`,
    /// `runs as nobody`, `RLIMIT_NPROC`, `loopback only`, `pid namespace`.
    pub enforced: Vec<String>,
    /// Limits not in force on this run, with why (e.g. not root).
    pub not_enforced: Vec<String>,
}

/// A per-exercise limit.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ExerciseLimit {
    /// The exercise.
    pub exercise: String,
    /// The limit, in seconds.
    pub seconds: u64,
}

/// A file of the checkout that was not used.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Ignored {
    /// Path relative to the checkout.
    pub path: String,
    /// Why it was not used.
    pub reason: String,
}

/// How an exercise's grading ended.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseStatus {
    /// The suite ran to its end; each test is scored.
    Graded,
    /// The checkout has no source for it: the course's stub was graded.
    Missing,
    /// The student's source did not compile: 0 points.
    CompileError,
    /// The suite ran past the wall limit and was killed: 0 points.
    TimedOut,
    /// The suite printed more than the output limit and was killed: 0 points.
    OutputLimit,
    /// The test process died of a signal or an abort: 0 points.
    Crashed,
    /// The sources write what only the test harness writes (libtest's
    /// lines, the records file): not run, 0 points, for an instructor to
    /// look at.
    Refused,
    /// Not graded in this run (left out by `--exercise`).
    Skipped,
}

/// One exercise's grade.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ExerciseReport {
    /// Package name, e.g. `fetch-all`.
    pub name: String,
    /// Chapter slug.
    pub chapter: String,
    /// How it ended.
    pub status: ExerciseStatus,
    /// The student's source is the course's stub, unchanged.
    pub untouched: bool,
    /// Points earned.
    pub points: f64,
    /// Points that could be earned (speed checks not judged left out).
    pub max_points: f64,
    /// Why it scored 0 as a whole (compile error, limit), else empty.
    pub message: String,
    /// Build time: one build makes every exercise of a grade, so this is
    /// that build's time, the same on each exercise.
    pub build_seconds: f64,
    /// Suite time, re-runs included.
    pub run_seconds: f64,
    /// Processes of the sandbox found alive after the suite ended, and
    /// killed (0 when the sandbox held).
    pub leftovers_killed: usize,
    /// One entry per suite test listed in the manifest.
    pub tests: Vec<TestReport>,
    /// One entry per requirement of the exercise's page (the course
    /// catalogue), judged from the tests above. Empty in reports written
    /// before it was added.
    #[serde(default)]
    pub requirements: Vec<RequirementReport>,
}

/// Whether one promise of the page was kept, as its checks found.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RequirementReport {
    /// The requirement's id in `course/catalogue/<exercise>.toml`.
    pub id: String,
    /// `does`, `design` or `never`.
    pub kind: String,
    /// The promise, as the page states it.
    pub promise: String,
    /// What its checks found.
    pub status: RequirementStatus,
    /// The checks that judge it.
    pub checks: Vec<String>,
    /// Those of its checks that did not pass (failed, partial or not run).
    pub failed: Vec<String>,
}

/// What a requirement's checks found, together.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RequirementStatus {
    /// Every check that judges it passed.
    Met,
    /// None failed outright, but a speed check earned only partial credit.
    PartlyMet,
    /// A check that judges it failed.
    Broken,
    /// No check failed, but a speed check could not be judged.
    NotJudged,
    /// Its checks did not run (compile error, killed suite).
    NotRun,
}

/// Each requirement of `catalogue`, judged from the scored `tests`: broken
/// when any of its checks failed, not run when any did not run, partly met
/// on partial credit, not judged when a speed check was not judged, met
/// when all of them passed.
pub fn requirements(catalogue: &course::Catalogue, tests: &[TestReport]) -> Vec<RequirementReport> {
    catalogue
        .requirements
        .iter()
        .map(|r| {
            let checks: Vec<String> = catalogue
                .checks_of(&r.id)
                .iter()
                .map(|c| c.name.clone())
                .collect();
            let statuses: Vec<(&String, TestStatus)> = checks
                .iter()
                .map(|c| {
                    let status = tests
                        .iter()
                        .find(|t| &t.name == c)
                        .map_or(TestStatus::NotRun, |t| t.status);
                    (c, status)
                })
                .collect();
            let any = |s: TestStatus| statuses.iter().any(|(_, st)| *st == s);
            let status = if any(TestStatus::Fail) {
                RequirementStatus::Broken
            } else if any(TestStatus::NotRun) {
                RequirementStatus::NotRun
            } else if any(TestStatus::Partial) {
                RequirementStatus::PartlyMet
            } else if any(TestStatus::NotJudged) {
                RequirementStatus::NotJudged
            } else {
                RequirementStatus::Met
            };
            RequirementReport {
                id: r.id.clone(),
                kind: format!("{:?}", r.kind).to_lowercase(),
                promise: r.promise.split_whitespace().collect::<Vec<_>>().join(" "),
                status,
                failed: statuses
                    .iter()
                    .filter(|(_, s)| {
                        matches!(
                            s,
                            TestStatus::Fail | TestStatus::Partial | TestStatus::NotRun
                        )
                    })
                    .map(|(c, _)| (*c).clone())
                    .collect(),
                checks,
            }
        })
        .collect()
}

/// What a suite test is worth.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// Points when it passes.
    Correctness,
    /// A speedup check scored in tiers against the reference.
    Speed,
}

/// How a test is scored.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    /// Passed: all its points.
    Pass,
    /// A speed check that failed for being too slow but earned partial credit.
    Partial,
    /// Failed: no points.
    Fail,
    /// A speed check inconclusive twice: left out of the maximum.
    NotJudged,
    /// Did not run (compile error, killed suite, no record).
    NotRun,
}

/// One test's score.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct TestReport {
    /// The test function, e.g. `requests_overlap`.
    pub name: String,
    /// Correctness or speed.
    pub kind: TestKind,
    /// How it is scored.
    pub status: TestStatus,
    /// Points earned.
    pub points: f64,
    /// Points that could be earned (0 when not judged).
    pub max_points: f64,
    /// The failure message, the check's explanation, or why not judged.
    pub message: String,
    /// Wall time of the test.
    pub seconds: f64,
    /// Times it was run again alone: once more when its check was
    /// inconclusive, and up to twice more when a speed check failed (the
    /// best run counts).
    pub reruns: u32,
    /// The speedup check's figures, for a speed test that reached its check.
    pub check: Option<CheckFigures>,
}

/// The figures a speedup check measured, and how they were scored.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CheckFigures {
    /// The check's name.
    pub check: String,
    /// `pass`, `fail` or `inconclusive`, as the harness judged it.
    pub verdict: String,
    /// The harness's typed reason, e.g. `plainly_serial`.
    pub reason: String,
    /// `speedup` (score: speedup over sequential, higher is better),
    /// `overlap` (score: wall time over the ideal overlapped time, lower is
    /// better) or `serial` (score: time over sequential, near 1 is right).
    /// Empty in reports written before it was added.
    #[serde(default)]
    pub kind: String,
    /// The requirement in words, e.g. "speedup ≥ ×1.35".
    pub requirement: String,
    /// The candidate's figure in the requirement's terms.
    pub score: f64,
    /// The reference's figure, measured in the same run.
    pub reference_score: f64,
    /// The fraction of the reference's gain the candidate reached (see the
    /// README's scoring section).
    pub gain_ratio: f64,
    /// Fraction of the check's points earned.
    pub credit: f64,
    /// Fastest candidate run, seconds.
    pub candidate_s: f64,
    /// Fastest reference run, seconds.
    pub reference_s: f64,
    /// Fastest sequential run, seconds (CPU checks).
    pub sequential_s: Option<f64>,
    /// Cores available to the check.
    pub cores: usize,
    /// Interleaved rounds measured.
    pub rounds: usize,
    /// The machine's 1-minute load average when the check was judged (the
    /// harness reads `/proc/loadavg`; none where there is no such file, and
    /// in reports written before it was added): how busy the machine was
    /// beside `cores`.
    #[serde(default)]
    pub load_average: Option<f64>,
}

impl Report {
    /// Exercises that were graded (not skipped).
    pub fn graded(&self) -> impl Iterator<Item = &ExerciseReport> {
        self.exercises
            .iter()
            .filter(|e| e.status != ExerciseStatus::Skipped)
    }
}

impl CheckFigures {
    /// The candidate's figure beside the reference's, in the check's terms.
    pub fn versus(&self) -> String {
        match self.kind.as_str() {
            "overlap" => format!(
                "{:.2} × ideal (reference {:.2} ×)",
                self.score, self.reference_score
            ),
            "serial" => format!("{:.2} × sequential time (expected about 1)", self.score),
            _ => format!(
                "speedup ×{:.2} (reference ×{:.2})",
                self.score, self.reference_score
            ),
        }
    }
}

/// How busy the machine was while a speed check ran, and whether it was
/// run again: what tells a slow student from a slow machine.
pub fn machine_words(c: &CheckFigures, reruns: u32) -> String {
    let load = c.load_average.map_or_else(
        || "load not known".to_owned(),
        |l| format!("load average {l:.1} on {} cores", c.cores),
    );
    let again = match reruns {
        0 => "run once".to_owned(),
        n => format!(
            "run {} times (again alone after an inconclusive or failed run)",
            n + 1
        ),
    };
    format!("machine: {load}; {again}")
}

/// The first line of a message, for tables.
pub fn first_line(message: &str) -> &str {
    message.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
}

/// Points for people: `7`, `7.5`.
pub fn pts(p: f64) -> String {
    let r = (p * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(name: &str, status: TestStatus) -> TestReport {
        TestReport {
            name: name.to_owned(),
            kind: TestKind::Correctness,
            status,
            points: 0.0,
            max_points: 1.0,
            message: String::new(),
            seconds: 0.0,
            reruns: 0,
            check: None,
        }
    }

    #[test]
    fn a_requirement_is_as_kept_as_its_worst_check() {
        let catalogue: course::Catalogue = toml::from_str(
            r#"
            schema = 1
            exercise = "x"
            summary = "x"
            task = "x"
            [[requirement]]
            id = "a"
            kind = "does"
            promise = "A."
            [[requirement]]
            id = "b"
            kind = "never"
            promise = "B."
            [[requirement]]
            id = "c"
            kind = "design"
            promise = "C."
            [[check]]
            name = "one"
            judges = ["a", "b"]
            how = "."
            [[check]]
            name = "two"
            judges = ["b"]
            how = "."
            [[check]]
            name = "three"
            judges = ["c"]
            how = "."
            "#,
        )
        .unwrap();
        let tests = [
            test("one", TestStatus::Pass),
            test("two", TestStatus::Fail),
            test("three", TestStatus::NotJudged),
        ];
        let found = requirements(&catalogue, &tests);
        let status: Vec<_> = found.iter().map(|r| (r.id.as_str(), r.status)).collect();
        assert_eq!(
            status,
            [
                ("a", RequirementStatus::Met),
                ("b", RequirementStatus::Broken),
                ("c", RequirementStatus::NotJudged)
            ]
        );
        assert_eq!(found[1].failed, ["two"]);
        assert_eq!(found[1].checks, ["one", "two"]);
    }
}
