//! Pitfalls, refused by the compiler: an `Rc` sent to another thread.
//!
//! The stub shares its total the single-threaded way, in an
//! `Rc<RefCell<usize>>`, and the compiler refuses to move it into a thread
//! (E0277: `Rc` is not `Send`). Work out why before you change anything:
//! what would two threads changing `Rc`'s count, or the `RefCell`'s
//! borrow flag, at the same moment do?
//!
//! Then make it compile without giving up what the function promises (its
//! page lists them): every text counted in a thread of its own, the threads
//! running at once, one total that every update reaches, nothing left
//! behind when the call returns. Several changes silence the compiler and
//! break one of those; the suite checks the promises, not only that it
//! compiles.

// SOLUTION: use std::cell::RefCell;
use std::sync::Mutex;
// END SOLUTION
// SOLUTION: use std::rc::Rc;
use std::sync::Arc;
// END SOLUTION
use std::thread;

// ANCHOR: total_words
/// Counts the words of every text with `count`, each text in a thread of
/// its own, and returns the sum. The threads add to one shared total.
pub fn total_words(texts: Vec<String>, count: fn(&str) -> usize) -> usize {
    // SOLUTION: let total = Rc::new(RefCell::new(0));
    let total = Arc::new(Mutex::new(0));
    // END SOLUTION
    let mut handles = Vec::new();
    for text in texts {
        // SOLUTION: let total = Rc::clone(&total);
        let total = Arc::clone(&total);
        // END SOLUTION
        handles.push(thread::spawn(move || {
            let n = count(&text);
            // SOLUTION: *total.borrow_mut() += n;
            // Lock only to add: the counting above runs in parallel.
            *total.lock().expect("no thread panics holding it") += n;
            // END SOLUTION
        }));
    }
    for handle in handles {
        handle.join().expect("a counting thread panicked");
    }
    // SOLUTION: let sum = *total.borrow();
    let sum = *total.lock().expect("no thread panics holding it");
    // END SOLUTION
    sum
}
// ANCHOR_END: total_words
