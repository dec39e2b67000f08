//! Chapter 4 (Pitfalls), the tutorial's four mistakes, measured.
//!
//! `diagnose`: five small programs (threads that sleep or compute under the
//! course's GIL, the same work on one thread, plain threads, rayon) timed
//! with the harness clock and read by the reference `diagnose`.

use std::time::Duration;

use anyhow::Result;
use diagnose_solution::{Measured, diagnose};
use harness::clock::human;
use harness::rounds::{Plan, interleave};
use rayon::prelude::*;
use suites::gil::GilApi;
use suites::gil::workload::{in_threads, instructions, interpret, one_after_another, sleep};
use tabled::Tabled;

use crate::block;

mod subject {
    suites::gil_api!(gil_solution);
}
use subject::Subject as Gil;

const PIECES: usize = 4;
const PIECE: Duration = Duration::from_millis(40);

#[derive(Tabled)]
struct DiagnosisRow {
    #[tabled(rename = "program (4 pieces of 40 ms)")]
    program: &'static str,
    #[tabled(rename = "wall time")]
    wall: String,
    #[tabled(rename = "CPU time")]
    cpu: String,
    #[tabled(rename = "cores busy")]
    busy: String,
    #[tabled(rename = "÷ one after another")]
    speedup: String,
    #[tabled(rename = "`diagnose` says")]
    kind: String,
}

/// The five programs, each beside its one-after-another version, in
/// interleaved rounds (the fastest run of each counts).
pub fn diagnose_table() -> Result<String> {
    let steps = suites::gil::workload::steps_for(PIECE);
    let gil = Gil::new(Duration::from_millis(5));
    let mut sleep_gil = || in_threads(PIECES, |_| sleep(&gil, PIECE));
    let mut sleep_seq = || one_after_another(PIECES, |_| std::thread::sleep(PIECE));
    let mut compute_gil = || in_threads(PIECES, |_| interpret(&gil, steps, None));
    let mut compute_seq = || one_after_another(PIECES, |_| instructions(steps));
    let mut threads = || in_threads(PIECES, |_| instructions(steps));
    let mut rayon = || {
        (0..PIECES)
            .into_par_iter()
            .map(|_| instructions(steps))
            .reduce(|| 0, u64::wrapping_add);
    };
    let plan = Plan {
        max_rounds: 3,
        budget: Duration::from_secs(3),
    };
    let bests = interleave(
        plan,
        &mut [
            &mut sleep_gil,
            &mut sleep_seq,
            &mut compute_gil,
            &mut compute_seq,
            &mut threads,
            &mut rayon,
        ],
        |_| false,
    );
    let b = &bests.best;
    let cores = harness::available_cores();
    let rows = [
        ("threads that sleep, under the GIL", b[0], b[1].wall),
        ("threads that compute, under the GIL", b[2], b[3].wall),
        ("one thread computing", b[3], b[3].wall),
        ("threads that compute, no GIL", b[4], b[3].wall),
        ("rayon, no GIL", b[5], b[3].wall),
    ]
    .map(|(program, run, sequential)| {
        let d = diagnose(&Measured {
            wall: run.wall,
            cpu: run.cpu,
            cores,
            sequential: Some(sequential),
        });
        DiagnosisRow {
            program,
            wall: human(run.wall),
            cpu: human(run.cpu),
            busy: format!("{:.2}", d.parallelism),
            speedup: crate::times(sequential.as_secs_f64() / run.wall.as_secs_f64()),
            kind: format!("{:?}", d.kind),
        }
    });
    Ok(block(
        rows,
        format!(
            "Fastest of {} on {cores} cores; CPU time counts every thread of the run. \
             \"One after another\" is the same pieces on one thread: four sleeps for the first \
             row, four computations for the others.",
            crate::rounds(bests.rounds)
        ),
    ))
}

#[derive(Tabled)]
struct CombineRow {
    #[tabled(rename = "how the results come back")]
    how: &'static str,
    #[tabled(rename = "results the parent holds")]
    held: String,
    #[tabled(rename = "CPU time in worker processes")]
    workers: String,
    #[tabled(rename = "CPU time in the parent")]
    parent: String,
}

/// Scores for 200 inputs: pushed into a list by threads, pushed into a
/// list by the pool's workers (the mistake), and returned by the workers
/// and combined in the parent (the fix). The workers are this binary.
pub fn combine_table() -> Result<String> {
    use combine_solution::{Pool, score, scores, scores_in_a_shared_list};
    use harness::children::cpu_time_of;
    use harness::clock::process_cpu_time;
    use std::sync::{Mutex, PoisonError};

    const N: u64 = 200;
    let inputs: Vec<u64> = (1..=N).collect();
    let mut pool = Pool::start(&crate::processes::this_program()?, 2)?;
    let pids = pool.pids();
    // Runs `work`, and says how many results the parent holds after it and
    // how much CPU the workers and the parent used meanwhile.
    let mut row = |how, work: &mut dyn FnMut(&mut Pool) -> usize| {
        let (w0, p0) = (cpu_time_of(&pids), process_cpu_time());
        let held = work(&mut pool);
        CombineRow {
            how,
            held: format!("{held} of {N}"),
            workers: human(cpu_time_of(&pids).saturating_sub(w0)),
            parent: human(process_cpu_time().saturating_sub(p0)),
        }
    };
    let threads = row("threads push into a shared list", &mut |_| {
        let list = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for half in inputs.chunks(inputs.len().div_ceil(2)) {
                let list = &list;
                s.spawn(move || {
                    for &x in half {
                        let scored = (x, score(x));
                        list.lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(scored);
                    }
                });
            }
        });
        list.into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    });
    let mistake = row("worker processes push into a list", &mut |pool| {
        scores_in_a_shared_list(pool, &inputs).len()
    });
    let fix = row(
        "worker processes return them; the parent combines",
        &mut |pool| scores(pool, &inputs).map_or(0, |got| got.len()),
    );
    Ok(block(
        [threads, mistake, fix],
        format!(
            "The same {N} scores each time, on 2 threads or on a pool of 2 worker processes \
             (release build). A worker's CPU time is read from /proc, in clock ticks of 10 ms."
        ),
    ))
}
