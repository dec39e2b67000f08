//! Two threads, each adding to its own counter: counters side by side in
//! one array (one cache line) against `Counters` (one line each).

use std::hint::black_box;
use std::sync::atomic::AtomicU64;

use criterion::{Criterion, criterion_group, criterion_main};
use false_sharing_solution::{Counters, hammer};

const TIMES: u64 = 100_000;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("two threads, 100k increments each");
    let packed = [AtomicU64::new(0), AtomicU64::new(0)];
    group.bench_function("side by side (one cache line)", |b| {
        b.iter(|| hammer(black_box(&[&packed[0], &packed[1]]), TIMES));
    });
    let padded = Counters::new(2);
    group.bench_function("CachePadded (a line each)", |b| {
        b.iter(|| hammer(black_box(&[padded.slot(0), padded.slot(1)]), TIMES));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
