//! `junit.xml`: one test suite per exercise, one test case per suite test,
//! for the test-report views of CI systems. Written by quick-junit.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::{ExerciseStatus, Report, TestStatus, pts};

/// The report as JUnit XML.
pub fn render(report: &Report) -> Result<String> {
    let mut junit = quick_junit::Report::new(format!("grade: {}", report.student));
    junit.set_time(Duration::from_secs_f64(report.seconds));
    for ex in report.graded() {
        let mut suite = TestSuite::new(ex.name.clone());
        suite.add_property(Property::new("points", pts(ex.points)));
        suite.add_property(Property::new("max_points", pts(ex.max_points)));
        let status = serde_json::to_value(ex.status)?;
        suite.add_property(Property::new("status", status.as_str().unwrap_or_default()));
        if ex.status != ExerciseStatus::Graded && !ex.message.is_empty() {
            suite.set_system_err(ex.message.clone());
        }
        for t in &ex.tests {
            let status = match t.status {
                TestStatus::Pass => TestCaseStatus::success(),
                TestStatus::NotJudged => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(super::first_line(&t.message).to_owned());
                    s
                }
                TestStatus::Partial | TestStatus::Fail | TestStatus::NotRun => {
                    let mut s = TestCaseStatus::non_success(if t.status == TestStatus::NotRun {
                        NonSuccessKind::Error
                    } else {
                        NonSuccessKind::Failure
                    });
                    s.set_message(format!(
                        "{} / {} points: {}",
                        pts(t.points),
                        pts(t.max_points),
                        super::first_line(&t.message)
                    ));
                    s.set_description(t.message.clone());
                    s
                }
            };
            let mut case = TestCase::new(t.name.clone(), status);
            case.set_classname(format!("{}.{}", ex.chapter, ex.name));
            case.set_time(Duration::from_secs_f64(t.seconds.max(0.0)));
            case.add_property(Property::new("points", pts(t.points)));
            case.add_property(Property::new("max_points", pts(t.max_points)));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    Ok(junit.to_string()?)
}

/// Writes [`render`]'s XML to `path`.
pub fn write(report: &Report, path: &Path) -> Result<()> {
    std::fs::write(path, render(report)?).with_context(|| format!("writing {}", path.display()))
}
