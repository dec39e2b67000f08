//! Pitfalls, refused by the compiler: the GIL's guard sent to another
//! thread.
//!
//! The course's [`Gil`] hands out a [`GilGuard`], the proof that this
//! thread holds the lock, and the guard is not `Send`. The stub takes the
//! GIL on the calling thread and moves each guard into a worker; the
//! compiler refuses (E0277). Before you change it, work out what would
//! have happened had it compiled: which thread would release the lock the
//! caller took, and when could the next worker start?
//!
//! Then make it compile without giving up what the function promises (its
//! page lists them): a thread per text, all running at once, `count`
//! called under the GIL it is handed, and nothing left behind. The suite
//! checks the promises, not only that it compiles.

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
