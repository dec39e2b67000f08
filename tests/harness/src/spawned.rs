//! How many threads a call started, as `pthread_create` saw them.
//!
//! A worker that starts, finds the queue empty and ends a millisecond
//! later is invisible to `/proc/self/task`: a count sampled every
//! millisecond misses it (round 15's `fetch-bounded/04` started K workers
//! for fewer URLs, and passed). Every thread the standard library starts
//! goes through `pthread_create`, so this module defines that symbol in
//! the test binary, where the dynamic linker looks first: each call is
//! counted, then handed to the C library's own `pthread_create`, found
//! with `dlsym(RTLD_NEXT, …)`.
//!
//! Threads are counted by lineage, not by time: [`during`] marks the
//! calling thread, a thread started by a marked thread is marked in turn,
//! and only marked threads count. The test server's threads, the test
//! runner's and any the harness starts meanwhile are not the call's.
//!
//! Linux only (the course's platform): the symbol must come before the C
//! library's in the lookup order, as it does in an executable.

#![allow(unsafe_code)]

use std::cell::Cell;
use std::ffi::c_void;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use nix::libc;

/// The threads one call of [`during`] started, and theirs in turn.
#[derive(Debug, Default)]
struct Lineage {
    started: AtomicUsize,
    alive: AtomicUsize,
    peak: AtomicUsize,
    /// Set for a call run by [`Held::run`]: its thread starts wait.
    held: Option<&'static Held>,
    /// Set for a call run by [`refusing_spawns`]: which of its process
    /// starts fail.
    refuse: Option<fn(usize) -> bool>,
    /// Process starts asked for (`posix_spawn`, `posix_spawnp`).
    spawns: AtomicUsize,
    /// Of those, refused.
    refused: AtomicUsize,
}

/// What [`during`] counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spawned {
    /// Threads started, however briefly each lived.
    pub started: usize,
    /// The most of them alive at once (a thread is alive from its start
    /// until what it ran has returned).
    pub peak: usize,
}

thread_local! {
    /// The lineage this thread belongs to, if a [`during`] call started it
    /// or runs on it.
    static LINEAGE: Cell<Option<&'static Lineage>> = const { Cell::new(None) };
}

type Start = extern "C" fn(*mut c_void) -> *mut c_void;
type Create = unsafe extern "C" fn(
    *mut libc::pthread_t,
    *const libc::pthread_attr_t,
    Start,
    *mut c_void,
) -> libc::c_int;

/// What a new thread must run, and the lineage it joins.
struct Launch {
    start: Start,
    arg: *mut c_void,
    lineage: Option<&'static Lineage>,
}

/// The C library's `pthread_create`.
fn real() -> Create {
    static REAL: OnceLock<usize> = OnceLock::new();
    let address = *REAL.get_or_init(|| {
        // SAFETY: `dlsym` with a NUL-terminated name; RTLD_NEXT skips this
        // definition and finds the C library's.
        let found = unsafe { libc::dlsym(libc::RTLD_NEXT, c"pthread_create".as_ptr()) };
        assert!(
            !found.is_null(),
            "harness::spawned: the C library's pthread_create was not found"
        );
        found as usize
    });
    // SAFETY: the address is the C library's `pthread_create`, whose
    // signature is `Create`.
    unsafe { std::mem::transmute::<usize, Create>(address) }
}

/// Runs on the new thread: joins the lineage, counts itself alive, runs
/// what was asked, and counts itself ended.
extern "C" fn trampoline(launch: *mut c_void) -> *mut c_void {
    // SAFETY: `pthread_create` below made this pointer with `Box::into_raw`
    // and hands it to exactly one new thread.
    let launch = unsafe { Box::from_raw(launch.cast::<Launch>()) };
    LINEAGE.with(|l| l.set(launch.lineage));
    if let Some(lineage) = launch.lineage {
        let alive = lineage.alive.fetch_add(1, Ordering::SeqCst) + 1;
        lineage.peak.fetch_max(alive, Ordering::SeqCst);
    }
    let out = (launch.start)(launch.arg);
    if let Some(lineage) = launch.lineage {
        lineage.alive.fetch_sub(1, Ordering::SeqCst);
    }
    out
}

