//! Every wrong `fetch_all` in the corpus is rejected by its check, for the
//! reason the student should read.

#[test]
fn every_decoy_is_rejected_for_the_right_reason() {
    // The source witnesses read the decoys' source: the file that holds
    // those decoys.
    suites::pure::set_source(decoys::globals::SOURCE);
    let misses = decoys::misses(&decoys::fetch_all::corpus(), suites::fetch_all::CHECKS);
    assert!(
        misses.is_empty(),
        "decoys not rejected:\n{}",
        misses.join("\n\n")
    );
}
