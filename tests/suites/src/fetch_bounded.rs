//! Suite of `exercises/threads/fetch-bounded`: at most K requests in flight.

use std::num::NonZeroUsize;
use std::time::Duration;

use harness::human;
use testweb::{Served, timeline};

use crate::fetching::{self, Fetch, Results, Subject};

/// The signature under test.
pub type FetchBounded = fn(&[String], NonZeroUsize) -> Results;

fn k(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("suite limits are positive")
}

/// `fetch_bounded` with the limit fixed at `limit`.
fn subject(fetch_bounded: FetchBounded, limit: usize) -> Subject<impl Fetch> {
    Subject::new("fetch_bounded", move |urls: &[String]| {
        fetch_bounded(urls, k(limit))
    })
    .with_limit(limit)
}

/// See [`fetching::results_come_back_in_input_order`].
pub fn results_come_back_in_input_order(fetch_bounded: FetchBounded) {
    fetching::results_come_back_in_input_order(subject(fetch_bounded, 2));
    fetching::results_keep_their_places_past_256(subject(fetch_bounded, 4));
    fetching::results_keep_their_places_past_65536(subject(fetch_bounded, 4));
}

/// See [`fetching::a_failing_url_is_an_error_for_that_url_only`].
pub fn a_failing_url_is_an_error_for_that_url_only(fetch_bounded: FetchBounded) {
    fetching::a_failing_url_is_an_error_for_that_url_only(subject(fetch_bounded, 2));
}

/// See [`fetching::no_urls_no_results`].
pub fn no_urls_no_results(fetch_bounded: FetchBounded) {
    fetching::no_urls_no_results(subject(fetch_bounded, 3));
}

/// See [`fetching::results_are_fresh_every_call`].
pub fn results_are_fresh_every_call(fetch_bounded: FetchBounded) {
    fetching::results_are_fresh_every_call(subject(fetch_bounded, 2));
}

/// See [`fetching::waits_for_a_slow_url`] (limit 3).
pub fn waits_for_a_slow_url(fetch_bounded: FetchBounded) {
    fetching::waits_for_a_slow_url(subject(fetch_bounded, 3));
}

/// See [`fetching::nothing_is_left_running`] (limit 3).
pub fn nothing_is_left_running(fetch_bounded: FetchBounded) {
    fetching::nothing_is_left_running(subject(fetch_bounded, 3));
}

/// See [`fetching::nothing_is_kept_in_a_static`] (limit 2).
pub fn nothing_is_kept_in_a_static(fetch_bounded: FetchBounded) {
    fetching::nothing_is_kept_in_a_static(subject(fetch_bounded, 2));
}

/// See [`fetching::nothing_polls_or_waits_by_the_clock`] (limit 2).
pub fn nothing_polls_or_waits_by_the_clock(fetch_bounded: FetchBounded) {
    fetching::nothing_polls_or_waits_by_the_clock(subject(fetch_bounded, 2));
}

/// Fetches `n` pages with limit `limit`, checks the results against the
/// server's log and the server's peak against the limit; returns the peak.
fn fetch_pages(fetch_bounded: FetchBounded, n: usize, limit: usize, latency: Duration) -> usize {
    let server = fetching::server(latency);
    subject(fetch_bounded, limit).fetch(&server, &server.page_urls(n));
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
    assert!(
        peak == 3,
        "with 12 URLs and max_in_flight = 3 the server should see 3 requests at once, \
         but it saw at most {peak}: {}",
        if peak <= 1 {
            "are the workers running at the same time? (A worker that holds a lock while it \
             waits for the server keeps the others out.)"
        } else {
            "are there fewer workers than max_in_flight? Start exactly max_in_flight workers \
             (fewer only when there are fewer URLs), not one per core."
        }
    );
}

/// A limit above the number of URLs is not an error, however far above:
/// also a million (round 19 started `max_in_flight` workers whatever the
/// number of URLs, `fetch-paced/08`).
pub fn more_workers_than_urls(fetch_bounded: FetchBounded) {
    fetch_pages(fetch_bounded, 3, 8, Duration::from_millis(20));
    fetch_pages(fetch_bounded, 3, 1_000_000, Duration::from_millis(20));
    // And the largest limit there is (round 22's `fetch-bounded/06` made a
    // list of max_in_flight handles up front: "capacity overflow").
    fetch_pages(fetch_bounded, 3, usize::MAX, Duration::from_millis(20));
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
        subject(fetch_bounded, LIMIT),
    );
}

