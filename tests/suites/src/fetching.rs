//! Checks shared by every exercise that fetches a list of URLs: whatever the
//! strategy, every URL is really fetched, once per call, results keep the
//! input order, and a bad URL spoils only itself.
//!
//! Evidence comes before timing. The test server answers every request with
//! a fresh, unpredictable body and logs what it served, per round (one round
//! per call of the student's function). After every call, timed or not,
//! [`Subject::fetch`] compares the results with that log: a body the server
//! never sent was made up, a body from an earlier round was kept between
//! calls, a body in the wrong slot belongs to another URL. Only then do the
//! timing checks judge what no log can show.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use harness::WaitCheck;
use testweb::{FetchError, Served, Server, closed_port_url, ever_served};

use crate::reference;

/// Any function from URLs to one result per URL.
pub type Results = Vec<Result<String, FetchError>>;

/// Starts a test server, with a message that says what went wrong.
pub fn server(latency: Duration) -> Server {
    Server::start(latency).expect("could not start the test server on 127.0.0.1")
}

/// Longest one call of the student's function may take before it is
/// declared stuck. The slowest call a suite makes of a correct solution,
/// [`waits_for_a_slow_url`]'s, takes [`SLOWEST_MS`]; one that fetches its
/// URLs one after another, or in fixed shares, takes up to the sum of that
/// check's delays (4.5 s), and must get the verdict on what it does, not
/// "stuck". A deadlock is named after this long instead of the whole
/// test's limit, so a suite against a deadlocking solution settles sooner
/// (the later tests are cut short by [`harness::deadline::within_suite`]).
pub const CALL_LIMIT: Duration = Duration::from_secs(6);

/// How long the server must have held every request of a call for the
/// call to be required to overlap: threads start within a millisecond or
/// two, and within tens of milliseconds on a loaded machine.
const HELD_LONG_ENOUGH: Duration = Duration::from_millis(80);

/// The function under test and its name, as the student knows it.
#[derive(Clone, Copy)]
pub struct Subject<F> {
    name: &'static str,
    fetch: F,
    /// The `max_in_flight` the function is called with, if it takes one.
    limit: Option<usize>,
}

/// A function under test: URLs in, one result per URL out.
pub trait Fetch: Fn(&[String]) -> Results + Copy + Send + 'static {}
impl<F: Fn(&[String]) -> Results + Copy + Send + 'static> Fetch for F {}

/// How many times the thread that ran the student's function in the last
/// [`Subject::call`] went to sleep and woke up again (its voluntary context
/// switches, counted by the kernel): a few per thread it joined when it
/// waits properly, one per round when it polls. Tests run one at a time.
static LAST_WAKEUPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// The CPU time, in nanoseconds, the calling thread used in the last
/// [`Subject::call`] (`u64::MAX` where the kernel does not say).
static LAST_CALLER_CPU_NS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// The URLs the last [`Subject::call`] was given, and every URL it passed
/// to `testweb::get`, on any thread.
#[allow(clippy::type_complexity)]
static LAST_REQUESTED: std::sync::Mutex<(Vec<String>, Vec<String>)> =
    std::sync::Mutex::new((Vec::new(), Vec::new()));
/// The threads the last [`Subject::call`] started, as `pthread_create`
/// saw them (see [`harness::spawned`]).
static LAST_SPAWNED: std::sync::Mutex<harness::spawned::Spawned> =
    std::sync::Mutex::new(harness::spawned::Spawned {
        started: 0,
        peak: 0,
    });
/// When each call of `testweb::get` in the last [`Subject::call`] began.
static LAST_STARTS: std::sync::Mutex<Vec<std::time::Instant>> = std::sync::Mutex::new(Vec::new());
/// How many threads made requests in the last [`Subject::call`].
static LAST_REQUEST_THREADS: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

use harness::clock::thread_wakeups as wakeups;

/// The first panic seen while the student's code ran, on any of its threads.
#[derive(Clone, Debug)]
struct FirstPanic {
    message: String,
    thread: String,
    location: String,
}

impl<F: Fetch> Subject<F> {
    /// `fetch`, called `name` in messages.
    pub fn new(name: &'static str, fetch: F) -> Self {
        Self {
            name,
            fetch,
            limit: None,
        }
    }

    /// The same subject, known to be called with `max_in_flight = limit`
    /// (for messages).
    pub fn with_limit(self, limit: usize) -> Self {
        Self {
            limit: Some(limit),
            ..self
        }
    }

