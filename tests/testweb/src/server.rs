//! The latency server, and the log it keeps of what it served.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, RandomState};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use tokio::sync::oneshot;

/// A URL on 127.0.0.1 where nothing listens: fetching it fails with a
/// refused connection.
pub fn closed_port_url() -> String {
    // Bind to learn a free port, then close it again. Another process could
    // take it in between; the tests only need it to be refused, and a fresh
    // port is refused on every machine we know.
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map_or(9, |a| a.port());
    format!("http://127.0.0.1:{port}/page/0")
}

/// Every body any [`Server`] of this process has served.
static EVER_SERVED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether some [`Server`] of this process served exactly `body`, at any
/// time: a result that matches none of this call's answers but was
/// `ever_served` was kept from an earlier call.
pub fn ever_served(body: &str) -> bool {
    lock(&EVER_SERVED).contains(body)
}

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    /// The round it arrived in (see [`Server::begin_round`]).
    pub round: u64,
    /// Path and query as requested, e.g. `/page/3?delay_ms=20`.
    pub target: String,
    /// The status it was (or is being) answered with.
    pub status: u16,
    /// The body it was (or is being) answered with, fresh for this request.
    pub body: String,
    /// When the server started serving it, since the server started.
    pub start: Duration,
    /// When the server finished waiting and answered (or the client hung
    /// up), since the server started; `None` while it is still in flight.
    pub end: Option<Duration>,
}

/// One step of a timeline: from `at` until the next step, `in_flight`
/// requests were being served and `started` had arrived so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// When the step begins, since the server started.
    pub at: Duration,
    /// Requests being served from then on.
    pub in_flight: usize,
    /// Requests that had arrived by then.
    pub started: usize,
}

/// The timeline of `requests`: how many were in flight, and how many had
/// started, from each start or end to the next. Requests still in flight
/// count until the last step.
pub fn timeline(requests: &[Served]) -> Vec<Step> {
    let mut events: Vec<(Duration, bool)> = requests
        .iter()
        .flat_map(|r| [Some((r.start, true)), r.end.map(|e| (e, false))])
        .flatten()
        .collect();
    // At equal instants, ends before starts: a worker that answers and
    // starts its next request at once never counts as two.
    events.sort_by_key(|&(at, start)| (at, start));
    let mut steps: Vec<Step> = Vec::new();
    let (mut in_flight, mut started) = (0usize, 0usize);
    for (at, start) in events {
        if start {
            in_flight += 1;
            started += 1;
        } else {
            // Saturating: a request that ended at the very instant it
            // started sorts its end first.
            in_flight = in_flight.saturating_sub(1);
        }
        let step = Step {
            at,
            in_flight,
            started,
        };
        match steps.last_mut() {
            Some(last) if last.at == at => *last = step,
            _ => steps.push(step),
        }
    }
    steps
}

/// What the server counts and remembers.
struct Log {
    epoch: Instant,
    tokens: RandomState,
    issued: AtomicU64,
    round: AtomicU64,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    /// A `once=1` gathering request waited its whole latency without
    /// gathering, since the last reset of the peak.
    gave_up: std::sync::atomic::AtomicBool,
    served: AtomicUsize,
    requests: Mutex<Vec<Served>>,
}

impl Log {
    fn new() -> Self {
        Self {
            epoch: Instant::now(),
            tokens: RandomState::new(),
            issued: AtomicU64::new(0),
            round: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            gave_up: std::sync::atomic::AtomicBool::new(false),
            served: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
        }
    }

    /// `text` with a fresh token appended: a keyed hash (SipHash with
    /// random keys) of a counter, so no client can predict it.
    fn fresh(&self, text: &str, padded: bool) -> String {
        let token = self
            .tokens
            .hash_one(self.issued.fetch_add(1, Ordering::SeqCst));
        let body = if padded {
            format!("  {text} #{token:016x} \r\n")
        } else {
            format!("{text} #{token:016x}")
        };
        lock(&EVER_SERVED).insert(body.clone());
        body
    }
}

