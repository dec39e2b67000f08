//! The pool's program: a worker when a pool started it, else a small demo.

use std::process::ExitCode;
use std::time::Instant;

use pool_solution::{Pool, TASKS, worker_role};

// ANCHOR: main
fn main() -> ExitCode {
    // Am I one of a pool's workers? Then serve, and never reach the code
    // below, which would start a pool of its own.
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    // ANCHOR_END: main
    let mut pool = match Pool::new() {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let inputs = vec![2_000_000; 8];
    for (input, result) in inputs.iter().zip(pool.map("spin", &inputs)) {
        match result {
            Ok(done) => println!("spin({input}) = {:#x} in pid {}", done.value, done.pid),
            Err(e) => println!("spin({input}) failed: {e}"),
        }
    }
    println!(
        "{} inputs in {} workers, {} frames, {:.1?}",
        inputs.len(),
        pool.workers(),
        pool.frames_sent(),
        start.elapsed()
    );
    ExitCode::SUCCESS
}
