//! The course's tooling, as a library so that the root `cargo test` can run
//! the same rules as `cargo xtask check`.
//!
//! - [`course`]: the course model (its own crate): the manifest, the
//!   catalogue of promises, and paths.
//! - [`stubs`]: exercise crates generated from their solutions.
//! - [`stubcheck`]: proof that every stub fails its suite, for the right reason.
//! - [`diagnostics`]: the error codes `cargo check` reports, for
//!   compile-fail exercises.
//! - [`pages`]: rules on the book's sources (listings are included, never pasted).
//! - [`book`]: pinned book tools, the live build, and the check of its output.
//! - [`results`]: reading suite records and libtest output (shared by the
//!   stub check and the grader).
//! - [`grade`]: the grader, the student's progress view and the gradebook.
//! - [`browser`]: the built book loaded in headless Chromium, as a reader sees it.

pub mod book;
pub mod browser;
pub use course;
pub mod diagnostics;
pub mod grade;
pub mod pages;
pub mod readme;
pub mod results;
pub mod stubcheck;
pub mod stubs;
pub mod watch;
