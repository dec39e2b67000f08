//! What a call leaves behind once it has returned.
//!
//! A function that spawns a thread and does not wait for it returns the
//! right answer and leaves work running: a thread still alive, a core still
//! burning. No result shows it, and no timing of the call either. The
//! kernel does: `/proc/self/task` lists the process's threads, and
//! `getrusage` counts the CPU every thread burns. [`watch`] reads both
//! around a call and over a short window after it.
//!
//! Both readings cover the whole process, so the caller must be the only
//! one working (the suites hold [`crate::exclusive`]), and whatever the
//! process ran before the call (a test server) must already be running.

use std::time::Duration;

use crate::clock::{human, process_cpu_time};

/// How long after the call the process is watched. Long enough for a
/// thread left spinning to burn a visible share of a core on a busy
/// machine, short enough to repeat.
pub const WINDOW: Duration = Duration::from_millis(200);

/// The most CPU the process may burn in the [`WINDOW`] after a call: a
/// tenth of the window, room for the test server closing connections and
/// for the kernel's accounting granularity, far below a spinning thread.
pub const IDLE_CPU: Duration = Duration::from_millis(20);

pub use crate::threads::count as threads_now;
use crate::threads::listed as thread_ids;

/// What the process did after a call returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Aftermath {
    /// Threads alive before the call.
    pub threads_before: usize,
    /// Threads alive at the end of the window after it.
    pub threads_after: usize,
    /// Threads alive at the end of the window that were not alive before
    /// the call (told apart by the kernel's thread ids, so a thread of an
    /// earlier call that ends meanwhile cannot hide one of this call's).
    pub threads_new: usize,
    /// CPU the whole process burnt during the window.
    pub cpu: Duration,
}

impl Aftermath {
    /// Threads the call left alive.
    pub fn threads_left(&self) -> usize {
        self.threads_new
    }

    /// Whether the call left nothing behind: no thread, no CPU beyond
    /// [`IDLE_CPU`].
    pub fn is_clean(&self) -> bool {
        self.threads_left() == 0 && self.cpu <= IDLE_CPU
    }

    /// What was left, in words, for a failure message (empty when clean).
    pub fn describe(&self, function: &str) -> String {
        let mut said = Vec::new();
        if self.threads_left() > 0 {
            said.push(format!(
                "{} thread(s) it started were still alive {} after {function} returned \
                 ({} threads before the call, {} after)",
                self.threads_left(),
                human(WINDOW),
                self.threads_before,
                self.threads_after
            ));
        }
        if self.cpu > IDLE_CPU {
            said.push(format!(
                "the process burnt {} of CPU in the {} after {function} returned (at most {} \
                 when nothing runs)",
                human(self.cpu),
                human(WINDOW),
                human(IDLE_CPU)
            ));
        }
        said.join("; ")
    }
}

/// Runs `call`, then watches the process for [`WINDOW`]: the threads alive
/// before and after, and the CPU burnt in the window.
pub fn watch<T>(call: impl FnOnce() -> T) -> (T, Aftermath) {
    let before = thread_ids();
    let out = call();
    let cpu_start = process_cpu_time();
    std::thread::sleep(WINDOW);
    let cpu = process_cpu_time().saturating_sub(cpu_start);
    let after = thread_ids();
    (
        out,
        Aftermath {
            threads_before: before.len(),
            threads_after: after.len(),
            threads_new: after.difference(&before).count(),
            cpu,
        },
    )
}
