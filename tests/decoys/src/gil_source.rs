//! A wrong GIL whose faults are in its source, not in what a run shows
//! (round 13, `gil/04` and `gil/09`; round 16, `gil/06` and `gil/07`): one
//! `Condvar` in a `static`, shared by every lock; a check-in that yields
//! every so many calls, counted in another `static`, and naps once in a
//! while; and a waiter that spins on the clock before it sleeps. The GIL suite's source witnesses read this file
//! ([`SOURCE`]) as they read a crate's `src/lib.rs`, and must refuse both.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use suites::gil::{GilApi, GuardApi};

/// This file, as the suites read a crate's `src/lib.rs`.
pub const SOURCE: &str = include_str!("gil_source.rs");

/// One `Condvar` for every lock: a release wakes the waiters of all.
static WAKER: Condvar = Condvar::new();

/// Check-ins so far, of every lock: every 50 000th yields "to be fair".
static CHECK_INS: AtomicU64 = AtomicU64::new(0);

/// A lock: whether it is held, and its interval.
pub struct SharedWaker {
    held: Mutex<bool>,
    interval: Duration,
}

/// Holds a [`SharedWaker`].
pub struct SharedWakerGuard<'a>(&'a SharedWaker, std::marker::PhantomData<*const ()>);

impl SharedWaker {
    fn state(&self) -> MutexGuard<'_, bool> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn take(&self) {
        // "Most holds are short": look again for 300 µs before sleeping.
        let began = std::time::Instant::now();
        while began.elapsed() < Duration::from_micros(300) {
            if !*self.state() {
                break;
            }
        }
        let mut held = self.state();
        while *held {
            held = WAKER.wait(held).unwrap_or_else(PoisonError::into_inner);
        }
        *held = true;
    }

    fn release(&self) {
        *self.state() = false;
        WAKER.notify_all();
    }
}

impl GilApi for SharedWaker {
    type Guard<'a> = SharedWakerGuard<'a>;
    fn new(switch_interval: Duration) -> Self {
        Self {
            held: Mutex::new(false),
            interval: switch_interval.max(Duration::from_micros(1)),
        }
    }
    fn acquire(&self) -> SharedWakerGuard<'_> {
        self.take();
        SharedWakerGuard(self, std::marker::PhantomData)
    }
    fn switch_interval(&self) -> Duration {
        self.interval
    }
}

impl GuardApi for SharedWakerGuard<'_> {
    fn check_in(&mut self) {
        let n = CHECK_INS.fetch_add(1, Ordering::Relaxed);
        if n % 50_000 == 49_999 {
            self.0.release();
            std::thread::yield_now();
            self.0.take();
        } else if n % 65_536 == 65_535 {
            // "To be nice to the machine."
            std::thread::park_timeout(Duration::from_micros(1));
        }
    }
    fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T {
        self.0.release();
        let value = work();
        self.0.take();
        value
    }
}

impl Drop for SharedWakerGuard<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}
