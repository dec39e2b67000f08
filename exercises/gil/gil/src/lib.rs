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

/// CPython's default switch interval: `sys.getswitchinterval()` is 0.005.
pub const DEFAULT_SWITCH_INTERVAL: Duration = Duration::from_millis(5);

// ANCHOR: gil
/// A global interpreter lock. Share it between threads by reference (with
/// scoped threads) or in an `Arc`.
pub struct Gil {
    switch_interval: Duration,
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

// ANCHOR: api
impl Gil {
    /// A free lock whose waiters ask for a hand-over after `switch_interval`
    /// (at least a microsecond, as in CPython).
    pub fn new(switch_interval: Duration) -> Self {
        todo!("a lock that nobody holds yet")
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
        todo!("wait for the lock; ask for it after a switch interval")
    }
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
        todo!("if asked: release, wait until taken, take it back")
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
        todo!("release, run work, take the lock back even on panic")
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        // TODO: release the lock (no todo!: a panic in drop aborts)
    }
}
// ANCHOR_END: api
