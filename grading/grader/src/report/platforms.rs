//! The grade in the formats of the platforms instructors already grade on,
//! rendered from the same [`Report`] as every other output.
//!
//! - **Gradescope** reads `/autograder/results/results.json`: a top-level
//!   `score`, `output` and `tests`, each test with `name`, `score`,
//!   `max_score`, `output`, `visibility` and `status`
//!   (gradescope/autograder_samples, `docs/specs.md`).
//! - **GitHub Classroom**'s `autograding-grading-reporter` reads, for each
//!   runner named in its `runners` input, the environment variable
//!   `<RUNNER>_RESULTS`: Base64 of a JSON object with `version`, `status`
//!   (`pass`, `fail`, `error`), `max_score` and `tests`, each test with
//!   `name`, `status`, `score` and `message`; Classroom records the sum of
//!   the tests' scores over the sum of the runners' `max_score`.
//!
//! A speed check that was not judged (the machine could not show what it
//! measures) costs nothing on either platform: on Gradescope it is a hidden
//! test worth 0 of 0 (hidden tests "don't affect" the total, the specs
//! say); Classroom has no skipped state, so it is left out of the tests and
//! of `max_score`, and named in the overall output instead.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{ExerciseStatus, Report, TestReport, TestStatus, first_line, markdown};

/// Gradescope's `results.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GradescopeResults {
    /// The submission's score (overrides the sum of the tests).
    pub score: f64,
    /// Seconds the grade took.
    pub execution_time: f64,
    /// Text for the whole submission: the summary, in Markdown.
    pub output: String,
    /// `md`: `output` is Markdown.
    pub output_format: String,
    /// Who sees the results: `visible`.
    pub visibility: String,
    /// Who sees the autograder's stdout: `hidden` (the grader's own log).
    pub stdout_visibility: String,
    /// One entry per suite test of every graded exercise.
    pub tests: Vec<GradescopeTest>,
}

/// One test of Gradescope's `results.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GradescopeTest {
    /// `exercise: test`.
    pub name: String,
    /// Points earned.
    pub score: f64,
    /// Points that could be earned (0 when not judged).
    pub max_score: f64,
    /// `passed` or `failed`.
    pub status: String,
    /// The failure message, or why it was not judged.
    pub output: String,
    /// `visible`, or `hidden` for a check that was not judged.
    pub visibility: String,
    /// The exercise's chapter and name, and the test's kind.
    pub tags: Vec<String>,
}

/// Gradescope's `results.json` for `report`.
pub fn gradescope(report: &Report) -> GradescopeResults {
    let mut tests = Vec::new();
    for ex in report.graded() {
        for t in &ex.tests {
            let judged = t.status != TestStatus::NotJudged;
            tests.push(GradescopeTest {
                name: format!("{}: {}", ex.name, t.name),
                score: t.points,
                max_score: if judged { t.max_points } else { 0.0 },
                status: if t.status == TestStatus::Pass || !judged {
                    "passed"
                } else {
                    "failed"
                }
                .to_owned(),
                output: test_output(ex.status, &ex.message, t),
                visibility: if judged { "visible" } else { "hidden" }.to_owned(),
                tags: vec![
                    ex.chapter.clone(),
                    ex.name.clone(),
                    serde_json::to_value(t.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                ],
            });
        }
    }
    GradescopeResults {
        score: report.points,
        execution_time: report.seconds,
        output: markdown::summary(report),
        output_format: "md".to_owned(),
        visibility: "visible".to_owned(),
        stdout_visibility: "hidden".to_owned(),
        tests,
    }
}

/// What a test's entry says: why the exercise as a whole scored nothing, or
/// the test's own message, and for a speed check how busy the machine was
/// and whether it was run again.
fn test_output(status: ExerciseStatus, whole: &str, t: &TestReport) -> String {
    let mut out = if status == ExerciseStatus::Graded || status == ExerciseStatus::Missing {
        t.message.clone()
    } else {
        whole.to_owned()
    };
    if t.status == TestStatus::NotJudged {
        out = format!("not judged, so it costs nothing: {out}");
    }
    if let Some(c) = &t.check {
        out.push_str(&format!(
            "\n{} ({}), measured against the reference in the same run; {}",
            c.versus(),
            c.verdict,
            super::machine_words(c, t.reruns)
        ));
    }
    out.trim().to_owned()
}

/// GitHub Classroom's runner result, before Base64.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ClassroomResult {
    /// The payload's format version: 1.
    pub version: u32,
    /// `pass` when every judged test passed, `fail` otherwise, `error` when
    /// no exercise could be run at all.
    pub status: String,
    /// Points that could be earned (checks not judged left out).
    pub max_score: f64,
    /// One entry per judged suite test of every graded exercise.
    pub tests: Vec<ClassroomTest>,
}

/// One test of a Classroom runner result.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ClassroomTest {
    /// `exercise: test`.
    pub name: String,
    /// `pass` or `fail`; `error` when it did not run.
    pub status: String,
    /// Points earned.
    pub score: f64,
    /// The failure message (first line), or empty.
    pub message: String,
    /// Lines of the test in the student's code: not known, 0.
    pub line_no: u32,
    /// Seconds the test took, e.g. `0.4s`.
    pub execution_time: String,
}

