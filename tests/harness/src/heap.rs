//! Heap blocks a piece of work leaves allocated: a witness for memory a
//! call leaks (`Box::leak`, a `static` that grows) that no answer shows and
//! that is far too small for resident memory to see.
//!
//! [`Counting`] is a global allocator over the system's that counts blocks
//! only while a [`net_blocks`] window is open; outside it, it adds one
//! relaxed load per allocation and writes nothing, so the timed checks of
//! the same test binaries do not share a counter's cache line. (dhat's
//! testing mode does this too, and records a backtrace per allocation; its
//! author calls it experimental and warns that it may hang, which a
//! grader cannot risk.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};

/// The system allocator, counting live blocks while a window is open.
/// Installed by the suites crate as the global allocator of every test
/// binary that links it.
pub struct Counting;

static OPEN: AtomicBool = AtomicBool::new(false);
/// Whether [`born_and_live`] is tracking blocks by address.
static TRACK: AtomicBool = AtomicBool::new(false);
/// The addresses of the blocks allocated while tracking and not yet freed:
/// an open-addressing table, 0 for a free slot, [`GONE`] for a block freed
/// since. Written only while tracking.
static BORN: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
/// Slots of [`BORN`]: far more than the blocks of a call on a few texts.
const SLOTS: usize = 1 << 16;
/// A slot whose block was freed (no block lives at address 1).
const GONE: usize = 1;
/// Whether a block found no free slot while tracking.
static FULL: AtomicBool = AtomicBool::new(false);

