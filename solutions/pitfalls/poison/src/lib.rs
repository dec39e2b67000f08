//! Pitfalls, exercise: a poisoned mutex, and how to go on after it.
//!
//! A thread that panics while it holds a `std::sync::Mutex` poisons it:
//! every later `lock()` returns `Err(PoisonError)`, because the data may be
//! half-way through a change. `lock().unwrap()` then turns one worker's
//! bug into a panic in every thread that touches the lock, forever. The
//! error carries the guard (`PoisonError::into_inner`), so you can go on;
//! what you must not do is go on with a half-done change as if it were
//! whole.

use std::collections::BTreeMap;
use std::sync::Mutex;
// SOLUTION:
use std::sync::MutexGuard;
// END SOLUTION

// ANCHOR: counts
/// Votes counted so far. Invariant: `ballots` is the sum of `votes`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Ballots counted.
    pub ballots: u64,
    /// Votes per candidate.
    pub votes: BTreeMap<String, u64>,
}
// ANCHOR_END: counts

// ANCHOR: tally
/// A tally that worker threads update and anyone may read.
pub struct Tally {
    counts: Mutex<Counts>,
}

impl Default for Tally {
    fn default() -> Self {
        Self::new()
    }
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Self {
        Self {
            counts: Mutex::new(Counts::default()),
        }
    }

    /// Applies `change` to the counts, whole or not at all. If `change`
    /// panics, the counts stay as they were, the panic goes on to the
    /// caller, and the tally keeps serving everyone else.
    pub fn update(&self, change: impl FnOnce(&mut Counts)) {
        // SOLUTION: todo!("apply the change whole, or leave the counts as they were")
        // ANCHOR: update
        let mut counts = self.lock();
        // The change works on a copy. If it panics, the unwinding drops
        // `draft` and the guard: the mutex is poisoned, but the counts in
        // it are still the last whole ones, and the panic reaches the
        // caller untouched.
        let mut draft = counts.clone();
        change(&mut draft);
        *counts = draft;
        // ANCHOR_END: update
        // END SOLUTION
    }

    /// A copy of the counts, whatever happened to earlier updates.
    pub fn counts(&self) -> Counts {
        // SOLUTION: todo!("a copy of the counts, even after a panic")
        self.lock().clone()
        // END SOLUTION
    }
    // SOLUTION:

    // ANCHOR: lock
    /// The counts, poisoned or not. Poison only says that a thread
    /// panicked while it held the lock; `update` never changes the counts
    /// in place, so they are whole, and the poison can be cleared.
    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|poisoned| {
            self.counts.clear_poison();
            poisoned.into_inner()
        })
    }
    // ANCHOR_END: lock
    // END SOLUTION
}
// ANCHOR_END: tally
