//! Suite of `exercises/gil/gil`: a global interpreter lock.
//!
//! The student's `Gil` is a concrete type in their crate; the [`gil!`]
//! macro wraps it in a local type that implements [`GilApi`], so the checks
//! and workloads here are written once, generically.
//!
//! [`gil!`]: crate::gil!

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use harness::{CpuCheck, Outcome, WaitCheck, human};

pub mod workload;

use workload::{
    Probe, extension, fetch, in_threads, instructions, interpret, one_after_another, steps_for,
};

/// A GIL as the suite sees it.
pub trait GilApi: Send + Sync + Sized + 'static {
    /// The guard type that proves the lock is held.
    type Guard<'a>: GuardApi
    where
        Self: 'a;
    /// An unheld lock with the given switch interval.
    fn new(switch_interval: Duration) -> Self;
    /// Blocks until the calling thread holds the lock.
    fn acquire(&self) -> Self::Guard<'_>;
}

/// A held GIL as the suite sees it.
pub trait GuardApi {
    /// Hands the lock over if a waiter asked for it, then takes it back.
    fn check_in(&mut self);
    /// Runs `work` without the lock and takes it back afterwards.
    fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T;
}

/// Wraps `$krate::Gil` and `$krate::GilGuard` as `Subject` and
/// `SubjectGuard`, implementing [`GilApi`] and [`GuardApi`], and proves at
/// compile time that the guard is not `Send` and the lock is `Send + Sync`.
#[macro_export]
macro_rules! gil_api {
    ($krate:ident) => {
        /// The crate's `Gil`, seen through the suite's trait.
        pub struct Subject($krate::Gil);
        /// The crate's `GilGuard`, seen through the suite's trait.
        pub struct SubjectGuard<'a>($krate::GilGuard<'a>);

        impl $crate::gil::GilApi for Subject {
            type Guard<'a> = SubjectGuard<'a>;
            fn new(switch_interval: ::std::time::Duration) -> Self {
                Subject($krate::Gil::new(switch_interval))
            }
            fn acquire(&self) -> SubjectGuard<'_> {
                SubjectGuard(self.0.acquire())
            }
        }

        impl $crate::gil::GuardApi for SubjectGuard<'_> {
            fn check_in(&mut self) {
                self.0.check_in()
            }
            fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T {
                self.0.allow_threads(work)
            }
        }

        // A guard sent to another thread could be dropped there, releasing
        // a lock that thread never took: the guard must not be Send.
        $crate::__static_assertions::assert_not_impl_any!($krate::GilGuard<'static>: Send);
        $crate::__static_assertions::assert_impl_all!($krate::Gil: Send, Sync);
    };
}

const INTERVAL: Duration = Duration::from_millis(5);

/// Four threads interpret, check in, and step out through `allow_threads`
/// and back; the probe must never see two holders at once.
pub fn never_two_holders<G: GilApi>() {
    let gil = G::new(Duration::from_millis(1));
    let probe = Probe::default();
    let steps = steps_for(Duration::from_millis(10));
    in_threads(4, |_| {
        for _ in 0..5 {
            interpret(&gil, steps, Some(&probe));
            let mut guard = gil.acquire();
            let held = probe.enter();
            {
                let _released = probe.leave();
                guard.allow_threads(|| std::thread::sleep(Duration::from_micros(200)));
            }
            // Back from allow_threads, the lock must be held again.
            instructions(steps / 10);
            drop(held);
        }
    });
    assert_eq!(
        probe.peak(),
        1,
        "{} threads held the GIL at the same moment. acquire must wait while the lock is \
         held, and check_in and allow_threads must take it back before they return.",
        probe.peak()
    );
}

