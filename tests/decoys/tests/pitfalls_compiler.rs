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
    suites::pure::set_source(decoys::globals::SOURCE);
    assert_all_rejected(decoys::misses(
        &decoys::total_words::corpus(),
        suites::total_words::CHECKS,
    ));
}

#[test]
fn every_words_per_text_decoy_is_rejected_for_the_right_reason() {
    suites::pure::set_source(decoys::globals::SOURCE);
    assert_all_rejected(decoys::misses(
        &decoys::words_per_text::corpus(),
        suites::words_per_text::CHECKS,
    ));
}

#[test]
fn every_word_frequencies_decoy_is_rejected_for_the_right_reason() {
    suites::pure::set_source(decoys::globals::SOURCE);
    assert_all_rejected(decoys::misses(
        &decoys::word_frequencies::corpus(),
        suites::word_frequencies::CHECKS,
    ));
}

#[test]
fn every_count_under_gil_decoy_is_rejected_for_the_right_reason() {
    suites::pure::set_source(decoys::globals::SOURCE);
    assert_all_rejected(decoys::misses(
        &decoys::count_under_gil::corpus(),
        suites::count_under_gil::CHECKS,
    ));
}

/// The decoy that `count_under_gil` cannot have: one that sends a
/// `GilGuard` to another thread. The GIL's API must keep refusing it, or
/// the exercise's stub would compile and its lesson would be gone.
///
/// Asked of the type system directly (`impls!`), not with a trybuild
/// compile-fail test: trybuild compares the compiler's whole rendered
/// stderr with a stored snapshot, which each rustc release may reword (the
/// notes, the help lines, the spans), so the test would fail on a compiler
/// upgrade while the fact it checks still holds. The stub's own refusal is
/// checked by error code (`cargo xtask check`), for the same reason.
#[test]
fn the_gil_guard_cannot_leave_its_thread() {
    use gil_solution::{Gil, GilGuard};
    use suites::__impls::impls;
    assert!(
        !impls!(GilGuard<'static>: Send),
        "GilGuard is Send: a thread could release a GIL another thread took"
    );
    assert!(
        !impls!(GilGuard<'static>: Sync),
        "GilGuard is Sync: another thread could use a guard through a shared reference"
    );
    assert!(
        impls!(Gil: Sync),
        "Gil must be Sync, for threads to share it"
    );
}
