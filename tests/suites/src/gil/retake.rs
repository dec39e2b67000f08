//! A holder that handed the lock over gets it back as soon as its waiter
//! lets go: the lock's own wake-ups bring it back, whatever the switch
//! interval.
//!
//! A holder that hands over in `check_in` then waits to see the lock taken,
//! and takes it back. If it does not count itself among the sleepers while
//! it waits, the waiter's take wakes nobody, and a timed wait that looks
//! again every interval hides the lost wake-up: the holder is back one
//! interval later instead of when the waiter lets go (round 13, `gil/10`).
//! The waiter is paused once it has asked, until the holder is asleep in
//! the check-in that hands over: unpaused, it may take the lock before the
//! holder goes to sleep, and a holder that is never woken is not seen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use harness::pause::Pausable;

use super::{GilApi, GuardApi, human, settle};

const CHECK: &str = "the_holder_gets_the_lock_back_when_the_waiter_lets_go";
/// The switch interval: long, so that a wake-up lost and found again at
/// the next interval shows.
const INTERVAL: Duration = Duration::from_millis(300);
/// How long the waiter stays paused once the holder is asleep.
const PAUSED_FOR: Duration = Duration::from_millis(50);
/// How long the waiter holds the lock it was handed.
const HOLD: Duration = Duration::from_millis(20);
/// How soon after the waiter lets go the holder must have the lock back.
const BACK_WITHIN: Duration = Duration::from_millis(100);
/// Trials before a late holder is a failure (a busy machine may be late
/// once).
const TRIALS: usize = 3;

/// The check: see the module's documentation.
pub fn the_holder_gets_the_lock_back_when_the_waiter_lets_go<G: GilApi>() {
    let mut late = Vec::new();
    for _ in 0..TRIALS {
        match trial::<G>() {
            Ok(()) => return,
            Err(after) => late.push(after),
        }
    }
    panic!(
        "[{CHECK}] a holder checking in handed the lock to a thread that asked for it (switch \
         interval {}); that thread let go {} later, and the holder had the lock back only {} \
         after that ({TRIALS} trials: {}; at most {} passes). The lock's wake-ups must reach \
         the holder that handed over: count it among the sleepers while it waits to see the \
         lock taken and to take it back. A timed wait that looks again every interval only \
         hides the lost wake-up.",
        human(INTERVAL),
        human(HOLD),
        human(late[0]),
        late.iter()
            .map(|d| human(*d))
            .collect::<Vec<_>>()
            .join(", "),
        human(BACK_WITHIN)
    );
}

/// One hand-over and back: `Err` with how long after the waiter's release
/// the holder had the lock again, when that was too long.
fn trial<G: GilApi>() -> Result<(), Duration> {
    let gil = G::new(INTERVAL);
    let back = settle(
        CHECK,
        "A holder that handed the lock over never got it back.",
        move || {
            let gil = &gil;
            let had_it = &AtomicBool::new(false);
            let check_in_now = &AtomicBool::new(false);
            let (ready, holding) = mpsc::channel::<Pausable>();
            let (tell, waiting) = mpsc::channel::<Pausable>();
            std::thread::scope(|s| {
                let holder = s.spawn(move || {
                    let mut guard = gil.acquire();
                    let _ = ready.send(Pausable::current());
                    // Computes, without checking in, until the waiter has
                    // asked and been paused.
                    let mut acc = 0u64;
                    while !check_in_now.load(Ordering::SeqCst) {
                        acc = super::workload::instructions(1_000).wrapping_add(acc);
                    }
                    std::hint::black_box(acc);
                    let began = Instant::now();
                    let mut back = Instant::now();
                    // Checks in until the check-in that handed over has
                    // returned: the lock is back then.
                    while !had_it.load(Ordering::SeqCst) && began.elapsed() < INTERVAL * 8 {
                        guard.check_in();
                        back = Instant::now();
                    }
                    back
                });
                let holder_thread = holding.recv().expect("the holder takes a free lock");
                let waiter = s.spawn(move || {
                    let _ = tell.send(Pausable::current());
                    let guard = gil.acquire();
                    had_it.store(true, Ordering::SeqCst);
                    // Held a moment, so that the holder is back asleep,
                    // waiting to take the lock again, when it is let go.
                    std::thread::sleep(HOLD);
                    let released = Instant::now();
                    drop(guard);
                    released
                });
                let waiter_thread = waiting.recv().expect("the waiter starts");
                // The waiter asks after an interval, and sleeps again.
                std::thread::sleep(INTERVAL + INTERVAL / 4);
                let paused = waiter_thread.pause();
                check_in_now.store(true, Ordering::SeqCst);
                // The holder hands over at its next check-in, and sleeps
                // until the lock is taken.
                let asleep_by = Instant::now() + INTERVAL;
                while holder_thread.state() != Some('S') && Instant::now() < asleep_by {
                    std::thread::sleep(Duration::from_millis(1));
                }
                std::thread::sleep(PAUSED_FOR);
                drop(paused);
                let released = waiter.join().expect("the waiter");
                let back = holder.join().expect("the holder");
                back.saturating_duration_since(released)
            })
        },
    );
    if back <= BACK_WITHIN {
        Ok(())
    } else {
        Err(back)
    }
}
