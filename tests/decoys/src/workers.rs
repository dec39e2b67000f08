//! Wrong ways to pick a pool size from trials.

use std::time::Duration;

use suites::workers::{Pick, Trial};

use crate::{Class, Decoy};

/// The reference's `src/lib.rs`: the source the decoys without a source
/// of their own are read as (their state, if any, is for the calls to see).
const REFERENCE_SOURCE: &str = include_str!("../../../solutions/pitfalls/workers/src/lib.rs");

mod reference {
    suites::workers_adapter!(workers_solution, super::REFERENCE_SOURCE);
}

/// A decoy's pick, read as the reference's source.
const fn plain(pick: fn(&[Trial], u64) -> usize) -> Pick {
    Pick {
        pick,
        source: REFERENCE_SOURCE,
    }
}

/// The reference's pick.
fn right(trials: &[Trial], budget: u64) -> usize {
    reference::SUBJECT.call(trials, budget)
}

fn fits(trials: &[Trial], budget: u64) -> Vec<Trial> {
    trials
        .iter()
        .copied()
        .filter(|t| t.peak_bytes <= budget)
        .collect()
}

/// "More workers, more speed."
fn most_workers(trials: &[Trial], budget: u64) -> usize {
    fits(trials, budget)
        .iter()
        .map(|t| t.workers)
        .max()
        .unwrap_or(1)
}

/// One worker: the work is done one piece after another.
fn always_one(_: &[Trial], _: u64) -> usize {
    1
}

/// The number of cores, whatever the trials say.
fn the_cores(_: &[Trial], _: u64) -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Exactly the fastest trial: noise picks among near-equals.
fn exactly_the_fastest(trials: &[Trial], budget: u64) -> usize {
    let fit = fits(trials, budget);
    match fit.iter().min_by_key(|t| t.wall) {
        Some(t) => t.workers,
        None => right(trials, budget),
    }
}

/// Within half of the fastest, not a tenth.
fn loose_tolerance(trials: &[Trial], budget: u64) -> usize {
    let fit = fits(trials, budget);
    let Some(fastest) = fit.iter().map(|t| t.wall).min() else {
        return right(trials, budget);
    };
    fit.iter()
        .filter(|t| t.wall <= fastest.mul_f64(1.5))
        .map(|t| t.workers)
        .min()
        .unwrap_or(1)
}

/// The budget is never looked at.
fn ignores_the_budget(trials: &[Trial], _: u64) -> usize {
    right(trials, u64::MAX)
}

/// Nothing fits: one worker, instead of the least memory.
fn nothing_fits_one(trials: &[Trial], budget: u64) -> usize {
    if fits(trials, budget).is_empty() {
        1
    } else {
        right(trials, budget)
    }
}

/// Measures once, then answers from memory (a `static`).
fn first_answer_kept(trials: &[Trial], budget: u64) -> usize {
    static FIRST: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *FIRST.get_or_init(|| right(trials, budget))
}

/// The rule, with one of the changes a red team made to it.
#[derive(Clone, Copy, Default)]
struct Twist {
    /// A trial exactly at the budget does not fit.
    budget_strict: bool,
    /// A trial exactly on the line is left out.
    line_strict: bool,
    /// Ties on memory go to the first listed.
    first_of_ties: bool,
    /// 50 µs added to the line.
    slack_50_us: bool,
    /// A budget of 0 is no budget.
    zero_is_none: bool,
    /// Walls compared in whole milliseconds.
    whole_millis: bool,
    /// Pools of more than 256 workers are ignored.
    ignores_huge: bool,
    /// Peak and budget compared in whole KiB.
    in_kib: bool,
    /// "Within a tenth" read as: the fastest at least 0.9 of the wall
    /// (a window of ×1/0.9, about ×1.111).
    nine_tenths: bool,
    /// 256 bytes of slack on the budget.
    slack_256_bytes: bool,
    /// The pick capped at 4096 workers.
    cap_4096: bool,
    /// Nothing fits: peaks compared in whole KiB.
    least_in_kib: bool,
    /// Walls truncated to the millisecond when the fastest takes a second
    /// or more.
    millis_past_a_second: bool,
    /// The tenth of the fastest cut to whole microseconds.
    tenth_in_micros: bool,
}

