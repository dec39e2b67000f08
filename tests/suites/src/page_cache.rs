//! Suite of `exercises/pitfalls/page-cache`: a cache shared by threads
//! that never holds its lock across a fetch, and never fetches a page
//! twice.
//!
//! The witness is the test server: its log says which pages were
//! requested, how often and with which body, and its peak says how many
//! requests were in flight at once. The server can hold its answers until
//! several requests have arrived ("gathering"), so pages fetched at once
//! show a peak equal to their number on every run, and pages fetched one
//! at a time show 1. One check reads the process's CPU time, to tell
//! threads that sleep while a page is fetched from threads that spin, and
//! one counts the waiting threads' wake-ups (from the kernel), to tell
//! threads that sleep until the page is there from threads that poll.

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use harness::clock::{process_cpu_time, thread_wakeups};
use harness::pause::Pausable;
use testweb::{FetchError, Server, ever_served};

use crate::fetching::{gathering_urls, server};

/// A page cache under test: `get` as the crate's `Cache::get`.
pub trait PageCache: Sync {
    /// The page at `url`, fetched once and then served from memory.
    fn get(&self, url: &str) -> Result<String, FetchError>;
}

/// Makes a new, empty cache.
pub type NewCache = fn() -> Box<dyn PageCache>;

/// Defines `SUBJECT`, the crate's `Cache` seen as a [`PageCache`].
#[macro_export]
macro_rules! page_cache_adapter {
    ($krate:ident) => {
        struct Wrapped($krate::Cache);

        impl $crate::page_cache::PageCache for Wrapped {
            fn get(&self, url: &str) -> Result<String, ::testweb::FetchError> {
                self.0.get(url)
            }
        }

        pub const SUBJECT: $crate::page_cache::NewCache =
            || Box::new(Wrapped($krate::Cache::new()));
    };
}

crate::declare_suite!($ page_cache: NewCache = page_cache_adapter![
    a_page_is_fetched_once_then_served_from_memory,
    a_failed_fetch_is_not_repeated,
    each_cache_starts_empty,
    pages_are_fetched_at_once,
    a_page_wanted_by_many_threads_is_fetched_once,
    no_page_is_lost_when_fetches_race,
    threads_waiting_for_a_page_sleep,
    threads_waiting_for_a_page_are_woken_once,
    a_cached_page_waits_for_no_fetch,
    nothing_polls_or_waits_by_the_clock,
]);

/// Threads in the concurrent checks.
const THREADS: usize = 6;

/// Requests the server has logged for `url`.
fn requests_for(server: &Server, url: &str) -> usize {
    let target = server.target(url).expect("a URL of this server");
    server
        .requests()
        .iter()
        .filter(|r| r.target == target)
        .count()
}

