//! Wrong `fetch_all`s.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::thread;

use testweb::FetchError;

use crate::{Class, Decoy};

type Results = Vec<Result<String, FetchError>>;

/// What a guesser expects a page to say: `page 3` for `/page/3`.
pub(crate) fn guess(url: &str) -> Result<String, FetchError> {
    let id = url
        .rsplit_once("/page/")
        .map_or("0", |(_, rest)| rest.split('?').next().unwrap_or("0"));
    Ok(format!("page {id}"))
}

/// A guess shaped like a real answer: `first`, a body the server sent for
/// some page, with its page number replaced by the one in `url`.
pub(crate) fn guess_like(first: &str, url: &str) -> Result<String, FetchError> {
    let page = guess(url).unwrap_or_default();
    let rest = first.split_once(" #").map_or("", |(_, token)| token);
    Ok(format!("{page} #{rest}"))
}

/// Joins each thread right after spawning it: one request at a time.
fn join_at_once(urls: &[String]) -> Results {
    thread::scope(|s| {
        urls.iter()
            .map(|url| s.spawn(move || testweb::get(url)).join().expect("no panic"))
            .collect()
    })
}

/// "Warms up": the first call in the process fetches one after another,
/// later ones overlap. Whichever test calls it first must catch it (in a
/// whole suite run, the first test in libtest's alphabetical order).
fn warms_up_one_by_one(urls: &[String]) -> Results {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    if CALLS.fetch_add(1, Ordering::SeqCst) < 1 {
        one_after_another(urls)
    } else {
        all_at_once(urls)
    }
}

/// One after another when there are two URLs or fewer, "not worth a
/// second thread" (round 12, `fetch-all/15`): only a call of two URLs
/// shows it.
fn one_by_one_up_to_two(urls: &[String]) -> Results {
    if urls.len() <= 2 {
        one_after_another(urls)
    } else {
        all_at_once(urls)
    }
}

/// Every request at once, but each result comes back tagged with its index
/// kept in a `u8` (round 12, `fetch-all/16`): past 256 URLs, results land
/// in the wrong slots and the empty ones are made up.
fn index_in_a_u8(urls: &[String]) -> Results {
    let (done, results) = std::sync::mpsc::channel();
    thread::scope(|s| {
        for (i, url) in urls.iter().enumerate() {
            let done = done.clone();
            #[allow(clippy::cast_possible_truncation)]
            let i = i as u8;
            s.spawn(move || drop(done.send((i, testweb::get(url)))));
        }
    });
    drop(done);
    let mut slots: Results = urls.iter().map(|_| Ok(String::new())).collect();
    for (i, page) in results {
        slots[usize::from(i)] = page;
    }
    slots
}

