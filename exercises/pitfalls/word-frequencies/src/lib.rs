//! Pitfalls, refused by the compiler: two threads mutating one value
//! without a lock.
//!
//! Each of the stub's threads wants `&mut` to the one map, and the
//! compiler allows one `&mut` at a time (E0499): two threads inserting at
//! once could both grow the table and lose one's words, or read it half
//! moved. The fix puts the map in a `Mutex`. Where the lock is taken
//! matters: around the splitting too, and the threads run one at a time;
//! only around the counting, and the work runs in parallel.

use std::collections::HashMap;
use std::thread;

// ANCHOR: word_frequencies
/// How often each word occurs in all of `texts` together. Each text is
/// split into words by `words` in a thread of its own, and the threads
/// count into one shared map.
pub fn word_frequencies(
    texts: Vec<String>,
    words: fn(&str) -> Vec<String>,
) -> HashMap<String, usize> {
    let mut freq = HashMap::new();
    thread::scope(|s| {
        for text in &texts {
            s.spawn(|| {
                for w in words(text) {
                    *freq.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    freq
}
// ANCHOR_END: word_frequencies
