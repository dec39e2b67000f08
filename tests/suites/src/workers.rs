//! Suite of `exercises/pitfalls/workers`: picking a pool size from
//! measurements.
//!
//! Most trials are drawn at random, with a random memory budget, over the
//! whole range the book allows: times from a microsecond to an hour, pools
//! of 1 to 100000 workers, a pool size sometimes measured twice, budgets on
//! a trial's peak or a byte either side of it. A drawn trial keeps only 2 ns
//! off the time line, where times divided one way or another may round
//! either side; the line itself, and a hair either side of it, are given
//! exactly. A fixed answer ("the number of cores", "always 4"), a lookup
//! table, a cap, a rounded time or memory, a slack, or an answer remembered
//! for the same pool sizes fails. One test measures real trials now: the same
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
                    "no trial fits the budget, so the one with the least peak memory ({}), \
                     compared to the byte, the fewest workers among equals",
                    memory(t.peak_bytes)
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
            "{} of {} trials fit the budget (to the byte); the fastest of them took {}, so every \
             one within {} (×{WITHIN}, the line itself included, to the nanosecond) is as good, \
             and {k} is the fewest workers among those (every trial counts on its own)",
            fits.len(),
            trials.len(),
            time(fastest),
            time(line)
        ),
    )
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// Memory in MiB, and to the byte when a tenth of a MiB would round it.
fn memory(bytes: u64) -> String {
    if (u128::from(bytes) * 10) % u128::from(MIB) == 0 {
        mib(bytes)
    } else {
        format!("{} ({bytes} B)", mib(bytes))
    }
}

/// A time as `human` shows it, and to the nanosecond when that rounds it.
fn time(d: Duration) -> String {
    let unit: u128 = if d >= Duration::from_secs(1) {
        10_000_000
    } else if d >= Duration::from_millis(1) {
        1_000_000
    } else {
        1_000
    };
    if d.as_nanos() % unit == 0 {
        human(d)
    } else {
        format!("{} ({} ns)", human(d), d.as_nanos())
    }
}

