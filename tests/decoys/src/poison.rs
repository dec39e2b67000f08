//! Wrong tallies: what a student could do about a poisoned mutex, and a
//! few ordinary mistakes besides.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard, PoisonError};

use suites::poison::{Change, NewTally, SharedTally, Snapshot};

use crate::{Class, Decoy};

use mistakes::poison::{Counts, apply};
pub use mistakes::poison::{IgnoresPoison, ResetsOnPoison, Swallows, Unwraps};

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

/// Runs the change on a snapshot taken outside the lock, then merges its
/// difference (ballots, votes, removed entries) into whatever the counts
/// are by then (round 16's `poison/04`): votes still add up, but a change
/// sees stale counts, and two changes run at once.
#[derive(Default)]
struct MergesTheDifference {
    counts: Mutex<Counts>,
}

impl SharedTally for MergesTheDifference {
    fn update(&self, change: Change<'_>) {
        let before = self.counts();
        let mut draft = before.clone();
        apply(&mut draft, change);
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.0 = (counts.0 + draft.0).saturating_sub(before.0);
        for (who, &was) in &before.1 {
            match draft.1.get(who) {
                None => drop(counts.1.remove(who)),
                Some(&now) => {
                    let entry = counts.1.entry(who.clone()).or_default();
                    *entry = (*entry + now).saturating_sub(was);
                }
            }
        }
        for (who, &now) in &draft.1 {
            if !before.1.contains_key(who) {
                *counts.1.entry(who.clone()).or_default() += now;
            }
        }
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

/// The reference's way, with a knob per decoy: work on a copy under the
/// lock and store it when the change returns; a panic leaves the last whole
/// counts in the poisoned mutex, and the next `lock` clears the poison.
#[derive(Default)]
struct Whole {
    counts: Mutex<Counts>,
}

impl Whole {
    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|poisoned| {
            self.counts.clear_poison();
            poisoned.into_inner()
        })
    }

    /// Applies `change` to a copy and stores it with `store`.
    fn update_with(&self, change: Change<'_>, store: fn(&mut Counts, Counts)) {
        let mut counts = self.lock();
        let mut draft = counts.clone();
        apply(&mut draft, change);
        store(&mut counts, draft);
    }
}

fn replace(counts: &mut Counts, draft: Counts) {
    *counts = draft;
}

/// Swallows a panic whose payload is not a message ("only messages are
/// real bugs"); passes the others on.
#[derive(Default)]
struct SwallowsOddPayloads(Whole);

impl SharedTally for SwallowsOddPayloads {
    fn update(&self, change: Change<'_>) {
        let tried = panic::catch_unwind(AssertUnwindSafe(|| {
            self.0.update_with(&mut *change, replace)
        }));
        if let Err(payload) = tried {
            if payload.is::<&str>() || payload.is::<String>() {
                panic::resume_unwind(payload);
            }
        }
    }

    fn counts(&self) -> Snapshot {
        self.0.lock().clone()
    }
}

/// Changes a tally of more than `AT` candidates in place ("too big to
/// copy"): a panic there leaves a half-done update.
#[derive(Default)]
struct InPlaceWhenBig<const AT: usize>(Whole);

impl<const AT: usize> SharedTally for InPlaceWhenBig<AT> {
    fn update(&self, change: Change<'_>) {
        let mut counts = self.0.lock();
        if counts.1.len() > AT {
            apply(&mut counts, change);
        } else {
            drop(counts);
            self.0.update_with(change, replace);
        }
    }

    fn counts(&self) -> Snapshot {
        self.0.lock().clone()
    }
}

/// Past `AT` candidates, changes a copy with the lock let go ("so that
/// readers are not held up") and puts it back after (round 22's
/// `poison/04`, past 200 000): two updates at once, one is lost.
#[derive(Default)]
struct CopyOutsideWhenBig<const AT: usize>(Whole);

