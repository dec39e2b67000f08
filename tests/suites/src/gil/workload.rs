//! The two kinds of work a GIL meets, written once against [`GilApi`] so
//! the suite, the reliability tests and the book's live output all run the
//! same code.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use testweb::FetchError;

use super::{GilApi, GuardApi};

// ANCHOR: interpret
/// Instructions between check-ins. CPython's eval loop looks at its "eval
/// breaker" (where a drop request shows up) on backward jumps and calls,
/// that is every few bytecodes.
pub const CHECK_EVERY: u64 = 64;

/// One "bytecode instruction": a little integer arithmetic that the
/// optimiser cannot remove.
pub fn instruction(acc: u64, i: u64) -> u64 {
    black_box(acc.wrapping_mul(31).wrapping_add(i) ^ (acc >> 7))
}

/// The interpreter: runs `steps` instructions while holding the GIL, and
/// checks in every [`CHECK_EVERY`] of them so that a waiting thread can be
/// handed the lock. `probe`, when given, records who holds the lock.
pub fn interpret<G: GilApi>(gil: &G, steps: u64, probe: Option<&Probe>) -> u64 {
    let mut guard = gil.acquire();
    let _held = probe.map(Probe::enter);
    let mut acc = 0;
    for i in 0..steps {
        acc = instruction(acc, i);
        if i % CHECK_EVERY == CHECK_EVERY - 1 {
            let _released = probe.map(Probe::leave);
            guard.check_in();
        }
    }
    acc
}
// ANCHOR_END: interpret

/// The same instructions with no GIL at all: what the threads could do on
/// this machine if nothing held them back.
pub fn instructions(steps: u64) -> u64 {
    (0..steps).fold(0, instruction)
}

// ANCHOR: release
/// Waiting work: a request to the local latency server, made the way
/// CPython makes a socket call, with the GIL released while it waits.
pub fn fetch<G: GilApi>(gil: &G, url: &str) -> Result<String, FetchError> {
    let mut guard = gil.acquire();
    guard.allow_threads(|| testweb::get(url))
}

/// `time.sleep` under the GIL: released for as long as the thread sleeps.
pub fn sleep<G: GilApi>(gil: &G, duration: Duration) {
    let mut guard = gil.acquire();
    guard.allow_threads(|| std::thread::sleep(duration));
}

/// CPU work in a "C extension" that releases the GIL around its inner loop,
/// as numpy and hashlib do on large inputs.
pub fn extension<G: GilApi>(gil: &G, steps: u64) -> u64 {
    let mut guard = gil.acquire();
    guard.allow_threads(|| instructions(steps))
}
// ANCHOR_END: release

/// How many [`instruction`]s take about `target` on this machine, now.
pub fn steps_for(target: Duration) -> u64 {
    harness::workload::calibrate(target, |steps| {
        instructions(steps);
    })
}

/// Runs `work(i)` for `i` in `0..n`, each on its own scoped thread, waits
/// for all of them and discards the results (only the time matters). If a
/// thread panics (the lock under test panicked, say), the panic goes on
/// with that thread's own message, not the scope's "a scoped thread
/// panicked", which says nothing about why.
pub fn in_threads<R>(n: usize, work: impl Fn(usize) -> R + Sync) {
    let first_panic = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let work = &work;
                s.spawn(move || {
                    work(i);
                })
            })
            .collect();
        // Join every thread (an unjoined one that panicked would make the
        // scope panic with its own words), and keep the first panic.
        let panics: Vec<_> = handles.into_iter().filter_map(|h| h.join().err()).collect();
        panics.into_iter().next()
    });
    if let Some(payload) = first_panic {
        std::panic::resume_unwind(payload);
    }
}

/// Runs `work(i)` for `i` in `0..n` on this thread, one after another: the
/// sequential baseline matching [`in_threads`].
pub fn one_after_another<R>(n: usize, work: impl Fn(usize) -> R) {
    for i in 0..n {
        work(i);
    }
}

/// Instrumentation: how many threads believe they hold the lock, and the
/// most there ever were at once.
#[derive(Debug, Default)]
pub struct Probe {
    holders: AtomicUsize,
    peak: AtomicUsize,
}

/// Marks the current thread as a holder until dropped.
pub struct Held<'p>(&'p Probe);

/// Marks the current thread as not holding until dropped.
pub struct Released<'p>(&'p Probe);

impl Probe {
    /// Records that this thread now holds the lock.
    pub fn enter(&self) -> Held<'_> {
        let now = self.holders.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        Held(self)
    }

    /// Records that this thread gives the lock up for a while.
    pub fn leave(&self) -> Released<'_> {
        self.holders.fetch_sub(1, Ordering::SeqCst);
        Released(self)
    }

    /// The most threads that held the lock at the same moment.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.holders.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for Released<'_> {
    fn drop(&mut self) {
        let now = self.0.holders.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.peak.fetch_max(now, Ordering::SeqCst);
    }
}
