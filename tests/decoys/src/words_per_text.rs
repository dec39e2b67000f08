//! Wrong `words_per_text`s: what compiles once nothing borrows a local past
//! its life, and is wrong.

use std::collections::HashMap;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use crate::spawn_lock::with_a_spawn_lock;
use crate::{Class, Decoy};

type Count = fn(&str) -> usize;

/// No threads: counts every text on the calling thread.
fn sequential(texts: Vec<String>, count: Count) -> Vec<usize> {
    texts.iter().map(|t| count(t)).collect()
}

/// Moves each text into a thread and joins it at once.
fn join_at_once(texts: Vec<String>, count: Count) -> Vec<usize> {
    texts
        .into_iter()
        .map(|text| thread::spawn(move || count(&text)).join().unwrap())
        .collect()
}

/// Joins the handles by popping them off the Vec: last spawned first.
fn pops_handles(texts: Vec<String>, count: Count) -> Vec<usize> {
    let mut handles: Vec<_> = texts
        .into_iter()
        .map(|text| thread::spawn(move || count(&text)))
        .collect();
    let mut out = Vec::new();
    while let Some(h) = handles.pop() {
        out.push(h.join().unwrap());
    }
    out
}

/// One thread, moved all the texts, counts them all.
fn one_thread_for_all(texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::spawn(move || texts.iter().map(|t| count(t)).collect())
        .join()
        .unwrap()
}

/// Guesses from the length: about one word per three bytes.
fn made_up(texts: Vec<String>, _count: Count) -> Vec<usize> {
    texts.iter().map(|t| t.len() / 3).collect()
}

/// Appends to a `static` list of results, never cleared.
fn static_results(texts: Vec<String>, count: Count) -> Vec<usize> {
    static RESULTS: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| thread::spawn(move || count(&text)))
        .collect();
    let mut all = RESULTS.lock().unwrap();
    all.extend(handles.into_iter().map(|h| h.join().unwrap()));
    all.clone()
}

/// Each thread puts `(text's place, count)` into a `static` list that each
/// call empties first, and the call reads the list back in the texts'
/// order: right for one call at a time, shared by two calls at once.
fn static_results_cleared_per_call(texts: Vec<String>, count: Count) -> Vec<usize> {
    static RESULTS: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
    RESULTS.lock().unwrap().clear();
    thread::scope(|s| {
        for (i, t) in texts.iter().enumerate() {
            s.spawn(move || {
                let n = count(t);
                RESULTS.lock().unwrap().push((i, n));
            });
        }
    });
    let mut all = RESULTS.lock().unwrap().clone();
    all.sort_unstable();
    all.into_iter().map(|(_, n)| n).collect()
}

