//! Runs the word_frequencies suite (tests/suites) against this crate.
suites::word_frequencies!(word_frequencies_solution);
