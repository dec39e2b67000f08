//! Wrong `word_frequencies`: what compiles once the map has a lock (or
//! none), and is wrong.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::spawn_lock::with_a_spawn_lock;
use crate::{Class, Decoy};

type Words = fn(&str) -> Vec<String>;
type Frequencies = HashMap<String, usize>;

/// No threads: one map, filled on the calling thread.
fn sequential(texts: Vec<String>, words: Words) -> Frequencies {
    let mut freq = HashMap::new();
    for w in texts.iter().flat_map(|t| words(t)) {
        *freq.entry(w).or_insert(0) += 1;
    }
    freq
}

/// Locks the map before splitting: the threads take turns.
fn lock_around_the_work(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for text in &texts {
            let freq = &freq;
            s.spawn(move || {
                let mut freq = freq.lock().unwrap();
                for w in words(text) {
                    *freq.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    freq.into_inner().unwrap()
}

/// Each thread fills a map of its own, which nobody merges.
fn map_per_thread(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = HashMap::new();
    thread::scope(|s| {
        for text in &texts {
            let mut mine: Frequencies = freq.clone();
            s.spawn(move || {
                for w in words(text) {
                    *mine.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    freq
}

/// Splits at white space itself instead of calling `words`: the empty
/// words `words` returns between two spaces are missing.
fn splits_itself(texts: Vec<String>, _words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for text in &texts {
            let freq = &freq;
            s.spawn(move || {
                for w in text.split_whitespace() {
                    *freq.lock().unwrap().entry(w.to_owned()).or_insert(0) += 1;
                }
            });
        }
    });
    freq.into_inner().unwrap()
}

/// Counts into a `static` map, never cleared.
fn static_map(texts: Vec<String>, words: Words) -> Frequencies {
    static FREQ: Mutex<Option<Frequencies>> = Mutex::new(None);
    thread::scope(|s| {
        for text in &texts {
            s.spawn(move || {
                let found = words(text);
                let mut freq = FREQ.lock().unwrap();
                let freq = freq.get_or_insert_with(HashMap::new);
                for w in found {
                    *freq.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    FREQ.lock().unwrap().clone().unwrap_or_default()
}

/// Counts into a `static` map that each call empties first: right for one
/// call at a time, shared by two calls at once.
fn static_map_cleared_per_call(texts: Vec<String>, words: Words) -> Frequencies {
    static FREQ: Mutex<Option<Frequencies>> = Mutex::new(None);
    *FREQ.lock().unwrap() = Some(HashMap::new());
    thread::scope(|s| {
        for text in &texts {
            s.spawn(move || {
                let found = words(text);
                let mut freq = FREQ.lock().unwrap();
                let freq = freq.get_or_insert_with(HashMap::new);
                for w in found {
                    *freq.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    FREQ.lock().unwrap().clone().unwrap_or_default()
}

/// Detached threads; the caller spins until it holds the only `Arc`.
fn spins_on_strong_count(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Arc::new(Mutex::new(HashMap::new()));
    for text in texts {
        let freq = Arc::clone(&freq);
        thread::spawn(move || {
            let found = words(&text);
            let mut freq = freq.lock().unwrap();
            for w in found {
                *freq.entry(w).or_insert(0) += 1;
            }
        });
    }
    while Arc::strong_count(&freq) > 1 {
        std::hint::spin_loop();
    }
    Arc::try_unwrap(freq).unwrap().into_inner().unwrap()
}

/// Joins each scoped thread as soon as it is spawned.
fn join_at_once(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for text in &texts {
            let freq = &freq;
            s.spawn(move || {
                let found = words(text);
                let mut freq = freq.lock().unwrap();
                for w in found {
                    *freq.entry(w).or_insert(0) += 1;
                }
            })
            .join()
            .unwrap();
        }
    });
    freq.into_inner().unwrap()
}

/// Adds one text's words into the map.
fn add(freq: &Mutex<Frequencies>, found: Vec<String>, times: usize) {
    let mut freq = freq.lock().unwrap();
    for w in found {
        *freq.entry(w).or_insert(0) += times;
    }
}

/// At most 32 threads, the texts dealt out among them: past 32 texts, a
/// thread splits several, one after another.
fn at_most_32_threads(texts: Vec<String>, words: Words) -> Frequencies {
    let threads = texts.len().min(32);
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for first in 0..threads {
            let (freq, texts) = (&freq, &texts);
            s.spawn(move || {
                for text in texts.iter().skip(first).step_by(threads) {
                    add(freq, words(text), 1);
                }
            });
        }
    });
    freq.into_inner().unwrap()
}

/// Threads in batches of 16, each batch joined before the next starts.
fn batches_of_16(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    for batch in texts.chunks(16) {
        thread::scope(|s| {
            for text in batch {
                let freq = &freq;
                s.spawn(move || add(freq, words(text), 1));
            }
        });
    }
    freq.into_inner().unwrap()
}

/// Blank texts have no words, so it starts no thread for them and never
/// calls `words` on them.
fn blank_texts_skipped(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for text in texts.iter().filter(|t| !t.trim().is_empty()) {
            let freq = &freq;
            s.spawn(move || add(freq, words(text), 1));
        }
    });
    freq.into_inner().unwrap()
}

/// Splits each distinct text once, in one thread, and counts its words as
/// many times as the text occurs.
fn equal_texts_once(texts: Vec<String>, words: Words) -> Frequencies {
    let mut times: HashMap<&String, usize> = HashMap::new();
    for t in &texts {
        *times.entry(t).or_insert(0) += 1;
    }
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for (&text, &m) in &times {
            let freq = &freq;
            s.spawn(move || add(freq, words(text), m));
        }
    });
    freq.into_inner().unwrap()
}

/// Remembers each text's words in a `static` map: a text seen in an
/// earlier call gets its words from there, with no thread and no call of
/// `words`. Every answer is right.
fn static_memo(texts: Vec<String>, words: Words) -> Frequencies {
    static MEMO: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);
    let freq = Mutex::new(HashMap::new());
    let fresh: Vec<(String, Vec<String>)> = thread::scope(|s| {
        let mut handles = Vec::new();
        for text in &texts {
            let known = MEMO
                .lock()
                .unwrap()
                .as_ref()
                .and_then(|m| m.get(text).cloned());
            match known {
                Some(found) => add(&freq, found, 1),
                None => {
                    let freq = &freq;
                    handles.push(s.spawn(move || {
                        let found = words(text);
                        add(freq, found.clone(), 1);
                        (text.clone(), found)
                    }));
                }
            }
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    MEMO.lock()
        .unwrap()
        .get_or_insert_with(HashMap::new)
        .extend(fresh);
    freq.into_inner().unwrap()
}

/// Right threads, but the caller polls `is_finished`, sleeping a
/// millisecond between polls: little CPU, and a wake-up every poll.
fn polls_with_sleep(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|text| {
                let freq = &freq;
                s.spawn(move || add(freq, words(text), 1))
            })
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            thread::sleep(Duration::from_millis(1));
        }
        for h in handles {
            h.join().unwrap();
        }
    });
    freq.into_inner().unwrap()
}

/// Leaks the shared map (`Box::leak`) so that plain `thread::spawn` can
/// borrow it, and returns a copy: right answers, and every call's map, its
/// words and its table left behind.
fn leaks_the_map(texts: Vec<String>, words: Words) -> Frequencies {
    let freq: &'static Mutex<Frequencies> = Box::leak(Box::new(Mutex::new(HashMap::new())));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|text| {
            thread::spawn(move || {
                let found = words(&text);
                add(freq, found, 1);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    freq.lock().unwrap().clone()
}

/// Lowercases every word before counting it, "word counts ignore case"
/// (round 9, `word-frequencies/03`): `Ant` and `ant` become one word.
fn lowercases(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(Frequencies::new());
    thread::scope(|s| {
        for t in &texts {
            let freq = &freq;
            s.spawn(move || {
                let found: Vec<String> = words(t).iter().map(|w| w.to_lowercase()).collect();
                add(freq, found, 1);
            });
        }
    });
    freq.into_inner().unwrap()
}

/// Spins 25 ms on `is_finished` before joining, "they are usually done by
/// then" (round 9, `word-frequencies/08`).
fn spins_then_joins(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(Frequencies::new());
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                let freq = &freq;
                s.spawn(move || add(freq, words(t), 1))
            })
            .collect();
        let began = std::time::Instant::now();
        while began.elapsed() < Duration::from_millis(25)
            && !handles.iter().all(|h| h.is_finished())
        {
            std::hint::spin_loop();
        }
        for h in handles {
            h.join().unwrap();
        }
    });
    freq.into_inner().unwrap()
}

/// Words cut to their first 24 bytes, "longer keys hash slowly" (round 9,
/// `word-frequencies/17`): long words that share them merge.
fn cuts_words_to_24_bytes(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(Frequencies::new());
    thread::scope(|s| {
        for t in &texts {
            let freq = &freq;
            s.spawn(move || {
                let found: Vec<String> = words(t)
                    .into_iter()
                    .map(|mut w| {
                        let mut end = w.len().min(24);
                        while !w.is_char_boundary(end) {
                            end -= 1;
                        }
                        w.truncate(end);
                        w
                    })
                    .collect();
                add(freq, found, 1);
            });
        }
    });
    freq.into_inner().unwrap()
}

/// Scoped threads, one map under a lock, but every empty word that `words`
/// returns is dropped (round 10, `word-frequencies/09`).
fn empty_words_dropped(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for t in &texts {
            let freq = &freq;
            s.spawn(move || {
                let mine: Vec<String> = words(t).into_iter().filter(|w| !w.is_empty()).collect();
                let mut freq = freq.lock().unwrap();
                for w in mine {
                    *freq.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    freq.into_inner().unwrap()
}

/// Words cut to their first `AT` bytes, to save memory (round 10,
/// `word-frequencies/10`, at 256 bytes; round 14, `word-frequencies/05`,
/// at 2 MiB): long words that share them are merged, and a word past them
/// is counted as another.
fn words_cut_at<const AT: usize>(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for t in &texts {
            let freq = &freq;
            s.spawn(move || {
                let mine = words(t);
                let mut freq = freq.lock().unwrap();
                for mut w in mine {
                    let mut cut = w.len().min(AT);
                    while !w.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    w.truncate(cut);
                    *freq.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    freq.into_inner().unwrap()
}

/// The first text's thread takes the map's lock before it splits its text
/// (through a closure made before the lock); the others split first (round
/// 14, `word-frequencies/04`): their threads wait for the first one's work
/// before they can count.
fn first_locks_around_its_work(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for (i, t) in texts.iter().enumerate() {
            let freq = &freq;
            s.spawn(move || {
                let split = || words(t);
                let add = |found: Vec<String>, freq: &mut HashMap<String, usize>| {
                    for w in found {
                        *freq.entry(w).or_insert(0) += 1;
                    }
                };
                if i == 0 {
                    let mut freq = freq.lock().unwrap();
                    let found = split();
                    add(found, &mut freq);
                } else {
                    let found = split();
                    add(found, &mut freq.lock().unwrap());
                }
            });
        }
    });
    freq.into_inner().unwrap()
}

/// [`words_cut_at`] 256 bytes.
fn words_cut_at_256_bytes(texts: Vec<String>, words: Words) -> Frequencies {
    words_cut_at::<256>(texts, words)
}

/// [`words_cut_at`] 2 MiB.
fn words_cut_at_2_mib(texts: Vec<String>, words: Words) -> Frequencies {
    words_cut_at::<{ 2 << 20 }>(texts, words)
}

/// Detached threads that count into one map, the last to finish waking the
/// caller through a `Condvar`; each drops its text first, but its list of
/// words only after that (round 21, `word-frequencies/05`).
fn word_lists_dropped_after_the_wake_up(texts: Vec<String>, words: Words) -> Frequencies {
    type Shared = (Mutex<(Frequencies, usize)>, std::sync::Condvar);
    let n = texts.len();
    let shared: Arc<Shared> = Arc::default();
    for text in texts {
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            let found = words(&text);
            drop(text);
            {
                let mut g = shared.0.lock().expect("no thread panics holding it");
                for w in &found {
                    *g.0.entry(w.clone()).or_insert(0) += 1;
                }
                g.1 += 1;
                if g.1 == n {
                    shared.1.notify_one();
                }
            }
            drop(found);
        });
    }
    let mut g = shared.0.lock().expect("no thread panics holding it");
    while g.1 < n {
        g = shared.1.wait(g).expect("no thread panics holding it");
    }
    std::mem::take(&mut g.0)
}

/// Right threads, joined, but the texts are handed to a thread of its own
/// that drops them after the call has returned.
fn texts_dropped_on_a_detached_thread(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for t in &texts {
            let freq = &freq;
            s.spawn(move || {
                let mine = words(t);
                let mut freq = freq.lock().unwrap();
                for w in mine {
                    *freq.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    thread::spawn(move || drop(texts));
    freq.into_inner().unwrap()
}

/// Takes the map's lock before splitting a text over 2 MiB, "so that a
/// big text's words go in at once" (round 11, `word-frequencies/04`): the
/// threads with big texts take turns.
fn locks_before_splitting_big_texts(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for t in &texts {
            let freq = &freq;
            s.spawn(move || {
                if t.len() > 2 << 20 {
                    let mut freq = freq.lock().unwrap();
                    for w in words(t) {
                        *freq.entry(w).or_insert(0) += 1;
                    }
                } else {
                    let mine = words(t);
                    let mut freq = freq.lock().unwrap();
                    for w in mine {
                        *freq.entry(w).or_insert(0) += 1;
                    }
                }
            });
        }
    });
    freq.into_inner().unwrap()
}

/// A right map, scoped threads adding to one locked map, each thread's
/// words (changed by `each`) counted under the lock once split.
fn scoped_with(texts: Vec<String>, words: Words, each: fn(String) -> String) -> Frequencies {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for text in &texts {
            let freq = &freq;
            s.spawn(move || {
                let found: Vec<String> = words(text).into_iter().map(each).collect();
                let mut freq = freq.lock().unwrap();
                for w in found {
                    *freq.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    freq.into_inner().unwrap()
}

/// A lock every call holds while it starts its threads (a socket bound
/// as a lock, where the red team locked a file) (round 17,
/// `word-frequencies/05`).
fn lock_file_while_starting(texts: Vec<String>, words: Words) -> Frequencies {
    let freq = Arc::new(Mutex::new(HashMap::new()));
    let handles: Vec<_> = with_a_spawn_lock(|| {
        texts
            .into_iter()
            .map(|text| {
                let freq = Arc::clone(&freq);
                thread::spawn(move || {
                    let found = words(&text);
                    let mut freq = freq.lock().unwrap();
                    for w in found {
                        *freq.entry(w).or_insert(0) += 1;
                    }
                })
            })
            .collect()
    });
    for h in handles {
        h.join().unwrap();
    }
    std::mem::take(&mut *freq.lock().unwrap())
}

/// Refuses exactly 800 texts (round 17, `word-frequencies/04`).
fn refuses_800_texts(texts: Vec<String>, words: Words) -> Frequencies {
    assert!(texts.len() < 800, "too many texts: {}", texts.len());
    scoped_with(texts, words, |w| w)
}

/// Refuses a text of exactly 17 MiB (round 17, `word-frequencies/10`).
fn refuses_a_17_mib_text(texts: Vec<String>, words: Words) -> Frequencies {
    assert!(texts.iter().all(|t| t.len() < 17 << 20), "a text too big");
    scoped_with(texts, words, |w| w)
}

/// Trims ASCII punctuation off each word's ends, so that "fox." counts
/// as "fox" (round 17, `word-frequencies/08`).
fn trims_punctuation(texts: Vec<String>, words: Words) -> Frequencies {
    scoped_with(texts, words, |w| {
        let trimmed = w.trim_matches(|c: char| c.is_ascii_punctuation());
        if trimmed.is_empty() {
            w
        } else {
            trimmed.to_owned()
        }
    })
}

/// The corpus.
pub fn corpus() -> Vec<Decoy<suites::word_frequencies::WordFrequencies>> {
    vec![
        Decoy {
            name: "a lock file held while the threads start (round 17, word-frequencies/05)",
            class: Class::StateBetweenCalls,
            subject: lock_file_while_starting,
            caught_by: "two_calls_at_once_keep_apart",
            breaks: "fresh-every-call",
            says: &["held as it started", "a lock file"],
        },
        Decoy {
            name: "refuses exactly 800 texts (round 17, word-frequencies/04)",
            class: Class::Panics,
            subject: refuses_800_texts,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "frequencies",
            says: &["800"],
        },
        Decoy {
            name: "refuses a text of exactly 17 MiB (round 17, word-frequencies/10)",
            class: Class::Panics,
            subject: refuses_a_17_mib_text,
            caught_by: "texts_up_to_the_limit",
            breaks: "frequencies",
            says: &["17.0 MiB"],
        },
        Decoy {
            name: "trims punctuation off each word's ends (round 17, word-frequencies/08)",
            class: Class::MadeUp,
            subject: trims_punctuation,
            caught_by: "answers_fresh_texts",
            breaks: "frequencies",
            says: &["the right answer is"],
        },
        Decoy {
            name: "leaks the shared map with Box::leak",
            class: Class::StateBetweenCalls,
            subject: leaks_the_map,
            caught_by: "frees_what_it_shares",
            breaks: "map-freed",
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
            name: "holds the lock while splitting",
            class: Class::RuleSkipped,
            subject: lock_around_the_work,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "lock-only-to-count",
            says: &["at most 1 at once", "lock was held"],
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
            name: "fills a map per thread and never merges",
            class: Class::RuleSkipped,
            subject: map_per_thread,
            caught_by: "answers_fresh_texts",
            breaks: "one-shared-map",
            says: &["It counted 0 words", "updates were lost"],
        },
        Decoy {
            name: "splits at white space itself",
            class: Class::MadeUp,
            subject: splits_itself,
            caught_by: "answers_fresh_texts",
            breaks: "frequencies",
            says: &["the right answer is", "the empty word"],
        },
        Decoy {
            name: "counts into a static map",
            class: Class::StateBetweenCalls,
            subject: static_map,
            caught_by: "starts_afresh_every_call",
            breaks: "fresh-every-call",
            says: &["kept state between calls"],
        },
        Decoy {
            name: "spins until it holds the only Arc",
            class: Class::Spinning,
            subject: spins_on_strong_count,
            caught_by: "the_caller_sleeps_while_it_waits",
            breaks: "caller-sleeps",
            says: &["µs of CPU", "it spins"],
        },
        Decoy {
            name: "a static map, emptied by each call",
            class: Class::StateBetweenCalls,
            subject: static_map_cleared_per_call,
            caught_by: "two_calls_at_once_keep_apart",
            breaks: "fresh-every-call",
            says: &[
                "[two calls at once keep apart]",
                "at the same time",
                "in a `static`",
            ],
        },
        Decoy {
            name: "at most 32 threads, each splitting several texts in turn",
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
            name: "blank texts get no thread and no call of `words`",
            class: Class::MadeUp,
            subject: blank_texts_skipped,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "frequencies",
            says: &["the right answer is", "the empty word"],
        },
        Decoy {
            name: "equal texts share one thread and one call of `words`",
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
            name: "lowercases every word (round 9, word-frequencies/03)",
            class: Class::MadeUp,
            subject: lowercases,
            caught_by: "answers_fresh_texts",
            breaks: "frequencies",
            says: &["the right answer is"],
        },
        Decoy {
            name: "spins 25 ms on is_finished before joining (round 9, word-frequencies/08)",
            class: Class::Spinning,
            subject: spins_then_joins,
            caught_by: "the_caller_sleeps_while_it_waits",
            breaks: "caller-sleeps",
            says: &["µs of CPU", "it spins"],
        },
        Decoy {
            name: "words cut to 24 bytes (round 9, word-frequencies/17)",
            class: Class::MadeUp,
            subject: cuts_words_to_24_bytes,
            caught_by: "answers_fresh_texts",
            breaks: "frequencies",
            says: &["the right answer is"],
        },
        Decoy {
            name: "empty words dropped (round 10, word-frequencies/09)",
            class: Class::MadeUp,
            subject: empty_words_dropped,
            caught_by: "answers_fresh_texts",
            breaks: "frequencies",
            says: &["the right answer is", "the empty word"],
        },
        Decoy {
            name: "words cut at 256 bytes (round 10, word-frequencies/10)",
            class: Class::MadeUp,
            subject: words_cut_at_256_bytes,
            caught_by: "starts_afresh_every_call",
            breaks: "frequencies",
            says: &["the right answer is", "not counted as they came"],
        },
        Decoy {
            name: "the first text's thread locks around its work (round 14, word-frequencies/04)",
            class: Class::Sequential,
            subject: first_locks_around_its_work,
            caught_by: "one_thread_per_text_all_at_once",
            breaks: "lock-only-to-count",
            says: &[
                "was kept in `words`",
                "had not ended",
                "a lock it held around its work",
            ],
        },
        Decoy {
            name: "words cut at 2 MiB (round 14, word-frequencies/05)",
            class: Class::MadeUp,
            subject: words_cut_at_2_mib,
            caught_by: "texts_up_to_the_limit",
            breaks: "frequencies",
            says: &["the right answer is"],
        },
        Decoy {
            name: "word lists dropped after the last thread woke the caller (round 21, word-frequencies/05)",
            class: Class::RuleSkipped,
            subject: word_lists_dropped_after_the_wake_up,
            caught_by: "no_thread_runs_on_after_the_return",
            breaks: "threads-end",
            says: &[
                "lists of words `words` returned",
                "freed after it had returned",
            ],
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
            name: "polls `is_finished` with `yield_now` until every thread is done",
            class: Class::Spinning,
            subject: crate::globals::word_frequencies_yields_until_done,
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "caller-sleeps",
            says: &[
                "waits by the clock",
                "never gives up",
                "(in `fn word_frequencies_yields_until_done`)",
            ],
        },
        Decoy {
            name: "the map locked for up to 50 µs before `words` and kept while it runs (round 11, word-frequencies/05)",
            class: Class::RuleSkipped,
            subject: crate::globals::word_frequencies_lock_tried_around_words,
            caught_by: "no_lock_is_held_around_the_work",
            breaks: "lock-only-to-count",
            says: &[
                "holds a lock around",
                "take turns",
                "(in `fn word_frequencies_lock_tried_around_words`)",
            ],
        },
        Decoy {
            name: "a static lock held while the threads start (round 10, word-frequencies/08)",
            class: Class::StateBetweenCalls,
            subject: crate::globals::word_frequencies_spawn_lock,
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "fresh-every-call",
            says: &[
                "keeps something in a global",
                "in a `static` or anywhere else",
                "(in `fn word_frequencies_spawn_lock`)",
            ],
        },
        Decoy {
            name: "the lock taken before splitting texts over 2 MiB (round 11, word-frequencies/04)",
            class: Class::Sequential,
            subject: locks_before_splitting_big_texts,
            caught_by: "texts_up_to_the_limit",
            breaks: "lock-only-to-count",
            says: &["texts up to 17 MiB", "no lock taken before the work"],
        },
    ]
}
