//! Wrong `fetch_bounded`s.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use testweb::FetchError;

use crate::fetch_all::{
    AnswerCache, from_cache, guess, guess_like, once_per_url,
    remembers_failures as fetch_all_remembering_failures,
};
use crate::{Class, Decoy};

type Results = Vec<Result<String, FetchError>>;

/// A correct pool: `limit` workers sharing one queue of `(index, url)`.
pub(crate) fn pool(urls: &[String], limit: NonZeroUsize) -> Results {
    pool_into_slots(urls, limit, |i| i)
        .into_iter()
        .map(|r| r.expect("every index was fetched"))
        .collect()
}

/// K workers on one shared queue of jobs, each answer stored in the slot
/// `slot` names for its job's index (the index itself, for a right pool):
/// the slots, `None` where no answer came.
fn pool_into_slots(
    urls: &[String],
    limit: NonZeroUsize,
    slot: fn(usize) -> usize,
) -> Vec<Option<Result<String, FetchError>>> {
    let (jobs, queue) = crossbeam_channel::unbounded();
    for job in urls.iter().enumerate() {
        jobs.send(job).expect("the queue is open");
    }
    drop(jobs);
    let slots = Mutex::new(vec![None; urls.len()]);
    thread::scope(|s| {
        for _ in 0..limit.get().min(urls.len()) {
            s.spawn(|| {
                for (i, url) in queue.clone() {
                    let page = testweb::get(url);
                    slots.lock().expect("no panic")[slot(i)] = Some(page);
                }
            });
        }
    });
    slots.into_inner().expect("no panic")
}

/// The reference pool with each job's index sent as a `u16` (round 22,
/// `fetch-bounded/01`): past 65,536 entries, answers land in the wrong
/// slots.
fn index_in_u16(urls: &[String], limit: NonZeroUsize) -> Results {
    pool_into_slots(urls, limit, |i| usize::from(i as u16))
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(FetchError::Transport {
                    url: String::new(),
                    reason: "lost".to_owned(),
                })
            })
        })
        .collect()
}

/// The reference pool, with room for `max_in_flight` handles made up
/// front (round 22, `fetch-bounded/06`): "capacity overflow" at the
/// largest limits.
fn handles_reserved_for_the_limit(urls: &[String], limit: NonZeroUsize) -> Results {
    let handles: Vec<thread::JoinHandle<()>> = Vec::with_capacity(limit.get());
    drop(handles);
    pool(urls, limit)
}

/// A correct pool whose workers, once the queue is empty, linger 300 ms
/// "in case more work comes" on threads nobody joins.
fn workers_linger(urls: &[String], limit: NonZeroUsize) -> Results {
    let results = pool(urls, limit);
    for _ in 0..limit.get().min(urls.len()) {
        thread::spawn(|| thread::sleep(std::time::Duration::from_millis(300)));
    }
    results
}

