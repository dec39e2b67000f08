//! A new holder gets a whole interval, witnessed: a waiter measures its
//! switch interval from the latest hand-over, so nobody asks a new holder
//! to let go before it has held the lock that long.
//!
//! A waiter that measures its interval once, from the start of its own
//! wait, has long passed it when the lock changes hands, and asks every new
//! holder at once; so does a drop request left over from the last holder.
//! Turns then grow short, but only timing shows that, and only on a quiet
//! machine. This check sees the request itself. A first holder keeps the
//! lock for three intervals while two waiters wait, then lets go. One
//! waiter gets the lock; a few milliseconds later, with the other asleep
//! again, the test pauses the other ([`harness::pause`]) and has the new
//! holder check in. If the paused waiter has asked, a `check_in` with
//! forced switching waits for it, and does not return while it is paused;
//! if nobody has asked, it returns at once. A good waiter cannot have
//! asked: it would ask a whole interval after the hand-over, and it is
//! paused long before that (a paused thread asks nothing).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Barrier, mpsc};
use std::time::{Duration, Instant};

use harness::pause::Pausable;

use super::paused::{Shown, beside_yardstick, listed, returned_within};
use super::yardstick::Yardstick;
use super::{GilApi, GuardApi, human, workload};

const CHECK: &str = "a_new_holder_gets_a_whole_interval";
/// The switch interval of the check: long, so that "at once" and "a whole
/// interval later" are far apart even on a busy machine.
const INTERVAL: Duration = Duration::from_millis(50);
/// How long the first holder keeps the lock without checking in: three
/// intervals, so both waiters have waited more than one.
const FIRST_HOLD: Duration = Duration::from_millis(150);
/// The other waiter is paused at least this long after the hand-over (by
/// then a waiter that asks at once has asked; woken by the release, it
/// found the lock taken) ...
const SETTLED: Duration = Duration::from_millis(5);
/// ... and no later than this, once it is asleep: half an interval, long
/// before a good waiter may ask. Later than this, the trial does not count.
const PAUSED_BY: Duration = Duration::from_millis(25);
/// How long the new holder's `check_in` may take, with the other waiter
/// paused, before it counts as waiting for that waiter.
const WAITS_AFTER: Duration = Duration::from_millis(50);
/// Trials for the student's lock (and as many for the yardstick): two
/// whose waiters wait in `acquire`, two whose waiters wait to take the
/// lock back after `allow_threads`.
const TRIALS: usize = 4;
/// When the trials count as stuck: each takes at most [`FIRST_HOLD`] +
/// [`PAUSED_BY`] + [`WAITS_AFTER`] and a hand-over, 2 s for all eight.
const STUCK_AFTER: Duration = Duration::from_secs(5);

/// What one trial saw.
#[derive(Clone, Copy, Debug)]
enum Trial {
    /// The new holder's `check_in` returned at once: nobody had asked.
    NotAsked,
    /// The new holder checked in this long after it got the lock, and its
    /// `check_in` waited for the paused waiter: it had been asked.
    Asked(Duration),
    /// The other waiter was not asleep again in time: the machine was too
    /// busy for this trial to tell.
    Void,
}

/// Computes, without checking in, for `how_long`.
fn compute_for(how_long: Duration) {
    let began = Instant::now();
    let mut acc = 0u64;
    while began.elapsed() < how_long {
        acc = workload::instructions(1_000).wrapping_add(acc);
    }
    std::hint::black_box(acc);
}

