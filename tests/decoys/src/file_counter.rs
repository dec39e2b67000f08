//! A count of calls kept outside the crate, in a file (round 14,
//! `diagnose/04`, `workers/09`, `lock-order/03`): no `static` in the
//! student's source, and cheap, because only about one call in a thousand
//! bumps it. A decoy that changes its answer once the count passes a
//! million calls passes any suite that makes fewer; the reads and writes of
//! the file show in the kernel's count ([`harness::io`]).
//!
//! The decoys' file is unlinked as soon as it is made, so that no run
//! leaves one behind.

use std::fs::File;
use std::hash::{BuildHasher, RandomState};
use std::os::unix::fs::FileExt;
use std::sync::OnceLock;

/// Calls counted so far, about: each bump stands for a thousand calls.
pub fn calls() -> u64 {
    // A fresh hasher per call draws afresh: about one call in 1000 bumps.
    if RandomState::new().hash_one(0u8) % 1000 != 0 {
        return 0;
    }
    static FILE: OnceLock<Option<File>> = OnceLock::new();
    let Some(file) = FILE.get_or_init(|| tempfile::tempfile().ok()) else {
        return 0;
    };
    let mut bytes = [0; 8];
    let bumps = match file.read_at(&mut bytes, 0) {
        Ok(8) => u64::from_le_bytes(bytes) + 1,
        _ => 1,
    };
    let _ = file.write_at(&bumps.to_le_bytes(), 0);
    bumps * 1000
}

/// Whether more than a million calls have been counted.
pub fn past_a_million() -> bool {
    calls() > 1_000_000
}
