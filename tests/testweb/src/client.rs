//! The blocking HTTP client the exercises call.

use std::sync::LazyLock;
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

/// Every request gives up after this long, so a lost server cannot hang a
/// student's program (or CI).
pub const TIMEOUT: Duration = Duration::from_secs(10);

static AGENT: LazyLock<ureq::Agent> = LazyLock::new(|| {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .build()
        .into()
});

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
    match AGENT.get(url).call() {
        Ok(mut response) => response.body_mut().read_to_string().map_err(transport),
        Err(ureq::Error::StatusCode(status)) => Err(FetchError::Status {
            url: url.to_owned(),
            status,
        }),
        Err(e) => Err(transport(e)),
    }
}