/// `get` from `THREADS` threads released at once by a barrier; the page
/// each thread got, in thread order.
fn all_at_once(cache: &dyn PageCache, urls: &[String]) -> Vec<Result<String, FetchError>> {
    let start = Barrier::new(urls.len());
    thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    cache.get(url)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Threads that ask for the many pages of the first check between them.
const ASKERS: usize = 4;

/// `urls`, each asked of `cache` once, by [`ASKERS`] threads that share
/// them out: the pages are many, and a page over HTTP costs a round trip
/// that threads overlap. Each must be a page the server sent.
fn many_pages(
    cache: &dyn PageCache,
    urls: Vec<String>,
    check: &str,
) -> Vec<(String, Result<String, FetchError>)> {
    let share = urls.len().div_ceil(ASKERS);
    thread::scope(|s| {
        let askers: Vec<_> = urls
            .chunks(share.max(1))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|url| {
                            let page = cache.get(url);
                            assert!(page.is_ok(), "[{check}] get({url}) failed: {page:?}");
                            (url.clone(), page)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        askers
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// The body the server sent for `url`'s first request, if any.
fn served_body(server: &Server, url: &str) -> Option<String> {
    let target = server.target(url)?;
    server
        .requests()
        .into_iter()
        .find(|r| r.target == target)
        .map(|r| r.body)
}

/// Pages one cache is given before every page is asked for again: far
/// more than a cache that "keeps the last hundred" holds, and past a limit
/// of a round thousand, 4096 or 8192 (round 16's `page-cache/01` forgot an
/// arbitrary page past 4096).
const MANY_PAGES: std::ops::RangeInclusive<usize> = 8193..=10_000;

/// Sizes of the big page the first check asks for twice: past 64 KiB, 2
/// MiB and 8 MiB, sizes a cache might think too big to keep (round 16's
/// `page-cache/06` dropped pages over 2 MiB), up to what `testweb::get`
/// returns at all (a body of 10 MiB; round 20's `page-cache/08` cut pages
/// at 16 MiB, which no fetch returns).
const BIG_PAGE: std::ops::RangeInclusive<usize> = (8 << 20) + 1..=(10 << 20) - 1024;

/// Strings that are not URLs the first check asks for after its many
/// pages: each fails at once, with no server, and is a page all the same;
/// past a cache that clears itself at 16,384 or 32,768 pages, and enough
/// that two of them share a 32-bit key in most runs.
const FILLER_PAGES: std::ops::RangeInclusive<usize> = 100_000..=150_000;

/// How many more times the first check asks for one page: past a cache
/// that fetches a page again after every thousand answers from memory
/// (round 20's `page-cache/01`), or five thousand (round 22's
/// `page-cache/08`), or ten.
const ASKED_AGAIN: std::ops::RangeInclusive<usize> = 10_001..=30_000;

/// Two pages, each asked twice: one request each, and the second answer is
/// the first one's body; they are still in memory after [`MANY_PAGES`]
/// others; and URLs that differ only in letter case or a trailing slash
/// are different pages, each fetched once.
pub fn a_page_is_fetched_once_then_served_from_memory(new: NewCache) {
    let check = "a page is fetched once then served from memory";
    let server = server(Duration::ZERO);
    let cache = new();
    let mut firsts = Vec::new();
    let mut draw = crate::fetching::Draw::new();
    let many = draw.pick(MANY_PAGES);
    let big = server.url(&format!("/page/{}?size={}", many + 10, draw.pick(BIG_PAGE)));
    for url in server.page_urls(2).into_iter().chain([big]) {
        let first = cache.get(&url);
        let sent = served_body(&server, &url);
        assert!(
            first.as_ref().ok() == sent.as_ref(),
            "[{check}] get({url}) returned {}, but the server sent {}{}: return the body \
             `testweb::get` fetched.",
            short(&first),
            sent.clone()
                .map_or_else(|| "nothing".to_owned(), |b| short(&Ok(b))),
            if sent.is_none() {
                " (it was never asked)"
            } else {
                ""
            }
        );
        let again = cache.get(&url);
        let asked = requests_for(&server, &url);
        assert!(
            asked == 1 && again == first,
            "[{check}] the second get({url}) returned {} (the first returned {}) and the \
             server was asked for it {asked} times in all: the second get must answer from \
             memory, with the same page, without a request, whatever its size.",
            short(&again),
            short(&first)
        );
        firsts.push((url, first));
    }
    // One page asked for again and again: still one request.
    let (url, first) = &firsts[0];
    let times = draw.pick(ASKED_AGAIN);
    let changed = (0..times).filter(|_| cache.get(url) != *first).count();
    let asked = requests_for(&server, url);
    assert!(
        asked == 1 && changed == 0,
        "[{check}] get({url}) asked for {times} times more: the server was asked for it {asked} \
         times in all, and {changed} answers differed from the first. A page is fetched once \
         and answered from memory for as long as the cache lives, however often it is asked \
         for (no refresh).",
    );
    let others = many_pages(&*cache, server.page_urls(many + 2).split_off(2), check);
    let firsts_again = firsts.clone();
    for (url, first) in firsts {
        let again = cache.get(&url);
        let asked = requests_for(&server, &url);
        assert!(
            asked == 1 && again == first,
            "[{check}] after {many} other pages, get({url}) returned {} (the first get \
             returned {}) and the server was asked for it {asked} times in all: a cache keeps \
             every page it fetched, whatever its size, as long as the cache lives (no limit, no \
             eviction).",
            short(&again),
            short(&first)
        );
    }
    // Every one of the many again: none may have been forgotten to make
    // room for the others.
    let asked_before = server.requests().len();
    let changed = others
        .iter()
        .filter(|(url, first)| cache.get(url) != *first)
        .count();
    let again: Vec<String> = server.requests()[asked_before..]
        .iter()
        .map(|r| r.target.clone())
        .collect();
    assert!(
        again.is_empty() && changed == 0,
        "[{check}] {many} pages were each fetched once; asked for again, {} of them were \
         fetched again (the first: {:?}) and {changed} answered a different page: a cache \
         keeps every page it fetched as long as the cache lives, however many it holds (no \
         limit, no eviction).",
        again.len(),
        again.first()
    );
    // Tens of thousands more pages, as cheap as pages come: strings that
    // are not URLs fail at once, with no server, and an error is a page
    // too. Then the first pages again (round 20's `page-cache/02` cleared
    // its map at 32,768 pages, round 22's `page-cache/01` at 16,384).
    let filler = draw.pick(FILLER_PAGES);
    let log = testweb::CallerLog::open();
    // Each answer names its own string: a key of 32 bits shared by two of
    // them (round 16's `page-cache/02`) gives one the other's page, which
    // with 100,000 strings or more happens in most runs.
    let mut others_page = None;
    let mut failed = 0;
    for i in 0..filler {
        // Numbered in order up to 60,000, then drawn: a sequence that a
        // hash spreads evenly (FNV-1a's 32 bits, round 16's) is followed
        // by strings on which any such key collides in most runs.
        let n = if i < 60_000 {
            i as u64
        } else {
            draw.pick(60_000..=usize::MAX) as u64
        };
        let url = format!("not a url {n}");
        match cache.get(&url) {
            Err(
                FetchError::Transport { url: named, .. } | FetchError::Status { url: named, .. },
            ) => {
                failed += 1;
                if named != url && others_page.is_none() {
                    others_page = Some((url, named));
                }
            }
            Ok(_) => {}
        }
    }
    if let Some((url, named)) = others_page {
        panic!(
            "[{check}] among {filler} strings that are not URLs, each asked once, get({url:?}) \
             answered the error of {named:?}: two URLs shared one page. Key the cache by the \
             whole URL as given (a hash of it, however long, can be shared by two)."
        );
    }
    let fetched = log.urls().len();
    drop(log);
    assert!(
        failed == filler && fetched == filler,
        "[{check}] then {filler} strings that are not URLs (\"not a url 0\", \"not a url 1\", \
         ..., then drawn numbers), each asked once: {failed} of them were errors and `testweb::get` was called \
         {fetched} times. Each is a page of its own (an error is a page too): fetched once, \
         its `Err` kept."
    );
    let asked_before = server.requests().len();
    for (url, first) in &firsts_again {
        let again = cache.get(url);
        assert!(
            again == *first && server.requests().len() == asked_before,
            "[{check}] after {many} pages and {filler} more (strings that are not URLs, each \
             an error kept as a page), get({url}) was fetched again or answered another page \
             ({}): a cache keeps every page it fetched as long as the cache lives, however many \
             it holds (no limit, no clearing when it grows).",
            short(&again)
        );
    }
    let variants = [
        server.url("/page/5?v=a"),
        server.url("/page/5?v=A"),
        server.url("/page/6?v=b"),
        server.url("/page/6?v=b/"),
    ];
    for url in &variants {
        let got = cache.get(url);
        let sent = served_body(&server, url);
        let asked = requests_for(&server, url);
        assert!(
            asked == 1 && got.as_ref().ok() == sent.as_ref(),
            "[{check}] get({url}) returned {got:?}, and the server was asked for exactly that \
             URL {asked} times (it sent {sent:?}). The URLs {variants:?} differ only in letter \
             case or a trailing slash, and each is a page of its own: key the cache by the URL \
             as given."
        );
    }
    // A trailing `?` is a URL of its own too (round 22's `page-cache/04`
    // dropped it from its key): two URLs, two pages, two requests.
    let bare = server.url("/page/9");
    let spellings = [bare.clone(), format!("{bare}?")];
    let pages: Vec<_> = spellings.iter().map(|url| cache.get(url)).collect();
    let asked = server
        .requests()
        .iter()
        .filter(|r| r.target.trim_end_matches('?') == "/page/9")
        .count();
    assert!(
        asked == 2 && pages.iter().all(Result::is_ok),
        "[{check}] {spellings:?} are two URLs: the server was asked for that path {asked} times \
         in all, and they returned {:?}. URLs that differ in any way are different pages, each \
         fetched once: key the cache by the URL as given, without tidying it.",
        pages.iter().map(short).collect::<Vec<_>>()
    );
    // The same request, written three ways (round 20's `page-cache/07`
    // lowered the scheme and dropped the fragment from its key): three
    // URLs, three pages, three requests of the one target.
    let plain = server.url("/page/7?v=c");
    let written = [
        plain.clone(),
        format!("{plain}#part"),
        plain.replacen("http://", "HTTP://", 1),
    ];
    let pages: Vec<_> = written.iter().map(|url| cache.get(url)).collect();
    let asked = requests_for(&server, &plain);
    assert!(
        asked == 3 && pages.iter().all(Result::is_ok),
        "[{check}] {written:?} are three URLs (the server is asked for the same path by each): \
         the server was asked {asked} times in all, and they returned {:?}. URLs that differ \
         in any way are different pages, each fetched once: key the cache by the URL as given, \
         without lowering its case or dropping its fragment.",
        pages.iter().map(short).collect::<Vec<_>>()
    );
}

/// A page as a message shows it: its first 80 characters and its length.
fn short(page: &Result<String, FetchError>) -> String {
    match page {
        Ok(body) if body.len() > 80 => {
            format!("Ok({:?}... ({} bytes))", &body[..80], body.len())
        }
        other => format!("{other:?}"),
    }
}

/// Gets of one failing page: `Page` is a `Result`, and an `Err` is a page
/// like any other, fetched once and then served from memory.
pub fn a_failed_fetch_is_not_repeated(new: NewCache) {
    let check = "a failed fetch is not repeated";
    let server = server(Duration::ZERO);
    let url = server.url("/status/503");
    let cache = new();
    let gets = 3;
    let got: Vec<_> = (0..gets).map(|_| cache.get(&url)).collect();
    let asked = requests_for(&server, &url);
    let failed = got
        .iter()
        .all(|g| matches!(g, Err(FetchError::Status { status: 503, .. })));
    assert!(
        asked == 1 && failed,
        "[{check}] one cache was asked {gets} times for {url}, which answers 503: the server \
         got {asked} requests for it, and the gets returned {got:?}. A failed fetch is the \
         page too (`Page` is a `Result`): store the `Err` like an `Ok`, and answer the later \
         gets from memory instead of fetching again."
    );
    // A URL where nothing listens fails before any server sees it: the
    // client's log counts the fetches (round 16's `page-cache/07` kept
    // status errors only, and fetched a refused connection again).
    let closed = testweb::closed_port_url();
    let log = testweb::CallerLog::open();
    let got: Vec<_> = (0..gets).map(|_| cache.get(&closed)).collect();
    let fetched = log.urls().iter().filter(|u| **u == closed).count();
    assert!(
        fetched == 1 && got.iter().all(Result::is_err),
        "[{check}] one cache was asked {gets} times for {closed}, where nothing listens: \
         `testweb::get` was called {fetched} times for it, and the gets returned {got:?}. \
         Every failure is a page, whatever its kind (a refused connection as much as an \
         error status): kept, and answered from memory."
    );
    // A connection reset, which a cache might take for a "transient"
    // failure worth fetching again (round 20's `page-cache/06` dropped
    // errors that mention a reset, a time-out or DNS).
    let resets = testweb::Resets::start();
    let reset = resets.url();
    let got: Vec<_> = (0..gets).map(|_| cache.get(&reset)).collect();
    let fetched = log.urls().iter().filter(|u| **u == reset).count();
    assert!(
        fetched == 1 && got.iter().all(Result::is_err),
        "[{check}] one cache was asked {gets} times for {reset}, whose every connection is \
         reset: `testweb::get` was called {fetched} times for it, and the gets returned \
         {got:?}. Every failure is a page, whatever its kind (a reset or a time-out as much as \
         an error status): kept, and answered from memory."
    );
    drop(resets);
    // Every error status, those a cache might take for "come back later"
    // too (round 22's `page-cache/02` dropped a 429, 502 or 504 from the
    // map once answered).
    for code in crate::fetching::error_statuses(&mut crate::fetching::Draw::new()) {
        let url = server.url(&format!("/status/{code}"));
        let got: Vec<_> = (0..gets).map(|_| cache.get(&url)).collect();
        let asked = requests_for(&server, &url);
        assert!(
            asked == 1 && got.iter().all(Result::is_err),
            "[{check}] one cache was asked {gets} times for {url}, which answers {code}: the \
             server got {asked} requests for it, and the gets returned {got:?}. Every failure \
             is a page, whatever its status (\"come back later\" as much as \"not found\"): kept, \
             and answered from memory."
        );
    }
    // Many threads at once after a slow failure: one fetch, and every one
    // of them gets that same error (round 16's `page-cache/09` had a
    // waiter that got the error fetch the page again itself).
    let slow = crate::fetching::server(Duration::from_millis(200));
    let url = slow.url("/status/503");
    let cache = new();
    let got = all_at_once(&*cache, &vec![url.clone(); THREADS]);
    let asked = requests_for(&slow, &url);
    assert!(
        asked == 1 && got.iter().all(|g| g == &got[0]) && got[0].is_err(),
        "[{check}] {THREADS} threads asked one cache for {url} at once (it answers 503 after \
         200 ms): the server got {asked} requests for it, and the threads got {got:?}. The \
         threads that waited for the fetch get its error as it is: none fetches the page \
         again, however it failed."
    );
}

/// A new cache knows no pages: it fetches them afresh.
pub fn each_cache_starts_empty(new: NewCache) {
    let check = "each cache starts empty";
    let server = server(Duration::ZERO);
    let url = server.url("/page/0");
    let first = new().get(&url);
    let second = new().get(&url);
    let asked = requests_for(&server, &url);
    assert!(
        asked == 2 && first != second && second.as_ref().is_ok_and(|b| ever_served(b)),
        "[{check}] two new caches each got {url} once: the server was asked {asked} times \
         and they returned {first:?} and {second:?}. Each cache must fetch its own copy \
         (the server's bodies differ on every request): keep the pages in the `Cache`, not \
         in a `static`."
    );
    // A big page too (round 22's `page-cache/05` shared pages over 1 MiB
    // between caches, in a `static`, "so a 10 MiB page is never held
    // twice").
    let size = crate::fetching::Draw::new().pick((1 << 20) + 1..=2 << 20);
    let url = server.url(&format!("/page/1?size={size}"));
    let first = new().get(&url);
    let second = new().get(&url);
    let asked = requests_for(&server, &url);
    assert!(
        asked == 2 && first != second && second.as_ref().is_ok_and(|b| ever_served(b)),
        "[{check}] two new caches each got {url} once, a page of {size} bytes: the server was \
         asked {asked} times. Each cache fetches its own copy of every page, whatever its \
         size: keep the pages in the `Cache`, not in a `static`."
    );
    // And the source: no global, whatever it holds and whether or not a
    // call of the suite reaches it.
    crate::pure::refuse_globals_from(
        check,
        &["new", "get"],
        "The page promises that a new cache is empty and that each cache fetches its own \
         pages: what a cache keeps lives in the `Cache` value, not in a global that every \
         cache shares.",
    );
}

/// Pages a cache is given between the two rounds of
/// [`pages_are_fetched_at_once`]: a cache may change its ways as it grows
/// (fetch under the lock "once it is warm", a second map past some size),
/// and the rule holds at every size.
const WARM_PAGES: std::ops::RangeInclusive<usize> = 1025..=1500;

/// Six threads, six different pages, at once: the server must see all six
/// requests in flight together. Twice with one cache: while it is empty,
/// and again once it holds [`WARM_PAGES`] more pages.
pub fn pages_are_fetched_at_once(new: NewCache) {
    let check = "pages are fetched at once";
    let cache = new();
    let cold = server(Duration::ZERO);
    let warm = server(Duration::ZERO);
    let warm_pages = crate::fetching::Draw::new().pick(WARM_PAGES);
    for (round, server) in [&cold, &warm].into_iter().enumerate() {
        if round == 1 {
            for url in warm.page_urls(warm_pages) {
                let page = cache.get(&url);
                assert!(page.is_ok(), "[{check}] get({url}) failed: {page:?}");
            }
        }
        let held = round * (THREADS + warm_pages);
        let urls = gathering_urls(server, THREADS, THREADS);
        server.begin_round();
        let got = all_at_once(&*cache, &urls);
        let peak = server.peak_in_flight();
        assert!(
            peak >= THREADS,
            "[{check}] {THREADS} threads each asked for a different page at once, with {held} \
             pages already in the cache, and the server saw at most {peak} of those requests \
             in flight together (it held each answer until all {THREADS} had arrived, or {} \
             ms). The fetches took turns: the cache's lock was held while a page was \
             fetched, so every other thread waited for the network too. Hold the lock only \
             to look up or store, never across `testweb::get`, however many pages the cache \
             holds.",
            crate::fetching::gather_cap_ms(THREADS)
        );
        for (url, page) in urls.iter().zip(&got) {
            assert_eq!(
                page.as_ref().ok(),
                served_body(server, url).as_ref(),
                "[{check}] get({url})"
            );
        }
    }
    many_at_once(&*cache, check);
}

/// Threads of the wide round of [`pages_are_fetched_at_once`]: enough
/// different pages at once that a lock shared by a group of pages (a few
/// thousand "stripes", a page's lock picked by its hash) has two of them
/// in one group, and one waits for the other's fetch.
const WIDE: usize = 256;

/// The wide round: [`WIDE`] threads, each a different page, all in flight
/// together. A second try forgives a thread that a busy machine started
/// too late for the gathering; a lock shared by pages fails both.
fn many_at_once(cache: &dyn PageCache, check: &str) {
    let mut peaks = Vec::new();
    for _ in 0..2 {
        let server = server(Duration::ZERO);
        let urls = gathering_urls(&server, WIDE, WIDE);
        let got = all_at_once(cache, &urls);
        peaks.push(server.peak_in_flight());
        for (url, page) in urls.iter().zip(&got) {
            assert_eq!(
                page.as_ref().ok(),
                served_body(&server, url).as_ref(),
                "[{check}] get({url})"
            );
        }
        if peaks.last() >= Some(&WIDE) {
            return;
        }
    }
    panic!(
        "[{check}] {WIDE} threads each asked for a different page at once, twice, and the \
         server saw at most {peaks:?} of those requests in flight together (it held each \
         answer until all {WIDE} had arrived, or {} ms). Some fetches waited for others: a \
         lock shared by several pages (one per group of pages, picked by a hash, say) was \
         held across a fetch, so two pages of one group were fetched one after the other. \
         Threads that want different pages fetch them at the same time: a lock held across \
         `testweb::get` may cover that one page, never others.",
        crate::fetching::gather_cap_ms(WIDE)
    );
}

/// Six threads ask for the same slow page at once: one request, and all
/// six get its body.
pub fn a_page_wanted_by_many_threads_is_fetched_once(new: NewCache) {
    let check = "a page wanted by many threads is fetched once";
    let server = server(Duration::from_millis(200));
    let url = server.url("/page/7");
    let cache = new();
    let got = all_at_once(&*cache, &vec![url.clone(); THREADS]);
    let asked = requests_for(&server, &url);
    let sent = served_body(&server, &url);
    let same = got.iter().all(|g| g.as_ref().ok() == sent.as_ref());
    assert!(
        asked == 1 && same,
        "[{check}] {THREADS} threads asked for {url} at once (it takes 200 ms): the server \
         got {asked} requests for it, and the threads got {} different answers. The page \
         must be fetched once: the first thread fetches, the others wait for that fetch (for \
         example a `OnceLock` per URL, found or added under the map's lock and filled \
         outside it) instead of checking, unlocking and fetching it themselves.",
        got.iter()
            .map(|g| format!("{g:?}"))
            .collect::<std::collections::HashSet<_>>()
            .len()
    );
}

/// Six different pages fetched at once, then each asked again: all six
/// must be in the cache, whatever order the fetches finished in.
pub fn no_page_is_lost_when_fetches_race(new: NewCache) {
    let check = "no page is lost when fetches race";
    let server = server(Duration::ZERO);
    let urls = gathering_urls(&server, THREADS, THREADS);
    let cache = new();
    let first = all_at_once(&*cache, &urls);
    let before = server.served();
    let again: Vec<_> = urls.iter().map(|u| cache.get(u)).collect();
    let refetched = server.served() - before;
    let changed = first.iter().zip(&again).filter(|(a, b)| a != b).count();
    assert!(
        refetched == 0 && changed == 0,
        "[{check}] {THREADS} pages were fetched at once; asked again one by one, {refetched} \
         of them were fetched again and {changed} came back different. The cache lost pages \
         stored by threads that finished at the same time: store each page into the shared \
         map under its lock, never by writing back a copy of the map taken before the \
         fetch."
    );
}

/// Six threads wait 400 ms for one page: the process must spend little
/// CPU meanwhile.
pub fn threads_waiting_for_a_page_sleep(new: NewCache) {
    let check = "threads waiting for a page sleep";
    let latency = Duration::from_millis(400);
    let server = server(latency);
    let url = server.url("/page/1");
    let cache = new();
    let cpu = process_cpu_time();
    let wall = Instant::now();
    let got = all_at_once(&*cache, &vec![url.clone(); THREADS]);
    let (cpu, wall) = (process_cpu_time() - cpu, wall.elapsed());
    // Asleep, six threads and the server use a few milliseconds (3 ms for
    // the reference here). Five waiters that loop on the map's lock burn
    // hundreds (240 ms measured: the contended mutex puts some of them to
    // sleep now and then, so less than two whole cores).
    let allowed = latency / 8;
    assert!(
        cpu < allowed,
        "[{check}] {THREADS} threads waited {wall:.0?} for one page, and the process used \
         {cpu:.0?} of CPU meanwhile (allowed: {allowed:?}; threads that sleep use a few \
         ms). The waiting threads spin: they loop, checking whether the page has arrived. \
         Let them block until it has (a `OnceLock`'s `get_or_init`, or a `Condvar`)."
    );
    assert!(
        got.iter().all(Result::is_ok),
        "[{check}] get({url}) failed: {got:?}"
    );
}

/// How long the page of [`threads_waiting_for_a_page_are_woken_once`]
/// takes.
/// A second: long enough that a waiter that looks again every 150 ms
/// wakes more often than [`WAKEUPS_PER_GET`] allows.
const WAKEUP_CHECK_LATENCY: Duration = Duration::from_millis(1_000);

/// Wake-ups one thread may have in its `get` while the page is fetched.
/// A thread that blocks (in `get_or_init`, or on a `Condvar`) wakes once
/// when the page is there, plus one or two if the map's lock was
/// contended; the one that fetches wakes once for the answer (the
/// reference: 1 in every thread, 7 runs of 7, at 400 ms). Waiters that
/// sleep 5 ms and look again woke 79 to 89 times in 400 ms; one that sleeps
/// 50 ms looks 1000 / 50 = 20 times (arithmetic, not measured), one that
/// sleeps 150 ms 6 or 7 times.
const WAKEUPS_PER_GET: u64 = 6;

/// Six threads wait 400 ms for one page, and each counts its own wake-ups
/// around its `get` (voluntary context switches, counted by the kernel): a
/// thread that sleeps until the page is there wakes once or twice, one that
/// sleeps a little and looks again (and so uses little CPU) wakes every
/// time it looks. No clock is read.
pub fn threads_waiting_for_a_page_are_woken_once(new: NewCache) {
    let check = "threads waiting for a page are woken once";
    let server = server(WAKEUP_CHECK_LATENCY);
    let url = server.url("/page/2");
    let cache = new();
    let start = Barrier::new(THREADS);
    let got: Vec<(Result<String, FetchError>, u64)> = thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (start, cache, url) = (&start, &*cache, &url);
                s.spawn(move || {
                    start.wait();
                    let before = thread_wakeups();
                    let page = cache.get(url);
                    (page, thread_wakeups().saturating_sub(before))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let woke: Vec<u64> = got.iter().map(|&(_, w)| w).collect();
    let most = woke.iter().copied().max().unwrap_or(0);
    assert!(
        most <= WAKEUPS_PER_GET,
        "[{check}] {THREADS} threads asked for {url} at once (it takes {} ms), and the \
         thread that woke up most woke {most} times during its get (each thread: {woke:?}; \
         a thread that sleeps until the page is there wakes 1 or 2 times, at most \
         {WAKEUPS_PER_GET} pass). The waiting threads poll: they sleep a little, lock the \
         map and look again. Let them block until the page has arrived (a `OnceLock`'s \
         `get_or_init`, or a `Condvar` the fetching thread notifies).",
        WAKEUP_CHECK_LATENCY.as_millis()
    );
    let sent = served_body(&server, &url);
    assert!(
        got.iter()
            .all(|(page, _)| page.as_ref().ok() == sent.as_ref()),
        "[{check}] get({url}) returned {:?}, but the server sent {sent:?}",
        got.iter().map(|(page, _)| page).collect::<Vec<_>>()
    );
    eprintln!(
        "[{check}] {THREADS} threads waited {} ms for one page; their wake-ups during get: \
         {woke:?} (at most {WAKEUPS_PER_GET} pass).",
        WAKEUP_CHECK_LATENCY.as_millis()
    );
}

/// The most the server holds the slow page of
/// [`a_cached_page_waits_for_no_fetch`]: it answers as soon as the check
/// sends a second request, which it does once the cached page is back, so
/// only a cache that makes the cached page wait for that fetch waits this
/// long.
const HELD_FETCH_MS: u64 = 3_000;

/// How long [`a_cached_page_waits_for_no_fetch`] gives the second thread
/// to fall asleep in its `get` (it blocks within microseconds) before it
/// goes on without it.
const WAITER_ASLEEP_WITHIN: Duration = Duration::from_secs(1);

/// Polls `done` until it holds or `within` has passed; whether it held.
fn eventually(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + within;
    loop {
        if done() {
            return true;
        }
        if Instant::now() > until {
            return false;
        }
        thread::sleep(Duration::from_micros(200));
    }
}

/// One page is fetched and cached. Then one thread asks for a second page,
/// which the server holds; once the server has that request, a second
/// thread asks for the same page and falls asleep waiting for it; and then
/// the cached page is asked for. It must come back while the server still
/// holds the other page: the server's log says whether that fetch had
/// ended when the cached page was returned (no clock is read). Only then
/// does the check tell the server to answer.
pub fn a_cached_page_waits_for_no_fetch(new: NewCache) {
    let check = "a cached page waits for no fetch";
    let server = server(Duration::ZERO);
    let cache = new();
    let cached = server.url("/page/0");
    let first = cache.get(&cached);
    assert!(
        first.as_ref().ok() == served_body(&server, &cached).as_ref(),
        "[{check}] get({cached}) returned {first:?}, but the server sent {:?}",
        served_body(&server, &cached)
    );
    server.begin_round();
    // Answered when a second request is in flight with it (`gather=2`), or
    // after HELD_FETCH_MS.
    let slow = server.url(&format!("/page/1?delay_ms={HELD_FETCH_MS}&gather=2"));
    let release = server.url(&format!("/page/2?delay_ms={HELD_FETCH_MS}&gather=2"));
    let slow_target = server
        .target(&slow)
        .expect("a URL of this server")
        .to_owned();
    let slow_requests = || {
        server
            .round_requests()
            .into_iter()
            .filter(|r| r.target == slow_target)
            .collect::<Vec<_>>()
    };
    let (again, fetched, waited, held, asked) = thread::scope(|s| {
        let fetcher = s.spawn(|| cache.get(&slow));
        let arrived = eventually(Duration::from_millis(HELD_FETCH_MS), || {
            !slow_requests().is_empty() || fetcher.is_finished()
        });
        let (tell, told) = std::sync::mpsc::channel();
        let (cache, slow) = (&*cache, &slow);
        let waiter = s.spawn(move || {
            let _ = tell.send(Pausable::current());
            cache.get(slow)
        });
        if let Ok(waiting) = told.recv() {
            // A thread blocked in `get` sleeps; a correct cache would
            // answer the cached page however long this takes.
            eventually(WAITER_ASLEEP_WITHIN, || waiting.state() == Some('S'));
        }
        let again = cache.get(&cached);
        let held = arrived && slow_requests().first().is_some_and(|r| r.end.is_none());
        if held {
            // Release the held fetch: a second request in flight.
            let _ = testweb::get(&release);
        }
        let fetched = fetcher
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        let waited = waiter
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        // Every request for the page, the second thread's included if it
        // fetched too.
        (again, fetched, waited, held, slow_requests())
    });
    assert!(
        !asked.is_empty(),
        "[{check}] get({slow}) on one thread: the server never got a request for it (the get \
         returned {fetched:?}). Fetch the page with `testweb::get`."
    );
    assert!(
        asked.len() == 1,
        "[{check}] two threads asked for {slow} (the second once the first's request had \
         reached the server): the server got {} requests for it. The page must be fetched \
         once: the second thread waits for the first one's fetch.",
        asked.len()
    );
    assert!(
        held,
        "[{check}] {cached} was in the cache; while the server held {slow} (asked for by one \
         thread, and awaited by a second), get({cached}) returned only after that fetch had \
         ended (the server holds it {HELD_FETCH_MS} ms, unless asked to answer, which the \
         check does as soon as the cached page is back). A thread whose page is already in \
         the cache waited for another page's fetch: a lock was held while a page was fetched, \
         or while a thread waited for one (a page's lock taken with the map's lock held). \
         Hold the map's lock only to find or add a page's cell, and wait for a page with the \
         map unlocked."
    );
    assert!(
        again == first,
        "[{check}] get({cached}) returned {again:?} the second time, {first:?} the first."
    );
    let sent = served_body(&server, &slow);
    assert!(
        fetched.as_ref().ok() == sent.as_ref() && waited.as_ref().ok() == sent.as_ref(),
        "[{check}] the two threads that asked for {slow} got {fetched:?} and {waited:?}, but \
         the server sent {sent:?}."
    );
}

/// A source witness: one right `get`, then `get` and the functions of
/// `src/lib.rs` it calls must call nothing that sleeps, waits with a
/// time-out, checks without waiting or reads the clock
/// ([`crate::polls::refuse_polls_from`]). A poll every 250 ms wakes fewer
/// times than the wake-up check counts, a waiter that gives up after 1.5 s
/// and fetches the page itself waits longer than any fetch the suite holds,
/// and pages that expire after a minute outlive every check (round 13,
/// `page-cache/01`, `04` and `08`); the source shows each.
pub fn nothing_polls_or_waits_by_the_clock(new: NewCache) {
    let server = server(Duration::ZERO);
    let url = server.url("/page/1");
    let page = new().get(&url);
    assert!(page.is_ok(), "get({url}) failed: {page:?}");
    crate::polls::refuse_polls_from(
        "nothing polls or waits by the clock",
        "get",
        "The page promises that threads waiting for a page sleep until it is there (no polling, \
         no giving up after a while: one fetch per page, however slow), and that a page is kept \
         for as long as the cache lives (no expiry). Nothing here needs a clock: a `Condvar` \
         waited on until the fetching thread stores the page wakes each waiter once.",
    );
    // A clock read from a file or a process is a clock all the same
    // (round 20's `page-cache/05` expired pages by `/proc/uptime`), and
    // a file outlives the cache as a global would.
    for (table, doing) in [
        (crate::polls::FILES, "uses the file system"),
        (crate::polls::PROCESSES, "starts a process"),
    ] {
        crate::polls::refuse_in_crate(
            "nothing polls or waits by the clock",
            table,
            doing,
            "A page is kept for as long as the cache lives, and nothing in this exercise needs \
             a clock, a file or a process: `/proc/uptime`, a file's time stamp or a child \
             `sleep` is a clock as surely as `Instant::now`.",
        );
    }
}
