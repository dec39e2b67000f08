//! Suite of `exercises/pitfalls/workers`: picking a pool size from
//! measurements.
//!
//! Most trials are drawn at random, with a random memory budget, kept
//! clear of the rule's lines (a trial is never within 2% of the time line
//! or the budget), so a fixed answer ("the number of cores", "always 4")
//! or a lookup table fails. One test measures real trials now: the same
//! CPU work shared among 1, 2, 4 and 16 threads and among one thread per
//! item, timed and with its peak memory read from `/proc`; the pick must
//! follow the rule on those numbers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use harness::clock::human;

use crate::fetching::Draw;

/// One trial, as the suite hands it to the student.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trial {
    /// Workers.
    pub workers: usize,
    /// Wall time.
    pub wall: Duration,
    /// Peak added memory, bytes.
    pub peak_bytes: u64,
}

/// The student's `pick_workers`, seen through the suite's types.
pub type Pick = fn(&[Trial], u64) -> usize;

/// Defines `SUBJECT`: the crate's `pick_workers` as a [`Pick`].
#[macro_export]
macro_rules! workers_adapter {
    ($krate:ident) => {
        pub const SUBJECT: $crate::workers::Pick = |trials, budget| {
            let theirs: Vec<$krate::Trial> = trials
                .iter()
                .map(|t| $krate::Trial {
                    workers: t.workers,
                    wall: t.wall,
                    peak_bytes: t.peak_bytes,
                })
                .collect();
            $krate::pick_workers(&theirs, budget)
        };
    };
}

/// The rule the book states: near the fastest means within this factor.
const WITHIN: f64 = 1.1;

/// The rule, as the suite checks it, with the reason for the answer.
fn expected(trials: &[Trial], budget: u64) -> (usize, String) {
    let fits: Vec<&Trial> = trials.iter().filter(|t| t.peak_bytes <= budget).collect();
    let Some(fastest) = fits.iter().map(|t| t.wall).min() else {
        return match trials.iter().min_by_key(|t| (t.peak_bytes, t.workers)) {
            Some(t) => (
                t.workers,
                format!(
                    "no trial fits the budget, so the one with the least peak memory ({})",
                    mib(t.peak_bytes)
                ),
            ),
            None => (1, "no trials at all: one worker".to_owned()),
        };
    };
    let line = fastest.mul_f64(WITHIN);
    let k = fits
        .iter()
        .filter(|t| t.wall <= line)
        .map(|t| t.workers)
        .min()
        .unwrap_or(1);
    (
        k,
        format!(
            "{} of {} trials fit the budget; the fastest of them took {}, so every one within \
             {} (×{WITHIN}) is as good, and {k} is the fewest workers among those",
            fits.len(),
            trials.len(),
            human(fastest),
            human(line)
        ),
    )
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

fn table(trials: &[Trial], budget: u64) -> String {
    let rows: Vec<String> = trials
        .iter()
        .map(|t| {
            format!(
                "{} workers: {}, {}{}",
                t.workers,
                human(t.wall),
                mib(t.peak_bytes),
                if t.peak_bytes > budget {
                    " (over budget)"
                } else {
                    ""
                }
            )
        })
        .collect();
    let budget = if budget == u64::MAX {
        "no memory budget".to_owned()
    } else {
        format!("budget {}", mib(budget))
    };
    format!("[{}] with {budget}", rows.join("; "))
}

#[track_caller]
fn judge(pick: Pick, trials: &[Trial], budget: u64, what: &str) {
    let got = pick(trials, budget);
    let (want, why) = expected(trials, budget);
    assert!(
        got == want,
        "{what}: {}. pick_workers answered {got}, expected {want}: {why}.",
        table(trials, budget)
    );
}

/// Trials given exactly: `(workers, wall in ns, peak bytes)`. The rule's
/// own lines, and sizes and times the drawn trials do not reach.
fn given(rows: &[(usize, u64, u64)]) -> Vec<Trial> {
    rows.iter()
        .map(|&(workers, wall_ns, peak_bytes)| Trial {
            workers,
            wall: Duration::from_nanos(wall_ns),
            peak_bytes,
        })
        .collect()
}

const MS: u64 = 1_000_000;
const MIB: u64 = 1 << 20;

const SIZES: [usize; 13] = [1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128, 1000, 2000];

/// 4 to 8 trials with distinct pool sizes, shuffled, whose times spread
/// up to `spread` above the fastest and whose peaks grow with the workers,
/// none within 2% of the time line.
fn draw_trials(draw: &mut Draw, spread: f64) -> Vec<Trial> {
    loop {
        let n = draw.pick(4..=8);
        let mut sizes: Vec<usize> = SIZES.to_vec();
        let mut trials = Vec::new();
        for _ in 0..n {
            let workers = sizes.remove(draw.pick(0..=sizes.len() - 1));
            trials.push(Trial {
                workers,
                wall: Duration::ZERO,
                peak_bytes: (workers as u64) * (draw.pick(8..=64) as u64) * 1024
                    + draw.pick(1..=4 << 20) as u64,
            });
        }
        let fastest = draw.pick(20_000..=500_000) as f64;
        for t in &mut trials {
            let factor = 1.0 + spread * draw.pick(0..=1000) as f64 / 1000.0;
            t.wall = Duration::from_micros((fastest * factor) as u64);
        }
        let min = trials.iter().map(|t| t.wall).min().expect("n ≥ 4");
        let clear = trials.iter().all(|t| {
            let r = t.wall.as_secs_f64() / min.as_secs_f64();
            !(WITHIN - 0.02..=WITHIN + 0.02).contains(&r)
        });
        if clear {
            return trials;
        }
    }
}

/// With no memory budget: the fewest workers whose time is within a tenth
/// of the fastest trial's. Not the most workers, not exactly the fastest
/// (noise decides which of near-equal trials is fastest), not a fixed
/// number.
pub fn fewest_workers_near_the_fastest(pick: Pick) {
    let mut draw = Draw::new();
    for _ in 0..60 {
        let spread = [0.15, 0.5, 2.0][draw.pick(0..=2)];
        let trials = draw_trials(&mut draw, spread);
        judge(pick, &trials, u64::MAX, "trials without a memory budget");
    }
    for (trials, what) in [
        (
            given(&[
                (8, 1_000 * MS, MIB),
                (2, 1_100 * MS, MIB),
                (1, 1_500 * MS, MIB),
            ]),
            "a trial exactly ×1.1 the fastest (within means the line itself counts)",
        ),
        (
            given(&[
                (8, 400_000, MIB),
                (4, 430_000, MIB),
                (2, 470_000, MIB),
                (1, 900_000, MIB),
            ]),
            "trials under a millisecond (compared as they are: no rounding, no slack added)",
        ),
        (
            given(&[
                (1, 10 * MS, MIB),
                (512, MS, 8 * MIB),
                (300, 1_050_000, 6 * MIB),
            ]),
            "pools of hundreds of workers (every trial counts, whatever its size)",
        ),
    ] {
        judge(pick, &trials, u64::MAX, what);
    }
}

/// A trial over the memory budget does not count, however fast: the
/// fastest trial is drawn over it.
pub fn over_budget_trials_do_not_count(pick: Pick) {
    let mut draw = Draw::new();
    for _ in 0..60 {
        let trials = draw_trials(&mut draw, 1.0);
        let fastest = *trials.iter().min_by_key(|t| t.wall).expect("trials");
        let least = trials.iter().map(|t| t.peak_bytes).min().expect("trials");
        if fastest.peak_bytes <= least {
            continue; // the fastest is also the smallest: nothing to exclude
        }
        // Between the least peak and the fastest trial's, clear of both.
        let budget = least + (fastest.peak_bytes - least) / 2;
        if trials
            .iter()
            .any(|t| (t.peak_bytes as f64 / budget as f64 - 1.0).abs() < 0.02)
        {
            continue;
        }
        judge(pick, &trials, budget, "trials with a memory budget");
    }
    let trials = given(&[(8, 10 * MS, 20 * MIB), (2, 30 * MS, 5 * MIB)]);
    judge(
        pick,
        &trials,
        20 * MIB,
        "a trial whose peak is exactly the budget (it fits)",
    );
    let trials = given(&[(8, 10 * MS, 10 * MIB + 500), (2, 30 * MS, 5 * MIB)]);
    judge(
        pick,
        &trials,
        10 * MIB + 100,
        "a trial 400 bytes over the budget (bytes are bytes: it does not fit)",
    );
}

/// When no trial fits the budget, the one with the least peak memory; with
/// no trials at all, one worker.
pub fn when_nothing_fits_the_least_memory(pick: Pick) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let trials = draw_trials(&mut draw, 1.0);
        let least = trials.iter().map(|t| t.peak_bytes).min().expect("trials");
        let budget = least / 2;
        judge(pick, &trials, budget, "trials that all exceed the budget");
    }
    let trials = given(&[
        (8, 10 * MS, 40 * MIB),
        (6, 20 * MS, 3 * MIB),
        (3, 30 * MS, 3 * MIB),
    ]);
    judge(
        pick,
        &trials,
        MIB,
        "two trials tie on the least memory (the fewest workers among equals)",
    );
    let trials = given(&[(8, 10 * MS, 40 * MIB), (2, 30 * MS, 5 * MIB)]);
    judge(
        pick,
        &trials,
        0,
        "a budget of 0 bytes (nothing fits; it is not \"no budget\")",
    );
    let got = pick(&[], u64::MAX);
    assert_eq!(
        got, 1,
        "pick_workers with no trials answered {got}: with nothing measured, one worker"
    );
}