/// GitHub Classroom's runner result for `report`.
pub fn classroom(report: &Report) -> ClassroomResult {
    let mut tests = Vec::new();
    for ex in report.graded() {
        for t in ex
            .tests
            .iter()
            .filter(|t| t.status != TestStatus::NotJudged)
        {
            tests.push(ClassroomTest {
                name: format!("{}: {}", ex.name, t.name),
                status: match t.status {
                    TestStatus::Pass => "pass",
                    TestStatus::NotRun => "error",
                    _ => "fail",
                }
                .to_owned(),
                score: t.points,
                message: first_line(&test_output(ex.status, &ex.message, t)).to_owned(),
                line_no: 0,
                execution_time: format!("{:.1}s", t.seconds.max(0.0)),
            });
        }
    }
    let ran = report
        .graded()
        .any(|e| e.status == ExerciseStatus::Graded || e.status == ExerciseStatus::Missing);
    let status = if !ran {
        "error"
    } else if tests.iter().all(|t| t.status == "pass") {
        "pass"
    } else {
        "fail"
    };
    ClassroomResult {
        version: 1,
        status: status.to_owned(),
        max_score: report.max_points,
        tests,
    }
}

/// The Base64 text a workflow step hands the reporter as its `result`
/// output (`echo "result=$(cat classroom.b64)" >> "$GITHUB_OUTPUT"`).
pub fn classroom_base64(report: &Report) -> String {
    let json = serde_json::to_string(&classroom(report)).expect("a result serialises");
    base64::engine::general_purpose::STANDARD.encode(json)
}

#[cfg(test)]
mod tests {
    //! Both outputs, read back through types transcribed from each
    //! platform's documentation (every field it documents, nothing else,
    //! each value from the documented set), for a grade that holds a pass,
    //! a fail, a partial speed check, a check not judged and an exercise
    //! that did not compile.

    use super::*;
    use crate::report::{
        CheckFigures, ExerciseReport, Limits, REPORT_SCHEMA, TestKind, TestReport,
    };
    use std::collections::BTreeMap;

