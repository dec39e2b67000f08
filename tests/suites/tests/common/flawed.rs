//! Deliberately broken GILs, each with one flaw, for the tests that prove
//! the GIL suite catches them.

use std::marker::PhantomData;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use suites::gil::{GilApi, GuardApi};

/// Ways to get a GIL wrong.
pub const NO_EXCLUSION: u8 = 0;
pub const NEVER_HANDS_OVER: u8 = 1;
pub const HANDS_OVER_AT_ONCE: u8 = 2;
pub const HOLDS_DURING_ALLOW_THREADS: u8 = 3;
pub const FORGETS_TO_RELEASE_ON_DROP: u8 = 4;
pub const RELEASES_WITHOUT_NOTIFYING: u8 = 5;
pub const DOES_NOT_RETAKE_AFTER_ALLOW_THREADS: u8 = 6;

/// A plain lock with one flaw, chosen by `FLAW`.
pub struct Flawed<const FLAW: u8> {
    held: Mutex<(bool, bool)>, // (held, hand-over wanted)
    changed: Condvar,
    interval: Duration,
}

pub struct FlawedGuard<'a, const FLAW: u8>(&'a Flawed<FLAW>, PhantomData<*const ()>);

impl<const FLAW: u8> Flawed<FLAW> {
    fn take(&self) {
        if FLAW == NO_EXCLUSION {
            return;
        }
        let mut state = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        while state.0 {
            if FLAW == HANDS_OVER_AT_ONCE {
                state.1 = true;
            }
            let (next, waited) = self
                .changed
                .wait_timeout(state, self.interval)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            if waited.timed_out() && FLAW != NEVER_HANDS_OVER {
                state.1 = true;
            }
        }
        *state = (true, false);
    }

    fn release(&self) {
        self.held.lock().unwrap_or_else(PoisonError::into_inner).0 = false;
        if FLAW != RELEASES_WITHOUT_NOTIFYING {
            self.changed.notify_all();
        }
    }
}

impl<const FLAW: u8> GilApi for Flawed<FLAW> {
    type Guard<'a> = FlawedGuard<'a, FLAW>;
    fn new(interval: Duration) -> Self {
        Self {
            held: Mutex::new((false, false)),
            changed: Condvar::new(),
            interval,
        }
    }
    fn acquire(&self) -> FlawedGuard<'_, FLAW> {
        self.take();
        FlawedGuard(self, PhantomData)
    }
}

impl<const FLAW: u8> GuardApi for FlawedGuard<'_, FLAW> {
    fn check_in(&mut self) {
        let wanted = self.0.held.lock().unwrap_or_else(PoisonError::into_inner).1;
        if wanted {
            self.0.release();
            std::thread::yield_now();
            self.0.take();
        }
    }
    fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T {
        if FLAW == HOLDS_DURING_ALLOW_THREADS {
            return work();
        }
        self.0.release();
        let value = work();
        if FLAW != DOES_NOT_RETAKE_AFTER_ALLOW_THREADS {
            self.0.take();
        }
        value
    }
}

impl<const FLAW: u8> Drop for FlawedGuard<'_, FLAW> {
    fn drop(&mut self) {
        if FLAW != FORGETS_TO_RELEASE_ON_DROP {
            self.0.release();
        }
    }
}
