//! The GIL, exercise: a global interpreter lock in the style of CPython's.
//!
//! One thread at a time holds the [`Gil`]. The holder runs "bytecode" and
//! checks in every few instructions ([`GilGuard::check_in`]); a thread that
//! wants the lock waits one switch interval and then asks the holder to
//! hand it over, which the holder does at its next check-in. Blocking work
//! runs inside [`GilGuard::allow_threads`], without the lock, so other
//! threads run meanwhile: that is why waiting overlaps under a GIL and
//! computing does not.

use std::marker::PhantomData;
use std::time::Duration;
// SOLUTION:
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;
// END SOLUTION

/// CPython's default switch interval: `sys.getswitchinterval()` is 0.005.
pub const DEFAULT_SWITCH_INTERVAL: Duration = Duration::from_millis(5);

// ANCHOR: gil
/// A global interpreter lock. Share it between threads by reference (with
/// scoped threads) or in an `Arc`.
pub struct Gil {
    switch_interval: Duration,
    // SOLUTION:
    // ANCHOR: fields
    state: Mutex<State>,
    /// Signalled whenever the lock is released or changes hands.
    changed: Condvar,
    /// Set by a waiter that has waited a whole switch interval; read by the
    /// holder at every check-in. An atomic, so that a check-in with nobody
    /// waiting costs one load, not a mutex (CPython's `gil_drop_request`).
    drop_request: AtomicBool,
    // ANCHOR_END: fields
    // END SOLUTION
}

/// Proof that the current thread holds the [`Gil`]. Dropping it releases
/// the lock.
///
/// Not `Send`: a lock held by one thread cannot be released by another, so
/// the guard must stay on the thread that acquired it.
pub struct GilGuard<'a> {
    gil: &'a Gil,
    _not_send: PhantomData<*const ()>,
}
// ANCHOR_END: gil

// SOLUTION:
// ANCHOR: state
#[derive(Default)]
struct State {
    held: bool,
    /// How many times the lock has been taken: lets a waiter see whether it
    /// changed hands while it slept, and a holder that handed it over see
    /// when someone else has it.
    switches: u64,
    /// Threads asleep on `changed`. They register under the mutex before
    /// they sleep, so a thread that sees zero here (under the same mutex)
    /// can skip the wake-up: nobody can miss it. Waking an empty room costs
    /// a system call on every release.
    sleepers: usize,
}
// ANCHOR_END: state
// END SOLUTION

// ANCHOR: api
impl Gil {
    /// A free lock whose waiters ask for a hand-over after `switch_interval`
    /// (at least a microsecond, as in CPython).
    pub fn new(switch_interval: Duration) -> Self {
        // SOLUTION: todo!("a lock that nobody holds yet")
        Self {
            switch_interval: switch_interval.max(Duration::from_micros(1)),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            drop_request: AtomicBool::new(false),
        }
        // END SOLUTION
    }

    /// The interval after which a waiting thread asks the holder to let go.
    pub fn switch_interval(&self) -> Duration {
        self.switch_interval
    }

    /// Blocks until this thread holds the lock.
    ///
    /// While it waits, each time a whole switch interval passes without the
    /// lock changing hands, it asks the holder to let go.
    ///
    /// The lock is not re-entrant: a thread that calls this while it holds
    /// the lock waits for itself forever.
    pub fn acquire(&self) -> GilGuard<'_> {
        // SOLUTION: todo!("wait for the lock; ask for it after a switch interval")
        self.take();
        GilGuard {
            gil: self,
            _not_send: PhantomData,
        }
        // END SOLUTION
    }

    // SOLUTION:
    // ANCHOR: take_release
    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the state lock; ignore poison.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// CPython's `take_gil`.
    fn take(&self) {
        let mut state = self.state();
        if state.held {
            trace::note(trace::Event::Waits);
        }
        let mut seen = state.switches;
        let mut deadline = Instant::now() + self.switch_interval;
        while state.held {
            let now = Instant::now();
            if now >= deadline {
                if state.switches == seen {
                    // A whole interval and no hand-over: ask for one.
                    self.drop_request.store(true, Ordering::Release);
                    trace::note(trace::Event::DropRequest);
                }
                deadline = now + self.switch_interval;
            }
            let wait = deadline.saturating_duration_since(now);
            state.sleepers += 1;
            state = self
                .changed
                .wait_timeout(state, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            state.sleepers -= 1;
            if state.switches != seen {
                // It changed hands: the new holder gets a full interval.
                seen = state.switches;
                deadline = Instant::now() + self.switch_interval;
            }
        }
        state.held = true;
        state.switches += 1;
        trace::note(trace::Event::Takes);
        self.drop_request.store(false, Ordering::Release);
        // A holder that handed over waits to see the lock taken.
        self.wake(&state);
    }

    /// Wakes every sleeper, if there is one. Every waiter re-checks and one
    /// of them wins: notify_one could pick a thread that only waits for a
    /// hand-over to be seen, and lose the wake-up the others needed.
    fn wake(&self, state: &State) {
        if state.sleepers > 0 {
            self.changed.notify_all();
        }
    }

    /// CPython's `drop_gil`. Returns the switch count at release.
    fn release(&self) -> u64 {
        let mut state = self.state();
        state.held = false;
        trace::note(trace::Event::Releases);
        self.wake(&state);
        state.switches
    }
    // ANCHOR_END: take_release
    // END SOLUTION
}

