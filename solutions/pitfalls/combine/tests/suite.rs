//! Runs the combine suite (tests/suites) against this crate and its binary.
suites::combine!(combine_solution);