    /// Calls the student's function once, under [`CALL_LIMIT`]. A panic in
    /// it, on any of its threads, fails the test with the student's own
    /// message and what to do instead; `todo!()` is passed on unchanged.
    pub fn call(&self, urls: &[String]) -> Results {
        let (name, fetch, limit, n) = (self.name, self.fetch, self.limit, urls.len());
        let urls = urls.to_vec();
        let test = thread::current().name().unwrap_or(name).to_owned();
        let asked = urls.clone();
        let (outcome, on_caller, requested) =
            harness::deadline::within_suite(CALL_LIMIT, &test, move || {
                let before = wakeups();
                let cpu_before = harness::clock::thread_cpu_time();
                // The witness of where each request was made.
                let log = testweb::CallerLog::open();
                let (outcome, spawned) =
                    harness::spawned::during(move || watching_panics(move || fetch(&urls)));
                *LAST_SPAWNED.lock().unwrap_or_else(PoisonError::into_inner) = spawned;
                let cpu = harness::clock::thread_cpu_time()
                    .zip(cpu_before)
                    .map_or(u64::MAX, |(after, before)| {
                        after.saturating_sub(before).as_nanos() as u64
                    });
                LAST_CALLER_CPU_NS.store(cpu, std::sync::atomic::Ordering::SeqCst);
                LAST_REQUEST_THREADS.store(log.threads(), std::sync::atomic::Ordering::SeqCst);
                *LAST_STARTS.lock().unwrap_or_else(PoisonError::into_inner) = log.starts();
                let requested = log.urls();
                LAST_WAKEUPS.store(
                    wakeups().saturating_sub(before),
                    std::sync::atomic::Ordering::SeqCst,
                );
                (outcome, log.made_on(thread::current().id()), requested)
            });
        match outcome {
            Ok(_) if !on_caller.is_empty() => panic!(
                "{name} fetched {on_caller:?} on the thread that called it ({n} URL(s){}): {}",
                limit.map_or_else(String::new, |k| format!(", max_in_flight = {k}")),
                if limit.is_some() {
                    "every URL is fetched by one of the max_in_flight worker threads, even \
                     when max_in_flight is 1; the caller only hands out the URLs and \
                     collects the results."
                } else {
                    "every URL is fetched on a thread of its own, even a single URL or one \
                     that is not a URL at all; the caller only starts the threads and \
                     collects the results."
                }
            ),
            Ok(results) => {
                *LAST_REQUESTED
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = (asked, requested);
                results
            }
            Err((payload, first)) => {
                let last = harness::record::panic_message(payload.as_ref());
                let first = first.unwrap_or(FirstPanic {
                    message: last.clone(),
                    thread: String::new(),
                    location: String::new(),
                });
                if first.message.contains("not yet implemented")
                    || last.contains("not yet implemented")
                {
                    panic::resume_unwind(payload);
                }
                let place = if first.thread.is_empty() {
                    String::new()
                } else {
                    format!(" (thread '{}', {})", first.thread, first.location)
                };
                let message = &first.message;
                match limit {
                    _ if n == 0 => panic!(
                        "{name} panicked with no URLs: {message}{place}. An empty list is \
                         not an error: it gives an empty list of results (start no threads, \
                         or none that wait for work that never comes)."
                    ),
                    Some(k) if k > n => panic!(
                        "{name} panicked with max_in_flight = {k} for {n} URLs: \
                         {message}{place}. A limit above the number of URLs is not an error: \
                         start min(max_in_flight, number of URLs) workers, never more workers \
                         than URLs to take from the queue."
                    ),
                    _ => panic!(
                        "{name} panicked: {message}{place}. A URL that fails must become an \
                         Err in its place, never a panic: testweb::get already returns an Err \
                         for it, so store that Err as the URL's result instead of unwrapping it."
                    ),
                }
            }
        }
    }

    /// Starts a new round on `server`, calls the student's function, and
    /// checks the results against what the server served in that round
    /// (see [`verify`]); fails the test with the reason if they differ.
    pub fn fetch(&self, server: &Server, urls: &[String]) -> Results {
        server.begin_round();
        let got = self.call(urls);
        if let Err(why) = verify(self.name, server, urls, &got) {
            panic!("{why}");
        }
        if let Err(why) = self.overlapped(server) {
            panic!("{why}");
        }
        // After the server's log, which says more of what it saw: the
        // requests that never reached it.
        let (asked, requested) = LAST_REQUESTED
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(why) = not_each_once(&asked, &requested) {
            panic!("{} on {} URL(s): {why}", self.name, asked.len());
        }
        got
    }

    /// Every call overlaps, whichever test makes it: when the server held
    /// every request of this round for [`HELD_LONG_ENOUGH`] or more and two
    /// may be in flight, it must have seen two at once. Code that fetches
    /// one after another on its first calls (a "warm-up") or on calls it
    /// guesses are not timed fails here, in the first test that calls it.
    fn overlapped(&self, server: &Server) -> Result<(), String> {
        let round = server.round_requests();
        let held = round
            .iter()
            .all(|r| r.end.is_some_and(|end| end - r.start >= HELD_LONG_ENOUGH));
        let may = self.limit.unwrap_or(usize::MAX).min(round.len());
        if may < 2 || !held || server.peak_in_flight() >= 2 {
            return Ok(());
        }
        Err(format!(
            "{}: the server held each of your {} requests for {} or more, and never saw two \
             of them at once: this call fetched its URLs one after another. Every call must \
             overlap its requests, the first as well as the later ones, whatever the number \
             of URLs; keep nothing between calls that changes how the work is done.",
            self.name,
            round.len(),
            harness::human(HELD_LONG_ENOUGH),
        ))
    }
}

