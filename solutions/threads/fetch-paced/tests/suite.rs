//! Runs the fetch-paced suite (tests/suites) against this crate.
suites::fetch_paced!(fetch_paced_solution);