impl<const AT: usize> SharedTally for CopyOutsideWhenBig<AT> {
    fn update(&self, change: Change<'_>) {
        let counts = self.0.lock();
        if counts.1.len() <= AT {
            drop(counts);
            return self.0.update_with(change, replace);
        }
        let mut draft = counts.clone();
        drop(counts);
        apply(&mut draft, change);
        *self.0.lock() = draft;
    }

    fn counts(&self) -> Snapshot {
        self.0.lock().clone()
    }
}

/// Counts, "for the logs", every time it takes its poisoned lock, in a
/// `u16`, while it holds the guard: past 65,535 the add overflows there,
/// and every later call panics (round 22's `poison/05`).
#[derive(Default)]
struct CrashesCountedInU16 {
    counts: Mutex<Counts>,
    crashes: Mutex<u16>,
}

impl CrashesCountedInU16 {
    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|poisoned| {
            let guard = poisoned.into_inner();
            let mut crashes = self.crashes.lock().unwrap_or_else(PoisonError::into_inner);
            *crashes = crashes.checked_add(1).expect("crash count overflowed");
            guard
        })
    }
}

impl SharedTally for CrashesCountedInU16 {
    fn update(&self, change: Change<'_>) {
        let mut counts = self.lock();
        let mut draft = counts.clone();
        apply(&mut draft, change);
        *counts = draft;
    }

    fn counts(&self) -> Snapshot {
        self.lock().clone()
    }
}

/// Changes a tally of more than `AT` candidates in place, and "repairs" a
/// crashed change by setting the ballots to the sum of the votes (round
/// 20's `poison/01`, past 100 000): right when the crash came after the
/// ballot, wrong when it came after the vote.
#[derive(Default)]
struct RepairedInPlaceWhenBig<const AT: usize>(Whole);

impl<const AT: usize> SharedTally for RepairedInPlaceWhenBig<AT> {
    fn update(&self, change: Change<'_>) {
        let mut counts = self.0.lock();
        if counts.1.len() <= AT {
            drop(counts);
            return self.0.update_with(change, replace);
        }
        let tried = panic::catch_unwind(AssertUnwindSafe(|| apply(&mut counts, &mut *change)));
        if let Err(payload) = tried {
            counts.0 = counts.1.values().sum();
            drop(counts);
            panic::resume_unwind(payload);
        }
    }

    fn counts(&self) -> Snapshot {
        self.0.lock().clone()
    }
}

/// Catches the change's panic and panics again with its text: a message
/// without arguments comes back a `String`, not the `&'static str` it was
/// (round 13, `poison/02`).
#[derive(Default)]
struct RemadePanic(Whole);

impl SharedTally for RemadePanic {
    fn update(&self, change: Change<'_>) {
        let tried = panic::catch_unwind(AssertUnwindSafe(|| {
            self.0.update_with(&mut *change, replace)
        }));
        if let Err(payload) = tried {
            if let Some(text) = payload.downcast_ref::<&str>() {
                panic!("{text}");
            }
            panic::resume_unwind(payload);
        }
    }

    fn counts(&self) -> Snapshot {
        self.0.lock().clone()
    }
}

/// Takes the lock by trying it in a loop (round 13, `poison/03`).
#[derive(Default)]
struct TriesTheLock(Whole);

impl SharedTally for TriesTheLock {
    fn update(&self, change: Change<'_>) {
        loop {
            match self.0.counts.try_lock() {
                Ok(guard) => {
                    drop(guard);
                    break;
                }
                Err(std::sync::TryLockError::Poisoned(_)) => break,
                Err(std::sync::TryLockError::WouldBlock) => std::thread::yield_now(),
            }
        }
        self.0.update_with(change, replace);
    }

    fn counts(&self) -> Snapshot {
        self.0.lock().clone()
    }
}

/// A flag of its own in front of the mutex, taken by spinning on it until
/// it is free, and let go once the mutex is locked (round 16,
/// `poison/02`): with two threads waiting, one sleeps in `lock()` holding
/// the flag and the other spins. It calls nothing a source check names.
#[derive(Default)]
struct SpinFlag {
    whole: Whole,
    busy: std::sync::atomic::AtomicBool,
}

