//! Wrong `fetch_paced`s: each keeps one limit and breaks the other, paces
//! too timidly, spins while it waits, or breaks a promise every fetcher
//! keeps.

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use testweb::FetchError;

use crate::fetch_all::{AnswerCache, from_cache, once_per_url};
use crate::{Class, Decoy};

type Results = Vec<Result<String, FetchError>>;

/// How a worker decides when its next request may start.
#[derive(Clone, Copy)]
enum Pace {
    /// One second after the request `per_second` places earlier (right).
    Window,
    /// Whenever a worker is free: the rate is ignored.
    Never,
    /// One request every 1 / `per_second` seconds, evenly spaced.
    Even,
    /// As [`Pace::Window`], but waiting in a loop on the clock.
    Spin,
    /// As [`Pace::Window`], but checking the clock every millisecond.
    Poll,
    /// As [`Pace::Window`], with a window of 950 ms, "the API's clock is
    /// never exactly ours" (round 22's `fetch-paced/01`).
    ShortWindow,
    /// At most `per_second` in each whole second counted from the call's
    /// start: windows that restart instead of sliding.
    WholeSeconds,
    /// One second after the request `per_second - 1` places earlier: one
    /// start a second too few (and an index out of bounds at 1).
    OffByOne,
    /// As [`Pace::Window`], but the record keeps when a start was asked
    /// for, not when it was given.
    AskedTime,
    /// As [`Pace::Window`], keeping every booking of the call and clearing
    /// the record once it holds more than 64 (round 12, `fetch-paced/02`).
    ClearedPast64,
    /// As [`Pace::Window`], but a request that fails gives its booking back
    /// (round 12, `fetch-paced/10`).
    FailuresGiveBack,
    /// Reads the next allowed start under the lock, lets go, sleeps, and
    /// books only once awake (round 12, `fetch-paced/08`): workers that look
    /// before any of them books all take the same place.
    CheckThenBook,
    /// As [`Pace::Window`], waiting for the booked start with this function.
    WaitWith(fn(Instant)),
}

/// A pool of `workers` threads sharing one list of URLs, paced as `pace`
/// says; the results in input order.
fn paced_pool(urls: &[String], workers: usize, per_second: usize, pace: Pace) -> Results {
    let booked: Mutex<VecDeque<Instant>> = Mutex::new(VecDeque::new());
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Result<String, FetchError>>>> =
        Mutex::new(urls.iter().map(|_| None).collect());
    let gap = Duration::from_secs(1) / u32::try_from(per_second).unwrap_or(u32::MAX);
    let began = Instant::now();
    let second = Duration::from_secs(1);
    let window = if matches!(pace, Pace::ShortWindow) {
        Duration::from_millis(950)
    } else {
        second
    };
    thread::scope(|s| {
        for _ in 0..workers.min(urls.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = urls.get(i) else { break };
                    let at = {
                        let mut b = booked.lock().unwrap_or_else(PoisonError::into_inner);
                        let now = Instant::now();
                        let at = match pace {
                            Pace::Never => now,
                            Pace::Even => b.back().map_or(now, |&last| now.max(last + gap)),
                            Pace::Window
                            | Pace::Spin
                            | Pace::Poll
                            | Pace::ShortWindow
                            | Pace::AskedTime
                            | Pace::ClearedPast64
                            | Pace::FailuresGiveBack
                            | Pace::CheckThenBook
                            | Pace::WaitWith(_)
                                if b.len() >= per_second =>
                            {
                                now.max(b[b.len() - per_second] + window)
                            }
                            Pace::Window
                            | Pace::Spin
                            | Pace::Poll
                            | Pace::ShortWindow
                            | Pace::AskedTime
                            | Pace::ClearedPast64
                            | Pace::FailuresGiveBack
                            | Pace::CheckThenBook
                            | Pace::WaitWith(_) => now,
                            Pace::OffByOne if b.len() + 1 >= per_second => {
                                now.max(b[b.len() + 1 - per_second] + second)
                            }
                            Pace::OffByOne => now,
                            Pace::WholeSeconds => {
                                let mut at = now;
                                loop {
                                    let window = (at - began).as_secs();
                                    let used = b
                                        .iter()
                                        .filter(|&&t| (t - began).as_secs() == window)
                                        .count();
                                    if used < per_second {
                                        break at;
                                    }
                                    at = began + second * (window as u32 + 1);
                                }
                            }
                        };
                        match pace {
                            Pace::CheckThenBook => {}
                            Pace::AskedTime => b.push_back(now),
                            _ => b.push_back(at),
                        }
                        if matches!(pace, Pace::ClearedPast64) && b.len() > 64 {
                            b.clear();
                        }
                        at
                    };
                    if let Pace::WaitWith(wait) = pace {
                        wait(at);
                    } else if let Pace::Spin = pace {
                        while Instant::now() < at {
                            std::hint::spin_loop();
                        }
                    } else if let Pace::Poll = pace {
                        while Instant::now() < at {
                            thread::sleep(Duration::from_millis(1));
                        }
                    } else {
                        thread::sleep(at.saturating_duration_since(Instant::now()));
                    }
                    if let Pace::CheckThenBook = pace {
                        booked
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push_back(Instant::now());
                    }
                    let page = testweb::get(url);
                    if matches!(pace, Pace::FailuresGiveBack) && page.is_err() {
                        let mut b = booked.lock().unwrap_or_else(PoisonError::into_inner);
                        if let Some(mine) = b.iter().position(|&t| t == at) {
                            b.remove(mine);
                        }
                    }
                    slots.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(page);
                }
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|r| r.expect("every index was fetched"))
        .collect()
}

/// Right: both limits, as fast as they allow.
pub(crate) fn right(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::Window)
}

