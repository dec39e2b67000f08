//! Pitfalls, exercise: per-thread counters that do not share a cache line.
//!
//! Each thread counts into its own counter, so no two threads ever write
//! the same variable and the code is correct without a lock. It can still
//! be slow: a core does not own a variable, it owns the whole cache line
//! the variable sits on (64 bytes on x86-64, and Intel CPUs fetch lines in
//! pairs). Two counters side by side in one `Vec<AtomicU64>` share a line,
//! so every increment on one core takes the line away from the other core.
//! That is false sharing: the threads share nothing in the program and
//! everything in the hardware.

use std::sync::atomic::AtomicU64;

// ANCHOR: counters
/// One counter per thread, each alone on its cache line.
pub struct Counters {}
// ANCHOR_END: counters

impl Counters {
    /// `n` counters, all zero.
    pub fn new(n: usize) -> Self {
        todo!("n counters at zero, none sharing a cache line with another")
    }

    /// How many counters there are.
    pub fn len(&self) -> usize {
        todo!("the number of counters")
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counter `i`: the one thread `i` counts into.
    pub fn slot(&self, i: usize) -> &AtomicU64 {
        todo!("counter i")
    }

    /// The sum of every counter.
    pub fn total(&self) -> u64 {
        todo!("add up the counters")
    }
}

// ANCHOR: count
/// Counts the items for which `is_match` is true, with one thread per
/// counter: thread `i` takes the `i`-th share of `items` and adds each
/// match to `counters.slot(i)` as it finds it (the counters are live: a
/// progress display may read them while the threads work). Returns the
/// total.
pub fn count_matching(
    items: &[u64],
    counters: &Counters,
    is_match: &(dyn Fn(u64) -> bool + Sync),
) -> u64 {
    todo!("each share counted at the same time, into its own counter")
}
// ANCHOR_END: count
