//! Suite of `exercises/threads/fetch-all`: one thread per URL.

use std::time::Duration;

use crate::fetching::{self, Results, Subject};

/// The signature under test.
pub type FetchAll = fn(&[String]) -> Results;

fn subject(fetch_all: FetchAll) -> Subject<FetchAll> {
    Subject::new("fetch_all", fetch_all)
}

/// See [`fetching::results_come_back_in_input_order`].
pub fn results_come_back_in_input_order(fetch_all: FetchAll) {
    fetching::results_come_back_in_input_order(subject(fetch_all));
    fetching::results_keep_their_places_past_256(subject(fetch_all));
}

/// See [`fetching::a_failing_url_is_an_error_for_that_url_only`].
pub fn a_failing_url_is_an_error_for_that_url_only(fetch_all: FetchAll) {
    fetching::a_failing_url_is_an_error_for_that_url_only(subject(fetch_all));
}

/// See [`fetching::no_urls_no_results`].
pub fn no_urls_no_results(fetch_all: FetchAll) {
    fetching::no_urls_no_results(subject(fetch_all));
}

/// See [`fetching::results_are_fresh_every_call`].
pub fn results_are_fresh_every_call(fetch_all: FetchAll) {
    fetching::results_are_fresh_every_call(subject(fetch_all));
}

/// See [`fetching::nothing_is_left_running`].
pub fn nothing_is_left_running(fetch_all: FetchAll) {
    fetching::nothing_is_left_running(subject(fetch_all));
}

/// A single URL is fetched on a thread of its own too; then 16 requests of
/// 100 ms must take about 100 ms, not 1.6 s.
pub fn requests_overlap(fetch_all: FetchAll) {
    let server = fetching::server(std::time::Duration::ZERO);
    subject(fetch_all).fetch(&server, &server.page_urls(1));
    fetching::overlaps(
        "fetch_all overlaps its requests",
        None,
        "spawn every thread before you join any of them. Joining a handle right after \
         spawning it waits for that request before the next one starts.",
        subject(fetch_all),
    );
}

/// Five calls, of sizes drawn per run (2 URLs, 3 to 9, 10 to 40, 41 to 160
/// and 161 to 200: bands with no gap up to about the most requests the
/// test server holds in flight at once, 200), then one of 201 to 600 URLs
/// whose threads the kernel counts, each answered only once all its requests are in flight (or after
/// a few hundred ms): the server must see every URL of every call at once.
/// No size is special, so no threshold or batch size can pass it (round
/// 15's `fetch-all/01` ran batches of 200).
pub fn every_url_in_flight_whatever_the_count(fetch_all: FetchAll) {
    let mut draw = fetching::Draw::new();
    // The whole range: from 2 URLs to more than any cap a student may pick
    // (cores, 16, 32, 64 threads).
    // Two URLs always: the smallest size where a "not worth a thread" rule
    // could go one by one.
    let sizes = [
        2,
        draw.pick(3..=9),
        draw.pick(10..=40),
        draw.pick(41..=160),
        draw.pick(161..=200),
    ];
    for n in sizes {
        let peak = fetching::gathered_peak(subject(fetch_all), n);
        assert!(
            peak >= n,
            "[every URL in flight whatever the count] with {n} URLs (sizes drawn this run: \
             {sizes:?}) the server saw at most {peak} requests at once, though it held each \
             answer until all {n} were in flight together (or {} ms). {}",
            fetching::gather_cap_ms(n),
            if peak <= 1 {
                "They ran one after another: spawn one thread per URL, every one of them \
                 before you join any, whatever the number of URLs."
                    .to_owned()
            } else {
                format!(
                    "Only {peak} were in flight together: something caps the threads (batches, \
                     one thread per core, a size threshold). fetch_all starts one thread per \
                     URL, all {n} of them, before it joins any."
                )
            }
        );
    }
    // Past what the server holds in flight at once: 201 to 600 URLs, each
    // answered after 600 ms (round 15's `fetch-all/01` ran batches of 200).
    // The threads the call started, counted as each starts and ends, must
    // all be alive at once. (A call past a thousand, for round 19's waves
    // of 1,000 and pool of 1,024, took this check past its 8 s in a
    // fresh-clone CI: not made.)
    let calls = [(draw.pick(201..=600), Duration::from_millis(600))];
    for (n, latency) in calls {
        let server = fetching::server(latency);
        let urls = server.page_urls(n);
        let before = harness::aftermath::threads_now();
        subject(fetch_all).fetch(&server, &urls);
        fetching::threads_gone(before);
        let threads = fetching::spawned();
        assert!(
            threads.peak >= n,
            "[every URL in flight whatever the count] with {n} URLs, each answered after {}, \
             fetch_all started {} threads, at most {} of them running at once (every start \
             and end is counted): something caps the threads (batches of a few hundred, \
             waves of a thousand, a pool of 1,024). fetch_all starts one thread per URL, all \
             {n} of them, before it joins any, however many there are.",
            harness::human(latency),
            threads.started,
            threads.peak
        );
    }
    // Past a thousand (round 22's `fetch-all/01` fetched in batches of
    // 1,000): 1,001 to 1,200 URLs that the course's `get` answers itself,
    // each held until all are in its hands at once (or 2 s), with no
    // server or socket, so a thread per URL costs little.
    let n = draw.pick(1_001..=1_200);
    let gathering = testweb::Gathering::new(n, GATHERED_WITHIN);
    let urls: Vec<String> = (0..n).map(|i| gathering.url(i)).collect();
    let got = subject(fetch_all).call(&urls);
    let peak = gathering.peak();
    let misplaced = testweb::Gathering::misplaced(&urls, &got);
    assert!(
        peak >= n && misplaced == 0,
        "[every URL in flight whatever the count] with {n} URLs that the course's `get` answers \
         itself, each held until all {n} were in `get` at once (or {}), at most {peak} were in \
         flight together, and {} of the {} results were not their URL's answer in its place: \
         something caps the threads (batches or waves of a thousand, a pool of 1,024). \
         fetch_all starts one thread per URL, all {n} of them, before it joins any, however \
         many there are.",
        harness::human(GATHERED_WITHIN),
        misplaced,
        n
    );
}

/// How long the in-process gathering of [`every_url_in_flight_whatever_the_count`]
/// holds a call at most: a thousand threads start in well under that on a
/// busy machine, and batches wait it once.
const GATHERED_WITHIN: Duration = Duration::from_secs(2);

/// See [`fetching::nothing_is_kept_in_a_static`].
pub fn nothing_is_kept_in_a_static(fetch_all: FetchAll) {
    fetching::nothing_is_kept_in_a_static(subject(fetch_all));
}

/// See [`fetching::nothing_polls_or_waits_by_the_clock`].
pub fn nothing_polls_or_waits_by_the_clock(fetch_all: FetchAll) {
    fetching::nothing_polls_or_waits_by_the_clock(subject(fetch_all));
}

/// See [`fetching::waits_for_a_slow_url`].
pub fn waits_for_a_slow_url(fetch_all: FetchAll) {
    fetching::waits_for_a_slow_url(subject(fetch_all));
}

crate::declare_suite!($ fetch_all: FetchAll = [
    results_come_back_in_input_order,
    a_failing_url_is_an_error_for_that_url_only,
    no_urls_no_results,
    results_are_fresh_every_call,
    requests_overlap,
    every_url_in_flight_whatever_the_count,
    waits_for_a_slow_url,
    nothing_is_left_running,
    nothing_is_kept_in_a_static,
    nothing_polls_or_waits_by_the_clock,
]);