/// Counts the new thread in its creator's lineage, then starts it with the
/// C library's `pthread_create`.
///
/// # Safety
///
/// As the C library's `pthread_create`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pthread_create(
    thread: *mut libc::pthread_t,
    attr: *const libc::pthread_attr_t,
    start: Start,
    arg: *mut c_void,
) -> libc::c_int {
    let lineage = LINEAGE.with(Cell::get);
    if let Some(held) = lineage.and_then(|l| l.held) {
        held.wait_at_a_start();
    }
    let launch = Box::into_raw(Box::new(Launch {
        start,
        arg,
        lineage,
    }));
    // SAFETY: the caller's arguments, passed on; `trampoline` takes back
    // the box on the new thread.
    let status = unsafe { real()(thread, attr, trampoline, launch.cast()) };
    if status == 0 {
        if let Some(lineage) = lineage {
            lineage.started.fetch_add(1, Ordering::SeqCst);
        }
    } else {
        // SAFETY: no thread was started, so the box is still ours.
        drop(unsafe { Box::from_raw(launch) });
    }
    status
}

/// Runs `call` on this thread and returns how many threads it started, and
/// the most alive at once, counting the threads those threads started too
/// (a pool's workers started by a thread the call started).
///
/// # Panics
///
/// When the count does not work in this binary (the C library's
/// `pthread_create` was linked in place of this one): a fault of the
/// harness, never of the code under test.
pub fn during<T>(call: impl FnOnce() -> T) -> (T, Spawned) {
    assert!(
        witness_works(),
        "harness::spawned: this test binary does not route pthread_create through the \
         harness, so threads cannot be counted (a fault of the course, not of your code)"
    );
    counted(call)
}

fn counted<T>(call: impl FnOnce() -> T) -> (T, Spawned) {
    counted_in(Box::leak(Box::default()), call)
}

fn counted_in<T>(lineage: &'static Lineage, call: impl FnOnce() -> T) -> (T, Spawned) {
    let outer = LINEAGE.with(|l| l.replace(Some(lineage)));
    let out = call();
    LINEAGE.with(|l| l.set(outer));
    let spawned = Spawned {
        started: lineage.started.load(Ordering::SeqCst),
        peak: lineage.peak.load(Ordering::SeqCst),
    };
    (out, spawned)
}

/// What [`refusing_spawns`] saw of a call's process starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spawns {
    /// Process starts asked for through `posix_spawn` or `posix_spawnp`
    /// (the standard library's `Command::spawn`, unless it must `fork`).
    pub attempts: usize,
    /// Of those, refused with `EAGAIN`.
    pub refused: usize,
}

/// Runs `call` on this thread, and refuses (with `EAGAIN`, as at the
/// user's process limit) each process start of it, and of the threads it
/// starts, whose number (from 1) `refuse` picks: a spawn that fails for a
/// moment, or for good. A start that goes through `fork` and `exec` is
/// neither counted nor refused: a check that sees no attempt says it could
/// not judge.
///
/// # Panics
///
/// As [`during`].
pub fn refusing_spawns<T>(refuse: fn(usize) -> bool, call: impl FnOnce() -> T) -> (T, Spawns) {
    assert!(
        witness_works(),
        "harness::spawned: this test binary does not route pthread_create through the \
         harness, so process starts cannot be refused (a fault of the course, not of your code)"
    );
    // Names the symbols here, so that the linker keeps these definitions.
    std::hint::black_box((posix_spawn as *const (), posix_spawnp as *const ()));
    let lineage: &'static Lineage = Box::leak(Box::new(Lineage {
        refuse: Some(refuse),
        ..Lineage::default()
    }));
    let (out, _) = counted_in(lineage, call);
    let spawns = Spawns {
        attempts: lineage.spawns.load(Ordering::SeqCst),
        refused: lineage.refused.load(Ordering::SeqCst),
    };
    (out, spawns)
}

type Spawn = unsafe extern "C" fn(
    *mut libc::pid_t,
    *const libc::c_char,
    *const libc::posix_spawn_file_actions_t,
    *const libc::posix_spawnattr_t,
    *const *mut libc::c_char,
    *const *mut libc::c_char,
) -> libc::c_int;

