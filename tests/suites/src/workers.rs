//! Suite of `exercises/pitfalls/workers`: picking a pool size from
//! measurements.
//!
//! Most trials are drawn at random, with a random memory budget, over the
//! whole range the types allow (see [`crate::pure`]): walls from a
//! nanosecond to `Duration::MAX`, pools of 1 to `usize::MAX` workers,
//! peaks (some 0) and budgets from a byte to `u64::MAX`, sets of up to
//! 100,000 trials (and one of over 2^22), a pool size sometimes measured
//! twice, budgets on a trial's peak or a byte
//! either side of it. The rule is computed exactly (integer nanoseconds and
//! bytes, in `u128`), so the drawn trials may sit on the ×1.1 line itself
//! and a nanosecond either side of it, at every scale; so do the given
//! sets. A fixed answer ("the number of cores", "always 4"), a lookup
//! table, a cap, a clamp, a rounded time or memory, a float that rounds at
//! large sizes, a slack, an answer remembered for the same pool sizes, or a
//! `static` in the crate fails. One test measures real trials now: the same
//! CPU work shared among 1, 2, 4 and 16 threads and among one thread per
//! item, timed and with its peak memory read from `/proc`; the pick must
//! follow the rule on those numbers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use harness::clock::human;

use crate::fetching::Draw;
use crate::pure::{log_u64, log_uniform, nanos};

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

/// The student's `pick_workers`, seen through the suite's types, and the
/// source of its crate (`src/lib.rs`, as it was built).
#[derive(Clone, Copy)]
pub struct Pick {
    /// The crate's `pick_workers`.
    pub pick: fn(&[Trial], u64) -> usize,
    /// The crate's `src/lib.rs`, read when the suite was built.
    pub source: &'static str,
}

impl Pick {
    /// Asks the crate's `pick_workers`.
    pub fn call(&self, trials: &[Trial], budget: u64) -> usize {
        (self.pick)(trials, budget)
    }
}

/// Defines `SUBJECT`: the crate's `pick_workers` as a [`Pick`], with the
/// crate's `src/lib.rs` (or the source given, for a crate elsewhere).
#[macro_export]
macro_rules! workers_adapter {
    ($krate:ident) => {
        $crate::workers_adapter!(
            $krate,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs"))
        );
    };
    ($krate:ident, $source:expr) => {
        pub const SUBJECT: $crate::workers::Pick = $crate::workers::Pick {
            pick: |trials, budget| {
                let theirs: Vec<$krate::Trial> = trials
                    .iter()
                    .map(|t| $krate::Trial {
                        workers: t.workers,
                        wall: t.wall,
                        peak_bytes: t.peak_bytes,
                    })
                    .collect();
                $krate::pick_workers(&theirs, budget)
            },
            source: $source,
        };
    };
}

/// The rule the book states: near the fastest means within 11 tenths of
/// it, compared exactly (`wall × 10 ≤ fastest × 11` in nanoseconds, in
/// `u128`: no float rounds the line, at any scale a `Duration` holds).
fn within(wall: Duration, fastest: Duration) -> bool {
    wall.as_nanos() * 10 <= fastest.as_nanos() * 11
}

