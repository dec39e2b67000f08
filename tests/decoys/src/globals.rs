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
