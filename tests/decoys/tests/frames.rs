//! Every wrong frame reader in the corpus is rejected by its check, for the
//! reason the student should read.

#[test]
fn every_decoy_is_rejected_for_the_right_reason() {
    suites::pure::set_source(decoys::frames::SOURCE);
    let misses = decoys::misses(&decoys::frames::corpus(), suites::frames::CHECKS);
    assert!(
        misses.is_empty(),
        "decoys not rejected:\n{}",
        misses.join("\n\n")
    );
}
