//! Interleaved rounds: the engine under every comparison.
//!
//! Contenders run one after another inside a round, in an order that rotates
//! from round to round, so a burst of load from a neighbour lands on all of
//! them alike. For each contender the fastest run counts: noise only ever
//! makes a run slower, so the minimum is the best estimate of what the code
//! itself costs.

use std::time::{Duration, Instant};

use crate::clock::{Sample, measure};

/// How long and how often to compare.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Upper bound on the number of rounds.
    pub max_rounds: usize,
    /// No new round starts if it would likely end after this much time.
    pub budget: Duration,
}

impl Default for Plan {
    /// Seven rounds within three seconds: enough for a stable minimum on a
    /// busy two-core machine, short enough to keep a suite fast.
    fn default() -> Self {
        Self {
            max_rounds: 7,
            budget: Duration::from_secs(3),
        }
    }
}

/// The fastest run of each contender, the sum of all its runs, and how many
/// rounds ran.
#[derive(Clone, Debug)]
pub struct Bests {
    /// `best[i]` is the fastest (by wall time) run of contender `i`.
    pub best: Vec<Sample>,
    /// `total[i]` adds up the wall and CPU time of every run of contender
    /// `i`. Every contender runs once a round, so totals compare like for
    /// like; CPU burnt on every run (a thread that spins) shows in them even
    /// when the fastest run happened to get little of it.
    pub total: Vec<Sample>,
    /// Rounds completed.
    pub rounds: usize,
}

impl Bests {
    /// Folds a further comparison of the same contenders into this one.
    pub fn merge(&mut self, more: Bests) {
        for (best, new) in self.best.iter_mut().zip(&more.best) {
            if new.wall < best.wall {
                *best = *new;
            }
        }
        for (total, new) in self.total.iter_mut().zip(&more.total) {
            *total = total.plus(*new);
        }
        self.rounds += more.rounds;
    }
}

/// Runs the contenders in rotating order until `settled` says more rounds
/// cannot change the answer, `plan.max_rounds` is reached, or another round
/// would overrun `plan.budget`. At least one round always runs.
pub fn interleave(
    plan: Plan,
    contenders: &mut [&mut dyn FnMut()],
    mut settled: impl FnMut(&[Sample]) -> bool,
) -> Bests {
    let n = contenders.len();
    assert!(n > 0, "interleave needs at least one contender");
    let start = Instant::now();
    let mut best: Vec<Option<Sample>> = vec![None; n];
    let mut total = vec![Sample::ZERO; n];
    let mut longest_round = Duration::ZERO;
    let mut rounds = 0;
    while rounds < plan.max_rounds.max(1) {
        let round_start = Instant::now();
        for k in 0..n {
            let i = (rounds + k) % n;
            let ((), sample) = measure(&mut *contenders[i]);
            total[i] = total[i].plus(sample);
            if best[i].is_none_or(|b| sample.wall < b.wall) {
                best[i] = Some(sample);
            }
        }
        rounds += 1;
        longest_round = longest_round.max(round_start.elapsed());
        let current: Vec<Sample> = best.iter().map(|b| b.expect("ran")).collect();
        if settled(&current) || start.elapsed() + longest_round > plan.budget {
            break;
        }
    }
    Bests {
        best: best.into_iter().map(|b| b.expect("ran")).collect(),
        total,
        rounds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread::sleep;

    #[test]
    fn keeps_the_fastest_run_and_rotates_the_order() {
        let _alone = crate::exclusive();
        let mut order = Vec::new();
        let mut a_runs = 0u64;
        let bests = {
            let order = std::cell::RefCell::new(&mut order);
            let mut a = || {
                a_runs += 1;
                order.borrow_mut().push('a');
                // Slower on the first run than later ones.
                sleep(Duration::from_millis(if a_runs == 1 { 30 } else { 5 }));
            };
            let mut b = || order.borrow_mut().push('b');
            interleave(
                Plan {
                    max_rounds: 3,
                    budget: Duration::from_secs(5),
                },
                &mut [&mut a, &mut b],
                |_| false,
            )
        };
        assert_eq!(bests.rounds, 3);
        assert!(bests.best[0].wall < Duration::from_millis(25), "{bests:?}");
        assert_eq!(order, vec!['a', 'b', 'b', 'a', 'a', 'b']);
    }

    #[test]
    fn stops_when_settled_or_out_of_budget() {
        let _alone = crate::exclusive();
        let mut quick = || {};
        let settled = interleave(Plan::default(), &mut [&mut quick], |_| true);
        assert_eq!(settled.rounds, 1);

        let mut slow = || sleep(Duration::from_millis(60));
        let plan = Plan {
            max_rounds: 100,
            budget: Duration::from_millis(200),
        };
        let capped = interleave(plan, &mut [&mut slow], |_| false);
        assert!((2..=4).contains(&capped.rounds), "{capped:?}");
    }
}
