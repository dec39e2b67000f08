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
// SOLUTION:
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// The window of the rate limit.
const SECOND: Duration = Duration::from_secs(1);

// ANCHOR: pacer
/// The starts planned so far, the last `per_second` of them: a worker
/// books the earliest start the window allows, then sleeps until it.
struct Pacer {
    per_second: usize,
    booked: Mutex<VecDeque<Instant>>,
}

impl Pacer {
    /// Books the earliest instant at which one more request may start:
    /// now, or one second after the `per_second`-th last booked start.
    /// Bookings never go back in time, so the window holds for the
    /// bookings as for the starts.
    fn book(&self) -> Instant {
        let mut booked = self.booked.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let at = if booked.len() < self.per_second {
            now
        } else {
            now.max(booked[booked.len() - self.per_second] + SECOND)
        };
        booked.push_back(at);
        while booked.len() > self.per_second {
            booked.pop_front();
        }
        at
    }
}
// ANCHOR_END: pacer
// END SOLUTION

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
    // SOLUTION: todo!("every URL, within both limits, as fast as they allow")
    // ANCHOR: solution
    let pacer = Pacer {
        per_second: per_second.get(),
        booked: Mutex::new(VecDeque::new()),
    };
    let next = AtomicUsize::new(0);
    // max_in_flight workers bound the requests in flight; the pacer bounds
    // the starts.
    let workers = max_in_flight.get().min(urls.len());
    thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(url) = urls.get(i) else { break };
                        let at = pacer.book();
                        thread::sleep(at.saturating_duration_since(Instant::now()));
                        mine.push((i, testweb::get(url)));
                    }
                    mine
                })
            })
            .collect();
        let mut results: Vec<Option<Result<String, FetchError>>> =
            urls.iter().map(|_| None).collect();
        for handle in handles {
            for (i, page) in handle.join().expect("a worker never panics") {
                results[i] = Some(page);
            }
        }
        results
            .into_iter()
            .map(|r| r.expect("every index is taken once"))
            .collect()
    })
    // ANCHOR_END: solution
    // END SOLUTION
}
// ANCHOR_END: fetch_paced