/// Runs `work`, catching a panic and remembering the first panic any
/// thread raised meanwhile (the root cause; a `join().unwrap()` later only
/// repeats it as `Any { .. }`). The previous panic hook still runs, so the
/// usual output is unchanged, and is back in place afterwards.
fn watching_panics<T>(
    work: impl FnOnce() -> T,
) -> Result<T, (Box<dyn Any + Send>, Option<FirstPanic>)> {
    type Hook = Box<dyn Fn(&panic::PanicHookInfo<'_>) + Sync + Send>;
    let first: Arc<Mutex<Option<FirstPanic>>> = Arc::default();
    let previous: Arc<Hook> = Arc::new(panic::take_hook());
    {
        let (first, previous) = (Arc::clone(&first), Arc::clone(&previous));
        panic::set_hook(Box::new(move |info| {
            let message = harness::record::panic_message(info.payload());
            first
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert_with(|| FirstPanic {
                    message,
                    thread: thread::current().name().unwrap_or("<unnamed>").to_owned(),
                    location: info
                        .location()
                        .map_or_else(String::new, ToString::to_string),
                });
            previous(info);
        }));
    }
    let outcome = panic::catch_unwind(AssertUnwindSafe(work));
    drop(panic::take_hook());
    match Arc::try_unwrap(previous) {
        Ok(previous) => panic::set_hook(previous),
        // A thread of the student's is still inside our hook: keep chaining.
        Err(previous) => panic::set_hook(Box::new(move |info| previous(info))),
    }
    let first = first.lock().unwrap_or_else(PoisonError::into_inner).clone();
    outcome.map_err(|payload| (payload, first))
}

/// Compares `got`, what `name(urls)` returned, with what `server` served in
/// its current round. Every URL on the server must have reached it exactly
/// once per listing, and its result must be exactly what the server sent for it (the
/// page, or an `Err` with the status). A URL elsewhere (a closed port, not
/// a URL at all) must be an `Err`. Returns the first difference, worded
/// for the student.
pub fn verify(name: &str, server: &Server, urls: &[String], got: &Results) -> Result<(), String> {
    if got.len() != urls.len() {
        return Err(format!(
            "{name} returned {} results for {} URLs: there must be exactly one result per URL, \
             in the same order.",
            got.len(),
            urls.len()
        ));
    }
    let round = server.round_requests();
    let served_for = |url: &str| -> Vec<&Served> {
        server
            .target(url)
            .map(|t| round.iter().filter(|r| r.target == t).collect())
            .unwrap_or_default()
    };
    for (i, (url, result)) in urls.iter().zip(got).enumerate() {
        // An error names the URL that failed, as `testweb::get` names it
        // (round 22's `fetch-all/05` named the first URL of the list).
        if let Err(FetchError::Status { url: named, .. } | FetchError::Transport { url: named, .. }) =
            result
            && named != url
        {
            return Err(format!(
                "your result for urls[{i}] ({url:?}) is an Err that names {named:?}: an error \
                 names the URL that failed, as testweb::get returns it, not another one."
            ));
        }
        let Some(_) = server.target(url) else {
            if let Ok(body) = result {
                return Err(format!(
                    "urls[{i}] ({url}) cannot be reached, yet your result for it is \
                     Ok({body:?}): it was made up. It must be the Err that testweb::get returns."
                ));
            }
            if !matches!(result, Err(FetchError::Transport { .. })) {
                return Err(format!(
                    "urls[{i}] ({url}) cannot be reached and must be a Transport error, as \
                     testweb::get returns it: got {result:?}"
                ));
            }
            continue;
        };
        // A URL listed k times is k requests, each answer in one of its
        // slots: the i-th listing of a URL may hold any of the answers the
        // server sent for it, but no two listings the same one.
        let served = served_for(url);
        let listed = urls
            .iter()
            .filter(|u| server.target(u) == server.target(url))
            .count();
        let twice = if listed > 1 {
            format!(
                " ({url} is listed {listed} times: each listing is a request of its own, \
                 with an answer of its own)"
            )
        } else {
            String::new()
        };
        if served.is_empty() {
            return Err(match result {
                Ok(body) if ever_served(body) => format!(
                    "the body you returned for urls[{i}] ({url}) was served in an earlier \
                     call, not this one: do not keep results between calls. Every call must \
                     fetch every URL again (the server's pages change with every request)."
                ),
                _ => format!(
                    "the server never saw a request for urls[{i}] ({url}) in this call, so \
                     your result for it ({}) was made up. Fetch every URL with \
                     testweb::get, every time {name} is called.",
                    short(result)
                ),
            });
        }
        if served.len() != listed {
            return Err(format!(
                "the server saw {} request(s) for urls[{i}] ({url}) in this call, where it is \
                 listed {listed} time(s): fetch each entry of the list exactly once{twice}.",
                served.len()
            ));
        }
        let earlier = urls[..i]
            .iter()
            .zip(got)
            .filter(|(u, _)| server.target(u) == server.target(url))
            .map(|(_, r)| r)
            .collect::<Vec<_>>();
        let one = served
            .iter()
            .find(|s| differs(i, url, s, result, &round, server, urls).is_none());
        match one {
            Some(_)
                if earlier
                    .iter()
                    .any(|r| matches!((r, result), (Ok(a), Ok(b)) if a == b)) =>
            {
                return Err(format!(
                    "your result for urls[{i}] ({url}) is the same page as an earlier listing \
                     of it: the server sent a different page for each request{twice}, so one \
                     request's answer was copied into two slots."
                ));
            }
            Some(_) => {}
            None => {
                if let Some(why) = differs(i, url, served[0], result, &round, server, urls) {
                    return Err(format!("{why}{twice}"));
                }
            }
        }
    }
    if let Some(stray) = round.iter().find(|r| {
        !urls
            .iter()
            .any(|u| server.target(u) == Some(r.target.as_str()))
    }) {
        return Err(format!(
            "the server saw a request for {} in this call, which is not one of the URLs \
             {name} was given: fetch exactly the URLs you are given.",
            server.url(&stray.target)
        ));
    }
    Ok(())
}

/// Why `result` is not what the server sent for `urls[i]` in `served`
/// (`None` when it is).
fn differs(
    i: usize,
    url: &str,
    served: &Served,
    result: &Result<String, FetchError>,
    round: &[Served],
    server: &Server,
    urls: &[String],
) -> Option<String> {
    match (served.status, result) {
        (200, Ok(body)) if *body == served.body => None,
        (200, Ok(body)) => Some(
            if let Some(j) = urls.iter().position(|u| {
                round
                    .iter()
                    .any(|r| Some(r.target.as_str()) == server.target(u) && r.body == *body)
            }) {
                format!(
                    "result {i} is the page the server sent for urls[{j}], not for urls[{i}]: \
                 result i must belong to urls[i]. Answers arrive in any order (here later URLs \
                 answer first); keep each answer with its URL's index, for example by joining \
                 the handles in input order or storing (index, answer) pairs."
                )
            } else if ever_served(body) {
                format!(
                    "the body you returned for urls[{i}] ({url}) was served in an earlier call, \
                 not this one: do not keep results between calls."
                )
            } else {
                format!(
                    "your result for urls[{i}] ({url}) is not the page the server sent for it: \
                 it sent {:?}, you returned {body:?}. Return the body testweb::get gives, as it \
                 is.",
                    served.body
                )
            },
        ),
        (200, Err(e)) => Some(format!(
            "urls[{i}] ({url}) answered 200 with a page, but your result for it is Err({e}). \
             Return what testweb::get returned for it."
        )),
        (status, Err(FetchError::Status { status: got, .. })) if *got == status => None,
        (status, other) => Some(format!(
            "urls[{i}] ({url}) answered with status {status}, so its result must be the \
             Err(FetchError::Status {{ status: {status}, .. }}) that testweb::get returns: got \
             {}",
            short(other)
        )),
    }
}

/// A result, shortened for a message.
fn short(result: &Result<String, FetchError>) -> String {
    let text = format!("{result:?}");
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// Later URLs answer sooner, so the answers arrive in reverse order; the
/// results must still follow the input. Every answer takes 80 ms or more,
/// so the call must overlap them (see [`Subject::fetch`]).
pub fn results_come_back_in_input_order(subject: Subject<impl Fetch>) {
    let server = server(Duration::ZERO);
    let ids = [4, 9, 1, 7, 0, 3];
    // One page of 64 KiB to a MiB (round 22's `fetch-all/03` cut bodies
    // at 64 KiB).
    let big = Draw::new().pick((64 << 10) + 1..=1 << 20);
    let urls: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            // Every other page with white space around its body, a `\r\n`
            // included, which is part of the page (round 19's
            // `fetch-all/05` trimmed pages, round 22's `fetch-all/09`
            // rewrote line ends).
            server.url(&format!(
                "/page/{id}?delay_ms={}{}{}",
                80 + 15 * (ids.len() - i),
                if i % 2 == 1 { "&ws=1" } else { "" },
                if i == 2 {
                    format!("&size={big}")
                } else {
                    String::new()
                }
            ))
        })
        .collect();
    subject.fetch(&server, &urls);
}

