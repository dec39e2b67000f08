//! The course's tooling, as a library so that the root `cargo test` can run
//! the same rules as `cargo xtask check`.
//!
//! - [`course`]: the course model (its own crate): the manifest, the
//!   catalogue of promises, and paths.
//! - [`listings`]: exercise crates generated from their solutions, and the
//!   error codes `cargo check` reports for compile-fail exercises (their own
//!   crate, which the book's `live` crate uses without the tooling).
//! - [`stubcheck`]: proof that every stub fails its suite, for the right reason.
//! - [`pages`]: rules on the book's sources (listings are included, never pasted).
//! - [`book`]: pinned book tools, the live build, and the check of its output.
//! - [`grader`]: the grader, the student's progress view and the gradebook
//!   (its own crate, in `grading/grader`, beside the instructors' files),
//!   and the reading of suite records the stub check shares with it.
//! - [`browser`]: the built book loaded in headless Chromium, as a reader sees it.

pub mod book;
pub mod browser;
pub use course;
pub use grader;
pub use listings;
pub mod pages;
pub mod stubcheck;
pub mod watch;