/// A local HTTP server that waits `latency` before it answers.
///
/// Routes:
/// - `/page/{id}` answers 200 with `page {id} #<token>`, where the token is
///   fresh and unpredictable for every request: the only way to get the
///   body is to ask this server for it, and asking again gives another;
/// - `/status/{code}` answers with that status;
/// - `?delay_ms=N` on either replaces the latency for that request;
/// - `ws=1` in the query puts white space around a page's body, a line's
///   end of `\r\n` included (part of the page, which a client must neither
///   trim nor rewrite);
/// - `&gather=G` (with `delay_ms`) answers as soon as `G` requests are in
///   flight at once (this one included, since the round began), and after
///   `delay_ms` at the latest: a client that overlaps `G` requests always
///   shows the peak `G`, however slowly its threads start within that time,
///   while one that never overlaps them waits the whole latency each time;
///   `&then_ms=T` then waits `T` ms more, so every request lasts a moment;
///   `&once=1`: once one such request of a round has waited its whole
///   latency without gathering, the others of the round do not wait;
/// - anything else answers 404.
///
/// The server is a witness. It counts the requests in flight and their
/// peak, and it logs every request: the round it arrived in, its target,
/// the status and body it was answered with, and when it started and ended.
/// A suite compares a student's results with the log, so a body that was
/// made up, kept from an earlier call, or put in the wrong place is caught,
/// and reads the timeline for how the requests overlapped.
///
/// The server runs on its own thread with a single-threaded tokio runtime:
/// a waiting request costs it a timer, not a thread, so it never limits
/// concurrency itself and the peak it records is the client's doing.
/// (An earlier version used tiny_http, whose connection pool can hold a
/// fifth simultaneous connection back until one of four finishes: the
/// server must not be the bottleneck it measures.)
///
/// Dropping the server stops it.
pub struct Server {
    addr: SocketAddr,
    log: Arc<Log>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Clone)]
struct Shared {
    log: Arc<Log>,
    latency: Duration,
}

impl Server {
    /// Starts a server on 127.0.0.1 with a free port.
    pub fn start(latency: Duration) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let log = Arc::new(Log::new());
        let shared = Shared {
            log: Arc::clone(&log),
            latency,
        };
        let (shutdown, stop) = oneshot::channel::<()>();
        let (ready, started) = std::sync::mpsc::channel();
        let thread = thread::Builder::new()
            .name("testweb-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => return drop(ready.send(Err(e))),
                    };
                    let _ = ready.send(Ok(()));
                    let app = axum::Router::new().fallback(serve).with_state(shared);
                    // Serving ends when `stop` fires (the Server is dropped)
                    // or the sender is gone; an I/O error ends it too, and
                    // the clients then see refused connections.
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stop.await;
                        })
                        .await;
                });
            })?;
        started
            .recv()
            .map_err(|_| io::Error::other("the server thread died while starting"))??;
        Ok(Self {
            addr,
            log,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The full URL of `path` on this server (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// URLs of pages `0..n`.
    pub fn page_urls(&self, n: usize) -> Vec<String> {
        (0..n).map(|i| self.url(&format!("/page/{i}"))).collect()
    }

    /// The target (path and query) of `url` if it points at this server.
    pub fn target<'u>(&self, url: &'u str) -> Option<&'u str> {
        url.strip_prefix(&self.url(""))
            .filter(|t| t.starts_with('/'))
    }

    /// The most requests that were being served at the same moment since
    /// the start, the last [`Self::reset_peak`] or [`Self::begin_round`].
    pub fn peak_in_flight(&self) -> usize {
        self.log.peak.load(Ordering::SeqCst)
    }

    /// Starts a new peak measurement.
    pub fn reset_peak(&self) {
        let now = self.log.in_flight.load(Ordering::SeqCst);
        self.log.peak.store(now, Ordering::SeqCst);
        self.log.gave_up.store(false, Ordering::SeqCst);
    }

    /// Requests answered so far.
    pub fn served(&self) -> usize {
        self.log.served.load(Ordering::SeqCst)
    }

    /// Starts a new round: requests from now on are logged under it, and
    /// the peak starts again. Returns the new round's number.
    pub fn begin_round(&self) -> u64 {
        self.reset_peak();
        self.log.round.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The current round (0 before the first [`Self::begin_round`]).
    pub fn round(&self) -> u64 {
        self.log.round.load(Ordering::SeqCst)
    }

    /// Every request since the server started, in the order they arrived.
    pub fn requests(&self) -> Vec<Served> {
        lock(&self.log.requests).clone()
    }

    /// The requests of the current round, in the order they arrived.
    pub fn round_requests(&self) -> Vec<Served> {
        let round = self.round();
        lock(&self.log.requests)
            .iter()
            .filter(|r| r.round == round)
            .cloned()
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // Graceful shutdown waits for open keep-alive connections; the
        // thread is detached rather than joined so a client that holds one
        // open cannot stall the test that dropped the server.
        drop(self.thread.take());
    }
}

/// Counts a request in flight, and logs it, for as long as it lives,
/// including when the client hangs up mid-wait and the handler is dropped.
struct InFlight<'a> {
    log: &'a Log,
    index: usize,
}