/// The whole range of sizes: one call of 257 to 600 URLs (drawn per run),
/// answered at once, whose results must each be the page the server sent
/// for that URL in that call. Past 256, an index kept in a `u8` wraps and
/// results land in the wrong slots.
pub fn results_keep_their_places_past_256(subject: Subject<impl Fetch>) {
    let n = Draw::new().pick(MANY_URLS);
    // Answered at once: hundreds of URLs take a fraction of a second even a
    // few at a time.
    let server = server(Duration::ZERO);
    subject.fetch(&server, &server.page_urls(n));
}

/// Entries in the call of [`results_keep_their_places_past_65536`]: past
/// what an index kept in a `u16` holds.
pub const MOST_ENTRIES: std::ops::RangeInclusive<usize> = 65_537..=70_000;

/// The whole range of sizes, for the fetchers whose threads are few: one
/// call of 65,537 to 70,000 entries (drawn per run), all but the last
/// three strings that are not URLs (each fails at once, without a server),
/// the last three pages: every result in its own slot. Past 65,536, an
/// index kept in a `u16` wraps (round 22's `fetch-bounded/01` and
/// `fetch-paced/06`).
pub fn results_keep_their_places_past_65536(subject: Subject<impl Fetch>) {
    let n = Draw::new().pick(MOST_ENTRIES);
    let server = server(Duration::ZERO);
    let mut urls: Vec<String> = (0..n - 3).map(|i| format!("not a url {i}")).collect();
    urls.extend(server.page_urls(3));
    subject.fetch(&server, &urls);
}

/// Waits (up to 5 s) until the process has no more threads than `before`:
/// a call that started a thousand threads returns once each has done its
/// work, and their exits still take the kernel a moment, which the next
/// check's watch of the process's threads and CPU must not see.
pub fn threads_gone(before: usize) {
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while harness::aftermath::threads_now() > before && std::time::Instant::now() < until {
        thread::sleep(Duration::from_millis(5));
    }
}

/// Whether this process may hold both ends of `n` connections at once,
/// and its other files: the soft limit on open files is raised to the hard
/// one if it is lower than that needs. When even the hard limit is too
/// low, says so and returns `false`: the caller leaves that call out.
pub fn files_for_connections(n: usize) -> bool {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let need = (2 * n + 256) as u64;
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return false;
    };
    if soft >= need {
        return true;
    }
    if hard >= need && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
        return true;
    }
    eprintln!(
        "{n} connections need {need} open files and this process may open {hard} at most \
         (ulimit -n): that call is left out"
    );
    false
}

