//! Wrong `count_under_gil`s: what compiles once no guard crosses threads,
//! and is wrong.

use std::sync::Mutex;
use std::thread;

use gil_solution::{Gil, GilGuard};

use crate::{Class, Decoy};

type Count = fn(&mut GilGuard<'_>, &str) -> usize;

/// Takes the GIL once on the calling thread and counts every text there.
fn on_the_caller(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let mut guard = gil.acquire();
    texts.iter().map(|t| count(&mut guard, t)).collect()
}

/// Each thread takes the GIL, but is joined as soon as it is spawned.
fn join_at_once(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        texts
            .iter()
            .map(|t| {
                s.spawn(move || count(&mut gil.acquire(), t))
                    .join()
                    .unwrap()
            })
            .collect()
    })
}

/// One worker thread takes the GIL and counts every text.
fn one_worker(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        s.spawn(|| {
            let mut guard = gil.acquire();
            texts.iter().map(|t| count(&mut guard, t)).collect()
        })
        .join()
        .unwrap()
    })
}

/// Guesses from the length: about one word per three bytes.
fn made_up(_gil: &Gil, texts: Vec<String>, _count: Count) -> Vec<usize> {
    texts.iter().map(|t| t.len() / 3).collect()
}

/// Keeps every result in a `static` list, never cleared.
fn static_results(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    static RESULTS: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    let counts: Vec<usize> = thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all = RESULTS.lock().unwrap();
    all.extend(counts);
    all.clone()
}

/// Each thread puts `(text's place, count)` into a `static` list that each
/// call empties first, and the call reads the list back in the texts'
/// order: right for one call at a time, shared by two calls at once.
fn static_results_cleared_per_call(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    static RESULTS: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
    RESULTS.lock().unwrap().clear();
    thread::scope(|s| {
        for (i, t) in texts.iter().enumerate() {
            s.spawn(move || {
                let n = count(&mut gil.acquire(), t);
                RESULTS.lock().unwrap().push((i, n));
            });
        }
    });
    let mut all = RESULTS.lock().unwrap().clone();
    all.sort_unstable();
    all.into_iter().map(|(_, n)| n).collect()
}

/// Right threads, but the caller spins on `is_finished` before joining.
fn spins_while_waiting(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            std::hint::spin_loop();
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// A Mutex of its own around the whole job, "to be safe": the waits that
/// the GIL lets overlap are serialised again.
fn extra_lock(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let safe = Mutex::new(());
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                let safe = &safe;
                s.spawn(move || {
                    let _only_me = safe.lock().unwrap();
                    count(&mut gil.acquire(), t)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The corpus.
pub fn corpus() -> Vec<Decoy<suites::count_under_gil::CountUnderGil>> {
    vec![
        Decoy {
            name: "takes the GIL once and counts on the calling thread",
            class: Class::Sequential,
            subject: on_the_caller,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "gil-in-each-thread",
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
            name: "one worker thread counts every text",
            class: Class::Batched,
            subject: one_worker,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &["by 1 thread(s)", "Fewer threads than texts"],
        },
        Decoy {
            name: "guesses the counts from the length",
            class: Class::MadeUp,
            subject: made_up,
            caught_by: "answers_fresh_texts",
            breaks: "counts",
            says: &["It is not the word count of each text"],
        },
        Decoy {
            name: "keeps every result in a static list",
            class: Class::StateBetweenCalls,
            subject: static_results,
            caught_by: "starts_afresh_every_call",
            breaks: "fresh-every-call",
            says: &["kept state between calls"],
        },
        Decoy {
            name: "spins on is_finished before joining",
            class: Class::Spinning,
            subject: spins_while_waiting,
            caught_by: "the_caller_sleeps_while_it_waits",
            breaks: "caller-sleeps",
            says: &["ms of CPU", "it spins"],
        },
        Decoy {
            name: "a lock of its own around the whole job",
            class: Class::RuleSkipped,
            subject: extra_lock,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "no-lock-of-its-own",
            says: &["at most 1 at once", "lock was held"],
        },
        Decoy {
            name: "a static list of results, emptied by each call",
            class: Class::StateBetweenCalls,
            subject: static_results_cleared_per_call,
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
