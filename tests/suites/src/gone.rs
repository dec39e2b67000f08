//! Processes a test started must be gone when it ends.

use std::thread;
use std::time::{Duration, Instant};

use harness::children;

/// Fails unless every pid in `pids` is gone from the process table (not
/// running, not a zombie).
pub fn assert_gone(pids: &[u32], after: &str) {
    assert_gone_within(pids, after, Duration::from_millis(500));
}

/// [`assert_gone`] with no time given: a process that was waited for is
/// gone from the process table when `wait` returns, so a code that kills
/// and waits before it returns leaves none of `pids` behind at that
/// moment (one that hands the killing to a thread of its own does).
#[track_caller]
pub fn assert_gone_at_once(pids: &[u32], after: &str) {
    let there: Vec<u32> = children::still_ours(pids).iter().map(|s| s.pid).collect();
    if there.is_empty() {
        return;
    }
    // They were there: what they become in a moment says why (a zombie
    // never waited for, one still running, or one that something else
    // ended and reaped after the call had returned).
    assert_gone_within(&there, after, Duration::from_millis(500));
    panic!(
        "{after}, {} of its processes (pids {there:?}) were still there; they were gone a \
         moment later: something else killed and waited for them after it had returned (a \
         thread of its own?). Kill and wait for each before returning",
        there.len()
    );
}

#[track_caller]
fn assert_gone_within(pids: &[u32], after: &str, grace: Duration) {
    let deadline = Instant::now() + grace;
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
