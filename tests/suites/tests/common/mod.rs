//! Shared by the GIL mutant and reliability tests.
#![allow(dead_code)] // each test binary uses its own subset of the flaws

pub mod flawed;
