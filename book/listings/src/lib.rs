//! The course's listings: what its tools generate from the solutions and
//! capture from the compiler, in a crate of its own so that the book's
//! `live` crate, built in release while the book builds, compiles these two
//! modules and not the course's tooling (`xtask`: the grader, the browser
//! check, the file watcher), as rust-lang/book keeps its listings tool apart
//! from the book.
//!
//! - [`stubs`]: exercise crates generated from their reference solutions;
//! - [`diagnostics`]: a crate's compile errors, by code, from cargo's JSON;
//! - [`readme`]: the README's table of exercises, from the manifest.

pub mod diagnostics;
pub mod readme;
pub mod stubs;
