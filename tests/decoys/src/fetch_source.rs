//! Wrong fetchers and caches whose fault is in their source and nowhere a
//! call shows it (rounds 19 and 20): a memo of pages kept in a file, a
//! time-out kept by a child `sleep`, pages that expire by `/proc/uptime`;
//! and round 21's texts: a memo in the temp folder, a watchdog child, a
//! turn taken on an atomic flag. They live in a file of their own, read by the source
//! witnesses as a crate's `src/lib.rs` ([`SOURCE`]), because the rest of
//! the corpus's source ([`crate::globals`]) holds a `static` in every
//! other decoy, which would be named first.

use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;

use crate::{Class, Decoy};

/// This file, as the suites read a crate's `src/lib.rs`.
pub const SOURCE: &str = include_str!("fetch_source.rs");

type Fetched = Vec<Result<String, testweb::FetchError>>;

/// Keeps each call's pages in a file in the temp folder, keyed by the list
/// (round 19's `fetch-all/08` answered from it from the sixth call of one
/// list): no `static`, and no call the suite makes is the sixth.
pub fn fetch_all_memo_in_a_file(urls: &[String]) -> Fetched {
    let path = std::env::temp_dir().join(format!(
        "course-decoy-memo-{}-{}",
        std::process::id(),
        urls.len()
    ));
    let calls = std::fs::read_to_string(&path)
        .ok()
        .and_then(|n| n.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let _ = std::fs::write(&path, (calls + 1).to_string());
    crate::fetch_all::all_at_once(urls)
}

/// Times the whole call with a child `sleep 10`, read to its end by a
/// watchdog thread (round 19's `fetch-bounded/10`): the answers all come
/// in time here, and the child is killed once they have; a slower call
/// would have its stragglers given up on. No clock is named.
pub fn fetch_bounded_times_out_with_a_child(
    urls: &[String],
    limit: std::num::NonZeroUsize,
) -> Fetched {
    let mut child = Command::new("sleep")
        .arg("10")
        .stdout(Stdio::piped())
        .spawn()
        .expect("sleep starts");
    let mut out = child.stdout.take().expect("piped");
    let watchdog = thread::spawn(move || {
        let mut rest = Vec::new();
        let _ = out.read_to_end(&mut rest);
    });
    let pages = crate::fetch_bounded::pool(urls, limit);
    let _ = child.kill();
    let _ = child.wait();
    let _ = watchdog.join();
    pages
}

/// A cache whose pages expire after a minute, by the clock of
/// `/proc/uptime` (round 20's `page-cache/05`): no check lasts a minute,
/// and no clock is named.
#[derive(Default)]
pub struct ExpiresByUptime {
    pages: std::sync::Mutex<std::collections::HashMap<String, (f64, Fetched1)>>,
}

type Fetched1 = Result<String, testweb::FetchError>;

/// Seconds since the machine started, from `/proc/uptime`.
fn uptime() -> f64 {
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

impl suites::page_cache::PageCache for ExpiresByUptime {
    fn get(&self, url: &str) -> Fetched1 {
        let mut pages = self
            .pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let stamp = uptime();
        if let Some((fetched_at, page)) = pages.get(url)
            && stamp - fetched_at < 60.0
        {
            return page.clone();
        }
        let page = testweb::get(url);
        pages.insert(url.to_owned(), (stamp, page.clone()));
        page
    }
}

/// A tally that keeps a copy of its last whole counts in a file named by
/// its address, restored from when its lock is poisoned (round 20's
/// `poison/05`): no `static`, and one tally at a time crashing is right.
#[derive(Default)]
pub struct LastWholeInAFile {
    counts: std::sync::Mutex<suites::poison::Snapshot>,
}

impl LastWholeInAFile {
    fn backup(&self) -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "course-decoy-tally-{}-{:p}",
            std::process::id(),
            self
        ))
    }
}

