//! Runs the poison suite (tests/suites) against this crate.
suites::poison!(poison_solution);
