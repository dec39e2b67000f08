//! Threads, exercise 1: fetch every page at once.
//!
//! A request spends nearly all of its time waiting for the server. Give each
//! URL its own thread and the waits overlap: N requests then take about as
//! long as the slowest one, not as long as all of them together.

pub use testweb::FetchError;

// ANCHOR: fetch_all
/// Fetches every URL, each on its own thread, with [`testweb::get`].
///
/// `result[i]` belongs to `urls[i]`, whatever order the answers arrive in.
/// A URL that fails gives an `Err` in its place and the others still
/// succeed: one bad URL is never a panic.
pub fn fetch_all(urls: &[String]) -> Vec<Result<String, FetchError>> {
    todo!("every URL fetched at the same time, results in input order")
}
// ANCHOR_END: fetch_all
