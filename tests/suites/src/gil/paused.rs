//! What the witnesses that pause a waiter share ([`harness::pause`]):
//! trials of the student's lock interleaved with the known-good
//! yardstick's, under a deadline, and the wait for a `check_in` to return.
//!
//! Each trial pauses a waiter and watches whether the holder's `check_in`
//! returns while it is paused. The yardstick runs the same trials in the
//! same run, so that a machine too busy for a trial to mean anything shows
//! in the known-good lock's trials too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::yardstick::Yardstick;
use super::{GilApi, settle_within};

/// A trial's outcome, as the student reads it in a list.
pub(super) trait Shown {
    /// A few words: "handed over", "took it back after 12 µs".
    fn shown(&self) -> String;
}

/// The trials, listed for a message.
pub(super) fn listed<T: Shown>(trials: &[T]) -> String {
    trials
        .iter()
        .map(Shown::shown)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `trials` trials of `trial` on a new lock `G` and on the yardstick,
/// both with switch interval `interval`, interleaved (each trial is given
/// its number, from 0), within `stuck_after`
/// (past it, the check fails as stuck, with `why_stuck`). `None` if a
/// waiter could not be paused: the check is then recorded as not judged.
pub(super) fn beside_yardstick<G: GilApi, T: Send + 'static>(
    check: &'static str,
    interval: Duration,
    trials: usize,
    stuck_after: Duration,
    why_stuck: &'static str,
    trial: fn(&G, usize) -> Result<T, String>,
    yard_trial: fn(&Yardstick, usize) -> Result<T, String>,
) -> Option<(Vec<T>, Vec<T>)> {
    let gil = G::new(interval);
    let outcome = settle_within(stuck_after, check, why_stuck, move || {
        let yardstick = Yardstick::new(interval);
        let (mut mine, mut yard) = (Vec::new(), Vec::new());
        for n in 0..trials {
            mine.push(trial(&gil, n)?);
            yard.push(yard_trial(&yardstick, n)?);
        }
        Ok::<_, String>((mine, yard))
    });
    outcome
        .map_err(|why| {
            harness::speedup::not_judged(check, &format!("a waiter could not be paused: {why}"));
        })
        .ok()
}

/// Waits until `returned` is set, or `limit` has passed: whether a
/// `check_in` that sets it returned within `limit`.
pub(super) fn returned_within(returned: &AtomicBool, limit: Duration) -> bool {
    let began = Instant::now();
    while !returned.load(Ordering::SeqCst) && began.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(1));
    }
    returned.load(Ordering::SeqCst)
}
