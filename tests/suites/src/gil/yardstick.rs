//! A known-good GIL that the timed checks measure beside the student's, in
//! the same run: on a busy machine every hand-over is late, and what is
//! late for the student's lock is judged against what is late for this one.
//!
//! It follows CPython's design, as the chapter describes it (and as the
//! reference solution does): a waiter asks after a whole switch interval
//! without a hand-over, a holder asked at a check-in lets go and waits
//! until another thread has the lock, and every release wakes the waiters.

use std::marker::PhantomData;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::{GilApi, GuardApi};

/// The yardstick lock.
pub struct Yardstick {
    state: Mutex<State>,
    changed: Condvar,
    interval: Duration,
}

#[derive(Default)]
struct State {
    held: bool,
    switches: u64,
    drop_request: bool,
}

/// Its guard.
pub struct YardstickGuard<'a>(&'a Yardstick, PhantomData<*const ()>);

impl Yardstick {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'s>(&'s self, state: MutexGuard<'s, State>, wait: Duration) -> MutexGuard<'s, State> {
        self.changed
            .wait_timeout(state, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0
    }

    fn take(&self) {
        let mut state = self.state();
        let mut seen = state.switches;
        let mut deadline = Instant::now() + self.interval;
        while state.held {
            let now = Instant::now();
            if now >= deadline {
                if state.switches == seen {
                    state.drop_request = true;
                }
                deadline = now + self.interval;
            }
            state = self.wait(state, deadline.saturating_duration_since(now));
            if state.switches != seen {
                seen = state.switches;
                deadline = Instant::now() + self.interval;
            }
        }
        state.held = true;
        state.switches += 1;
        state.drop_request = false;
        self.changed.notify_all();
    }

    fn release(&self) {
        self.state().held = false;
        self.changed.notify_all();
    }
}

impl GilApi for Yardstick {
    type Guard<'a> = YardstickGuard<'a>;
    fn new(interval: Duration) -> Self {
        Self {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            interval,
        }
    }
    fn acquire(&self) -> YardstickGuard<'_> {
        self.take();
        YardstickGuard(self, PhantomData)
    }
    fn switch_interval(&self) -> Duration {
        self.interval
    }
}

impl GuardApi for YardstickGuard<'_> {
    fn check_in(&mut self) {
        let mut state = self.0.state();
        if !state.drop_request {
            return;
        }
        let released_at = state.switches;
        state.held = false;
        self.0.changed.notify_all();
        while state.switches == released_at {
            state = self.0.wait(state, Duration::from_secs(3600));
        }
        drop(state);
        self.0.take();
    }

    fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T {
        struct Retake<'g>(&'g Yardstick);
        impl Drop for Retake<'_> {
            fn drop(&mut self) {
                self.0.take();
            }
        }
        self.0.release();
        let _retake = Retake(self.0);
        work()
    }
}

impl Drop for YardstickGuard<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}
