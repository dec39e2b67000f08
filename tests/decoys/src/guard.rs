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

/// Squares `inputs` in the program itself, printing its own pid.
fn squares_here(inputs: &[u64]) -> ExitCode {
    for &x in inputs {
        println!(
            "square({x}) = {} in pid {}",
            x.wrapping_mul(x),
            std::process::id()
        );
    }
    ExitCode::SUCCESS
}

/// Skips the pool and squares in the program itself.
fn computes_in_the_program() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (_, inputs) = args();
    squares_here(&inputs)
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
    let mut pool = match squares_on(workers, &inputs) {
        Ok(pool) => pool,
        Err(code) => return code,
    };
    std::thread::spawn(move || pool.map("sleep_ms", &[2000]));
    std::thread::sleep(Duration::from_millis(100));
    std::process::exit(0)
}

/// Squares `inputs` on a pool of `workers`, printing each result; the
/// program's usual work, for the decoys that change its edges. Returns the
/// pool, still running, for the decoys that mishandle its end.
fn squares_on(workers: usize, inputs: &[u64]) -> Result<Pool, ExitCode> {
    let mut pool = Pool::new_with(workers).map_err(fail)?;
    for (&x, r) in inputs.iter().zip(pool.map("square", inputs)) {
        print_result(x, &r.map_err(fail)?);
    }
    Ok(pool)
}

/// Starts the pool, squares in the program itself, and prints a worker's
/// pid beside each square.
fn names_a_worker_it_did_not_use() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    let pool = match Pool::new_with(workers) {
        Ok(pool) => pool,
        Err(e) => return fail(e),
    };
    let pids = pool.pids();
    for (i, x) in inputs.into_iter().enumerate() {
        println!(
            "square({x}) = {} in pid {}",
            x.wrapping_mul(x),
            pids[i % pids.len()]
        );
    }
    ExitCode::SUCCESS
}

/// Keeps every square in a file, and answers an input it has seen from
/// the file, with the pid that computed it then.
fn remembers_squares_in_a_file() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let file = std::env::temp_dir().join("course-guard-decoy-squares");
    let known = std::fs::read_to_string(&file).unwrap_or_default();
    let (workers, inputs) = args();
    let cached = |x: u64| {
        known
            .lines()
            .find(|l| l.starts_with(&format!("square({x}) ")))
            .map(str::to_owned)
    };
    let new: Vec<u64> = inputs
        .iter()
        .copied()
        .filter(|&x| cached(x).is_none())
        .collect();
    let mut lines = Vec::new();
    if !new.is_empty() {
        let mut pool = match Pool::new_with(workers) {
            Ok(pool) => pool,
            Err(e) => return fail(e),
        };
        for (&x, r) in new.iter().zip(pool.map("square", &new)) {
            match r {
                Ok(done) => lines.push(format!("square({x}) = {} in pid {}", done.value, done.pid)),
                Err(e) => return fail(e),
            }
        }
    }
    let mut keep = known.clone();
    for line in &lines {
        keep.push_str(line);
        keep.push('\n');
    }
    let _ = std::fs::write(&file, keep);
    for x in inputs {
        let line = cached(x).or_else(|| {
            lines
                .iter()
                .find(|l| l.starts_with(&format!("square({x}) ")))
                .cloned()
        });
        println!("{}", line.unwrap_or_default());
    }
    ExitCode::SUCCESS
}

/// Caps the pool at `CAP` workers, whatever the command line asks (four;
/// sixteen in round 16's `guard/01`).
fn at_most_workers<const CAP: usize>() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    match squares_on(workers.min(CAP), &inputs) {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// A new pool for every 16 inputs.
fn a_pool_per_sixteen_inputs() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    for chunk in inputs.chunks(16) {
        if let Err(code) = squares_on(workers, chunk) {
            return code;
        }
    }
    ExitCode::SUCCESS
}

/// A worker serves, then falls through into the program's work once its
/// stdin ends (the `return` forgotten).
fn serves_then_runs() -> ExitCode {
    if let Some(worker) = worker_role() {
        let _ = worker.serve(TASKS);
    }
    run()
}

/// A square the pool could not give is computed in the program, "so the
/// run still succeeds".
fn computes_what_the_pool_could_not() -> ExitCode {
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
            Err(_) => println!(
                "square({x}) = {} in pid {}",
                x.wrapping_mul(x),
                std::process::id()
            ),
        }
    }
    ExitCode::SUCCESS
}

/// Prints every square and leaves with `process::exit` at once: the
/// workers are idle, and end a moment after the program when their stdin
/// closes.
fn exits_right_after_printing() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    let _pool = match squares_on(workers, &inputs) {
        Ok(pool) => pool,
        Err(code) => return code,
    };
    use std::io::Write;
    let _ = std::io::stdout().flush();
    std::process::exit(0)
}

