//! Forced switching, witnessed: a holder asked to hand over must not take
//! the lock back before the waiter has had it.
//!
//! On an idle machine a woken waiter often wins the race against a holder
//! that releases and grabs the lock straight back (or yields, or sleeps a
//! little first), so a lock without forced switching takes turns almost as
//! it should, and timing cannot tell it from one with it. This check takes
//! the race out: once the waiter has asked for the lock and gone back to
//! sleep, it is paused ([`harness::pause`]), and only then does the holder
//! check in. A lock with forced switching lets go and waits in `check_in`
//! until another thread has had the lock, so `check_in` cannot return
//! until the waiter is resumed and has had its turn. A lock without it
//! returns while the waiter is still paused, and the waiter never had the
//! lock: that is the witness, whatever the machine's load.
//!
//! The one way a good lock could return early is if its waiter had not yet
//! asked when it was paused. The check waits ten intervals and until the
//! waiter is asleep before it pauses it, and a known-good lock runs the
//! same trials in the same run: if even that one returned early, the
//! machine is too busy to judge.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use harness::pause::Pausable;

use super::paused::{Shown, beside_yardstick, listed, returned_within};
use super::yardstick::Yardstick;
use super::{GilApi, GuardApi, human, workload};

const CHECK: &str = "the_waiter_gets_the_lock_before_the_holder_takes_it_back";
/// The switch interval of the check.
const INTERVAL: Duration = Duration::from_millis(2);
/// How long the waiter waits before it is paused: it asks after one
/// interval, so ten leave it plenty of time to have asked.
const ASKED_BY: Duration = Duration::from_millis(20);
/// How much longer the check waits for the waiter to be asleep before it
/// pauses it anyway (a waiter that spins never sleeps).
const ASLEEP_WITHIN: Duration = Duration::from_millis(100);
/// How long the waiter stays paused while the holder checks in: 75
/// intervals. A `check_in` that has not returned by then has waited for
/// the waiter, as it should; one that gives up waiting after a while and
/// takes the lock back anyway is seen in the long first trial
/// ([`PAUSED_FIRST_FOR`]). The later trials catch a lock that hands over
/// only some of the time, which a short pause shows as well as a long one.
const PAUSED_FOR: Duration = Duration::from_millis(150);
/// How long the waiter stays paused in the student's first trial: a
/// `check_in` that gives up waiting after half a second, or a second, is
/// seen there. (The page says to wait until another thread has taken the
/// lock, with no limit; no check can wait forever, so one long trial
/// stands for it. The yardstick's trials keep the short pause.)
const PAUSED_FIRST_FOR: Duration = Duration::from_millis(1500);
/// Trials for the student's lock (and as many for the yardstick). One
/// trial that took the lock back fails the lock: a good lock never does
/// once its waiter has asked, so there is nothing to forgive, and a lock
/// that hands over only some of the time is caught by its first miss.
const TRIALS: usize = 3;
/// When the trials count as stuck: each takes at most [`ASKED_BY`] +
/// [`ASLEEP_WITHIN`] + its pause and a hand-over, 3 s for all six (2.4 s
/// on an idle machine).
const STUCK_AFTER: Duration = Duration::from_secs(7);

/// How many times the holder's thread may go to sleep and be woken inside
/// one `check_in` that hands over: a holder that sleeps until the lock has
/// been taken wakes once or twice (the take-over, then its own retake);
/// one that looks again every millisecond while the waiter is paused wakes
/// 150 times in a 150 ms pause and 1,500 in the first trial's (round 16's
/// `gil/03`), one that looks every 140 ms about 11 times in the first
/// trial's (round 23's `gil/02`; 12 were allowed until then).
const WAKES_AT_MOST: u64 = 5;

/// What one trial saw.
#[derive(Clone, Copy, Debug)]
enum Trial {
    /// `check_in` returned only after the waiter had had the lock, its
    /// thread having gone to sleep and been woken this many times meanwhile
    /// (voluntary context switches, counted by the kernel).
    HandedOver(u64),
    /// `check_in` returned, after this long, while the waiter was paused
    /// and had not had the lock.
    TookBack(Duration),
}

