//! Wrong solutions whose fault is seen in the source, not in what a call
//! does: a global (a `static` that the calls the suites make may never
//! reach), a lock only tried for a moment and held around the work when
//! it is free (no hold of the probe can show the turns it makes), or a
//! wait by the clock shorter, or slower, than any check watches. The suites
//! read the source of the crate under test ([`suites::pure::source`]); a
//! decoy runner hands them this file's, [`SOURCE`], which holds these
//! decoys and nothing else.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use harness::watched::Watched;
use suites::lock_order::Refusal;

/// This file, as the suites read a crate's `src/lib.rs`.
pub const SOURCE: &str = include_str!("globals.rs");

/// A `static` lock held by each call while it starts its threads (round
/// 10, `total-words/10`): two calls at once take turns at spawning.
pub fn total_words_spawn_lock(texts: Vec<String>, count: fn(&str) -> usize) -> usize {
    static SPAWNING: Mutex<()> = Mutex::new(());
    let total = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = {
        let _turn = SPAWNING.lock().unwrap_or_else(PoisonError::into_inner);
        texts
            .into_iter()
            .map(|text| {
                let total = Arc::clone(&total);
                thread::spawn(move || total.fetch_add(count(&text), Ordering::SeqCst))
            })
            .collect()
    };
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// A `static` memo of texts of 32 MiB or more (round 10,
/// `words-per-text/03`): no text the suite makes is that big, so the memo
/// never answers, but it is kept between calls.
pub fn words_per_text_memo_of_huge_texts(
    texts: Vec<String>,
    count: fn(&str) -> usize,
) -> Vec<usize> {
    static MEMO: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);
    const HUGE: usize = 32 << 20;
    thread::scope(|s| {
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                s.spawn(move || {
                    if t.len() >= HUGE {
                        let mut memo = MEMO.lock().unwrap_or_else(PoisonError::into_inner);
                        if let Some(&n) = memo.get_or_insert_with(HashMap::new).get(t) {
                            return n;
                        }
                    }
                    let n = count(t);
                    if t.len() >= HUGE {
                        let mut memo = MEMO.lock().unwrap_or_else(PoisonError::into_inner);
                        memo.get_or_insert_with(HashMap::new).insert(t.clone(), n);
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// A `static` lock held while the threads start (round 10,
/// `word-frequencies/08`).
pub fn word_frequencies_spawn_lock(
    texts: Vec<String>,
    words: fn(&str) -> Vec<String>,
) -> HashMap<String, usize> {
    static SPAWNING: Mutex<()> = Mutex::new(());
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        let turn = SPAWNING.lock().unwrap_or_else(PoisonError::into_inner);
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
        drop(turn);
    });
    freq.into_inner().unwrap()
}

/// A `static` lock held while the threads start (round 10,
/// `count-under-gil/07`).
pub fn count_under_gil_spawn_lock(
    gil: &gil_solution::Gil,
    texts: Vec<String>,
    count: fn(&mut gil_solution::GilGuard<'_>, &str) -> usize,
) -> Vec<usize> {
    static SPAWNING: Mutex<()> = Mutex::new(());
    thread::scope(|s| {
        let turn = SPAWNING.lock().unwrap_or_else(PoisonError::into_inner);
        let handles: Vec<_> = texts
            .iter()
            .map(|t| s.spawn(move || count(&mut gil.acquire(), t)))
            .collect();
        drop(turn);
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Takes the lower index first, until a million transfers have been made
/// in the process; then the higher (round 10, `lock-order/04`): a transfer
/// started just before the flip and one just after can deadlock.
pub fn lock_order_flips_after_a_million(
    a: &[Watched<i64>],
    from: usize,
    to: usize,
    amount: i64,
) -> Result<(), Refusal> {
    static TRANSFERS: AtomicUsize = AtomicUsize::new(0);
    if from == to {
        return Err(Refusal::SameAccount);
    }
    let flipped = TRANSFERS.fetch_add(1, Ordering::Relaxed) >= 1_000_000;
    let (first, second) = if (from < to) != flipped {
        (from, to)
    } else {
        (to, from)
    };
    let mut x = a[first].lock();
    let mut y = a[second].lock();
    let (source, target) = if first == from {
        (&mut *x, &mut *y)
    } else {
        (&mut *y, &mut *x)
    };
    if *source < amount {
        return Err(Refusal::Insufficient {
            balance: *source,
            amount,
        });
    }
    *source -= amount;
    *target += amount;
    Ok(())
}

/// Takes `turn` if it comes within `budget`, spinning; `None` after.
fn tried_for<T>(turn: &Mutex<T>, budget: Duration) -> Option<std::sync::MutexGuard<'_, T>> {
    let began = Instant::now();
    loop {
        match turn.try_lock() {
            Ok(g) => break Some(g),
            Err(_) if began.elapsed() > budget => break None,
            Err(_) => std::hint::spin_loop(),
        }
    }
}

/// A lock tried for 50 µs and held around `count` when it comes (round
/// 11, `total-words/04`): short counts take turns.
pub fn total_words_lock_tried_around_count(texts: Vec<String>, count: fn(&str) -> usize) -> usize {
    let turn = Mutex::new(());
    let total = AtomicUsize::new(0);
    thread::scope(|s| {
        for text in &texts {
            let (turn, total) = (&turn, &total);
            s.spawn(move || {
                let held = tried_for(turn, Duration::from_micros(50));
                let n = count(text);
                drop(held);
                total.fetch_add(n, Ordering::SeqCst);
            });
        }
    });
    total.into_inner()
}

/// The map locked for 50 µs at most before `words`, kept while it runs
/// when it came (round 11, `word-frequencies/05`).
pub fn word_frequencies_lock_tried_around_words(
    texts: Vec<String>,
    words: fn(&str) -> Vec<String>,
) -> HashMap<String, usize> {
    let freq = Mutex::new(HashMap::new());
    thread::scope(|s| {
        for text in &texts {
            let freq = &freq;
            s.spawn(move || {
                let held = tried_for(freq, Duration::from_micros(50));
                let found = words(text);
                let mut map =
                    held.unwrap_or_else(|| freq.lock().unwrap_or_else(PoisonError::into_inner));
                for w in found {
                    *map.entry(w).or_insert(0) += 1;
                }
            });
        }
    });
    freq.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// A lock of its own tried for 50 µs around each job (round 11,
/// `count-under-gil/03`).
pub fn count_under_gil_lock_tried_around_count(
    gil: &gil_solution::Gil,
    texts: Vec<String>,
    count: fn(&mut gil_solution::GilGuard<'_>, &str) -> usize,
) -> Vec<usize> {
    let turn = Mutex::new(());
    thread::scope(|s| {
        let turn = &turn;
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                s.spawn(move || {
                    let mut guard = gil.acquire();
                    let _held = tried_for(turn, Duration::from_micros(50));
                    count(&mut guard, t)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Spins up to 700 µs on `is_finished` before joining (round 11,
/// `total-words/07`): less CPU than the caller may use in all.
pub fn total_words_spins_briefly_on_is_finished(
    texts: Vec<String>,
    count: fn(&str) -> usize,
) -> usize {
    let handles: Vec<_> = texts
        .into_iter()
        .map(|t| thread::spawn(move || count(&t)))
        .collect();
    let began = Instant::now();
    while began.elapsed() < Duration::from_micros(700) && !handles.iter().all(|h| h.is_finished()) {
        std::hint::spin_loop();
    }
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

/// Checks a count of finished threads 20 000 times before joining (round
/// 17, `total-words/04`): no clock, no `spin_loop`, and a few tens of
/// microseconds of CPU, under any allowance a check of the caller's CPU
/// could set.
pub fn total_words_spins_on_a_count(texts: Vec<String>, count: fn(&str) -> usize) -> usize {
    let n = texts.len();
    let (done, total) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let handles: Vec<_> = texts
        .into_iter()
        .map(|t| {
            let (done, total) = (Arc::clone(&done), Arc::clone(&total));
            thread::spawn(move || {
                total.fetch_add(count(&t), Ordering::SeqCst);
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    let mut tries = 0;
    while done.load(Ordering::Acquire) < n && tries < 20_000 {
        tries += 1;
    }
    for h in handles {
        h.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

/// Gives up after 2 s (round 11, `words-per-text/09`): a text not counted
/// by then is reported as 0, and its thread runs on, detached.
pub fn words_per_text_gives_up_after_2_s(
    texts: Vec<String>,
    count: fn(&str) -> usize,
) -> Vec<usize> {
    let (done, results) = std::sync::mpsc::channel();
    let n = texts.len();
    for (i, t) in texts.into_iter().enumerate() {
        let done = done.clone();
        thread::spawn(move || {
            let _ = done.send((i, count(&t)));
        });
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut counts = vec![0; n];
    for _ in 0..n {
        match results.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok((i, c)) => counts[i] = c,
            Err(_) => break,
        }
    }
    counts
}

/// Polls with `yield_now` until every thread is done, then joins (a
/// `word-frequencies` caller that checks again and again, giving its core
/// away in between).
pub fn word_frequencies_yields_until_done(
    texts: Vec<String>,
    words: fn(&str) -> Vec<String>,
) -> HashMap<String, usize> {
    let handles: Vec<_> = texts
        .into_iter()
        .map(|t| thread::spawn(move || words(&t)))
        .collect();
    while !handles.iter().all(|h| h.is_finished()) {
        thread::yield_now();
    }
    let mut freq = HashMap::new();
    for h in handles {
        for w in h.join().unwrap() {
            *freq.entry(w).or_insert(0) += 1;
        }
    }
    freq
}

/// Waits on a `Condvar` 600 ms at a time, checking a count of finished
/// threads (round 11, `count-under-gil/04`): one wake-up in the 750 ms a
/// check watches.
pub fn count_under_gil_polls_every_600_ms(
    gil: &gil_solution::Gil,
    texts: Vec<String>,
    count: fn(&mut gil_solution::GilGuard<'_>, &str) -> usize,
) -> Vec<usize> {
    let finished = (Mutex::new(0usize), std::sync::Condvar::new());
    thread::scope(|s| {
        let finished = &finished;
        let handles: Vec<_> = texts
            .iter()
            .map(|t| {
                s.spawn(move || {
                    let n = count(&mut gil.acquire(), t);
                    *finished.0.lock().unwrap_or_else(PoisonError::into_inner) += 1;
                    finished.1.notify_all();
                    n
                })
            })
            .collect();
        let mut done = finished.0.lock().unwrap_or_else(PoisonError::into_inner);
        while *done < texts.len() {
            done = finished
                .1
                .wait_timeout(done, Duration::from_millis(600))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        drop(done);
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The results of a fetcher, as the threads chapter's suites take them.
type Fetched = Vec<Result<String, testweb::FetchError>>;

/// A job for a thread of [`fetch_all_pool_kept_in_a_static`]'s pool.
type Job = Box<dyn FnOnce() + Send>;

/// A pool of threads kept in a `static` for the next call, grown to the
/// largest call so far, one thread per URL (round 12, `fetch-all/04` and
/// `05`): every request is in flight at once, and after every call the
/// threads wait on for jobs that may never come.
pub fn fetch_all_pool_kept_in_a_static(urls: &[String]) -> Fetched {
    static POOL: Mutex<Vec<std::sync::mpsc::Sender<Job>>> = Mutex::new(Vec::new());
    let (done, results) = std::sync::mpsc::channel();
    {
        let mut pool = POOL.lock().unwrap_or_else(PoisonError::into_inner);
        while pool.len() < urls.len() {
            let (jobs, queue) = std::sync::mpsc::channel::<Job>();
            thread::spawn(move || queue.into_iter().for_each(|job| job()));
            pool.push(jobs);
        }
        for (i, (url, worker)) in urls.iter().zip(pool.iter()).enumerate() {
            let (url, done) = (url.clone(), done.clone());
            let job: Job = Box::new(move || drop(done.send((i, testweb::get(&url)))));
            worker.send(job).expect("the pool's threads never end");
        }
    }
    drop(done);
    let mut slots: Vec<_> = urls.iter().map(|_| None).collect();
    for (i, page) in results {
        slots[i] = Some(page);
    }
    slots
        .into_iter()
        .map(|page| page.expect("every URL answered"))
        .collect()
}

/// Gives up on the answers 3.6 s after the start, a time-out of its own
/// just under the time a call may take (round 12, `fetch-all/07`): the
/// late URLs become `Err`s and their threads are left running. The
/// slowest answer the suites make comes after 3 s.
pub fn fetch_all_gives_up_after_its_own_deadline(urls: &[String]) -> Fetched {
    let deadline = Instant::now() + Duration::from_millis(3_600);
    let (done, results) = std::sync::mpsc::channel();
    for (i, url) in urls.iter().enumerate() {
        let (url, done) = (url.clone(), done.clone());
        thread::spawn(move || drop(done.send((i, testweb::get(&url)))));
    }
    drop(done);
    let mut slots: Vec<_> = urls.iter().map(|_| None).collect();
    for _ in 0..urls.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok((i, page)) = results.recv_timeout(left) else {
            break;
        };
        slots[i] = Some(page);
    }
    slots
        .into_iter()
        .zip(urls)
        .map(|(page, url)| {
            page.unwrap_or_else(|| {
                Err(testweb::FetchError::Transport {
                    url: url.clone(),
                    reason: "timed out".to_owned(),
                })
            })
        })
        .collect()
}

/// Workers that leave their loop on a 100 ms time-out instead of on a
/// closed queue (round 12, `fetch-bounded/02`): the sender is kept until
/// the workers are joined, so every call ends with each worker waiting
/// 100 ms for jobs that never come.
pub fn fetch_bounded_workers_stop_on_a_time_out(
    urls: &[String],
    limit: std::num::NonZeroUsize,
) -> Fetched {
    let (jobs, queue) = crossbeam_channel::unbounded();
    for job in urls.iter().enumerate() {
        jobs.send(job).expect("the queue is open");
    }
    let slots = Mutex::new(vec![None; urls.len()]);
    thread::scope(|s| {
        for _ in 0..limit.get().min(urls.len()) {
            s.spawn(|| {
                while let Ok((i, url)) = queue.recv_timeout(Duration::from_millis(100)) {
                    let page = testweb::get(url);
                    slots.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(page);
                }
            });
        }
    });
    drop(jobs);
    slots
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|page| page.expect("every URL was fetched"))
        .collect()
}

/// A `static` set of the URLs that failed with no answer at all (nothing
/// listening, not a URL), answered from memory in later calls (round 12,
/// `fetch-bounded/13`): the server cannot see a request that never
/// reaches it, so no call shows it; the source does.
pub fn fetch_bounded_remembers_unreachable_urls(
    urls: &[String],
    limit: std::num::NonZeroUsize,
) -> Fetched {
    static UNREACHABLE: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let known = UNREACHABLE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let to_fetch: Vec<String> = urls
        .iter()
        .filter(|u| !known.contains(u))
        .cloned()
        .collect();
    let mut fetched = crate::fetch_bounded::pool(&to_fetch, limit).into_iter();
    urls.iter()
        .map(|url| {
            if known.contains(url) {
                return Err(testweb::FetchError::Transport {
                    url: url.clone(),
                    reason: "unreachable (remembered)".to_owned(),
                });
            }
            let page = fetched.next().expect("one result per URL fetched");
            if matches!(page, Err(testweb::FetchError::Transport { .. })) {
                UNREACHABLE
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(url.clone());
            }
            page
        })
        .collect()
}

/// [`fetch_bounded_remembers_unreachable_urls`] as `fetch_all` (round 15,
/// `fetch-all/09`, which kept the memo in a file).
pub fn fetch_all_remembers_unreachable_urls(urls: &[String]) -> Fetched {
    let all = std::num::NonZeroUsize::new(urls.len().max(1)).expect("at least one");
    fetch_bounded_remembers_unreachable_urls(urls, all)
}

/// A `static` count of calls, kept for a log line (round 12's pools and
/// memos, in `fetch-paced`): harmless to every answer, and still state that
/// one call leaves to the next.
pub fn fetch_paced_counts_calls_in_a_static(
    urls: &[String],
    k: std::num::NonZeroUsize,
    r: std::num::NonZeroUsize,
) -> Fetched {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let pages = crate::fetch_paced::right(urls, k, r);
    if call == usize::MAX {
        eprintln!("call {call}");
    }
    pages
}