impl suites::poison::SharedTally for LastWholeInAFile {
    fn update(&self, change: suites::poison::Change<'_>) {
        let mut counts = self.counts.lock().unwrap_or_else(|poisoned| {
            let mut counts = poisoned.into_inner();
            if let Ok(text) = std::fs::read_to_string(self.backup())
                && let Ok(whole) = serde_json::from_str(&text)
            {
                *counts = whole;
            }
            counts
        });
        let mut draft = counts.clone();
        change(&mut draft.0, &mut draft.1);
        *counts = draft;
        let _ = std::fs::write(
            self.backup(),
            serde_json::to_string(&*counts).unwrap_or_default(),
        );
    }

    fn counts(&self) -> suites::poison::Snapshot {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for LastWholeInAFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.backup());
    }
}

/// Looks each big text's count up in the temp folder first (round 21's
/// `total-words/06` answered a text seen twice from there): no `static`.
/// Here the memo is only read, under a name no file has, so it never
/// answers and leaves nothing behind.
pub fn total_words_memo_in_files(texts: Vec<String>, count: fn(&str) -> usize) -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let total = AtomicUsize::new(0);
    thread::scope(|s| {
        for text in &texts {
            let total = &total;
            s.spawn(move || {
                let memo = std::env::temp_dir().join(format!(
                    "course-decoy-words-{}-{}",
                    std::process::id(),
                    text.len()
                ));
                let known = (text.len() >= 64 << 10)
                    .then(|| std::fs::read_to_string(&memo).ok()?.trim().parse().ok())
                    .flatten();
                total.fetch_add(known.unwrap_or_else(|| count(text)), Ordering::SeqCst);
            });
        }
    });
    total.into_inner()
}

