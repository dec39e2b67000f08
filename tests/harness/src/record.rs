//! Records for machines: outcomes as JSON lines, appended to the file named
//! by `COURSE_RESULTS` when it is set, and the marker that closes a live
//! block of the book.
//!
//! The grader sets it so it can score speedup checks by verdict (a pass, a
//! fail, or an inconclusive run that must not cost the student) without
//! parsing test output meant for people.

use std::fs::OpenOptions;
use std::io::Write;

use serde::Serialize;

/// Printed by the book's live binary after every complete block. The book
/// build counts these in the built pages: mdbook-cmdrun drops the output of
/// a command that fails, and the count is how such a loss is caught. Kept
/// here, in a crate with few dependencies, so the checker need not build
/// the measurements to know the marker.
pub const LIVE_OK: &str = "<!-- live output ok -->";

/// Environment variable naming the JSON-lines file to append outcomes to.
pub const RESULTS_ENV: &str = "COURSE_RESULTS";

/// Appends `value` as one JSON line to `$COURSE_RESULTS`, if set, with the
/// package under test (`CARGO_PKG_NAME`, which cargo sets when it runs the
/// tests) added as `"package"` so a grader can tell exercises apart.
///
/// Recording is best effort: a grader that cannot write its own file will
/// notice the missing lines; a student's test run must not fail for it.
pub fn append<T: Serialize>(value: &T) {
    let Some(path) = std::env::var_os(RESULTS_ENV) else {
        return;
    };
    let Ok(mut json) = serde_json::to_value(value) else {
        return;
    };
    if let (Some(object), Ok(package)) = (json.as_object_mut(), std::env::var("CARGO_PKG_NAME")) {
        object.insert("package".into(), package.into());
    }
    let mut line = json.to_string();
    line.push('\n');
    if let Ok(mut file) = OpenOptions::new().create(true).append(true).open(&path) {
        let _ = file.write_all(line.as_bytes());
    }
}

/// Environment variable that sets how often the reliability tests repeat
/// each check.
pub const RUNS_ENV: &str = "COURSE_RELIABILITY_RUNS";

/// Repetitions for a reliability test: `$COURSE_RELIABILITY_RUNS`, or
/// `default` when it is unset or not a number.
pub fn repetitions(default: usize) -> usize {
    std::env::var(RUNS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
