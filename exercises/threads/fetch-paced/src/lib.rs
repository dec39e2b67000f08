//! Threads, exercise 3: an API with two limits.
//!
//! A public API seldom lets a client go as fast as its threads can. This
//! one allows a client `max_in_flight` requests at once and `per_second`
//! requests started in any one second, and refuses the rest. Within those
//! limits, the faster the better: the work is waiting, and waiting
//! overlaps. How many threads, and how they agree on when the next request
//! may start, is yours to decide.

use std::num::NonZeroUsize;

pub use testweb::FetchError;

// ANCHOR: fetch_paced
/// Fetches every URL with [`testweb::get`], as fast as the API's two limits
/// allow: never more than `max_in_flight` requests at once, and never more
/// than `per_second` requests started within any one second.
///
/// `result[i]` belongs to `urls[i]`; a failing URL gives an `Err` in its
/// place and the others still succeed.
pub fn fetch_paced(
    urls: &[String],
    max_in_flight: NonZeroUsize,
    per_second: NonZeroUsize,
) -> Vec<Result<String, FetchError>> {
    todo!("every URL, within both limits, as fast as they allow")
}
// ANCHOR_END: fetch_paced
