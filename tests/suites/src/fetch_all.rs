//! Suite of `exercises/threads/fetch-all`: one thread per URL.

use std::time::Duration;

use harness::WaitCheck;

use crate::fetching::{self, Results};
use crate::reference;

/// The signature under test.
pub type FetchAll = fn(&[String]) -> Results;

/// See [`fetching::results_come_back_in_input_order`].
pub fn results_come_back_in_input_order(fetch_all: FetchAll) {
    fetching::results_come_back_in_input_order(fetch_all);
}

/// See [`fetching::a_failing_url_is_an_error_for_that_url_only`].
pub fn a_failing_url_is_an_error_for_that_url_only(fetch_all: FetchAll) {
    fetching::a_failing_url_is_an_error_for_that_url_only(fetch_all);
}

/// See [`fetching::no_urls_no_results`].
pub fn no_urls_no_results(fetch_all: FetchAll) {
    fetching::no_urls_no_results(fetch_all);
}

/// 16 requests of 100 ms must take about 100 ms, not 1.6 s.
pub fn requests_overlap(fetch_all: FetchAll) {
    const REQUESTS: usize = 16;
    let latency = Duration::from_millis(100);
    let server = fetching::server(latency);
    let urls = server.page_urls(REQUESTS);
    let mut peak = 0;
    let outcome = WaitCheck::new("fetch_all overlaps its requests", REQUESTS, latency)
        .hint(
            "spawn every thread before you join any of them. Joining a handle right \
             after spawning it waits for that request before the next one starts.",
        )
        .run(&mut || reference::overlapped(&urls), &mut || {
            server.reset_peak();
            let results = fetch_all(&urls);
            peak = peak.max(server.peak_in_flight());
            assert!(
                results.iter().all(Result::is_ok),
                "every page exists: {results:?}"
            );
        });
    outcome
        .with_note(format!(
            "The server saw at most {peak} of your requests at once."
        ))
        .assert_pass();
}