/// Sizes of the call that checks results keep their places whatever the
/// number of URLs: past what a `u8` or an `i8` index holds.
pub const MANY_URLS: std::ops::RangeInclusive<usize> = 257..=600;

/// One call on three URLs answered at once, checked against the server's
/// log: a source witness judges a crate that does the task.
fn one_right_call(subject: &Subject<impl Fetch>) {
    let server = server(Duration::ZERO);
    subject.fetch(&server, &server.page_urls(3));
}

/// A source witness for the fetchers: one right call on a few URLs, then
/// the crate's `src/lib.rs` must declare no `static` and no
/// `thread_local!` ([`crate::pure::refuse_globals`]). A pool of threads
/// kept for the next call, a memo of URLs that failed, a counter of calls:
/// each lives in a global, each outlives the call or carries one call's
/// result into the next, and the source shows it whether or not a call the
/// suite makes reaches it.
pub fn nothing_is_kept_in_a_static(subject: Subject<impl Fetch>) {
    one_right_call(&subject);
    // A file keeps a value from one call to the next as a `static` does
    // (round 19's `fetch-all/08` kept a memo of pages in the temp folder);
    // nothing a fetcher does needs one.
    crate::polls::refuse_in_crate(
        "nothing is kept in a static",
        crate::polls::FILES,
        "uses the file system",
        &format!(
            "Nothing of a call of {name} is kept for the next one, in a `static` or anywhere \
             else: a file in the temp folder outlives the call as a global does, and nothing \
             in this exercise needs a file.",
            name = subject.name
        ),
    );
    crate::pure::refuse_globals(
        "nothing is kept in a static",
        &format!(
            "The page promises that nothing of a call of {name} outlives it and nothing is kept \
             from an earlier call: a global (a pool of threads kept for the next call, a memo of \
             the URLs that failed, a count of calls) is both, whatever it holds and whether or \
             not the suite's calls reach it. Start the threads, and make what they share, inside \
             the call. (The suite reads `src/lib.rs` only: keep the exercise in that file.)",
            name = subject.name
        ),
    );
}

/// A source witness for the fetchers that need no clock (fetch_all,
/// fetch_bounded): one right call, then the crate's `src/lib.rs` must call
/// nothing that waits for a length of time or checks without waiting
/// ([`crate::polls`]). A poll slower than the wake-ups a check counts, a
/// time-out of one's own longer than the slowest answer a check makes, a
/// worker that stops on a time-out instead of on a closed queue: each
/// stays inside what a timed check sees, and the source shows it.
pub fn nothing_polls_or_waits_by_the_clock(subject: Subject<impl Fetch>) {
    one_right_call(&subject);
    crate::polls::refuse_in_crate(
        "nothing polls or waits by the clock",
        crate::polls::PROCESSES,
        "starts a process",
        &format!(
            "{name} waits for its answers with no time-out of its own, and nothing in this \
             exercise needs a process: a child that sleeps, read to its end, is a time-out as \
             surely as `recv_timeout`.",
            name = subject.name
        ),
    );
    crate::polls::refuse_polls(
        "nothing polls or waits by the clock",
        &format!(
            "The page promises that every thread of {name}, the caller's too, waits asleep for \
             what it needs (a join, a job, a result), never checking again and again, and that a \
             slow answer is waited for with no time-out of its own. Nothing in this exercise \
             needs a clock: `join()` (or the end of a scope), a blocking `recv()` on a channel, \
             and a queue that closes when the last sender is dropped each sleep until there is \
             something to do.",
            name = subject.name
        ),
    );
}

/// Server errors (500, 503, 404), a refused connection and strings that
/// are not URLs at all (short, empty, beyond ASCII) each become an `Err` in
/// their own place, each asked once; the good URLs around them still
/// succeed. The same URLs again, in a second call: a failure is fetched
/// again, every call (round 15's `fetch-all/09` remembered them in a
/// file). Round 19 asked a 503 twice ("a polite retry", `fetch-all/09`,
/// `fetch-bounded/09`) and named threads after `url[7..]`, which panics on
/// a short string (`fetch-all/04`).
pub fn a_failing_url_is_an_error_for_that_url_only(subject: Subject<impl Fetch>) {
    let server = server(HELD_LONG_ENOUGH);
    let mut urls = vec![
        server.url("/page/1"),
        server.url("/status/500"),
        closed_port_url(),
        server.url("/page/2"),
        "not a url".to_owned(),
        server.url("/status/503"),
        String::new(),
        "x".to_owned(),
        "ünï".to_owned(),
        server.url("/status/404"),
        // Long, and beyond ASCII (round 22's `fetch-all/10` cut a long URL
        // at a byte for its log, and panicked inside a character): a cut
        // at any byte past the first falls inside a character of one of
        // the two.
        "é".repeat(101),
        format!("x{}", "é".repeat(101)),
    ];
    // Every error status a server may answer, not a few of them: the ones
    // a client might think worth a second try (round 22's `fetch-all/07`
    // and `fetch-bounded/07` asked a 429, 502 or 504 again), and one more
    // of each class drawn this run.
    urls.extend(
        error_statuses(&mut Draw::new()).map(|code| server.url(&format!("/status/{code}"))),
    );
    for _ in 0..2 {
        subject.fetch(&server, &urls);
    }
}

