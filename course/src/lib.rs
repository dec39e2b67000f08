//! The course model, one crate that every tool reads: the book's tooling,
//! the rules (`cargo xtask check`), the decoy corpus and the grader.
//!
//! - [`manifest`]: `exercises/info.toml`, the versioned list of exercises,
//!   their kind, hint and points, and the grading limits.
//! - [`catalogue`]: `course/catalogue/<name>.toml`, what each exercise's
//!   page promises and which suite check judges each promise.
//!
//! It depends on nothing of the workspace, so reading the model never
//! builds a suite, a solution or a decoy.

pub mod catalogue;
pub mod manifest;

pub use catalogue::{Catalogue, Check, Promise, Requirement};
pub use manifest::*;
