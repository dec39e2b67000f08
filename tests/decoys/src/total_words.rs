//! Wrong `total_words`s: what compiles once the `Rc` is gone, and is wrong.

use std::collections::HashMap;
use std::hint::spin_loop;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::spawn_lock::with_a_spawn_lock;
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

/// At most 32 threads, the texts dealt out among them: past 32 texts, a
/// thread counts several, one after another.
fn at_most_32_threads(texts: Vec<String>, count: Count) -> usize {
    let threads = texts.len().min(32);
    let texts = Arc::new(texts);
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..threads)
        .map(|first| {
            let (texts, total) = (Arc::clone(&texts), Arc::clone(&total));
            thread::spawn(move || {
                for text in texts.iter().skip(first).step_by(threads) {
                    total.fetch_add(count(text), Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// Threads in batches of 16, each batch joined before the next starts.
fn batches_of_16(texts: Vec<String>, count: Count) -> usize {
    let total = AtomicUsize::new(0);
    for batch in texts.chunks(16) {
        thread::scope(|s| {
            for text in batch {
                let total = &total;
                s.spawn(move || total.fetch_add(count(text), Ordering::SeqCst));
            }
        });
    }
    total.into_inner()
}

/// Blank texts have no words, so it starts no thread for them and never
/// calls `count` on them.
fn blank_texts_skipped(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || total.fetch_add(count(&text), Ordering::SeqCst))
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// Counts each distinct text once, in one thread, and multiplies by how
/// many times it occurs.
fn equal_texts_once(texts: Vec<String>, count: Count) -> usize {
    let mut times: HashMap<String, usize> = HashMap::new();
    for text in texts {
        *times.entry(text).or_insert(0) += 1;
    }
    let total = AtomicUsize::new(0);
    thread::scope(|s| {
        for (text, m) in &times {
            let total = &total;
            s.spawn(move || total.fetch_add(count(text) * m, Ordering::SeqCst));
        }
    });
    total.into_inner()
}

/// Remembers each text's count in a `static` map: a text seen in an
/// earlier call gets its count from there, with no thread and no call of
/// `count`. Every answer is right.
fn static_memo(texts: Vec<String>, count: Count) -> usize {
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
    counts.iter().sum()
}

/// Right threads, but the caller polls `is_finished`, sleeping a
/// millisecond between polls: little CPU, and a wake-up every poll.
fn polls_with_sleep(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || total.fetch_add(count(&text), Ordering::SeqCst))
        })
        .collect();
    while !handles.iter().all(|h| h.is_finished()) {
        thread::sleep(Duration::from_millis(1));
    }
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// Leaks the shared total (`Box::leak`) so that plain `thread::spawn` can
/// borrow it: right answers, and one total left behind per call.
fn leaks_the_total(texts: Vec<String>, count: Count) -> usize {
    let total: &'static Mutex<usize> = Box::leak(Box::new(Mutex::new(0)));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| thread::spawn(move || *total.lock().unwrap() += count(&text)))
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    *total.lock().unwrap()
}

/// Right threads and total, but never joined: they are detached, and each
/// lingers 2 s after adding its count (round 9's `total-words/10` lingered
/// 50 ms, which the suite no longer tells from a thread on its way out);
/// the caller waits on a channel for the counts instead.
fn detached_threads(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(AtomicUsize::new(0));
    let (done, finished) = std::sync::mpsc::channel();
    let n = texts.len();
    for text in texts {
        let (total, done) = (Arc::clone(&total), done.clone());
        thread::spawn(move || {
            total.fetch_add(count(&text), Ordering::SeqCst);
            let _ = done.send(());
            thread::sleep(Duration::from_secs(2));
        });
    }
    for _ in 0..n {
        finished.recv().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// Adds with a separate load and store on a shared atomic (round 9,
/// `total-words/05`): two threads that finish together lose one count.
fn load_then_store(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || {
                let n = count(&text);
                let now = total.load(Ordering::SeqCst);
                spin_loop();
                total.store(now + n, Ordering::SeqCst);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// A lock around the counting that a thread gives up on after 100 ms and
/// counts anyway (round 9, `total-words/04`): the threads take turns, each
/// held back until the lock's holder is done or the wait runs out.
fn lock_with_a_time_out(texts: Vec<String>, count: Count) -> usize {
    let turn = Arc::new(Mutex::new(()));
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let (turn, total) = (Arc::clone(&turn), Arc::clone(&total));
            thread::spawn(move || {
                let began = std::time::Instant::now();
                let mut held = turn.try_lock().ok();
                while held.is_none() && began.elapsed() < Duration::from_millis(100) {
                    thread::sleep(Duration::from_millis(1));
                    held = turn.try_lock().ok();
                }
                total.fetch_add(count(&text), Ordering::SeqCst);
                drop(held);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// One lock in a `static`, taken for the whole call (round 9,
/// `total-words/15`): calls from two threads take turns.
fn one_call_at_a_time(texts: Vec<String>, count: Count) -> usize {
    static CALLS: Mutex<()> = Mutex::new(());
    let _one = CALLS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || total.fetch_add(count(&text), Ordering::SeqCst))
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// A lock every call holds while it starts its threads (a socket bound
/// as a lock, where the red team locked a file) (round 17,
/// `total-words/08`).
fn lock_file_while_starting(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = with_a_spawn_lock(|| {
        texts
            .into_iter()
            .map(|text| {
                let total = Arc::clone(&total);
                thread::spawn(move || total.fetch_add(count(&text), Ordering::SeqCst))
            })
            .collect()
    });
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// A right total, scoped threads adding to an atomic.
fn scoped(texts: Vec<String>, count: Count) -> usize {
    let total = AtomicUsize::new(0);
    thread::scope(|s| {
        for text in &texts {
            let total = &total;
            s.spawn(move || total.fetch_add(count(text), Ordering::SeqCst));
        }
    });
    total.into_inner()
}

/// Refuses exactly 800 texts, the most the page allows (round 17,
/// `total-words/07`).
fn refuses_800_texts(texts: Vec<String>, count: Count) -> usize {
    assert!(texts.len() < 800, "too many texts: {}", texts.len());
    scoped(texts, count)
}

/// Refuses a text of exactly 17 MiB, the largest the page allows (round
/// 17, `total-words/11`).
fn refuses_a_17_mib_text(texts: Vec<String>, count: Count) -> usize {
    assert!(texts.iter().all(|t| t.len() < 17 << 20), "a text too big");
    scoped(texts, count)
}

/// Keeps the call's shared total in a `static` until the next call replaces
/// it (round 9, `total-words/09`): as many blocks freed as kept, call
/// after call.
fn kept_until_the_next_call(texts: Vec<String>, count: Count) -> usize {
    static LAST: Mutex<Option<Arc<Mutex<usize>>>> = Mutex::new(None);
    let total = Arc::new(Mutex::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || *total.lock().unwrap() += count(&text))
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let sum = *total.lock().unwrap();
    *LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(total);
    sum
}

/// A 16-bit total (round 9, `total-words/06`): past 65,535 words it wraps.
fn sixteen_bit_total(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(Mutex::new(0u16));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || {
                let n = count(&text) as u16;
                let mut t = total.lock().unwrap();
                *t = t.wrapping_add(n);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    usize::from(*total.lock().unwrap())
}

/// Spins up to 4 ms on `is_finished` before it joins (round 10,
/// `total-words/05`): short jobs end before a sleep pays off, it says.
fn spins_4_ms_then_joins(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || total.fetch_add(count(&text), Ordering::SeqCst))
        })
        .collect();
    let until = std::time::Instant::now() + Duration::from_millis(4);
    while std::time::Instant::now() < until && !handles.iter().all(|h| h.is_finished()) {
        spin_loop();
    }
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// A 32-bit total (round 10, `total-words/06`): no text of the suite's has
/// 4 billion words, but `count` may say so.
fn thirty_two_bit_total(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || total.fetch_add(count(&text) as u32, Ordering::SeqCst))
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst) as usize
}

/// The total summed in an `f64` under a lock and cast back (round 14,
/// `total-words/02`): exact only up to 2^53.
fn f64_total(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(std::sync::Mutex::new(0f64));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || {
                let n = count(&text) as f64;
                *total.lock().unwrap() += n;
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let sum = *total.lock().unwrap();
    sum as usize
}

/// `fetch_add` for small counts, a load then a store for counts of 1,000
/// or more (round 10, `total-words/07`): the suite's texts are small.
fn load_then_store_for_big_counts(texts: Vec<String>, count: Count) -> usize {
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            let total = Arc::clone(&total);
            thread::spawn(move || {
                let n = count(&text);
                if n < 1000 {
                    total.fetch_add(n, Ordering::SeqCst);
                } else {
                    let now = total.load(Ordering::SeqCst);
                    spin_loop();
                    total.store(now + n, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// Right threads, joined, but the texts are handed to a thread of its own
/// that drops them after the call has returned.
fn texts_dropped_on_a_detached_thread(texts: Vec<String>, count: Count) -> usize {
    let total = thread::scope(|s| {
        let handles: Vec<_> = texts.iter().map(|t| s.spawn(move || count(t))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    thread::spawn(move || drop(texts));
    total
}

/// Texts over 8 MiB counted on the calling thread, the rest each in a
/// thread of its own (round 11, `total-words/01`).
fn big_texts_on_the_caller(texts: Vec<String>, count: Count) -> usize {
    let total = AtomicUsize::new(0);
    thread::scope(|s| {
        for text in &texts {
            if text.len() > 8 << 20 {
                total.fetch_add(count(text), Ordering::SeqCst);
            } else {
                let total = &total;
                s.spawn(move || total.fetch_add(count(text), Ordering::SeqCst));
            }
        }
    });
    total.into_inner()
}

/// The total leaked with `Box::leak` on calls of more than 6 texts (round
/// 11, `total-words/09`): smaller calls free theirs.
fn leaks_the_total_past_6_texts(texts: Vec<String>, count: Count) -> usize {
    let local = AtomicUsize::new(0);
    let total: &AtomicUsize = if texts.len() > 6 {
        Box::leak(Box::new(AtomicUsize::new(0)))
    } else {
        &local
    };
    thread::scope(|s| {
        for text in &texts {
            s.spawn(move || total.fetch_add(count(text), Ordering::SeqCst));
        }
    });
    total.load(Ordering::SeqCst)
}

/// A lock for a few texts; past 8, an atomic read and then written, "so
/// that hundreds of threads do not queue on one mutex" (round 11,
/// `total-words/03`): two threads that add together lose a count.
fn load_then_store_past_8_texts(texts: Vec<String>, count: Count) -> usize {
    let many = texts.len() > 8;
    let total = AtomicUsize::new(0);
    let locked = Mutex::new(0);
    thread::scope(|s| {
        for text in &texts {
            let (total, locked) = (&total, &locked);
            s.spawn(move || {
                let n = count(text);
                if many {
                    let seen = total.load(Ordering::SeqCst);
                    spin_loop();
                    total.store(seen + n, Ordering::SeqCst);
                } else {
                    *locked.lock().unwrap() += n;
                }
            });
        }
    });
    total.into_inner() + locked.into_inner().unwrap()
}

/// The corpus.
pub fn corpus() -> Vec<Decoy<suites::total_words::TotalWords>> {
    vec![
        Decoy {
            name: "leaks the shared total with Box::leak",
            class: Class::StateBetweenCalls,
            subject: leaks_the_total,
            caught_by: "frees_what_it_shares",
            breaks: "total-freed",
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
            says: &["µs of CPU", "it spins"],
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
            name: "detached threads that outlive the call by 2 s (round 9, total-words/10)",
            class: Class::StateBetweenCalls,
            subject: detached_threads,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "threads-end",
            says: &["were still there", "outlives the call"],
        },
        Decoy {
            name: "adds with a separate load and store (round 9, total-words/05)",
            class: Class::MadeUp,
            subject: load_then_store,
            caught_by: "answers_fresh_texts",
            breaks: "one-shared-total",
            says: &["updates were lost"],
        },
        Decoy {
            name: "a lock around the counting, given up after 100 ms (round 9, total-words/04)",
            class: Class::Sequential,
            subject: lock_with_a_time_out,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "lock-only-to-add",
            says: &["held back", "a plain loop"],
        },
        Decoy {
            name: "a static lock held for the whole call (round 9, total-words/15)",
            class: Class::StateBetweenCalls,
            subject: one_call_at_a_time,
            caught_by: "two_calls_at_once_keep_apart",
            breaks: "fresh-every-call",
            says: &["took turns"],
        },
        Decoy {
            name: "refuses exactly 800 texts (round 17, total-words/07)",
            class: Class::Panics,
            subject: refuses_800_texts,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "total",
            says: &["800"],
        },
        Decoy {
            name: "refuses a text of exactly 17 MiB (round 17, total-words/11)",
            class: Class::Panics,
            subject: refuses_a_17_mib_text,
            caught_by: "texts_up_to_the_limit",
            breaks: "total",
            says: &["17.0 MiB"],
        },
        Decoy {
            name: "a lock file held while the threads start (round 17, total-words/08)",
            class: Class::StateBetweenCalls,
            subject: lock_file_while_starting,
            caught_by: "two_calls_at_once_keep_apart",
            breaks: "fresh-every-call",
            says: &["held as it started", "a lock file"],
        },
        Decoy {
            name: "the shared total kept in a static until the next call (round 9, total-words/09)",
            class: Class::StateBetweenCalls,
            subject: kept_until_the_next_call,
            caught_by: "frees_what_it_shares",
            breaks: "total-freed",
            says: &["until the next call", "still allocated"],
        },
        Decoy {
            name: "a 16-bit total (round 9, total-words/06)",
            class: Class::MadeUp,
            subject: sixteen_bit_total,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "total",
            says: &["the right answer is"],
        },
        Decoy {
            name: "spins 4 ms on is_finished, then joins (round 10, total-words/05)",
            class: Class::Spinning,
            subject: spins_4_ms_then_joins,
            caught_by: "the_caller_sleeps_while_it_waits",
            breaks: "caller-sleeps",
            says: &["µs of CPU", "it spins"],
        },
        Decoy {
            name: "a 32-bit total (round 10, total-words/06)",
            class: Class::MadeUp,
            subject: thirty_two_bit_total,
            caught_by: "counts_of_any_size_add_up",
            breaks: "total",
            says: &["32 bits"],
        },
        Decoy {
            name: "the total summed in an f64 (round 14, total-words/02)",
            class: Class::MadeUp,
            subject: f64_total,
            caught_by: "counts_of_any_size_add_up",
            breaks: "total",
            says: &["rounded", "2^53"],
        },
        Decoy {
            name: "a load then a store for counts of 1,000 or more (round 10, total-words/07)",
            class: Class::MadeUp,
            subject: load_then_store_for_big_counts,
            caught_by: "counts_of_any_size_add_up",
            breaks: "one-shared-total",
            says: &["Only one of the two counts arrived", "at the same instant"],
        },
        Decoy {
            name: "the texts dropped on a thread left running (as round 10, words-per-text/11)",
            class: Class::StateBetweenCalls,
            subject: texts_dropped_on_a_detached_thread,
            caught_by: "no_thread_runs_on_after_the_return",
            breaks: "threads-end",
            says: &["freed after it had returned", "detached"],
        },
        Decoy {
            name: "checks a count of finished threads 20 000 times before joining (round 17, total-words/04)",
            class: Class::Spinning,
            subject: crate::globals::total_words_spins_on_a_count,
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "caller-sleeps",
            says: &["`load` in a loop", "(in `fn total_words_spins_on_a_count`)"],
        },
        Decoy {
            name: "a spin of up to 700 µs on `is_finished` before joining (round 11, total-words/07)",
            class: Class::Spinning,
            subject: crate::globals::total_words_spins_briefly_on_is_finished,
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "caller-sleeps",
            says: &[
                "waits by the clock",
                "never gives up",
                "(in `fn total_words_spins_briefly_on_is_finished`)",
            ],
        },
        Decoy {
            name: "a lock tried for 50 µs and held around `count` when it comes (round 11, total-words/04)",
            class: Class::RuleSkipped,
            subject: crate::globals::total_words_lock_tried_around_count,
            caught_by: "no_lock_is_held_around_the_work",
            breaks: "lock-only-to-add",
            says: &[
                "holds a lock around",
                "take turns",
                "(in `fn total_words_lock_tried_around_count`)",
            ],
        },
        Decoy {
            name: "a static lock held while the threads start (round 10, total-words/10)",
            class: Class::StateBetweenCalls,
            subject: crate::globals::total_words_spawn_lock,
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "fresh-every-call",
            says: &[
                "keeps something in a global",
                "in a `static` or anywhere else",
                "(in `fn total_words_spawn_lock`)",
            ],
        },
        Decoy {
            name: "texts over 8 MiB counted on the calling thread (round 11, total-words/01)",
            class: Class::Sequential,
            subject: big_texts_on_the_caller,
            caught_by: "texts_up_to_the_limit",
            breaks: "one-thread-per-text",
            says: &["the calling thread among them", "texts up to 17 MiB"],
        },
        Decoy {
            name: "the total leaked on calls of more than 6 texts (round 11, total-words/09)",
            class: Class::StateBetweenCalls,
            subject: leaks_the_total_past_6_texts,
            caught_by: "frees_what_it_shares",
            breaks: "total-freed",
            says: &["leaks what it shared"],
        },
        Decoy {
            name: "a load then a store past 8 texts (round 11, total-words/03)",
            class: Class::MadeUp,
            subject: load_then_store_past_8_texts,
            caught_by: "answers_fresh_texts",
            breaks: "one-shared-total",
            says: &["updates were lost"],
        },
    ]
}
