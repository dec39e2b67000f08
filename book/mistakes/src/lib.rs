//! The wrong versions the Pitfalls chapter shows and measures: a deadlocking
//! lock order, a lock held across a fetch, `unwrap` on a poisoned mutex,
//! counters that share a cache line.
//!
//! Why a crate of their own: the book's `live` crate runs them in release
//! while the book builds, and the decoy corpus (`tests/decoys`), which
//! judges each of them as a decoy of its exercise, is fifteen thousand lines
//! the book does not need. The corpus uses these items from here, so a
//! mistake the page shows is the very code its suite is proven to reject.

pub mod false_sharing;
pub mod lock_order;
pub mod page_cache;
pub mod poison;
