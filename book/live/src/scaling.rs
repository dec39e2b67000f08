//! Speedup against the number of workers: one measurement, drawn on the
//! Threads page (scoped threads, rayon), the GIL page (the same, and threads
//! under the GIL analogue) and, once it exists, the Processes page (the
//! process pool).
//!
//! A fixed amount of CPU work is split into `n` equal pieces for `n`
//! workers; each approach's speedup is its own one-worker baseline (the
//! whole work on one thread, without threads) divided by its time with `n`
//! workers. Adding a series is adding a [`Run`] to [`measure`] and a line
//! to [`plot`].

use std::time::Duration;

use anyhow::Result;
use harness::clock::{Sample, ratio};
use harness::rounds::{Plan, interleave};

/// Rounds planned. Three take about 7 s on two idle cores; [`BUDGET`] keeps
/// a busy machine from stretching the book's build much beyond that.
const ROUNDS: usize = 3;
/// Time after which no new round starts.
const BUDGET: Duration = Duration::from_secs(8);
use harness::workload::{spin, units_for};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use suites::gil::GilApi;
use suites::gil::workload::{in_threads, interpret, steps_for};

use crate::plot::{LinePlot, Marker, Series, Stroke};
use crate::store::{Measured, measured};

mod subject {
    suites::gil_api!(gil_solution);
}
use subject::Subject;

/// The whole CPU work, split among the workers.
pub const TOTAL: Duration = Duration::from_millis(200);

/// One approach's runs: `alone` does the whole work on the calling thread,
/// `by_workers[i]` splits it among `workers[i]` workers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Run {
    /// Legend text.
    pub name: String,
    /// The fastest run of the whole work on one thread, no workers.
    pub alone: Sample,
    /// The fastest run with each worker count.
    pub by_workers: Vec<Sample>,
}

impl Run {
    /// Speedups, one per worker count.
    pub fn speedups(&self) -> Vec<f64> {
        self.by_workers
            .iter()
            .map(|s| ratio(self.alone.wall, s.wall))
            .collect()
    }
}

/// The measurement.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Scaling {
    /// Worker counts, ascending.
    pub workers: Vec<usize>,
    /// Cores available to the build.
    pub cores: usize,
    /// Interleaved rounds completed.
    pub rounds: usize,
    /// Scoped threads (`scoped`), rayon (`rayon`), the GIL analogue (`gil`).
    pub scoped: Run,
    /// rayon's `par_iter` in a pool of `n` threads.
    pub rayon: Run,
    /// Threads interpreting under the reference GIL.
    pub gil: Run,
    /// The reference process pool of `n` worker processes (started before
    /// timing), one task per worker; its baseline runs the same task
    /// function in this process.
    #[serde(default)]
    pub pool: Option<Run>,
}

/// The measurement of this build, taken by the Threads page's table.
pub fn get() -> Result<Measured<Scaling>> {
    measured("scaling", measure)
}

/// The same measurement, for the pictures that show it.
pub fn shared() -> Result<Measured<Scaling>> {
    crate::store::shared("scaling", measure)
}

