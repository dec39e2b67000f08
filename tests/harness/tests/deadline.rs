//! A deadlock becomes a failure with a message, and later measurements in
//! the same process know a stuck thread may still be running. In its own
//! test binary, because it deliberately abandons a thread.

use std::sync::mpsc;
use std::time::Duration;

use harness::deadline::{abandoned_thread_running, within};

#[test]
fn a_deadlock_fails_with_a_message_and_marks_the_process() {
    assert!(!abandoned_thread_running());
    let stuck = std::panic::catch_unwind(|| {
        within(Duration::from_millis(100), "stuck", || {
            let (_keep_alive, rx) = mpsc::channel::<()>();
            let _ = rx.recv();
        })
    });
    let message = stuck.expect_err("a stuck closure must fail");
    let message = message
        .downcast_ref::<String>()
        .expect("the deadline panics with a formatted message");
    assert!(message.contains("did not finish within 100ms"), "{message}");
    assert!(abandoned_thread_running());
}