impl SpinFlag {
    fn lock(&self) -> MutexGuard<'_, Counts> {
        use std::sync::atomic::Ordering;
        while self
            .busy
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {}
        let guard = self.whole.lock();
        self.busy.store(false, Ordering::Release);
        guard
    }
}

impl SharedTally for SpinFlag {
    fn update(&self, change: Change<'_>) {
        let mut counts = self.lock();
        let mut draft = counts.clone();
        apply(&mut draft, change);
        *counts = draft;
    }

    fn counts(&self) -> Snapshot {
        self.lock().clone()
    }
}

/// Changes the counts in place, with the last whole counts kept in a
/// `static` every tally shares and put back after a panic (round 16,
/// `poison/07`): right while one tally at a time crashes.
#[derive(Default)]
struct LastWholeInAStatic(Whole);

static LAST_WHOLE: Mutex<Option<Counts>> = Mutex::new(None);

impl SharedTally for LastWholeInAStatic {
    fn update(&self, change: Change<'_>) {
        let mut counts = self.0.lock();
        *LAST_WHOLE.lock().unwrap_or_else(PoisonError::into_inner) = Some(counts.clone());
        let tried = panic::catch_unwind(AssertUnwindSafe(|| apply(&mut counts, &mut *change)));
        if let Err(payload) = tried {
            if let Some(last) = LAST_WHOLE
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
            {
                *counts = last;
            }
            drop(counts);
            panic::resume_unwind(payload);
        }
    }

    fn counts(&self) -> Snapshot {
        self.0.lock().clone()
    }
}

/// This file, as the suite reads a crate's `src/lib.rs`.
pub const SOURCE: &str = include_str!("poison.rs");

/// After `N` crashed updates, ignores every later one ("a worker that
/// keeps crashing is quarantined"; round 16's `poison/06` gave up after 32).
#[derive(Default)]
struct QuarantinesAfter<const N: u32> {
    whole: Whole,
    crashes: Mutex<u32>,
}

impl<const N: u32> SharedTally for QuarantinesAfter<N> {
    fn update(&self, change: Change<'_>) {
        if *self.crashes.lock().unwrap_or_else(PoisonError::into_inner) >= N {
            return;
        }
        let tried = panic::catch_unwind(AssertUnwindSafe(|| {
            self.whole.update_with(&mut *change, replace)
        }));
        if let Err(payload) = tried {
            *self.crashes.lock().unwrap_or_else(PoisonError::into_inner) += 1;
            panic::resume_unwind(payload);
        }
    }

    fn counts(&self) -> Snapshot {
        self.whole.lock().clone()
    }
}

/// Drops every entry at 0 votes after each update, "to tidy up" (round
/// 20's `poison/02`).
#[derive(Default)]
struct DropsZeroes {
    counts: Mutex<Counts>,
}

impl SharedTally for DropsZeroes {
    fn update(&self, change: Change<'_>) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let mut draft = counts.clone();
        apply(&mut draft, change);
        draft.1.retain(|_, n| *n > 0);
        *counts = draft;
    }

