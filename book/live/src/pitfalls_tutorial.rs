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

/// Environment variable that makes this binary run the guard exercise's
/// work (after its own role check): the program done right.
pub const RUN_GUARDED: &str = "COURSE_LIVE_RUN_GUARDED";

#[derive(Tabled)]
struct GuardRow {
    #[tabled(rename = "program")]
    program: &'static str,
    #[tabled(rename = "ended")]
    ended: String,
    #[tabled(rename = "copies that reached main")]
    started: usize,
    #[tabled(rename = "by pool depth")]
    depths: String,
    #[tabled(rename = "results")]
    results: String,
    #[tabled(rename = "stopped by")]
    stopped: &'static str,
}

/// This binary run as the guard exercise's program (2 workers, 8 inputs),
/// right and with each mistake, under a census.
pub fn guard_table() -> Result<String> {
    use anyhow::Context;
    use guard_solution::mistakes::MISTAKE_VAR;
    use harness::census;

    const WORKERS: usize = 2;
    const INPUTS: usize = 8;
    let program = crate::processes::this_program()?;
    let play = |env: (&str, &str)| -> Result<(String, Vec<census::Arrival>, usize)> {
        let file = std::env::temp_dir().join(format!(
            "course-live-census-{}-{}",
            std::process::id(),
            env.1
        ));
        let _ = std::fs::remove_file(&file);
        let out = std::process::Command::new(&program)
            .arg(WORKERS.to_string())
            .args((1..=INPUTS).map(|x| x.to_string()))
            .env(census::CENSUS_VAR, &file)
            .env(env.0, env.1)
            .stdin(std::process::Stdio::null())
            .output()
            .context("running this binary as the guard program")?;
        let arrivals = census::read(&file);
        let _ = std::fs::remove_file(&file);
        let results = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("square("))
            .count();
        let ended = if out.status.success() {
            "succeeded".to_owned()
        } else {
            format!("failed ({})", out.status)
        };
        // The program itself arrived first; the rest it started.
        Ok((ended, arrivals.into_iter().skip(1).collect(), results))
    };
    let rows = [
        ("role check first", (RUN_GUARDED, "1"), "nothing to stop"),
        (
            "no role check",
            (MISTAKE_VAR, "forgot"),
            "the pool, refusing in a worker that never asked its role",
        ),
        (
            "role asked for, then ignored",
            (MISTAKE_VAR, "ignored"),
            "the pool's depth fuse",
        ),
    ]
    .into_iter()
    .map(|(program, env, stopped)| {
        let (ended, started, results) = play(env)?;
        Ok(GuardRow {
            program,
            ended,
            started: started.len(),
            depths: census::describe_depths(&started),
            results: format!("{results} of {INPUTS}"),
            stopped,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let max = guard_solution::MAX_DEPTH;
    let fused: u64 = (1..=max).map(|d| (WORKERS as u64).pow(d)).sum();
    let unfused = |depth: u32| (WORKERS as u64).pow(depth + 1) - 2;
    Ok(block(
        rows,
        format!(
            "This book's binary run as the exercise's program with {WORKERS} workers and \
             {INPUTS} inputs; every copy wrote itself into a census file first thing in main \
             (a worker killed before it got there is not counted). Pools may nest {max} deep, \
             so the ignored role could grow to {fused} processes; the first refusal tears the \
             tree down while it is still growing. With no fuse at all each level doubles: {} \
             processes by depth 5, {} by depth 10, {} by depth 20.",
            unfused(5),
            unfused(10),
            unfused(20)
        ),
    ))
}

#[derive(Tabled)]
struct WorkersRow {
    #[tabled(rename = "work")]
    work: String,
    #[tabled(rename = "workers")]
    workers: String,
    #[tabled(rename = "wall time")]
    wall: String,
    #[tabled(rename = "peak memory added")]
    peak: String,
    #[tabled(rename = "÷ fastest")]
    ratio: String,
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// The same work shared among pools of several sizes, threads and
/// processes, with the size `pick_workers` reads off the trials.
pub fn workers_table() -> Result<String> {
    use pool_solution::Pool;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;
    use workers_solution::{Trial, pick_workers};

    const ITEMS: usize = 2000;
    const PROCESS_ITEMS: usize = 48;
    const TRIES: usize = 3;
    let cores = harness::available_cores();
    let units = harness::workload::units_for(Duration::from_micros(50));
    let threads = |workers: usize| {
        let next = AtomicUsize::new(0);
        let began = Instant::now();
        let ((), peak) = harness::memory::peak_rise(|| {
            std::thread::scope(|s| {
                for _ in 0..workers {
                    s.spawn(|| {
                        while next.fetch_add(1, Ordering::Relaxed) < ITEMS {
                            harness::workload::spin(units);
                        }
                    });
                }
            });
        });
        Trial {
            workers,
            wall: began.elapsed(),
            peak_bytes: peak,
        }
    };
    let program = crate::processes::this_program()?;
    let rounds = vec![1_600_000u64; PROCESS_ITEMS];
    let processes = |workers: usize| -> Result<Trial> {
        let began = Instant::now();
        let (done, peak) = harness::memory::peak_rise(|| -> Result<()> {
            let mut pool = Pool::start(&program, workers)?;
            for r in pool.map_chunked("spin", &rounds, 1) {
                r?;
            }
            Ok(())
        });
        done?;
        Ok(Trial {
            workers,
            wall: began.elapsed(),
            peak_bytes: peak,
        })
    };
    let mut sizes = vec![1, 2, cores, 16];
    sizes.dedup();
    // Best of a few tries: the fastest wall time, the largest peak.
    let best = |a: Trial, b: Trial| Trial {
        workers: a.workers,
        wall: a.wall.min(b.wall),
        peak_bytes: a.peak_bytes.max(b.peak_bytes),
    };
    let thread_trials: Vec<Trial> = sizes
        .iter()
        .copied()
        .chain([ITEMS])
        .map(|k| (1..TRIES).map(|_| threads(k)).fold(threads(k), best))
        .collect();
    let process_trials: Vec<Trial> = [1, 2, cores, 8, PROCESS_ITEMS]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|k| {
            (1..TRIES).try_fold(processes(k)?, |acc, _| {
                Ok::<_, anyhow::Error>(best(acc, processes(k)?))
            })
        })
        .collect::<Result<_>>()?;
    let rows = |what: &str, items: usize, trials: &[Trial]| {
        let fastest = trials.iter().map(|t| t.wall).min().unwrap_or_default();
        trials
            .iter()
            .map(|t| WorkersRow {
                work: format!("{items} pieces, {what}"),
                workers: if t.workers == items {
                    format!("{} (one per piece)", t.workers)
                } else {
                    t.workers.to_string()
                },
                wall: human(t.wall),
                peak: mib(t.peak_bytes),
                ratio: crate::times(t.wall.as_secs_f64() / fastest.as_secs_f64()),
            })
            .collect::<Vec<_>>()
    };
    let mut all = rows("threads", ITEMS, &thread_trials);
    all.extend(rows("worker processes", PROCESS_ITEMS, &process_trials));
    Ok(block(
        all,
        format!(
            "Fastest of {TRIES} tries of each trial, on {cores} cores, with its pool's start-up \
             (the largest peak of the tries); peak memory \
             is the most resident memory the trial added to this process and its children, \
             sampled from /proc every half millisecond. A thread piece is 0.05 ms of CPU; a \
             process piece is the pool's `spin` task. `pick_workers` reads {} threads and {} \
             worker processes off these rows (no memory budget).",
            pick_workers(&thread_trials, u64::MAX),
            pick_workers(&process_trials, u64::MAX)
        ),
    ))
}
