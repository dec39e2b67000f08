//! Faults a test injects into the course's own code, to see what the code
//! under test does with them.
//!
//! The pool's tasks are the course's, not the student's: a test that sets
//! [`FAULT_VAR`] to `task:input` (`square:7`) makes that task fail on that
//! input, in whichever process runs it, as a real task might. What the
//! student's program then does with the failure (reports it, or covers it
//! up by computing the answer elsewhere) is what the test judges.

use std::sync::OnceLock;

/// Environment variable naming the task and input that fail.
pub const FAULT_VAR: &str = "COURSE_FAULT";

/// Whether a test asked `task` to fail on `input` in this process. Read
/// once per process: tasks ask on every input.
pub fn injected(task: &str, input: u64) -> bool {
    static FAULT: OnceLock<Option<(String, u64)>> = OnceLock::new();
    FAULT
        .get_or_init(|| {
            let value = std::env::var(FAULT_VAR).ok()?;
            let (task, input) = value.split_once(':')?;
            Some((task.to_owned(), input.trim().parse().ok()?))
        })
        .as_ref()
        .is_some_and(|(t, i)| t == task && *i == input)
}
