//! Pitfalls, exercise workers: how many workers, read off measurements.
//!
//! "More isn't always better," says the tutorial, and it is right; but
//! "start with a handful" is a guess. The same work, done by pools of
//! different sizes, measured for time and peak memory, says how many
//! workers are worth having on this machine: past a point, more workers
//! add start-up time and memory and finish no sooner. [`pick_workers`]
//! reads a set of such trials and picks the pool size.

use std::time::Duration;

// ANCHOR: trial
/// The same work done by one pool size, measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trial {
    /// Workers (threads or processes) the work was shared among.
    pub workers: usize,
    /// Wall time of the whole work, workers' start-up included.
    pub wall: Duration,
    /// The most resident memory the work added at any moment, in bytes.
    pub peak_bytes: u64,
}

/// A trial up to this many tenths of the fastest one's wall time (×1.1) is
/// as good as the fastest: the difference is within the noise of a shared
/// machine. In tenths, so that the line holds to the nanosecond for any
/// wall a `Duration` holds: `wall × 10 ≤ fastest × WITHIN_TENTHS`, in
/// nanoseconds (`u128`), where a float would round.
pub const WITHIN_TENTHS: u128 = 11;
// ANCHOR_END: trial

// ANCHOR: pick
/// The pool size to use, from `trials` of the same work.
///
/// Only trials whose peak memory fits `budget_bytes` count. Among them,
/// the fewest workers whose wall time is within [`WITHIN_TENTHS`] tenths of
/// the fastest one's. If no trial fits, the one with the least peak memory
/// (the fewest workers among equals). No trials: one worker. A function of
/// its arguments alone: the same trials, the same pick, on every call.
pub fn pick_workers(trials: &[Trial], budget_bytes: u64) -> usize {
    todo!("keep what fits the budget; fewest workers near the fastest")
}
// ANCHOR_END: pick