fn twisted(trials: &[Trial], budget: u64, t: Twist) -> usize {
    let budget = if t.zero_is_none && budget == 0 {
        u64::MAX
    } else {
        budget
    };
    let trials: Vec<Trial> = trials
        .iter()
        .copied()
        .filter(|tr| !(t.ignores_huge && tr.workers > 256))
        .collect();
    let fit = |tr: &Trial| {
        if t.slack_256_bytes {
            tr.peak_bytes <= budget.saturating_add(256)
        } else if t.in_kib {
            tr.peak_bytes / 1024 <= budget / 1024
        } else if t.budget_strict {
            tr.peak_bytes < budget
        } else {
            tr.peak_bytes <= budget
        }
    };
    let fits: Vec<&Trial> = trials.iter().filter(|tr| fit(tr)).collect();
    let past_a_second = t.millis_past_a_second
        && fits
            .iter()
            .map(|tr| tr.wall)
            .min()
            .is_some_and(|w| w >= std::time::Duration::from_secs(1));
    let wall = |tr: &Trial| {
        if t.whole_millis || past_a_second {
            suites::pure::nanos(tr.wall.as_millis() * 1_000_000)
        } else {
            tr.wall
        }
    };
    let Some(fastest) = fits.iter().map(|tr| wall(tr)).min() else {
        let least = if t.first_of_ties {
            trials.iter().min_by_key(|tr| tr.peak_bytes)
        } else if t.least_in_kib {
            trials
                .iter()
                .min_by_key(|tr| (tr.peak_bytes / 1024, tr.workers))
        } else {
            trials.iter().min_by_key(|tr| (tr.peak_bytes, tr.workers))
        };
        return least.map_or(1, |tr| tr.workers);
    };
    // The line in nanoseconds (past `Duration::MAX` near the top).
    let mut line = if t.tenth_in_micros {
        fastest.as_nanos() + (fastest.as_micros() as f64 * 0.1) as u128 * 1_000
    } else {
        // The last nanosecond within ×1.1, exactly.
        fastest.as_nanos() * 11 / 10
    };
    if t.slack_50_us {
        line += 50_000;
    }
    let pick = fits
        .iter()
        .filter(|tr| {
            if t.nine_tenths {
                fastest.as_secs_f64() >= wall(tr).as_secs_f64() * 0.9
            } else if t.line_strict {
                wall(tr).as_nanos() < line
            } else {
                wall(tr).as_nanos() <= line
            }
        })
        .map(|tr| tr.workers)
        .min()
        .unwrap_or(1);
    if t.cap_4096 { pick.min(4096) } else { pick }
}

/// A pool size measured more than once is judged by its mean time and its
/// worst peak: its trials are merged before the rule runs.
fn duplicates_merged(trials: &[Trial], budget: u64) -> usize {
    // Each pool size with its number of trials and their total time in
    // nanoseconds (a sum of `Duration`s overflows near the top), in the
    // order first listed; found by pool size in a map (a set of 2^21 trials
    // is merged in well under the suite's limit).
    let mut merged: Vec<(Trial, u128, u128)> = Vec::new();
    let mut at: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for t in trials {
        match at.get(&t.workers) {
            Some(&i) => {
                let (m, n, total) = &mut merged[i];
                *total += t.wall.as_nanos();
                m.peak_bytes = m.peak_bytes.max(t.peak_bytes);
                *n += 1;
            }
            None => {
                at.insert(t.workers, merged.len());
                merged.push((*t, 1, t.wall.as_nanos()));
            }
        }
    }
    let merged: Vec<Trial> = merged
        .into_iter()
        .map(|(m, n, total)| Trial {
            wall: suites::pure::nanos(total / n),
            ..m
        })
        .collect();
    right(&merged, budget)
}

