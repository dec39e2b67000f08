//! Two threads, each adding to its own counter: counters side by side in
//! one array (one cache line) against `Counters` (one line each). Each
//! sample is the time from the first thread's first increment to the last
//! thread's last one (`Run::wall`): starting and joining the threads would
//! otherwise weigh more than the counting.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use false_sharing_solution::{Counters, hammer};

const TIMES: u64 = 100_000;

fn counting(pair: [&AtomicU64; 2], iters: u64) -> Duration {
    (0..iters).map(|_| hammer(&pair, TIMES).wall).sum()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("two threads, 100k increments each");
    let packed = [AtomicU64::new(0), AtomicU64::new(0)];
    group.bench_function("side by side (one cache line)", |b| {
        b.iter_custom(|iters| counting([&packed[0], &packed[1]], iters));
    });
    let padded = Counters::new(2);
    group.bench_function("CachePadded (a line each)", |b| {
        b.iter_custom(|iters| counting([padded.slot(0), padded.slot(1)], iters));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
