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

/// Every wrong pick, with the check that must catch it.
pub fn corpus() -> Vec<Decoy<Pick>> {
    vec![
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
            says: &["(×1.1)"],
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