/// The limit of the refill workload.
const REFILL_K: usize = 3;
/// Its latencies in ms: fast requests with slow ones placed so that batches
/// of 3, and workers given fixed shares of the list (every third URL, or a
/// third of the list each), all leave workers idle behind a slow request
/// while URLs wait. Workers that refill from one queue never do.
const REFILL_DELAYS_MS: [u64; 15] = [
    10, 10, 250, 10, 10, 250, 10, 250, 250, 10, 10, 10, 10, 10, 10,
];
/// Under-filled time a refilling pool may show: its workers take a moment
/// between one answer and the next request, more on a loaded machine.
/// Batches of 3 leave about 720 ms.
const REFILL_ALLOWANCE: Duration = Duration::from_millis(200);
/// Runs of the workload at most: the best one counts, so a burst of load
/// cannot fail a correct pool, and batches fail every run.
const REFILL_RUNS: usize = 3;

/// How long a run kept fewer than `k` requests in flight while URLs were
/// waiting to be started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Underfill {
    /// All such time.
    total: Duration,
    /// The longest unbroken stretch of it...
    longest: Duration,
    /// ...the number of requests in flight for most of that stretch...
    in_flight: usize,
    /// ...and how many URLs had not been started when it began.
    waiting: usize,
}

/// One unbroken stretch of under-filled time.
struct Stretch {
    waiting: usize,
    /// Time spent with `i` requests in flight, for `i < k`.
    by_count: Vec<Duration>,
}

impl Stretch {
    fn length(&self) -> Duration {
        self.by_count.iter().sum()
    }

    /// The count that lasted longest (the fewer on a tie).
    fn in_flight(&self) -> usize {
        (0..self.by_count.len())
            .rev()
            .max_by_key(|&i| self.by_count[i])
            .unwrap_or(0)
    }
}

/// Keeps the longer of `longest` and `done`.
fn keep_longest(longest: &mut Option<Stretch>, done: Option<Stretch>) {
    if let Some(done) = done {
        if longest.as_ref().is_none_or(|l| done.length() > l.length()) {
            *longest = Some(done);
        }
    }
}

/// Reads the server's timeline of one call's `requests`: the time during
/// which fewer than `k` were in flight while some had not been started.
fn underfill(requests: &[Served], k: usize) -> Underfill {
    let n = requests.len();
    let mut total = Duration::ZERO;
    let mut longest: Option<Stretch> = None;
    let mut current: Option<Stretch> = None;
    let steps = timeline(requests);
    for (step, next) in steps.iter().zip(steps.iter().skip(1)) {
        let span = next.at.saturating_sub(step.at);
        if span.is_zero() {
            continue;
        }
        if step.in_flight < k && step.started < n {
            total += span;
            current
                .get_or_insert_with(|| Stretch {
                    waiting: n - step.started,
                    by_count: vec![Duration::ZERO; k],
                })
                .by_count[step.in_flight] += span;
        } else {
            keep_longest(&mut longest, current.take());
        }
    }
    keep_longest(&mut longest, current);
    longest.map_or(Underfill::default(), |l| Underfill {
        total,
        longest: l.length(),
        in_flight: l.in_flight(),
        waiting: l.waiting,
    })
}