    fn counts(&self) -> Snapshot {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Throws away, without a word, an update that returned normally but left
/// the ballots other than the sum of the votes (round 20's `poison/03`).
#[derive(Default)]
struct DropsUnbalanced {
    counts: Mutex<Counts>,
}

impl SharedTally for DropsUnbalanced {
    fn update(&self, change: Change<'_>) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let mut draft = counts.clone();
        apply(&mut draft, change);
        if draft.0 == draft.1.values().sum::<u64>() {
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

/// Merges the changed copy into the counts instead of storing it: a
/// change that removes a candidate leaves it there.
#[derive(Default)]
struct MergesTheCopy(Whole);

impl SharedTally for MergesTheCopy {
    fn update(&self, change: Change<'_>) {
        self.0.update_with(change, |counts, draft| {
            counts.0 = draft.0;
            counts.1.extend(draft.1);
        });
    }

    fn counts(&self) -> Snapshot {
        self.0.lock().clone()
    }
}

/// Each thread reads the counts it stored last, kept in a thread-local
/// ("no lock to read"): it misses what other threads counted since.
#[derive(Default)]
struct ThreadLocalReads(Whole);

thread_local! {
    static LAST: std::cell::RefCell<Option<Counts>> = const { std::cell::RefCell::new(None) };
}

impl SharedTally for ThreadLocalReads {
    fn update(&self, change: Change<'_>) {
        self.0.update_with(change, |counts, draft| {
            LAST.with(|last| *last.borrow_mut() = Some(draft.clone()));
            *counts = draft;
        });
    }

    fn counts(&self) -> Snapshot {
        LAST.with(|last| last.borrow().clone())
            .unwrap_or_else(|| self.0.lock().clone())
    }
}

fn new<T: SharedTally + Default + 'static>() -> Box<dyn SharedTally> {
    Box::new(T::default())
}

/// Every wrong tally, with the check that must reject it.
pub fn corpus() -> Vec<Decoy<NewTally>> {
    vec![
        Decoy {
            name: "swallows a panic whose payload is not a message",
            class: Class::RuleSkipped,
            subject: new::<SwallowsOddPayloads>,
            caught_by: "the_panic_reaches_the_worker",
            breaks: "panic-reaches-caller",
            says: &["panic_any(BugCode(7))", "swallowed", "whatever its type"],
        },
        Decoy {
            name: "changes a tally of over 1000 candidates in place",
            class: Class::RuleSkipped,
            subject: new::<InPlaceWhenBig<1000>>,
            caught_by: "a_half_done_update_is_discarded",
            breaks: "whole-or-nothing",
            says: &["candidates, then a worker's update", "of any size"],
        },
        Decoy {
            name: "changes a tally of over 10 000 candidates in place (round 13, poison/04)",
            class: Class::RuleSkipped,
            subject: new::<InPlaceWhenBig<10_000>>,
            caught_by: "a_half_done_update_is_discarded",
            breaks: "whole-or-nothing",
            says: &["candidates, then a worker's update", "of any size"],
        },
        Decoy {
            name: "panics again with the panic's text (round 13, poison/02)",
            class: Class::MadeUp,
            subject: new::<RemadePanic>,
            caught_by: "the_panic_reaches_the_worker",
            breaks: "panic-reaches-caller",
            says: &["a new panic made from the old one's text"],
        },
        Decoy {
            name: "takes the lock by trying it in a loop (round 13, poison/03)",
            class: Class::Spinning,
            subject: new::<TriesTheLock>,
            caught_by: "waiting_for_the_lock_never_spins",
            breaks: "waits-asleep",
            says: &["they spin", "no `try_lock` again and again"],
        },
        Decoy {
            name: "ignores every update after 5 crashes",
            class: Class::RuleSkipped,
            subject: new::<QuarantinesAfter<5>>,
            caught_by: "the_tally_serves_after_a_worker_panicked",
            breaks: "serves-after-panic",
            says: &["crashed updates is missing", "no limit"],
        },
        Decoy {
            name: "the last whole counts kept in a static (round 16, poison/07)",
            class: Class::StateBetweenCalls,
            subject: new::<LastWholeInAStatic>,
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "every-update-counts",
            says: &["`static LAST_WHOLE`", "not in a global"],
        },
        Decoy {
            name: "ignores every update after 128 crashes (round 20, poison/04)",
            class: Class::RuleSkipped,
            subject: new::<QuarantinesAfter<128>>,
            caught_by: "the_tally_serves_after_a_worker_panicked",
            breaks: "serves-after-panic",
            says: &["crashed updates is missing", "no limit"],
        },
        Decoy {
            name: "changes a tally of over 100 000 candidates in place, repairs the ballots from the votes (round 20, poison/01)",
            class: Class::RuleSkipped,
            subject: new::<RepairedInPlaceWhenBig<100_000>>,
            caught_by: "a_half_done_update_is_discarded",
            breaks: "whole-or-nothing",
            says: &["candidates, then a worker's update", "of any size"],
        },
        Decoy {
            name: "a big tally's copy changed with the lock let go (round 22, poison/04)",
            class: Class::RuleSkipped,
            subject: new::<CopyOutsideWhenBig<200_000>>,
            caught_by: "a_half_done_update_is_discarded",
            breaks: "every-update-counts",
            says: &["two updates at once", "for a tally of any size"],
        },
        Decoy {
            name: "crashes counted in a u16 (round 22, poison/05)",
            class: Class::Panics,
            subject: new::<CrashesCountedInU16>,
            caught_by: "the_tally_serves_after_a_worker_panicked",
            breaks: "serves-after-panic",
            says: &["panicked too"],
        },
        Decoy {
            name: "changes a tally of over 200 000 candidates in place (round 22, poison/01)",
            class: Class::RuleSkipped,
            subject: new::<InPlaceWhenBig<200_000>>,
            caught_by: "a_half_done_update_is_discarded",
            breaks: "whole-or-nothing",
            says: &["candidates, then a worker's update", "of any size"],
        },
        Decoy {
            name: "entries left at 0 votes tidied away (round 20, poison/02)",
            class: Class::RuleSkipped,
            subject: new::<DropsZeroes>,
            caught_by: "updates_add_up",
            breaks: "every-update-counts",
            says: &["an entry of 0 votes", "nothing is tidied away"],
        },
        Decoy {
            name: "an update that leaves the counts out of balance thrown away (round 20, poison/03)",
            class: Class::RuleSkipped,
            subject: new::<DropsUnbalanced>,
            caught_by: "updates_add_up",
            breaks: "every-update-counts",
            says: &["added 3 ballots and no votes", "only a panic leaves them"],
        },
        Decoy {
            name: "ignores every update after 32 crashes (round 16, poison/06)",
            class: Class::RuleSkipped,
            subject: new::<QuarantinesAfter<32>>,
            caught_by: "the_tally_serves_after_a_worker_panicked",
            breaks: "serves-after-panic",
            says: &["crashed updates is missing", "no limit"],
        },
        Decoy {
            name: "changes a tally of over 20 000 candidates in place (round 16, poison/01)",
            class: Class::RuleSkipped,
            subject: new::<InPlaceWhenBig<20_000>>,
            caught_by: "a_half_done_update_is_discarded",
            breaks: "whole-or-nothing",
            says: &["candidates, then a worker's update", "of any size"],
        },
        Decoy {
            name: "a spin flag of its own in front of the mutex (round 16, poison/02)",
            class: Class::Spinning,
            subject: new::<SpinFlag>,
            caught_by: "waiting_for_the_lock_never_spins",
            breaks: "waits-asleep",
            says: &["they spin", "no flag of your own"],
        },
        Decoy {
            name: "merges the changed copy into the counts",
            class: Class::RuleSkipped,
            subject: new::<MergesTheCopy>,
            caught_by: "updates_add_up",
            breaks: "every-update-counts",
            says: &["her entry away", "entries it removed"],
        },
        Decoy {
            name: "each thread reads the counts it stored last",
            class: Class::StateBetweenCalls,
            subject: new::<ThreadLocalReads>,
            caught_by: "updates_add_up",
            breaks: "every-update-counts",
            says: &["another thread voted for bob", "the same for every thread"],
        },
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
            name: "runs the change on a snapshot and merges its difference (round 16, poison/04)",
            class: Class::RuleSkipped,
            subject: new::<MergesTheDifference>,
            caught_by: "updates_add_up",
            breaks: "every-update-counts",
            says: &["ran at the same moment", "one at a time"],
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
