//! Runs the manager suite (tests/suites) against this crate and its binary.
suites::manager!(manager);