/// One trial; see the module's documentation. In odd trials the two
/// waiters wait to take the lock back at the end of an `allow_threads`,
/// which they entered before the first holder took the lock, instead of
/// in `acquire`: the lock taken back clears a drop request as a lock
/// acquired does (round 20's `gil/05` took it back through a copy of its
/// `take` without that line).
fn trial<G: GilApi>(gil: &G, n: usize) -> Result<Trial, String> {
    let back = n % 2 == 1;
    let in_closures = &Barrier::new(3);
    let all_in = &Barrier::new(3);
    let first = &AtomicUsize::new(usize::MAX);
    let check_in_now = &AtomicBool::new(false);
    let returned = &AtomicBool::new(false);
    let (tell, waiters) = mpsc::channel();
    let (got, new_holder) = mpsc::channel();
    std::thread::scope(|s| {
        s.spawn(move || {
            if back {
                in_closures.wait();
            }
            let guard = gil.acquire();
            all_in.wait();
            compute_for(FIRST_HOLD);
            drop(guard);
        });
        for me in 0..2 {
            let (tell, got) = (tell.clone(), got.clone());
            s.spawn(move || {
                let _ = tell.send((me, Pausable::current()));
                let mut guard = if back {
                    let mut guard = gil.acquire();
                    guard.allow_threads(|| {
                        in_closures.wait();
                        all_in.wait();
                    });
                    guard
                } else {
                    all_in.wait();
                    gil.acquire()
                };
                let at = Instant::now();
                if first
                    .compare_exchange(usize::MAX, me, Ordering::SeqCst, Ordering::SeqCst)
                    .is_err()
                {
                    return;
                }
                let _ = got.send(at);
                while !check_in_now.load(Ordering::SeqCst) {
                    std::hint::spin_loop();
                }
                guard.check_in();
                returned.store(true, Ordering::SeqCst);
            });
        }
        drop((tell, got));
        let mut pausable = [None, None];
        for (me, p) in waiters.iter().take(2) {
            pausable[me] = Some(p);
        }
        // Whatever happens, the new holder checks in, so that every
        // thread ends.
        let go = || check_in_now.store(true, Ordering::SeqCst);
        let Ok(at) = new_holder.recv() else {
            // A waiter panicked: the scope re-raises it.
            go();
            return Ok(Trial::Void);
        };
        let other = pausable[1 - first.load(Ordering::SeqCst)].expect("both waiters started");
        std::thread::sleep(SETTLED.saturating_sub(at.elapsed()));
        while other.state() != Some('S') && at.elapsed() < PAUSED_BY {
            std::thread::sleep(Duration::from_micros(200));
        }
        if at.elapsed() >= PAUSED_BY {
            go();
            return Ok(Trial::Void);
        }
        let paused = other.pause();
        let checked_in = at.elapsed();
        go();
        let paused = paused?;
        let waited = !returned_within(returned, WAITS_AFTER);
        drop(paused);
        Ok(if waited {
            Trial::Asked(checked_in)
        } else {
            Trial::NotAsked
        })
    })
}

fn count(trials: &[Trial], asked: bool) -> usize {
    trials
        .iter()
        .filter(|t| matches!(t, Trial::Asked(_)) == asked && !matches!(t, Trial::Void))
        .count()
}

impl Shown for Trial {
    fn shown(&self) -> String {
        match self {
            Trial::NotAsked => "not asked".to_owned(),
            Trial::Asked(after) => format!("asked within {}", human(*after)),
            Trial::Void => "not counted (machine busy)".to_owned(),
        }
    }
}

/// The check: see the module's documentation.
pub fn a_new_holder_gets_a_whole_interval<G: GilApi>() {
    let Some((mine, yard)) = beside_yardstick::<G, _>(
        CHECK,
        INTERVAL,
        TRIALS,
        STUCK_AFTER,
        "A hand-over between three threads never finished: acquire or check_in never \
         returned.",
        trial::<G>,
        trial::<Yardstick>,
    ) else {
        return;
    };
    let (asked, not_asked) = (count(&mine, true), count(&mine, false));
    let yard_asked = count(&yard, true);
    // A good lock is never asked early, so one trial that was fails it.
    if asked == 0 {
        if asked + not_asked == 0 {
            harness::speedup::not_judged(
                CHECK,
                &format!(
                    "in none of {TRIALS} trials was the other waiter asleep again within {} of \
                     the hand-over: the machine is too busy to judge",
                    human(PAUSED_BY)
                ),
            );
        }
        return;
    }
    if yard_asked > 0 {
        harness::speedup::not_judged(
            CHECK,
            &format!(
                "the new holder was asked to hand over early in {asked} of {TRIALS} trials \
                 ({}), but so was a known-good lock's in {yard_asked} ({}): the machine is too \
                 busy to judge",
                listed(&mine),
                listed(&yard),
            ),
        );
        return;
    }
    panic!(
        "a first holder kept the lock for {} while two waiters waited, with a switch \
         interval of {}, then let go. One waiter got the lock; the other was paused a few \
         milliseconds later, and the new holder checked in. In {asked} of {TRIALS} trials \
         its check_in waited for the paused waiter: the new holder had been asked to hand \
         over ({}), long before it had held the lock a whole interval. A known-good lock in \
         the same run: {}. A waiter must measure its interval from the latest hand-over, \
         not from the start of its own wait, and taking the lock clears any drop request \
         left from the last holder (taking it back at the end of `allow_threads` too: the odd \
         trials' waiters waited there): every new holder gets a whole interval before anyone \
         asks it to let go.",
        human(FIRST_HOLD),
        human(INTERVAL),
        listed(&mine),
        listed(&yard),
    );
}
