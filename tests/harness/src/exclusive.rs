//! One timed measurement at a time in this process.
//!
//! The test harness runs tests on parallel threads, and the process CPU clock
//! counts all of them. A speedup check that shares two cores with another
//! test would measure the other test as much as its own work, so every timed
//! check (and every suite test, via the suite macros) holds this lock.

use std::sync::{Mutex, MutexGuard, PoisonError};

static LOCK: Mutex<()> = Mutex::new(());

/// Blocks until no other holder in this process is measuring.
///
/// A test that panicked while holding the lock poisons it; that says nothing
/// about the next test, so the poison is ignored.
pub fn exclusive() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}