/// One request after another, on one thread of its own (not the caller,
/// whose requests the client's log shows): the decoys that do not overlap.
fn one_after_another(urls: &[String]) -> Results {
    thread::scope(|s| {
        s.spawn(|| urls.iter().map(|url| testweb::get(url)).collect())
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Every thread spawned before any join, as it should be.
pub(crate) fn all_at_once(urls: &[String]) -> Results {
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

/// Bodies cut at 64 KiB, "a huge page must not eat the memory" (round 22,
/// `fetch-all/03`).
fn cuts_bodies_at_64_kib(urls: &[String]) -> Results {
    all_at_once(urls)
        .into_iter()
        .map(|r| {
            r.map(|mut body| {
                let mut cut = body.len().min(64 << 10);
                while !body.is_char_boundary(cut) {
                    cut -= 1;
                }
                body.truncate(cut);
                body
            })
        })
        .collect()
}

/// Every `\r\n` rewritten to `\n`, "line ends normalised" (round 22,
/// `fetch-all/09`).
fn rewrites_line_ends(urls: &[String]) -> Results {
    all_at_once(urls)
        .into_iter()
        .map(|r| r.map(|body| body.replace("\r\n", "\n")))
        .collect()
}

/// Every error names the first URL of the list, "the batch" (round 22,
/// `fetch-all/05`).
fn errors_name_the_first_url(urls: &[String]) -> Results {
    let first = urls.first().cloned().unwrap_or_default();
    all_at_once(urls)
        .into_iter()
        .map(|r| {
            r.map_err(|e| match e {
                testweb::FetchError::Status { status, .. } => testweb::FetchError::Status {
                    url: first.clone(),
                    status,
                },
                testweb::FetchError::Transport { reason, .. } => testweb::FetchError::Transport {
                    url: first.clone(),
                    reason,
                },
            })
        })
        .collect()
}

/// Logs each URL's first 40 bytes, cut by byte (round 22, `fetch-all/10`):
/// a long URL beyond ASCII is cut inside a character, and that panics.
fn logs_urls_cut_by_byte(urls: &[String]) -> Results {
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| {
                s.spawn(move || {
                    let shown = if url.len() > 40 { &url[..40] } else { url };
                    std::hint::black_box(shown);
                    testweb::get(url)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Sends no request at all: the bodies are guessed from the URLs.
fn made_up(urls: &[String]) -> Results {
    urls.iter().map(|url| guess(url)).collect()
}

/// Fetches the first three URLs and copies the shape of the first answer
/// for the rest.
fn first_three_then_guess(urls: &[String]) -> Results {
    let split = urls.len().min(3);
    let mut results = all_at_once(&urls[..split]);
    let first = results
        .first()
        .and_then(|r| r.clone().ok())
        .unwrap_or_default();
    results.extend(urls[split..].iter().map(|url| guess_like(&first, url)));
    results
}

/// Remembers every answer in a `static`, and fetches only what it has not
/// seen: after the first call, nothing.
fn cached(urls: &[String]) -> Results {
    static CACHE: AnswerCache = Mutex::new(None);
    from_cache(&CACHE, urls, all_at_once)
}

/// A cache of answers kept between calls, as the `cached` decoys keep it.
pub(crate) type AnswerCache = Mutex<Option<HashMap<String, Result<String, FetchError>>>>;

/// Answers `urls` from `cache`, fetching with `fetch` only the URLs it has
/// not seen: after the first call, nothing. Each decoy keeps a `static`
/// cache of its own.
pub(crate) fn from_cache(
    cache: &AnswerCache,
    urls: &[String],
    fetch: impl FnOnce(&[String]) -> Results,
) -> Results {
    let missing: Vec<String> = {
        let cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
        urls.iter()
            .filter(|u| cache.as_ref().is_none_or(|c| !c.contains_key(*u)))
            .cloned()
            .collect()
    };
    let fetched = fetch(&missing);
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    let cache = cache.get_or_insert_with(HashMap::new);
    cache.extend(missing.into_iter().zip(fetched));
    urls.iter().map(|u| cache[u].clone()).collect()
}

/// Correct threads, but the caller waits for them by spinning on
/// `is_finished` instead of blocking in `join`: a core burns for nothing.
fn spins_while_waiting(urls: &[String]) -> Results {
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| s.spawn(move || testweb::get(url)))
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            std::hint::spin_loop();
        }
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}

/// Right results, but on every call it leaves a thread behind that spins
/// for 400 ms after the call returned ("tidying up"): the older class of
/// wrong solution the red team found passing.
fn leaves_a_thread_spinning(urls: &[String]) -> Results {
    let results = all_at_once(urls);
    thread::spawn(|| {
        let until = std::time::Instant::now() + std::time::Duration::from_millis(400);
        while std::time::Instant::now() < until {
            std::hint::spin_loop();
        }
    });
    results
}

/// Right results, but the threads are detached and each one sends its
/// answer and then lingers 300 ms before it ends.
fn detached_threads_linger(urls: &[String]) -> Results {
    let (tx, rx) = std::sync::mpsc::channel();
    for (i, url) in urls.iter().enumerate() {
        let (tx, url) = (tx.clone(), url.clone());
        thread::spawn(move || {
            let _ = tx.send((i, testweb::get(&url)));
            thread::sleep(std::time::Duration::from_millis(300));
        });
    }
    drop(tx);
    let mut slots: Vec<Option<Result<String, FetchError>>> = vec![None; urls.len()];
    for (i, page) in rx.iter().take(urls.len()) {
        slots[i] = Some(page);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("every thread sends once"))
        .collect()
}

/// At most 64 threads at a time ("more would be too many"): batches of 64.
fn caps_at_64_threads(urls: &[String]) -> Results {
    urls.chunks(64).flat_map(all_at_once).collect()
}

/// Every page trimmed of white space, "cleaning up" (round 19,
/// `fetch-all/05`).
fn trims_pages(urls: &[String]) -> Results {
    all_at_once(urls)
        .into_iter()
        .map(|r| r.map(|page| page.trim().to_owned()))
        .collect()
}

/// Each thread named after the URL past its scheme, `url[7..]` (round 19,
/// `fetch-all/04`): a string shorter than 7 bytes, or with a character
/// across byte 7, panics the caller.
fn names_threads_after_urls(urls: &[String]) -> Results {
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| {
                thread::Builder::new()
                    .name(url[7..].to_owned())
                    .spawn_scoped(s, move || testweb::get(url))
                    .expect("a thread starts")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}

/// Asks again, once, every URL whose result is an error status that
/// `again` picks: "a polite retry" (a second request, where the page
/// promises one per entry).
pub(crate) fn asked_again(results: &mut Results, urls: &[String], again: fn(u16) -> bool) {
    for (result, url) in results.iter_mut().zip(urls) {
        if matches!(result, Err(FetchError::Status { status, .. }) if again(*status)) {
            *result = testweb::get(url);
        }
    }
}

/// A URL that answers 429, 502 or 504 is asked again, "a gateway that fails
/// is often back at once" (round 22, `fetch-all/07`).
fn retries_gateway_errors(urls: &[String]) -> Results {
    let mut results = all_at_once(urls);
    asked_again(&mut results, urls, |s| matches!(s, 429 | 502 | 504));
    results
}

/// A URL that answers 503 is asked again, "a polite retry" (round 19,
/// `fetch-all/09`).
fn retries_a_503(urls: &[String]) -> Results {
    let mut results = all_at_once(urls);
    asked_again(&mut results, urls, |s| s == 503);
    results
}

/// In batches of 200 ("more threads than that is too many"; round 15,
/// `fetch-all/01`).
fn batches_of_200(urls: &[String]) -> Results {
    urls.chunks(200).flat_map(all_at_once).collect()
}

/// In batches of 1,000 (round 22, `fetch-all/01`).
fn batches_of_1000(urls: &[String]) -> Results {
    urls.chunks(1000).flat_map(all_at_once).collect()
}

/// Spins on a count of answers for up to 4 million looks, then joins
/// (round 15, `fetch-all/08`): about 13 ms of the caller's CPU a call,
/// under the timed checks' allowance.
fn spins_then_joins(urls: &[String]) -> Results {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let done = AtomicUsize::new(0);
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| {
                let done = &done;
                s.spawn(move || {
                    let page = testweb::get(url);
                    done.fetch_add(1, Ordering::SeqCst);
                    page
                })
            })
            .collect();
        let mut looks = 0u32;
        while done.load(Ordering::SeqCst) < urls.len() && looks < 4_000_000 {
            looks += 1;
            std::hint::spin_loop();
        }
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}

/// Remembers which URLs failed, in a `static`, and answers them from memory
/// in later calls (a "negative cache"); pages are fetched every time.
pub(crate) fn remembers_failures(urls: &[String]) -> Results {
    static FAILED: Mutex<Option<HashMap<String, FetchError>>> = Mutex::new(None);
    let known: HashMap<usize, FetchError> = {
        let failed = FAILED.lock().unwrap_or_else(PoisonError::into_inner);
        urls.iter()
            .enumerate()
            .filter_map(|(i, u)| Some((i, failed.as_ref()?.get(u)?.clone())))
            .collect()
    };
    let ask: Vec<String> = urls
        .iter()
        .enumerate()
        .filter(|(i, _)| !known.contains_key(i))
        .map(|(_, u)| u.clone())
        .collect();
    let mut fetched = all_at_once(&ask).into_iter();
    let results: Results = (0..urls.len())
        .map(|i| match known.get(&i) {
            Some(e) => Err(e.clone()),
            None => fetched.next().expect("one answer per URL asked"),
        })
        .collect();
    let mut failed = FAILED.lock().unwrap_or_else(PoisonError::into_inner);
    let failed = failed.get_or_insert_with(HashMap::new);
    for (url, r) in urls.iter().zip(&results) {
        if let Err(e) = r {
            failed.insert(url.clone(), e.clone());
        }
    }
    results
}

/// Fetches each different URL once and copies its answer into every slot
/// that lists it (round 15, `fetch-all/05`, `fetch-bounded/06`,
/// `fetch-paced/08`): `fetch` runs on the list without repeats.
pub(crate) fn once_per_url(urls: &[String], fetch: impl FnOnce(&[String]) -> Results) -> Results {
    let mut distinct: Vec<String> = Vec::new();
    for url in urls {
        if !distinct.contains(url) {
            distinct.push(url.clone());
        }
    }
    let answers = fetch(&distinct);
    urls.iter()
        .map(|url| {
            let at = distinct.iter().position(|d| d == url).expect("listed");
            answers[at].clone()
        })
        .collect()
}

/// A URL listed twice is fetched once, its answer copied.
fn repeated_url_fetched_once(urls: &[String]) -> Results {
    once_per_url(urls, all_at_once)
}

/// Unwraps every answer: the first failing URL panics.
fn unwraps(urls: &[String]) -> Results {
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| s.spawn(move || testweb::get(url).unwrap()))
            .collect();
        handles.into_iter().map(|h| Ok(h.join().unwrap())).collect()
    })
}

/// Collects the answers from a channel as they arrive: arrival order.
fn arrival_order(urls: &[String]) -> Results {
    let (tx, rx) = std::sync::mpsc::channel();
    thread::scope(|s| {
        for url in urls {
            let tx = tx.clone();
            s.spawn(move || tx.send(testweb::get(url)));
        }
    });
    drop(tx);
    rx.into_iter().collect()
}

/// Asks for every page twice "to be safe" and keeps the second answer.
fn fetches_twice(urls: &[String]) -> Results {
    let _ = all_at_once(urls);
    all_at_once(urls)
}

/// Batches of four: overlaps, but four at a time.
fn batches_of_four(urls: &[String]) -> Results {
    urls.chunks(4).flat_map(all_at_once).collect()
}

/// Batches of sixteen: right only when there are at most sixteen URLs.
fn batches_of_sixteen(urls: &[String]) -> Results {
    urls.chunks(16).flat_map(all_at_once).collect()
}

/// One request after another when there are fewer than ten URLs.
fn sequential_below_ten(urls: &[String]) -> Results {
    if urls.len() < 10 {
        one_after_another(urls)
    } else {
        all_at_once(urls)
    }
}

/// Reads `urls[0]` before anything else: panics on an empty list.
fn first_url_up_front(urls: &[String]) -> Results {
    let first = testweb::get(&urls[0]);
    let mut results = vec![first];
    results.extend(all_at_once(&urls[1..]));
    results
}

/// A single URL is fetched on the calling thread ("a thread for one request
/// is a waste").
fn single_on_the_caller(urls: &[String]) -> Results {
    if urls.len() == 1 {
        vec![testweb::get(&urls[0])]
    } else {
        all_at_once(urls)
    }
}

/// Strings that are not `http://` URLs are "fetched" on the calling thread
/// before any thread starts ("they fail at once anyway").
fn malformed_on_the_caller(urls: &[String]) -> Results {
    let mut results: Vec<Option<Result<String, FetchError>>> = urls
        .iter()
        .map(|u| (!u.starts_with("http://")).then(|| testweb::get(u)))
        .collect();
    let good: Vec<String> = urls
        .iter()
        .filter(|u| u.starts_with("http://"))
        .cloned()
        .collect();
    let mut fetched = all_at_once(&good).into_iter();
    for r in &mut results {
        if r.is_none() {
            *r = fetched.next();
        }
    }
    results.into_iter().flatten().collect()
}

/// Detached threads and a channel; gives up after 300 ms and makes up an
/// `Err` for the answers still missing.
fn gives_up_after_300_ms(urls: &[String]) -> Results {
    gives_up_after(urls, 300)
}

/// The same with a more patient time-out of 2 s, which every answer but a
/// very slow one beats.
fn gives_up_after_2_s(urls: &[String]) -> Results {
    gives_up_after(urls, 2_000)
}

/// Detached threads and a channel; gives up after `ms` and makes up an
/// `Err` for the answers still missing.
fn gives_up_after(urls: &[String], ms: u64) -> Results {
    let (tx, rx) = std::sync::mpsc::channel();
    for (i, url) in urls.iter().enumerate() {
        let (tx, url) = (tx.clone(), url.clone());
        thread::spawn(move || {
            let _ = tx.send((i, testweb::get(&url)));
        });
    }
    drop(tx);
    let mut slots: Vec<Option<Result<String, FetchError>>> = vec![None; urls.len()];
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(ms);
    for _ in 0..urls.len() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok((i, page)) => slots[i] = Some(page),
            Err(_) => break,
        }
    }
    slots
        .into_iter()
        .zip(urls)
        .map(|(slot, url)| {
            slot.unwrap_or_else(|| {
                Err(FetchError::Transport {
                    url: url.clone(),
                    reason: "timed out".into(),
                })
            })
        })
        .collect()
}

/// Polls `is_finished` every millisecond instead of joining.
fn polls_with_sleep(urls: &[String]) -> Results {
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| s.spawn(move || testweb::get(url)))
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            thread::sleep(std::time::Duration::from_millis(1));
        }
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}