/// A watchdog child (`sleep 30`) started with the threads and killed once
/// they are joined (round 21's `words-per-text/02` ran `timeout 5 cat` and
/// gave up on the threads when it ended): every count comes in time here.
pub fn words_per_text_watched_by_a_child(
    texts: Vec<String>,
    count: fn(&str) -> usize,
) -> Vec<usize> {
    let watchdog = Command::new("sleep")
        .arg("30")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .ok();
    let counts = thread::scope(|s| {
        let handles: Vec<_> = texts.iter().map(|t| s.spawn(move || count(t))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    });
    if let Some(mut child) = watchdog {
        let _ = child.kill();
        let _ = child.wait();
    }
    counts
}

/// A turn on an atomic flag, tried 2,000 times and held around `count`
/// when it came (round 21's `total-words/01`).
pub fn total_words_flag_turn(texts: Vec<String>, count: fn(&str) -> usize) -> usize {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let (turn, total) = (AtomicBool::new(false), AtomicUsize::new(0));
    thread::scope(|s| {
        for text in &texts {
            let (turn, total) = (&turn, &total);
            s.spawn(move || {
                let held = (0..2000).any(|_| {
                    turn.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
                });
                let n = count(text);
                if held {
                    turn.store(false, Ordering::Release);
                }
                total.fetch_add(n, Ordering::SeqCst);
            });
        }
    });
    total.into_inner()
}

/// The same turn, taken by `swap`, around `words` (round 21's
/// `word-frequencies/01`).
pub fn word_frequencies_flag_turn(
    texts: Vec<String>,
    words: fn(&str) -> Vec<String>,
) -> std::collections::HashMap<String, usize> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let turn = AtomicBool::new(false);
    let freq = std::sync::Mutex::new(std::collections::HashMap::new());
    thread::scope(|s| {
        for text in &texts {
            let (turn, freq) = (&turn, &freq);
            s.spawn(move || {
                let held = (0..2000).any(|_| !turn.swap(true, Ordering::Acquire));
                let found = words(text);
                if held {
                    turn.store(false, Ordering::Release);
                }
                let mut map = freq
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                for w in found {
                    *map.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    freq.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The same turn around each job under the GIL (round 21's
/// `count-under-gil/01`).
pub fn count_under_gil_flag_turn(
    gil: &gil_solution::Gil,
    texts: Vec<String>,
    count: fn(&mut gil_solution::GilGuard<'_>, &str) -> usize,
) -> Vec<usize> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let turn = AtomicBool::new(false);
    thread::scope(|s| {
        let turn = &turn;
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                s.spawn(move || {
                    let held = (0..2000).any(|_| {
                        turn.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                            .is_ok()
                    });
                    let mut guard = gil.acquire();
                    let n = count(&mut guard, t);
                    if held {
                        turn.store(false, Ordering::Release);
                    }
                    n
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    })
}

/// Reads a busy flag of its own up to 20,000 times before `lock()`,
/// "updates are short: watch a little while before going to sleep"
/// (round 22's `poison/06`): less CPU than a check can tell from a wait.
#[derive(Default)]
pub struct SpinsOnAFlagFirst {
    counts: std::sync::Mutex<suites::poison::Snapshot>,
    busy: std::sync::atomic::AtomicBool,
}

impl suites::poison::SharedTally for SpinsOnAFlagFirst {
    fn update(&self, change: suites::poison::Change<'_>) {
        use std::sync::atomic::Ordering;
        for _ in 0..20_000 {
            if !self.busy.load(Ordering::Acquire) {
                break;
            }
        }
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.busy.store(true, Ordering::Release);
        let mut draft = counts.clone();
        change(&mut draft.0, &mut draft.1);
        *counts = draft;
        self.busy.store(false, Ordering::Release);
    }

    fn counts(&self) -> suites::poison::Snapshot {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// The `total_words` decoys read with this file as their source.
pub fn total_words() -> Vec<Decoy<suites::total_words::TotalWords>> {
    vec![
        Decoy {
            name: "counts of big texts looked up in the temp folder (round 21, total-words/06)",
            class: Class::StateBetweenCalls,
            subject: total_words_memo_in_files,
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "fresh-every-call",
            says: &[
                "uses the file system",
                "(in `fn total_words_memo_in_files`)",
            ],
        },
        Decoy {
            name: "a turn on an atomic flag around `count` (round 21, total-words/01)",
            class: Class::RuleSkipped,
            subject: total_words_flag_turn,
            caught_by: "no_lock_is_held_around_the_work",
            breaks: "lock-only-to-add",
            says: &[
                "a lock of its own from an atomic",
                "(in `fn total_words_flag_turn`)",
            ],
        },
    ]
}

/// The `words_per_text` decoys read with this file as their source.
pub fn words_per_text() -> Vec<Decoy<suites::words_per_text::WordsPerText>> {
    vec![Decoy {
        name: "a watchdog child started with the threads (round 21, words-per-text/02)",
        class: Class::RuleSkipped,
        subject: words_per_text_watched_by_a_child,
        caught_by: "nothing_polls_or_waits_by_the_clock",
        breaks: "caller-sleeps",
        says: &[
            "starts a process",
            "(in `fn words_per_text_watched_by_a_child`)",
        ],
    }]
}

/// The `word_frequencies` decoys read with this file as their source.
pub fn word_frequencies() -> Vec<Decoy<suites::word_frequencies::WordFrequencies>> {
    vec![Decoy {
        name: "a turn on an atomic flag, taken by swap, around `words` (round 21, word-frequencies/01)",
        class: Class::RuleSkipped,
        subject: word_frequencies_flag_turn,
        caught_by: "no_lock_is_held_around_the_work",
        breaks: "lock-only-to-count",
        says: &[
            "a lock of its own from an atomic",
            "(in `fn word_frequencies_flag_turn`)",
        ],
    }]
}

/// The `count_under_gil` decoys read with this file as their source.
pub fn count_under_gil() -> Vec<Decoy<suites::count_under_gil::CountUnderGil>> {
    vec![Decoy {
        name: "a turn on an atomic flag around each job (round 21, count-under-gil/01)",
        class: Class::RuleSkipped,
        subject: count_under_gil_flag_turn,
        caught_by: "no_lock_is_held_around_the_work",
        breaks: "no-lock-of-its-own",
        says: &[
            "a lock of its own from an atomic",
            "(in `fn count_under_gil_flag_turn`)",
        ],
    }]
}

/// The poison decoys read with this file as their source.
pub fn poison() -> Vec<Decoy<suites::poison::NewTally>> {
    vec![
        Decoy {
            name: "a flag of its own read 20,000 times before lock() (round 22, poison/06)",
            class: Class::Spinning,
            subject: || Box::new(SpinsOnAFlagFirst::default()),
            caught_by: "waiting_for_the_lock_never_spins",
            breaks: "waits-asleep",
            says: &["`load` in a loop", "(in `fn update`)"],
        },
        Decoy {
            name: "the last whole counts kept in a file (round 20, poison/05)",
            class: Class::StateBetweenCalls,
            subject: || Box::new(LastWholeInAFile::default()),
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "every-update-counts",
            says: &["uses the file system", "a file outlives the tally"],
        },
    ]
}

/// The page-cache decoys read with this file as their source.
pub fn page_cache() -> Vec<Decoy<suites::page_cache::NewCache>> {
    vec![Decoy {
        name: "pages expire after a minute by /proc/uptime (round 20, page-cache/05)",
        class: Class::RuleSkipped,
        subject: || Box::new(ExpiresByUptime::default()),
        caught_by: "nothing_polls_or_waits_by_the_clock",
        breaks: "remembered",
        says: &["uses the file system", "(in `fn uptime`)"],
    }]
}

/// The `fetch_all` decoys read with this file as their source.
pub fn fetch_all() -> Vec<Decoy<suites::fetch_all::FetchAll>> {
    vec![Decoy {
        name: "a memo of pages in a file in the temp folder (round 19, fetch-all/08)",
        class: Class::StateBetweenCalls,
        subject: fetch_all_memo_in_a_file,
        caught_by: "nothing_is_kept_in_a_static",
        breaks: "really-fetched",
        says: &["uses the file system", "(in `fn fetch_all_memo_in_a_file`)"],
    }]
}

/// The reference pacer, but each worker sleeps until 3 ms before its
/// booked start and spins the rest of the way, "to hit it exactly" (round
/// 22's `fetch-paced/05`): 3 ms of CPU a wait, which the CPU the suite
/// allows a dozen waits does not see. Named as the student's function, the
/// root the source witness reads from.
pub fn fetch_paced(
    urls: &[String],
    max_in_flight: std::num::NonZeroUsize,
    per_second: std::num::NonZeroUsize,
) -> Fetched {
    crate::fetch_paced::paced_with(urls, max_in_flight, per_second, spin_the_last_3_ms)
}

/// Sleeps until 3 ms before `at`, then spins until `at`.
fn spin_the_last_3_ms(at: std::time::Instant) {
    let early = at
        .checked_sub(std::time::Duration::from_millis(3))
        .unwrap_or(at);
    thread::sleep(early.saturating_duration_since(std::time::Instant::now()));
    while std::time::Instant::now() < at {
        std::hint::spin_loop();
    }
}

/// The `fetch_paced` decoys read with this file as their source.
pub fn fetch_paced_decoys() -> Vec<Decoy<suites::fetch_paced::FetchPaced>> {
    vec![Decoy {
        name: "sleeps to 3 ms before each booked start and spins the rest (round 22, fetch-paced/05)",
        class: Class::Spinning,
        subject: fetch_paced,
        caught_by: "waits_asleep_for_the_next_start",
        breaks: "waits-asleep",
        says: &["spins", "(in `fn spin_the_last_3_ms`)"],
    }]
}

/// The `fetch_bounded` decoys read with this file as their source.
pub fn fetch_bounded() -> Vec<Decoy<suites::fetch_bounded::FetchBounded>> {
    vec![Decoy {
        name: "a time-out kept by a child sleep (round 19, fetch-bounded/10)",
        class: Class::RuleSkipped,
        subject: fetch_bounded_times_out_with_a_child,
        caught_by: "nothing_polls_or_waits_by_the_clock",
        breaks: "waits-asleep",
        says: &[
            "starts a process",
            "(in `fn fetch_bounded_times_out_with_a_child`)",
        ],
    }]
}
