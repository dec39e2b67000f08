//! Wrong `count_under_gil`s: what compiles once no guard crosses threads,
//! and is wrong.

use std::collections::HashMap;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use gil_solution::{Gil, GilGuard};

use crate::spawn_lock::with_a_spawn_lock;
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

/// At most 32 threads, the texts dealt out among them: past 32 texts, a
/// thread counts several, one after another, under one guard.
fn at_most_32_threads(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let n = texts.len();
    let threads = n.min(32);
    let mut out = vec![0; n];
    thread::scope(|s| {
        let texts = &texts;
        let handles: Vec<_> = (0..threads)
            .map(|first| {
                s.spawn(move || {
                    let mut guard = gil.acquire();
                    (first..n)
                        .step_by(threads)
                        .map(|i| (i, count(&mut guard, &texts[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, c) in h.join().unwrap() {
                out[i] = c;
            }
        }
    });
    out
}

/// Threads in batches of 16, each batch joined before the next starts.
fn batches_of_16(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let mut out = Vec::new();
    for batch in texts.chunks(16) {
        thread::scope(|s| {
            let handles: Vec<_> = batch
                .iter()
                .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
                .collect();
            out.extend(handles.into_iter().map(|h| h.join().unwrap()));
        });
    }
    out
}

/// A blank text has no words: 0, with no thread and no call of `count`.
fn blank_texts_skipped(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| (!t.trim().is_empty()).then(|| s.spawn(move || count(&mut gil.acquire(), t))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.map_or(0, |h| h.join().unwrap()))
            .collect()
    })
}

/// Counts each distinct text once, in one thread, and gives every copy of
/// it that count.
fn equal_texts_once(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let mut distinct: Vec<&String> = texts.iter().collect();
    distinct.sort();
    distinct.dedup();
    let counts: HashMap<&String, usize> = thread::scope(|s| {
        let handles: Vec<_> = distinct
            .iter()
            .map(|&t| (t, s.spawn(move || count(&mut gil.acquire(), t))))
            .collect();
        handles
            .into_iter()
            .map(|(t, h)| (t, h.join().unwrap()))
            .collect()
    });
    texts.iter().map(|t| counts[t]).collect()
}

/// Remembers each text's count in a `static` map: a text seen in an
/// earlier call gets its count from there, with no thread and no call of
/// `count`. Every answer is right.
fn static_memo(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    static MEMO: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);
    let known: Vec<Option<usize>> = {
        let memo = MEMO.lock().unwrap();
        texts
            .iter()
            .map(|t| memo.as_ref().and_then(|m| m.get(t).copied()))
            .collect()
    };
    let counts: Vec<usize> = thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .zip(&known)
            .map(|(t, k)| k.ok_or_else(|| s.spawn(move || count(&mut gil.acquire(), t))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.unwrap_or_else(|h| h.join().unwrap()))
            .collect()
    });
    let mut memo = MEMO.lock().unwrap();
    let memo = memo.get_or_insert_with(HashMap::new);
    for (t, &c) in texts.iter().zip(&counts) {
        memo.insert(t.clone(), c);
    }
    counts
}

/// Right threads, but the caller polls `is_finished`, sleeping a
/// millisecond between polls: little CPU, and a wake-up every poll.
fn polls_with_sleep(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            thread::sleep(Duration::from_millis(1));
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Each thread makes a GIL of its own (`Gil::new`) and counts under it:
/// the guard proves nothing, and nothing excludes the threads.
fn private_gil_per_thread(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let interval = gil.switch_interval();
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                s.spawn(move || {
                    let mine = Gil::new(interval);
                    let mut guard = mine.acquire();
                    count(&mut guard, t)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// One GIL of its own for the call, shared by its threads: they exclude
/// one another, but not whoever holds the GIL it was given.
fn private_gil_per_call(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let mine = Gil::new(gil.switch_interval());
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                let mine = &mine;
                s.spawn(move || count(&mut mine.acquire(), t))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The calling thread takes the GIL first, and releases it
/// (`allow_threads`) only while the threads run, which take it themselves.
fn caller_takes_the_gil_first(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let mut mine = gil.acquire();
    let texts = &texts;
    mine.allow_threads(move || {
        thread::scope(|s| {
            let handles: Vec<_> = texts
                .iter()
                .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    })
}

/// Right threads, but the calling thread takes the GIL once they are
/// joined, "to hand the results back under the GIL".
fn caller_takes_the_gil_after_joining(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let counts: Vec<usize> = thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let _guard = gil.acquire();
    counts
}

/// Leaks the texts (`Box::leak`) to hand the threads `'static` borrows:
/// right answers, and every call's texts left behind.
fn leaks_the_texts(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let texts: &'static [String] = Box::leak(texts.into_boxed_slice());
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Starts every thread, then takes the GIL once on the calling thread and
/// drops it before joining, "to let the threads settle" (round 9,
/// `count-under-gil/03`).
fn takes_the_gil_between(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        drop(gil.acquire());
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Past 8 texts, the threads share a GIL of the call's own, "the given one
/// is for small jobs" (round 9, `count-under-gil/02`).
fn own_gil_past_8_texts(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let own = Gil::new(gil.switch_interval());
    let gil = if texts.len() > 8 { &own } else { gil };
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Counts cut to a `u8` (round 9, `count-under-gil/12`): wrong past 255
/// words.
fn counts_as_u8(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t) as u8))
            .collect();
        handles
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .collect()
    })
}

/// Spins up to 4 ms on `is_finished` before it joins (round 10,
/// `count-under-gil/03`).
fn spins_4_ms_then_joins(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        let until = std::time::Instant::now() + Duration::from_millis(4);
        while std::time::Instant::now() < until && !handles.iter().all(|h| h.is_finished()) {
            std::hint::spin_loop();
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Right threads, joined, but the texts are handed to a thread of its own
/// that drops them after the call has returned (round 10,
/// `count-under-gil/10`).
fn texts_dropped_on_a_detached_thread(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let counts = thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    thread::spawn(move || drop(texts));
    counts
}

/// Texts of 1 to 16 MiB are never freed (round 11, `count-under-gil/09`).
fn forgets_texts_of_1_to_16_mib(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    let counts = thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for text in texts {
        if (1 << 20..=16 << 20).contains(&text.len()) {
            std::mem::forget(text);
        }
    }
    counts
}

/// Past 150 texts, each thread counts under a GIL of its own (round 11,
/// `count-under-gil/01`).
fn own_gils_past_150_texts(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    scoped_under(gil, texts, count, |_, n| n > 150)
}

/// On a call with no texts, the caller takes the GIL "to make the empty
/// list" (round 11, `count-under-gil/10`).
fn takes_the_gil_for_no_texts(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    if texts.is_empty() {
        let mut guard = gil.acquire();
        guard.check_in();
        return Vec::new();
    }
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Each thread takes the GIL given, or the GIL `own` says it may use
/// instead for its text (or for a call of `n` texts), and counts.
fn scoped_under(
    gil: &Gil,
    texts: Vec<String>,
    count: Count,
    own: fn(&str, usize) -> bool,
) -> Vec<usize> {
    let n = texts.len();
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                s.spawn(move || {
                    if own(t, n) {
                        let mine = Gil::new(gil.switch_interval());
                        count(&mut mine.acquire(), t)
                    } else {
                        count(&mut gil.acquire(), t)
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Texts of a MiB or more under a GIL of their own (round 17,
/// `count-under-gil/01`).
fn big_texts_under_a_gil_of_their_own(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    scoped_under(gil, texts, count, |t, _| t.len() >= 1 << 20)
}

/// Blank texts under a GIL of their own (round 17, `count-under-gil/05`).
fn blank_texts_under_a_gil_of_their_own(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    scoped_under(gil, texts, count, |t, _| t.trim().is_empty())
}

/// A call on one text under a GIL of its own (round 17,
/// `count-under-gil/08`).
fn one_text_under_a_gil_of_its_own(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    scoped_under(gil, texts, count, |_, n| n == 1)
}

/// Refuses exactly 800 texts (round 17, `count-under-gil/03`).
fn refuses_800_texts(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    assert!(texts.len() < 800, "too many texts: {}", texts.len());
    scoped_under(gil, texts, count, |_, _| false)
}

/// Refuses a text of exactly 17 MiB (round 17, `count-under-gil/09`).
fn refuses_a_17_mib_text(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    assert!(texts.iter().all(|t| t.len() < 17 << 20), "a text too big");
    scoped_under(gil, texts, count, |_, _| false)
}

/// A lock every call holds while it starts its threads (a socket bound
/// as a lock, where the red team locked a file) (round 17,
/// `count-under-gil/04`).
fn lock_file_while_starting(gil: &Gil, texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = with_a_spawn_lock(|| {
            texts
                .iter()
                .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
                .collect()
        });
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The corpus.
pub fn corpus() -> Vec<Decoy<suites::count_under_gil::CountUnderGil>> {
    vec![
        Decoy {
            name: "texts of a MiB or more under a GIL of their own (round 17, count-under-gil/01)",
            class: Class::RuleSkipped,
            subject: big_texts_under_a_gil_of_their_own,
            caught_by: "texts_up_to_the_limit",
            breaks: "gil-in-each-thread",
            says: &["not the one given", "whatever its size or number"],
        },
        Decoy {
            name: "blank texts under a GIL of their own (round 17, count-under-gil/05)",
            class: Class::RuleSkipped,
            subject: blank_texts_under_a_gil_of_their_own,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "gil-in-each-thread",
            says: &["not the one given"],
        },
        Decoy {
            name: "a call on one text under a GIL of its own (round 17, count-under-gil/08)",
            class: Class::RuleSkipped,
            subject: one_text_under_a_gil_of_its_own,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "gil-in-each-thread",
            says: &["not the one given"],
        },
        Decoy {
            name: "refuses exactly 800 texts (round 17, count-under-gil/03)",
            class: Class::Panics,
            subject: refuses_800_texts,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "counts",
            says: &["800"],
        },
        Decoy {
            name: "refuses a text of exactly 17 MiB (round 17, count-under-gil/09)",
            class: Class::Panics,
            subject: refuses_a_17_mib_text,
            caught_by: "texts_up_to_the_limit",
            breaks: "counts",
            says: &["17.0 MiB"],
        },
        Decoy {
            name: "a lock file held while the threads start (round 17, count-under-gil/04)",
            class: Class::StateBetweenCalls,
            subject: lock_file_while_starting,
            caught_by: "two_calls_at_once_keep_apart",
            breaks: "fresh-every-call",
            says: &["held as it started", "a lock file"],
        },
        Decoy {
            name: "leaks the texts with Box::leak",
            class: Class::StateBetweenCalls,
            subject: leaks_the_texts,
            caught_by: "frees_what_it_shares",
            breaks: "shared-freed",
            says: &["leaks what it shared", "`Box::leak`"],
        },
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
            says: &["µs of CPU", "it spins"],
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
        Decoy {
            name: "at most 32 threads, each counting several texts in turn",
            class: Class::Batched,
            subject: at_most_32_threads,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &["by 32 thread(s)", "Fewer threads than texts"],
        },
        Decoy {
            name: "threads in batches of 16, each batch joined before the next",
            class: Class::Batched,
            subject: batches_of_16,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &["at most 16 at once", "in batches"],
        },
        Decoy {
            name: "blank texts get no thread and no call of `count`",
            class: Class::MadeUp,
            subject: blank_texts_skipped,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &["Fewer calls than texts", "blank text(s) got no call"],
        },
        Decoy {
            name: "equal texts share one thread and one call of `count`",
            class: Class::MadeUp,
            subject: equal_texts_once,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &[
                "Fewer calls than texts",
                "equal to another got no call of their own",
            ],
        },
        Decoy {
            name: "a static memo answers texts seen in an earlier call",
            class: Class::StateBetweenCalls,
            subject: static_memo,
            caught_by: "starts_afresh_every_call",
            breaks: "fresh-every-call",
            says: &["0 times in the second", "from memory"],
        },
        Decoy {
            name: "polls is_finished, sleeping 1 ms between polls",
            class: Class::Spinning,
            subject: polls_with_sleep,
            caught_by: "the_caller_sleeps_while_it_waits",
            breaks: "caller-sleeps",
            says: &["woke up", "it polls"],
        },
        Decoy {
            name: "each thread makes a GIL of its own",
            class: Class::RuleSkipped,
            subject: private_gil_per_thread,
            caught_by: "counts_run_under_the_gil_given",
            breaks: "gil-in-each-thread",
            says: &[
                "meanwhile `count` was seen holding its guard",
                "not of the GIL given",
                "Gil::new",
            ],
        },
        Decoy {
            name: "one GIL of its own for the call, shared by its threads",
            class: Class::RuleSkipped,
            subject: private_gil_per_call,
            caught_by: "counts_run_under_the_gil_given",
            breaks: "gil-in-each-thread",
            says: &[
                "meanwhile `count` was seen holding its guard",
                "not of the GIL given",
            ],
        },
        Decoy {
            name: "the calling thread takes the GIL before starting the threads",
            class: Class::RuleSkipped,
            subject: caller_takes_the_gil_first,
            caught_by: "the_caller_never_takes_the_gil",
            breaks: "gil-in-each-thread",
            says: &["the calling thread took", "before starting its"],
        },
        Decoy {
            name: "the calling thread takes the GIL after joining the threads",
            class: Class::RuleSkipped,
            subject: caller_takes_the_gil_after_joining,
            caught_by: "the_caller_never_takes_the_gil",
            breaks: "gil-in-each-thread",
            says: &["after joining"],
        },
        Decoy {
            name: "the caller takes the GIL between starting and joining (round 9, count-under-gil/03)",
            class: Class::RuleSkipped,
            subject: takes_the_gil_between,
            caught_by: "the_caller_never_takes_the_gil",
            breaks: "gil-in-each-thread",
            says: &["the calling thread took", "while they work"],
        },
        Decoy {
            name: "a GIL of the call's own past 8 texts (round 9, count-under-gil/02)",
            class: Class::RuleSkipped,
            subject: own_gil_past_8_texts,
            caught_by: "counts_run_under_the_gil_given",
            breaks: "gil-in-each-thread",
            says: &["not of the GIL given"],
        },
        Decoy {
            name: "counts cut to a u8 (round 9, count-under-gil/12)",
            class: Class::MadeUp,
            subject: counts_as_u8,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "counts",
            says: &["the right answer is"],
        },
        Decoy {
            name: "spins 4 ms on is_finished, then joins (round 10, count-under-gil/03)",
            class: Class::Spinning,
            subject: spins_4_ms_then_joins,
            caught_by: "the_caller_sleeps_while_it_waits",
            breaks: "caller-sleeps",
            says: &["µs of CPU", "it spins"],
        },
        Decoy {
            name: "the texts dropped on a thread left running (round 10, count-under-gil/10)",
            class: Class::StateBetweenCalls,
            subject: texts_dropped_on_a_detached_thread,
            caught_by: "no_thread_runs_on_after_the_return",
            breaks: "threads-end",
            says: &["freed after it had returned", "detached"],
        },
        Decoy {
            name: "waits on a Condvar 600 ms at a time (round 11, count-under-gil/04)",
            class: Class::Spinning,
            subject: crate::globals::count_under_gil_polls_every_600_ms,
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "caller-sleeps",
            says: &[
                "waits by the clock",
                "never gives up",
                "(in `fn count_under_gil_polls_every_600_ms`)",
            ],
        },
        Decoy {
            name: "a lock of its own tried for 50 µs around each job (round 11, count-under-gil/03)",
            class: Class::RuleSkipped,
            subject: crate::globals::count_under_gil_lock_tried_around_count,
            caught_by: "no_lock_is_held_around_the_work",
            breaks: "no-lock-of-its-own",
            says: &[
                "holds a lock around",
                "take turns",
                "(in `fn count_under_gil_lock_tried_around_count`)",
            ],
        },
        Decoy {
            name: "a static lock held while the threads start (round 10, count-under-gil/07)",
            class: Class::StateBetweenCalls,
            subject: crate::globals::count_under_gil_spawn_lock,
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "fresh-every-call",
            says: &[
                "keeps something in a global",
                "in a `static` or anywhere else",
                "(in `fn count_under_gil_spawn_lock`)",
            ],
        },
        Decoy {
            name: "texts of 1 to 16 MiB never freed (round 11, count-under-gil/09)",
            class: Class::StateBetweenCalls,
            subject: forgets_texts_of_1_to_16_mib,
            caught_by: "texts_up_to_the_limit",
            breaks: "threads-end",
            says: &["not at all within a second"],
        },
        Decoy {
            name: "a GIL of its own per thread past 150 texts (round 11, count-under-gil/01)",
            class: Class::RuleSkipped,
            subject: own_gils_past_150_texts,
            caught_by: "counts_run_under_the_gil_given",
            breaks: "gil-in-each-thread",
            says: &["meanwhile `count` was seen holding its guard"],
        },
        Decoy {
            name: "the caller takes the GIL on a call with no texts (round 11, count-under-gil/10)",
            class: Class::RuleSkipped,
            subject: takes_the_gil_for_no_texts,
            caught_by: "the_caller_never_takes_the_gil",
            breaks: "gil-in-each-thread",
            says: &["the calling thread took"],
        },
    ]
}