/// `items` pieces of `units` of CPU work shared among `workers` threads
/// that each take the next piece; `workers == items` is one thread per
/// item. Returns the trial.
fn measure_threads(workers: usize, items: usize, units: u64) -> Trial {
    let next = AtomicUsize::new(0);
    let began = Instant::now();
    let ((), peak) = harness::memory::peak_rise(|| {
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    while next.fetch_add(1, Ordering::Relaxed) < items {
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
}

/// Real trials, measured now: 1000 small pieces of CPU work on 1, 2, 4 and
/// 16 threads and on one thread per piece, with no budget and with the
/// median peak as the budget. The pick must follow the rule on these
/// numbers, which no table made beforehand can know.
pub fn real_trials_measured_now(pick: Pick) {
    const ITEMS: usize = 1000;
    let units = harness::workload::units_for(Duration::from_micros(100));
    let mut trials: Vec<Trial> = [1, 2, 4, 16, ITEMS]
        .into_iter()
        .map(|k| measure_threads(k, ITEMS, units))
        .collect();
    trials.reverse();
    judge(
        pick,
        &trials,
        u64::MAX,
        "1000 pieces of CPU work on 1 to 1000 threads, measured just now",
    );
    let mut peaks: Vec<u64> = trials.iter().map(|t| t.peak_bytes).collect();
    peaks.sort_unstable();
    judge(
        pick,
        &trials,
        peaks[peaks.len() / 2],
        "the same trials, with their median peak as the budget",
    );
}

crate::declare_suite!($ workers: Pick = workers_adapter! [
    fewest_workers_near_the_fastest,
    over_budget_trials_do_not_count,
    when_nothing_fits_the_least_memory,
    real_trials_measured_now,
]);
