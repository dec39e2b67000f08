//! Every wrong solution of the Pitfalls chapter's compile-fail exercises
//! (code that compiles once the compiler's complaint is silenced, and is
//! wrong) is rejected by its check, for the reason the student should read.

fn assert_all_rejected(misses: Vec<String>) {
    assert!(
        misses.is_empty(),
        "decoys not rejected:\n{}",
        misses.join("\n\n")
    );
}

#[test]
fn every_total_words_decoy_is_rejected_for_the_right_reason() {
    assert_all_rejected(decoys::misses(
        &decoys::total_words::corpus(),
        suites::total_words::CHECKS,
    ));
}

#[test]
fn every_words_per_text_decoy_is_rejected_for_the_right_reason() {
    assert_all_rejected(decoys::misses(
        &decoys::words_per_text::corpus(),
        suites::words_per_text::CHECKS,
    ));
}

#[test]
fn every_word_frequencies_decoy_is_rejected_for_the_right_reason() {
    assert_all_rejected(decoys::misses(
        &decoys::word_frequencies::corpus(),
        suites::word_frequencies::CHECKS,
    ));
}

#[test]
fn every_count_under_gil_decoy_is_rejected_for_the_right_reason() {
    assert_all_rejected(decoys::misses(
        &decoys::count_under_gil::corpus(),
        suites::count_under_gil::CHECKS,
    ));
}
