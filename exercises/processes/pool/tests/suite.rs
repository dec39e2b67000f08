//! Runs the pool suite (tests/suites) against this crate and its binary.
suites::pool!(pool);