/// Fifteen requests of uneven latency, three at a time. Whenever fewer
/// than three are in flight while URLs wait to be started, a worker is idle
/// that should be fetching: the server's timeline shows how long that
/// lasted. Workers that take the next URL as soon as they are free keep it
/// near zero; batches of three (spawn, join all, repeat) wait for the
/// slowest request of every batch, hundreds of ms in all. No clock judges
/// this, so a busy machine cannot make it inconclusive.
///
/// Then the same for a limit drawn per run from 2, 4, 5 and 6, with `5 K`
/// URLs of which every K-th is slow: a solution that batches except for
/// the limits it expects fails one of the two.
pub fn workers_refill_as_soon_as_free(fetch_bounded: FetchBounded) {
    refills(fetch_bounded, REFILL_K, &REFILL_DELAYS_MS);
    let mut draw = fetching::Draw::new();
    let limit = [2, 4, 5, 6][draw.pick(0..=3)];
    let delays: Vec<u64> = (0..5 * limit)
        .map(|i| if i % limit == 0 { 250 } else { 10 })
        .collect();
    refills(fetch_bounded, limit, &delays);
    // Past 64 URLs (round 19's `fetch-bounded/04` handed out fixed
    // contiguous shares there): 65 to 80 URLs, the first quarter slow, so
    // the worker given the first share would be left with all of them.
    let n = draw.pick(65..=80);
    let delays: Vec<u64> = (0..n).map(|i| if i < n / 4 { 100 } else { 10 }).collect();
    refills(fetch_bounded, 4, &delays);
    // And every fourth slow: shares dealt out like cards (URL i to worker
    // i % 4, round 22's `fetch-bounded/05`) leave one worker all of them.
    // 40 ms each: that worker's 16 to 20 take under a second, while the
    // others idle for most of it (three runs of a wrong one stay well
    // inside the 8 s a check may take).
    let delays: Vec<u64> = (0..n).map(|i| if i % 4 == 0 { 40 } else { 10 }).collect();
    refills(fetch_bounded, 4, &delays);
    // Past a thousand URLs (round 22's `fetch-bounded/03` took the list in
    // batches of max_in_flight there): 1,001 to 1,200 URLs that the
    // course's `get` answers itself, the first held until every other one
    // has been answered (or 2 s). Workers that take the next URL as soon
    // as they are free go on around it; a batch waits on it, with the rest
    // of the list never started.
    let n = draw.pick(1_001..=1_200);
    let limit = draw.pick(2..=8);
    let gathering = testweb::Gathering::after_the_others(n - 1, HELD_WITHIN);
    let urls: Vec<String> = std::iter::once(gathering.held_url())
        .chain((1..n).map(|i| gathering.url(i)))
        .collect();
    let got = subject(fetch_bounded, limit).call(&urls);
    let released = gathering.held_released_by_the_others();
    let misplaced = testweb::Gathering::misplaced(&urls, &got);
    assert!(
        released == Some(true) && misplaced == 0,
        "[workers refill as soon as free] {n} URLs, max_in_flight = {limit}, that the course's \
         `get` answers itself: urls[0] was held until every other URL had been answered (or \
         {}), and {}; {} of the {n} results were not their URL's answer in its place. While \
         one request waits, the other workers go on through the list: each takes the next \
         URL as soon as it is free, however long the list (no batches of max_in_flight, \
         started and joined together).",
        human(HELD_WITHIN),
        match released {
            Some(true) => "it was let go when they had been",
            Some(false) =>
                "it was let go by the time limit: the other URLs were not all fetched meanwhile",
            None => "it was never asked for",
        },
        misplaced
    );
}

/// How long [`workers_refill_as_soon_as_free`] holds its first URL of more
/// than a thousand at most: the other workers go through the rest in a
/// few milliseconds.
const HELD_WITHIN: Duration = Duration::from_secs(2);

/// The refill check for one limit and one list of latencies.
fn refills(fetch_bounded: FetchBounded, limit: usize, delays: &[u64]) {
    let server = fetching::server(Duration::ZERO);
    let urls: Vec<String> = delays
        .iter()
        .enumerate()
        .map(|(i, ms)| server.url(&format!("/page/{i}?delay_ms={ms}")))
        .collect();
    let subject = subject(fetch_bounded, limit);
    let mut best: Option<Underfill> = None;
    for run_number in 1..=REFILL_RUNS {
        subject.fetch(&server, &urls);
        let run = underfill(&server.round_requests(), limit);
        if best.is_none_or(|b| run.total < b.total) {
            best = Some(run);
        }
        if run.total <= REFILL_ALLOWANCE {
            eprintln!(
                "[workers refill as soon as free] fewer than {limit} requests were in flight \
                 while URLs waited for {} of run {run_number} (up to {} passes).",
                human(run.total),
                human(REFILL_ALLOWANCE)
            );
            return;
        }
    }
    let seen = best.expect("at least one run");
    panic!(
        "with max_in_flight = {limit} and {} URLs, for {} of the run fewer than the {limit} allowed requests were in flight while \
         URLs had not been started (best of {REFILL_RUNS} runs); the longest stretch lasted {}, \
         mostly with only {} of {limit} allowed requests in flight while {} of {} URLs had \
         not been started. A batch waits for its slowest request: let each worker take the next URL as \
         soon as it is free (workers that loop over one shared queue do), and do not hand out \
         the URLs in fixed shares. Workers that refill leave at most {} like this.",
        urls.len(),
        human(seen.total),
        human(seen.longest),
        seen.in_flight,
        seen.waiting,
        urls.len(),
        human(REFILL_ALLOWANCE),
    );
}

