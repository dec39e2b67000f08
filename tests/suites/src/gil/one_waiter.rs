//! A release with one waiter and nothing after it: the wake-up that a race
//! loses only once in dozens of hand-overs.
//!
//! With many threads, a waiter that slept through a release is woken by the
//! next one, and a lost wake-up costs only a little time. Here a holder and
//! one waiter take turns, and after each release the holder waits for the
//! waiter to have the lock before anything else happens: the release is the
//! waiter's only way out, and with a switch interval of a minute a lost
//! wake-up leaves it asleep. The holder lets go at a drawn moment, from at
//! once to a few microseconds after it told the waiter to come, so that over
//! thousands of turns the release lands at every point of the waiter's way
//! into its sleep, the few instructions between "the lock is held" and
//! "asleep" included (where a release that decides whom to wake before it
//! takes the lock's state misses the waiter). No timing is judged: a waiter
//! that has not got the lock 1.5 s after the release slept through it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{FOREVER, GilApi};
use crate::fetching::Draw;

/// Turns taken, at most: each costs a wake-up, some microseconds.
const TURNS: usize = 20_000;

/// The time the turns may take in all.
const BUDGET: Duration = Duration::from_millis(600);

/// After a release, how long the holder waits for the waiter to have the
/// lock before it calls the wake-up lost. A woken thread on a loaded
/// machine runs within milliseconds; a lost one sleeps the whole minute.
const LOST_AFTER: Duration = Duration::from_millis(1500);

/// The latest moment after its signal at which the holder lets go.
const LATEST_RELEASE_NS: usize = 3_000;

/// What the turns showed: `Ok(turns)` when every release woke the waiter,
/// or the first turn that lost it and how late that release came.
pub(super) fn take_turns<G: GilApi>() -> Result<usize, (usize, Duration)> {
    let gil = G::new(FOREVER);
    // The turn the waiter may take, the turn it has taken, the turn it has
    // let go; 0 means none yet.
    let (come, took, done) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let stop = AtomicBool::new(false);
    let mut draw = Draw::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut turn = 1;
            while !stop.load(Ordering::Acquire) {
                if come.load(Ordering::Acquire) != turn {
                    std::hint::spin_loop();
                    continue;
                }
                let guard = gil.acquire();
                took.store(turn, Ordering::Release);
                drop(guard);
                done.store(turn, Ordering::Release);
                turn += 1;
            }
        });
        let began = Instant::now();
        let mut outcome = Ok(TURNS);
        for turn in 1..=TURNS {
            if began.elapsed() > BUDGET {
                outcome = Ok(turn - 1);
                break;
            }
            let guard = gil.acquire();
            let late = Duration::from_nanos(draw.pick(0..=LATEST_RELEASE_NS) as u64);
            come.store(turn, Ordering::Release);
            let signalled = Instant::now();
            while signalled.elapsed() < late {
                std::hint::spin_loop();
            }
            drop(guard);
            let released = Instant::now();
            while took.load(Ordering::Acquire) != turn {
                if released.elapsed() > LOST_AFTER {
                    outcome = Err((turn, late));
                    break;
                }
                std::thread::yield_now();
            }
            if outcome.is_err() {
                break;
            }
            while done.load(Ordering::Acquire) != turn {
                std::thread::yield_now();
            }
        }
        // A waiter asleep through a release gets a second one, so that
        // it can end.
        stop.store(true, Ordering::Release);
        if outcome.is_err() {
            drop(gil.acquire());
        }
        outcome
    })
}
