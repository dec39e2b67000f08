//! A check-in with nobody waiting must cost next to nothing: the holder
//! calls it every few instructions, as CPython's eval loop tests its
//! `eval_breaker`. Timed beside the yardstick (whose check-in locks a
//! mutex), in the same run, interleaved, fastest round of each.

use std::time::{Duration, Instant};

use super::yardstick::Yardstick;
use super::{GilApi, GuardApi, INTERVAL, settle};

/// Check-ins per round.
const CALLS: u32 = 20_000;
/// Rounds of each lock, alternating; the fastest counts.
const ROUNDS: usize = 5;
/// A check-in may cost this many times the yardstick's, plus
/// [`SLACK`]: room for a mutex or a clock read, not for a system call. On
/// our 2-core machine kind the yardstick's costs 30 ns, the reference's
/// 8 ns, one that yields the CPU every time 190 to 310 ns.
const TIMES_THE_YARDSTICK: u32 = 3;
const SLACK: Duration = Duration::from_nanos(30);

/// The fastest of [`ROUNDS`] rounds of [`CALLS`] check-ins on each lock,
/// per call: the student's, then the yardstick's.
fn per_call<G: GilApi>() -> (Duration, Duration) {
    let (gil, yardstick) = (G::new(INTERVAL), Yardstick::new(INTERVAL));
    let (mut guard, mut yard) = (gil.acquire(), yardstick.acquire());
    let round = |check_in: &mut dyn FnMut()| {
        let begun = Instant::now();
        for _ in 0..CALLS {
            check_in();
        }
        begun.elapsed() / CALLS
    };
    let (mut mine, mut theirs) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        mine = mine.min(round(&mut || guard.check_in()));
        theirs = theirs.min(round(&mut || yard.check_in()));
    }
    (mine, theirs)
}

/// The check: see the module's documentation.
pub fn check_in_is_cheap_when_nobody_waits<G: GilApi>() {
    let (mine, yard) = settle(
        "check_in_is_cheap_when_nobody_waits",
        "A thread checking in with nobody waiting never finished: check_in never returned.",
        per_call::<G>,
    );
    let allowed = yard * TIMES_THE_YARDSTICK + SLACK;
    assert!(
        mine <= allowed,
        "with nobody waiting for the GIL, one check_in took {} (the fastest of {ROUNDS} \
         rounds of {CALLS}); a known-good lock's took {} in the same run, and at most {} \
         is allowed. The holder checks in every few instructions, so a check-in nobody \
         asked for must be a test of a flag: no system call (yield_now, sleep), no \
         waiting, no notifying.",
        ns(mine),
        ns(yard),
        ns(allowed),
    );
}

fn ns(d: Duration) -> String {
    format!("{} ns", d.as_nanos())
}