/// Threads beyond min(K, N) that a call may start: two helpers (a thread
/// that feeds or closes the queue, say). Every start counts, however
/// briefly the thread lived (see [`harness::spawned`]): round 15's
/// `fetch-bounded/04` started K workers for fewer URLs, the extra ones
/// ending at once, too soon for the kernel's thread count. The K > N call
/// draws K at least N + 8, so K workers there are six threads too many.
const HELPERS: usize = 2;

/// Five calls with N and K drawn per run (see the `calls` below), each
/// request held until min(K, N) are in flight (or a few hundred ms). The
/// server's peak must be exactly min(K, N), and the call may start at most
/// min(K, N) threads and [`HELPERS`]: K workers fed by a channel, not a
/// thread per URL behind a semaphore, and no idle workers beyond the URLs.
pub fn k_workers_whatever_n_and_k(fetch_bounded: FetchBounded) {
    let mut draw = fetching::Draw::new();
    let small = draw.pick(1..=2);
    // The whole range: small and large N, K below and above N, and K above
    // any cap a student may pick (cores, 16, 32, 64 workers).
    let calls = [
        (draw.pick(2..=9), draw.pick(2..=6)),
        (draw.pick(17..=40), draw.pick(2..=6)),
        (small, draw.pick(small + 8..=small + 10)),
        (draw.pick(100..=160), draw.pick(65..=99)),
        // Past 100 workers (round 15's `fetch-bounded/01` capped them
        // there), up to about the most the test server holds in flight.
        (draw.pick(201..=240), draw.pick(100..=160)),
    ];
    for (n, limit) in calls {
        let want = limit.min(n);
        let server = fetching::server(Duration::ZERO);
        let urls = fetching::gathering_urls(&server, n, want);
        let subject = subject(fetch_bounded, limit);
        let mut peak = 0;
        for _ in 0..2 {
            subject.fetch(&server, &urls);
            let threads = fetching::spawned().started;
            let seen = server.peak_in_flight();
            assert!(
                seen <= limit,
                "[K workers whatever N and K] with {n} URLs and max_in_flight = {limit} the \
                 server saw {seen} requests at once: never more than max_in_flight."
            );
            let requesters = fetching::request_threads();
            assert!(
                requesters <= want,
                "[K workers whatever N and K] with {n} URLs and max_in_flight = {limit}, \
                 {requesters} different threads made requests: the exercise asks for min(K, N) = \
                 {want} workers that each take URL after URL from a shared queue, not a thread \
                 per URL started as another ends (round 15's `fetch-bounded/02`)."
            );
            assert!(
                threads <= want + HELPERS,
                "[K workers whatever N and K] fetch_bounded started {threads} threads for K = \
                 {limit} and {n} URLs (every start counts, however briefly the thread lived); \
                 the exercise asks for K workers fed by a channel: min(K, N) = {want} threads \
                 that each loop over the shared queue (and at most {HELPERS} helpers), not one \
                 thread per URL (even one that waits for a permit) and not more workers than \
                 URLs."
            );
            eprintln!(
                "[K workers whatever N and K] N = {n}, K = {limit}: peak {seen}, {threads} \
                 threads started in the call (at most {} pass).",
                want + HELPERS
            );
            peak = peak.max(seen);
            if peak >= want {
                break;
            }
        }
        assert!(
            peak >= want,
            "[K workers whatever N and K] with {n} URLs and max_in_flight = {limit} the server \
             saw at most {peak} requests at once, though it held each answer until {want} were \
             in flight together (or {} ms): {}",
            fetching::gather_cap_ms(n),
            if peak <= 1 {
                "they ran one after another. Start min(K, N) workers before joining any, \
                 whatever N and K."
            } else {
                "fewer than min(K, N) were fetching at once. Start exactly min(K, N) workers, \
                 whatever N and K: no size thresholds, no cap by cores."
            }
        );
    }
    // Past what the server holds in flight, and past 256 (round 19's
    // `fetch-bounded/01` capped the workers there): K of 257 to 300 on more
    // URLs, each held a second, and the workers the call starts, counted
    // as `pthread_create` sees them, all alive at once.
    let limit = if fetching::files_for_connections(300) {
        draw.pick(257..=300)
    } else {
        draw.pick(161..=200)
    };
    let n = limit + draw.pick(1..=40);
    let server = fetching::server(Duration::from_secs(1));
    let urls = server.page_urls(n);
    let before = harness::aftermath::threads_now();
    subject(fetch_bounded, limit).fetch(&server, &urls);
    fetching::threads_gone(before);
    let threads = fetching::spawned();
    assert!(
        threads.peak >= limit && threads.started <= limit + HELPERS,
        "[K workers whatever N and K] with {n} URLs of a second each and max_in_flight = \
         {limit}, fetch_bounded started {} threads, at most {} of them alive at once: the \
         limit is used, whatever it is. Start min(K, N) = {limit} workers (no cap of your own: \
         256 connections is not a rule of the page), each taking URL after URL.",
        threads.started,
        threads.peak
    );
}

