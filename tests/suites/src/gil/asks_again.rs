//! A waiter asks again, of every new holder: its request is not used up by
//! a hand-over to somebody else.
//!
//! With two waiters, the holder's hand-over goes to one of them. The other
//! has asked too, and keeps waiting: after a whole interval without the
//! lock changing hands it must ask the new holder, who checks in all the
//! time and hands over at once. A waiter that asks once per `acquire`, and
//! whose request went to the first hand-over, never asks again: it waits
//! until the new holder lets go of its own accord. The two-thread checks
//! cannot see it (the thread that just handed over asks again itself), so
//! this one times the second waiter from the moment the first got the
//! lock, beside the known-good yardstick in the same run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::paused::{Shown, beside_yardstick, listed};
use super::yardstick::Yardstick;
use super::{GilApi, GuardApi, human, workload};

const CHECK: &str = "hands_off_after_the_switch_interval";
/// The switch interval of the check.
const INTERVAL: Duration = Duration::from_millis(2);
/// How long the first holder keeps the lock, without checking in, before it
/// lets go: both waiters have asked by then.
const FIRST_HOLD: Duration = Duration::from_millis(20);
/// How long the next holder computes, checking in all the time, before it
/// lets go of its own accord if the other waiter never got the lock.
const COMPUTES_AT_MOST: Duration = Duration::from_millis(400);
/// The longest the second waiter may wait after the first got the lock:
/// the reference takes an interval or two (2 to 10 ms measured on an idle
/// machine); this leaves room for a busy one, and a waiter that never asks
/// again waits the whole [`COMPUTES_AT_MOST`].
const SECOND_WITHIN: Duration = Duration::from_millis(150);
/// Trials for each lock. The waiter whose request went to the first
/// hand-over is one of two, so a lock that asks once per `acquire` is
/// caught in about one trial of two.
const TRIALS: usize = 6;
/// When the trials count as stuck: each takes at most [`FIRST_HOLD`] +
/// [`COMPUTES_AT_MOST`] and a hand-over.
const STUCK_AFTER: Duration = Duration::from_secs(8);

/// How long the second waiter waited after the first got the lock.
struct Second(Duration);

impl Shown for Second {
    fn shown(&self) -> String {
        human(self.0)
    }
}

/// One trial: a holder, two waiters; whichever waiter gets the lock first
/// computes with check-ins until the other has had it.
fn trial<G: GilApi>(gil: &G, _: usize) -> Result<Second, String> {
    let firsts = &std::sync::Mutex::new(Vec::<Instant>::new());
    let both_had_it = &AtomicBool::new(false);
    std::thread::scope(|s| {
        let guard = gil.acquire();
        for _ in 0..2 {
            s.spawn(move || {
                let mut guard = gil.acquire();
                let n = {
                    let mut got = firsts.lock().unwrap_or_else(|e| e.into_inner());
                    got.push(Instant::now());
                    got.len()
                };
                if n == 2 {
                    both_had_it.store(true, Ordering::SeqCst);
                    return;
                }
                let began = Instant::now();
                let mut acc = 0u64;
                while !both_had_it.load(Ordering::SeqCst) && began.elapsed() < COMPUTES_AT_MOST {
                    acc = workload::instructions(1_000).wrapping_add(acc);
                    guard.check_in();
                }
                std::hint::black_box(acc);
            });
        }
        std::thread::sleep(FIRST_HOLD);
        drop(guard);
    });
    let got = firsts.lock().unwrap_or_else(|e| e.into_inner());
    match got.as_slice() {
        [first, second] => Ok(Second(second.duration_since(*first))),
        _ => Err("the two waiters did not both get the lock".to_owned()),
    }
}

/// The sub-check of `hands_off_after_the_switch_interval`: see the
/// module's documentation.
pub fn every_waiter_asks_again<G: GilApi>() {
    let Some((mine, yard)) = beside_yardstick::<G, _>(
        CHECK,
        INTERVAL,
        TRIALS,
        STUCK_AFTER,
        "Two threads waiting for the GIL, and the one that got it checking in all the time: \
         the other never got it.",
        trial::<G>,
        trial::<Yardstick>,
    ) else {
        return;
    };
    let late = |trials: &[Second]| trials.iter().filter(|t| t.0 > SECOND_WITHIN).count();
    let (mine_late, yard_late) = (late(&mine), late(&yard));
    if mine_late > 0 && yard_late > 0 {
        harness::speedup::not_judged(
            CHECK,
            &format!(
                "with two waiters, the second got the lock more than {} after the first in \
                 {mine_late} of {TRIALS} trials ({}), but so did a known-good lock's in \
                 {yard_late} ({}): the machine is too busy to judge",
                human(SECOND_WITHIN),
                listed(&mine),
                listed(&yard),
            ),
        );
        return;
    }
    assert!(
        mine_late == 0,
        "[every waiter asks again] a holder kept the lock {} while two threads waited, then \
         let go; the waiter that got it computed, checking in all the time, for up to {}. The \
         other waiter got the lock this long after the first (switch interval {}): {}; a \
         known-good lock in the same run: {}. A waiter asks the holder to let go each time a \
         whole interval passes without the lock changing hands, of whichever thread holds it \
         now: a request used up by a hand-over to another waiter must be made again.",
        human(FIRST_HOLD),
        human(COMPUTES_AT_MOST),
        human(INTERVAL),
        listed(&mine),
        listed(&yard),
    );
}
