//! Pitfalls, refused by the compiler: a thread borrowing a local that may
//! not outlive it.
//!
//! `thread::spawn` takes a closure that may run for as long as the program
//! does (`'static`), but the stub's closures borrow `texts`, `i` and
//! `count`, locals of a call that may return first; the compiler refuses
//! (E0373).
//!
//! Make it compile without giving up what the function promises (its page
//! lists them): a thread per text, all running at once, the counts in the
//! texts' order, and nothing kept or leaked once the call returns. More
//! than one change is right; some that compile are not, and the suite
//! checks the promises, not only that it compiles.

use std::thread;

// ANCHOR: words_per_text
/// The number of words of each text, counted by `count`, each text in a
/// thread of its own, in the texts' order.
pub fn words_per_text(texts: Vec<String>, count: fn(&str) -> usize) -> Vec<usize> {
    // SOLUTION: let mut handles = Vec::new();
    // A scope joins its threads before it returns, so they may borrow
    // `texts`; `move` gives each its own `i` (and a copy of `count`).
    thread::scope(|s| {
        let mut handles = Vec::new();
        // END SOLUTION
        for i in 0..texts.len() {
            // SOLUTION: handles.push(thread::spawn(|| count(&texts[i])));
            let texts = &texts;
            handles.push(s.spawn(move || count(&texts[i])));
            // END SOLUTION
        }
        // SOLUTION: handles.into_iter().map(|h| h.join().unwrap()).collect()
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    })
    // END SOLUTION
}
// ANCHOR_END: words_per_text