/// Right, but each worker waits for its booked start with `wait` (the
/// source decoys' waits, [`crate::fetch_source`]).
pub(crate) fn paced_with(
    urls: &[String],
    k: NonZeroUsize,
    r: NonZeroUsize,
    wait: fn(Instant),
) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::WaitWith(wait))
}

/// A window of 950 ms (round 22's `fetch-paced/01`).
fn window_of_950_ms(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::ShortWindow)
}

/// Keeps every booking and clears the record past 64 (round 12,
/// `fetch-paced/02`).
fn cleared_past_64(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::ClearedPast64)
}

/// Failed requests give their booking back (round 12, `fetch-paced/10`).
fn failures_give_back(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::FailuresGiveBack)
}

/// Checks, unlocks, sleeps, then books (round 12, `fetch-paced/08`).
fn check_then_book(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::CheckThenBook)
}

/// No pacing at 50 a second or more, "as good as no limit" (round 12,
/// `fetch-paced/04`).
fn unpaced_at_high_rates(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    let pace = if r.get() >= 50 {
        Pace::Never
    } else {
        Pace::Window
    };
    paced_pool(urls, k.get(), r.get(), pace)
}

/// No pacing past 1,024 a second, as a record of at most 1,024 starts
/// never fills (round 22, `fetch-paced/04`).
fn unpaced_past_1024(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    let pace = if r.get() > 1_024 {
        Pace::Never
    } else {
        Pace::Window
    };
    paced_pool(urls, k.get(), r.get(), pace)
}

/// Workers capped at 16, four a core on a four-core machine (round 12,
/// `fetch-paced/06` capped at four a core): fewer in flight than both
/// limits allow. (A fixed cap, so that the decoy is as wrong on a machine
/// of many cores.)
fn four_workers_a_core(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get().min(16), r.get(), Pace::Window)
}

/// Workers capped at 32, "more only fight for the cores" (round 15's
/// `fetch-paced/03`): more than half of a high rate, fewer than it allows.
fn thirty_two_workers(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get().min(32), r.get(), Pace::Window)
}

/// Workers capped at 128, "threads cost memory" (round 22's
/// `fetch-paced/02`): past any high rate the other checks draw, fewer than
/// a thousand in flight allows.
fn workers_capped_at_128(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get().min(128), r.get(), Pace::Window)
}

/// `max_in_flight` workers and no pacing: the rate is never looked at.
fn no_pacing(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::Never)
}

/// Paced starts, one thread per URL: `max_in_flight` is never looked at.
fn thread_per_url(urls: &[String], _k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, urls.len(), r.get(), Pace::Window)
}

/// Starts evenly spaced, 1 / per_second apart: within both limits, and far
/// slower than they allow when a second's worth may start at once.
fn evenly_spaced(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::Even)
}

/// Right pacing, waited for in a loop on the clock.
fn spins_until_allowed(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::Spin)
}

