//! Suite of `exercises/threads/fetch-all`: one thread per URL.

use crate::fetching::{self, Results, Subject};

/// The signature under test.
pub type FetchAll = fn(&[String]) -> Results;

fn subject(fetch_all: FetchAll) -> Subject<FetchAll> {
    Subject::new("fetch_all", fetch_all)
}

/// See [`fetching::results_come_back_in_input_order`].
pub fn results_come_back_in_input_order(fetch_all: FetchAll) {
    fetching::results_come_back_in_input_order(subject(fetch_all));
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

/// 16 requests of 100 ms must take about 100 ms, not 1.6 s.
pub fn requests_overlap(fetch_all: FetchAll) {
    fetching::overlaps(
        "fetch_all overlaps its requests",
        None,
        "spawn every thread before you join any of them. Joining a handle right after \
         spawning it waits for that request before the next one starts.",
        subject(fetch_all),
    );
}

crate::declare_suite!($ fetch_all: FetchAll = [
    results_come_back_in_input_order,
    a_failing_url_is_an_error_for_that_url_only,
    no_urls_no_results,
    results_are_fresh_every_call,
    requests_overlap,
]);