/// A waiter asks after one switch interval, and the holder, checking in
/// all the time, hands over promptly: the wait must be about one interval.
pub fn hands_off_after_the_switch_interval<G: GilApi>() {
    let gil = G::new(INTERVAL);
    let holder_cap = Duration::from_millis(500);
    let mut waits: Vec<Duration> = (0..7)
        .map(|_| {
            let (started, has_it) = mpsc::channel();
            let stop = AtomicBool::new(false);
            std::thread::scope(|s| {
                s.spawn(|| {
                    let mut guard = gil.acquire();
                    started.send(()).expect("the test waits for this");
                    let begun = Instant::now();
                    let mut acc = 0;
                    while !stop.load(Ordering::Relaxed) && begun.elapsed() < holder_cap {
                        for i in 0..workload::CHECK_EVERY {
                            acc = workload::instruction(acc, i);
                        }
                        guard.check_in();
                    }
                });
                has_it.recv().expect("the holder starts");
                std::thread::sleep(Duration::from_millis(2));
                let asked = Instant::now();
                let guard = gil.acquire();
                let waited = asked.elapsed();
                stop.store(true, Ordering::Relaxed);
                drop(guard);
                waited
            })
        })
        .collect();
    waits.sort();
    let median = waits[waits.len() / 2];
    let shown: Vec<String> = waits.iter().map(|w| human(*w)).collect();
    assert!(
        median <= INTERVAL * 4,
        "with a switch interval of {}, a waiter got the GIL after {} (median of 7: {}). \
         The holder checks in every few microseconds, so the waiter should have it after \
         about one interval: after waiting that long it must ask for the lock, and check_in \
         must hand it over when asked.",
        human(INTERVAL),
        human(median),
        shown.join(", ")
    );
    assert!(
        median >= INTERVAL.mul_f64(0.8),
        "a waiter got the GIL after {} (median of 7: {}), before the switch interval of {} \
         had passed. A holder keeps the lock until someone has waited a whole interval: \
         switching at every check-in makes CPU-bound threads pay for constant hand-overs.",
        human(median),
        shown.join(", "),
        human(INTERVAL)
    );
}

/// Eight threads take the lock hundreds of times, with and without
/// `allow_threads`; none may sleep through its wake-up. The switch interval
/// is a minute, so a waiter wakes only when a release wakes it.
pub fn no_lost_wakeups<G: GilApi>() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 300;
    let gil = Arc::new(G::new(Duration::from_secs(60)));
    let taken = Arc::new(AtomicUsize::new(0));
    let (shared, count) = (Arc::clone(&gil), Arc::clone(&taken));
    harness::within(
        Duration::from_secs(5),
        "8 threads taking 300 turns each with the GIL (a thread that waits forever slept \
         through a release: wake the waiters every time the lock is released)",
        move || {
            in_threads(THREADS, |t| {
                for round in 0..ROUNDS {
                    let mut guard = shared.acquire();
                    count.fetch_add(1, Ordering::Relaxed);
                    guard.check_in();
                    if (round + t) % 4 == 0 {
                        guard.allow_threads(std::thread::yield_now);
                    }
                }
            })
        },
    );
    assert_eq!(
        taken.load(Ordering::Relaxed),
        THREADS * ROUNDS,
        "every acquire returns once"
    );
}

/// While one thread is inside `allow_threads`, another can take the lock;
/// and the closure's value comes back.
pub fn allow_threads_releases_the_gil<G: GilApi>() {
    let gil = G::new(INTERVAL);
    let (go, wait_for_go) = mpsc::channel();
    let (done, wait_for_done) = mpsc::channel();
    let gil = &gil;
    let outcome = std::thread::scope(|s| {
        s.spawn(move || {
            wait_for_go.recv().expect("the first thread signals");
            let _guard = gil.acquire();
            let _ = done.send(());
        });
        let mut guard = gil.acquire();
        guard.allow_threads(move || {
            go.send(()).expect("the second thread is alive");
            wait_for_done
                .recv_timeout(Duration::from_secs(2))
                .map(|()| 42)
        })
    });
    assert_eq!(
        outcome,
        Ok(42),
        "while one thread was inside allow_threads, another could not take the GIL within \
         2 s: allow_threads must release the lock before it runs the closure"
    );
}

