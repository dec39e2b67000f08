//! Runs the false-sharing suite (tests/suites) against this crate.
suites::false_sharing!(false_sharing_solution);
