//! The blocking HTTP client the exercises call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::Duration;

/// Why one URL could not be fetched. Every failure is a value, never a
/// panic: one bad URL must not take down the others.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server answered with an error status (4xx or 5xx).
    #[error("{url}: the server answered with status {status}")]
    Status {
        /// The URL that was requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// No answer: the connection was refused, reset, timed out, or the URL
    /// was malformed.
    #[error("{url}: {reason}")]
    Transport {
        /// The URL that was requested.
        url: String,
        /// What went wrong, as the HTTP client put it.
        reason: String,
    },
}

/// Every phase of a request gives up after this long, so a lost server
/// cannot hang a student's program (or CI).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Each phase of a request (connect, send, wait for the answer, read it)
/// has its own [`TIMEOUT`]; name resolution has none. A timeout on
/// resolution (the global one includes it) makes ureq resolve on a thread of
/// its own for every request, and the suites count a solution's threads:
/// `get` starts none.
static AGENT: LazyLock<ureq::Agent> = LazyLock::new(|| {
    ureq::Agent::config_builder()
        .timeout_connect(Some(TIMEOUT))
        .timeout_send_request(Some(TIMEOUT))
        .timeout_recv_response(Some(TIMEOUT))
        .timeout_recv_body(Some(TIMEOUT))
        .build()
        .into()
});

/// While open, every [`get`] in the process is logged with the thread that
/// made it: the suites' witness of where a request was made (on the thread
/// that called the student's function, or on one it started). One at a
/// time; the log is dropped with it.
pub struct CallerLog(());

static RECORDING: AtomicBool = AtomicBool::new(false);
static CALLERS: Mutex<Vec<Called>> = Mutex::new(Vec::new());

/// One logged call of [`get`]: its thread, its URL, and when it began.
type Called = (ThreadId, String, std::time::Instant);

fn callers() -> std::sync::MutexGuard<'static, Vec<Called>> {
    CALLERS.lock().unwrap_or_else(PoisonError::into_inner)
}

impl CallerLog {
    /// Starts logging.
    pub fn open() -> Self {
        callers().clear();
        RECORDING.store(true, Ordering::SeqCst);
        Self(())
    }

    /// How many threads made requests since the log was opened (thread ids
    /// are never reused within a process).
    pub fn threads(&self) -> usize {
        callers()
            .iter()
            .map(|(t, _, _)| *t)
            .collect::<std::collections::HashSet<_>>()
            .len()
    }

    /// Every URL requested since the log was opened, on any thread.
    pub fn urls(&self) -> Vec<String> {
        callers().iter().map(|(_, url, _)| url.clone()).collect()
    }

    /// When each call since the log was opened began, in the order the
    /// calls were logged: the witness of when a client started its
    /// requests, a string that is not a URL included (it fails without a
    /// server, and no server could see it).
    pub fn starts(&self) -> Vec<std::time::Instant> {
        callers().iter().map(|(_, _, at)| *at).collect()
    }

    /// The URLs requested on `thread` since the log was opened, in order.
    pub fn made_on(&self, thread: ThreadId) -> Vec<String> {
        callers()
            .iter()
            .filter(|(t, _, _)| *t == thread)
            .map(|(_, url, _)| url.clone())
            .collect()
    }
}

impl Drop for CallerLog {
    fn drop(&mut self) {
        RECORDING.store(false, Ordering::SeqCst);
        callers().clear();
    }
}

/// Fetches `url` and returns the body as text. Blocks until the whole
/// response has arrived: the calling thread waits, doing nothing, for as long
/// as the server takes.
///
/// Safe to call from many threads at once.
pub fn get(url: &str) -> Result<String, FetchError> {
    let transport = |e: ureq::Error| FetchError::Transport {
        url: url.to_owned(),
        reason: e.to_string(),
    };
    if RECORDING.load(Ordering::SeqCst) {
        callers().push((
            std::thread::current().id(),
            url.to_owned(),
            std::time::Instant::now(),
        ));
    }
    if let Some(body) = crate::gathering::answer(url) {
        return Ok(body);
    }
    match AGENT.get(url).call() {
        Ok(mut response) => response.body_mut().read_to_string().map_err(transport),
        Err(ureq::Error::StatusCode(status)) => Err(FetchError::Status {
            url: url.to_owned(),
            status,
        }),
        Err(e) => Err(transport(e)),
    }
}