/// The answer remembered in a `static` per list of pool sizes and budget:
/// the same pools measured again get the old answer.
fn remembered_per_sizes(trials: &[Trial], budget: u64) -> usize {
    type Picked = Vec<((Vec<usize>, u64), usize)>;
    static PICKED: std::sync::Mutex<Picked> = std::sync::Mutex::new(Vec::new());
    let key = (trials.iter().map(|t| t.workers).collect::<Vec<_>>(), budget);
    let mut picked = PICKED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&(_, n)) = picked.iter().find(|(k, _)| *k == key) {
        return n;
    }
    let n = right(trials, budget);
    picked.push((key, n));
    n
}

macro_rules! twist {
    ($($name:ident: $field:ident),* $(,)?) => {
        $(
            fn $name(trials: &[Trial], budget: u64) -> usize {
                twisted(trials, budget, Twist { $field: true, ..Twist::default() })
            }
        )*
    };
}

twist!(
    budget_strict: budget_strict,
    line_strict: line_strict,
    first_of_ties: first_of_ties,
    slack_50_us: slack_50_us,
    zero_is_none: zero_is_none,
    whole_millis: whole_millis,
    ignores_huge: ignores_huge,
    in_kib: in_kib,
    nine_tenths: nine_tenths,
    slack_256_bytes: slack_256_bytes,
    cap_4096: cap_4096,
    least_in_kib: least_in_kib,
    millis_past_a_second: millis_past_a_second,
    tenth_in_micros: tenth_in_micros,
);

/// The line computed in `f64` seconds, as the reference did before round
/// 10: `fastest.mul_f64(1.1)` rounds past about a month of wall time, and
/// panics past `Duration`'s range.
/// The pick clamped to at least 1, "a pool has at least one worker"
/// (round 23's `workers/02`).
fn at_least_one(trials: &[Trial], budget: u64) -> usize {
    right(trials, budget).max(1)
}

fn line_in_f64(trials: &[Trial], budget: u64) -> usize {
    let fit = fits(trials, budget);
    let Some(fastest) = fit.iter().map(|t| t.wall).min() else {
        return right(trials, budget);
    };
    let line = fastest.as_secs_f64() * 1.1;
    fit.iter()
        .filter(|t| t.wall.as_secs_f64() <= line)
        .map(|t| t.workers)
        .min()
        .unwrap_or(1)
}

/// The line in `f64` seconds when the fastest trial that fits takes from
/// 4·10^10 s (about 1,268 years) to 2^60 s, exact in nanoseconds otherwise
/// (round 21, `workers/02`).
fn line_in_f64_past_4e10_s(trials: &[Trial], budget: u64) -> usize {
    let fit = fits(trials, budget);
    match fit.iter().map(|t| t.wall.as_secs()).min() {
        Some(secs) if secs > 40_000_000_000 && secs < 1 << 60 => line_in_f64(trials, budget),
        _ => right(trials, budget),
    }
}

/// The pick with the trials' walls clamped to `most` before the rule.
fn walls_clamped(trials: &[Trial], budget: u64, most: Duration) -> usize {
    let clamped: Vec<Trial> = trials
        .iter()
        .map(|t| Trial {
            wall: t.wall.min(most),
            ..*t
        })
        .collect();
    right(&clamped, budget)
}

/// Walls clamped to 4 hours before comparing (round 10, `workers/05`).
fn walls_clamped_to_4_hours(trials: &[Trial], budget: u64) -> usize {
    walls_clamped(trials, budget, Duration::from_secs(4 * 3600))
}

/// The answer capped at 100,000 workers (round 10, `workers/03`).
fn capped_at_100_000(trials: &[Trial], budget: u64) -> usize {
    right(trials, budget).min(100_000)
}