/// A thread that panics while holding the lock, or inside `allow_threads`,
/// must not leave it held.
pub fn a_panicking_holder_releases_the_gil<G: GilApi>() {
    let gil = Arc::new(G::new(INTERVAL));
    let holding = {
        let gil = Arc::clone(&gil);
        std::thread::spawn(move || {
            let _guard = gil.acquire();
            panic!("a panic while holding the GIL (expected by the test)");
        })
    };
    assert!(holding.join().is_err());
    assert_free(&gil, "after a thread panicked while holding the GIL");
    let inside = {
        let gil = Arc::clone(&gil);
        std::thread::spawn(move || {
            let mut guard = gil.acquire();
            guard.allow_threads(|| panic!("a panic inside allow_threads (expected by the test)"));
        })
    };
    assert!(inside.join().is_err());
    assert_free(&gil, "after a thread panicked inside allow_threads");
}

/// Asserts that another thread can take the lock within 2 s. The taker is
/// not joined: if the lock stays held it waits forever, and the test
/// process ends it.
fn assert_free<G: GilApi>(gil: &Arc<G>, when: &str) {
    let (took, taken) = mpsc::channel();
    let gil = Arc::clone(gil);
    std::thread::spawn(move || {
        let _guard = gil.acquire();
        let _ = took.send(());
    });
    assert!(
        taken.recv_timeout(Duration::from_secs(2)).is_ok(),
        "{when}, no other thread could take it within 2 s. Release the lock in the guard's \
         Drop, which also runs while a panic unwinds; and in allow_threads take the lock \
         back even when the closure panics, so that Drop has a lock to release."
    );
}

const TASKS: usize = 4;

/// CPU work in four threads under the GIL takes as long as one after
/// another: the point of the chapter.
pub fn cpu_work_under_the_gil_gets_no_speedup<G: GilApi>() {
    no_speedup_outcome::<G>().assert_pass();
}

/// Measures [`cpu_work_under_the_gil_gets_no_speedup`] without judging.
pub fn no_speedup_outcome<G: GilApi>() -> Outcome {
    let steps = steps_for(Duration::from_millis(40));
    let gil = G::new(INTERVAL);
    CpuCheck::serialized("CPU work in threads under the GIL", TASKS)
        .hint(
            "acquire must block while another thread holds the lock, and check_in must \
             take the lock back before returning.",
        )
        .run(
            &mut || one_after_another(TASKS, |_| interpret(&gil, steps, None)),
            // The same interpreter, each thread on a lock of its own: what
            // the threads do when nothing makes them take turns.
            &mut || in_threads(TASKS, |_| interpret(&G::new(INTERVAL), steps, None)),
            &mut || in_threads(TASKS, |_| interpret(&gil, steps, None)),
        )
}

/// Waiting work in four threads overlaps under the GIL, because the lock
/// is released while each thread waits.
pub fn waiting_work_overlaps<G: GilApi>() {
    overlap_outcome::<G>().assert_pass();
}

/// Measures [`waiting_work_overlaps`] without judging.
pub fn overlap_outcome<G: GilApi>() -> Outcome {
    let latency = Duration::from_millis(100);
    let server = crate::fetching::server(latency);
    let urls = server.page_urls(TASKS);
    let gil = G::new(INTERVAL);
    WaitCheck::new("waiting work in threads under the GIL", TASKS, latency)
        .hint(
            "allow_threads must release the lock before running the closure, so the \
             other threads can start their requests while this one waits.",
        )
        .run(
            &mut || in_threads(TASKS, |i| testweb::get(&urls[i])),
            &mut || in_threads(TASKS, |i| fetch(&gil, &urls[i])),
        )
}

/// CPU work inside `allow_threads` runs in parallel again, as in a C
/// extension that drops the GIL.
pub fn cpu_work_that_releases_the_gil_speeds_up<G: GilApi>() {
    released_speedup_outcome::<G>().assert_pass();
}

/// Measures [`cpu_work_that_releases_the_gil_speeds_up`] without judging.
pub fn released_speedup_outcome<G: GilApi>() -> Outcome {
    let steps = steps_for(Duration::from_millis(40));
    let gil = G::new(INTERVAL);
    CpuCheck::new("CPU work inside allow_threads", TASKS)
        .hint(
            "allow_threads must run the closure without the lock, so four threads can \
             compute at once.",
        )
        .run(
            &mut || one_after_another(TASKS, |_| extension(&gil, steps)),
            &mut || in_threads(TASKS, |_| instructions(steps)),
            &mut || in_threads(TASKS, |_| extension(&gil, steps)),
        )
}
