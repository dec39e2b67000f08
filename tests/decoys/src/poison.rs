//! Wrong tallies: what a student could do about a poisoned mutex, and a
//! few ordinary mistakes besides.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard, PoisonError};

use suites::poison::{Change, NewTally, SharedTally, Snapshot};

use crate::{Class, Decoy};

type Counts = (u64, BTreeMap<String, u64>);

fn apply(counts: &mut Counts, change: Change<'_>) {
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

/// Reads the counts under the lock, changes a copy without it, and
/// stores the copy under the lock again: updates at the same time are
/// lost.
#[derive(Default)]
struct CopiesOutside {
    counts: Mutex<Counts>,
}

impl SharedTally for CopiesOutside {
    fn update(&self, change: Change<'_>) {
        let mut draft = self.counts();
        apply(&mut draft, change);
        std::thread::yield_now();
        *self.counts.lock().unwrap_or_else(PoisonError::into_inner) = draft;
    }

    fn counts(&self) -> Snapshot {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Counts nothing.
struct CountsNothing;

impl SharedTally for CountsNothing {
    fn update(&self, _: Change<'_>) {}

    fn counts(&self) -> Snapshot {
        Counts::default()
    }
}

/// One set of counts in a `static`, shared by every tally.
struct InAStatic;

static SHARED: Mutex<Counts> = Mutex::new((0, BTreeMap::new()));

impl SharedTally for InAStatic {
    fn update(&self, change: Change<'_>) {
        let mut counts = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        let mut draft = counts.clone();
        apply(&mut draft, change);
        *counts = draft;
    }

    fn counts(&self) -> Snapshot {
        SHARED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Recovers from the poison by "repairing" the counts: the ballots are
/// recomputed from the votes. It undoes a crash that counted a ballot and
/// no vote, and makes a whole count out of one that counted a vote and no
/// ballot.
#[derive(Default)]
pub struct RepairsFromTheVotes {
    counts: Mutex<Counts>,
}

impl RepairsFromTheVotes {
    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|poisoned| {
            self.counts.clear_poison();
            let mut counts = poisoned.into_inner();
            counts.0 = counts.1.values().sum();
            counts
        })
    }
}

impl SharedTally for RepairsFromTheVotes {
    fn update(&self, change: Change<'_>) {
        apply(&mut self.lock(), change);
    }

    fn counts(&self) -> Snapshot {
        self.lock().clone()
    }
}

fn new<T: SharedTally + Default + 'static>() -> Box<dyn SharedTally> {
    Box::new(T::default())
}

/// Every wrong tally, with the check that must reject it.
pub fn corpus() -> Vec<Decoy<NewTally>> {
    vec![
        Decoy {
            name: "unwraps the lock",
            class: Class::Panics,
            subject: new::<Unwraps>,
            caught_by: "the_tally_serves_after_a_worker_panicked",
            breaks: "serves-after-panic",
            says: &["`counts()` panicked too", "PoisonError", "into_inner"],
        },
        Decoy {
            name: "ignores the poison, changes in place",
            class: Class::RuleSkipped,
            subject: new::<IgnoresPoison>,
            caught_by: "a_half_done_update_is_discarded",
            breaks: "whole-or-nothing",
            says: &["reads 4 ballots", "the half-done change was kept"],
        },
        Decoy {
            name: "catches the panic inside update",
            class: Class::RuleSkipped,
            subject: new::<Swallows>,
            caught_by: "the_panic_reaches_the_worker",
            breaks: "panic-reaches-caller",
            says: &["the panic was swallowed", "do not catch it"],
        },
        Decoy {
            name: "repairs the ballots from the votes after a panic",
            class: Class::RuleSkipped,
            subject: new::<RepairsFromTheVotes>,
            caught_by: "a_half_done_update_is_discarded",
            breaks: "whole-or-nothing",
            says: &["counted a vote for cy", "made whole by guessing"],
        },
        Decoy {
            name: "starts from zero after a panic",
            class: Class::RuleSkipped,
            subject: new::<ResetsOnPoison>,
            caught_by: "a_half_done_update_is_discarded",
            breaks: "whole-or-nothing",
            says: &["reads 0 ballots", "thrown away"],
        },
        Decoy {
            name: "changes a copy outside the lock",
            class: Class::RuleSkipped,
            subject: new::<CopiesOutside>,
            caught_by: "updates_add_up",
            breaks: "every-update-counts",
            says: &["4 threads cast 50 votes each", "under its lock"],
        },
        Decoy {
            name: "counts nothing",
            class: Class::MadeUp,
            subject: || Box::new(CountsNothing),
            caught_by: "updates_add_up",
            breaks: "every-update-counts",
            says: &["it reads (0, {})"],
        },
        Decoy {
            name: "keeps the counts in a static",
            class: Class::StateBetweenCalls,
            subject: || Box::new(InAStatic),
            caught_by: "updates_add_up",
            breaks: "every-update-counts",
            says: &["tally 2 of 2", "keep nothing outside it"],
        },
    ]
}