fn slot_of(address: usize) -> usize {
    // Fibonacci hashing of the address without its alignment bits.
    ((address >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) % SLOTS
}

fn note_born(address: usize) {
    let first = slot_of(address);
    for i in 0..SLOTS {
        let slot = &BORN[(first + i) % SLOTS];
        if slot
            .compare_exchange(0, address, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
    }
    FULL.store(true, Ordering::Relaxed);
}

/// Marks `address` freed if it was born while tracking; whether it was.
fn note_freed(address: usize) -> bool {
    let first = slot_of(address);
    for i in 0..SLOTS {
        let slot = &BORN[(first + i) % SLOTS];
        match slot.load(Ordering::Relaxed) {
            0 => return false,
            a if a == address => {
                return slot
                    .compare_exchange(address, GONE, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok();
            }
            _ => {}
        }
    }
    false
}
/// Blocks whose free [`frees_after_return`] slows down and watches: their
/// addresses, 0 once freed (or for a free slot).
static SLOW: [AtomicUsize; SLOW_SLOTS] = [const { AtomicUsize::new(0) }; SLOW_SLOTS];
/// Blocks [`frees_after_return`] can watch at once.
pub const SLOW_SLOTS: usize = 64;
/// Whether any block's free is slowed; read on every free.
static SLOWING: AtomicBool = AtomicBool::new(false);
/// How long each watched block's free takes, in microseconds.
static SLOW_BY_US: AtomicUsize = AtomicUsize::new(0);

/// Blocks [`watch_free_of`] added to the watch while it was on.
static ADDED: AtomicUsize = AtomicUsize::new(0);

/// While [`frees_after_return`] watches, adds the block at `address` to
/// the watch (if a slot is free): a block made during the work (the word
/// list a course function returns to the code under test) whose free must
/// come before the work returns as surely as the blocks handed in.
/// Without a watch on, does nothing.
pub fn watch_free_of(address: usize) {
    if address == 0 || !SLOWING.load(Ordering::Acquire) {
        return;
    }
    if SLOW.iter().any(|slot| {
        slot.compare_exchange(0, address, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }) {
        ADDED.fetch_add(1, Ordering::AcqRel);
    }
}

/// If `address` is a watched block: waits the slow-down, then marks it
/// freed (a block is still allocated while its free sleeps).
fn slow_free(address: usize) {
    if let Some(slot) = SLOW.iter().find(|s| s.load(Ordering::Acquire) == address) {
        std::thread::sleep(std::time::Duration::from_micros(
            SLOW_BY_US.load(Ordering::Relaxed) as u64,
        ));
        let _ = slot.compare_exchange(address, 0, Ordering::AcqRel, Ordering::Relaxed);
    }
}

static NET: AtomicIsize = AtomicIsize::new(0);
/// The largest block asked for while the window was open, in bytes.
static LARGEST: AtomicUsize = AtomicUsize::new(0);
/// The sizes [`blocks_sized`] looks for (an empty band when `LOW > HIGH`),
/// and how many blocks of those sizes were asked for in its window.
static LOW: AtomicUsize = AtomicUsize::new(usize::MAX);
static HIGH: AtomicUsize = AtomicUsize::new(0);
static IN_BAND: AtomicUsize = AtomicUsize::new(0);

/// Notes a block of `size` bytes asked for while the window is open.
fn note_size(size: usize) {
    LARGEST.fetch_max(size, Ordering::Relaxed);
    if (LOW.load(Ordering::Relaxed)..=HIGH.load(Ordering::Relaxed)).contains(&size) {
        IN_BAND.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on to `System` unchanged; the counters only
// observe. A global allocator cannot be written without `unsafe`.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && OPEN.load(Ordering::Relaxed) {
            NET.fetch_add(1, Ordering::Relaxed);
            note_size(layout.size());
            if TRACK.load(Ordering::Relaxed) {
                note_born(p as usize);
            }
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() && OPEN.load(Ordering::Relaxed) {
            NET.fetch_add(1, Ordering::Relaxed);
            note_size(layout.size());
            if TRACK.load(Ordering::Relaxed) {
                note_born(p as usize);
            }
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if SLOWING.load(Ordering::Relaxed) {
            slow_free(ptr as usize);
        }
        if OPEN.load(Ordering::Relaxed) {
            NET.fetch_sub(1, Ordering::Relaxed);
            if TRACK.load(Ordering::Relaxed) {
                note_freed(ptr as usize);
            }
        }
        // SAFETY: `ptr` came from this allocator, which is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if SLOWING.load(Ordering::Relaxed) {
            // A watched block that moves is freed where it was.
            slow_free(ptr as usize);
        }
        // One block before and after: no block to count, but its new size.
        let born = OPEN.load(Ordering::Relaxed) && {
            note_size(new_size);
            TRACK.load(Ordering::Relaxed) && note_freed(ptr as usize)
        };
        // SAFETY: as for `dealloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if born {
            // The same block at a new address; on failure the old one lives on.
            note_born(if p.is_null() {
                ptr as usize
            } else {
                p as usize
            });
        }
        p
    }
}

/// Runs `work` with the count open and returns its result (dropped inside
/// the window when it is `()`) and the blocks allocated minus the blocks
/// freed meanwhile, by every thread of the process. Work that allocates
/// its inputs, uses them and drops everything it made nets 0; each block it
/// leaves behind counts 1. Only meaningful while nothing else in the
/// process allocates (the suites hold [`crate::exclusive`]), and only with
/// [`Counting`] installed: [`installed`] says whether it is.
pub fn net_blocks<T>(work: impl FnOnce() -> T) -> (T, isize) {
    let (out, net, _) = window(work);
    (out, net)
}

/// Runs `work` with the count open and returns its result and the largest
/// block anyone asked for meanwhile (a `reserve`, a `vec![0; n]`, a growing
/// buffer's last size), in bytes: what a reader that allocates before the
/// bytes arrive cannot hide. The same conditions as [`net_blocks`].
pub fn largest_block<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let (out, _, largest) = window(work);
    (out, largest)
}

/// Runs `work` with the count open and returns its result and how many
/// blocks of a size in `sizes` anyone asked for meanwhile (a block grown
/// to such a size counts too): a buffer reserved at a length the input
/// only declared shows as a block of exactly that length, which a buffer
/// that grows as bytes arrive (by doubling) or a fixed scratch buffer
/// almost never is. The same conditions as [`net_blocks`].
pub fn blocks_sized<T>(
    sizes: std::ops::RangeInclusive<usize>,
    work: impl FnOnce() -> T,
) -> (T, usize) {
    IN_BAND.store(0, Ordering::SeqCst);
    LOW.store(*sizes.start(), Ordering::SeqCst);
    HIGH.store(*sizes.end(), Ordering::SeqCst);
    let (out, _, _) = window(work);
    LOW.store(usize::MAX, Ordering::SeqCst);
    HIGH.store(0, Ordering::SeqCst);
    (out, IN_BAND.load(Ordering::SeqCst))
}

fn window<T>(work: impl FnOnce() -> T) -> (T, isize, usize) {
    NET.store(0, Ordering::SeqCst);
    LARGEST.store(0, Ordering::SeqCst);
    OPEN.store(true, Ordering::SeqCst);
    let out = work();
    OPEN.store(false, Ordering::SeqCst);
    (
        out,
        NET.load(Ordering::SeqCst),
        LARGEST.load(Ordering::SeqCst),
    )
}

/// Runs `work` while tracking blocks by address and returns its result
/// (dropped inside the window when it is `()`) and how many blocks
/// allocated meanwhile are still allocated at the end, by any thread: what
/// the work made and kept, even when it freed as many older blocks (a
/// value kept in a `static` until the next call replaces it nets 0 blocks,
/// but is born in the call and outlives it). `None` when more blocks were
/// allocated than the tracker holds. The same conditions as
/// [`net_blocks`].
pub fn born_and_live<T>(work: impl FnOnce() -> T) -> (T, Option<usize>) {
    for slot in &BORN {
        slot.store(0, Ordering::Relaxed);
    }
    FULL.store(false, Ordering::SeqCst);
    TRACK.store(true, Ordering::SeqCst);
    let (out, _, _) = window(work);
    TRACK.store(false, Ordering::SeqCst);
    let live = BORN
        .iter()
        .filter(|slot| slot.load(Ordering::Relaxed) > GONE)
        .count();
    (out, (!FULL.load(Ordering::SeqCst)).then_some(live))
}

/// What became of the blocks [`frees_after_return`] watched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frees {
    /// Freed while the work ran.
    pub before: usize,
    /// Freed after the work had returned (by a thread still running then),
    /// within the time allowed.
    pub after: usize,
    /// Still allocated when the time allowed was up.
    pub never: usize,
}

/// Runs `work` while every free of the blocks at `addresses` (up to
/// [`SLOW_SLOTS`] of them) takes `by` longer, and says which were freed
/// while it ran, which after it had returned (waiting up to `by` plus
/// `allow` for them), and which not at all. Slowed down, a free made by a
/// thread that goes on after the work returns (a detached thread that drops
/// what it was handed) is still under way when it returns, however soon
/// after the return the thread gets to it. Only with [`Counting`]
/// installed; only one call at a time (the suites hold [`crate::exclusive`]).
pub fn frees_after_return<T>(
    addresses: &[usize],
    by: std::time::Duration,
    allow: std::time::Duration,
    work: impl FnOnce() -> T,
) -> (T, Frees) {
    assert!(
        addresses.len() <= SLOW_SLOTS,
        "at most {SLOW_SLOTS} blocks are watched at once"
    );
    let live = || {
        SLOW.iter()
            .filter(|s| s.load(Ordering::Acquire) != 0)
            .count()
    };
    for (slot, &address) in SLOW.iter().zip(addresses) {
        slot.store(address, Ordering::Release);
    }
    SLOW_BY_US.store(by.as_micros() as usize, Ordering::Relaxed);
    ADDED.store(0, Ordering::SeqCst);
    SLOWING.store(true, Ordering::SeqCst);
    let out = work();
    let at_return = live();
    let until = std::time::Instant::now() + by + allow;
    while live() > 0 && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let never = live();
    SLOWING.store(false, Ordering::SeqCst);
    for slot in &SLOW {
        slot.store(0, Ordering::Release);
    }
    let watched = addresses.len() + ADDED.swap(0, Ordering::SeqCst);
    let frees = Frees {
        before: watched.saturating_sub(at_return),
        after: at_return - never,
        never,
    };
    (out, frees)
}

/// Whether [`Counting`] is this process's allocator: a box made inside a
/// window is counted.
pub fn installed() -> bool {
    // Three tries: another thread of the process (a test harness's, outside
    // the exclusive lock) may allocate during one.
    (0..3).any(|_| {
        let (b, n) = net_blocks(|| Box::new(std::hint::black_box(7u64)));
        drop(b);
        n == 1
    })
}