/// One request at a time, on a thread of its own: both limits hold, and
/// every latency is waited out in turn.
fn one_at_a_time(urls: &[String], _k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, 1, r.get(), Pace::Window)
}

/// "A few URLs cannot hurt": eight or fewer are all fetched at once.
fn few_urls_all_at_once(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    if urls.len() <= 8 {
        paced_pool(urls, urls.len(), urls.len().max(1), Pace::Never)
    } else {
        right(urls, k, r)
    }
}

/// Results in the order they arrived (the rate is not reached by the
/// check that catches it, so it does not pace).
fn arrival_order(urls: &[String], k: NonZeroUsize, _r: NonZeroUsize) -> Results {
    let arrived = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..k.get().min(urls.len()) {
            s.spawn(|| {
                while let Some(url) = urls.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let page = testweb::get(url);
                    arrived
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(page);
                }
            });
        }
    });
    arrived.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// Unwraps every answer: a failing URL panics a worker.
fn unwraps(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::Window)
        .into_iter()
        .map(|page| Ok(page.unwrap()))
        .collect()
}

/// Reads the first URL to size its pool: an empty list panics.
fn reads_the_first_url(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    let _first_host = urls[0].split('/').nth(2).unwrap_or_default().to_owned();
    right(urls, k, r)
}

/// Keeps every answer in a `static` and fetches only what is new.
fn cached(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    static CACHE: AnswerCache = Mutex::new(None);
    from_cache(&CACHE, urls, |missing| right(missing, k, r))
}

/// Right, then leaves a thread that "keeps the pacer warm" for 300 ms.
fn pacer_lingers(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    let results = right(urls, k, r);
    thread::spawn(|| thread::sleep(Duration::from_millis(300)));
    results
}

/// Windows of whole seconds, counted from the call's start.
fn whole_seconds(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::WholeSeconds)
}

/// One start a second too few.
fn off_by_one(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::OffByOne)
}

/// Records when each start was asked for, not when it was given.
fn records_asked_time(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::AskedTime)
}

/// Right pacing, waited for by checking the clock every millisecond.
fn polls_every_millisecond(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get(), r.get(), Pace::Poll)
}

/// "One at a time needs no pacer": with max_in_flight 1, one worker
/// fetches the URLs back to back.
fn one_in_flight_unpaced(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    if k.get() == 1 {
        paced_pool(urls, 1, r.get(), Pace::Never)
    } else {
        right(urls, k, r)
    }
}

/// Never more workers than may start in one second: with answers slower
/// than a second, fewer requests in flight than allowed.
fn workers_capped_by_the_rate(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    paced_pool(urls, k.get().min(r.get()), r.get(), Pace::Window)
}

