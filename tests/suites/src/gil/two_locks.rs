//! Two `Gil`s are two locks: holding one says nothing about the other.
//!
//! A lock whose state lives in `static`s is one lock however many are
//! made, and every check that uses one `Gil` at a time passes it. CPython
//! has one GIL per interpreter (one per subinterpreter since 3.12); the
//! course's `Gil` is a value, and each value is a lock of its own, with the
//! switch interval it was made with.

use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::{FOREVER, GilApi, GuardApi, human, settle, settle_within};

const CHECK: &str = "two_gils_are_two_locks";
/// How long the second lock may take to be taken while the first is held:
/// far longer than taking a free lock takes on any machine.
const FREE_WITHIN: Duration = Duration::from_millis(500);
/// Two intervals, different, given to two locks made one after the other.
const INTERVALS: [Duration; 2] = [Duration::from_millis(3), Duration::from_millis(7)];

/// The check: see the module's documentation.
pub fn two_gils_are_two_locks<G: GilApi>() {
    let [first, second] = INTERVALS.map(G::new);
    let reported = [first.switch_interval(), second.switch_interval()];
    assert!(
        reported == INTERVALS,
        "[{CHECK}] two Gils were made with switch intervals of {} and {}; they report {} and \
         {}. Each Gil keeps the interval it was made with: keep it in the Gil, not in a \
         `static` that the next Gil::new overwrites.",
        human(INTERVALS[0]),
        human(INTERVALS[1]),
        human(reported[0]),
        human(reported[1]),
    );
    let (one, other) = (G::new(FOREVER), G::new(FOREVER));
    let waited = settle(
        CHECK,
        "Taking one Gil while another was held, or after it was released, never finished.",
        move || {
            let held = one.acquire();
            let (took, taken) = mpsc::channel();
            std::thread::scope(|s| {
                s.spawn(|| {
                    let began = Instant::now();
                    let guard = other.acquire();
                    let _ = took.send(began.elapsed());
                    drop(guard);
                });
                let waited = taken.recv_timeout(FREE_WITHIN).ok();
                // Whatever happened, the first lock is let go, so that a
                // second lock that is really the first can be taken too.
                drop(held);
                waited.ok_or_else(|| taken.recv().unwrap_or_default())
            })
        },
    );
    if let Err(after) = waited {
        panic!(
            "[{CHECK}] while one thread held a Gil, another thread asked for a second Gil, \
             which nobody held: it did not get it within {}, and got it only once the first \
             Gil was let go (after {}). The two are one lock: keep the lock's state (held or \
             not, its waiters, its drop request) in the Gil value, not in `static`s shared by \
             every Gil.",
            human(FREE_WITHIN),
            human(after),
        );
    }
    a_request_stays_with_its_gil::<G>();
}

/// How long the holder of one Gil checks in, alone on it, while a thread
/// waits for the other Gil and asks its holder to let go.
const ALONE: Duration = Duration::from_millis(200);

/// A drop request made of one Gil's holder is not put to the other's: a
/// holder alone on its Gil, checking in, finishes its work while a thread
/// waiting for the other Gil asks that Gil's holder (which never checks in)
/// to let go. A request kept in a `static` reaches the lone holder, which
/// hands its Gil over to nobody and waits for ever.
fn a_request_stays_with_its_gil<G: GilApi>() {
    let short = Duration::from_millis(2);
    let (alone_on, other) = (Arc::new(G::new(short)), Arc::new(G::new(short)));
    // Well within the suite's own limit: the reference takes ALONE.
    settle_within(
        Duration::from_secs(1),
        CHECK,
        "A thread alone on one Gil, checking in, never finished its work while a thread \
         waiting for a second Gil asked that Gil's holder to let go: the request reached the \
         holder of the first Gil, which handed it over to nobody and waited for a taker. Keep \
         the drop request in the Gil value, not in a `static` shared by every Gil.",
        move || {
            let held = other.acquire();
            std::thread::scope(|s| {
                let lone = s.spawn(|| {
                    let mut guard = alone_on.acquire();
                    let began = Instant::now();
                    while began.elapsed() < ALONE {
                        std::hint::black_box(0u64);
                        guard.check_in();
                    }
                });
                let waiter = s.spawn(|| drop(other.acquire()));
                let _ = lone.join();
                drop(held);
                let _ = waiter.join();
            });
        },
    );
}
