//! Checks shared by every exercise that fetches a list of URLs: whatever the
//! strategy, results keep the input order and a bad URL spoils only itself.

use std::time::Duration;

use harness::WaitCheck;
use testweb::{FetchError, Server, closed_port_url, page_body};

use crate::reference;

/// Any function from URLs to one result per URL.
pub type Results = Vec<Result<String, FetchError>>;

/// Starts a test server, with a message that says what went wrong.
pub fn server(latency: Duration) -> Server {
    Server::start(latency).expect("could not start the test server on 127.0.0.1")
}

/// Later URLs answer sooner, so the answers arrive in reverse order; the
/// results must still follow the input.
pub fn results_come_back_in_input_order(fetch: impl Fn(&[String]) -> Results) {
    let server = server(Duration::ZERO);
    let ids = [4, 9, 1, 7, 0, 3];
    let urls: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| server.url(&format!("/page/{id}?delay_ms={}", 15 * (ids.len() - i))))
        .collect();
    let got = fetch(&urls);
    let want: Results = ids.iter().map(|&id| Ok(page_body(id))).collect();
    assert_eq!(
        got, want,
        "result i must be the page of urls[i]. The server answered the last URL first; \
         collecting answers in the order they arrive mixes them up."
    );
}

/// A server error, a refused connection and a malformed URL each become an
/// `Err` in their own place; the good URLs around them still succeed.
pub fn a_failing_url_is_an_error_for_that_url_only(fetch: impl Fn(&[String]) -> Results) {
    let server = server(Duration::from_millis(5));
    let urls = vec![
        server.url("/page/1"),
        server.url("/status/500"),
        closed_port_url(),
        server.url("/page/2"),
        "not a url".to_owned(),
        server.url("/status/404"),
    ];
    let got = fetch(&urls);
    assert_eq!(
        got.len(),
        urls.len(),
        "there must be exactly one result per URL"
    );
    assert_eq!(got[0], Ok(page_body(1)), "urls[0] is a good page");
    assert_eq!(got[3], Ok(page_body(2)), "urls[3] is a good page");
    let status = |r: &Result<String, FetchError>| match r {
        Err(FetchError::Status { status, .. }) => Some(*status),
        _ => None,
    };
    assert_eq!(
        status(&got[1]),
        Some(500),
        "urls[1] answers 500: got {:?}",
        got[1]
    );
    assert_eq!(
        status(&got[5]),
        Some(404),
        "urls[5] answers 404: got {:?}",
        got[5]
    );
    for i in [2, 4] {
        assert!(
            matches!(got[i], Err(FetchError::Transport { .. })),
            "urls[{i}] ({}) cannot be reached and must be a Transport error: got {:?}",
            urls[i],
            got[i]
        );
    }
}

/// No URLs: no results, and no threads left waiting for work.
pub fn no_urls_no_results(fetch: impl Fn(&[String]) -> Results) {
    assert_eq!(
        fetch(&[]),
        Results::new(),
        "an empty list of URLs gives an empty list of results"
    );
}

/// Sixteen pages from a server that waits 100 ms before each answer, with
/// at most `limit` requests in flight (`None`: no limit): `fetch` must take
/// about `ceil(16 / limit)` latencies, measured against a known-good
/// reference on the same server. The failure message adds the peak number
/// of requests the server saw at once.
pub fn overlaps(
    name: &str,
    limit: Option<usize>,
    hint: &str,
    fetch: impl Fn(&[String]) -> Results,
) {
    const REQUESTS: usize = 16;
    let latency = Duration::from_millis(100);
    let server = server(latency);
    let urls = server.page_urls(REQUESTS);
    let check = WaitCheck::new(name, REQUESTS, latency).hint(hint);
    let check = match limit {
        Some(k) => check.in_flight(k),
        None => check,
    };
    let mut peak = 0;
    let outcome = check.run(
        &mut || reference::in_waves(&urls, limit.unwrap_or(REQUESTS)),
        &mut || {
            server.reset_peak();
            let results = fetch(&urls);
            peak = peak.max(server.peak_in_flight());
            assert!(
                results.iter().all(Result::is_ok),
                "every page exists: {results:?}"
            );
        },
    );
    outcome
        .with_note(format!(
            "The server saw at most {peak} of your requests at once."
        ))
        .assert_pass();
}
