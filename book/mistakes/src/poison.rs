//! What a student could do about a poisoned mutex.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard, PoisonError};

use suites::poison::{Change, SharedTally, Snapshot};

/// The tally: a total and a count per key.
pub type Counts = (u64, BTreeMap<String, u64>);

/// Applies `change` to `counts`.
pub fn apply(counts: &mut Counts, change: Change<'_>) {
    change(&mut counts.0, &mut counts.1);
}

// ANCHOR: unwraps
/// `lock().unwrap()` everywhere: one panic, and every caller after it
/// panics too.
#[derive(Default)]
pub struct Unwraps {
    counts: Mutex<Counts>,
}

impl SharedTally for Unwraps {
    fn update(&self, change: Change<'_>) {
        apply(&mut self.counts.lock().unwrap(), change);
    }

    fn counts(&self) -> Snapshot {
        self.counts.lock().unwrap().clone()
    }
}
// ANCHOR_END: unwraps

/// Ignores the poison and changes the counts in place: a change that
/// panics half-way stays half-done.
#[derive(Default)]
pub struct IgnoresPoison {
    counts: Mutex<Counts>,
}

impl IgnoresPoison {
    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl SharedTally for IgnoresPoison {
    fn update(&self, change: Change<'_>) {
        apply(&mut self.lock(), change);
    }

    fn counts(&self) -> Snapshot {
        self.lock().clone()
    }
}

/// Catches the change's panic inside `update`: the tally is fine, and the
/// worker never learns that its update failed.
#[derive(Default)]
pub struct Swallows {
    counts: Mutex<Counts>,
}

impl SharedTally for Swallows {
    fn update(&self, change: Change<'_>) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let mut draft = counts.clone();
        if panic::catch_unwind(AssertUnwindSafe(|| apply(&mut draft, change))).is_ok() {
            *counts = draft;
        }
    }

    fn counts(&self) -> Snapshot {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Starts again from zero when it finds the mutex poisoned.
#[derive(Default)]
pub struct ResetsOnPoison {
    counts: Mutex<Counts>,
}

impl ResetsOnPoison {
    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|poisoned| {
            self.counts.clear_poison();
            let mut counts = poisoned.into_inner();
            *counts = Counts::default();
            counts
        })
    }
}

impl SharedTally for ResetsOnPoison {
    fn update(&self, change: Change<'_>) {
        apply(&mut self.lock(), change);
    }

    fn counts(&self) -> Snapshot {
        self.lock().clone()
    }
}