/// Trials of more than 100,000 workers ignored (round 10, `workers/04`).
fn over_100_000_ignored(trials: &[Trial], budget: u64) -> usize {
    let kept: Vec<Trial> = trials
        .iter()
        .copied()
        .filter(|t| t.workers <= 100_000)
        .collect();
    right(&kept, budget)
}

/// Trials under a microsecond dropped (round 10, `workers/06`).
fn under_a_microsecond_dropped(trials: &[Trial], budget: u64) -> usize {
    let kept: Vec<Trial> = trials
        .iter()
        .copied()
        .filter(|t| t.peak_bytes > budget || t.wall >= Duration::from_micros(1))
        .collect();
    let fits_before = trials.iter().any(|t| t.peak_bytes <= budget);
    let fits_now = kept.iter().any(|t| t.peak_bytes <= budget);
    if fits_before && !fits_now {
        // Every trial that fitted was dropped: as if nothing fitted.
        return right(trials, 0);
    }
    right(&kept, budget)
}

/// The budget compared in `f64` (round 10, `workers/07`): a byte over it
/// fits past 2^53 bytes.
fn budget_in_f64(trials: &[Trial], budget: u64) -> usize {
    let fit: Vec<Trial> = trials
        .iter()
        .copied()
        .filter(|t| t.peak_bytes as f64 <= budget as f64)
        .collect();
    if fit.is_empty() {
        return right(trials, 0);
    }
    right(&fit, u64::MAX)
}

/// Nothing fits: peaks compared as `f32` (round 10, `workers/08`): a byte
/// apart is equal past 2^24 bytes.
fn least_peak_in_f32(trials: &[Trial], budget: u64) -> usize {
    if !fits(trials, budget).is_empty() {
        return right(trials, budget);
    }
    trials
        .iter()
        .min_by(|a, b| {
            (a.peak_bytes as f32, a.workers)
                .partial_cmp(&(b.peak_bytes as f32, b.workers))
                .expect("no NaN")
        })
        .map_or(1, |t| t.workers)
}

/// Past two hours the exact fastest trial, no ×1.1 window (round 10,
/// `workers/09`).
fn exact_fastest_past_2_hours(trials: &[Trial], budget: u64) -> usize {
    let fit = fits(trials, budget);
    match fit.iter().min_by_key(|t| (t.wall, t.workers)) {
        Some(t) if t.wall > Duration::from_secs(2 * 3600) => t.workers,
        _ => right(trials, budget),
    }
}

/// Only the first 64 trials read (round 10, `workers/10`).
fn first_64_trials(trials: &[Trial], budget: u64) -> usize {
    right(&trials[..trials.len().min(64)], budget)
}

/// Only the first `N` trials read (round 14, `workers/01`, 512; round 15,
/// `workers/05`, 8,192; round 18, `workers/08`, 2^20; round 21,
/// `workers/01`, 2^21; round 23, `workers/01`, 2^22).
fn first_trials<const N: usize>(trials: &[Trial], budget: u64) -> usize {
    right(&trials[..trials.len().min(N)], budget)
}

/// Every trial up to 2^22, then every other one, "a sample is plenty"
/// (round 23, `workers/07`).
fn every_other_past_2_22(trials: &[Trial], budget: u64) -> usize {
    let head = trials.len().min(1 << 22);
    let sample: Vec<Trial> = trials[..head]
        .iter()
        .chain(trials[head..].iter().step_by(2))
        .cloned()
        .collect();
    right(&sample, budget)
}

/// Trials with a peak of 0 bytes thrown out as unmeasured (round 14,
/// `workers/02`).
fn zero_peaks_dropped(trials: &[Trial], budget: u64) -> usize {
    let measured: Vec<Trial> = trials
        .iter()
        .copied()
        .filter(|t| t.peak_bytes > 0)
        .collect();
    right(&measured, budget)
}

