//! Runs the count_under_gil suite (tests/suites) against this crate.
suites::count_under_gil!(count_under_gil);
