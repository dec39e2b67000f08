//! Pitfalls, refused by the compiler: an `Rc` sent to another thread.
//!
//! The stub shares its total the single-threaded way, in an
//! `Rc<RefCell<usize>>`, and the compiler refuses to move it into a thread
//! (E0277: `Rc` is not `Send`). `Rc` counts its owners with a plain
//! integer, and `RefCell` checks its borrows with another: two threads
//! changing either at once could lose an update and free the value while a
//! thread still uses it. The fix is the thread-safe pair, `Arc` (an atomic
//! count) and `Mutex` (one thread in at a time). Making it compile by
//! giving each thread its own copy of the total compiles too, and loses
//! every update: the suite checks the total, not only that it compiles.

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
