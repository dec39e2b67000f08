//! Threads, exercise 2: a bounded pool of workers.
//!
//! One thread per URL is fine for sixteen pages and reckless for sixteen
//! thousand: every thread costs memory, and the server on the other end may
//! not welcome that many connections at once. A fixed number of workers
//! taking jobs from a shared queue keeps the overlap and bounds the cost.

use std::num::NonZeroUsize;

pub use testweb::FetchError;

// ANCHOR: fetch_bounded
/// Fetches every URL with [`testweb::get`], never more than `max_in_flight`
/// at once, using that many worker threads fed by a channel.
///
/// `result[i]` belongs to `urls[i]`; a failing URL gives an `Err` in its
/// place and the others still succeed.
pub fn fetch_bounded(
    urls: &[String],
    max_in_flight: NonZeroUsize,
) -> Vec<Result<String, FetchError>> {
    todo!("at most max_in_flight fetches at once; results in input order")
}
// ANCHOR_END: fetch_bounded
