//! Counters padded to one cache line each, and no further.

use std::sync::atomic::AtomicU64;

/// Aligned to 64 bytes: one line each, but two to a prefetched pair.
#[repr(align(64))]
pub struct Line(pub AtomicU64);