impl<'a> InFlight<'a> {
    fn enter(log: &'a Log, target: &str, status: u16, body: &str) -> Self {
        let index = {
            let mut requests = lock(&log.requests);
            requests.push(Served {
                round: log.round.load(Ordering::SeqCst),
                target: target.to_owned(),
                status,
                body: body.to_owned(),
                start: log.epoch.elapsed(),
                end: None,
            });
            requests.len() - 1
        };
        let now = log.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        log.peak.fetch_max(now, Ordering::SeqCst);
        Self { log, index }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        lock(&self.log.requests)[self.index].end = Some(self.log.epoch.elapsed());
        self.log.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn serve(State(shared): State<Shared>, uri: Uri) -> (StatusCode, String) {
    let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    let (status, text, latency) = route(target, shared.latency);
    // `ws=1`: white space around the body, which is part of the page
    // (round 19's `fetch-all/05` trimmed every page).
    let padded = target
        .split_once('?')
        .is_some_and(|(_, q)| q.split('&').any(|kv| kv == "ws=1"));
    let body = shared.log.fresh(&text, padded);
    {
        let _counted = InFlight::enter(&shared.log, target, status, &body);
        match gather(target) {
            Some(g) => {
                // `once=1`: once one request has waited its whole latency
                // without gathering, the peak is known to fall short, and
                // the rest of the round is answered without the wait (a
                // client of batches of 16 would otherwise wait the latency
                // once per batch).
                let once = query_has(target, "once=1");
                let until = tokio::time::Instant::now() + latency;
                while shared.log.peak.load(Ordering::SeqCst) < g
                    && !(once && shared.log.gave_up.load(Ordering::SeqCst))
                    && tokio::time::Instant::now() < until
                {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                if once && shared.log.peak.load(Ordering::SeqCst) < g {
                    shared.log.gave_up.store(true, Ordering::SeqCst);
                }
                tokio::time::sleep(then(target)).await;
            }
            // No timer for no latency: tokio's timer counts whole
            // milliseconds and rounds a deadline up to the next one, so
            // even a sleep of zero would hold each answer up to 1 ms. A
            // yield lets the requests that arrived together be in flight
            // together, as a sleep did.
            None if latency.is_zero() => tokio::task::yield_now().await,
            None => tokio::time::sleep(latency).await,
        }
        // Leave the count before answering: the client can only send its
        // next request after this answer, so a client that keeps K requests
        // in flight is never counted as K + 1.
    }
    shared.log.served.fetch_add(1, Ordering::SeqCst);
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
}

/// Whether a target's query holds `kv` (as `key=value`).
fn query_has(target: &str, kv: &str) -> bool {
    target
        .split_once('?')
        .is_some_and(|(_, q)| q.split('&').any(|x| x == kv))
}

/// The `gather=G` of a target's query, if any.
fn gather(target: &str) -> Option<usize> {
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("gather="))
        .and_then(|g| g.parse().ok())
}

/// The `then_ms=T` of a target's query (zero if none): how long a
/// gathering request still waits once it has gathered.
fn then(target: &str) -> Duration {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    Duration::from_millis(
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix("then_ms="))
            .and_then(|t| t.parse().ok())
            .unwrap_or(0),
    )
}

/// Decides status, body text (before its token) and latency for a request
/// target like `/page/3?delay_ms=20`.
fn route(target: &str, default_latency: Duration) -> (u16, String, Duration) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let latency = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("delay_ms="))
        .and_then(|ms| ms.parse().ok())
        .map_or(default_latency, Duration::from_millis);
    // `size=N` pads a page's body with dots to N bytes (before the
    // server's own fresh suffix), for clients that treat big pages apart.
    let size = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("size="))
        .and_then(|n| n.parse::<usize>().ok());
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    match (parts.next(), parts.next().map(str::parse::<usize>)) {
        (Some("page"), Some(Ok(id))) => {
            let mut body = format!("page {id} ");
            if let Some(size) = size {
                let pad = size.saturating_sub(body.len());
                body.push_str(&".".repeat(pad));
            }
            (200, body.trim_end().to_owned(), latency)
        }
        (Some("status"), Some(Ok(code))) if (100..600).contains(&code) => {
            (code as u16, format!("status {code}"), latency)
        }
        _ => (404, format!("no route for {path}"), latency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FetchError, get};

    #[test]
    fn routes() {
        let d = Duration::from_millis(7);
        assert_eq!(route("/page/3", d), (200, "page 3".into(), d));
        assert_eq!(
            route("/page/3?delay_ms=20", d),
            (200, "page 3".into(), Duration::from_millis(20))
        );
        assert_eq!(route("/page/3?size=100", d).1.len(), 100);
        assert_eq!(route("/status/503", d).0, 503);
        assert_eq!(route("/status/9999", d).0, 404);
        assert_eq!(route("/nope", d).0, 404);
    }

    #[test]
    fn serves_pages_and_errors_over_http() {
        let server = Server::start(Duration::from_millis(1)).unwrap();
        let page = get(&server.url("/page/7")).unwrap();
        assert!(page.starts_with("page 7 #"), "{page}");
        assert!(matches!(
            get(&server.url("/status/500")),
            Err(FetchError::Status { status: 500, .. })
        ));
        assert!(matches!(
            get(&closed_port_url()),
            Err(FetchError::Transport { .. })
        ));
        assert!(matches!(
            get("not a url"),
            Err(FetchError::Transport { .. })
        ));
        assert_eq!(server.served(), 2);
    }

    /// The same page twice gives two different bodies, both logged with
    /// their target, status and round, and both known as served.
    #[test]
    fn every_body_is_fresh_and_logged() {
        let server = Server::start(Duration::ZERO).unwrap();
        let url = server.url("/page/3?delay_ms=1");
        assert_eq!(server.target(&url), Some("/page/3?delay_ms=1"));
        assert_eq!(server.target(&closed_port_url()), None);
        let first = get(&url).unwrap();
        assert_eq!(server.begin_round(), 1);
        let second = get(&url).unwrap();
        let _ = get(&server.url("/status/404"));
        assert_ne!(first, second, "a body is never served twice");
        assert!(ever_served(&first) && ever_served(&second));
        assert!(!ever_served("page 3 #0123456789abcdef"));
        assert!(!ever_served(&first.replace("page 3", "page 4")));
        let log = server.requests();
        assert_eq!(log.len(), 3);
        assert_eq!((log[0].round, log[0].body.as_str()), (0, first.as_str()));
        assert_eq!((log[1].round, log[1].body.as_str()), (1, second.as_str()));
        assert_eq!(
            (log[2].status, log[2].target.as_str()),
            (404, "/status/404")
        );
        assert_eq!(server.round_requests(), log[1..].to_vec());
        assert!(log.iter().all(|r| r.end.is_some_and(|e| e >= r.start)));
    }

    #[test]
    fn counts_the_peak_in_flight() {
        let server = Server::start(Duration::from_millis(100)).unwrap();
        let urls = server.page_urls(5);
        for url in &urls {
            get(url).unwrap();
        }
        assert_eq!(server.peak_in_flight(), 1);
        server.reset_peak();
        thread::scope(|s| {
            for url in &urls {
                s.spawn(|| get(url).unwrap());
            }
        });
        assert_eq!(server.peak_in_flight(), 5);
    }

    /// The timeline steps up as requests start and down as they end.
    #[test]
    fn the_timeline_counts_requests_in_flight() {
        let at = Duration::from_millis;
        let served = |start, end: Option<u64>| Served {
            round: 0,
            target: String::new(),
            status: 200,
            body: String::new(),
            start: at(start),
            end: end.map(at),
        };
        let steps = timeline(&[
            served(0, Some(30)),
            served(10, Some(20)),
            served(20, Some(40)),
            served(35, None),
        ]);
        let step = |t, in_flight, started| Step {
            at: at(t),
            in_flight,
            started,
        };
        assert_eq!(
            steps,
            [
                step(0, 1, 1),
                step(10, 2, 2),
                step(20, 2, 3),
                step(30, 1, 3),
                step(35, 2, 4),
                step(40, 1, 4)
            ]
        );
    }

    /// The server must never be the bottleneck it measures: a burst of
    /// simultaneous requests is seen whole, every time. (tiny_http 0.12's
    /// pool failed this about one time in two.) A barrier starts the
    /// requests together, so a slow thread start cannot spread the burst.
    #[test]
    fn a_burst_is_never_held_back() {
        const BURST: usize = 8;
        let server = Server::start(Duration::from_millis(100)).unwrap();
        let urls = server.page_urls(BURST);
        for round in 0..5 {
            server.reset_peak();
            let start = std::sync::Barrier::new(BURST);
            thread::scope(|s| {
                for url in &urls {
                    let start = &start;
                    s.spawn(move || {
                        start.wait();
                        get(url).unwrap()
                    });
                }
            });
            assert_eq!(server.peak_in_flight(), BURST, "round {round}");
        }
    }
}
