//! Runs the gil suite (tests/suites) against this crate.
suites::gil!(gil_solution);
