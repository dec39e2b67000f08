//! Faults a test injects into the course's own code, to see what the code
//! under test does with them.
//!
//! The pool's tasks are the course's, not the student's: a test that sets
//! [`FAULT_VAR`] to `task:input` (`square:7`) makes that task fail on that
//! input, in whichever process runs it, as a real task might; to
//! `task:input:exit` (`square:7:exit`), makes the process that runs it end
//! there, as a crash in a C library would; to `task:input:once`, makes it
//! fail only the first time any process runs it on that input (a fault that
//! does not repeat: [`FAULT_ONCE_VAR`] names the file that remembers it).
//! What the student's program then
//! does with the failure (reports it, or covers it up by computing the
//! answer elsewhere) is what the test judges.

use std::sync::OnceLock;

/// Environment variable naming the task and input that fail.
pub const FAULT_VAR: &str = "COURSE_FAULT";

/// Environment variable naming the file that a `task:input:once` fault
/// creates when it strikes: the first process to run the task on that input
/// creates it and fails, every later try finds it and succeeds.
pub const FAULT_ONCE_VAR: &str = "COURSE_FAULT_ONCE";

/// What a test asked of one task on one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The task fails (the course's tasks panic).
    Fails,
    /// The process running the task ends.
    Exits,
    /// The task fails the first time it runs on the input, in any process.
    Once,
}

/// The fault asked for in this process, read once: tasks ask on every input.
fn asked() -> Option<&'static (String, u64, Kind)> {
    static FAULT: OnceLock<Option<(String, u64, Kind)>> = OnceLock::new();
    FAULT
        .get_or_init(|| {
            let value = std::env::var(FAULT_VAR).ok()?;
            let mut parts = value.split(':');
            let task = parts.next()?.to_owned();
            let input = parts.next()?.trim().parse().ok()?;
            let kind = match parts.next() {
                None => Kind::Fails,
                Some("exit") => Kind::Exits,
                Some("once") => Kind::Once,
                Some(_) => return None,
            };
            Some((task, input, kind))
        })
        .as_ref()
}

fn is(task: &str, input: u64, kind: Kind) -> bool {
    asked().is_some_and(|(t, i, k)| t == task && *i == input && *k == kind)
}

/// Whether a test asked `task` to fail on `input` in this process (for a
/// `once` fault: whether this is the first try, in any process).
pub fn injected(task: &str, input: u64) -> bool {
    is(task, input, Kind::Fails) || (is(task, input, Kind::Once) && first_try())
}

/// Whether this is the first try of a `once` fault: this process created
/// its file. A file that cannot be made for any other reason counts as a
/// first try, so a broken set-up shows as a failure, never as a pass.
fn first_try() -> bool {
    let Some(path) = std::env::var_os(FAULT_ONCE_VAR) else {
        return true;
    };
    !matches!(
        std::fs::OpenOptions::new().write(true).create_new(true).open(path),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists
    )
}

/// Whether a test asked the process that runs `task` on `input` to end
/// there, with status [`EXIT_STATUS`].
pub fn ends_process(task: &str, input: u64) -> bool {
    is(task, input, Kind::Exits)
}

/// The exit status of a process ended by [`ends_process`]'s fault.
pub const EXIT_STATUS: i32 = 7;
