//! Runs the words_per_text suite (tests/suites) against this crate.
suites::words_per_text!(words_per_text);