fn table(trials: &[Trial], budget: u64) -> String {
    let rows: Vec<String> = trials
        .iter()
        .map(|t| {
            format!(
                "{} workers: {}, {}{}",
                t.workers,
                time(t.wall),
                memory(t.peak_bytes),
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
        format!("budget {}", memory(budget))
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

/// [`judge`] for a given set, whose answer is known: the suite's own rule
/// must give `want` too (else the suite is at fault, not the student).
#[track_caller]
fn judge_given(pick: Pick, trials: &[Trial], budget: u64, want: usize, what: &str) {
    assert_eq!(
        expected(trials, budget).0,
        want,
        "the suite's given set \"{what}\" is wrong: a fault of the suite"
    );
    judge(pick, trials, budget, what);
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
const SEC: u64 = 1_000_000_000;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Pool sizes the drawn trials take theirs among, up to a hundred thousand.
const SIZES: [usize; 16] = [
    1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128, 1000, 2000, 5000, 10_000, 100_000,
];

/// A peak that grows with the workers: 8 to 64 KiB each, and up to 4 MiB.
fn peak_for(draw: &mut Draw, workers: usize) -> u64 {
    (workers as u64) * (draw.pick(8..=64) as u64) * 1024 + draw.pick(1..=4 << 20) as u64
}

/// 4 to 8 trials with distinct pool sizes (half the sets hold one of them a
/// second time, measured again), shuffled, with peaks that grow with the
/// workers. The fastest takes from a microsecond to an hour; the others up
/// to `spread` above it, a quarter of them in the band within 3% either
/// side of the ×1.1 line. None is within 2 ns of the line, where a line
/// rounded to the nanosecond, or times divided one way or another, may fall
/// either side; the given sets put the line itself exactly.
fn draw_trials(draw: &mut Draw, spread: f64) -> Vec<Trial> {
    loop {
        let n = draw.pick(4..=8);
        let mut sizes: Vec<usize> = SIZES.to_vec();
        let mut trials = Vec::new();
        for _ in 0..n {
            let workers = sizes.remove(draw.pick(0..=sizes.len() - 1));
            let peak_bytes = peak_for(draw, workers);
            trials.push(Trial {
                workers,
                wall: Duration::ZERO,
                peak_bytes,
            });
        }
        if draw.pick(0..=1) == 1 {
            let workers = trials[draw.pick(0..=n - 1)].workers;
            let peak_bytes = peak_for(draw, workers);
            trials.insert(
                draw.pick(0..=n),
                Trial {
                    workers,
                    wall: Duration::ZERO,
                    peak_bytes,
                },
            );
        }
        let fastest = 10f64.powf(3.0 + 9.556 * draw.pick(0..=1_000_000) as f64 / 1e6);
        let first = draw.pick(0..=trials.len() - 1);
        for (i, t) in trials.iter_mut().enumerate() {
            let u = draw.pick(0..=1_000_000) as f64 / 1e6;
            let factor = if i == first {
                1.0
            } else if draw.pick(0..=3) == 0 {
                WITHIN * (0.97 + 0.06 * u)
            } else {
                1.0 + spread * u
            };
            t.wall = Duration::from_nanos((fastest * factor) as u64);
        }
        let min = trials.iter().map(|t| t.wall).min().expect("n ≥ 4");
        let line = min.as_nanos() as f64 * WITHIN;
        if trials
            .iter()
            .all(|t| (t.wall.as_nanos() as f64 - line).abs() > 2.0)
        {
            return trials;
        }
    }
}

/// Whether a trial that fits `budget` lies within 2 ns of the time line of
/// the fastest trial that fits: drawn sets under a budget keep off it too.
fn near_the_line(trials: &[Trial], budget: u64) -> bool {
    let fits: Vec<&Trial> = trials.iter().filter(|t| t.peak_bytes <= budget).collect();
    let Some(fastest) = fits.iter().map(|t| t.wall).min() else {
        return false;
    };
    let line = fastest.as_nanos() as f64 * WITHIN;
    fits.iter()
        .any(|t| (t.wall.as_nanos() as f64 - line).abs() <= 2.0)
}

/// With no memory budget: the fewest workers whose time is within a tenth
/// of the fastest trial's. Not the most workers, not exactly the fastest
/// (noise decides which of near-equal trials is fastest), not a fixed
/// number or a cap, not an answer remembered for the same pool sizes.
pub fn fewest_workers_near_the_fastest(pick: Pick) {
    let mut draw = Draw::new();
    for _ in 0..60 {
        let spread = [0.15, 0.5, 2.0][draw.pick(0..=2)];
        let trials = draw_trials(&mut draw, spread);
        judge(pick, &trials, u64::MAX, "trials without a memory budget");
        // The same pool sizes measured again, their times in another order.
        let k = draw.pick(1..=trials.len() - 1);
        let again: Vec<Trial> = (0..trials.len())
            .map(|i| Trial {
                wall: trials[(i + k) % trials.len()].wall,
                ..trials[i]
            })
            .collect();
        judge(
            pick,
            &again,
            u64::MAX,
            "the same pool sizes measured again, their times now in another order (the pick \
             is read off these trials, not remembered)",
        );
    }
    // Each set its own pool sizes, but for the last two: the same sizes
    // asked again with other times.
    for (rows, want, what) in [
        (
            &[(8, SEC, MIB), (2, 1_100 * MS, MIB), (1, 1_500 * MS, MIB)][..],
            2,
            "a trial exactly ×1.1 the fastest (within means the line itself counts)",
        ),
        (
            &[
                (6, SEC, MIB),
                (3, 1_100 * MS + 1, MIB),
                (1, 1_500 * MS, MIB),
            ],
            6,
            "a trial a hair (1 ns) past ×1.1 the fastest, a second long (it does not count: no \
             rounding to the millisecond)",
        ),
        (
            &[(8, SEC, MIB), (2, 1_100 * MS - 1, MIB)],
            2,
            "a trial a hair (1 ns) within ×1.1 the fastest",
        ),
        (
            &[(12, 100 * MS, MIB), (4, 110 * MS + 1, MIB)],
            12,
            "a trial a hair (1 ns) past ×1.1 the fastest, a tenth of a second long",
        ),
        (
            &[(16, 100 * MS, MIB), (2, 110_500_000, MIB)],
            16,
            "a trial 10.5% slower than the fastest (within a tenth is ×1.1, not ×1/0.9)",
        ),
        (
            &[
                (16, 1_024 * SEC, MIB),
                (4, 1_126_400 * MS, MIB),
                (1, 2_000 * SEC, MIB),
            ],
            4,
            "trials of 17 minutes, one exactly ×1.1 the fastest (it counts)",
        ),
        (
            &[(32, 1_024 * SEC, MIB), (4, 1_126_400 * MS + 1, MIB)],
            32,
            "trials of 17 minutes, one a hair (1 ns) past ×1.1 the fastest",
        ),
        (
            &[
                (8, 400_000, MIB),
                (4, 430_000, MIB),
                (2, 470_000, MIB),
                (1, 900_000, MIB),
            ],
            4,
            "trials under a millisecond (compared as they are: no rounding, no slack added)",
        ),
        (
            &[(8, 15_000, MIB), (3, 16_400, MIB)],
            3,
            "trials of 15 µs, a window of 1.5 µs (to the nanosecond, not in whole microseconds)",
        ),
        (
            &[(6, 15_000, MIB), (2, 16_600, MIB)],
            6,
            "trials of 15 µs, one 1.6 µs slower (past the window)",
        ),
        (
            &[(8, 7_000, MIB), (1, 7_650, MIB)],
            1,
            "trials of 7 µs, a window of 0.7 µs (to the nanosecond, not in whole microseconds)",
        ),
        (
            &[
                (1, 10 * MS, MIB),
                (512, MS, 8 * MIB),
                (300, 1_050_000, 6 * MIB),
            ],
            300,
            "pools of hundreds of workers (every trial counts, whatever its size)",
        ),
        (
            &[(5_000, 100 * MS, 64 * MIB), (100, 900 * MS, 8 * MIB)],
            5_000,
            "a pool of 5000 workers (every trial counts, whatever its size: no cap)",
        ),
        (
            &[(100_000, SEC, GIB), (8, 5 * SEC, MIB), (1, 40 * SEC, MIB)],
            100_000,
            "a pool of 100000 workers (every trial counts, whatever its size: no cap)",
        ),
        (
            &[(2, 100 * MS, MIB), (2, 300 * MS, MIB), (4, 150 * MS, MIB)],
            2,
            "a pool size measured twice (each trial counts on its own, not merged or averaged)",
        ),
        (
            &[(1, 400 * MS, MIB), (2, 210 * MS, MIB), (4, 200 * MS, MIB)],
            2,
            "three pool sizes",
        ),
        (
            &[(1, 400 * MS, MIB), (2, 300 * MS, MIB), (4, 200 * MS, MIB)],
            4,
            "the same pool sizes measured again, the 2 workers now slower (the pick is read \
             off these trials, not remembered)",
        ),
    ] {
        judge_given(pick, &given(rows), u64::MAX, want, what);
    }
}

/// A trial over the memory budget does not count, however fast: the
/// fastest trial is drawn over it. Bytes are bytes: a byte over does not
/// fit, the budget itself does.
pub fn over_budget_trials_do_not_count(pick: Pick) {
    let mut draw = Draw::new();
    for _ in 0..60 {
        let trials = draw_trials(&mut draw, 1.0);
        let fastest = *trials.iter().min_by_key(|t| t.wall).expect("trials");
        let least = trials.iter().map(|t| t.peak_bytes).min().expect("trials");
        if fastest.peak_bytes <= least {
            continue; // the fastest is also the smallest: nothing to exclude
        }
        // From the least peak up to a byte under the fastest trial's: a
        // third of the time anywhere, else on a trial's peak or a byte
        // either side of it.
        let budget = if draw.pick(0..=2) == 0 {
            least + draw.pick(0..=(fastest.peak_bytes - least - 1) as usize) as u64
        } else {
            let t = trials[draw.pick(0..=trials.len() - 1)];
            (t.peak_bytes + draw.pick(0..=2) as u64)
                .saturating_sub(1)
                .clamp(least, fastest.peak_bytes - 1)
        };
        if near_the_line(&trials, budget) {
            continue;
        }
        judge(pick, &trials, budget, "trials with a memory budget");
    }
    for (rows, budget, want, what) in [
        (
            &[(8, 10 * MS, 20 * MIB), (2, 30 * MS, 5 * MIB)][..],
            20 * MIB,
            8,
            "a trial whose peak is exactly the budget (it fits)",
        ),
        (
            &[(8, 10 * MS, 20 * MIB - 1), (2, 30 * MS, 5 * MIB)],
            20 * MIB,
            8,
            "a trial a byte under the budget (it fits)",
        ),
        (
            &[(8, 10 * MS, 20 * MIB + 1), (2, 30 * MS, 5 * MIB)],
            20 * MIB,
            2,
            "a trial a byte over the budget (bytes are bytes: it does not fit)",
        ),
        (
            &[(8, 10 * MS, 10 * MIB + 500), (2, 30 * MS, 5 * MIB)],
            10 * MIB + 100,
            2,
            "a trial 400 bytes over the budget (bytes are bytes: it does not fit)",
        ),
        (
            &[(64, SEC, 64 * GIB + 1), (16, 1_500 * MS, 16 * GIB)],
            64 * GIB,
            16,
            "a trial a byte over a budget of 64 GiB (it does not fit)",
        ),
        (
            &[
                (2, 100 * MS, MIB),
                (2, 90 * MS, 50 * MIB),
                (4, 150 * MS, MIB),
            ],
            10 * MIB,
            2,
            "a pool size measured twice, one of its trials over the budget (the one that fits \
             counts on its own)",
        ),
    ] {
        judge_given(pick, &given(rows), budget, want, what);
    }
}

/// When no trial fits the budget, the one with the least peak memory (to
/// the byte; the fewest workers among equals); with no trials at all, one
/// worker.
pub fn when_nothing_fits_the_least_memory(pick: Pick) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let mut trials = draw_trials(&mut draw, 1.0);
        if draw.pick(0..=1) == 1 {
            // Peaks within a KiB of each other, some of them equal.
            let base = draw.pick(1 << 20..=64 << 20) as u64;
            for t in &mut trials {
                t.peak_bytes = base + 16 * draw.pick(0..=40) as u64;
            }
        }
        let least = trials.iter().map(|t| t.peak_bytes).min().expect("trials");
        let budget = match draw.pick(0..=2) {
            0 => 0,
            1 => least - 1,
            _ => draw.pick(0..=(least - 1) as usize) as u64,
        };
        judge(pick, &trials, budget, "trials that all exceed the budget");
    }
    for (rows, budget, want, what) in [
        (
            &[
                (8, 10 * MS, 40 * MIB),
                (6, 20 * MS, 3 * MIB),
                (3, 30 * MS, 3 * MIB),
            ][..],
            MIB,
            3,
            "two trials tie on the least memory (the fewest workers among equals)",
        ),
        (
            &[(8, 10 * MS, 40 * MIB), (2, 30 * MS, 5 * MIB)],
            0,
            2,
            "a budget of 0 bytes (nothing fits; it is not \"no budget\")",
        ),
        (
            &[(4, 10 * MS, 1_000_448), (2, 30 * MS, 1_000_960)],
            0,
            4,
            "two peaks in the same KiB, 512 bytes apart (the least memory, to the byte)",
        ),
        (
            &[(2, 10 * MS, 5 * MIB + 1), (6, 30 * MS, 5 * MIB)],
            MIB,
            6,
            "two peaks a byte apart (the least memory, to the byte)",
        ),
    ] {
        judge_given(pick, &given(rows), budget, want, what);
    }
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