/// The C library's `name` (`posix_spawn` or `posix_spawnp`).
fn real_spawn(name: &std::ffi::CStr) -> Spawn {
    // SAFETY: `dlsym` with a NUL-terminated name; RTLD_NEXT skips this
    // definition and finds the C library's.
    let found = unsafe { libc::dlsym(libc::RTLD_NEXT, name.as_ptr()) };
    assert!(
        !found.is_null(),
        "harness::spawned: the C library's {name:?} was not found"
    );
    // SAFETY: the address is the C library's function of this type.
    unsafe { std::mem::transmute::<*mut c_void, Spawn>(found) }
}

/// Whether the calling thread's lineage refuses this process start
/// (counting it either way).
fn refuses_a_spawn() -> bool {
    let Some(lineage) = LINEAGE.with(Cell::get) else {
        return false;
    };
    let n = lineage.spawns.fetch_add(1, Ordering::SeqCst) + 1;
    let refused = lineage.refuse.is_some_and(|refuse| refuse(n));
    if refused {
        lineage.refused.fetch_add(1, Ordering::SeqCst);
    }
    refused
}

/// Counts the process start in the caller's lineage, refuses it if the
/// lineage says so, and otherwise starts it with the C library's
/// `posix_spawn`.
///
/// # Safety
///
/// As the C library's `posix_spawn`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawn(
    pid: *mut libc::pid_t,
    path: *const libc::c_char,
    actions: *const libc::posix_spawn_file_actions_t,
    attributes: *const libc::posix_spawnattr_t,
    argv: *const *mut libc::c_char,
    envp: *const *mut libc::c_char,
) -> libc::c_int {
    if refuses_a_spawn() {
        return libc::EAGAIN;
    }
    // SAFETY: the caller's arguments, passed on.
    unsafe { real_spawn(c"posix_spawn")(pid, path, actions, attributes, argv, envp) }
}

/// As [`posix_spawn`], for the C library's `posix_spawnp` (the standard
/// library's way).
///
/// # Safety
///
/// As the C library's `posix_spawnp`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_spawnp(
    pid: *mut libc::pid_t,
    file: *const libc::c_char,
    actions: *const libc::posix_spawn_file_actions_t,
    attributes: *const libc::posix_spawnattr_t,
    argv: *const *mut libc::c_char,
    envp: *const *mut libc::c_char,
) -> libc::c_int {
    if refuses_a_spawn() {
        return libc::EAGAIN;
    }
    // SAFETY: the caller's arguments, passed on.
    unsafe { real_spawn(c"posix_spawnp")(pid, file, actions, attributes, argv, envp) }
}

/// A call whose thread starts are held back, as a busy machine may hold
/// them, until the test lets them go: while one call of a function is
/// stuck starting a thread, whatever it holds stays held, and a second
/// call that needs it waits too. Made with [`Held::new`], used once.
#[derive(Debug, Default)]
pub struct Held {
    state: std::sync::Mutex<HeldState>,
    changed: std::sync::Condvar,
}

#[derive(Debug, Default)]
struct HeldState {
    released: bool,
    /// Thread starts waiting now.
    waiting: usize,
}

impl Held {
    /// A new hold, leaked: the threads it holds may outlive any borrow.
    pub fn new() -> &'static Held {
        Box::leak(Box::default())
    }

    /// Runs `call` on this thread, every thread start of it and of its
    /// threads waiting until [`Held::release`].
    ///
    /// # Panics
    ///
    /// As [`during`].
    pub fn run<T>(&'static self, call: impl FnOnce() -> T) -> (T, Spawned) {
        assert!(
            witness_works(),
            "harness::spawned: this test binary does not route pthread_create through the \
             harness, so thread starts cannot be held (a fault of the course, not of your code)"
        );
        let lineage: &'static Lineage = Box::leak(Box::new(Lineage {
            held: Some(self),
            ..Lineage::default()
        }));
        counted_in(lineage, call)
    }

    /// Waits until a thread start of the call is held, or `limit` passes.
    /// Whether one is.
    pub fn wait_for_a_start(&self, limit: std::time::Duration) -> bool {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (state, _) = self
            .changed
            .wait_timeout_while(state, limit, |s| s.waiting == 0 && !s.released)
            .unwrap_or_else(|e| e.into_inner());
        state.waiting > 0
    }

    /// Lets every held start go, and every later one.
    pub fn release(&self) {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .released = true;
        self.changed.notify_all();
    }

    fn wait_at_a_start(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.waiting += 1;
        self.changed.notify_all();
        while !state.released {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.waiting -= 1;
    }
}

