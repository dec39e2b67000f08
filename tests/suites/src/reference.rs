//! Known-good implementations the speedup checks measure the student's code
//! against, in the same run and on the same server.

use std::thread;

/// Every URL on its own thread: the waits overlap completely.
pub fn overlapped(urls: &[String]) {
    thread::scope(|s| {
        for url in urls {
            s.spawn(move || testweb::get(url));
        }
    });
}

/// Batches of `k` overlapped URLs, one batch after another: never more than
/// `k` in flight, and `ceil(n / k)` latencies in all.
pub fn in_waves(urls: &[String], k: usize) {
    for wave in urls.chunks(k.max(1)) {
        overlapped(wave);
    }
}
