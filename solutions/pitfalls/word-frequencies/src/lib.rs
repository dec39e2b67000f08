//! Pitfalls, refused by the compiler: two threads mutating one value
//! without a lock.
//!
//! Each of the stub's threads wants `&mut` to the one map, and the
//! compiler allows one `&mut` at a time (E0499). Work out first what two
//! threads inserting into one table at the same moment could do to it.
//!
//! Then make it compile without giving up what the function promises (its
//! page lists them): each text split in a thread of its own, the splitting
//! running in parallel, every word of every text counted in one result,
//! nothing left behind. What the threads share, and how long each holds
//! it, is yours to decide; the suite checks that the work still runs at
//! once, not only that it compiles.

use std::collections::HashMap;
// SOLUTION:
use std::sync::Mutex;
// END SOLUTION
use std::thread;

// ANCHOR: word_frequencies
/// How often each word occurs in all of `texts` together. Each text is
/// split into words by `words` in a thread of its own, and the threads
/// count into one shared map.
pub fn word_frequencies(
    texts: Vec<String>,
    words: fn(&str) -> Vec<String>,
) -> HashMap<String, usize> {
    // SOLUTION: let mut freq = HashMap::new();
    let freq = Mutex::new(HashMap::new());
    // END SOLUTION
    thread::scope(|s| {
        for text in &texts {
            // SOLUTION: s.spawn(|| {
            let freq = &freq;
            s.spawn(move || {
                // END SOLUTION
                // SOLUTION: for w in words(text) {
                let found = words(text);
                // The lock is taken after the work, once per text.
                let mut freq = freq.lock().expect("no thread panics holding it");
                for w in found {
                    // END SOLUTION
                    *freq.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    // SOLUTION: freq
    freq.into_inner().expect("no thread panicked holding it")
    // END SOLUTION
}
// ANCHOR_END: word_frequencies