/// Leaks the texts to make them `'static` (`Box::leak`), as the compiler's
/// complaint allows: right answers, and the texts are never freed.
fn leaks_the_texts(texts: Vec<String>, count: Count) -> Vec<usize> {
    let texts: &'static [String] = Box::leak(texts.into_boxed_slice());
    let handles: Vec<_> = texts
        .iter()
        .map(|text| thread::spawn(move || count(text)))
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Scoped threads, but the caller spins on `is_finished` before joining.
fn spins_while_waiting(texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts.iter().map(|t| s.spawn(move || count(t))).collect();
        while !handles.iter().all(|h| h.is_finished()) {
            std::hint::spin_loop();
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// At most 32 threads, the texts dealt out among them: past 32 texts, a
/// thread counts several, one after another.
fn at_most_32_threads(texts: Vec<String>, count: Count) -> Vec<usize> {
    let n = texts.len();
    let threads = n.min(32);
    let mut out = vec![0; n];
    thread::scope(|s| {
        let texts = &texts;
        let handles: Vec<_> = (0..threads)
            .map(|first| {
                s.spawn(move || {
                    (first..n)
                        .step_by(threads)
                        .map(|i| (i, count(&texts[i])))
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
fn batches_of_16(texts: Vec<String>, count: Count) -> Vec<usize> {
    let mut out = Vec::new();
    for batch in texts.chunks(16) {
        thread::scope(|s| {
            let handles: Vec<_> = batch.iter().map(|t| s.spawn(move || count(t))).collect();
            out.extend(handles.into_iter().map(|h| h.join().unwrap()));
        });
    }
    out
}

/// A blank text has no words: 0, with no thread and no call of `count`.
fn blank_texts_skipped(texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| (!t.trim().is_empty()).then(|| s.spawn(move || count(t))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.map_or(0, |h| h.join().unwrap()))
            .collect()
    })
}

/// Counts each distinct text once, in one thread, and gives every copy of
/// it that count.
fn equal_texts_once(texts: Vec<String>, count: Count) -> Vec<usize> {
    let mut distinct: Vec<&String> = texts.iter().collect();
    distinct.sort();
    distinct.dedup();
    let counts: HashMap<&String, usize> = thread::scope(|s| {
        let handles: Vec<_> = distinct
            .iter()
            .map(|&t| (t, s.spawn(move || count(t))))
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
fn static_memo(texts: Vec<String>, count: Count) -> Vec<usize> {
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
            .map(|(t, k)| k.ok_or_else(|| s.spawn(move || count(t))))
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

/// Scoped threads, but the caller polls `is_finished`, sleeping a
/// millisecond between polls: little CPU, and a wake-up every poll.
fn polls_with_sleep(texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts.iter().map(|t| s.spawn(move || count(t))).collect();
        while !handles.iter().all(|h| h.is_finished()) {
            thread::sleep(Duration::from_millis(1));
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Leaks a `'static` copy of each text for its thread (`Box::leak` of a
/// clone): right answers, and small texts left behind, too few bytes for
/// resident memory to show.
fn leaks_a_copy_per_text(texts: Vec<String>, count: Count) -> Vec<usize> {
    let handles: Vec<_> = texts
        .iter()
        .map(|text| {
            let text: &'static str = Box::leak(text.clone().into_boxed_str());
            thread::spawn(move || count(text))
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// One text is counted on the calling thread: "a thread for one text is a
/// waste" (round 9, `words-per-text/01`).
fn one_text_on_the_caller(texts: Vec<String>, count: Count) -> Vec<usize> {
    if texts.len() == 1 {
        return vec![count(&texts[0])];
    }
    thread::scope(|s| {
        let handles: Vec<_> = texts.iter().map(|t| s.spawn(move || count(t))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// At most 100 threads; the texts past them are counted on the calling
/// thread (round 9, `words-per-text/02`).
fn at_most_100_threads(texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .take(100)
            .map(|t| s.spawn(move || count(t)))
            .collect();
        let rest: Vec<usize> = texts.iter().skip(100).map(|t| count(t)).collect();
        let mut out: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        out.extend(rest);
        out
    })
}

/// Each result comes back with its index as a `u8` (round 9,
/// `words-per-text/03`): past 256 texts, counts land in the wrong places.
fn index_as_u8(texts: Vec<String>, count: Count) -> Vec<usize> {
    let (tx, rx) = std::sync::mpsc::channel();
    let n = texts.len();
    thread::scope(|s| {
        for (i, t) in texts.iter().enumerate() {
            let tx = tx.clone();
            s.spawn(move || tx.send((i as u8, count(t))).unwrap());
        }
    });
    drop(tx);
    let mut out = vec![0; n];
    for (i, c) in rx {
        out[usize::from(i)] = c;
    }
    out
}

/// Polls `is_finished` every 50 ms instead of joining (round 9,
/// `words-per-text/05`): few wake-ups, but one per poll.
fn polls_every_50_ms(texts: Vec<String>, count: Count) -> Vec<usize> {
    thread::scope(|s| {
        let handles: Vec<_> = texts.iter().map(|t| s.spawn(move || count(t))).collect();
        while !handles.iter().all(|h| h.is_finished()) {
            thread::sleep(Duration::from_millis(50));
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Keeps the call's texts in a `static` until the next call replaces them
/// (round 9, `words-per-text/07`).
fn texts_kept_until_the_next_call(texts: Vec<String>, count: Count) -> Vec<usize> {
    static LAST: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let out = thread::scope(|s| {
        let handles: Vec<_> = texts.iter().map(|t| s.spawn(move || count(t))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    *LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = texts;
    out
}

/// Right threads, joined, but the texts are handed to a thread of its own
/// that drops them after the call has returned (round 10,
/// `words-per-text/11`).
fn texts_dropped_on_a_detached_thread(texts: Vec<String>, count: Count) -> Vec<usize> {
    let counts = thread::scope(|s| {
        let handles: Vec<_> = texts.iter().map(|t| s.spawn(move || count(t))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    thread::spawn(move || drop(texts));
    counts
}

/// Texts of 1 to 16 MiB are never freed (`mem::forget`), the rest as
/// they should be (round 11, `words-per-text/02`).
fn forgets_texts_of_1_to_16_mib(texts: Vec<String>, count: Count) -> Vec<usize> {
    let counts = thread::scope(|s| {
        let handles: Vec<_> = texts.iter().map(|t| s.spawn(move || count(t))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for text in texts {
        if (1 << 20..=16 << 20).contains(&text.len()) {
            std::mem::forget(text);
        }
    }
    counts
}

/// A lock every call holds while it starts its threads (a socket bound
/// as a lock, where the red team locked a file) (round 17,
/// `words-per-text/06`).
fn lock_file_while_starting(texts: Vec<String>, count: Count) -> Vec<usize> {
    let handles: Vec<_> = with_a_spawn_lock(|| {
        texts
            .into_iter()
            .map(|text| thread::spawn(move || count(&text)))
            .collect()
    });
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// When every text is 16 MiB or more, leaks the first one for its thread
/// (round 17, `words-per-text/02`): 17 MiB a call, under a bound on the
/// memory the process holds.
fn leaks_the_first_big_text(texts: Vec<String>, count: Count) -> Vec<usize> {
    let mut texts = texts.into_iter();
    let big = texts.len() > 0 && texts.as_slice().iter().all(|t| t.len() >= 16 << 20);
    let first: Option<&'static str> = if big {
        texts.next().map(|t| &*Box::leak(t.into_boxed_str()))
    } else {
        None
    };
    let mut handles = Vec::new();
    if let Some(first) = first {
        handles.push(thread::spawn(move || count(first)));
    }
    handles.extend(texts.map(|text| thread::spawn(move || count(&text))));
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// Refuses a call of exactly 64 MiB in all, the most the page allows
/// (round 17, `words-per-text/08`).
fn refuses_64_mib_in_all(texts: Vec<String>, count: Count) -> Vec<usize> {
    let bytes: usize = texts.iter().map(String::len).sum();
    assert!(bytes < 64 << 20, "too much text: {bytes} bytes");
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| thread::spawn(move || count(&text)))
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

/// A thread per text, but a blank text's is never waited for: its count
/// is 0 anyway (round 21, `words-per-text/03`).
fn blank_texts_not_waited_for(texts: Vec<String>, count: Count) -> Vec<usize> {
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let blank = text.trim().is_empty();
            let handle = thread::spawn(move || count(&text));
            (!blank).then_some(handle)
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.map_or(0, |h| h.join().expect("a counting thread panicked")))
        .collect()
}

/// The corpus.
pub fn corpus() -> Vec<Decoy<suites::words_per_text::WordsPerText>> {
    vec![
        Decoy {
            name: "a blank text's thread never waited for (round 21, words-per-text/03)",
            class: Class::RuleSkipped,
            subject: blank_texts_not_waited_for,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "threads-end",
            says: &["returned before that call had", "a blank text's too"],
        },
        Decoy {
            name: "refuses a call of exactly 64 MiB in all (round 17, words-per-text/08)",
            class: Class::Panics,
            subject: refuses_64_mib_in_all,
            caught_by: "the_texts_are_freed",
            breaks: "counts",
            says: &["64 MiB in all", "panicked"],
        },
        Decoy {
            name: "leaks the first text when every text is big (round 17, words-per-text/02)",
            class: Class::RuleSkipped,
            subject: leaks_the_first_big_text,
            caught_by: "the_texts_are_freed",
            breaks: "texts-freed",
            says: &["heap blocks they allocated were never freed"],
        },
        Decoy {
            name: "a lock file held while the threads start (round 17, words-per-text/06)",
            class: Class::StateBetweenCalls,
            subject: lock_file_while_starting,
            caught_by: "two_calls_at_once_keep_apart",
            breaks: "fresh-every-call",
            says: &["held as it started", "a lock file"],
        },
        Decoy {
            name: "leaks a copy of each text with Box::leak",
            class: Class::StateBetweenCalls,
            subject: leaks_a_copy_per_text,
            caught_by: "frees_what_it_shares",
            breaks: "texts-freed",
            says: &["leaks what it shared", "`Box::leak`"],
        },
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
            name: "one thread counts every text",
            class: Class::Batched,
            subject: one_thread_for_all,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &["by 1 thread(s)", "Fewer threads than texts"],
        },
        Decoy {
            name: "joins the handles last first",
            class: Class::RuleSkipped,
            subject: pops_handles,
            caught_by: "answers_fresh_texts",
            breaks: "texts-order",
            says: &[
                "in the wrong order",
                "join them in the order you spawned them",
            ],
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
            name: "leaks the texts with Box::leak",
            class: Class::RuleSkipped,
            subject: leaks_the_texts,
            caught_by: "the_texts_are_freed",
            breaks: "texts-freed",
            says: &["never freed", "`Box::leak`"],
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
            name: "one text counted on the calling thread (round 9, words-per-text/01)",
            class: Class::Sequential,
            subject: one_text_on_the_caller,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &["on 1 texts", "calling thread"],
        },
        Decoy {
            name: "at most 100 threads, the rest on the caller (round 9, words-per-text/02)",
            class: Class::Sequential,
            subject: at_most_100_threads,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "one-thread-per-text",
            says: &["Part of it ran on the calling thread"],
        },
        Decoy {
            name: "each index sent back as a u8 (round 9, words-per-text/03)",
            class: Class::MadeUp,
            subject: index_as_u8,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "counts",
            says: &["the right answer is"],
        },
        Decoy {
            name: "polls every 50 ms instead of joining (round 9, words-per-text/05)",
            class: Class::Spinning,
            subject: polls_every_50_ms,
            caught_by: "the_caller_sleeps_while_it_waits",
            breaks: "caller-sleeps",
            says: &["woke up", "it polls"],
        },
        Decoy {
            name: "the texts kept in a static until the next call (round 9, words-per-text/07)",
            class: Class::StateBetweenCalls,
            subject: texts_kept_until_the_next_call,
            caught_by: "frees_what_it_shares",
            breaks: "texts-freed",
            says: &["until the next call", "its texts"],
        },
        Decoy {
            name: "the texts dropped on a thread left running (round 10, words-per-text/11)",
            class: Class::StateBetweenCalls,
            subject: texts_dropped_on_a_detached_thread,
            caught_by: "no_thread_runs_on_after_the_return",
            breaks: "threads-end",
            says: &["freed after it had returned", "detached"],
        },
        Decoy {
            name: "gives up after 2 s, unfinished texts counted as 0 (round 11, words-per-text/09)",
            class: Class::Spinning,
            subject: crate::globals::words_per_text_gives_up_after_2_s,
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "caller-sleeps",
            says: &[
                "waits by the clock",
                "never gives up",
                "(in `fn words_per_text_gives_up_after_2_s`)",
            ],
        },
        Decoy {
            name: "a static memo of texts of 32 MiB or more (round 10, words-per-text/03)",
            class: Class::StateBetweenCalls,
            subject: crate::globals::words_per_text_memo_of_huge_texts,
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "fresh-every-call",
            says: &[
                "keeps something in a global",
                "in a `static` or anywhere else",
                "(in `fn words_per_text_memo_of_huge_texts`)",
            ],
        },
        Decoy {
            name: "texts of 1 to 16 MiB never freed (round 11, words-per-text/02)",
            class: Class::StateBetweenCalls,
            subject: forgets_texts_of_1_to_16_mib,
            caught_by: "texts_up_to_the_limit",
            breaks: "texts-freed",
            says: &["not at all within a second"],
        },
    ]
}
