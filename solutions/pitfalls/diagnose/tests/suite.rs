//! Runs the diagnose suite (tests/suites) against this crate.
suites::diagnose!(diagnose_solution);
