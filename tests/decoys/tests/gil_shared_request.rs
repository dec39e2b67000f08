//! A GIL whose drop request is shared by every Gil: the holder of one Gil,
//! asked on behalf of a waiter on another, hands over to nobody and waits
//! for ever. Its threads never end, so it has a process of its own. The
//! whole suite runs against it, in the order libtest runs the tests; its
//! check must reject it for the right reason, and the suite must settle
//! within [`decoys::SETTLES_WITHIN`].

#[test]
fn a_drop_request_shared_by_every_gil_is_rejected_and_the_suite_settles() {
    let decoy = &decoys::gil::shares_the_drop_request();
    let misses = decoys::stuck_misses(decoy);
    assert!(misses.is_empty(), "{}", misses.join("\n\n"));
}
