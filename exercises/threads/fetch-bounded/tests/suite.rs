//! Runs the fetch-bounded suite (tests/suites) against this crate.
suites::fetch_bounded!(fetch_bounded);
