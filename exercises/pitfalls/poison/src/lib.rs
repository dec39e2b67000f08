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
        todo!("apply the change whole, or leave the counts as they were")
    }

    /// A copy of the counts, whatever happened to earlier updates.
    pub fn counts(&self) -> Counts {
        todo!("a copy of the counts, even after a panic")
    }
}
// ANCHOR_END: tally
