//! The threads of this process, as the kernel lists them in
//! `/proc/self/task`: which are running, and waiting until those a test
//! started have ended.
//!
//! A thread a student's code left detached keeps running after the check
//! that started it has failed. Left alone it would be judged again by the
//! next check: a thread that lingers two seconds, started 800 at a time,
//! fills the sandbox's task limit and the next check fails on "failed to
//! spawn thread" instead of on what it checks. [`settle`] lets a suite wait
//! for them between checks.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// The kernel's id of the calling thread (0 where it cannot be read).
pub fn own_tid() -> u32 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|link| link.file_name()?.to_str()?.parse().ok())
        .unwrap_or(0)
}

/// The ids of every thread of this process the kernel lists now.
pub fn listed() -> HashSet<u32> {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Threads of this process right now (0 where there is no `/proc`).
pub fn count() -> usize {
    listed().len()
}

/// The state letter the kernel gives thread `tid` of this process (`R`
/// running, `S` asleep, `D` in the kernel, `Z` ended, ...), and its flags;
/// `None` once it is gone.
fn state_and_flags(tid: u32) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // After the command's closing parenthesis: the state, then ppid, pgrp,
    // session, tty, tpgid and the flags.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let state = fields.first()?.chars().next()?;
    let flags = fields.get(6).and_then(|f| f.parse().ok()).unwrap_or(0);
    Some((state, flags))
}

/// Waits, up to `within`, until thread `tid` of this process is asleep
/// (the kernel's state `S`: blocked on a lock, a channel or a timer);
/// whether it was. A check that needs a thread parked in a lock before it
/// acts waits for this event instead of for a guessed length of time.
pub fn wait_until_asleep(tid: u32, within: Duration) -> bool {
    let until = Instant::now() + within;
    loop {
        match state_and_flags(tid) {
            Some(('S', _)) => return true,
            None => return false,
            Some(_) if Instant::now() >= until => return false,
            Some(_) => thread::yield_now(),
        }
    }
}

/// Whether thread `tid` of this process still runs: the kernel lists it,
/// neither exited (`Z`, `X`) nor on its way out (`PF_EXITING`: a joined
/// thread may still be leaving the kernel, which counts as ended).
fn running(tid: u32) -> bool {
    const PF_EXITING: u64 = 0x4;
    state_and_flags(tid)
        .is_some_and(|(state, flags)| state != 'Z' && state != 'X' && flags & PF_EXITING == 0)
}

/// Of `tids`, the threads of this process still running after `grace`
/// (checked every millisecond, so it returns as soon as all have ended).
pub fn still_running(tids: &HashSet<u32>, grace: Duration) -> Vec<u32> {
    wait_for_end(tids, grace, |_| false)
}

/// [`still_running`], leaving out the threads `ignored` names at each look.
fn wait_for_end(tids: &HashSet<u32>, grace: Duration, ignored: impl Fn(u32) -> bool) -> Vec<u32> {
    let left = || -> Vec<u32> {
        let mut left: Vec<u32> = tids
            .iter()
            .copied()
            .filter(|&tid| tid != 0 && !ignored(tid) && running(tid))
            .collect();
        left.sort_unstable();
        left
    };
    let until = Instant::now() + grace;
    loop {
        let left = left();
        if left.is_empty() || Instant::now() >= until {
            return left;
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// The test runner's own threads that are inside a suite test now, each
/// registered by a [`TestThread`]: never a test's leftover.
static TEST_THREADS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Marks the calling thread, for as long as this lives, as one the test
/// runner started to run a test. Tests run on parallel threads that wait
/// their turn, and two test names may share the 15 bytes the kernel keeps
/// of a thread's name (`dropping_the_pool_kills_its_workers`,
/// `dropping_the_pool_leaves_no_process`): without the mark, [`settle`]
/// took the next test's waiting thread for the last test's leftover and
/// waited its whole grace for it.
pub struct TestThread(u32);

impl TestThread {
    /// Registers the calling thread; create it before the test waits for
    /// its turn.
    pub fn enter() -> Self {
        let tid = own_tid();
        test_threads().push(tid);
        Self(tid)
    }
}

impl Drop for TestThread {
    fn drop(&mut self) {
        // The kernel reuses ids: a test's own thread must not stay marked
        // once it has ended, or a later thread given its id would be.
        let mut marked = test_threads();
        if let Some(at) = marked.iter().position(|&tid| tid == self.0) {
            marked.swap_remove(at);
        }
    }
}

fn test_threads() -> MutexGuard<'static, Vec<u32>> {
    TEST_THREADS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits, up to `within`, until every thread the kernel lists now but did
/// not list in `before`, and whose name is `name`, has ended; returns those
/// still running then. Threads take their creator's name unless given one,
/// so the threads a test's code started carry the test's name (its first
/// 15 bytes, as the kernel keeps it); other tests' threads, waiting their
/// turn, carry theirs, or are marked by a [`TestThread`], and are not
/// waited for. A thread stuck for good (a deadlocked solution) stays: the
/// caller goes on regardless, and [`crate::deadline`] keeps later checks
/// short.
pub fn settle(before: &HashSet<u32>, name: &str, within: Duration) -> Vec<u32> {
    let kept = kernel_name(name);
    let started: HashSet<u32> = listed()
        .difference(before)
        .copied()
        .filter(|tid| name_of(*tid).is_some_and(|n| n == kept))
        .collect();
    // Checked at every look, not once: a test thread the runner has just
    // started marks itself a moment later.
    wait_for_end(&started, within, |tid| test_threads().contains(&tid))
}

/// `name` as the kernel keeps a thread's name: its first 15 bytes.
fn kernel_name(name: &str) -> &str {
    let mut end = name.len().min(15);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// The name of thread `tid` of this process.
fn name_of(tid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/comm"))
        .ok()
        .map(|n| n.trim_end_matches('\n').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_thread_blocked_on_a_channel_is_seen_asleep_and_a_spinning_one_is_not() {
        // It spins a core for 50 ms: alone, so that no check that reads the
        // process's CPU time runs beside it.
        let _alone = crate::exclusive();
        let (tid_of, tid) = mpsc::channel();
        let (wake, woken) = mpsc::channel::<()>();
        let sleeper = thread::spawn(move || {
            tid_of.send(own_tid()).unwrap();
            woken.recv().unwrap();
        });
        assert!(wait_until_asleep(
            tid.recv().unwrap(),
            Duration::from_secs(5)
        ));
        wake.send(()).unwrap();
        sleeper.join().unwrap();

        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (tid_of, tid) = mpsc::channel();
        let spinner = {
            let stop = std::sync::Arc::clone(&stop);
            thread::spawn(move || {
                tid_of.send(own_tid()).unwrap();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        };
        assert!(!wait_until_asleep(
            tid.recv().unwrap(),
            Duration::from_millis(50)
        ));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        spinner.join().unwrap();
    }
}