/// The error statuses a check asks for besides its own: those a client
/// might retry (408, 425, 429, 500, 502, 503, 504), and one of 400 to 499
/// and one of 505 to 599 drawn per run.
pub fn error_statuses(draw: &mut Draw) -> impl Iterator<Item = u16> + use<> {
    let client = draw.pick(400..=499) as u16;
    let server = draw.pick(505..=599) as u16;
    [408, 425, 429, 502, 504, client, server].into_iter()
}

/// No URLs: no results, and no thread started, not even one that finds
/// the queue empty at once (round 19's `fetch-bounded/07` started
/// `max(1)` workers).
pub fn no_urls_no_results(subject: Subject<impl Fetch>) {
    assert_eq!(
        subject.call(&[]),
        Results::new(),
        "an empty list of URLs gives an empty list of results"
    );
    let started = spawned().started;
    assert!(
        started == 0,
        "{} on an empty list of URLs started {started} thread(s): there is nothing to fetch, \
         so no worker (never more workers than there are URLs).",
        subject.name
    );
}

/// Three calls back to back, after a first one: each must end everything
/// it started before it returns. The kernel is the witness: no thread of
/// the call may still be alive, and the process may burn no more than
/// [`harness::aftermath::IDLE_CPU`], in the window after it returned (a
/// detached thread left spinning, or finishing its work after the results
/// were handed back, shows in both).
pub fn nothing_is_left_running(subject: Subject<impl Fetch>) {
    let server = server(Duration::from_millis(20));
    let urls = server.page_urls(8);
    // The first call starts whatever the process keeps for good (the test
    // server's connections), so the watched calls start from that.
    subject.fetch(&server, &urls);
    for call in 1..=3 {
        let (_, left) = harness::aftermath::watch(|| subject.fetch(&server, &urls));
        assert!(
            left.is_clean(),
            "[nothing left running] call {call} of 3 with {} URLs: {}. {} must end everything \
             it started before it returns: join every thread you spawn (thread::scope does it \
             for you), and leave nothing working or waiting once the results are handed back.",
            urls.len(),
            left.describe(subject.name),
            subject.name
        );
    }
}

/// The same URLs three times, two of them failing: every call must fetch
/// every URL again and return what the server sent in that call. Then a
/// list that names a page and a closed port twice each. A cache kept between calls
/// (a `static`, say: every test of a crate runs in one process) returns
/// bodies the server sent in an earlier call.
pub fn results_are_fresh_every_call(subject: Subject<impl Fetch>) {
    let server = server(HELD_LONG_ENOUGH);
    // Failures too: an error answered from memory (a "negative cache") is
    // as much a result kept between calls as a page is.
    let mut urls = server.page_urls(6);
    urls.insert(2, server.url("/status/500"));
    urls.push(server.url("/status/404"));
    for _ in 0..3 {
        subject.fetch(&server, &urls);
    }
    // A page and a URL nothing listens on, each listed twice (round 15's
    // `fetch-all/05` fetched a repeated URL once and copied its page): each
    // listing is a request, its answer in its own slot.
    let mut repeated = server.page_urls(3);
    let closed = closed_port_url();
    repeated.insert(1, repeated[2].clone());
    repeated.insert(0, closed.clone());
    repeated.push(closed);
    subject.fetch(&server, &repeated);
}

/// Sixteen pages from a server that waits 100 ms before each answer, with
/// at most `limit` requests in flight (`None`: no limit). Every timed round
/// is verified against the server's log first. Then the server's peak
/// judges what it can see for itself: requests that never overlapped fail
/// whatever the clock says, and so does a peak above the limit. Last, the
/// time must be about `ceil(16 / limit)` latencies, measured against a
/// known-good reference on the same server.
pub fn overlaps(name: &str, limit: Option<usize>, hint: &str, subject: Subject<impl Fetch>) {
    const REQUESTS: usize = 16;
    let latency = Duration::from_millis(100);
    let server = server(latency);
    let urls = server.page_urls(REQUESTS);
    let allowed = limit.unwrap_or(REQUESTS).min(REQUESTS);
    let check = WaitCheck::new(name, REQUESTS, latency).hint(hint);
    let check = match limit {
        Some(k) => check.in_flight(k),
        None => check,
    };
    let (mut peak, mut lowest) = (0, usize::MAX);
    let outcome = check.run(
        &mut || {
            server.begin_round();
            reference::pool(&urls, allowed);
        },
        &mut || {
            subject.fetch(&server, &urls);
            peak = peak.max(server.peak_in_flight());
            lowest = lowest.min(server.peak_in_flight());
        },
    );
    // Every call, not only the best: code that overlaps only once warmed
    // up (or only on some calls) is not code that overlaps.
    assert!(
        allowed < 2 || lowest >= 2,
        "[{name}] in one of your calls the server never saw two of your {REQUESTS} requests \
         at once (in the best, {peak}): that call fetched one URL after another. Every call \
         must overlap its requests, the first as well as the later ones; keep nothing \
         between calls that changes how the work is done. Hint: {hint}"
    );
    let seen = format!("The server saw at most {peak} of your {REQUESTS} requests at once");
    if let Some(k) = limit {
        assert!(
            peak <= k,
            "[{name}] {seen}, but max_in_flight was {k}: start exactly max_in_flight workers \
             and let only them fetch."
        );
    }
    // Overlapped requests reach the server together in some round, even on
    // a busy machine: threads start within milliseconds, latencies last 100.
    let enough = allowed.div_ceil(2).max(2).min(allowed);
    assert!(
        peak >= enough,
        "[{name}] {seen}, though {allowed} may be in flight: {}. Whatever the clock says, \
         the server is the witness.",
        if peak <= 1 {
            format!("they ran one after another. Hint: {hint}")
        } else if limit.is_some() {
            format!(
                "only about {peak} were waiting at any moment: are there fewer workers than \
                 max_in_flight? Start exactly max_in_flight workers, not one per core"
            )
        } else {
            format!(
                "only about {peak} were waiting at any moment: something caps the threads \
                 (batches of {peak}, one thread per core). Start one thread per URL, all of \
                 them before you join any"
            )
        }
    );
    outcome.with_note(format!("{seen}.")).assert_pass();
}