/// The ×1.1 line of `fastest`, for messages: to the tenth of a nanosecond.
fn line_of(fastest: Duration) -> String {
    let tenths = fastest.as_nanos() * 11;
    if tenths / 10 > Duration::MAX.as_nanos() {
        return format!("{} ns, past any `Duration`", tenths / 10);
    }
    let whole = crate::pure::nanos(tenths / 10);
    match tenths % 10 {
        0 => time(whole),
        r => format!("{} ({}.{r} ns)", human(whole), tenths / 10),
    }
}

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
    let k = fits
        .iter()
        .filter(|t| within(t.wall, fastest))
        .map(|t| t.workers)
        .min()
        .unwrap_or(1);
    (
        k,
        format!(
            "{} of {} trials fit the budget (to the byte); the fastest of them took {}, so every \
             one within {} (×1.1, the line itself included, to the nanosecond at any scale) is \
             as good, and {k} is the fewest workers among those (every trial counts on its own)",
            fits.len(),
            trials.len(),
            time(fastest),
            line_of(fastest)
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

/// The trials in words: all of them in a set of up to a dozen; in a larger
/// one, those that decide (the pick, the answer, the fastest that fits, the
/// fastest of all, the least memory and the trial nearest over the budget),
/// with where they are listed.
fn table(trials: &[Trial], budget: u64, got: usize, want: usize) -> String {
    let row = |t: &Trial| {
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
    };
    let rows: Vec<String> = if trials.len() <= 12 {
        trials.iter().map(row).collect()
    } else {
        // The rows that decide, each once: the fastest that fits, the
        // fastest of all, the least memory, the trial nearest over the
        // budget (what a budget read with slack would let in), then the
        // answer's and the pick's rows, in the order they are listed.
        let fits = |t: &&Trial| t.peak_bytes <= budget;
        let deciding = [
            trials.iter().filter(fits).min_by_key(|t| t.wall),
            trials.iter().min_by_key(|t| t.wall),
            trials.iter().min_by_key(|t| (t.peak_bytes, t.workers)),
            trials
                .iter()
                .filter(|t| t.peak_bytes > budget)
                .min_by_key(|t| t.peak_bytes),
        ];
        let mut picked: Vec<usize> = deciding
            .iter()
            .flatten()
            .filter_map(|d| trials.iter().position(|t| std::ptr::eq(t, *d)))
            .collect();
        for (i, t) in trials.iter().enumerate() {
            if (t.workers == got || t.workers == want) && picked.len() < 8 {
                picked.push(i);
            }
        }
        picked.sort_unstable();
        picked.dedup();
        let shown: Vec<(usize, &Trial)> = picked.into_iter().map(|i| (i, &trials[i])).collect();
        let mut rows: Vec<String> = shown
            .iter()
            .map(|&(i, t)| format!("trial {} of {}: {}", i + 1, trials.len(), row(t)))
            .collect();
        rows.push(format!(
            "and {} more trials (every trial counts, however many there are)",
            trials.len() - shown.len()
        ));
        rows
    };
    let budget = if budget == u64::MAX {
        "no memory budget".to_owned()
    } else {
        format!("budget {}", memory(budget))
    };
    format!("[{}] with {budget}", rows.join("; "))
}

#[track_caller]
fn judge(pick: Pick, trials: &[Trial], budget: u64, what: &str) {
    let (want, why) = expected(trials, budget);
    let got = std::panic::catch_unwind(|| pick.call(trials, budget)).unwrap_or_else(|payload| {
        panic!(
            "{what}: {}. pick_workers panicked ({}) where it should answer {want}: {why}. \
             The rule holds for any wall and peak the types hold: a sum or product of \
             `Duration`s (`fastest + fastest / 10`) overflows near `Duration::MAX`, where \
             integer nanoseconds in a `u128` do not.",
            table(trials, budget, want, want),
            harness::record::panic_message(payload.as_ref())
        )
    });
    assert!(
        got == want,
        "{what}: {}. pick_workers answered {got}, expected {want}: {why}.",
        table(trials, budget, got, want)
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

/// A wall from a nanosecond to `top` nanoseconds (at most
/// `Duration::MAX`), log-uniform: as likely a microsecond as a thousand
/// years or 10^18 s (a rule that goes over to `f64` seconds for long walls
/// rounds the line there).
fn wall_ns_drawn(draw: &mut Draw, top: u128) -> u128 {
    log_uniform(draw, 1, top.min(Duration::MAX.as_nanos()))
}

/// A pool size from 1 to `usize::MAX`, log-uniform: as likely a handful as
/// millions or more (a cap, or trials past some size left out, fails).
fn workers_drawn(draw: &mut Draw) -> usize {
    log_uniform(draw, 1, usize::MAX as u128) as usize
}

/// A peak from a byte to `u64::MAX` bytes, log-uniform (peaks compared as
/// `f32` or `f64` round past 2^24 or 2^53 bytes).
fn peak_drawn(draw: &mut Draw) -> u64 {
    log_u64(draw, 1, u64::MAX)
}

/// Sets one in eight of `trials`' peaks to 0 bytes: a trial that added no
/// memory is a trial like any other (round 14's `workers/02` threw those
/// out), and with no budget it counts as any other does.
fn some_peaks_zero(draw: &mut Draw, trials: &mut [Trial]) {
    for t in trials {
        if draw.pick(0..=7) == 0 {
            t.peak_bytes = 0;
        }
    }
}

/// How many trials a set holds: most sets 4 to 8, a quarter of them 9 to
/// 100,000 (log-uniform: a rule that reads only the first so many fails,
/// 512 of them in round 14's `workers/01`, 8,192 in round 15's `/05`).
fn how_many(draw: &mut Draw) -> usize {
    if draw.pick(0..=3) == 0 {
        log_uniform(draw, 9, 100_000) as usize
    } else {
        draw.pick(4..=8)
    }
}

/// The last wall, in nanoseconds, within ×1.1 of `fastest` (on the line
/// when it falls on a whole nanosecond): one more is past it.
fn last_within(fastest: u128) -> u128 {
    fastest * 11 / 10
}

/// A set of trials ([`how_many`]; half the sets hold one pool size a
/// second time, measured again), shuffled, pool sizes and peaks drawn over
/// their whole range. The fastest takes from a nanosecond to
/// `Duration::MAX`, log-uniform; each other trial up to `spread_percent`
/// above it, or (a quarter of them) in the band within 3% either side of
/// the ×1.1 line, or (an eighth) the last nanosecond within the line or the
/// first past it, none longer than `Duration::MAX`.
fn draw_trials(draw: &mut Draw, spread_percent: u128) -> Vec<Trial> {
    let n = how_many(draw);
    let mut trials: Vec<Trial> = (0..n)
        .map(|_| Trial {
            workers: workers_drawn(draw),
            wall: Duration::ZERO,
            peak_bytes: peak_drawn(draw),
        })
        .collect();
    if draw.pick(0..=1) == 1 {
        let workers = trials[draw.pick(0..=n - 1)].workers;
        let peak_bytes = peak_drawn(draw);
        trials.insert(
            draw.pick(0..=n),
            Trial {
                workers,
                wall: Duration::ZERO,
                peak_bytes,
            },
        );
    }
    let max = Duration::MAX.as_nanos();
    let fastest = wall_ns_drawn(draw, max);
    let first = draw.pick(0..=trials.len() - 1);
    for (i, t) in trials.iter_mut().enumerate() {
        let ns = if i == first {
            fastest
        } else {
            match draw.pick(0..=7) {
                0 => (last_within(fastest) + draw.pick(0..=1) as u128).max(fastest),
                1 | 2 => fastest * (1067 + draw.pick(0..=66) as u128) / 1000,
                _ => {
                    fastest
                        + fastest * spread_percent * draw.pick(0..=1_000_000) as u128 / 100_000_000
                }
            }
        };
        t.wall = nanos(ns.clamp(fastest, max));
    }
    trials
}

/// A set on the ×1.1 line at the scale of `fastest` (in nanoseconds): the
/// fastest trial, the last nanosecond within the line (it counts) with
/// fewer workers, and the first nanosecond past it with fewer still (it
/// does not), shuffled, their pool sizes and peaks drawn. Returns the set
/// and the pick.
fn on_the_line(draw: &mut Draw, fastest: u128) -> (Vec<Trial>, usize) {
    let mut sizes = [
        workers_drawn(draw),
        workers_drawn(draw),
        workers_drawn(draw),
    ];
    sizes.sort_unstable();
    let [past, counts, most] = sizes;
    let mut trials = vec![
        Trial {
            workers: most,
            wall: nanos(fastest),
            peak_bytes: peak_drawn(draw),
        },
        Trial {
            workers: counts,
            wall: nanos(last_within(fastest)),
            peak_bytes: peak_drawn(draw),
        },
        Trial {
            workers: past,
            wall: nanos(last_within(fastest) + 1),
            peak_bytes: peak_drawn(draw),
        },
    ];
    let k = draw.pick(0..=2);
    trials.rotate_left(k);
    if draw.pick(0..=1) == 1 {
        trials.swap(0, 1);
    }
    (trials, counts)
}

/// With no memory budget: the fewest workers whose time is within a tenth
/// of the fastest trial's. Not the most workers, not exactly the fastest
/// (noise decides which of near-equal trials is fastest), not a fixed
/// number or a cap, not an answer remembered for the same pool sizes.
pub fn fewest_workers_near_the_fastest(pick: Pick) {
    let mut draw = Draw::new();
    // One set of 4,194,305 to 4,227,072 trials whose only fast one is the
    // last: a rule that reads only the first so many trials, however many,
    // and fewer than this, misses it (round 15's `workers/05` read 8,192,
    // round 18's `workers/08` 2^20, round 21's `workers/01` 2^21, round
    // 23's `workers/01` 2^22 and `/07` every other one past that). About
    // 300 MB at its peak (the set, the student's copy of it and a vector of
    // references), about a second in a debug build; first, while the heap
    // is fresh.
    {
        let n = draw.pick((1 << 22) + 1..=(1 << 22) + (1 << 15));
        let slow = 3 * SEC;
        let mut trials: Vec<Trial> = Vec::with_capacity(n + 3);
        trials.extend((0..n).map(|i| Trial {
            workers: 2 + i % 1_000,
            wall: Duration::from_nanos(slow + i as u64),
            peak_bytes: MIB,
        }));
        // The last three are the fast ones, so that every other trial
        // alone (round 23's `workers/07` sampled past 2^22) is wrong
        // either way: the fastest alone answers its own 3,000-odd workers;
        // the two around it alone have a fastest of 1.08 s, whose line
        // takes in the third at 1.15 s and its fewer workers. All three:
        // the 2,000-odd at 1.08 s.
        let fast = |workers: usize, wall_ms: u64| Trial {
            workers,
            wall: Duration::from_millis(wall_ms),
            peak_bytes: MIB,
        };
        let want = 2_000 + draw.pick(0..=999);
        trials.push(fast(want, 1_080));
        trials.push(fast(3_000 + draw.pick(0..=1_000), 1_000));
        trials.push(fast(1_001 + draw.pick(0..=998), 1_150));
        judge_given(
            pick,
            &trials,
            u64::MAX,
            want,
            "a set of over 2^22 trials whose only fast ones are the last three (every trial \
             counts, however many there are)",
        );
    }
    for _ in 0..60 {
        let spread = [15, 50, 200][draw.pick(0..=2)];
        let mut trials = draw_trials(&mut draw, spread);
        some_peaks_zero(&mut draw, &mut trials);
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
    // The line at every scale, to the nanosecond: 60 fastest times drawn
    // from a nanosecond to the last whose line a `Duration` holds, and that
    // last one.
    let top = Duration::MAX.as_nanos() / 11 * 10;
    for i in 0..=60 {
        let fastest = if i == 60 {
            top
        } else {
            wall_ns_drawn(&mut draw, top)
        };
        let (trials, want) = on_the_line(&mut draw, fastest);
        judge_given(
            pick,
            &trials,
            u64::MAX,
            want,
            "the last nanosecond within ×1.1 the fastest (it counts) and the first past it \
             (it does not), at this scale (the line holds to the nanosecond for any wall: no \
             rounding, no tolerance, no clamp)",
        );
    }
    // Past `Duration::MAX` / 1.1 the line lies beyond any `Duration`, so
    // every slower trial is within it: a line computed as a `Duration`
    // overflows there (round 14's `workers/08`, `fastest + fastest / 10`).
    let max = Duration::MAX.as_nanos();
    for _ in 0..20 {
        let fastest = top + 1 + crate::pure::below(&mut draw, max - top);
        let slower = fastest + crate::pure::below(&mut draw, max - fastest + 1);
        let (many, few) = (workers_drawn(&mut draw), workers_drawn(&mut draw));
        let (many, few) = (many.max(few), many.min(few));
        let mut trials = vec![
            Trial {
                workers: many,
                wall: nanos(fastest),
                peak_bytes: peak_drawn(&mut draw),
            },
            Trial {
                workers: few,
                wall: nanos(slower),
                peak_bytes: peak_drawn(&mut draw),
            },
        ];
        if draw.pick(0..=1) == 1 {
            trials.swap(0, 1);
        }
        judge_given(
            pick,
            &trials,
            u64::MAX,
            few,
            "a fastest trial past `Duration::MAX` / 1.1 and a slower one: ×1.1 the fastest is \
             past any `Duration`, so the slower one is within the line (a line computed as a \
             `Duration` overflows here)",
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
            &[
                (usize::MAX, SEC, u64::MAX),
                (8, 5 * SEC, MIB),
                (1, 40 * SEC, MIB),
            ],
            usize::MAX,
            "a pool of usize::MAX workers (every trial counts, whatever its size: no cap)",
        ),
        (
            &[(0, SEC, MIB), (8, 5 * SEC, MIB), (1, 40 * SEC, MIB)],
            0,
            "a pool of 0 workers (every pool size a usize holds counts, 0 too: no clamp)",
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
        let trials = draw_trials(&mut draw, 100);
        let fastest = *trials.iter().min_by_key(|t| t.wall).expect("trials");
        let least = trials.iter().map(|t| t.peak_bytes).min().expect("trials");
        if fastest.peak_bytes <= least {
            continue; // the fastest is also the smallest: nothing to exclude
        }
        // From the least peak up to a byte under the fastest trial's: a
        // third of the time anywhere, else on a trial's peak or a byte
        // either side of it.
        let budget = if draw.pick(0..=2) == 0 {
            log_u64(&mut draw, least, fastest.peak_bytes - 1)
        } else {
            let t = trials[draw.pick(0..=trials.len() - 1)];
            (t.peak_bytes + draw.pick(0..=2) as u64)
                .saturating_sub(1)
                .clamp(least, fastest.peak_bytes - 1)
        };
        judge(pick, &trials, budget, "trials with a memory budget");
    }
    // A byte at every scale: 40 peaks drawn from 2 bytes to `u64::MAX`,
    // the fastest trial's peak a byte over the budget (it does not count)
    // or exactly on it (it counts), against a slower trial that fits.
    for i in 0..40 {
        let peak = if i == 0 {
            u64::MAX
        } else {
            log_u64(&mut draw, 2, u64::MAX)
        };
        let fastest = wall_ns_drawn(&mut draw, Duration::MAX.as_nanos() / 3);
        let (fast, slow) = loop {
            let (a, b) = (workers_drawn(&mut draw), workers_drawn(&mut draw));
            if a != b {
                break (a, b);
            }
        };
        let mut trials = vec![
            Trial {
                workers: fast,
                wall: nanos(fastest),
                peak_bytes: peak,
            },
            Trial {
                workers: slow,
                wall: nanos(fastest * 3),
                peak_bytes: log_u64(&mut draw, 1, peak - 1),
            },
        ];
        if draw.pick(0..=1) == 1 {
            trials.reverse();
        }
        judge_given(
            pick,
            &trials,
            peak - 1,
            slow,
            "the fastest trial a byte over the budget, at this size (bytes are bytes at any \
             size: it does not fit)",
        );
        if peak < u64::MAX {
            judge_given(
                pick,
                &trials,
                peak,
                fast,
                "the same trials with the fastest trial's peak exactly the budget (it fits)",
            );
        }
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
        let mut trials = draw_trials(&mut draw, 100);
        if draw.pick(0..=1) == 1 {
            // Peaks within a KiB of each other, some of them equal or a
            // byte apart, at any size up to `u64::MAX`.
            let base = log_u64(&mut draw, 1, u64::MAX - 1024);
            for t in &mut trials {
                t.peak_bytes = base + [0, 1, 16 * draw.pick(0..=64) as u64][draw.pick(0..=2)];
            }
        }
        let least = trials.iter().map(|t| t.peak_bytes).min().expect("trials");
        let budget = match draw.pick(0..=2) {
            0 => 0,
            1 => least - 1,
            _ => log_u64(&mut draw, 1, least) - 1,
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
    // A byte at every size: 40 least peaks drawn from a byte to
    // `u64::MAX` − 1, a trial with fewer workers a byte above it.
    for i in 0..40 {
        let least = if i == 0 {
            u64::MAX - 1
        } else {
            log_u64(&mut draw, 1, u64::MAX - 1)
        };
        let mut sizes = [workers_drawn(&mut draw), workers_drawn(&mut draw)];
        sizes.sort_unstable();
        if sizes[0] == sizes[1] {
            continue;
        }
        let mut trials = vec![
            Trial {
                workers: sizes[1],
                wall: nanos(wall_ns_drawn(&mut draw, u128::MAX)),
                peak_bytes: least,
            },
            Trial {
                workers: sizes[0],
                wall: nanos(wall_ns_drawn(&mut draw, u128::MAX)),
                peak_bytes: least + 1,
            },
        ];
        if draw.pick(0..=1) == 1 {
            trials.reverse();
        }
        let budget = log_u64(&mut draw, 1, least) - 1;
        judge_given(
            pick,
            &trials,
            budget,
            sizes[1],
            "nothing fits, two peaks a byte apart at this size (the least memory, to the byte \
             at any size)",
        );
    }
    let got = pick.call(&[], u64::MAX);
    assert_eq!(
        got, 1,
        "pick_workers with no trials answered {got}: with nothing measured, one worker"
    );
}

/// Calls made by [`the_pick_is_a_function_of_the_trials`].
const CALLS: usize = 100_000;

/// The pick is a function of its arguments alone: 16 sets drawn over the
/// whole range are asked in turn, [`CALLS`] times in all, with a fresh set
/// drawn and judged every thousandth call; every answer must be the rule's.
/// A counter that waits longer than any number of calls is seen in the
/// source instead: the crate may hold no `static` (see [`crate::pure`]).
pub fn the_pick_is_a_function_of_the_trials(pick: Pick) {
    let mut draw = Draw::new();
    let sets: Vec<(Vec<Trial>, u64, usize)> = (0..16)
        .map(|_| {
            let mut trials = draw_trials(&mut draw, 50);
            trials.truncate(6);
            let budget = if draw.pick(0..=1) == 0 {
                u64::MAX
            } else {
                trials[draw.pick(0..=trials.len() - 1)].peak_bytes
            };
            let want = expected(&trials, budget).0;
            (trials, budget, want)
        })
        .collect();
    let check = "the pick is a function of the trials";
    crate::pure::refuse_io(check, "pick_workers", &format!("{CALLS} calls"), || {
        for call in 1..=CALLS {
            if call % 1000 == 0 {
                let trials = draw_trials(&mut draw, 50);
                judge(
                    pick,
                    &trials,
                    u64::MAX,
                    &format!("call {call} of {CALLS}, a set drawn afresh"),
                );
                continue;
            }
            let (trials, budget, want) = &sets[call % sets.len()];
            if pick.call(trials, *budget) != *want {
                judge(
                    pick,
                    trials,
                    *budget,
                    &format!(
                        "call {call} of {CALLS}: these trials were asked before and must give the \
                         same pick every time (a function of the trials and the budget alone)"
                    ),
                );
            }
        }
    });
    crate::pure::refuse_state(pick.source, "pick_workers");
    crate::pure::refuse_clock(check, pick.source, &["pick_workers"]);
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
    the_pick_is_a_function_of_the_trials,
    over_budget_trials_do_not_count,
    when_nothing_fits_the_least_memory,
    real_trials_measured_now,
]);
