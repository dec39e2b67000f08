//! Wrong ways to pick a pool size from trials.

use suites::workers::{Pick, Trial};

use crate::{Class, Decoy};

mod reference {
    suites::workers_adapter!(workers_solution);
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
        None => (reference::SUBJECT)(trials, budget),
    }
}

/// Within half of the fastest, not a tenth.
fn loose_tolerance(trials: &[Trial], budget: u64) -> usize {
    let fit = fits(trials, budget);
    let Some(fastest) = fit.iter().map(|t| t.wall).min() else {
        return (reference::SUBJECT)(trials, budget);
    };
    fit.iter()
        .filter(|t| t.wall <= fastest.mul_f64(1.5))
        .map(|t| t.workers)
        .min()
        .unwrap_or(1)
}

/// The budget is never looked at.
fn ignores_the_budget(trials: &[Trial], _: u64) -> usize {
    (reference::SUBJECT)(trials, u64::MAX)
}

/// Nothing fits: one worker, instead of the least memory.
fn nothing_fits_one(trials: &[Trial], budget: u64) -> usize {
    if fits(trials, budget).is_empty() {
        1
    } else {
        (reference::SUBJECT)(trials, budget)
    }
}

/// Measures once, then answers from memory (a `static`).
fn first_answer_kept(trials: &[Trial], budget: u64) -> usize {
    static FIRST: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *FIRST.get_or_init(|| (reference::SUBJECT)(trials, budget))
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
            std::time::Duration::from_millis(tr.wall.as_millis() as u64)
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
    let mut line = if t.tenth_in_micros {
        fastest + std::time::Duration::from_micros((fastest.as_micros() as f64 * 0.1) as u64)
    } else {
        fastest.mul_f64(1.1)
    };
    if t.slack_50_us {
        line += std::time::Duration::from_micros(50);
    }
    let pick = fits
        .iter()
        .filter(|tr| {
            if t.nine_tenths {
                fastest.as_secs_f64() >= wall(tr).as_secs_f64() * 0.9
            } else if t.line_strict {
                wall(tr) < line
            } else {
                wall(tr) <= line
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
    let mut merged: Vec<(Trial, u32)> = Vec::new();
    for t in trials {
        match merged.iter_mut().find(|(m, _)| m.workers == t.workers) {
            Some((m, n)) => {
                m.wall += t.wall;
                m.peak_bytes = m.peak_bytes.max(t.peak_bytes);
                *n += 1;
            }
            None => merged.push((*t, 1)),
        }
    }
    let merged: Vec<Trial> = merged
        .into_iter()
        .map(|(m, n)| Trial {
            wall: m.wall / n,
            ..m
        })
        .collect();
    (reference::SUBJECT)(&merged, budget)
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
    let n = (reference::SUBJECT)(trials, budget);
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

/// Every wrong pick, with the check that must catch it.
pub fn corpus() -> Vec<Decoy<Pick>> {
    vec![
        Decoy {
            name: "a trial exactly at the budget does not fit",
            class: Class::RuleSkipped,
            subject: budget_strict,
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["pick_workers answered", "fit the budget (to the byte)"],
        },
        Decoy {
            name: "a trial exactly on the line is left out",
            class: Class::RuleSkipped,
            subject: line_strict,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["exactly ×1.1 the fastest", "answered 8, expected 2"],
        },
        Decoy {
            name: "ties on memory go to the first listed",
            class: Class::RuleSkipped,
            subject: first_of_ties,
            caught_by: "when_nothing_fits_the_least_memory",
            breaks: "nothing-fits",
            says: &["least peak memory", "the fewest workers among equals"],
        },
        Decoy {
            name: "50 µs of slack on the line",
            class: Class::RuleSkipped,
            subject: slack_50_us,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond"],
        },
        Decoy {
            name: "a budget of 0 is no budget",
            class: Class::RuleSkipped,
            subject: zero_is_none,
            caught_by: "when_nothing_fits_the_least_memory",
            breaks: "nothing-fits",
            says: &["budget 0.0 MiB", "least peak memory"],
        },
        Decoy {
            name: "walls in whole milliseconds",
            class: Class::RuleSkipped,
            subject: whole_millis,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond"],
        },
        Decoy {
            name: "pools of over 256 workers ignored",
            class: Class::RuleSkipped,
            subject: ignores_huge,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "expected"],
        },
        Decoy {
            name: "peak and budget in whole KiB",
            class: Class::RuleSkipped,
            subject: in_kib,
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["(over budget)", "fit the budget (to the byte)"],
        },
        Decoy {
            name: "within a tenth read as ×1/0.9",
            class: Class::RuleSkipped,
            subject: nine_tenths,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "×1.1"],
        },
        Decoy {
            name: "256 bytes of slack on the budget",
            class: Class::RuleSkipped,
            subject: slack_256_bytes,
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["(over budget)", "fit the budget (to the byte)"],
        },
        Decoy {
            name: "a pool size measured twice merged (mean time, worst peak)",
            class: Class::RuleSkipped,
            subject: duplicates_merged,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "every trial counts on its own"],
        },
        Decoy {
            name: "a pool size measured twice merged (seen under a budget)",
            class: Class::RuleSkipped,
            subject: duplicates_merged,
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["pick_workers answered", "every trial counts on its own"],
        },
        Decoy {
            name: "the answer remembered per pool sizes and budget",
            class: Class::StateBetweenCalls,
            subject: remembered_per_sizes,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "read-off-the-trials",
            says: &["measured again", "pick_workers answered"],
        },
        Decoy {
            name: "the pick capped at 4096 workers",
            class: Class::RuleSkipped,
            subject: cap_4096,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "read-off-the-trials",
            says: &["pick_workers answered 4096"],
        },
        Decoy {
            name: "nothing fits: peaks compared in whole KiB",
            class: Class::RuleSkipped,
            subject: least_in_kib,
            caught_by: "when_nothing_fits_the_least_memory",
            breaks: "nothing-fits",
            says: &["least peak memory", "to the byte"],
        },
        Decoy {
            name: "walls of a second or more in whole milliseconds",
            class: Class::RuleSkipped,
            subject: millis_past_a_second,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond"],
        },
        Decoy {
            name: "the tenth cut to whole microseconds",
            class: Class::RuleSkipped,
            subject: tenth_in_micros,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "to the nanosecond"],
        },
        Decoy {
            name: "the most workers",
            class: Class::MadeUp,
            subject: most_workers,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["pick_workers answered", "fewest workers"],
        },
        Decoy {
            name: "always one worker",
            class: Class::Sequential,
            subject: always_one,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["answered 1", "as good"],
        },
        Decoy {
            name: "the number of cores",
            class: Class::MadeUp,
            subject: the_cores,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "read-off-the-trials",
            says: &["pick_workers answered", "fewest workers among those"],
        },
        Decoy {
            name: "exactly the fastest trial",
            class: Class::RuleSkipped,
            subject: exactly_the_fastest,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["within", "is as good"],
        },
        Decoy {
            name: "within half, not a tenth",
            class: Class::RuleSkipped,
            subject: loose_tolerance,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "fewest-near-fastest",
            says: &["×1.1"],
        },
        Decoy {
            name: "memory budget ignored",
            class: Class::RuleSkipped,
            subject: ignores_the_budget,
            caught_by: "over_budget_trials_do_not_count",
            breaks: "within-budget",
            says: &["(over budget)", "fit the budget"],
        },
        Decoy {
            name: "nothing fits: one worker",
            class: Class::MadeUp,
            subject: nothing_fits_one,
            caught_by: "when_nothing_fits_the_least_memory",
            breaks: "nothing-fits",
            says: &["least peak memory"],
        },
        Decoy {
            name: "first answer kept",
            class: Class::StateBetweenCalls,
            subject: first_answer_kept,
            caught_by: "fewest_workers_near_the_fastest",
            breaks: "read-off-the-trials",
            says: &["pick_workers answered"],
        },
        Decoy {
            name: "always one worker (seen in real trials)",
            class: Class::Sequential,
            subject: always_one,
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
