//! `harness::aftermath` sees what a call leaves behind. One test in its own
//! binary: the readings cover the whole process, and libtest runs the tests
//! of one binary on threads of that process at the same time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use harness::aftermath::{IDLE_CPU, watch};

#[test]
fn a_joined_call_leaves_nothing_and_a_thread_left_spinning_is_seen() {
    let ((), left) = watch(|| {
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| std::thread::sleep(Duration::from_millis(5)));
            }
        });
    });
    assert!(left.is_clean(), "{left:?}: {}", left.describe("f"));

    let stop = Arc::new(AtomicBool::new(false));
    let started = Arc::new(Barrier::new(2));
    let (handle, left) = watch(|| {
        let (stop, ready) = (Arc::clone(&stop), Arc::clone(&started));
        let handle = std::thread::spawn(move || {
            ready.wait();
            while !stop.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        });
        started.wait();
        handle
    });
    stop.store(true, Ordering::Relaxed);
    handle.join().unwrap();
    assert_eq!(left.threads_left(), 1, "{left:?}");
    assert!(left.cpu > IDLE_CPU, "{left:?}");
    assert!(!left.is_clean());
    let said = left.describe("f");
    assert!(
        said.contains("still alive") && said.contains("burnt"),
        "{said}"
    );
}