impl GilGuard<'_> {
    /// Whether this guard holds `gil`, and not another GIL: a thread that
    /// must work under the GIL it was given can be told from one that made
    /// its own.
    pub fn holds(&self, gil: &Gil) -> bool {
        std::ptr::eq(self.gil, gil)
    }

    /// Called by the holder between instructions: hands the lock over if a
    /// waiter asked for it, and takes it back before returning. Cheap when
    /// nobody asked.
    pub fn check_in(&mut self) {
        // SOLUTION: todo!("if asked: release, wait until taken, take it back")
        // ANCHOR: check_in
        if !self.gil.drop_request.load(Ordering::Acquire) {
            return;
        }
        trace::note(trace::Event::HandsOver);
        let released_at = self.gil.release();
        // CPython's FORCE_SWITCHING: do not grab the lock straight back,
        // or the waiter that asked for it may never get it.
        let mut state = self.gil.state();
        while state.switches == released_at {
            state.sleepers += 1;
            state = self
                .gil
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.sleepers -= 1;
        }
        drop(state);
        self.gil.take();
        // ANCHOR_END: check_in
        // END SOLUTION
    }

    /// Runs `work` without the lock, so other threads can run meanwhile,
    /// and takes the lock back before returning: the analogue of CPython's
    /// `Py_BEGIN_ALLOW_THREADS` and of PyO3's `Python::allow_threads`.
    ///
    /// `work` must be `Send`, as in PyO3: it cannot use this guard (or
    /// anything else tied to holding the lock) while the lock is released.
    pub fn allow_threads<T, F>(&mut self, work: F) -> T
    where
        F: FnOnce() -> T + Send,
        T: Send,
    {
        // SOLUTION: todo!("release, run work, take the lock back even on panic")
        // ANCHOR: allow_threads
        /// Takes the lock back when dropped, so that a panic in `work`
        /// unwinds with the lock held and the guard's drop releases it once.
        struct Retake<'g>(&'g Gil);
        impl Drop for Retake<'_> {
            fn drop(&mut self) {
                self.0.take();
            }
        }
        self.gil.release();
        let _retake = Retake(self.gil);
        work()
        // ANCHOR_END: allow_threads
        // END SOLUTION
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        // SOLUTION: // TODO: release the lock (no todo!: a panic in drop aborts)
        self.gil.release();
        // END SOLUTION
    }
}
// ANCHOR_END: api

// SOLUTION:
/// What the reference lock did, and when: the book draws its GIL timeline
/// from this. Compiled only with the `trace` feature (the book's `live`
/// crate turns it on); without it, `note` is an empty inline function, so
/// the lock costs exactly what it did before.
#[cfg(feature = "trace")]
pub mod trace {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, PoisonError};
    use std::thread::ThreadId;
    use std::time::Instant;

    /// Something the lock did on the calling thread.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Event {
        /// Found the lock held and started to wait.
        Waits,
        /// Waited a whole switch interval and set the drop request.
        DropRequest,
        /// Took the lock.
        Takes,
        /// Saw the drop request at a check-in and is about to hand over.
        HandsOver,
        /// Released the lock.
        Releases,
    }

    static ON: AtomicBool = AtomicBool::new(false);
    static LOG: Mutex<Vec<(Instant, ThreadId, Event)>> = Mutex::new(Vec::new());

    /// Starts recording (and forgets anything recorded before).
    pub fn start() {
        LOG.lock().unwrap_or_else(PoisonError::into_inner).clear();
        ON.store(true, Ordering::SeqCst);
    }

    /// Stops recording and returns the events in the order they happened.
    pub fn stop() -> Vec<(Instant, ThreadId, Event)> {
        ON.store(false, Ordering::SeqCst);
        std::mem::take(&mut *LOG.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn note(event: Event) {
        if ON.load(Ordering::Relaxed) {
            let at = Instant::now();
            LOG.lock().unwrap_or_else(PoisonError::into_inner).push((
                at,
                std::thread::current().id(),
                event,
            ));
        }
    }
}

#[cfg(not(feature = "trace"))]
mod trace {
    pub(crate) enum Event {
        Waits,
        DropRequest,
        Takes,
        HandsOver,
        Releases,
    }

    #[inline(always)]
    pub(crate) fn note(_: Event) {}
}
// END SOLUTION
