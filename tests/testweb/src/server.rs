//! The latency server.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use tokio::sync::oneshot;

/// The body the server sends for `/page/{id}`.
pub fn page_body(id: usize) -> String {
    format!("page {id}")
}

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

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    served: AtomicUsize,
}

/// A local HTTP server that waits `latency` before it answers.
///
/// Routes:
/// - `/page/{id}` answers 200 with [`page_body`]`(id)`;
/// - `/status/{code}` answers with that status;
/// - `?delay_ms=N` on either replaces the latency for that request;
/// - anything else answers 404.
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
    counters: Arc<Counters>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Clone)]
struct Shared {
    counters: Arc<Counters>,
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
        let counters = Arc::new(Counters::default());
        let shared = Shared {
            counters: Arc::clone(&counters),
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
            counters,
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

    /// The most requests that were being served at the same moment since
    /// the start or the last [`Self::reset_peak`].
    pub fn peak_in_flight(&self) -> usize {
        self.counters.peak.load(Ordering::SeqCst)
    }

    /// Starts a new peak measurement.
    pub fn reset_peak(&self) {
        let now = self.counters.in_flight.load(Ordering::SeqCst);
        self.counters.peak.store(now, Ordering::SeqCst);
    }

    /// Requests answered so far.
    pub fn served(&self) -> usize {
        self.counters.served.load(Ordering::SeqCst)
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

/// Counts a request in flight for as long as it lives, including when the
/// client hangs up mid-wait and the handler is dropped.
struct InFlight<'a>(&'a Counters);

impl<'a> InFlight<'a> {
    fn enter(counters: &'a Counters) -> Self {
        let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        counters.peak.fetch_max(now, Ordering::SeqCst);
        Self(counters)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn serve(State(shared): State<Shared>, uri: Uri) -> (StatusCode, String) {
    let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    let (status, body, latency) = route(target, shared.latency);
    {
        let _counted = InFlight::enter(&shared.counters);
        tokio::time::sleep(latency).await;
        // Leave the count before answering: the client can only send its
        // next request after this answer, so a client that keeps K requests
        // in flight is never counted as K + 1.
    }
    shared.counters.served.fetch_add(1, Ordering::SeqCst);
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
}

/// Decides status, body and latency for a request target like
/// `/page/3?delay_ms=20`.
fn route(target: &str, default_latency: Duration) -> (u16, String, Duration) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let latency = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("delay_ms="))
        .and_then(|ms| ms.parse().ok())
        .map_or(default_latency, Duration::from_millis);
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    match (parts.next(), parts.next().map(str::parse::<usize>)) {
        (Some("page"), Some(Ok(id))) => (200, page_body(id), latency),
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
        assert_eq!(route("/status/503", d).0, 503);
        assert_eq!(route("/status/9999", d).0, 404);
        assert_eq!(route("/nope", d).0, 404);
    }

    #[test]
    fn serves_pages_and_errors_over_http() {
        let server = Server::start(Duration::from_millis(1)).unwrap();
        assert_eq!(get(&server.url("/page/7")), Ok(page_body(7)));
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