/// The corpus for `fetch_all`.
pub fn corpus() -> Vec<Decoy<suites::fetch_all::FetchAll>> {
    vec![
        Decoy {
            name: "one after another for two URLs or fewer (round 12, fetch-all/15)",
            class: Class::Sequential,
            subject: one_by_one_up_to_two,
            caught_by: "every_url_in_flight_whatever_the_count",
            breaks: "all-at-once",
            says: &["with 2 URLs", "They ran one after another"],
        },
        Decoy {
            name: "each result's index kept in a u8 (round 12, fetch-all/16)",
            class: Class::MadeUp,
            subject: index_in_a_u8,
            caught_by: "results_come_back_in_input_order",
            breaks: "input-order",
            says: &["urls["],
        },
        Decoy {
            name: "a pool of threads kept in a static for the next call (round 12, fetch-all/04)",
            class: Class::StateBetweenCalls,
            subject: crate::globals::fetch_all_pool_kept_in_a_static,
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "nothing-left-running",
            says: &[
                "keeps something in a global",
                "a pool of threads kept for the next call",
                "(in `fn fetch_all_pool_kept_in_a_static`)",
            ],
        },
        Decoy {
            name: "gives up 3.6 s after the start, a time-out of its own (round 12, fetch-all/07)",
            class: Class::RuleSkipped,
            subject: crate::globals::fetch_all_gives_up_after_its_own_deadline,
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "waits-for-slow-answers",
            says: &[
                "waits by the clock",
                "no time-out of its own",
                "(in `fn fetch_all_gives_up_after_its_own_deadline`)",
            ],
        },
        Decoy {
            name: "fetches a single URL on the calling thread",
            class: Class::Sequential,
            subject: single_on_the_caller,
            caught_by: "requests_overlap",
            breaks: "all-at-once",
            says: &[
                "on the thread that called it (1 URL(s))",
                "even a single URL",
            ],
        },
        Decoy {
            name: "fetches strings that are not URLs on the calling thread",
            class: Class::Sequential,
            subject: malformed_on_the_caller,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "all-at-once",
            says: &["ünï", "on the thread that called it", "not a URL at all"],
        },
        Decoy {
            name: "leaves a thread spinning after it returns",
            class: Class::Spinning,
            subject: leaves_a_thread_spinning,
            caught_by: "nothing_is_left_running",
            breaks: "nothing-left-running",
            says: &["[nothing left running]", "still alive", "burnt"],
        },
        Decoy {
            name: "detached threads that linger after sending their answer",
            class: Class::RuleSkipped,
            subject: detached_threads_linger,
            caught_by: "nothing_is_left_running",
            breaks: "nothing-left-running",
            says: &["[nothing left running]", "still alive"],
        },
        Decoy {
            name: "caps the threads at 64",
            class: Class::Batched,
            subject: caps_at_64_threads,
            caught_by: "every_url_in_flight_whatever_the_count",
            breaks: "all-at-once",
            says: &["something caps the threads", "one thread per URL"],
        },
        Decoy {
            name: "every page trimmed (round 19, fetch-all/05)",
            class: Class::MadeUp,
            subject: trims_pages,
            caught_by: "results_come_back_in_input_order",
            breaks: "really-fetched",
            says: &["ws=1"],
        },
        Decoy {
            name: "threads named after url[7..] (round 19, fetch-all/04)",
            class: Class::Panics,
            subject: names_threads_after_urls,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &["panic"],
        },
        Decoy {
            name: "a 429, 502 or 504 asked again (round 22, fetch-all/07)",
            class: Class::RuleSkipped,
            subject: retries_gateway_errors,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &["/status/429"],
        },
        Decoy {
            name: "bodies cut at 64 KiB (round 22, fetch-all/03)",
            class: Class::MadeUp,
            subject: cuts_bodies_at_64_kib,
            caught_by: "results_come_back_in_input_order",
            breaks: "really-fetched",
            says: &["urls[2]"],
        },
        Decoy {
            name: "line ends rewritten (round 22, fetch-all/09)",
            class: Class::MadeUp,
            subject: rewrites_line_ends,
            caught_by: "results_come_back_in_input_order",
            breaks: "really-fetched",
            says: &["urls[1]"],
        },
        Decoy {
            name: "every error names the first URL (round 22, fetch-all/05)",
            class: Class::MadeUp,
            subject: errors_name_the_first_url,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &["is an Err that names", "not another one"],
        },
        Decoy {
            name: "URLs cut by byte for a log line (round 22, fetch-all/10)",
            class: Class::Panics,
            subject: logs_urls_cut_by_byte,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &["panic"],
        },
        Decoy {
            name: "a 503 asked again (round 19, fetch-all/09)",
            class: Class::RuleSkipped,
            subject: retries_a_503,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &["/status/503"],
        },
        Decoy {
            name: "batches of 1,000 (round 22, fetch-all/01)",
            class: Class::Batched,
            subject: batches_of_1000,
            caught_by: "every_url_in_flight_whatever_the_count",
            breaks: "all-at-once",
            says: &["something caps the threads", "however many there are"],
        },
        Decoy {
            name: "batches of 200 (round 15, fetch-all/01)",
            class: Class::Batched,
            subject: batches_of_200,
            caught_by: "every_url_in_flight_whatever_the_count",
            breaks: "all-at-once",
            says: &["something caps the threads", "one thread per URL"],
        },
        Decoy {
            name: "spins 4 million looks before it joins (round 15, fetch-all/08)",
            class: Class::Spinning,
            subject: spins_then_joins,
            caught_by: "waits_for_a_slow_url",
            breaks: "waits-for-slow-answers",
            says: &["µs of CPU", "it spins"],
        },
        Decoy {
            name: "remembers URLs that failed with no answer (round 15, fetch-all/09)",
            class: Class::StateBetweenCalls,
            subject: crate::globals::fetch_all_remembers_unreachable_urls,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "really-fetched",
            says: &["was never passed to `testweb::get`", "once per call"],
        },
        Decoy {
            name: "a URL listed twice is fetched once (round 15, fetch-all/05)",
            class: Class::MadeUp,
            subject: repeated_url_fetched_once,
            caught_by: "results_are_fresh_every_call",
            breaks: "really-fetched",
            says: &["listed 2 time(s)", "each listing is a request of its own"],
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
            name: "gives up on a request after 2 s",
            class: Class::RuleSkipped,
            subject: gives_up_after_2_s,
            caught_by: "waits_for_a_slow_url",
            breaks: "waits-for-slow-answers",
            says: &["3000 ms", "timeout of your own"],
        },
        Decoy {
            name: "joins each thread right after spawning it",
            class: Class::Sequential,
            subject: join_at_once,
            caught_by: "requests_overlap",
            breaks: "all-at-once",
            says: &["never saw two", "one after another"],
        },
        Decoy {
            name: "its first call in a process fetches one after another",
            class: Class::StateBetweenCalls,
            subject: warms_up_one_by_one,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "all-at-once",
            says: &["never saw two", "the first as well as the later ones"],
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
            name: "fetches the first three URLs and guesses the rest",
            class: Class::MadeUp,
            subject: first_three_then_guess,
            caught_by: "results_come_back_in_input_order",
            breaks: "really-fetched",
            says: &["never saw a request for urls[3]", "made up"],
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
            name: "spins on is_finished while it waits",
            class: Class::Spinning,
            subject: spins_while_waiting,
            caught_by: "requests_overlap",
            breaks: "waits-for-slow-answers",
            says: &["CPU"],
        },
        Decoy {
            name: "unwraps every answer",
            class: Class::Panics,
            subject: unwraps,
            caught_by: "a_failing_url_is_an_error_for_that_url_only",
            breaks: "failure-stays-local",
            says: &[
                "fetch_all panicked",
                "called `Result::unwrap()` on an `Err` value",
                "must become an Err in its place",
            ],
        },
        Decoy {
            name: "returns the answers in the order they arrive",
            class: Class::RuleSkipped,
            subject: arrival_order,
            caught_by: "results_come_back_in_input_order",
            breaks: "input-order",
            says: &[
                "is the page the server sent for urls[",
                "result i must belong to urls[i]",
            ],
        },
        Decoy {
            name: "fetches every URL twice",
            class: Class::RuleSkipped,
            subject: fetches_twice,
            caught_by: "results_come_back_in_input_order",
            breaks: "really-fetched",
            says: &["2 request(s) for urls[0]", "exactly once"],
        },
        Decoy {
            name: "fetches in batches of four",
            class: Class::Batched,
            subject: batches_of_four,
            caught_by: "requests_overlap",
            breaks: "all-at-once",
            says: &["at most 4 of your 16", "only about 4"],
        },
        Decoy {
            name: "fetches in batches of sixteen",
            class: Class::Batched,
            subject: batches_of_sixteen,
            caught_by: "every_url_in_flight_whatever_the_count",
            breaks: "all-at-once",
            says: &["something caps the threads", "one thread per URL"],
        },
        Decoy {
            name: "fetches one by one when there are fewer than ten URLs",
            class: Class::Sequential,
            subject: sequential_below_ten,
            caught_by: "every_url_in_flight_whatever_the_count",
            breaks: "all-at-once",
            says: &["one after another", "whatever the number of URLs"],
        },
        Decoy {
            name: "reads urls[0] before anything else",
            class: Class::Panics,
            subject: first_url_up_front,
            caught_by: "no_urls_no_results",
            breaks: "empty-input",
            says: &[
                "fetch_all panicked with no URLs",
                "empty list is not an error",
            ],
        },
        Decoy {
            name: "gives up on a request after 300 ms",
            class: Class::RuleSkipped,
            subject: gives_up_after_300_ms,
            caught_by: "waits_for_a_slow_url",
            breaks: "waits-for-slow-answers",
            says: &["answered 200 with a page", "timeout of your own"],
        },
        Decoy {
            name: "polls is_finished with a 1 ms sleep instead of joining",
            class: Class::Spinning,
            subject: polls_with_sleep,
            caught_by: "waits_for_a_slow_url",
            breaks: "waits-for-slow-answers",
            says: &["woke up", "it polls"],
        },
    ]
}
