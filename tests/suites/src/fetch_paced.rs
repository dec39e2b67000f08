//! Suite of `exercises/threads/fetch-paced`: an API with two limits, at
//! most K requests in flight and at most R started in any one second, to
//! be fetched from as fast as both allow.
//!
//! The server's log is the witness of both limits: when each request
//! arrived, and how many were in flight. The clock judges only the speed,
//! against the fastest schedule the two limits allow, computed from the
//! limits and the server's latency (not measured: nothing on a busy
//! machine can make a schedule faster than that).

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use harness::human;
use testweb::Server;

use crate::fetching::{self, Draw, Fetch, Results, Subject};

/// The signature under test.
pub type FetchPaced = fn(&[String], NonZeroUsize, NonZeroUsize) -> Results;

/// The rate limit's window.
const SECOND: Duration = Duration::from_secs(1);

/// The window the starts are counted in: a second less what a busy
/// machine may delay one request's arrival behind the next one's (a
/// request sent on time and one sent late arrive closer together than they
/// were sent). A burst past the limit still lands inside it.
const JUDGED_WINDOW: Duration = Duration::from_millis(900);

/// A call may take this many times the fastest schedule the limits
/// allow, plus [`SLACK`].
const SPEED_FACTOR: f64 = 1.25;
/// Room for starting threads and for a busy machine's late wake-ups.
const SLACK: Duration = Duration::from_millis(300);

fn nz(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("suite limits are positive")
}

/// `fetch_paced` with its limits fixed.
fn subject(f: FetchPaced, in_flight: usize, per_second: usize) -> Subject<impl Fetch> {
    Subject::new("fetch_paced", move |urls: &[String]| {
        f(urls, nz(in_flight), nz(per_second))
    })
    .with_limit(in_flight)
}

/// The fastest any client can fetch `n` URLs that each take `latency`
/// with at most `in_flight` at once and at most `per_second` started in
/// any second: request `i` starts when request `i - in_flight` has ended
/// and one second after request `i - per_second` started.
pub fn fastest(n: usize, in_flight: usize, per_second: usize, latency: Duration) -> Duration {
    let mut starts: Vec<Duration> = Vec::with_capacity(n);
    for i in 0..n {
        let mut at = Duration::ZERO;
        if i >= in_flight {
            at = at.max(starts[i - in_flight] + latency);
        }
        if i >= per_second {
            at = at.max(starts[i - per_second] + SECOND);
        }
        if let Some(&last) = starts.last() {
            at = at.max(last);
        }
        starts.push(at);
    }
    starts.last().map_or(Duration::ZERO, |&s| s + latency)
}

/// The most requests of the server's current round that arrived within
/// any [`JUDGED_WINDOW`], and when the first of them did.
fn most_in_a_window(server: &Server) -> (usize, Duration) {
    let mut starts: Vec<Duration> = server.round_requests().iter().map(|r| r.start).collect();
    starts.sort();
    let (mut most, mut at, mut from) = (0, Duration::ZERO, 0);
    for to in 0..starts.len() {
        while starts[to] - starts[from] >= JUDGED_WINDOW {
            from += 1;
        }
        if to + 1 - from > most {
            most = to + 1 - from;
            at = starts[from];
        }
    }
    (most, at)
}

/// One call on `n` pages of `latency`, checked against the server's log:
/// the results, the peak in flight against `in_flight`, the starts in any
/// window against `per_second`. Returns how long the call took.
fn paced_call(
    f: FetchPaced,
    n: usize,
    in_flight: usize,
    per_second: usize,
    latency: Duration,
) -> Duration {
    let server = fetching::server(latency);
    let urls = server.page_urls(n);
    let began = Instant::now();
    subject(f, in_flight, per_second).fetch(&server, &urls);
    let took = began.elapsed();
    let case = format!(
        "{n} URLs, max_in_flight = {in_flight}, per_second = {per_second}, each answered after {}",
        human(latency)
    );
    let peak = server.peak_in_flight();
    assert!(
        peak <= in_flight,
        "[within both limits] {case}: the server saw {peak} requests in flight at once, more \
         than max_in_flight = {in_flight}. The API refuses the request past the limit, \
         whatever the number of URLs: never have more than max_in_flight requests \
         outstanding."
    );
    let (most, at) = most_in_a_window(&server);
    assert!(
        most <= per_second,
        "[within both limits] {case}: {most} requests arrived within {} of each other \
         (from {} into the call), more than per_second = {per_second}. The API counts the \
         starts in any one second, a window that slides with every request, not one that \
         restarts on whole seconds: request i may start only one second after request \
         i - per_second started.",
        human(JUDGED_WINDOW),
        human(at),
    );
    took
}

