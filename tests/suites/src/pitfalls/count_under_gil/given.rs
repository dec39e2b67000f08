//! The GILs the suite gives to calls, so that `count` can tell a guard of
//! the GIL given from a guard of a GIL the call made itself.
//!
//! The suite's threads holding the GIL given while `count` runs shows a
//! foreign guard only where a check does that, and only for the texts
//! that check draws (round 17's `count-under-gil/01`, `05` and `08` made a
//! GIL of their own for big texts, blank texts or a single text). A guard
//! says which GIL it holds ([`GilGuard::holds`]), so every `count` of
//! every check asks: the GILs lent to calls under way are the only ones a
//! guard may hold. They are made once and lent, so that the question
//! needs no address kept past its GIL's life.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};

use gil_solution::{DEFAULT_SWITCH_INTERVAL, Gil, GilGuard};

/// More than the calls any check runs at once.
const GILS: usize = 16;

static POOL: LazyLock<Vec<Gil>> = LazyLock::new(|| {
    (0..GILS)
        .map(|_| Gil::new(DEFAULT_SWITCH_INTERVAL))
        .collect()
});

/// Which of [`POOL`] are lent now.
static LENT: Mutex<[bool; GILS]> = Mutex::new([false; GILS]);

/// Guards seen in `count` that held none of the GILs lent.
static FOREIGN: AtomicUsize = AtomicUsize::new(0);

/// A GIL of the pool, lent to one call until dropped.
pub struct Lease(usize);

impl Lease {
    /// The GIL lent.
    pub fn gil(&self) -> &'static Gil {
        &POOL[self.0]
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        LENT.lock().unwrap_or_else(PoisonError::into_inner)[self.0] = false;
    }
}

/// A GIL no call holds, lent until the lease is dropped.
///
/// # Panics
///
/// When all [`GILS`] are lent: a fault of the suite.
pub fn lend() -> Lease {
    let mut lent = LENT.lock().unwrap_or_else(PoisonError::into_inner);
    let free = lent
        .iter()
        .position(|&l| !l)
        .expect("count-under-gil: more calls at once than the suite has GILs to lend");
    lent[free] = true;
    Lease(free)
}

/// Notes `guard` if it holds none of the GILs lent now.
pub fn note(guard: &GilGuard<'_>) {
    let lent = *LENT.lock().unwrap_or_else(PoisonError::into_inner);
    let given = (0..GILS).any(|i| lent[i] && guard.holds(&POOL[i]));
    if !given {
        FOREIGN.fetch_add(1, Ordering::SeqCst);
    }
}

/// Guards of another GIL seen so far (compare before and after a call).
pub fn foreign() -> usize {
    FOREIGN.load(Ordering::SeqCst)
}
