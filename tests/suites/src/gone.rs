//! Processes a test started must be gone when it ends.

use std::thread;
use std::time::{Duration, Instant};

use harness::children;

/// Fails unless every pid in `pids` is gone from the process table (not
/// running, not a zombie).
pub fn assert_gone(pids: &[u32], after: &str) {
    // Give the kernel a moment to reap what was just waited for.
    let deadline = Instant::now() + Duration::from_millis(500);
    let mut left = children::still_ours(pids);
    while !left.is_empty() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
        left = children::still_ours(pids);
    }
    if let Some(s) = left.first() {
        if s.state == 'Z' {
            panic!(
                "{after}, child pid {} is a zombie: it ended but was never waited for \
                 (`Child` has no Drop: call `wait` after `kill`)",
                s.pid
            );
        }
        panic!(
            "{after}, child pid {} is still running (state {}): dropping the handle must end the \
             process and wait for it",
            s.pid, s.state
        );
    }
}
