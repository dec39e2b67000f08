//! Known-good implementations the speedup checks measure the student's code
//! against, in the same run and on the same server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// `k` workers that each take the next URL as soon as they are free: never
/// more than `k` in flight, and no worker idles while a URL waits. (Not
/// batches of `k`: a batch waits for its slowest request, which this
/// reference must not do, or it would excuse a student's batches.)
pub fn pool(urls: &[String], k: usize) {
    let next = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..k.clamp(1, urls.len().max(1)) {
            s.spawn(|| {
                while let Some(url) = urls.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let _ = testweb::get(url);
                }
            });
        }
    });
}