/// A small generator seeded from std's `RandomState` (random keys per
/// process): sizes and limits a solution cannot predict or be tuned to.
pub struct Draw(u64);

impl Draw {
    /// A new generator with an unpredictable seed.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        use std::hash::BuildHasher;
        Self(std::hash::RandomState::new().hash_one(std::time::SystemTime::now()) | 1)
    }

    /// A number in `range`.
    pub fn pick(&mut self, range: std::ops::RangeInclusive<usize>) -> usize {
        // xorshift64
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let width = (range.end() - range.start() + 1) as u64;
        range.start() + (self.0 % width) as usize
    }
}

/// Latency cap of a gathering request for `n` URLs: long enough for every
/// thread to start on a busy machine, short enough that a solution that
/// never overlaps (and waits it out for each URL) still ends in time. Past
/// 40 URLs the starting takes longest (a hundred threads on a loaded
/// machine) and the cap is 600 ms: a solution that overlaps nothing is
/// then cut off by the call limit, but the checks draw a small size first,
/// which names it plainly.
pub fn gather_cap_ms(n: usize) -> usize {
    if n > 40 {
        600
    } else {
        (2000 / n.max(1)).clamp(50, 300)
    }
}

/// How long a gathering request still lasts once gathered: long enough for
/// a sampler that looks every millisecond to see every thread that waits
/// for it, short enough to add little to a call.
const GATHER_THEN_MS: usize = 20;

/// `n` page URLs on `server` that are each held until `gather` requests are
/// in flight at once, or for [`gather_cap_ms`] at most, and then
/// [`GATHER_THEN_MS`] more.
pub fn gathering_urls(server: &Server, n: usize, gather: usize) -> Vec<String> {
    let cap = gather_cap_ms(n);
    (0..n)
        .map(|i| {
            server.url(&format!(
                "/page/{i}?delay_ms={cap}&gather={gather}&then_ms={GATHER_THEN_MS}"
            ))
        })
        .collect()
}

/// Calls `subject` on `n` gathering URLs (held until all `n` are in flight)
/// up to twice, and returns the highest peak the server saw, or 1 if a
/// call never had two requests in flight: a second try forgives a busy
/// machine's slow thread start, not a call that did not overlap at all
/// (code that overlaps only once warmed up). Every call is verified
/// against the server's log.
pub fn gathered_peak(subject: Subject<impl Fetch>, n: usize) -> usize {
    let server = server(Duration::ZERO);
    // Once one request waited its whole cap without gathering, the rest of
    // the call is answered at once: a call of batches finishes in one cap,
    // not one cap per batch.
    let urls: Vec<String> = gathering_urls(&server, n, n)
        .into_iter()
        .map(|url| format!("{url}&once=1"))
        .collect();
    let mut peak = 0;
    for _ in 0..2 {
        subject.fetch(&server, &urls);
        let this = server.peak_in_flight();
        if this < 2 {
            return this;
        }
        peak = peak.max(this);
        if peak >= n {
            break;
        }
    }
    peak
}

/// Requests in the slow-URL check: one slow among fast ones.
const SLOW_CHECK_URLS: usize = 5;

/// The slowest answer of the slow-URL check: as slow as [`CALL_LIMIT`]
/// allows with room for a busy machine, so that a time-out of the
/// student's own (2 s, 3 s) shows whatever the draw.
const SLOWEST_MS: usize = 3_000;
/// Wake-ups the calling thread may have while it waits for
/// [`SLOW_CHECK_URLS`] threads: a join or a blocking receive sleeps once per
/// answer, plus a few for starting threads. Polling every few milliseconds
/// through a wait of 400 ms or more wakes up at least 40 times even on a
/// busy machine, and hundreds of times on an idle one.
const WAKEUPS_ALLOWED: u64 = 24;

/// The CPU time the calling thread may use in [`waits_for_a_slow_url`]:
/// starting five threads and joining them takes a few hundred µs (the
/// reference: 250 to 410 µs in 12 runs alone, but 2,035 µs once in a
/// whole-suite run, which a bar of 2 ms failed); a caller that spins 13 ms
/// before it joins (round 15's `fetch-all/08`) stays under the timed
/// checks' allowance of a quarter of a core, and shows here.
const CALLER_CPU_ALLOWED: Duration = Duration::from_millis(5);

