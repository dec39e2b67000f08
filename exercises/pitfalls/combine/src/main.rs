//! The exercise's program: a pool worker when a pool started it, else a
//! demonstration of the mistake and of its fix.

use std::process::ExitCode;

use combine::{Pool, TASKS, scores, scores_in_a_shared_list, worker_role};

fn main() -> ExitCode {
    // The pool's workers are this program: serve first (see the Processes
    // chapter).
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let mut pool = match Pool::new_with(2) {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let inputs: Vec<u64> = (1..=20).collect();
    let shared = scores_in_a_shared_list(&mut pool, &inputs);
    println!(
        "updated in the workers: the parent's list holds {} of {} results",
        shared.len(),
        inputs.len()
    );
    match scores(&mut pool, &inputs) {
        Ok(got) => println!(
            "sent back as messages: {} of {} results, first {:?}",
            got.len(),
            inputs.len(),
            got.first()
        ),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
