//! Runs the guard suite (tests/suites) against this crate's binary.
suites::guard!(guard);
