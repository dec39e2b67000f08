//! A GIL that gets stuck for good: a check_in that deadlocks. Its threads never end, so it
//! has a process of its own. The whole suite runs against it, in the order
//! libtest runs the tests; its check must reject it for the right reason,
//! and the suite must settle within [`decoys::SETTLES_WITHIN`].

#[test]
fn a_check_in_that_deadlocks_is_rejected_and_the_suite_settles() {
    let decoy = &decoys::gil::deadlocks_in_check_in();
    let misses = decoys::stuck_misses(decoy);
    assert!(misses.is_empty(), "{}", misses.join("\n\n"));
}