crate::declare_suite!($ fetch_bounded: FetchBounded = [
    results_come_back_in_input_order,
    a_failing_url_is_an_error_for_that_url_only,
    no_urls_no_results,
    results_are_fresh_every_call,
    never_more_than_k_in_flight,
    more_workers_than_urls,
    one_worker_fetches_one_at_a_time,
    workers_refill_as_soon_as_free,
    waves_take_rounds_times_latency,
    k_workers_whatever_n_and_k,
    waits_for_a_slow_url,
    nothing_is_left_running,
    nothing_is_kept_in_a_static,
    nothing_polls_or_waits_by_the_clock,
]);

#[cfg(test)]
mod tests {
    use super::*;

    /// The timeline of `delays` run as `schedule` says: one list of URL
    /// indices per worker, each worker fetching its list in order, or (when
    /// `None`) batches of `k`.
    fn timeline(delays: &[u64], shares: Option<Vec<Vec<usize>>>, k: usize) -> Vec<Served> {
        let ms = Duration::from_millis;
        let served = |start: u64, d: u64| Served {
            round: 0,
            target: String::new(),
            status: 200,
            body: String::new(),
            start: ms(start),
            end: Some(ms(start + d)),
        };
        match shares {
            Some(shares) => shares
                .iter()
                .flat_map(|share| {
                    let mut t = 0;
                    share
                        .iter()
                        .map(|&i| {
                            let s = served(t, delays[i]);
                            t += delays[i];
                            s
                        })
                        .collect::<Vec<_>>()
                })
                .collect(),
            None => {
                let mut t = 0;
                delays
                    .chunks(k)
                    .flat_map(|batch| {
                        let start = t;
                        t += batch.iter().max().copied().unwrap_or(0);
                        batch.iter().map(move |&d| served(start, d))
                    })
                    .collect()
            }
        }
    }

    /// Greedy refilling: each URL goes to the worker that is free first.
    fn refilling(delays: &[u64], k: usize) -> Vec<Vec<usize>> {
        let mut free = vec![0u64; k];
        let mut shares = vec![Vec::new(); k];
        for (i, d) in delays.iter().enumerate() {
            let w = (0..k).min_by_key(|&w| free[w]).expect("k > 0");
            free[w] += d;
            shares[w].push(i);
        }
        shares
    }

    #[test]
    fn the_refill_workload_tells_refilling_from_batches_and_fixed_shares() {
        let (d, k, n) = (&REFILL_DELAYS_MS[..], REFILL_K, REFILL_DELAYS_MS.len());
        let refill = underfill(&timeline(d, Some(refilling(d, k)), k), k);
        assert_eq!(refill.total, Duration::ZERO, "{refill:?}");
        let strided = (0..k).map(|w| (w..n).step_by(k).collect()).collect();
        let chunked = (0..k)
            .map(|w| (w * n.div_ceil(k)..((w + 1) * n.div_ceil(k)).min(n)).collect())
            .collect();
        for (what, shares) in [
            ("batches", None),
            ("strided", Some(strided)),
            ("chunks", Some(chunked)),
        ] {
            let seen = underfill(&timeline(d, shares, k), k);
            assert!(
                seen.total >= REFILL_ALLOWANCE * 3,
                "{what} leave only {seen:?}"
            );
        }
        let batches = underfill(&timeline(d, None, k), k);
        assert_eq!(
            batches,
            Underfill {
                total: Duration::from_millis(720),
                longest: Duration::from_millis(240),
                in_flight: 1,
                waiting: 12,
            }
        );
    }
}
