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
// SOLUTION:
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
// END SOLUTION

// ANCHOR: counters
/// One counter per thread, each alone on its cache line.
pub struct Counters {
    // SOLUTION:
    // ANCHOR: slots
    /// `CachePadded` aligns each counter to 128 bytes on x86-64 (and pads
    /// it to that size), so no two of them can share a line or a pair of
    /// lines. A plain `Vec<AtomicU64>` would put eight on one line.
    slots: Box<[CachePadded<AtomicU64>]>,
    // ANCHOR_END: slots
    // END SOLUTION
}
// ANCHOR_END: counters

impl Counters {
    /// `n` counters, all zero.
    pub fn new(n: usize) -> Self {
        // SOLUTION: todo!("n counters at zero, none sharing a cache line with another")
        Self {
            slots: (0..n)
                .map(|_| CachePadded::new(AtomicU64::new(0)))
                .collect(),
        }
        // END SOLUTION
    }

    /// How many counters there are.
    pub fn len(&self) -> usize {
        // SOLUTION: todo!("the number of counters")
        self.slots.len()
        // END SOLUTION
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counter `i`: the one thread `i` counts into.
    pub fn slot(&self, i: usize) -> &AtomicU64 {
        // SOLUTION: todo!("counter i")
        &self.slots[i]
        // END SOLUTION
    }

    /// The sum of every counter.
    pub fn total(&self) -> u64 {
        // SOLUTION: todo!("add up the counters")
        self.slots.iter().map(|s| s.load(Ordering::Relaxed)).sum()
        // END SOLUTION
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
    // SOLUTION: todo!("a scoped thread per counter, counting its share into it")
    let threads = counters.len().max(1);
    let share = items.len().div_ceil(threads).max(1);
    thread::scope(|s| {
        for (i, chunk) in items.chunks(share).enumerate() {
            let slot = counters.slot(i);
            s.spawn(move || {
                for &item in chunk {
                    if is_match(item) {
                        // Relaxed: each counter has one writer, and the
                        // total is read after the scope has joined them.
                        slot.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    counters.total()
    // END SOLUTION
}
// ANCHOR_END: count

// SOLUTION:
// ANCHOR: hammer
/// For the benchmark and the book: one thread per counter, each adding 1
/// to its own counter `times` times, all at once. Returns the wall time.
/// Given counters side by side, the threads fight over one cache line;
/// given [`Counters`], they do not.
pub fn hammer(counters: &[&AtomicU64], times: u64) -> Duration {
    let start = Instant::now();
    thread::scope(|s| {
        for &counter in counters {
            s.spawn(move || {
                for _ in 0..times {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    start.elapsed()
}
// ANCHOR_END: hammer
// END SOLUTION