    /// Gradescope's `results.json`, as `docs/specs.md` documents it.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct DocumentedResults {
        score: Option<f64>,
        execution_time: Option<f64>,
        output: Option<String>,
        output_format: Option<String>,
        visibility: Option<String>,
        stdout_visibility: Option<String>,
        #[allow(dead_code)]
        extra_data: Option<serde_json::Value>,
        tests: Option<Vec<DocumentedTest>>,
        #[allow(dead_code)]
        leaderboard: Option<serde_json::Value>,
    }

    /// One test of Gradescope's `results.json`, as documented.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct DocumentedTest {
        score: Option<f64>,
        max_score: Option<f64>,
        name: Option<String>,
        #[allow(dead_code)]
        number: Option<String>,
        output: Option<String>,
        tags: Option<Vec<String>>,
        visibility: Option<String>,
        status: Option<String>,
        #[allow(dead_code)]
        extra_data: Option<serde_json::Value>,
    }

    const VISIBILITY: [&str; 4] = ["hidden", "after_due_date", "after_published", "visible"];

    /// The Classroom reporter's runner result, as its sources read it.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct DocumentedRunner {
        version: u32,
        status: String,
        max_score: f64,
        tests: Vec<DocumentedRunnerTest>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct DocumentedRunnerTest {
        name: String,
        status: String,
        score: f64,
        message: String,
        #[allow(dead_code)]
        line_no: u32,
        #[allow(dead_code)]
        execution_time: String,
    }

    fn test(name: &str, kind: TestKind, status: TestStatus, points: f64, max: f64) -> TestReport {
        TestReport {
            name: name.to_owned(),
            kind,
            status,
            points,
            max_points: max,
            message: format!("{name}: what happened"),
            seconds: 0.2,
            reruns: u32::from(kind == TestKind::Speed),
            check: (kind == TestKind::Speed).then(|| CheckFigures {
                check: name.to_owned(),
                verdict: "fail".into(),
                reason: "too_slow".into(),
                kind: "overlap".into(),
                requirement: "wall ≤ 1.5 × ideal".into(),
                score: 2.0,
                reference_score: 1.1,
                gain_ratio: 0.6,
                credit: 0.3,
                candidate_s: 0.2,
                reference_s: 0.11,
                sequential_s: None,
                cores: 2,
                rounds: 3,
                load_average: Some(3.5),
            }),
        }
    }

    fn exercise(name: &str, status: ExerciseStatus, tests: Vec<TestReport>) -> ExerciseReport {
        ExerciseReport {
            name: name.to_owned(),
            chapter: "threads".into(),
            status,
            untouched: false,
            points: tests.iter().map(|t| t.points).sum(),
            max_points: tests.iter().map(|t| t.max_points).sum(),
            message: if status == ExerciseStatus::CompileError {
                "error[E0308]: mismatched types".into()
            } else {
                String::new()
            },
            build_seconds: 1.0,
            run_seconds: 1.0,
            leftovers_killed: 0,
            tests,
            requirements: Vec::new(),
        }
    }

    fn report() -> Report {
        use TestKind::{Correctness, Speed};
        let exercises = vec![
            exercise(
                "fetch-all",
                ExerciseStatus::Graded,
                vec![
                    test("order", Correctness, TestStatus::Pass, 2.0, 2.0),
                    test("fresh", Correctness, TestStatus::Fail, 0.0, 2.0),
                    test("overlap", Speed, TestStatus::Partial, 1.5, 5.0),
                    test("no_speedup", Speed, TestStatus::NotJudged, 0.0, 0.0),
                ],
            ),
            exercise(
                "frames",
                ExerciseStatus::CompileError,
                vec![test(
                    "round_trip",
                    Correctness,
                    TestStatus::NotRun,
                    0.0,
                    2.0,
                )],
            ),
        ];
        Report {
            schema: REPORT_SCHEMA,
            student: "alice".into(),
            source: "alice".into(),
            started_unix: 0,
            seconds: 12.0,
            points: exercises.iter().map(|e| e.points).sum(),
            max_points: exercises.iter().map(|e| e.max_points).sum(),
            limits: Limits {
                wall_seconds: Vec::new(),
                output_bytes: 0,
                max_tasks: 0,
                enforced: Vec::new(),
                not_enforced: Vec::new(),
            },
            ignored: Vec::new(),
            exercises,
        }
    }

    #[test]
    fn gradescope_results_are_as_documented_and_not_judged_costs_nothing() {
        let r = report();
        let text = serde_json::to_string(&gradescope(&r)).unwrap();
        let doc: DocumentedResults = serde_json::from_str(&text).unwrap();
        assert_eq!(doc.score, Some(3.5));
        assert!(doc.execution_time.is_some() && doc.output.is_some());
        assert_eq!(doc.output_format.as_deref(), Some("md"));
        for v in [&doc.visibility, &doc.stdout_visibility] {
            assert!(VISIBILITY.contains(&v.as_deref().unwrap()));
        }
        let tests: BTreeMap<String, DocumentedTest> = doc
            .tests
            .unwrap()
            .into_iter()
            .map(|t| (t.name.clone().unwrap(), t))
            .collect();
        for t in tests.values() {
            assert!(VISIBILITY.contains(&t.visibility.as_deref().unwrap()));
            assert!(["passed", "failed"].contains(&t.status.as_deref().unwrap()));
            assert!(t.score.unwrap() <= t.max_score.unwrap());
            assert!(!t.tags.as_ref().unwrap().is_empty());
        }
        let max: f64 = tests.values().map(|t| t.max_score.unwrap()).sum();
        assert_eq!(max, r.max_points, "the tests' maximum is the report's");
        let pass = &tests["fetch-all: order"];
        assert_eq!(
            (pass.score, pass.status.as_deref()),
            (Some(2.0), Some("passed"))
        );
        assert_eq!(tests["fetch-all: fresh"].status.as_deref(), Some("failed"));
        let partial = &tests["fetch-all: overlap"];
        assert_eq!((partial.score, partial.max_score), (Some(1.5), Some(5.0)));
        let out = partial.output.as_deref().unwrap();
        assert!(
            out.contains("load average 3.5 on 2 cores") && out.contains("run 2 times (again alone"),
            "{out}"
        );
        let nj = &tests["fetch-all: no_speedup"];
        assert_eq!((nj.score, nj.max_score), (Some(0.0), Some(0.0)));
        assert_eq!(nj.visibility.as_deref(), Some("hidden"));
        assert_eq!(nj.status.as_deref(), Some("passed"));
        let broken = &tests["frames: round_trip"];
        assert_eq!((broken.score, broken.max_score), (Some(0.0), Some(2.0)));
        assert!(broken.output.as_deref().unwrap().contains("E0308"));
    }

    #[test]
    fn classroom_result_is_as_the_reporter_reads_it_and_not_judged_is_left_out() {
        let r = report();
        let b64 = classroom_base64(&r);
        let json = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .unwrap();
        let doc: DocumentedRunner = serde_json::from_slice(&json).unwrap();
        assert_eq!(doc.version, 1);
        assert_eq!(doc.status, "fail");
        assert_eq!(doc.max_score, r.max_points);
        assert!(
            doc.tests
                .iter()
                .all(|t| ["pass", "fail", "error"].contains(&t.status.as_str()))
        );
        let names: Vec<&str> = doc.tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "fetch-all: order",
                "fetch-all: fresh",
                "fetch-all: overlap",
                "frames: round_trip"
            ],
            "the check not judged is left out"
        );
        let score: f64 = doc.tests.iter().map(|t| t.score).sum();
        assert_eq!(score, r.points);
        assert_eq!(doc.tests[3].status, "error");
        assert!(doc.tests[3].message.contains("E0308"));
        assert!(doc.tests[2].message.contains("what happened"));
    }
}