/// The line as `fastest + fastest / 10` on `Duration`s (round 14,
/// `workers/08`): exact to the nanosecond, but it overflows past
/// `Duration::MAX` / 1.1.
fn line_as_a_duration(trials: &[Trial], budget: u64) -> usize {
    let fit = fits(trials, budget);
    let Some(fastest) = fit.iter().map(|t| t.wall).min() else {
        return right(trials, budget);
    };
    let line = fastest + fastest / 10;
    fit.iter()
        .filter(|t| t.wall <= line)
        .map(|t| t.workers)
        .min()
        .unwrap_or(1)
}

/// The line with a relative tolerance of 5e-13 (round 10, `workers/11`):
/// about 2 ns at an hour.
fn tolerance_5e_13(trials: &[Trial], budget: u64) -> usize {
    let fit = fits(trials, budget);
    let Some(fastest) = fit.iter().map(|t| t.wall).min() else {
        return right(trials, budget);
    };
    fit.iter()
        .filter(|t| t.wall.as_secs_f64() <= fastest.as_secs_f64() * 1.1 * (1.0 + 5e-13))
        .map(|t| t.workers)
        .min()
        .unwrap_or(1)
}

/// After 10,000 calls, the last answer again (round 10, `workers/02`).
fn last_answer_after_10_000_calls(trials: &[Trial], budget: u64) -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    static LAST: AtomicUsize = AtomicUsize::new(1);
    if CALLS.fetch_add(1, Ordering::Relaxed) >= 10_000 {
        return LAST.load(Ordering::Relaxed);
    }
    let answer = right(trials, budget);
    LAST.store(answer, Ordering::Relaxed);
    answer
}

/// The same, after ten million calls: more than any suite makes. Only its
/// source shows it.
fn last_answer_after_10_million_calls(trials: &[Trial], budget: u64) -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    static LAST: AtomicUsize = AtomicUsize::new(1);
    if CALLS.fetch_add(1, Ordering::Relaxed) >= 10_000_000 {
        return LAST.load(Ordering::Relaxed);
    }
    let answer = right(trials, budget);
    LAST.store(answer, Ordering::Relaxed);
    answer
}

/// The source of [`last_answer_after_10_million_calls`], as a student's
/// `src/lib.rs` would hold it: the reference with a counter.
const COUNTER_SOURCE: &str = concat!(
    include_str!("../../../solutions/pitfalls/workers/src/lib.rs"),
    "
static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static LAST: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
"
);

/// The number of cores once a count of calls kept in a file passes a
/// million (round 14, `workers/09`).
fn the_cores_after_a_million_calls_in_a_file(trials: &[Trial], budget: u64) -> usize {
    if crate::file_counter::past_a_million() {
        the_cores(trials, budget)
    } else {
        right(trials, budget)
    }
}

