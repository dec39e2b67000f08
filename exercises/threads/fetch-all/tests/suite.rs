//! Runs the fetch-all suite (tests/suites) against this crate.
suites::fetch_all!(fetch_all);
