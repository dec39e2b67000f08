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
static NET: AtomicIsize = AtomicIsize::new(0);
/// The largest block asked for while the window was open, in bytes.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; the counters only
// observe. A global allocator cannot be written without `unsafe`.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && OPEN.load(Ordering::Relaxed) {
            NET.fetch_add(1, Ordering::Relaxed);
            LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() && OPEN.load(Ordering::Relaxed) {
            NET.fetch_add(1, Ordering::Relaxed);
            LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if OPEN.load(Ordering::Relaxed) {
            NET.fetch_sub(1, Ordering::Relaxed);
        }
        // SAFETY: `ptr` came from this allocator, which is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // One block before and after: no block to count, but its new size.
        if OPEN.load(Ordering::Relaxed) {
            LARGEST.fetch_max(new_size, Ordering::Relaxed);
        }
        // SAFETY: as for `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
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

/// Whether [`Counting`] is this process's allocator: a box made inside a
/// window is counted.
pub fn installed() -> bool {
    let (b, n) = net_blocks(|| Box::new(std::hint::black_box(7u64)));
    drop(b);
    n == 1
}
