//! Run student code with a time limit, so a deadlock fails instead of hanging.
//!
//! Plain `cargo test` has no timeout. A solution that deadlocks (a worker
//! waiting on a channel nobody closes, a join on a thread that waits for the
//! joiner) must fail with a message a student can act on, within seconds.

use std::panic;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};
use std::thread;
use std::time::Duration;

/// Set once any [`within`] has abandoned a stuck thread in this process.
static ABANDONED: AtomicBool = AtomicBool::new(false);

/// The first suite test of this process that was declared stuck.
static FIRST_STUCK: Mutex<Option<String>> = Mutex::new(None);

/// How long each suite test may run once an earlier one was stuck. A
/// solution that deadlocks usually deadlocks in every test; at full limit a
/// seven-test suite would take a minute to say so. Quick correctness tests
/// still pass in this time; longer ones fail with a message that names the
/// stuck test to fix first.
pub const AFTER_STUCK: Duration = Duration::from_secs(1);

/// [`within`] for a suite test: `limit`, or [`AFTER_STUCK`] once an earlier
/// suite test in this process was stuck, so that a deadlocking solution
/// settles its whole suite in about `limit` + one second a test.
#[track_caller]
pub fn within_suite<T, F>(limit: Duration, what: &str, work: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let earlier = FIRST_STUCK
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    if let Some(stuck) = earlier {
        return attempt(AFTER_STUCK, what, work).unwrap_or_else(|| {
            panic!(
                "{what} was cut short after {AFTER_STUCK:?}: an earlier test, `{stuck}`, was \
                 stuck, and its threads may still hold locks or a core. Fix `{stuck}` first; \
                 this test gets its full time again once nothing is stuck."
            )
        });
    }
    attempt(limit, what, work).unwrap_or_else(|| {
        FIRST_STUCK
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(|| what.to_owned());
        stuck(limit, what)
    })
}

/// Whether a thread abandoned by [`within`] may still be running in this
/// process. Such a thread may spin on a core and the process CPU clock
/// counts it, so the speedup checks stop trusting a failing measurement.
pub fn abandoned_thread_running() -> bool {
    ABANDONED.load(Ordering::SeqCst)
}

/// Runs `work` on its own thread and returns its result, or panics with an
/// explanation if it has not returned after `limit`.
///
/// A panic inside `work` is passed on unchanged, so the test shows the
/// original message (for a stub: "not yet implemented").
///
/// On timeout the stuck thread is abandoned; it ends with the test process.
#[track_caller]
pub fn within<T, F>(limit: Duration, what: &str, work: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    attempt(limit, what, work).unwrap_or_else(|| stuck(limit, what))
}

/// Runs `work` on its own thread: its value, or `None` if it has not
/// returned after `limit` (the thread is then abandoned and marked so). A
/// panic inside `work` is passed on unchanged.
fn attempt<T, F>(limit: Duration, what: &str, work: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (done, result) = mpsc::sync_channel(1);
    let worker = thread::Builder::new()
        .name(what.to_owned())
        .spawn(move || {
            // The receiver may be gone after a timeout; nothing to do then.
            let _ = done.send(work());
        })
        .expect("the OS refused to start a thread for the test");
    match result.recv_timeout(limit) {
        Ok(value) => Some(value),
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(payload) => panic::resume_unwind(payload),
            Ok(()) => unreachable!("the worker always sends before it returns"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            ABANDONED.store(true, Ordering::SeqCst);
            None
        }
    }
}

#[track_caller]
fn stuck(limit: Duration, what: &str) -> ! {
    panic!(
        "{what} did not finish within {limit:?}. It is stuck, or doing far more than asked: a \
         thread waiting on a lock, a join or a channel that nobody releases or closes (for \
         example a worker that loops on `recv()` while a sender is still alive); a `wait` for \
         a child process that nobody killed (kill it, then wait); or a huge allocation, such \
         as a buffer of a length the input declared, filled before any byte of it arrived."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_value_in_time() {
        assert_eq!(within(Duration::from_secs(5), "quick", || 42), 42);
    }

    // The timeout case lives in tests/deadline.rs: it abandons a thread,
    // which marks this whole process as disturbed.

    #[test]
    #[should_panic(expected = "not yet implemented")]
    fn a_panic_keeps_its_message() {
        within(Duration::from_secs(5), "stub", || -> u32 { todo!() });
    }
}
