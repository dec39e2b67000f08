//! Runs the frames suite (tests/suites) against this crate.
suites::frames!(frames_solution);
