//! Pausing one thread of this process at will: a witness for races that a
//! thread loses because it is slow to run.
//!
//! Some rules are about what a lock does while a thread it woke has not
//! run yet. On an idle machine a woken thread runs within microseconds, so
//! a lock that breaks such a rule often gets away with it, and timing can
//! only tell on a machine busy in the right way. Pausing the thread makes
//! the slow case certain: a signal sent to that one thread runs a handler
//! on it that waits until the pause ends. The thread's own code is not
//! changed; a system call it was blocked in is interrupted and restarted,
//! as happens with any signal, and a futex wait restarted after a wake-up
//! it missed returns at once, because the futex's value changed.
//!
//! One thread of the process is paused at a time; [`Pausable::pause`]
//! waits for an earlier pause to end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use nix::sys::pthread::{Pthread, pthread_kill, pthread_self};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::unistd::{Pid, gettid};

/// The signal that pauses: unused by std, libtest and the course's code.
const PAUSE: Signal = Signal::SIGUSR2;
/// How long [`Pausable::pause`] waits for the thread to enter the handler.
const ENTER_WITHIN: Duration = Duration::from_secs(1);

/// Set by the pauser: the handler waits while it is true.
static HOLD: AtomicBool = AtomicBool::new(false);
/// Set by the handler while it runs.
static INSIDE: AtomicBool = AtomicBool::new(false);
/// One pause at a time.
static ONE: Mutex<()> = Mutex::new(());
/// Whether the handler was installed (once, on the first pause).
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// The handler: waits while [`HOLD`] is set. Only atomics and `nanosleep`
/// (which `std::thread::sleep` is on Linux, without allocating): both are
/// safe in a signal handler.
extern "C" fn hold(_: nix::libc::c_int) {
    INSIDE.store(true, Ordering::SeqCst);
    while HOLD.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_micros(50));
    }
    INSIDE.store(false, Ordering::SeqCst);
}

#[allow(unsafe_code)]
fn install() -> bool {
    *INSTALLED.get_or_init(|| {
        let action = SigAction::new(
            SigHandler::Handler(hold),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        // SAFETY: the handler only touches atomics and sleeps.
        unsafe { sigaction(PAUSE, &action) }.is_ok()
    })
}

/// A thread that can be paused: made by the thread itself, used by another.
#[derive(Clone, Copy, Debug)]
pub struct Pausable {
    thread: Pthread,
    tid: Pid,
}

/// A paused thread: it resumes when this is dropped (also on a panic).
#[must_use = "the thread resumes as soon as this is dropped"]
pub struct Paused {
    _one: MutexGuard<'static, ()>,
}

impl Drop for Paused {
    fn drop(&mut self) {
        HOLD.store(false, Ordering::SeqCst);
        // The next pause must not find this one's handler still inside.
        let until = Instant::now() + ENTER_WITHIN;
        while INSIDE.load(Ordering::SeqCst) && Instant::now() < until {
            std::thread::sleep(Duration::from_micros(50));
        }
    }
}

impl Pausable {
    /// The calling thread.
    pub fn current() -> Self {
        Self {
            thread: pthread_self(),
            tid: gettid(),
        }
    }

    /// The thread's scheduling state from /proc (`R` running or ready, `S`
    /// asleep, ...), if it can be read.
    pub fn state(&self) -> Option<char> {
        let stat = std::fs::read_to_string(format!("/proc/self/task/{}/stat", self.tid)).ok()?;
        // The name, in parentheses, may hold spaces: the state follows the
        // last parenthesis.
        stat[stat.rfind(')')? + 1..].trim_start().chars().next()
    }

    /// How many times the thread has gone to sleep and been woken so far
    /// (its voluntary context switches, from /proc), if it can be read: the
    /// same count [`crate::clock::thread_wakeups`] gives the thread itself,
    /// read by another thread while it waits.
    pub fn wakeups(&self) -> Option<u64> {
        let status =
            std::fs::read_to_string(format!("/proc/self/task/{}/status", self.tid)).ok()?;
        status.lines().find_map(|line| {
            line.strip_prefix("voluntary_ctxt_switches:")
                .and_then(|n| n.trim().parse().ok())
        })
    }

    /// Pauses the thread, and returns once it is paused. An error says why
    /// it could not be (the signal could not be installed or sent, or the
    /// thread did not stop within a second).
    pub fn pause(&self) -> Result<Paused, String> {
        if !install() {
            return Err(format!("the OS refused a handler for {PAUSE}"));
        }
        let one = ONE.lock().unwrap_or_else(PoisonError::into_inner);
        HOLD.store(true, Ordering::SeqCst);
        let paused = Paused { _one: one };
        pthread_kill(self.thread, PAUSE).map_err(|e| format!("sending {PAUSE}: {e}"))?;
        let until = Instant::now() + ENTER_WITHIN;
        while !INSIDE.load(Ordering::SeqCst) {
            if Instant::now() > until {
                return Err(format!(
                    "the thread did not stop within {ENTER_WITHIN:?} of {PAUSE}"
                ));
            }
            std::thread::sleep(Duration::from_micros(50));
        }
        Ok(paused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;
    use std::sync::mpsc;

    #[test]
    fn a_paused_thread_does_not_run_until_resumed() {
        // Its thread spins: alone, so that no check that reads the
        // process's CPU time runs beside it.
        let _alone = crate::exclusive();
        let count = &AtomicU64::new(0);
        let stop = &AtomicBool::new(false);
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel();
            s.spawn(move || {
                tx.send(Pausable::current()).unwrap();
                while !stop.load(Ordering::SeqCst) {
                    count.fetch_add(1, Ordering::SeqCst);
                }
            });
            let worker = rx.recv().unwrap();
            let paused = worker.pause().expect("pausing a thread of our own");
            let at = count.load(Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(30));
            assert_eq!(count.load(Ordering::SeqCst), at, "it ran while paused");
            drop(paused);
            let until = Instant::now() + Duration::from_secs(5);
            while count.load(Ordering::SeqCst) == at {
                assert!(Instant::now() < until, "it did not resume");
                std::hint::spin_loop();
            }
            stop.store(true, Ordering::SeqCst);
        });
    }

    #[test]
    fn a_sleeping_thread_is_seen_asleep_and_finishes_its_wait_after_a_pause() {
        let (go, wait) = mpsc::channel::<()>();
        let (tx, rx) = mpsc::channel();
        std::thread::scope(|s| {
            let waiter = s.spawn(move || {
                tx.send(Pausable::current()).unwrap();
                wait.recv_timeout(Duration::from_secs(10))
            });
            let t = rx.recv().unwrap();
            let until = Instant::now() + Duration::from_secs(5);
            while t.state() != Some('S') {
                assert!(Instant::now() < until, "state {:?}", t.state());
                std::thread::sleep(Duration::from_millis(1));
            }
            let paused = t.pause().unwrap();
            // Woken while paused: the wake-up is not lost.
            go.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(20));
            assert!(!waiter.is_finished(), "it ran while paused");
            drop(paused);
            assert!(waiter.join().unwrap().is_ok(), "the wake-up was lost");
        });
    }
}
