//! Source witnesses for the GIL: what no run of the lock can show.
//!
//! A `Condvar` kept in a `static` wakes the waiters of every other `Gil`
//! for nothing, and a counter kept in one yields every so many check-ins;
//! a waiter that spins a few hundred microseconds before it sleeps, or a
//! holder that yields in a loop until its waiter has the lock, costs less
//! CPU than any timed check can tell from the wake-ups a waiting thread
//! makes anyway (round 13, `gil/04`, `05`, `06` and `09`). What the code
//! calls and keeps is in `src/lib.rs` all the same, in the functions the
//! suite calls and those they call ([`crate::reach`]). The reference's
//! `trace` module, compiled only for the book, is not seen.

use std::time::Duration;

use super::{GilApi, GuardApi};

/// The functions of the API the suite calls: the lock's code starts there.
const API: &[&str] = &[
    "new",
    "switch_interval",
    "acquire",
    "check_in",
    "allow_threads",
    "drop",
];

/// One right use of the lock: two threads take turns under it, each
/// checking in and letting go in `allow_threads`.
fn one_right_use<G: GilApi>() {
    let gil = G::new(Duration::from_micros(200));
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..20 {
                    let mut guard = gil.acquire();
                    guard.check_in();
                    guard.allow_threads(|| std::hint::black_box(1 + 1));
                }
            });
        }
    });
}

/// One right use, then the lock's code (what the API's functions reach)
/// must declare or name no `static` and no `thread_local!`.
pub fn nothing_is_kept_in_a_static<G: GilApi>() {
    one_right_use::<G>();
    crate::pure::refuse_globals_from(
        "nothing is kept in a static",
        API,
        "The page promises that a `Gil` is a lock of its own: its state, its waiters and how \
         they are woken live in the `Gil` value, so that two `Gil`s are two locks and a thread \
         that checks in pays for nothing but its own lock. A `static` (a `Condvar` every lock \
         shares, a counter of check-ins) is shared by every `Gil` there is, whether or not the \
         suite's locks meet.",
    );
}

/// One right use, then the lock's code must call nothing that spins,
/// yields or naps ([`crate::polls::SPINNING`]), and have no loop that reads
/// the clock or an atomic without waiting ([`crate::polls::spin_loops`]):
/// a waiter sleeps on a
/// `Condvar` until it is woken or its interval has passed, and a holder
/// that handed the lock over sleeps the same way until it may take it back.
pub fn waiting_never_spins<G: GilApi>() {
    one_right_use::<G>();
    crate::polls::refuse_spins_from(
        "waiting never spins",
        API,
        "The page promises that a waiting thread never keeps a core busy: it neither polls in \
         short steps nor spins, not even for a moment before it sleeps, and a check-in costs no \
         system call when nobody asked. Wait on the `Condvar` (with the switch interval as its \
         time-out, the one clock this lock needs), and let the release wake you.",
    );
}