fn measure() -> Result<Scaling> {
    let cores = harness::available_cores();
    let workers: Vec<usize> = (1..=cores.clamp(4, 8)).collect();
    let units = units_for(TOTAL);
    let steps = steps_for(TOTAL);
    let gil = Subject::new(gil_solution::DEFAULT_SWITCH_INTERVAL);
    let pools: Vec<rayon::ThreadPool> = workers
        .iter()
        .map(|&n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .expect("a rayon pool")
        })
        .collect();

    let program = crate::processes::this_program()?;
    let process_pools: Vec<std::cell::RefCell<pool_solution::Pool>> = workers
        .iter()
        .map(|&n| pool_solution::Pool::start(&program, n).map(std::cell::RefCell::new))
        .collect::<Result<_, _>>()?;
    let mut contenders: Vec<Box<dyn FnMut() + '_>> = Vec::new();
    contenders.push(Box::new(|| {
        spin(units);
    }));
    for &n in &workers {
        contenders.push(Box::new(move || {
            harness::workload::spin_threads(n, units / n as u64);
        }));
    }
    for (i, &n) in workers.iter().enumerate() {
        let pool = &pools[i];
        contenders.push(Box::new(move || {
            pool.install(|| {
                (0..n)
                    .into_par_iter()
                    .map(|_| spin(units / n as u64))
                    .reduce(|| 0, u64::wrapping_add)
            });
        }));
    }
    let gil = &gil;
    contenders.push(Box::new(move || {
        interpret(gil, steps, None);
    }));
    for &n in &workers {
        contenders.push(Box::new(move || {
            in_threads(n, |_| interpret(gil, steps / n as u64, None));
        }));
    }
    // The process pool: this binary started again as its workers.
    let pool_units = harness::workload::calibrate(TOTAL, |n| {
        std::hint::black_box(pool_solution::tasks::spin(n));
    });
    contenders.push(Box::new(move || {
        std::hint::black_box(pool_solution::tasks::spin(pool_units));
    }));
    for (i, &n) in workers.iter().enumerate() {
        let pool = &process_pools[i];
        let inputs = vec![pool_units / n as u64; n];
        contenders.push(Box::new(move || {
            for r in pool.borrow_mut().map_chunked("spin", &inputs, 1) {
                r.expect("spin does not fail");
            }
        }));
    }
    let mut refs: Vec<&mut dyn FnMut()> = contenders.iter_mut().map(|c| &mut **c as _).collect();
    let plan = Plan {
        max_rounds: ROUNDS,
        budget: BUDGET,
    };
    let bests = interleave(plan, &mut refs, |_| false);
    let b = &bests.best;
    let k = workers.len();
    let run = |name: &str, at: usize| Run {
        name: name.to_owned(),
        alone: b[at],
        by_workers: b[at + 1..at + 1 + k].to_vec(),
    };
    Ok(Scaling {
        cores,
        rounds: bests.rounds,
        scoped: run("scoped threads", 0),
        rayon: Run {
            name: "rayon par_iter".to_owned(),
            alone: b[0],
            by_workers: b[1 + k..1 + 2 * k].to_vec(),
        },
        gil: run("threads, GIL analogue", 1 + 2 * k),
        pool: Some(run("process pool", 2 + 3 * k)),
        workers,
    })
}

/// Which series a page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// Scoped threads and rayon.
    Threads,
    /// The same, and threads under the GIL analogue.
    Gil,
    /// Scoped threads, rayon and the process pool.
    Processes,
}

/// The speedup plot for `page`.
pub fn plot(m: &Measured<Scaling>, page: Page) -> String {
    let s = &m.data;
    let mut runs = vec![(&s.scoped, 0), (&s.rayon, 1)];
    if page == Page::Gil {
        runs.push((&s.gil, 2));
    }
    if let (Page::Processes, Some(pool)) = (page, &s.pool) {
        runs.push((pool, 3));
    }
    let xs: Vec<f64> = s.workers.iter().map(|&n| n as f64).collect();
    let mut series: Vec<Series> = runs
        .iter()
        .map(|(run, class)| Series {
            name: run.name.clone(),
            points: xs.iter().copied().zip(run.speedups()).collect(),
            stroke: Stroke::Measured,
            class: *class,
        })
        .collect();
    series.push(Series {
        name: "ideal: speedup = workers".to_owned(),
        points: xs.iter().map(|&x| (x, x)).collect(),
        stroke: Stroke::Model,
        class: 5,
    });
    let described: Vec<String> = runs
        .iter()
        .map(|(run, _)| {
            let values: Vec<String> = run.speedups().iter().map(|v| format!("{v:.2}")).collect();
            format!("{}: {}", run.name, values.join(", "))
        })
        .collect();
    let workers: Vec<String> = s.workers.iter().map(usize::to_string).collect();
    let alt = format!(
        "Speedup against the number of workers ({}), for {} ms of CPU work split into equal \
         pieces. {}. The ideal line is speedup equal to workers; the machine has {} cores, \
         marked by a vertical line.",
        workers.join(", "),
        TOTAL.as_millis(),
        described.join("; "),
        s.cores
    );
    LinePlot {
        id: format!(
            "speedup-{}",
            match page {
                Page::Threads => "threads",
                Page::Gil => "gil",
                Page::Processes => "processes",
            }
        ),
        title: format!(
            "Speedup against workers: {} ms of CPU work in equal pieces",
            TOTAL.as_millis()
        ),
        x_label: "workers (threads)".to_owned(),
        y_label: "speedup (one thread ÷ n workers)".to_owned(),
        x_ticks: xs.clone(),
        series,
        markers: vec![Marker {
            x: s.cores as f64,
            label: format!("{} cores", s.cores),
        }],
        alt,
        caption: format!(
            "Each point is the fastest of {}, the approaches taking turns{}. This plot is a \
             measurement of its own, not the table's. Past the core count no line can keep \
             rising: there are no more cores to run on.",
            crate::rounds(s.rounds),
            if s.rounds < ROUNDS {
                format!(
                    " ({ROUNDS} were planned; no round starts after {} s, so that a busy \
                     machine does not stretch the book's build)",
                    BUDGET.as_secs()
                )
            } else {
                String::new()
            }
        ),
    }
    .render()
}
