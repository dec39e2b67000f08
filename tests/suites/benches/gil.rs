//! What the reference GIL costs, for the speed figures the tests do not
//! judge: taking and dropping an uncontended lock, a check-in when nobody
//! waits (the interpreter pays it every 64 instructions), a round trip
//! through `allow_threads`, and one hand-over between two threads.
//!
//! `cargo bench -p suites --bench gil` (add `-- --quick` for a fast look).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use suites::gil::{GilApi, GuardApi};

mod reference {
    suites::gil_api!(gil_solution);
}
use reference::Subject;

fn uncontended(c: &mut Criterion) {
    let gil = Subject::new(gil_solution::DEFAULT_SWITCH_INTERVAL);
    c.bench_function("acquire + drop, uncontended", |b| {
        b.iter(|| drop(gil.acquire()))
    });
    let mut guard = gil.acquire();
    c.bench_function("check_in, nobody waiting", |b| b.iter(|| guard.check_in()));
    c.bench_function("allow_threads round trip", |b| {
        b.iter(|| guard.allow_threads(|| std::hint::black_box(1)))
    });
}

/// Two threads both wanting the lock: each acquisition by the measuring
/// thread waits for the other thread's next hand-over.
fn hand_over(c: &mut Criterion) {
    let gil = Subject::new(Duration::from_micros(50));
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let mut guard = gil.acquire();
                for _ in 0..1000 {
                    guard.check_in();
                }
            }
        });
        c.bench_function("acquire against a busy holder (50 µs interval)", |b| {
            b.iter(|| drop(gil.acquire()))
        });
        stop.store(true, Ordering::Relaxed);
    });
}

criterion_group!(benches, uncontended, hand_over);
criterion_main!(benches);
