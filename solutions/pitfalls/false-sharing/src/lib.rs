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
use std::sync::atomic::{AtomicUsize, Ordering};
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
    // SOLUTION: todo!("each share counted at the same time, into its own counter")
    // Shares as even as the items allow, one per counter: thread `i` takes
    // items `i·len/n .. (i+1)·len/n`. With fewer items than counters, one
    // item each to the first counters (an empty share needs no thread).
    let n = counters.len().max(1);
    let len = items.len();
    let bounds = |i: usize| if len < n { i.min(len) } else { i * len / n };
    thread::scope(|s| {
        for i in 0..n {
            let chunk = &items[bounds(i)..bounds(i + 1)];
            if chunk.is_empty() {
                continue;
            }
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
/// to its own counter `times` times, all at once. Given counters side by
/// side, the threads fight over one cache line; given [`Counters`], they
/// do not.
pub fn hammer(counters: &[&AtomicU64], times: u64) -> Run {
    // Each thread waits until all have started, so that they count side by
    // side as soon as the machine lets them (a short spin: a sleeping start
    // would add a wake-up to every run).
    let ready = AtomicUsize::new(0);
    let spans: Vec<(Instant, Instant)> = thread::scope(|s| {
        let threads: Vec<_> = counters
            .iter()
            .map(|&counter| {
                let ready = &ready;
                s.spawn(move || {
                    ready.fetch_add(1, Ordering::SeqCst);
                    while ready.load(Ordering::SeqCst) < counters.len() {
                        std::hint::spin_loop();
                    }
                    let began = Instant::now();
                    for _ in 0..times {
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                    (began, Instant::now())
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("no panic"))
            .collect()
    });
    let first_start = spans.iter().map(|s| s.0).min();
    let last_start = spans.iter().map(|s| s.0).max();
    let last_end = spans.iter().map(|s| s.1).max();
    match (first_start, last_start, last_end) {
        (Some(first_start), Some(last_start), Some(last_end)) => {
            let wall = last_end - first_start;
            Run {
                wall,
                stagger: (last_start - first_start).as_secs_f64() / wall.as_secs_f64().max(1e-9),
            }
        }
        _ => Run {
            wall: Duration::ZERO,
            stagger: 1.0,
        },
    }
}

/// One [`hammer`] run.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// From the moment the first thread started counting to the moment
    /// the last one finished (starting and joining the threads left out).
    pub wall: Duration,
    /// How late the last thread started counting, as a share of `wall`.
    /// False sharing needs the threads on two cores at once: on a busy
    /// machine one may start only when the other is done, and then the run
    /// shows nothing.
    pub stagger: f64,
}
// ANCHOR_END: hammer
// END SOLUTION
