//! Run student code with a time limit, so a deadlock fails instead of hanging.
//!
//! Plain `cargo test` has no timeout. A solution that deadlocks (a worker
//! waiting on a channel nobody closes, a join on a thread that waits for the
//! joiner) must fail with a message a student can act on, within seconds.

use std::panic;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Set once any [`within`] has abandoned a stuck thread in this process.
static ABANDONED: AtomicBool = AtomicBool::new(false);

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
    let (done, result) = mpsc::sync_channel(1);
    let worker = thread::Builder::new()
        .name(what.to_owned())
        .spawn(move || {
            // The receiver may be gone after a timeout; nothing to do then.
            let _ = done.send(work());
        })
        .expect("the OS refused to start a thread for the test");
    match result.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(payload) => panic::resume_unwind(payload),
            Ok(()) => unreachable!("the worker always sends before it returns"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            ABANDONED.store(true, Ordering::SeqCst);
            panic!(
                "{what} did not finish within {limit:?}. It is probably stuck: a thread \
             waiting on a lock, a join or a channel that nobody releases or closes \
             (for example a worker that loops on `recv()` while a sender is still alive)."
            )
        }
    }
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