/// Both limits hold over the whole range the page allows: cases drawn this
/// run (max_in_flight 1 to 12, per_second 2 to 30, latencies 0 to 150 ms,
/// more URLs than per_second where that takes at most 1.3 s), and a few
/// URLs with tight limits (a shortcut
/// for short lists shows there).
pub fn stays_within_both_limits(f: FetchPaced) {
    paced_call(f, 5, 2, 3, Duration::ZERO);
    let mut draw = Draw::new();
    for _ in 0..2 {
        let in_flight = draw.pick(1..=12);
        let per_second = draw.pick(2..=30);
        let latency = Duration::from_millis(draw.pick(0..=150) as u64);
        // More URLs than one second's worth where that fits in about
        // 1.3 s; fewer where few in flight and a long latency make even
        // that slower (then the requests in flight bind).
        let mut n = per_second + draw.pick(1..=per_second);
        while n > 2 && fastest(n, in_flight, per_second, latency) > SECOND * 13 / 10 {
            n -= 1;
        }
        paced_call(f, n, in_flight, per_second, latency);
    }
}

/// As fast as the limits allow: where the rate binds (18 URLs, per_second
/// 10, max_in_flight 8, 50 ms each: ten at once, the rest a second later)
/// and where the requests in flight bind (12 URLs of 150 ms, max_in_flight
/// 3, per_second 50: four waves), each call within [`SPEED_FACTOR`] of the
/// fastest schedule plus [`SLACK`].
pub fn as_fast_as_the_limits_allow(f: FetchPaced) {
    for (n, in_flight, per_second, latency_ms, binds) in [
        (18, 8, 10, 50, "the rate binds"),
        (12, 3, 50, 150, "the requests in flight bind"),
    ] {
        let latency = Duration::from_millis(latency_ms);
        let best = fastest(n, in_flight, per_second, latency);
        let allowed = best.mul_f64(SPEED_FACTOR) + SLACK;
        let took = paced_call(f, n, in_flight, per_second, latency);
        assert!(
            took <= allowed,
            "[as fast as the limits allow] {n} URLs, max_in_flight = {in_flight}, per_second \
             = {per_second}, each answered after {} ({binds}): the call took {}, but the \
             limits allow {} (at most {} pass). {}",
            human(latency),
            human(took),
            human(best),
            human(allowed),
            if per_second < n && latency_ms < 100 {
                "The limit is per_second starts in any one second: that many may start at \
                 once, not one every 1/per_second seconds."
            } else {
                "Keep max_in_flight requests going whenever the rate allows it: one \
                 request at a time waits out every latency in turn."
            }
        );
    }
}

/// While it waits for the next allowed start, the process sleeps: 24 URLs
/// with per_second 8 (three seconds' worth of starts, two seconds of
/// waiting) may cost at most 150 ms of CPU in all, the test server's
/// included. A loop that checks the clock until the next start is allowed
/// burns a core meanwhile.
pub fn waits_asleep_for_the_next_start(f: FetchPaced) {
    let before = harness::clock::process_cpu_time();
    let took = paced_call(f, 24, 4, 8, Duration::from_millis(10));
    let cpu = harness::clock::process_cpu_time().saturating_sub(before);
    let allowed = Duration::from_millis(150);
    assert!(
        cpu <= allowed,
        "[waits asleep] 24 URLs with per_second = 8 took {} and {} of CPU (at most {} pass): \
         the process spun while it waited for the next start to be allowed. Sleep until that \
         instant (thread::sleep, or a timed wait) instead of checking the clock in a loop.",
        human(took),
        human(cpu),
        human(allowed)
    );
}

/// See [`fetching::results_come_back_in_input_order`].
pub fn results_come_back_in_input_order(f: FetchPaced) {
    fetching::results_come_back_in_input_order(subject(f, 2, 50));
}

/// See [`fetching::a_failing_url_is_an_error_for_that_url_only`].
pub fn a_failing_url_is_an_error_for_that_url_only(f: FetchPaced) {
    fetching::a_failing_url_is_an_error_for_that_url_only(subject(f, 3, 50));
}

/// See [`fetching::no_urls_no_results`].
pub fn no_urls_no_results(f: FetchPaced) {
    fetching::no_urls_no_results(subject(f, 3, 5));
}

/// See [`fetching::results_are_fresh_every_call`].
pub fn results_are_fresh_every_call(f: FetchPaced) {
    fetching::results_are_fresh_every_call(subject(f, 3, 50));
}

/// See [`fetching::nothing_is_left_running`].
pub fn nothing_is_left_running(f: FetchPaced) {
    fetching::nothing_is_left_running(subject(f, 3, 50));
}

crate::declare_suite!($ fetch_paced: FetchPaced = [
    results_come_back_in_input_order,
    a_failing_url_is_an_error_for_that_url_only,
    no_urls_no_results,
    results_are_fresh_every_call,
    stays_within_both_limits,
    as_fast_as_the_limits_allow,
    waits_asleep_for_the_next_start,
    nothing_is_left_running,
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fastest_schedule_follows_whichever_limit_binds() {
        let ms = Duration::from_millis;
        // Rate binds: ten at once, eight more a second later.
        assert_eq!(fastest(18, 8, 10, ms(50)), ms(1050));
        // In flight binds: four waves of three.
        assert_eq!(fastest(12, 3, 50, ms(150)), ms(600));
        // Nothing binds: all at once.
        assert_eq!(fastest(4, 8, 10, ms(20)), ms(20));
        assert_eq!(fastest(0, 1, 1, ms(20)), Duration::ZERO);
    }
}
