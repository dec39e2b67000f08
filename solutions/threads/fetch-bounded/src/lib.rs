//! Threads, exercise 2: a bounded pool of workers.
//!
//! One thread per URL is fine for sixteen pages and reckless for sixteen
//! thousand: every thread costs memory, and the server on the other end may
//! not welcome that many connections at once. A fixed number of workers
//! taking jobs from a shared queue keeps the overlap and bounds the cost.

use std::num::NonZeroUsize;

pub use testweb::FetchError;
// SOLUTION:
use std::sync::{Arc, Mutex};
use std::thread;
// END SOLUTION

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
    // SOLUTION: todo!("at most max_in_flight fetches at once; results in input order")
    // ANCHOR: solution
    // The queue: every job is sent up front, then the sender is dropped, so
    // a worker's loop ends as soon as the queue is empty.
    let (jobs, queue) = crossbeam_channel::unbounded();
    for job in urls.iter().cloned().enumerate() {
        jobs.send(job).expect("the receiver is alive in this scope");
    }
    drop(jobs);

    // One slot per URL, shared by the workers. `thread::spawn` needs owned,
    // 'static data, hence the Arc; the Mutex lets one worker write at a time.
    let slots = Arc::new(Mutex::new(vec![None; urls.len()]));
    let workers: Vec<_> = (0..max_in_flight.get().min(urls.len()))
        .map(|_| {
            // crossbeam's Receiver is Clone: several workers share one queue.
            let queue = queue.clone();
            let slots = Arc::clone(&slots);
            thread::spawn(move || {
                for (i, url) in queue {
                    let page = testweb::get(&url);
                    let mut slots = slots.lock().expect("no worker panics");
                    slots[i] = Some(page);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker never panics");
    }

    let slots = Arc::into_inner(slots).expect("every worker has finished");
    slots
        .into_inner()
        .expect("no worker panicked while holding the lock")
        .into_iter()
        .map(|slot| slot.expect("the queue held every index once"))
        .collect()
    // ANCHOR_END: solution
    // END SOLUTION
}
// ANCHOR_END: fetch_bounded