/// Detached workers that book their next start before they look for a URL,
/// and a call that returns once every answer is in: a worker whose booked
/// start comes after the last URL sleeps on after the call returned.
fn books_then_looks(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    use std::sync::Arc;
    use std::sync::mpsc;
    let per_second = r.get();
    let urls: Arc<Vec<String>> = Arc::new(urls.to_vec());
    let booked = Arc::new(Mutex::new(VecDeque::<Instant>::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let (done, answers) = mpsc::channel();
    for _ in 0..k.get().min(urls.len()) {
        let (urls, booked, next, done) = (urls.clone(), booked.clone(), next.clone(), done.clone());
        thread::spawn(move || {
            loop {
                let at = {
                    let mut b = booked.lock().unwrap_or_else(PoisonError::into_inner);
                    let now = Instant::now();
                    let at = if b.len() >= per_second {
                        now.max(b[b.len() - per_second] + Duration::from_secs(1))
                    } else {
                        now
                    };
                    b.push_back(at);
                    at
                };
                thread::sleep(at.saturating_duration_since(Instant::now()));
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(url) = urls.get(i) else { break };
                if done.send((i, testweb::get(url))).is_err() {
                    break;
                }
            }
        });
    }
    drop(done);
    let mut results: Vec<Option<Result<String, FetchError>>> = urls.iter().map(|_| None).collect();
    for _ in 0..urls.len() {
        let Ok((i, page)) = answers.recv() else { break };
        results[i] = Some(page);
    }
    results
        .into_iter()
        .map(|r| r.expect("every index was fetched"))
        .collect()
}

/// A URL listed twice is fetched once, its answer copied.
fn repeated_url_fetched_once(urls: &[String], k: NonZeroUsize, r: NonZeroUsize) -> Results {
    once_per_url(urls, |distinct| right(distinct, k, r))
}

/// The corpus for `fetch_paced`.
pub fn corpus() -> Vec<Decoy<suites::fetch_paced::FetchPaced>> {
    vec![
        Decoy {
            name: "a URL listed twice is fetched once (round 15, fetch-paced/08)",
            class: Class::MadeUp,
            subject: repeated_url_fetched_once,
            caught_by: "results_are_fresh_every_call",
            breaks: "really-fetched",
            says: &["listed 2 time(s)", "each listing is a request of its own"],
        },
        Decoy {
            name: "keeps every booking, clears the record past 64 (round 12, fetch-paced/02)",
            class: Class::RuleSkipped,
            subject: cleared_past_64,
            caught_by: "stays_within_both_limits",
            breaks: "rate-limit",
            says: &["[within both limits]", "more than per_second"],
        },
        Decoy {
            name: "failed requests give their booking back (round 12, fetch-paced/10)",
            class: Class::RuleSkipped,
            subject: failures_give_back,
            caught_by: "stays_within_both_limits",
            breaks: "rate-limit",
            says: &["[within both limits]", "more than per_second"],
        },
        Decoy {
            name: "checks, unlocks, sleeps, then books (round 12, fetch-paced/08)",
            class: Class::RuleSkipped,
            subject: check_then_book,
            caught_by: "waits_asleep_for_the_next_start",
            breaks: "rate-limit",
            says: &["[within both limits]", "more than per_second = 4"],
        },
        Decoy {
            name: "no pacing at 50 a second or more (round 12, fetch-paced/04)",
            class: Class::RuleSkipped,
            subject: unpaced_at_high_rates,
            caught_by: "stays_within_both_limits",
            breaks: "rate-limit",
            says: &["[within both limits]", "more than per_second"],
        },
        Decoy {
            name: "no pacing past 1,024 a second (round 22, fetch-paced/04)",
            class: Class::RuleSkipped,
            subject: unpaced_past_1024,
            caught_by: "stays_within_both_limits",
            breaks: "rate-limit",
            says: &["calls begin within 900 ms", "however high it is"],
        },
        Decoy {
            name: "a window of 950 ms (round 22, fetch-paced/01)",
            class: Class::RuleSkipped,
            subject: window_of_950_ms,
            caught_by: "stays_within_both_limits",
            breaks: "rate-limit",
            says: &["a median 95", "The window is a whole second"],
        },
        Decoy {
            name: "workers capped at 32 (round 15, fetch-paced/03)",
            class: Class::Batched,
            subject: thirty_two_workers,
            caught_by: "stays_within_both_limits",
            breaks: "as-fast-as-allowed",
            says: &["[within both limits]", "something caps the workers"],
        },
        Decoy {
            name: "workers capped at 128 (round 22, fetch-paced/02)",
            class: Class::Batched,
            subject: workers_capped_at_128,
            caught_by: "stays_within_both_limits",
            breaks: "as-fast-as-allowed",
            says: &[
                "URLs that the course's `get` answers itself",
                "something caps the workers",
            ],
        },
        Decoy {
            name: "workers capped at 16, four a core on four cores (round 12, fetch-paced/06)",
            class: Class::Batched,
            subject: four_workers_a_core,
            caught_by: "stays_within_both_limits",
            breaks: "as-fast-as-allowed",
            says: &["[within both limits]", "something caps the workers"],
        },
        Decoy {
            name: "a static count of calls (round 12: pools and memos in statics)",
            class: Class::StateBetweenCalls,
            subject: crate::globals::fetch_paced_counts_calls_in_a_static,
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "really-fetched",
            says: &[
                "keeps something in a global",
                "a count of calls",
                "(in `fn fetch_paced_counts_calls_in_a_static`)",
            ],
        },
        Decoy {
            name: "max_in_flight workers, no pacing",
            class: Class::RuleSkipped,
            subject: no_pacing,
            caught_by: "stays_within_both_limits",
            breaks: "rate-limit",
            says: &["more than per_second"],
        },
        Decoy {
            name: "paced starts, one thread per URL",
            class: Class::RuleSkipped,
            subject: thread_per_url,
            caught_by: "stays_within_both_limits",
            breaks: "in-flight-limit",
            says: &["more than max_in_flight"],
        },
        Decoy {
            name: "eight URLs or fewer all at once",
            class: Class::RuleSkipped,
            subject: few_urls_all_at_once,
            caught_by: "stays_within_both_limits",
            breaks: "rate-limit",
            says: &["8 URLs, max_in_flight = 2, per_second = 4"],
        },
        Decoy {
            name: "starts evenly spaced, 1 / per_second apart",
            class: Class::Batched,
            subject: evenly_spaced,
            caught_by: "as_fast_as_the_limits_allow",
            breaks: "as-fast-as-allowed",
            says: &["the rate binds", "not one every 1/per_second"],
        },
        Decoy {
            name: "one request at a time",
            class: Class::Sequential,
            subject: one_at_a_time,
            caught_by: "as_fast_as_the_limits_allow",
            breaks: "as-fast-as-allowed",
            says: &["never saw two of them at once", "one after another"],
        },
        Decoy {
            name: "spins until the next start is allowed",
            class: Class::Spinning,
            subject: spins_until_allowed,
            caught_by: "waits_asleep_for_the_next_start",
            breaks: "waits-asleep",
            says: &["of CPU", "checking the clock"],
        },
        Decoy {
            name: "checks the clock every millisecond until the next start",
            class: Class::Spinning,
            subject: polls_every_millisecond,
            caught_by: "waits_asleep_for_the_next_start",
            breaks: "waits-asleep",
            says: &["wake-ups", "however long the pause between checks"],
        },
        Decoy {
            name: "windows of whole seconds, not a sliding one",
            class: Class::RuleSkipped,
            subject: whole_seconds,
            caught_by: "stays_within_both_limits",
            breaks: "rate-limit",
            says: &["a window that slides with every request"],
        },
        Decoy {
            name: "one start a second too few",
            class: Class::Sequential,
            subject: off_by_one,
            caught_by: "as_fast_as_the_limits_allow",
            breaks: "as-fast-as-allowed",
            says: &["the limits allow"],
        },
        Decoy {
            name: "records when a start was asked for, not when it was given",
            class: Class::RuleSkipped,
            subject: records_asked_time,
            caught_by: "waits_asleep_for_the_next_start",
            breaks: "rate-limit",
            says: &["more than per_second"],
        },
        Decoy {
            name: "max_in_flight 1 fetched back to back, unpaced",
            class: Class::RuleSkipped,
            subject: one_in_flight_unpaced,
            caught_by: "as_fast_as_the_limits_allow",
            breaks: "rate-limit",
            says: &["more than per_second", "one included"],
        },
        Decoy {
            name: "no more workers than per_second",
            class: Class::Sequential,
            subject: workers_capped_by_the_rate,
            caught_by: "as_fast_as_the_limits_allow",
            breaks: "as-fast-as-allowed",
            says: &["however few may start in one second"],
        },
        Decoy {
            name: "detached workers that book a start before looking for a URL",
            class: Class::RuleSkipped,
            subject: books_then_looks,
            caught_by: "nothing_is_left_running",
            breaks: "nothing-left-running",
            says: &["also where the rate binds"],
        },
        Decoy {
            name: "results in the order they arrived",
            class: Class::RuleSkipped,
            subject: arrival_order,
            caught_by: "results_come_back_in_input_order",
            breaks: "input-order",
            says: &["result i must belong to urls[i]"],
        },
        Decoy {
            name: "unwraps every answer",
            class: Class::Panics,
            subject: unwraps,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &["panicked", "never a panic"],
        },
        Decoy {
            name: "reads the first URL before anything else",
            class: Class::Panics,
            subject: reads_the_first_url,
            caught_by: "no_urls_no_results",
            breaks: "empty-input",
            says: &["with no URLs", "empty list"],
        },
        Decoy {
            name: "keeps answers in a static cache",
            class: Class::StateBetweenCalls,
            subject: cached,
            caught_by: "results_are_fresh_every_call",
            breaks: "really-fetched",
            says: &["served in an earlier call"],
        },
        Decoy {
            name: "leaves a thread behind after returning",
            class: Class::RuleSkipped,
            subject: pacer_lingers,
            caught_by: "nothing_is_left_running",
            breaks: "nothing-left-running",
            says: &["nothing left running"],
        },
    ]
}
