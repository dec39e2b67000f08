//! Pitfalls, refused by the compiler: a thread borrowing a local that may
//! not outlive it.
//!
//! `thread::spawn` takes a closure that may run for as long as the program
//! does (`'static`), but the stub's closures borrow `texts`, `i` and
//! `count`, locals of a call that may return first; the compiler refuses
//! (E0373). Two fixes compile and are right: scoped threads
//! (`thread::scope`), which end before the locals do and so may borrow
//! them, or moving what each thread needs into it. Leaking the texts
//! (`Box::leak`) to make them `'static` compiles too, and never gives the
//! memory back.

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