/// Squares on the pool, and leaves with `process::exit(1)`, the pool
/// alive, when a square fails (round 13, `guard/01`).
fn exits_on_a_failed_square() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    let Ok(mut pool) = Pool::new_with(workers) else {
        return ExitCode::FAILURE;
    };
    let results = pool.map("square", &inputs);
    for (&x, r) in inputs.iter().zip(results) {
        match r {
            Ok(done) => print_result(x, &done),
            Err(e) => {
                eprintln!("square({x}) failed: {e}");
                std::thread::spawn(move || pool.map("sleep_ms", &[2000]));
                std::thread::sleep(Duration::from_millis(100));
                std::process::exit(1)
            }
        }
    }
    ExitCode::SUCCESS
}

/// No more workers than inputs, "an idle worker is a wasted process"
/// (round 13, `guard/03`).
fn no_more_workers_than_inputs() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    match squares_on(workers.min(inputs.len()), &inputs) {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// Inputs 0 and 1 are their own squares, printed by the program itself
/// (round 13, `guard/05`).
fn knows_squares_of_0_and_1() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    let sent: Vec<u64> = inputs.iter().copied().filter(|&x| x > 1).collect();
    let Ok(mut pool) = Pool::new_with(workers) else {
        return ExitCode::FAILURE;
    };
    let mut done = pool.map("square", &sent).into_iter();
    for x in inputs {
        if x <= 1 {
            println!("square({x}) = {x} in pid {}", std::process::id());
        } else {
            match done.next() {
                Some(Ok(d)) => print_result(x, &d),
                Some(Err(e)) => return fail(e),
                None => return ExitCode::FAILURE,
            }
        }
    }
    ExitCode::SUCCESS
}

/// Inputs sorted and each squared once (round 13, `guard/06`).
fn sorted_and_deduplicated() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, mut inputs) = args();
    inputs.sort_unstable();
    inputs.dedup();
    match squares_on(workers, &inputs) {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// A worker whose serving fails goes on to the program's work (round 13,
/// `guard/07`).
fn runs_when_serving_fails() -> ExitCode {
    if let Some(worker) = worker_role() {
        let code = worker.serve(TASKS);
        if code == ExitCode::SUCCESS {
            return code;
        }
    }
    run()
}

/// Only the first 64 inputs are squared (round 13, `guard/08`).
fn first_64_inputs() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    match squares_on(workers, &inputs[..inputs.len().min(64)]) {
        Ok(_) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// A square that fails is tried again on a pool of its own (round 13,
/// `guard/09`).
fn retries_on_a_second_pool() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    let Ok(mut pool) = Pool::new_with(workers) else {
        return ExitCode::FAILURE;
    };
    for (&x, r) in inputs.iter().zip(pool.map("square", &inputs)) {
        let r = r.or_else(|_| {
            let mut again = Pool::new_with(1).map_err(|e| e.to_string())?;
            again
                .map("square", &[x])
                .remove(0)
                .map_err(|e| e.to_string())
        });
        match r {
            Ok(done) => print_result(x, &done),
            Err(e) => return fail(e),
        }
    }
    ExitCode::SUCCESS
}

/// A square that fails is tried once more on the same pool before it is
/// reported (round 20, `guard/06`): a fault that does not repeat is hidden.
fn tries_a_failed_square_again() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    let Ok(mut pool) = Pool::new_with(workers) else {
        return ExitCode::FAILURE;
    };
    let results = pool.map("square", &inputs);
    for (&x, r) in inputs.iter().zip(results) {
        match r.or_else(|_| pool.map("square", &[x]).remove(0)) {
            Ok(done) => print_result(x, &done),
            Err(e) => return fail(e),
        }
    }
    ExitCode::SUCCESS
}

/// Starts the pool, but squares one or two inputs in the program itself
/// (round 16, `guard/04`).
fn squares_a_few_itself() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    if inputs.len() > 2 {
        return match squares_on(workers, &inputs) {
            Ok(_) => ExitCode::SUCCESS,
            Err(code) => code,
        };
    }
    let _pool = match Pool::new_with(workers) {
        Ok(pool) => pool,
        Err(e) => return fail(e),
    };
    squares_here(&inputs)
}

/// The pool squares the first thousand inputs, the program the rest,
/// "quicker than a round trip through a pipe" (round 22, `guard/05`).
fn squares_past_a_thousand_itself() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    let (first, rest) = inputs.split_at(inputs.len().min(1_000));
    let _pool = match squares_on(workers, first) {
        Ok(pool) => pool,
        Err(code) => return code,
    };
    squares_here(rest)
}

