//! A GIL that gets stuck for good: a release that wakes nobody. Its threads never end, so it
//! has a process of its own. The whole suite runs against it, in the order
//! libtest runs the tests; its check must reject it for the right reason,
//! and the suite must settle within [`decoys::SETTLES_WITHIN`].

#[test]
fn a_release_that_wakes_nobody_is_rejected_and_the_suite_settles() {
    let decoy = &decoys::gil::releases_without_notifying();
    let misses = decoys::stuck_misses(decoy);
    assert!(misses.is_empty(), "{}", misses.join("\n\n"));
}
