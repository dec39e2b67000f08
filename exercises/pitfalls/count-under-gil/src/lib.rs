//! Pitfalls, refused by the compiler: the GIL's guard sent to another
//! thread.
//!
//! The course's [`Gil`] hands out a [`GilGuard`], the proof that this
//! thread holds the lock, and the guard is not `Send`: a lock taken by one
//! thread must be released by the same thread. The stub takes the GIL on
//! the calling thread and moves each guard into a worker; the compiler
//! refuses (E0277). Had it compiled, each worker would release a lock the
//! caller took, and the caller's next `acquire` would wait for the worker
//! before the next thread could start: one at a time. The fix: each thread
//! takes the GIL itself, and `count` releases it while it waits.

use gil_solution::{Gil, GilGuard};
use std::thread;

// ANCHOR: count_under_gil
/// The number of words of each text, counted by `count` (which needs the
/// GIL) in a thread of its own per text, in the texts' order.
pub fn count_under_gil(
    gil: &Gil,
    texts: Vec<String>,
    count: fn(&mut GilGuard<'_>, &str) -> usize,
) -> Vec<usize> {
    thread::scope(|s| {
        let mut handles = Vec::new();
        for text in &texts {
            let mut guard = gil.acquire();
            handles.push(s.spawn(move || count(&mut guard, text)));
        }
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    })
}
// ANCHOR_END: count_under_gil