/// A worker throws `serve`'s outcome away and ends with success (round
/// 16, `guard/05`).
fn worker_always_succeeds() -> ExitCode {
    if let Some(worker) = worker_role() {
        let _ = worker.serve(TASKS);
        return ExitCode::SUCCESS;
    }
    run()
}

/// Asks `nproc` how many cores the machine has, to warn when the command
/// line asks for more workers, then runs the program: a process that is
/// not one of the pool's workers (round 16, `guard/02`).
fn asks_nproc_for_the_cores() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    if let Ok(out) = std::process::Command::new("nproc").output() {
        let cores: usize = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(1);
        if args().0 > cores {
            eprintln!("note: more workers than the {cores} cores of this machine");
        }
    }
    run()
}

/// Takes a process started with no arguments for a worker, and asks
/// `worker_role()` only then (round 20, `guard/02`): the pool starts its
/// workers without arguments, but so does `cargo run`.
fn no_arguments_means_a_worker() -> ExitCode {
    if std::env::args().len() <= 1 {
        return match worker_role() {
            Some(worker) => worker.serve(TASKS),
            None => ExitCode::FAILURE,
        };
    }
    run()
}

/// Squares the inputs in the program itself when the pool cannot start,
/// "degraded mode" (round 20, `guard/07`).
fn squares_itself_without_a_pool() -> ExitCode {
    if let Some(worker) = worker_role() {
        return worker.serve(TASKS);
    }
    let (workers, inputs) = args();
    let Ok(mut pool) = Pool::new_with(workers) else {
        return squares_here(&inputs);
    };
    for (&x, result) in inputs.iter().zip(pool.map("square", &inputs)) {
        match result {
            Ok(done) => print_result(x, &done),
            Err(e) => return fail(e),
        }
    }
    ExitCode::SUCCESS
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
        "names a worker it did not use" => names_a_worker_it_did_not_use(),
        "remembers squares in a file" => remembers_squares_in_a_file(),
        "at most four workers" => at_most_workers::<4>(),
        "at most sixteen workers" => at_most_workers::<16>(),
        "squares a few itself" => squares_a_few_itself(),
        "a worker always succeeds" => worker_always_succeeds(),
        "a pool per sixteen inputs" => a_pool_per_sixteen_inputs(),
        "exits right after printing" => exits_right_after_printing(),
        "serves, then runs" => serves_then_runs(),
        "computes what the pool could not" => computes_what_the_pool_could_not(),
        "exits on a failed square" => exits_on_a_failed_square(),
        "no more workers than inputs" => no_more_workers_than_inputs(),
        "knows the squares of 0 and 1" => knows_squares_of_0_and_1(),
        "sorted and deduplicated" => sorted_and_deduplicated(),
        "runs when serving fails" => runs_when_serving_fails(),
        "first 64 inputs" => first_64_inputs(),
        "retries on a second pool" => retries_on_a_second_pool(),
        "tries a failed square again" => tries_a_failed_square_again(),
        "asks nproc for the cores" => asks_nproc_for_the_cores(),
        "no arguments means a worker" => no_arguments_means_a_worker(),
        "squares itself without a pool" => squares_itself_without_a_pool(),
        "at most 32 workers" => at_most_workers::<32>(),
        "at most 100 workers" => at_most_workers::<100>(),
        "squares past a thousand itself" => squares_past_a_thousand_itself(),
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
        role_vars: (guard_solution::ROLE_VAR, guard_solution::DEPTH_VAR),
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
            name: "a worker serves, then goes on to the program's work",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "serves, then runs")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "role-check-first",
            says: &[
                "whose stdin was already at its end",
                "Return what `serve` returns",
            ],
        },
        Decoy {
            name: "computes in the program the squares the pool could not give",
            class: Class::MadeUp,
            subject: decoy(&[(DECOY_VAR, "computes what the pool could not")]),
            caught_by: "workers_run_the_tasks",
            breaks: "failure-reported",
            says: &["a fault the suite injected", "Yet it printed"],
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
            says: &["outlived it", "`std::process::exit` skips every `Drop`"],
        },
        Decoy {
            name: "squares in the program, printing a worker's pid",
            class: Class::MadeUp,
            subject: decoy(&[(DECOY_VAR, "names a worker it did not use")]),
            caught_by: "workers_run_the_tasks",
            breaks: "in-the-workers",
            says: &["never ran `square`", "every input goes to the pool"],
        },
        Decoy {
            name: "remembers squares in a file between runs",
            class: Class::StateBetweenCalls,
            subject: decoy(&[(DECOY_VAR, "remembers squares in a file")]),
            caught_by: "workers_run_the_tasks",
            breaks: "in-the-workers",
            says: &["not one of the program's workers"],
        },
        Decoy {
            name: "exits on a failed square, the pool alive (round 13, guard/01)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "exits on a failed square")]),
            caught_by: "workers_run_the_tasks",
            breaks: "nothing-left-running",
            says: &["made to fail on input", "outlived it"],
        },
        Decoy {
            name: "no more workers than inputs (round 13, guard/03)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "no more workers than inputs")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "only-the-workers",
            says: &["no cap of your own"],
        },
        Decoy {
            name: "squares of 0 and 1 known in the program (round 13, guard/05)",
            class: Class::MadeUp,
            subject: decoy(&[(DECOY_VAR, "knows the squares of 0 and 1")]),
            caught_by: "workers_run_the_tasks",
            breaks: "in-the-workers",
            says: &["the program's own process"],
        },
        Decoy {
            name: "inputs sorted and deduplicated (round 13, guard/06)",
            class: Class::MadeUp,
            subject: decoy(&[(DECOY_VAR, "sorted and deduplicated")]),
            caught_by: "workers_run_the_tasks",
            breaks: "right-squares",
            says: &["One line per input, in the order given"],
        },
        Decoy {
            name: "a worker whose serving fails runs the program (round 13, guard/07)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "runs when serving fails")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "role-check-first",
            says: &["serving failed", "failure included"],
        },
        Decoy {
            name: "the first 64 inputs only (round 13, guard/08)",
            class: Class::MadeUp,
            subject: decoy(&[(DECOY_VAR, "first 64 inputs")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "right-squares",
            says: &["One line per input"],
        },
        Decoy {
            name: "a failed square retried on a pool of its own (round 13, guard/09)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "retries on a second pool")]),
            caught_by: "workers_run_the_tasks",
            breaks: "only-the-workers",
            says: &["The program starts one pool, also when a square fails"],
        },
        Decoy {
            name: "tries a failed square once more on the same pool (round 20, guard/06)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "tries a failed square again")]),
            caught_by: "workers_run_the_tasks",
            breaks: "failure-reported",
            says: &["once, the first time a worker runs it", "nor try it again"],
        },
        Decoy {
            name: "asks nproc how many cores there are (round 16, guard/02)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "asks nproc for the cores")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "only-the-workers",
            says: &["`nproc`", "No process starts but the pool's workers"],
        },
        Decoy {
            name: "at most four workers",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "at most four workers")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "only-the-workers",
            says: &["no cap of your own"],
        },
        Decoy {
            name: "caps the pool at 32 workers (round 20, guard/01)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "at most 32 workers")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "only-the-workers",
            says: &["no cap of your own"],
        },
        Decoy {
            name: "caps the pool at 100 workers (round 22, guard/02)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "at most 100 workers")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "only-the-workers",
            says: &["no cap of your own"],
        },
        Decoy {
            name: "squares the inputs past a thousand itself (round 22, guard/05)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "squares past a thousand itself")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "in-the-workers",
            says: &["the program's own process"],
        },
        Decoy {
            name: "a process with no arguments taken for a worker (round 20, guard/02)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "no arguments means a worker")]),
            caught_by: "workers_run_the_tasks",
            breaks: "role-check-first",
            says: &[
                "run with no arguments",
                "not because its command line is empty",
            ],
        },
        Decoy {
            name: "squares in the program when the pool cannot start (round 20, guard/07)",
            class: Class::MadeUp,
            subject: decoy(&[(DECOY_VAR, "squares itself without a pool")]),
            caught_by: "workers_run_the_tasks",
            breaks: "failure-reported",
            says: &["refused to start any process", "Yet it succeeded"],
        },
        Decoy {
            name: "caps the pool at 16 workers (round 16, guard/01)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "at most sixteen workers")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "only-the-workers",
            says: &["no cap of your own"],
        },
        Decoy {
            name: "starts the pool, squares one or two inputs itself (round 16, guard/04)",
            class: Class::MadeUp,
            subject: decoy(&[(DECOY_VAR, "squares a few itself")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "in-the-workers",
            says: &["the program's own process"],
        },
        Decoy {
            name: "a worker ends with success whatever serve returns (round 16, guard/05)",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "a worker always succeeds")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "role-check-first",
            says: &["ended with success", "failure included"],
        },
        Decoy {
            name: "a new pool for every 16 inputs",
            class: Class::Batched,
            subject: decoy(&[(DECOY_VAR, "a pool per sixteen inputs")]),
            caught_by: "only_the_pool_s_workers_start",
            breaks: "only-the-workers",
            says: &["not one per task"],
        },
        Decoy {
            name: "exits with process::exit right after printing",
            class: Class::RuleSkipped,
            subject: decoy(&[(DECOY_VAR, "exits right after printing")]),
            caught_by: "nothing_is_left_running",
            breaks: "nothing-left-running",
            says: &["outlived it"],
        },
    ]
}