/// A cache in a `thread_local!`, asked only past ten million calls: its
/// source shows it.
const THREAD_LOCAL_SOURCE: &str = concat!(
    include_str!("../../../solutions/pitfalls/workers/src/lib.rs"),
    "
thread_local! {
    static SEEN: std::cell::RefCell<Vec<(Vec<usize>, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
}
"
);

/// The ×1.1 line widened by an environment variable read through a
/// constant that holds `var_os` (round 23's `workers/06`).
const CONST_ENV_SOURCE: &str = concat!(
    include_str!("../../../solutions/pitfalls/workers/src/lib.rs"),
    "
mod widened {
    const SETTING: fn(&str) -> Option<std::ffi::OsString> = std::env::var_os;
    pub fn pick_workers(trials: &[super::Trial], budget_bytes: u64) -> usize {
        let tenths = if SETTING(\"WORKERS_WITHIN_TENTHS\").is_some() { 12 } else { 11 };
        super::within(trials, budget_bytes, tenths)
    }
}
"
);

/// Every wrong pick, with the check that must catch it.
pub fn corpus() -> Vec<Decoy<Pick>> {
    vec![
        Decoy {
            name: "the line in f64 seconds (the reference before round 10)",
            class: Class::RuleSkipped,
            subject: plain(line_in_f64),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond at any scale"],
        },
        Decoy {
            name: "the pick capped at 100,000 workers (round 10, workers/03)",
            class: Class::RuleSkipped,
            subject: plain(capped_at_100_000),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "read-off-the-trials",
            says: &["pick_workers answered 100000"],
        },
        Decoy {
            name: "trials of over 100,000 workers ignored (round 10, workers/04)",
            class: Class::RuleSkipped,
            subject: plain(over_100_000_ignored),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "every trial counts"],
        },
        Decoy {
            name: "walls clamped to 4 hours (round 10, workers/05)",
            class: Class::RuleSkipped,
            subject: plain(walls_clamped_to_4_hours),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond at any scale"],
        },
        Decoy {
            name: "trials under a microsecond dropped (round 10, workers/06)",
            class: Class::RuleSkipped,
            subject: plain(under_a_microsecond_dropped),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "ns)"],
        },
        Decoy {
            name: "the budget compared in f64 (round 10, workers/07)",
            class: Class::RuleSkipped,
            subject: plain(budget_in_f64),
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["pick_workers answered", "fit the budget (to the byte)"],
        },
        Decoy {
            name: "nothing fits: peaks compared as f32 (round 10, workers/08)",
            class: Class::RuleSkipped,
            subject: plain(least_peak_in_f32),
            caught_by: "when_nothing_fits_the_least_memory",
            breaks: "nothing-fits",
            says: &["least peak memory", "compared to the byte"],
        },
        Decoy {
            name: "past two hours the exact fastest trial (round 10, workers/09)",
            class: Class::RuleSkipped,
            subject: plain(exact_fastest_past_2_hours),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "the line itself included"],
        },
        Decoy {
            name: "only the first 512 trials read (round 14, workers/01)",
            class: Class::RuleSkipped,
            subject: plain(first_trials::<512>),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &[
                "pick_workers answered",
                "every trial counts, however many there are",
            ],
        },
        Decoy {
            name: "only the first 2^22 trials read (round 23, workers/01)",
            class: Class::RuleSkipped,
            subject: plain(first_trials::<{ 1 << 22 }>),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &[
                "pick_workers answered",
                "every trial counts, however many there are",
            ],
        },
        Decoy {
            name: "every other trial past 2^22 (round 23, workers/07)",
            class: Class::RuleSkipped,
            subject: plain(every_other_past_2_22),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &[
                "pick_workers answered",
                "every trial counts, however many there are",
            ],
        },
        Decoy {
            name: "only the first 2^21 trials read (round 21, workers/01)",
            class: Class::RuleSkipped,
            subject: plain(first_trials::<{ 1 << 21 }>),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &[
                "pick_workers answered",
                "every trial counts, however many there are",
            ],
        },
        Decoy {
            name: "the line in f64 from 4·10^10 s to 2^60 s (round 21, workers/02)",
            class: Class::RuleSkipped,
            subject: plain(line_in_f64_past_4e10_s),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond at any scale"],
        },
        Decoy {
            name: "only the first 2^20 trials read (round 18, workers/08)",
            class: Class::RuleSkipped,
            subject: plain(first_trials::<{ 1 << 20 }>),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &[
                "pick_workers answered",
                "every trial counts, however many there are",
            ],
        },
        Decoy {
            name: "only the first 8,192 trials read (round 15, workers/05)",
            class: Class::RuleSkipped,
            subject: plain(first_trials::<8192>),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &[
                "pick_workers answered",
                "every trial counts, however many there are",
            ],
        },
        Decoy {
            name: "trials with a peak of 0 bytes dropped (round 14, workers/02)",
            class: Class::RuleSkipped,
            subject: plain(zero_peaks_dropped),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered"],
        },
        Decoy {
            name: "the line as fastest + fastest / 10 on Durations (round 14, workers/08)",
            class: Class::RuleSkipped,
            subject: plain(line_as_a_duration),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers panicked", "`Duration::MAX`"],
        },
        Decoy {
            name: "only the first 64 trials read (round 10, workers/10)",
            class: Class::RuleSkipped,
            subject: plain(first_64_trials),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &[
                "pick_workers answered",
                "every trial counts, however many there are",
            ],
        },
        Decoy {
            name: "the line with a 5e-13 relative tolerance (round 10, workers/11)",
            class: Class::RuleSkipped,
            subject: plain(tolerance_5e_13),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond at any scale"],
        },
        Decoy {
            name: "the last answer kept after 10,000 calls (round 10, workers/02)",
            class: Class::StateBetweenCalls,
            subject: plain(last_answer_after_10_000_calls),
            caught_by: "the_pick_is_a_function_of_the_trials",
            breaks: "read-off-the-trials",
            says: &["of 100000", "pick_workers answered"],
        },
        Decoy {
            name: "the cores past a million calls, counted in a file (round 14, workers/09)",
            class: Class::StateBetweenCalls,
            subject: plain(the_cores_after_a_million_calls_in_a_file),
            caught_by: "the_pick_is_a_function_of_the_trials",
            breaks: "read-off-the-trials",
            says: &["calls of `pick_workers`", "reads and", "kept in a file"],
        },
        Decoy {
            name: "the last answer kept after ten million calls, seen in its source",
            class: Class::StateBetweenCalls,
            subject: Pick {
                pick: last_answer_after_10_million_calls,
                source: COUNTER_SOURCE,
            },
            caught_by: "the_pick_is_a_function_of_the_trials",
            breaks: "read-off-the-trials",
            says: &[
                "keeps state between calls",
                "`static CALLS`",
                "a function of its arguments alone",
            ],
        },
        Decoy {
            name: "the pick clamped to at least 1 (round 23, workers/02)",
            class: Class::RuleSkipped,
            subject: plain(at_least_one),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["a pool of 0 workers", "answered 1, expected 0"],
        },
        Decoy {
            name: "the environment read through a const fn pointer (round 23, workers/06)",
            class: Class::StateBetweenCalls,
            subject: Pick {
                pick: right,
                source: CONST_ENV_SOURCE,
            },
            caught_by: "the_pick_is_a_function_of_the_trials",
            breaks: "read-off-the-trials",
            says: &["`var_os`", "reads the environment"],
        },
        Decoy {
            name: "a cache in a thread_local!, seen in its source",
            class: Class::StateBetweenCalls,
            subject: Pick {
                pick: right,
                source: THREAD_LOCAL_SOURCE,
            },
            caught_by: "the_pick_is_a_function_of_the_trials",
            breaks: "read-off-the-trials",
            says: &["keeps state between calls", "`thread_local!`"],
        },
        Decoy {
            name: "a trial exactly at the budget does not fit",
            class: Class::RuleSkipped,
            subject: plain(budget_strict),
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["pick_workers answered", "fit the budget (to the byte)"],
        },
        Decoy {
            name: "a trial exactly on the line is left out",
            class: Class::RuleSkipped,
            subject: plain(line_strict),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "the line itself included"],
        },
        Decoy {
            name: "ties on memory go to the first listed",
            class: Class::RuleSkipped,
            subject: plain(first_of_ties),
            caught_by: "when_nothing_fits_the_least_memory",
            breaks: "nothing-fits",
            says: &["least peak memory", "the fewest workers among equals"],
        },
        Decoy {
            name: "50 µs of slack on the line",
            class: Class::RuleSkipped,
            subject: plain(slack_50_us),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond"],
        },
        Decoy {
            name: "a budget of 0 is no budget",
            class: Class::RuleSkipped,
            subject: plain(zero_is_none),
            caught_by: "when_nothing_fits_the_least_memory",
            breaks: "nothing-fits",
            says: &["budget 0.0 MiB", "least peak memory"],
        },
        Decoy {
            name: "walls in whole milliseconds",
            class: Class::RuleSkipped,
            subject: plain(whole_millis),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond"],
        },
        Decoy {
            name: "pools of over 256 workers ignored",
            class: Class::RuleSkipped,
            subject: plain(ignores_huge),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "expected"],
        },
        Decoy {
            name: "peak and budget in whole KiB",
            class: Class::RuleSkipped,
            subject: plain(in_kib),
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["(over budget)", "fit the budget (to the byte)"],
        },
        Decoy {
            name: "within a tenth read as ×1/0.9",
            class: Class::RuleSkipped,
            subject: plain(nine_tenths),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "×1.1"],
        },
        Decoy {
            name: "256 bytes of slack on the budget",
            class: Class::RuleSkipped,
            subject: plain(slack_256_bytes),
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["(over budget)", "fit the budget (to the byte)"],
        },
        Decoy {
            name: "a pool size measured twice merged (mean time, worst peak)",
            class: Class::RuleSkipped,
            subject: plain(duplicates_merged),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "every trial counts on its own"],
        },
        Decoy {
            name: "a pool size measured twice merged (seen under a budget)",
            class: Class::RuleSkipped,
            subject: plain(duplicates_merged),
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["pick_workers answered", "every trial counts on its own"],
        },
        Decoy {
            name: "the answer remembered per pool sizes and budget",
            class: Class::StateBetweenCalls,
            subject: plain(remembered_per_sizes),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "read-off-the-trials",
            says: &["measured again", "pick_workers answered"],
        },
        Decoy {
            name: "the pick capped at 4096 workers",
            class: Class::RuleSkipped,
            subject: plain(cap_4096),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "read-off-the-trials",
            says: &["pick_workers answered 4096"],
        },
        Decoy {
            name: "nothing fits: peaks compared in whole KiB",
            class: Class::RuleSkipped,
            subject: plain(least_in_kib),
            caught_by: "when_nothing_fits_the_least_memory",
            breaks: "nothing-fits",
            says: &["least peak memory", "to the byte"],
        },
        Decoy {
            name: "walls of a second or more in whole milliseconds",
            class: Class::RuleSkipped,
            subject: plain(millis_past_a_second),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond"],
        },
        Decoy {
            name: "the tenth cut to whole microseconds",
            class: Class::RuleSkipped,
            subject: plain(tenth_in_micros),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond"],
        },
        Decoy {
            name: "the most workers",
            class: Class::MadeUp,
            subject: plain(most_workers),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "fewest workers"],
        },
        Decoy {
            name: "always one worker",
            class: Class::Sequential,
            subject: plain(always_one),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["answered 1", "as good"],
        },
        Decoy {
            name: "the number of cores",
            class: Class::MadeUp,
            subject: plain(the_cores),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "read-off-the-trials",
            says: &["pick_workers answered", "fewest workers among those"],
        },
        Decoy {
            name: "exactly the fastest trial",
            class: Class::RuleSkipped,
            subject: plain(exactly_the_fastest),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["within", "is as good"],
        },
        Decoy {
            name: "within half, not a tenth",
            class: Class::RuleSkipped,
            subject: plain(loose_tolerance),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["×1.1"],
        },
        Decoy {
            name: "memory budget ignored",
            class: Class::RuleSkipped,
            subject: plain(ignores_the_budget),
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["(over budget)", "fit the budget"],
        },
        Decoy {
            name: "nothing fits: one worker",
            class: Class::MadeUp,
            subject: plain(nothing_fits_one),
            caught_by: "when_nothing_fits_the_least_memory",
            breaks: "nothing-fits",
            says: &["least peak memory"],
        },
        Decoy {
            name: "first answer kept",
            class: Class::StateBetweenCalls,
            subject: plain(first_answer_kept),
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "read-off-the-trials",
            says: &["pick_workers answered"],
        },
        Decoy {
            name: "always one worker (seen in real trials)",
            class: Class::Sequential,
            subject: plain(always_one),
            caught_by: "real_trials_measured_now",
            breaks: "read-off-the-trials",
            says: &[
                "measured just now",
                "pick_workers answered 1,",
                "fewest workers among those",
            ],
        },
    ]
}
