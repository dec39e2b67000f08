//! What the reference pool costs, for the performance targets the tests do
//! not judge: per task at chunk size 1 with 2 workers against one
//! synchronous frame round trip to a lone worker, per task at the default
//! chunk size, and a pool's start against one spawn and exit of the same
//! binary. CPython's `Pool(2)` per-task figure is printed beside them when
//! `python3` is there.
//!
//! `cargo bench -p live --bench processes` (add `-- --quick` for a fast
//! look). This benchmark binary is the workers' program too, so its `main`
//! checks the worker role before anything else.

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use criterion::Criterion;
use live::processes::{lone_worker, round_trip, this_program};
use pool_solution::{Pool, ROLE_VAR};

fn per_task(c: &mut Criterion) {
    let program = this_program().expect("this binary");
    let mut pool = Pool::start(&program, 2).expect("a pool of 2");
    let mut group = c.benchmark_group("per task, 2 workers");
    // One iteration is one task: `iters` inputs in one map.
    group.bench_function("chunk size 1", |b| {
        b.iter_custom(|iters| {
            let inputs: Vec<u64> = (0..iters).collect();
            let start = Instant::now();
            pool.map_chunked("square", &inputs, 1);
            start.elapsed()
        })
    });
    group.bench_function("default chunk size", |b| {
        b.iter_custom(|iters| {
            let inputs: Vec<u64> = (0..iters).collect();
            let start = Instant::now();
            pool.map("square", &inputs);
            start.elapsed()
        })
    });
    group.finish();
    drop(pool);
    let (mut worker, mut replies) = lone_worker().expect("a lone worker");
    let mut requests = worker.stdin.take().expect("piped");
    c.bench_function("synchronous frame round trip, lone worker", |b| {
        let mut x = 0;
        b.iter(|| {
            x += 1;
            round_trip(&mut requests, &mut replies, x)
        })
    });
    drop(requests);
    let _ = worker.wait();
}

fn start(c: &mut Criterion) {
    let program = this_program().expect("this binary");
    let mut group = c.benchmark_group("start");
    group.sample_size(20);
    group.bench_function("pool of 2 workers, until both answered", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let pool = Pool::start(&program, 2).expect("a pool of 2");
                total += start.elapsed();
                drop(pool);
            }
            total
        })
    });
    group.bench_function("spawn and exit of this binary", |b| {
        b.iter(|| {
            Command::new(&program)
                .env(ROLE_VAR, "0")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .status()
                .expect("spawning this binary")
        })
    });
    group.finish();
}

/// CPython's `Pool(2)` figures measured now, for the comparison.
fn cpython() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/processes_compare.py");
    match Command::new("python3").arg(script).arg("costs").output() {
        Ok(out) if out.status.success() => {
            println!(
                "CPython Pool(2), measured now: {}",
                String::from_utf8_lossy(&out.stdout)
            )
        }
        _ => println!("CPython: python3 not available, no comparison"),
    }
}

fn main() -> ExitCode {
    if let Some(worker) = pool_solution::worker_role() {
        return worker.serve(pool_solution::TASKS);
    }
    let mut c = Criterion::default().configure_from_args();
    per_task(&mut c);
    start(&mut c);
    c.final_summary();
    cpython();
    ExitCode::SUCCESS
}
