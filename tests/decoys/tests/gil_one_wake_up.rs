//! A GIL whose release wakes one waiter only when no wake-up is on its way
//! already, and whose flag only a waiter that slept lowers: after a release
//! with nobody asleep, no release wakes anyone. `no_lost_wakeups` can fail
//! it only by timing out, which marks the whole process as stuck, so it has
//! a process of its own.

#[test]
fn a_release_that_wakes_nobody_is_a_lost_wakeup() {
    let misses = decoys::misses_among(&[decoys::gil::one_wake_up_in_flight()]);
    assert!(misses.is_empty(), "{}", misses.join("\n\n"));
}
