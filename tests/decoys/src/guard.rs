//! Wrong programs with a pool. The decoy test binary plays each one when
//! [`DECOY_VAR`] names it; its workers inherit the variable and play the
//! same program, as a real program's workers run the same `main`.

use std::process::ExitCode;
use std::time::Duration;

use guard_solution::mistakes::MISTAKE_VAR;
use guard_solution::{Pool, TASKS, args, print_result, run, worker_role};
use suites::guard::GuardApi;

use crate::{Class, Decoy};

/// Environment variable naming the wrong program to play.
pub const DECOY_VAR: &str = "COURSE_GUARD_DECOY";

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("{e}");
    ExitCode::FAILURE
}

/// The pool is built first, the role checked after.
fn check_after_the_pool() -> ExitCode {
    let (workers, inputs) = args();
    let mut pool = match Pool::new_with(workers) {
        Ok(pool) => pool,
        Err(e) => return fail(e),
    };
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    for (&x, r) in inputs.iter().zip(pool.map("square", &inputs)) {
        match r {
            Ok(done) => print_result(x, &done),
            Err(e) => return fail(e),
        }
    }
    ExitCode::SUCCESS
}

/// Checks a variable the pool never sets.
fn wrong_variable() -> ExitCode {
    if std::env::var_os("WORKER").is_some() {
        if let Some(worker) = worker_role() {
            return worker.serve(TASKS);
        }
    }
    run()
}

/// Serves, but with no tasks.
fn serves_nothing() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(&[]);
    }
    run()
}

/// Skips the pool and squares in the program itself.
fn computes_in_the_program() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (_, inputs) = args();
    for x in inputs {
        println!(
            "square({x}) = {} in pid {}",
            x.wrapping_mul(x),
            std::process::id()
        );
    }
    ExitCode::SUCCESS
}

/// A new pool for every input.
fn a_pool_per_input() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    for x in inputs {
        let mut pool = match Pool::new_with(workers) {
            Ok(pool) => pool,
            Err(e) => return fail(e),
        };
        match pool.map("square", &[x]).remove(0) {
            Ok(done) => print_result(x, &done),
            Err(e) => return fail(e),
        }
    }
    ExitCode::SUCCESS
}

/// Leaves a last, slow task running and exits with `process::exit`,
/// which skips the pool's `Drop`.
fn exits_before_the_pool_ends() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    let mut pool = match Pool::new_with(workers) {
        Ok(pool) => pool,
        Err(e) => return fail(e),
    };
    for (&x, r) in inputs.iter().zip(pool.map("square", &inputs)) {
        match r {
            Ok(done) => print_result(x, &done),
            Err(e) => return fail(e),
        }
    }
    std::thread::spawn(move || pool.map("sleep_ms", &[2000]));
    std::thread::sleep(Duration::from_millis(100));
    std::process::exit(0)
}

/// Plays the wrong program named by [`DECOY_VAR`], if any.
pub fn play() -> Option<ExitCode> {
    Some(match std::env::var(DECOY_VAR).ok()?.as_str() {
        "check after the pool" => check_after_the_pool(),
        "wrong variable" => wrong_variable(),
        "serves nothing" => serves_nothing(),
        "computes in the program" => computes_in_the_program(),
        "a pool per input" => a_pool_per_input(),
        "exits before the pool ends" => exits_before_the_pool_ends(),
        _ => return None,
    })
}

fn this_binary() -> std::path::PathBuf {
    std::env::current_exe().expect("the decoy binary's path")
}

/// Every wrong program, with the check that must catch it.
pub fn corpus() -> Vec<Decoy<GuardApi>> {
    let decoy = |env| GuardApi {
        program: this_binary,
        env,
    };
    vec![
        Decoy {
            name: "no role check (the tutorial's mistake)",
            class: Class::RuleSkipped,
            subject: decoy(&[(MISTAKE_VAR, "forgot")]),
            caught_by: "workers_run_the_tasks",
            breaks: "role-check-first",
            says: &["printed 0 results", "never served", "worker_role()"],
        },
        Decoy {
            name: "role asked for and ignored",
            class: Class::MadeUp,
            subject: decoy(&[(MISTAKE_VAR, "ignored")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "only-the-workers",
            says: &["at depth 2", "started pools of their own"],
        },
        Decoy {
            name: "role checked after the pool is built",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "check after the pool")]),
            caught_by: "workers_run_the_tasks",
            breaks: "role-check-first",
            says: &["printed 0 results", "before anything that starts a pool"],
        },
        Decoy {
            name: "checks the wrong variable",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "wrong variable")]),
            caught_by: "workers_run_the_tasks",
            breaks: "role-check-first",
            says: &["printed 0 results", "never served"],
        },
        Decoy {
            name: "serves no tasks",
            class: Class::MadeUp,
            subject: decoy(&[(DECOY_VAR, "serves nothing")]),
            caught_by: "workers_run_the_tasks",
            breaks: "role-check-first",
            says: &["failed", "no task named `square`", "serve `TASKS`"],
        },
        Decoy {
            name: "squares in the program itself",
            class: Class::Sequential,
            subject: decoy(&[(DECOY_VAR, "computes in the program")]),
            caught_by: "workers_run_the_tasks",
            breaks: "in-the-workers",
            says: &[
                "the program's own process",
                "must run in the pool's workers",
            ],
        },
        Decoy {
            name: "a pool per input",
            class: Class::Batched,
            subject: decoy(&[(DECOY_VAR, "a pool per input")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "only-the-workers",
            says: &["not one per task"],
        },
        Decoy {
            name: "exits before the pool ends",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "exits before the pool ends")]),
            caught_by: "nothing_is_left_running",
            breaks: "nothing-left-running",
            says: &["still ran", "`std::process::exit` skips every `Drop`"],
        },
    ]
}
