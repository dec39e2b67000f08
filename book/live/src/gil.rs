//! Chapter 2 (The GIL): real CPython beside the analogue built in Rust.
//!
//! CPython's figures come from `python/gil_compare.py`, run with the
//! `python3` on the machine that builds the book; the analogue's from the
//! reference `Gil` and the suite's workloads. When `python3` is missing the
//! block says so and shows the analogue alone.

use std::time::{Duration, Instant};

use anyhow::Result;
use harness::clock::human;
use harness::rounds::{Plan, interleave};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use suites::gil::GilApi;
use suites::gil::workload::{
    extension, in_threads, interpret, one_after_another, sleep, steps_for,
};
use tabled::Tabled;

use crate::block;

mod subject {
    suites::gil_api!(gil_solution);
}
use subject::Subject;

const TASKS: usize = 4;

/// What the script says about the interpreter that ran it.
#[derive(Deserialize)]
struct Interpreter {
    version: String,
    switch_interval: f64,
    gil_enabled: bool,
    cores: usize,
}

impl Interpreter {
    fn describe(&self) -> String {
        format!(
            "CPython {} (switch interval {} s, GIL {}), {} cores",
            self.version,
            self.switch_interval,
            if self.gil_enabled {
                "enabled"
            } else {
                "disabled: a free-threaded build"
            },
            self.cores
        )
    }
}

#[derive(Deserialize)]
struct TutorialRun {
    threads_sleep_1s: f64,
    pool_sleep_1s: f64,
    pool_workers: usize,
    #[serde(flatten)]
    python: Interpreter,
}

#[derive(Deserialize)]
struct FidelityRun {
    cpu_sequential: f64,
    cpu_threads: f64,
    cpu_pool2: f64,
    wait_sequential: f64,
    wait_threads: f64,
    #[serde(flatten)]
    python: Interpreter,
}

/// Runs the CPython script in `mode`; `None` when there is no `python3`.
fn cpython<T: DeserializeOwned>(mode: &str) -> Result<Option<T>> {
    crate::python::run("gil_compare.py", mode)
}

/// The caption's sentence about CPython, or about its absence.
fn describe(python: Option<&Interpreter>) -> String {
    python.map_or(
        "python3 was not found on the machine that built this page, so only the analogue \
         was measured"
            .to_owned(),
        Interpreter::describe,
    )
}

fn secs(s: f64) -> String {
    human(Duration::from_secs_f64(s))
}

const NO_PYTHON: &str = "no python3 here";

#[derive(Tabled)]
struct TutorialRow {
    #[tabled(rename = "example")]
    example: &'static str,
    #[tabled(rename = "the tutorial says")]
    claim: &'static str,
    #[tabled(rename = "CPython, measured")]
    cpython: String,
    #[tabled(rename = "the analogue, measured")]
    analogue: String,
}

/// The tutorial's examples: four sleeps of one second, in threads and in a
/// default process pool.
pub fn tutorial() -> Result<String> {
    let run: Option<TutorialRun> = cpython("tutorial")?;
    let gil = Subject::new(gil_solution::DEFAULT_SWITCH_INTERVAL);
    let start = Instant::now();
    in_threads(TASKS, |_| sleep(&gil, Duration::from_secs(1)));
    let analogue = human(start.elapsed());
    let rows = [
        TutorialRow {
            example: "4 threads, each sleeps 1 s",
            claim: "“still takes about 4 seconds”",
            cpython: run
                .as_ref()
                .map_or(NO_PYTHON.into(), |r| secs(r.threads_sleep_1s)),
            analogue,
        },
        TutorialRow {
            example: "`Pool()` maps 4 sleeps of 1 s",
            claim: "“just over 1 second”",
            cpython: run.as_ref().map_or(NO_PYTHON.into(), |r| {
                format!(
                    "{} ({} worker processes)",
                    secs(r.pool_sleep_1s),
                    r.pool_workers
                )
            }),
            analogue: "—".into(),
        },
    ];
    let about = describe(run.as_ref().map(|r| &r.python));
    Ok(block(
        rows,
        format_args!("Each example run once while this page was built. {about}."),
    ))
}

#[derive(Tabled)]
struct FidelityRow {
    #[tabled(rename = "work")]
    work: &'static str,
    #[tabled(rename = "CPython: threads ÷ one after another")]
    cpython: String,
    #[tabled(rename = "the analogue: threads ÷ one after another")]
    analogue: String,
}

/// Threads against one thread for CPU work and for waiting, in CPython and
/// in the analogue: how faithful the analogue is.
pub fn fidelity() -> Result<String> {
    let run: Option<FidelityRun> = cpython("fidelity")?;
    let gil = Subject::new(gil_solution::DEFAULT_SWITCH_INTERVAL);
    let steps = steps_for(Duration::from_millis(100));
    let nap = Duration::from_millis(100);
    let mut contenders: [Box<dyn FnMut()>; 6] = [
        Box::new(|| one_after_another(TASKS, |_| interpret(&gil, steps, None))),
        Box::new(|| in_threads(TASKS, |_| interpret(&gil, steps, None))),
        Box::new(|| one_after_another(TASKS, |_| sleep(&gil, nap))),
        Box::new(|| in_threads(TASKS, |_| sleep(&gil, nap))),
        Box::new(|| one_after_another(TASKS, |_| extension(&gil, steps))),
        Box::new(|| in_threads(TASKS, |_| extension(&gil, steps))),
    ];
    let mut refs: Vec<&mut dyn FnMut()> = contenders.iter_mut().map(|c| &mut **c as _).collect();
    let plan = Plan {
        max_rounds: 3,
        budget: Duration::from_secs(20),
    };
    let bests = interleave(plan, &mut refs, |_| false);
    let best = &bests.best;
    let analogue = |threads: usize, seq: usize| {
        format!(
            "{:.2}",
            best[threads].wall.as_secs_f64() / best[seq].wall.as_secs_f64()
        )
    };
    let python = |f: fn(&FidelityRun) -> f64| {
        run.as_ref()
            .map_or(NO_PYTHON.into(), |r| format!("{:.2}", f(r)))
    };
    let rows = [
        FidelityRow {
            work: "CPU work: 4 pieces of about 100 ms",
            cpython: python(|r| r.cpu_threads / r.cpu_sequential),
            analogue: analogue(1, 0),
        },
        FidelityRow {
            work: "waiting: 4 sleeps of 100 ms",
            cpython: python(|r| r.wait_threads / r.wait_sequential),
            analogue: analogue(3, 2),
        },
        FidelityRow {
            work: "CPU work that releases the lock",
            cpython: "— (needs a C extension)".into(),
            analogue: analogue(5, 4),
        },
        FidelityRow {
            work: "CPU work in a pool of 2 processes",
            cpython: python(|r| r.cpu_pool2 / r.cpu_sequential),
            analogue: "— (next chapter)".into(),
        },
    ];
    let about = describe(run.as_ref().map(|r| &r.python));
    Ok(block(
        rows,
        format_args!(
            "Fastest run with 4 threads divided by the fastest run one after another, over {} \
             interleaved rounds (CPython: 3), measured while this page was built; about 1.00 \
             means no speedup, about 0.25 means four-way overlap. {about}.",
            bests.rounds
        ),
    ))
}
