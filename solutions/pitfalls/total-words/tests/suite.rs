//! Runs the total_words suite (tests/suites) against this crate.
suites::total_words!(total_words_solution);
