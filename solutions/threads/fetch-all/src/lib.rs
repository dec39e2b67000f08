//! Threads, exercise 1: fetch every page at once.
//!
//! A request spends nearly all of its time waiting for the server. Give each
//! URL its own thread and the waits overlap: N requests then take about as
//! long as the slowest one, not as long as all of them together.

pub use testweb::FetchError;
// SOLUTION:
use std::thread;
// END SOLUTION

// ANCHOR: fetch_all
/// Fetches every URL, each on its own thread, with [`testweb::get`].
///
/// `result[i]` belongs to `urls[i]`, whatever order the answers arrive in.
/// A URL that fails gives an `Err` in its place and the others still
/// succeed: one bad URL is never a panic.
pub fn fetch_all(urls: &[String]) -> Vec<Result<String, FetchError>> {
    // SOLUTION: todo!("every URL fetched at the same time, results in input order")
    // ANCHOR: solution
    thread::scope(|scope| {
        // Start every request before waiting for any of them...
        let handles: Vec<_> = urls
            .iter()
            .map(|url| scope.spawn(move || testweb::get(url)))
            .collect();
        // ...then wait in input order: handle i holds the answer for URL i.
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .expect("testweb::get returns errors, it does not panic")
            })
            .collect()
    })
    // ANCHOR_END: solution
    // END SOLUTION
}
// ANCHOR_END: fetch_all