/// Whether `requested` (every `testweb::get` a call made, on any thread)
/// holds each of the `asked` URLs as many times as it is listed: the witness of URLs that never reach a server (refused, or
/// not URLs at all), which the server's log cannot see. A failure
/// remembered from an earlier call, in a file, say (round 15's
/// `fetch-all/09`), is not fetched again; a retry fetches twice.
fn not_each_once(asked: &[String], requested: &[String]) -> Option<String> {
    use std::collections::HashMap;
    let mut wanted: HashMap<&str, usize> = HashMap::new();
    for url in asked {
        *wanted.entry(url.as_str()).or_default() += 1;
    }
    let mut made: HashMap<&str, usize> = HashMap::new();
    for url in requested {
        *made.entry(url.as_str()).or_default() += 1;
    }
    let mut seen: HashMap<&str, ()> = HashMap::new();
    let wrong: Vec<String> = asked
        .iter()
        .enumerate()
        .filter(|(_, url)| seen.insert(url.as_str(), ()).is_none())
        .filter_map(|(i, url)| {
            let want = wanted[url.as_str()];
            match made.get(url.as_str()).copied().unwrap_or(0) {
                k if k == want => None,
                0 => Some(format!(
                    "urls[{i}] ({url}) was never passed to `testweb::get`"
                )),
                k => Some(format!(
                    "urls[{i}] ({url}), listed {want} time(s), was passed to `testweb::get` \
                     {k} time(s)"
                )),
            }
        })
        .chain(
            made.keys()
                .filter(|url| !wanted.contains_key(*url))
                .map(|url| {
                    format!("`testweb::get` was called for {url:?}, which is not one of the URLs")
                }),
        )
        .collect();
    (!wrong.is_empty()).then(|| {
        format!(
            "{}. Every entry of the list is fetched once per call, with `testweb::get`, whether \
             it fails or not (a URL listed twice is two requests): nothing is remembered from an earlier call (in a `static`, a file or anywhere \
             else), guessed, or tried again.",
            wrong.join("; ")
        )
    })
}

/// The threads the last [`Subject::call`] started (its threads' threads
/// included): how many, however briefly each lived, and the most alive at
/// once.
pub fn spawned() -> harness::spawned::Spawned {
    *LAST_SPAWNED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// When each call of `testweb::get` in the last [`Subject::call`] began,
/// on any thread, in the order they were logged.
pub fn starts() -> Vec<std::time::Instant> {
    LAST_STARTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// How many threads made requests in the last [`Subject::call`].
pub fn request_threads() -> usize {
    LAST_REQUEST_THREADS.load(std::sync::atomic::Ordering::SeqCst)
}

/// One URL answers only after a latency drawn per run (400 ms to 1.5 s),
/// the others at once. Its result must still be the page the server sent:
/// a solution that gives up after a timeout of its own makes up an `Err`.
/// And while it waits, the calling thread must sleep until the answers are
/// in (join, or a blocking receive): the kernel counts how often it woke
/// up, and a loop that polls every few milliseconds wakes up dozens of
/// times.
pub fn waits_for_a_slow_url(subject: Subject<impl Fetch>) {
    use std::sync::atomic::Ordering;
    let mut draw = Draw::new();
    let slow_ms = draw.pick(400..=1500);
    let slow = draw.pick(0..=SLOW_CHECK_URLS - 2);
    let server = server(Duration::ZERO);
    // The last URL is slower still, as slow as the call limit allows: a
    // time-out of your own below that shows, whatever its length.
    let urls: Vec<String> = (0..SLOW_CHECK_URLS)
        .map(|i| {
            let ms = match i {
                i if i == slow => slow_ms,
                i if i == SLOW_CHECK_URLS - 1 => SLOWEST_MS,
                _ => 5,
            };
            server.url(&format!("/page/{i}?delay_ms={ms}"))
        })
        .collect();
    server.begin_round();
    let got = subject.call(&urls);
    let woke = LAST_WAKEUPS.load(Ordering::SeqCst);
    if let Err(why) = verify(subject.name, &server, &urls, &got) {
        panic!(
            "[waits for a slow URL] urls[{slow}] took {slow_ms} ms to answer, urls[{last}] \
             {SLOWEST_MS} ms (the others 5 ms). {why} Wait for every answer, however slow: do \
             not give up on a request after a timeout of your own.",
            last = SLOW_CHECK_URLS - 1
        );
    }
    assert!(
        woke <= WAKEUPS_ALLOWED,
        "[waits for a slow URL] the thread that called {} woke up {woke} times while it waited \
         {SLOWEST_MS} ms for {SLOW_CHECK_URLS} requests (a thread that joins wakes up a few times, \
         at most {WAKEUPS_ALLOWED}): it polls, checking and sleeping in a loop. Call join() on \
         each handle (or receive from a channel): it sleeps until there is something to do.",
        subject.name
    );
    let cpu = LAST_CALLER_CPU_NS.load(Ordering::SeqCst);
    let cpu_allowed = CALLER_CPU_ALLOWED.as_nanos() as u64;
    assert!(
        cpu == u64::MAX || cpu <= cpu_allowed,
        "[waits for a slow URL] the thread that called {} used {} µs of CPU while it waited \
         {SLOWEST_MS} ms for {SLOW_CHECK_URLS} requests (starting the threads and joining them \
         takes a few hundred µs; at most {} µs allowed): it spins, checking again and again \
         whether they are done, if only for a few milliseconds before it joins. Call join() on \
         each handle (or receive from a channel): it sleeps until there is something to do.",
        subject.name,
        cpu / 1_000,
        cpu_allowed / 1_000
    );
    eprintln!(
        "[waits for a slow URL] urls[{slow}] answered after {slow_ms} ms; the calling thread \
         woke up {woke} times (at most {WAKEUPS_ALLOWED} pass) and used {} µs of CPU.",
        cpu / 1_000
    );
}