/// A correct pool, but the caller waits for the results by polling a
/// counter with a 1 ms sleep instead of joining.
fn polls_for_the_results(urls: &[String], limit: NonZeroUsize) -> Results {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (jobs, queue) = crossbeam_channel::unbounded();
    for job in urls.iter().enumerate() {
        jobs.send(job).expect("the queue is open");
    }
    drop(jobs);
    let slots = Mutex::new(vec![None; urls.len()]);
    let done = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..limit.get().min(urls.len()) {
            s.spawn(|| {
                for (i, url) in queue.clone() {
                    let page = testweb::get(url);
                    slots.lock().expect("no panic")[i] = Some(page);
                    done.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        while done.load(Ordering::SeqCst) < urls.len() {
            thread::sleep(std::time::Duration::from_millis(1));
        }
    });
    slots
        .into_inner()
        .expect("no panic")
        .into_iter()
        .map(|r| r.expect("every index was fetched"))
        .collect()
}

/// Always at least two workers ("one is not a pool"): with a limit of one,
/// two requests are in flight.
fn at_least_two_workers(urls: &[String], limit: NonZeroUsize) -> Results {
    pool(urls, limit.max(NonZeroUsize::new(2).expect("2 is not 0")))
}

/// Shares the URLs among the workers by dividing by the number of URLs
/// first: with no URLs, a division by zero.
fn divides_by_the_count(urls: &[String], limit: NonZeroUsize) -> Results {
    let per_worker = limit.get().div_ceil(urls.len());
    let _ = per_worker;
    pool(urls, limit)
}

/// A plain loop on one thread of its own: the limit is respected by never
/// overlapping at all.
fn one_by_one(urls: &[String], _limit: NonZeroUsize) -> Results {
    // On one thread of its own: one worker, whatever the limit.
    std::thread::scope(|s| {
        s.spawn(|| urls.iter().map(|url| testweb::get(url)).collect())
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Sends no request at all.
fn made_up(urls: &[String], _limit: NonZeroUsize) -> Results {
    urls.iter().map(|url| guess(url)).collect()
}

/// Fetches the first `limit` URLs (one batch) and guesses the rest.
fn first_k_then_guess(urls: &[String], limit: NonZeroUsize) -> Results {
    let split = urls.len().min(limit.get());
    let mut results = pool(&urls[..split], limit);
    let first = results
        .first()
        .and_then(|r| r.clone().ok())
        .unwrap_or_default();
    results.extend(urls[split..].iter().map(|url| guess_like(&first, url)));
    results
}

/// Remembers every answer in a `static` and fetches only what is new.
fn cached(urls: &[String], limit: NonZeroUsize) -> Results {
    static CACHE: AnswerCache = Mutex::new(None);
    from_cache(&CACHE, urls, |missing| pool(missing, limit))
}

/// Spawns `limit` threads, joins them all, then the next batch: never more
/// than `limit` in flight, but every batch waits for its slowest request.
fn batches(urls: &[String], limit: NonZeroUsize) -> Results {
    urls.chunks(limit.get())
        .flat_map(|batch| {
            thread::scope(|s| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|url| s.spawn(move || testweb::get(url)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("no panic"))
                    .collect::<Vec<_>>()
            })
        })
        .collect()
}

/// A pool up to 1,000 URLs, and past that the list in batches of `limit`,
/// each started and joined together, "a list that long is a bulk job"
/// (round 22's `fetch-bounded/03`).
fn batches_past_1000(urls: &[String], limit: NonZeroUsize) -> Results {
    if urls.len() > 1000 {
        batches(urls, limit)
    } else {
        pool(urls, limit)
    }
}

/// Worker `w` fetches URLs `w`, `w + limit`, `w + 2 × limit`, ...: fixed
/// shares, so a worker with slow URLs holds up its share while the others
/// idle.
fn fixed_shares(urls: &[String], limit: NonZeroUsize) -> Results {
    let k = limit.get().min(urls.len()).max(1);
    let mut results: Vec<Option<Result<String, FetchError>>> = vec![None; urls.len()];
    thread::scope(|s| {
        let handles: Vec<_> = (0..k)
            .map(|w| {
                s.spawn(move || {
                    (w..urls.len())
                        .step_by(k)
                        .map(|i| (i, testweb::get(&urls[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, r) in h.join().expect("no panic") {
                results[i] = Some(r);
            }
        }
    });
    results.into_iter().map(|r| r.expect("fetched")).collect()
}

/// One thread per URL: the limit is ignored.
fn unbounded(urls: &[String], _limit: NonZeroUsize) -> Results {
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| s.spawn(move || testweb::get(url)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}

/// Workers lock the shared results before fetching and hold the lock
/// through the request: only one request is ever in flight.
fn holds_the_lock_while_fetching(urls: &[String], limit: NonZeroUsize) -> Results {
    let next = AtomicUsize::new(0);
    let slots = Mutex::new(vec![None; urls.len()]);
    thread::scope(|s| {
        for _ in 0..limit.get().min(urls.len()) {
            s.spawn(|| {
                loop {
                    let mut slots = slots.lock().expect("no panic");
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(url) = urls.get(i) else { break };
                    slots[i] = Some(testweb::get(url));
                }
            });
        }
    });
    slots
        .into_inner()
        .expect("no panic")
        .into_iter()
        .map(|r| r.expect("fetched"))
        .collect()
}

/// A correct pool, but a helper thread polls a counter in a busy loop to
/// know when the work is done: a core burns for nothing.
fn spins_while_waiting(urls: &[String], limit: NonZeroUsize) -> Results {
    let done = Arc::new(AtomicUsize::new(0));
    let (jobs, queue) = crossbeam_channel::unbounded();
    for job in urls.iter().enumerate() {
        jobs.send(job).expect("the queue is open");
    }
    drop(jobs);
    let slots = Mutex::new(vec![None; urls.len()]);
    thread::scope(|s| {
        for _ in 0..limit.get().min(urls.len()) {
            s.spawn(|| {
                for (i, url) in queue.clone() {
                    let page = testweb::get(url);
                    slots.lock().expect("no panic")[i] = Some(page);
                    done.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        s.spawn(|| {
            while done.load(Ordering::SeqCst) < urls.len() {
                std::hint::spin_loop();
            }
        });
    });
    slots
        .into_inner()
        .expect("no panic")
        .into_iter()
        .map(|r| r.expect("fetched"))
        .collect()
}

/// A pool whose workers unwrap every answer.
fn unwraps(urls: &[String], limit: NonZeroUsize) -> Results {
    let (jobs, queue) = crossbeam_channel::unbounded();
    for job in urls.iter().enumerate() {
        jobs.send(job).expect("the queue is open");
    }
    drop(jobs);
    let slots = Mutex::new(vec![String::new(); urls.len()]);
    thread::scope(|s| {
        for _ in 0..limit.get().min(urls.len()) {
            s.spawn(|| {
                for (i, url) in queue.clone() {
                    let page = testweb::get(url).unwrap();
                    slots.lock().unwrap()[i] = page;
                }
            });
        }
    });
    slots.into_inner().unwrap().into_iter().map(Ok).collect()
}

/// A pool that forgets to drop the sender: the workers wait for more jobs
/// forever, and so does the join.
fn never_closes_the_queue(urls: &[String], limit: NonZeroUsize) -> Results {
    let (jobs, queue) = crossbeam_channel::unbounded();
    for job in urls.iter().cloned().enumerate() {
        jobs.send(job).expect("the queue is open");
    }
    let slots = Arc::new(Mutex::new(vec![None; urls.len()]));
    let workers: Vec<_> = (0..limit.get().min(urls.len()))
        .map(|_| {
            let (queue, slots) = (queue.clone(), Arc::clone(&slots));
            thread::spawn(move || {
                for (i, url) in queue {
                    let page = testweb::get(&url);
                    slots.lock().expect("no panic")[i] = Some(page);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("no panic");
    }
    drop(jobs);
    let slots = slots.lock().expect("no panic").clone();
    slots.into_iter().map(|r| r.expect("fetched")).collect()
}

/// The deadlocking decoy. It abandons threads, so it is kept out of
/// [`corpus`] and runs in its own test binary (`tests/stuck.rs`).
pub fn stuck() -> Decoy<suites::fetch_bounded::FetchBounded> {
    Decoy {
        name: "never closes the queue",
        class: Class::Stuck,
        subject: never_closes_the_queue,
        caught_by: "results_come_back_in_input_order",
        breaks: "workers-stop",
        says: &["did not finish within", "a sender is still alive"],
    }
}

/// One thread per URL, limited by a counting semaphore: N threads, not K
/// workers.
fn thread_per_url_semaphore(urls: &[String], limit: NonZeroUsize) -> Results {
    let permits = Mutex::new(limit.get());
    let freed = std::sync::Condvar::new();
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| {
                let (permits, freed) = (&permits, &freed);
                s.spawn(move || {
                    let mut p = freed
                        .wait_while(permits.lock().expect("no panic"), |p| *p == 0)
                        .expect("no panic");
                    *p -= 1;
                    drop(p);
                    let page = testweb::get(url);
                    *permits.lock().expect("no panic") += 1;
                    freed.notify_one();
                    page
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}

/// Ignores the limit when there are more than sixteen URLs.
fn unbounded_above_sixteen(urls: &[String], limit: NonZeroUsize) -> Results {
    if urls.len() > 16 {
        unbounded(urls, limit)
    } else {
        pool(urls, limit)
    }
}

/// One request after another when there are fewer than ten URLs.
fn sequential_below_ten(urls: &[String], limit: NonZeroUsize) -> Results {
    if urls.len() < 10 {
        one_by_one(urls, limit)
    } else {
        pool(urls, limit)
    }
}

/// Starts K workers even when there are fewer URLs; an idle worker
/// lingers 20 ms, as one on `recv_timeout` would.
fn k_workers_even_above_n(urls: &[String], limit: NonZeroUsize) -> Results {
    all_k_workers(urls, limit, std::time::Duration::from_millis(20))
}

/// Starts K workers even when there are fewer URLs; those that find the
/// queue empty end at once (round 15, `fetch-bounded/04`).
fn k_workers_the_idle_end_at_once(urls: &[String], limit: NonZeroUsize) -> Results {
    all_k_workers(urls, limit, std::time::Duration::ZERO)
}

/// K workers whatever N, each waiting `idle` once the queue is empty.
fn all_k_workers(urls: &[String], limit: NonZeroUsize, idle: std::time::Duration) -> Results {
    let (jobs, queue) = crossbeam_channel::unbounded();
    for job in urls.iter().enumerate() {
        jobs.send(job).expect("the queue is open");
    }
    drop(jobs);
    let slots = Mutex::new(vec![None; urls.len()]);
    thread::scope(|s| {
        for _ in 0..limit.get() {
            s.spawn(|| {
                for (i, url) in queue.clone() {
                    let page = testweb::get(url);
                    slots.lock().expect("no panic")[i] = Some(page);
                }
                thread::sleep(idle);
            });
        }
    });
    slots
        .into_inner()
        .expect("no panic")
        .into_iter()
        .map(|r| r.expect("every index was fetched"))
        .collect()
}

/// Asserts that there are at least as many URLs as workers.
/// With `max_in_flight = 1`, fetches one by one on the calling thread ("one
/// worker is just a loop").
fn one_worker_is_the_caller(urls: &[String], limit: NonZeroUsize) -> Results {
    if limit.get() == 1 {
        urls.iter().map(|url| testweb::get(url)).collect()
    } else {
        pool(urls, limit)
    }
}

fn k_over_n_panics(urls: &[String], limit: NonZeroUsize) -> Results {
    assert!(limit.get() <= urls.len(), "more workers than URLs");
    pool(urls, limit)
}

/// As many workers as cores, when that is fewer than K.
fn cores_cap(urls: &[String], limit: NonZeroUsize) -> Results {
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let k = limit.get().min(cores.min(2));
    pool(urls, NonZeroUsize::new(k).expect("positive"))
}

/// At most 64 workers, whatever `max_in_flight` says ("more would be too
/// many threads").
fn caps_at_64_workers(urls: &[String], limit: NonZeroUsize) -> Results {
    pool(urls, limit.min(NonZeroUsize::new(64).expect("64 is not 0")))
}

/// At most 100 workers (round 15, `fetch-bounded/01`).
fn caps_at_100_workers(urls: &[String], limit: NonZeroUsize) -> Results {
    pool(
        urls,
        limit.min(NonZeroUsize::new(100).expect("100 is not 0")),
    )
}

/// At most 256 workers, "nobody needs more connections" (round 19,
/// `fetch-bounded/01`).
fn caps_at_256_workers(urls: &[String], limit: NonZeroUsize) -> Results {
    pool(
        urls,
        limit.min(NonZeroUsize::new(256).expect("256 is not 0")),
    )
}

/// One worker even for an empty list (round 19, `fetch-bounded/07`):
/// `min(K, N).max(1)`.
fn a_worker_for_no_urls(urls: &[String], limit: NonZeroUsize) -> Results {
    if urls.is_empty() {
        thread::scope(|s| drop(s.spawn(|| ())));
        return Results::new();
    }
    pool(urls, limit)
}

/// Past 64 URLs, K contiguous shares fixed up front, each worker fetching
/// only its own (round 19, `fetch-bounded/04`).
fn contiguous_shares_past_64(urls: &[String], limit: NonZeroUsize) -> Results {
    if urls.len() <= 64 {
        return pool(urls, limit);
    }
    let k = limit.get().min(urls.len());
    let size = urls.len().div_ceil(k);
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .chunks(size)
            .map(|share| s.spawn(move || share.iter().map(|u| testweb::get(u)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("no panic"))
            .collect()
    })
}

/// From 64 URLs on, the URLs dealt out like cards: URL i to worker i % K,
/// each worker fetching only its own (round 22, `fetch-bounded/05`).
fn shares_dealt_past_64(urls: &[String], limit: NonZeroUsize) -> Results {
    if urls.len() < 64 {
        return pool(urls, limit);
    }
    let k = limit.get().min(urls.len());
    let slots = Mutex::new(vec![None; urls.len()]);
    thread::scope(|s| {
        for w in 0..k {
            let slots = &slots;
            s.spawn(move || {
                for i in (w..urls.len()).step_by(k) {
                    let page = testweb::get(&urls[i]);
                    slots.lock().expect("no panic")[i] = Some(page);
                }
            });
        }
    });
    slots
        .into_inner()
        .expect("no panic")
        .into_iter()
        .map(|r| r.expect("every index was fetched"))
        .collect()
}

/// A URL that answers 429, 502 or 504 is asked again, "a gateway that fails
/// is often back at once" (round 22, `fetch-bounded/07`).
fn retries_gateway_errors(urls: &[String], limit: NonZeroUsize) -> Results {
    asked_again(pool(urls, limit), urls, |s| matches!(s, 429 | 502 | 504))
}

/// A URL that answers 503 is asked again, "a polite retry" (round 19,
/// `fetch-bounded/09`).
fn retries_a_503(urls: &[String], limit: NonZeroUsize) -> Results {
    asked_again(pool(urls, limit), urls, |s| s == 503)
}

/// Asks again, once, every URL whose result is an error status that
/// `again` picks. (The grader's self-check copies this file into a
/// student's crate, where `crate::fetch_all`'s twin of it is not.)
fn asked_again(mut results: Results, urls: &[String], again: fn(u16) -> bool) -> Results {
    for (result, url) in results.iter_mut().zip(urls) {
        if matches!(result, Err(FetchError::Status { status, .. }) if again(*status)) {
            *result = testweb::get(url);
        }
    }
    results
}

/// A thread per URL, a new one started as soon as one reports back, so
/// never more than K alive (round 15, `fetch-bounded/02`): not K workers.
fn thread_per_url_k_alive(urls: &[String], limit: NonZeroUsize) -> Results {
    use std::sync::mpsc;
    let mut results: Vec<Option<Result<String, testweb::FetchError>>> =
        (0..urls.len()).map(|_| None).collect();
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        let mut next = 0;
        let mut alive = 0;
        while next < urls.len() || alive > 0 {
            while alive < limit.get() && next < urls.len() {
                let (tx, url, i) = (tx.clone(), &urls[next], next);
                s.spawn(move || {
                    let _ = tx.send((i, testweb::get(url)));
                });
                next += 1;
                alive += 1;
            }
            let (i, page) = rx.recv().expect("a thread reports");
            results[i] = Some(page);
            alive -= 1;
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every URL reported"))
        .collect()
}

/// A correct pool that remembers failed URLs between calls, as
/// `fetch_all`'s negative cache does.
fn remembers_failures(urls: &[String], _limit: NonZeroUsize) -> Results {
    fetch_all_remembering_failures(urls)
}

/// A URL listed twice is fetched once, its answer copied.
fn repeated_url_fetched_once(urls: &[String], limit: NonZeroUsize) -> Results {
    once_per_url(urls, |distinct| pool(distinct, limit))
}

/// The corpus for `fetch_bounded`.
pub fn corpus() -> Vec<Decoy<suites::fetch_bounded::FetchBounded>> {
    vec![
        Decoy {
            name: "a URL listed twice is fetched once (round 15, fetch-bounded/06)",
            class: Class::MadeUp,
            subject: repeated_url_fetched_once,
            caught_by: "results_are_fresh_every_call",
            breaks: "really-fetched",
            says: &["listed 2 time(s)", "each listing is a request of its own"],
        },
        Decoy {
            name: "workers that stop on a 100 ms time-out, not on a closed queue (round 12, fetch-bounded/02)",
            class: Class::RuleSkipped,
            subject: crate::globals::fetch_bounded_workers_stop_on_a_time_out,
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "workers-stop",
            says: &[
                "waits by the clock",
                "a queue that closes",
                "(in `fn fetch_bounded_workers_stop_on_a_time_out`)",
            ],
        },
        Decoy {
            name: "a static set of URLs that failed with no answer (round 12, fetch-bounded/13)",
            class: Class::StateBetweenCalls,
            subject: crate::globals::fetch_bounded_remembers_unreachable_urls,
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "really-fetched",
            says: &[
                "keeps something in a global",
                "a memo of the URLs that failed",
                "(in `fn fetch_bounded_remembers_unreachable_urls`)",
            ],
        },
        Decoy {
            name: "one worker is a loop on the calling thread",
            class: Class::Sequential,
            subject: one_worker_is_the_caller,
            caught_by: "one_worker_fetches_one_at_a_time",
            breaks: "k-workers",
            says: &[
                "on the thread that called it",
                "max_in_flight = 1",
                "worker threads",
            ],
        },
        Decoy {
            name: "caps the workers at 256 (round 19, fetch-bounded/01)",
            class: Class::RuleSkipped,
            subject: caps_at_256_workers,
            caught_by: "k_workers_whatever_n_and_k",
            breaks: "uses-the-limit",
            says: &["at most 256 of them alive at once", "the limit is used"],
        },
        Decoy {
            name: "one worker for an empty list (round 19, fetch-bounded/07)",
            class: Class::RuleSkipped,
            subject: a_worker_for_no_urls,
            caught_by: "no_urls_no_results",
            breaks: "empty-input",
            says: &[
                "started 1 thread(s)",
                "never more workers than there are URLs",
            ],
        },
        Decoy {
            name: "contiguous shares fixed up front past 64 URLs (round 19, fetch-bounded/04)",
            class: Class::Batched,
            subject: contiguous_shares_past_64,
            caught_by: "workers_refill_as_soon_as_free",
            breaks: "refill",
            says: &["fixed shares"],
        },
        Decoy {
            name: "shares dealt out like cards from 64 URLs on (round 22, fetch-bounded/05)",
            class: Class::Batched,
            subject: shares_dealt_past_64,
            caught_by: "workers_refill_as_soon_as_free",
            breaks: "refill",
            says: &["fixed shares"],
        },
        Decoy {
            name: "a 429, 502 or 504 asked again (round 22, fetch-bounded/07)",
            class: Class::RuleSkipped,
            subject: retries_gateway_errors,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &["/status/429"],
        },
        Decoy {
            name: "each job's index sent as a u16 (round 22, fetch-bounded/01)",
            class: Class::MadeUp,
            subject: index_in_u16,
            caught_by: "results_come_back_in_input_order",
            breaks: "input-order",
            says: &["not a url"],
        },
        Decoy {
            name: "room for max_in_flight handles made up front (round 22, fetch-bounded/06)",
            class: Class::Panics,
            subject: handles_reserved_for_the_limit,
            caught_by: "more_workers_than_urls",
            breaks: "limit-above-urls",
            says: &["capacity overflow"],
        },
        Decoy {
            name: "a 503 asked again (round 19, fetch-bounded/09)",
            class: Class::RuleSkipped,
            subject: retries_a_503,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &["/status/503"],
        },
        Decoy {
            name: "caps the workers at 100 (round 15, fetch-bounded/01)",
            class: Class::RuleSkipped,
            subject: caps_at_100_workers,
            caught_by: "k_workers_whatever_n_and_k",
            breaks: "uses-the-limit",
            says: &["saw at most 100 requests at once", "whatever N and K"],
        },
        Decoy {
            name: "a thread per URL, a new one as one ends (round 15, fetch-bounded/02)",
            class: Class::RuleSkipped,
            subject: thread_per_url_k_alive,
            caught_by: "k_workers_whatever_n_and_k",
            breaks: "k-workers",
            says: &["different threads made requests", "a thread per URL"],
        },
        Decoy {
            name: "caps the workers at 64",
            class: Class::RuleSkipped,
            subject: caps_at_64_workers,
            caught_by: "k_workers_whatever_n_and_k",
            breaks: "uses-the-limit",
            says: &["saw at most 64 requests at once", "whatever N and K"],
        },
        Decoy {
            name: "remembers failed URLs between calls",
            class: Class::StateBetweenCalls,
            subject: remembers_failures,
            caught_by: "results_are_fresh_every_call",
            breaks: "really-fetched",
            says: &["the server never saw a request for urls[2]", "every time"],
        },
        Decoy {
            name: "workers linger on threads nobody joins",
            class: Class::RuleSkipped,
            subject: workers_linger,
            caught_by: "nothing_is_left_running",
            breaks: "nothing-left-running",
            says: &["[nothing left running]", "still alive"],
        },
        Decoy {
            name: "polls a counter with a 1 ms sleep instead of joining",
            class: Class::Spinning,
            subject: polls_for_the_results,
            caught_by: "waits_for_a_slow_url",
            breaks: "waits-asleep",
            says: &["woke up", "it polls"],
        },
        Decoy {
            name: "always starts at least two workers",
            class: Class::RuleSkipped,
            subject: at_least_two_workers,
            caught_by: "one_worker_fetches_one_at_a_time",
            breaks: "within-the-limit",
            says: &["the server saw 2 requests at once, but max_in_flight was 1"],
        },
        Decoy {
            name: "divides by the number of URLs",
            class: Class::Panics,
            subject: divides_by_the_count,
            caught_by: "no_urls_no_results",
            breaks: "empty-input",
            says: &[
                "fetch_bounded panicked with no URLs",
                "empty list is not an error",
            ],
        },
        Decoy {
            name: "fetches one URL after another",
            class: Class::Sequential,
            subject: one_by_one,
            caught_by: "never_more_than_k_in_flight",
            breaks: "uses-the-limit",
            says: &["saw at most 1"],
        },
        Decoy {
            name: "makes the bodies up without a request",
            class: Class::MadeUp,
            subject: made_up,
            caught_by: "results_come_back_in_input_order",
            breaks: "really-fetched",
            says: &["never saw a request for urls[0]", "made up"],
        },
        Decoy {
            name: "fetches the first K URLs and guesses the rest",
            class: Class::MadeUp,
            subject: first_k_then_guess,
            caught_by: "results_come_back_in_input_order",
            breaks: "really-fetched",
            says: &["never saw a request for urls[2]", "made up"],
        },
        Decoy {
            name: "keeps a cache in a static between calls",
            class: Class::StateBetweenCalls,
            subject: cached,
            caught_by: "results_are_fresh_every_call",
            breaks: "really-fetched",
            says: &[
                "served in an earlier call",
                "do not keep results between calls",
            ],
        },
        Decoy {
            name: "batches of max_in_flight past 1,000 URLs (round 22, fetch-bounded/03)",
            class: Class::Batched,
            subject: batches_past_1000,
            caught_by: "workers_refill_as_soon_as_free",
            breaks: "refill",
            says: &["let go by the time limit", "no batches of max_in_flight"],
        },
        Decoy {
            name: "spawns K, joins all K, then the next batch",
            class: Class::Batched,
            subject: batches,
            caught_by: "workers_refill_as_soon_as_free",
            breaks: "refill",
            says: &[
                "allowed requests were in flight while URLs had not been started",
                "A batch waits for its slowest request",
            ],
        },
        Decoy {
            name: "gives each worker a fixed share of the URLs",
            class: Class::Batched,
            subject: fixed_shares,
            caught_by: "workers_refill_as_soon_as_free",
            breaks: "refill",
            says: &["fixed shares", "next URL as soon as it is free"],
        },
        Decoy {
            name: "ignores max_in_flight",
            class: Class::RuleSkipped,
            subject: unbounded,
            caught_by: "never_more_than_k_in_flight",
            breaks: "within-the-limit",
            says: &["max_in_flight was 3"],
        },
        Decoy {
            name: "holds the results lock while fetching",
            class: Class::Sequential,
            subject: holds_the_lock_while_fetching,
            caught_by: "never_more_than_k_in_flight",
            breaks: "uses-the-limit",
            says: &["saw at most 1"],
        },
        Decoy {
            name: "a helper thread spins until the work is done",
            class: Class::Spinning,
            subject: spins_while_waiting,
            caught_by: "waves_take_rounds_times_latency",
            breaks: "waits-asleep",
            says: &["CPU"],
        },
        Decoy {
            name: "workers unwrap every answer",
            class: Class::Panics,
            subject: unwraps,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &[
                "fetch_bounded panicked",
                "called `Result::unwrap()` on an `Err` value",
                "must become an Err in its place",
            ],
        },
        Decoy {
            name: "one thread per URL behind a semaphore",
            class: Class::RuleSkipped,
            subject: thread_per_url_semaphore,
            caught_by: "k_workers_whatever_n_and_k",
            breaks: "k-workers",
            says: &["thread per URL", "workers"],
        },
        Decoy {
            name: "ignores max_in_flight above sixteen URLs",
            class: Class::RuleSkipped,
            subject: unbounded_above_sixteen,
            caught_by: "k_workers_whatever_n_and_k",
            breaks: "within-the-limit",
            // Too many requests at once, or too many threads: either comes first.
            says: &["[K workers whatever N and K]", "URLs"],
        },
        Decoy {
            name: "fetches one by one when there are fewer than ten URLs",
            class: Class::Sequential,
            subject: sequential_below_ten,
            caught_by: "k_workers_whatever_n_and_k",
            breaks: "uses-the-limit",
            says: &["one after another", "whatever the number of URLs"],
        },
        Decoy {
            name: "starts K workers even when there are fewer URLs",
            class: Class::RuleSkipped,
            subject: k_workers_even_above_n,
            caught_by: "k_workers_whatever_n_and_k",
            breaks: "k-workers",
            says: &["threads for K =", "not more workers than URLs"],
        },
        Decoy {
            name: "starts K workers for fewer URLs, the idle ones ending at once (round 15, fetch-bounded/04)",
            class: Class::RuleSkipped,
            subject: k_workers_the_idle_end_at_once,
            caught_by: "k_workers_whatever_n_and_k",
            breaks: "k-workers",
            says: &[
                "however briefly the thread lived",
                "not more workers than URLs",
            ],
        },
        Decoy {
            name: "panics when max_in_flight is above the number of URLs",
            class: Class::Panics,
            subject: k_over_n_panics,
            caught_by: "more_workers_than_urls",
            breaks: "limit-above-urls",
            says: &["with max_in_flight = 8 for 3 URLs", "not an error"],
        },
        Decoy {
            name: "caps the workers at two (the cores)",
            class: Class::Batched,
            subject: cores_cap,
            caught_by: "never_more_than_k_in_flight",
            breaks: "uses-the-limit",
            says: &["saw at most 2", "fewer workers than max_in_flight"],
        },
    ]
}
