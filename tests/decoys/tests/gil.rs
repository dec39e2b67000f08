//! Every wrong GIL in the corpus is rejected by its check, for the reason
//! the student should read. (The ones that get stuck for good run in
//! processes of their own: `gil_lost_wakeup.rs`, `gil_deadlock.rs`.)

#[test]
fn every_decoy_is_rejected_for_the_right_reason() {
    suites::pure::set_source(decoys::gil_source::SOURCE);
    let misses = decoys::misses_among(&decoys::gil::corpus());
    assert!(
        misses.is_empty(),
        "decoys not rejected:\n{}",
        misses.join("\n\n")
    );
}

/// Decoys told apart by timing: on a machine too busy to show parallelism
/// (or to wake a waiter before the holder runs again), their checks may
/// stay inconclusive, and this fails with "passed it".
#[test]
fn decoys_told_apart_by_timing_are_rejected_for_the_right_reason() {
    let misses = decoys::misses_among(&decoys::gil::timed());
    assert!(
        misses.is_empty(),
        "decoys not rejected:\n{}",
        misses.join("\n\n")
    );
}