/// One trial: the holder computes until told to check in once; the waiter
/// asks for the lock, and is paused for `paused_for` once it has asked.
fn trial<G: GilApi>(gil: &G, paused_for: Duration) -> Result<Trial, String> {
    let check_in_now = &AtomicBool::new(false);
    let waiter_had_it = &AtomicBool::new(false);
    let returned = &AtomicBool::new(false);
    let (holding, held) = mpsc::channel();
    let (tell, waiter) = mpsc::channel();
    std::thread::scope(|s| {
        let holder = s.spawn(move || {
            let mut guard = gil.acquire();
            let _ = holding.send(());
            let mut acc = 0;
            while !check_in_now.load(Ordering::SeqCst) {
                acc = workload::instructions(1_000).wrapping_add(acc);
            }
            std::hint::black_box(acc);
            let began = Instant::now();
            let woken = harness::clock::thread_wakeups();
            guard.check_in();
            let woke = harness::clock::thread_wakeups().saturating_sub(woken);
            let took = began.elapsed();
            let had = waiter_had_it.load(Ordering::SeqCst);
            returned.store(true, Ordering::SeqCst);
            drop(guard);
            (took, had, woke)
        });
        s.spawn(move || {
            held.recv().expect("the holder takes a free lock");
            let _ = tell.send(Pausable::current());
            let guard = gil.acquire();
            waiter_had_it.store(true, Ordering::SeqCst);
            drop(guard);
        });
        let waiter = waiter.recv().expect("the waiter starts");
        let asked = Instant::now();
        std::thread::sleep(ASKED_BY);
        while waiter.state() != Some('S') && asked.elapsed() < ASKED_BY + ASLEEP_WITHIN {
            std::thread::sleep(Duration::from_millis(1));
        }
        if waiter_had_it.load(Ordering::SeqCst) {
            // In without a check-in: not this check's business (the probe
            // of `never_two_holders` sees two holders).
            check_in_now.store(true, Ordering::SeqCst);
            let _ = holder.join();
            return Ok(Trial::HandedOver(0));
        }
        let paused = waiter.pause();
        // Whatever happened, the holder checks in, so that every thread
        // ends (the scope joins them).
        check_in_now.store(true, Ordering::SeqCst);
        let paused = paused?;
        let while_paused = returned_within(returned, paused_for);
        drop(paused);
        let (took, had, woke) = holder.join().expect("the holder does not panic");
        Ok(if while_paused && !had {
            Trial::TookBack(took)
        } else {
            Trial::HandedOver(woke)
        })
    })
}

/// The trials in which the holder's `check_in` woke more than
/// [`WAKES_AT_MOST`] times.
fn woke_often(trials: &[Trial]) -> usize {
    trials
        .iter()
        .filter(|t| matches!(t, Trial::HandedOver(woke) if *woke > WAKES_AT_MOST))
        .count()
}

fn took_back(trials: &[Trial]) -> usize {
    trials
        .iter()
        .filter(|t| matches!(t, Trial::TookBack(_)))
        .count()
}

impl Shown for Trial {
    fn shown(&self) -> String {
        match self {
            Trial::HandedOver(1) => "handed over (1 wake-up)".to_owned(),
            Trial::HandedOver(woke) => format!("handed over ({woke} wake-ups)"),
            Trial::TookBack(after) => format!("took it back after {}", human(*after)),
        }
    }
}

/// The check: see the module's documentation.
pub fn the_waiter_gets_the_lock_before_the_holder_takes_it_back<G: GilApi>() {
    let Some((mine, yard)) = beside_yardstick::<G, _>(
        CHECK,
        INTERVAL,
        TRIALS,
        STUCK_AFTER,
        "A holder asked to hand over to a paused waiter never finished: check_in did not \
         return after the waiter was resumed, or acquire never returned.",
        |gil: &G, n| trial(gil, if n == 0 { PAUSED_FIRST_FOR } else { PAUSED_FOR }),
        |yardstick: &Yardstick, _| trial(yardstick, PAUSED_FOR),
    ) else {
        return;
    };
    let (early, yard_early) = (took_back(&mine), took_back(&yard));
    if early > 0 && yard_early > 0 {
        harness::speedup::not_judged(
            CHECK,
            &format!(
                "check_in returned while the waiter was paused in {early} of {TRIALS} trials \
                 ({}), but so did a known-good lock's in {yard_early} ({}): its waiter had not \
                 asked within {}, so the machine is too busy to judge forced switching",
                listed(&mine),
                listed(&yard),
                human(ASKED_BY + ASLEEP_WITHIN),
            ),
        );
        return;
    }
    assert!(
        early == 0,
        "a waiter asked for the lock, went back to sleep, and was then paused; the holder \
         then checked in once. In {early} of {TRIALS} trials check_in returned while the \
         waiter was still paused, and the waiter had not had the lock: {}. A known-good lock \
         in the same run: {}. When check_in hands over, it must wait until another thread has \
         taken the lock before it takes it back (CPython's forced switching): a woken waiter \
         may need time to run (its core busy, its thread descheduled), and a holder that \
         releases and retakes, even after a yield or a short sleep, wins that race and the \
         waiter starves.",
        listed(&mine),
        listed(&yard),
    );
    let (polled, yard_polled) = (woke_often(&mine), woke_often(&yard));
    if polled > 0 && yard_polled > 0 {
        harness::speedup::not_judged(
            CHECK,
            &format!(
                "check_in woke more than {WAKES_AT_MOST} times while it waited for the take-over \
                 in {polled} of {TRIALS} trials ({}), but so did a known-good lock's in \
                 {yard_polled} ({}): the machine is too busy to count wake-ups",
                listed(&mine),
                listed(&yard),
            ),
        );
        return;
    }
    assert!(
        polled == 0,
        "having handed over, check_in woke more than {WAKES_AT_MOST} times while the waiter it \
         handed over to was paused (1.5 s in the first trial, 150 ms in the others), in \
         {polled} of {TRIALS} trials: {}. A known-good lock in the same run: {}. A holder \
         waiting for the take-over is a waiter like any other: it sleeps until the lock changes \
         hands and a release or a take wakes it, and never looks again and again (a timed wait \
         or a sleep in a loop).",
        listed(&mine),
        listed(&yard),
    );
}
