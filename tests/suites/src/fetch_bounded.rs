//! Suite of `exercises/threads/fetch-bounded`: at most K requests in flight.

use std::num::NonZeroUsize;
use std::time::Duration;

use testweb::page_body;

use crate::fetching::{self, Results};

/// The signature under test.
pub type FetchBounded = fn(&[String], NonZeroUsize) -> Results;

fn k(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("suite limits are positive")
}

/// See [`fetching::results_come_back_in_input_order`].
pub fn results_come_back_in_input_order(fetch_bounded: FetchBounded) {
    fetching::results_come_back_in_input_order(|urls| fetch_bounded(urls, k(2)));
}

/// See [`fetching::a_failing_url_is_an_error_for_that_url_only`].
pub fn a_failing_url_is_an_error_for_that_url_only(fetch_bounded: FetchBounded) {
    fetching::a_failing_url_is_an_error_for_that_url_only(|urls| fetch_bounded(urls, k(2)));
}

/// See [`fetching::no_urls_no_results`].
pub fn no_urls_no_results(fetch_bounded: FetchBounded) {
    fetching::no_urls_no_results(|urls| fetch_bounded(urls, k(3)));
}

/// Fetches `n` pages with limit `limit` and checks results and the server's
/// peak; returns the peak.
fn fetch_pages(fetch_bounded: FetchBounded, n: usize, limit: usize, latency: Duration) -> usize {
    let server = fetching::server(latency);
    let got = fetch_bounded(&server.page_urls(n), k(limit));
    let want: Results = (0..n).map(|i| Ok(page_body(i))).collect();
    assert_eq!(got, want, "{n} pages with max_in_flight = {limit}");
    let peak = server.peak_in_flight();
    assert!(
        peak <= limit,
        "the server saw {peak} requests at once, but max_in_flight was {limit}: \
         start exactly max_in_flight workers (or fewer, when there are fewer URLs)"
    );
    peak
}

/// The server's peak must reach K and never pass it.
pub fn never_more_than_k_in_flight(fetch_bounded: FetchBounded) {
    let peak = fetch_pages(fetch_bounded, 12, 3, Duration::from_millis(50));
    assert_eq!(
        peak, 3,
        "with 12 URLs and max_in_flight = 3 the server should see 3 requests at once, \
         but it saw at most {peak}: are the workers running at the same time?"
    );
}

/// A limit above the number of URLs is not an error.
pub fn more_workers_than_urls(fetch_bounded: FetchBounded) {
    fetch_pages(fetch_bounded, 3, 8, Duration::from_millis(20));
}

/// With a limit of one, one request at a time.
pub fn one_worker_fetches_one_at_a_time(fetch_bounded: FetchBounded) {
    fetch_pages(fetch_bounded, 4, 1, Duration::from_millis(5));
}

/// 16 requests of 100 ms, 4 at a time: about 4 × 100 ms, not 16 × 100 ms.
pub fn waves_take_rounds_times_latency(fetch_bounded: FetchBounded) {
    const LIMIT: usize = 4;
    fetching::overlaps(
        "fetch_bounded keeps K requests in flight",
        Some(LIMIT),
        "start all max_in_flight workers before joining any, and let each worker loop \
         over the shared queue until it is empty and closed.",
        |urls| fetch_bounded(urls, k(LIMIT)),
    );
}

crate::declare_suite!($ fetch_bounded: FetchBounded = [
    results_come_back_in_input_order,
    a_failing_url_is_an_error_for_that_url_only,
    no_urls_no_results,
    never_more_than_k_in_flight,
    more_workers_than_urls,
    one_worker_fetches_one_at_a_time,
    waves_take_rounds_times_latency,
]);