/// Whether a thread started under [`counted`] is seen (once per process).
fn witness_works() -> bool {
    static WORKS: OnceLock<bool> = OnceLock::new();
    *WORKS.get_or_init(|| {
        // Names the symbol here, so that the linker keeps this definition
        // wherever `during` is linked in.
        std::hint::black_box(pthread_create as *const ());
        let ((), spawned) = counted(|| {
            std::thread::scope(|s| {
                s.spawn(|| std::thread::scope(|s| drop(s.spawn(|| ()))));
            })
        });
        spawned
            == Spawned {
                started: 2,
                peak: 2,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_threads_and_their_threads_and_nothing_else() {
        let ((), seen) = during(|| {
            let outside = std::thread::spawn(|| ());
            outside.join().expect("no panic");
            // Three alive at once, held by a barrier; each then starts one
            // of its own and joins it.
            let barrier = std::sync::Barrier::new(4);
            std::thread::scope(|s| {
                for _ in 0..3 {
                    s.spawn(|| {
                        barrier.wait();
                        std::thread::spawn(|| ()).join()
                    });
                }
                barrier.wait();
            });
        });
        assert_eq!(seen.started, 7, "1 + 3 + 3 threads");
        assert!((3..=6).contains(&seen.peak), "{seen:?}");
        let ((), none) = during(|| ());
        assert_eq!(none, Spawned::default());
        // A thread that is not the call's, started while it runs.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || {
            let _ = rx.recv();
            std::thread::spawn(|| ()).join()
        });
        let ((), seen) = during(|| drop(tx));
        other.join().expect("no panic").expect("no panic");
        assert_eq!(seen, Spawned::default());
    }

    #[test]
    fn a_held_call_waits_at_its_first_start_until_released() {
        let held = Held::new();
        std::thread::scope(|s| {
            let call = s.spawn(|| {
                held.run(|| {
                    std::thread::scope(|s| {
                        s.spawn(|| ());
                        s.spawn(|| ());
                    })
                })
            });
            assert!(held.wait_for_a_start(std::time::Duration::from_secs(5)));
            // Another thread starts meanwhile, not held.
            std::thread::spawn(|| ()).join().expect("no panic");
            assert!(!call.is_finished(), "held at its first start");
            held.release();
            let ((), seen) = call.join().expect("no panic");
            assert_eq!(seen.started, 2);
        });
    }

    #[test]
    fn a_refused_spawn_fails_and_the_others_start() {
        let (results, spawns) = refusing_spawns(
            |n| n == 2,
            || {
                (0..3)
                    .map(|_| {
                        std::process::Command::new("/bin/true")
                            .status()
                            .map(|s| s.success())
                    })
                    .collect::<Vec<_>>()
            },
        );
        assert_eq!(
            spawns,
            Spawns {
                attempts: 3,
                refused: 1
            },
            "{results:?}"
        );
        assert!(results[0].as_ref().is_ok_and(|ok| *ok), "{results:?}");
        assert!(results[1].is_err(), "{results:?}");
        assert!(results[2].as_ref().is_ok_and(|ok| *ok), "{results:?}");
        // Outside a call, nothing is refused.
        assert!(std::process::Command::new("/bin/true").status().is_ok());
    }

    #[test]
    fn a_thread_that_fails_to_start_is_not_counted() {
        let (result, seen) = during(|| {
            std::thread::Builder::new()
                .stack_size(usize::MAX / 2)
                .spawn(|| ())
        });
        assert!(result.is_err(), "a stack of half the address space");
        assert_eq!(seen, Spawned::default());
    }
}
