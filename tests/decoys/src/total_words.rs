//! Wrong `total_words`s: what compiles once the `Rc` is gone, and is wrong.

use std::hint::spin_loop;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::{Class, Decoy};

type Count = fn(&str) -> usize;

/// No threads: counts every text on the calling thread.
fn sequential(texts: Vec<String>, count: Count) -> usize {
    texts.iter().map(|t| count(t)).sum()
}

/// Joins each thread right after spawning it.
fn join_at_once(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(Mutex::new(0));
    for text in texts {
        let total = Arc::clone(&total);
        thread::spawn(move || *total.lock().unwrap() += count(&text))
            .join()
            .unwrap();
    }
    *total.lock().unwrap()
}

/// Locks the total before counting: the threads take turns.
fn lock_held_while_counting(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(Mutex::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || {
                let mut sum = total.lock().unwrap();
                *sum += count(&text);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    *total.lock().unwrap()
}

/// Each thread adds to its own copy of a plain number (moved in).
#[allow(unused_assignments)]
fn copy_per_thread(texts: Vec<String>, count: Count) -> usize {
    let mut total = 0;
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            thread::spawn(move || {
                total += count(&text);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    total
}

/// `Rc<RefCell<_>>` made `Arc<usize>`, changed with `Arc::make_mut`, which
/// clones a shared value before changing it: every update goes to a copy.
fn make_mut(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(0usize);
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let mut mine = Arc::clone(&total);
            thread::spawn(move || *Arc::make_mut(&mut mine) += count(&text))
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    *total
}

/// Guesses from the length: about one word per three bytes.
fn made_up(texts: Vec<String>, _count: Count) -> usize {
    texts.iter().map(|t| t.len() / 3).sum()
}

/// Adds into a `static`, never reset: right once.
fn static_total(texts: Vec<String>, count: Count) -> usize {
    static TOTAL: AtomicUsize = AtomicUsize::new(0);
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| thread::spawn(move || TOTAL.fetch_add(count(&text), Ordering::SeqCst)))
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    TOTAL.load(Ordering::SeqCst)
}

/// Adds into a `static` total that each call sets back to 0 first: right
/// for one call at a time, shared by two calls at once.
fn static_total_reset_per_call(texts: Vec<String>, count: Count) -> usize {
    static TOTAL: AtomicUsize = AtomicUsize::new(0);
    TOTAL.store(0, Ordering::SeqCst);
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| thread::spawn(move || TOTAL.fetch_add(count(&text), Ordering::SeqCst)))
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    TOTAL.load(Ordering::SeqCst)
}

/// Right threads, but the caller spins on a counter of finished threads.
fn spins_while_waiting(texts: Vec<String>, count: Count) -> usize {
    let n = texts.len();
    let total = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    for text in texts {
        let (total, done) = (Arc::clone(&total), Arc::clone(&done));
        thread::spawn(move || {
            total.fetch_add(count(&text), Ordering::SeqCst);
            done.fetch_add(1, Ordering::SeqCst);
        });
    }
    while done.load(Ordering::SeqCst) < n {
        spin_loop();
    }
    total.load(Ordering::SeqCst)
}

/// The corpus.
pub fn corpus() -> Vec<Decoy<suites::total_words::TotalWords>> {
    vec![
        Decoy {
            name: "counts on the calling thread",
            class: Class::Sequential,
            subject: sequential,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &["calling thread", "no thread was started"],
        },
        Decoy {
            name: "joins each thread as soon as it is spawned",
            class: Class::Sequential,
            subject: join_at_once,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &["at most 1 at once", "one at a time"],
        },
        Decoy {
            name: "holds the lock while counting",
            class: Class::RuleSkipped,
            subject: lock_held_while_counting,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "lock-only-to-add",
            says: &["at most 1 at once", "lock was held"],
        },
        Decoy {
            name: "moves a copy of the total into each thread",
            class: Class::RuleSkipped,
            subject: copy_per_thread,
            caught_by: "answers_fresh_texts",
            breaks: "one-shared-total",
            says: &["returned 0", "updates were lost"],
        },
        Decoy {
            name: "changes an Arc<usize> with Arc::make_mut",
            class: Class::RuleSkipped,
            subject: make_mut,
            caught_by: "answers_fresh_texts",
            breaks: "one-shared-total",
            says: &["updates were lost", "Arc::make_mut"],
        },
        Decoy {
            name: "guesses the total from the length",
            class: Class::MadeUp,
            subject: made_up,
            caught_by: "answers_fresh_texts",
            breaks: "total",
            says: &["It is not the total number of words"],
        },
        Decoy {
            name: "adds into a static total",
            class: Class::StateBetweenCalls,
            subject: static_total,
            caught_by: "starts_afresh_every_call",
            breaks: "fresh-every-call",
            says: &["kept state between calls"],
        },
        Decoy {
            name: "spins until every thread is done",
            class: Class::Spinning,
            subject: spins_while_waiting,
            caught_by: "the_caller_sleeps_while_it_waits",
            breaks: "caller-sleeps",
            says: &["ms of CPU", "it spins"],
        },
        Decoy {
            name: "a static total, set back to 0 by each call",
            class: Class::StateBetweenCalls,
            subject: static_total_reset_per_call,
            caught_by: "two_calls_at_once_keep_apart",
            breaks: "fresh-every-call",
            says: &[
                "[two calls at once keep apart]",
                "at the same time",
                "in a `static`",
            ],
        },
    ]
}
