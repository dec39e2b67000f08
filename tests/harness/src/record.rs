//! Records for machines: one JSON line per event, appended to the file named
//! by `COURSE_RESULTS` when it is set, and the marker that closes a live
//! block of the book.
//!
//! The grader reads these instead of test output meant for people. Every
//! line is a [`Record`] with a [`SCHEMA`] version, the package and test it
//! belongs to (set by the suite, from the crate that was compiled, so it does
//! not depend on how the test binary was launched), and one [`Event`]: a
//! speedup check's [`Outcome`] or how a whole test ended.

use std::fs::OpenOptions;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::speedup::Outcome;

/// Printed by the book's live binary after every complete block. The book
/// build counts these in the built pages: mdbook-cmdrun drops the output of
/// a command that fails, and the count is how such a loss is caught. Kept
/// here, in a crate with few dependencies, so the checker need not build
/// the measurements to know the marker.
pub const LIVE_OK: &str = "<!-- live output ok -->";

/// Environment variable naming the JSON-lines file to append records to.
pub const RESULTS_ENV: &str = "COURSE_RESULTS";

/// Environment variable naming a folder that holds copies of the crate's
/// own binaries, set by the grader: it runs a suite as `nobody` from a
/// folder of its own, and the path cargo compiled in (under a target folder
/// that may lie inside a home folder only its owner may enter) may be out
/// of `nobody`'s reach. `suites::own_binary` reads it.
pub const BIN_DIR_VAR: &str = "COURSE_BIN_DIR";

/// Version of the record format. Raise it when a field changes meaning or
/// goes away; adding an optional field does not need a new version.
pub const SCHEMA: u32 = 1;

/// One line of the results file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    /// [`SCHEMA`] at the time of writing.
    pub schema: u32,
    /// The package under test, e.g. `fetch-all` (a student's crate) or
    /// `fetch-all-solution`.
    pub package: String,
    /// The test function, e.g. `requests_overlap`.
    pub test: String,
    /// What happened.
    pub event: Event,
}

/// What a record reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A speedup check inside the test was judged.
    Check(Box<Outcome>),
    /// The test ended.
    Test(TestEnd),
    /// A check that is not a timed comparison could not be judged on this
    /// machine (a witness that needs two cores, say): the test passes, and
    /// the grader scores it as not judged.
    NotJudged(NotJudged),
}

/// Why a check was not judged.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct NotJudged {
    /// In words, with the figures.
    pub why: String,
}

/// How a test ended.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TestEnd {
    /// Passed or failed.
    pub status: TestStatus,
    /// The failure message (empty on a pass).
    pub message: String,
    /// Wall time of the whole test.
    pub seconds: f64,
}

/// The two ways a test ends.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    /// No panic.
    Pass,
    /// A panic: an assertion, a failed check, the code under test, a deadline.
    Fail,
}

/// The test now running in this process, if a suite said so. Suite tests
/// run one at a time (they hold [`crate::exclusive`]), so one slot is
/// enough; it is global, not thread-local, because the test body runs on a
/// deadline thread of its own.
static CURRENT: Mutex<Option<(String, String)>> = Mutex::new(None);

/// Runs test `test` of `package`, with records written meanwhile tagged with
/// both, then records how it ended. A panic is recorded, then passed on.
pub fn run_test<T>(package: &str, test: &str, body: impl FnOnce() -> T) -> T {
    *CURRENT.lock().unwrap_or_else(PoisonError::into_inner) =
        Some((package.to_owned(), test.to_owned()));
    let start = Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(body));
    let (status, message) = match &result {
        Ok(_) => (TestStatus::Pass, String::new()),
        Err(payload) => (TestStatus::Fail, panic_message(payload.as_ref())),
    };
    append(Event::Test(TestEnd {
        status,
        message,
        seconds: start.elapsed().as_secs_f64(),
    }));
    *CURRENT.lock().unwrap_or_else(PoisonError::into_inner) = None;
    result.unwrap_or_else(|payload| panic::resume_unwind(payload))
}

/// The text of a panic payload (`panic!` with a literal or a format).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a value that is not a string".to_owned()
    }
}

/// Appends `event` as one JSON line to `$COURSE_RESULTS`, if set, tagged
/// with the test now running (or, outside a suite, with cargo's
/// `CARGO_PKG_NAME` and no test name).
///
/// Recording is best effort: a grader that cannot write its own file will
/// notice the missing lines; a student's test run must not fail for it.
pub fn append(event: Event) {
    let Some(path) = std::env::var_os(RESULTS_ENV) else {
        return;
    };
    let (package, test) = CURRENT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .unwrap_or_else(|| {
            (
                std::env::var("CARGO_PKG_NAME").unwrap_or_default(),
                String::new(),
            )
        });
    let record = Record {
        schema: SCHEMA,
        package,
        test,
        event,
    };
    let Ok(mut line) = serde_json::to_string(&record) else {
        return;
    };
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
