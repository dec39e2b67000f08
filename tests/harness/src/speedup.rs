//! Speedup checks: did the candidate really run in parallel (CPU work) or
//! overlap its waiting (I/O work)?
//!
//! Each check measures a reference in the same run as the candidate,
//! interleaved, keeps the best of several rounds, and hands the samples to
//! the pure rules of [`crate::verdict`]; [`crate::explain`] words the result.
//! A check whose reference could not show the effect is measured again while
//! its time budget lasts before it answers "inconclusive", which never costs
//! a student marks and never looks like a pass either.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::{Sample, ratio};
use crate::cores::available_cores;
use crate::explain;
use crate::record;
use crate::rounds::{Bests, Plan, interleave};
pub use crate::verdict::{Judgement, Reason, Requirement, Verdict};
use crate::verdict::{OverlapRule, SerialRule, SpeedupRule};

/// Everything a check measured and concluded: a sentence for people
/// (`Display`), fields for machines (`Serialize`, recorded for the grader).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Outcome {
    /// Name of the check, unique within a suite.
    pub check: String,
    /// The answer.
    pub verdict: Verdict,
    /// Why, as data.
    pub reason: Reason,
    /// Cores available to this process during the check.
    pub cores: usize,
    /// Interleaved rounds that ran, over all attempts.
    pub rounds: usize,
    /// Times the comparison was started: more than one when the reference
    /// could not show the effect at first.
    pub attempts: usize,
    /// Fastest run of the candidate.
    pub candidate: Sample,
    /// Fastest run of the reference.
    pub reference: Sample,
    /// Fastest sequential run, for CPU checks.
    pub sequential: Option<Sample>,
    /// The candidate's figure in the requirement's terms: speedup over
    /// sequential (speedup), time over sequential (serial), or wall time over
    /// the ideal overlapped time (overlap; lower is better).
    pub score: f64,
    /// The same figure for the reference.
    pub reference_score: f64,
    /// What was asked, in numbers.
    pub requirement: Requirement,
    /// Waiting checks: the CPU the candidate burnt beyond the reference, in
    /// cores over its wall time, over all rounds.
    #[serde(default)]
    pub cpu_beyond_reference: Option<f64>,
    /// The 1-minute load average when the check was judged (Linux:
    /// `/proc/loadavg`): with the cores, how busy the machine was, so that
    /// a grade can tell a slow student from a slow machine.
    #[serde(default)]
    pub load_average: Option<f64>,
    /// The requirement in words, e.g. "speedup ≥ ×1.35".
    pub expectation: String,
    /// Why, in numbers.
    pub explanation: String,
}

/// Inconclusive outcomes asserted in this process so far.
static INCONCLUSIVE: AtomicUsize = AtomicUsize::new(0);

/// How many checks in this process ended inconclusive under
/// [`Outcome::assert_pass`]: a test that passed while this grew was not
/// judged, which a decoy runner must not take for a pass.
pub fn inconclusive_count() -> usize {
    INCONCLUSIVE.load(Ordering::SeqCst)
}

/// Says, past the test harness's capture, that check `check` could not be
/// judged on this machine and why, for checks that are not a timed
/// comparison (a witness that needs two cores, for example). Counted with
/// the inconclusive outcomes, so a decoy runner does not take it for a pass.
pub fn not_judged(check: &str, why: &str) {
    record::append(record::Event::NotJudged(record::NotJudged {
        why: format!("[{check}] {why}"),
    }));
    INCONCLUSIVE.fetch_add(1, Ordering::SeqCst);
    let _ = writeln!(
        std::io::stderr().lock(),
        "\nINCONCLUSIVE (not judged, not counted for or against you): [{check}] {why}\n"
    );
}

impl Outcome {
    /// Adds a sentence of evidence gathered outside the harness (for example
    /// the peak number of requests a server saw at once).
    pub fn with_note(mut self, note: impl AsRef<str>) -> Self {
        self.explanation.push(' ');
        self.explanation.push_str(note.as_ref());
        self
    }

    /// Records the outcome for the grader, then panics on a fail with the
    /// explanation. An inconclusive outcome does not fail the test, and is
    /// written straight to the terminal, past the test harness's capture, so
    /// that a green `cargo test` still shows that this check was not judged.
    #[track_caller]
    pub fn assert_pass(&self) {
        record::append(record::Event::Check(Box::new(self.clone())));
        match self.verdict {
            Verdict::Pass => eprintln!("{self}"),
            Verdict::Inconclusive => {
                INCONCLUSIVE.fetch_add(1, Ordering::SeqCst);
                // `eprintln!` is captured for a passing test; a direct write
                // to the stderr handle is not.
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "\nINCONCLUSIVE (not judged, not counted for or against you): {self}\n"
                );
            }
            Verdict::Fail => panic!("{self}"),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.check, self.explanation)
    }
}

/// Runs a comparison with `plan`, and once more while `retry` lasts if the
/// first answer was "the reference could not show it"; the bests of both
/// attempts are merged (the fastest run of each contender counts).
fn measure_until_judged(
    plan: Plan,
    retry: Plan,
    contenders: &mut [&mut dyn FnMut()],
    settled: &mut dyn FnMut(&[Sample]) -> bool,
    judge: &dyn Fn(&Bests) -> Judgement,
) -> (Bests, usize) {
    let mut bests = interleave(plan, contenders, &mut *settled);
    let mut attempts = 1;
    if judge(&bests).reason == Reason::ReferenceTooSlow && retry.max_rounds > 0 {
        bests.merge(interleave(retry, contenders, &mut *settled));
        attempts += 1;
    }
    (bests, attempts)
}

/// The second attempt of a check whose reference fell short: two seconds
/// more, at most.
const RETRY: Plan = Plan {
    max_rounds: 5,
    budget: Duration::from_secs(2),
};

/// Checks CPU-bound work split into `tasks` pieces against the same pieces
/// one after another: by default it must run faster ([`CpuCheck::new`]);
/// under a global lock it must not ([`CpuCheck::serialized`]).
#[derive(Clone, Debug)]
pub struct CpuCheck {
    name: String,
    rule: SpeedupRule,
    serial: bool,
    plan: Plan,
    retry: Plan,
    hint: String,
}

impl CpuCheck {
    /// A check for work made of `tasks` independent pieces of equal size.
    pub fn new(name: impl Into<String>, tasks: usize) -> Self {
        Self {
            name: name.into(),
            rule: SpeedupRule {
                cores: available_cores(),
                tasks: tasks.max(1),
            },
            serial: false,
            plan: Plan::default(),
            retry: RETRY,
            hint: String::new(),
        }
    }

    /// A check for work that a global lock should serialise: see
    /// [`SerialRule`].
    pub fn serialized(name: impl Into<String>, tasks: usize) -> Self {
        Self {
            serial: true,
            ..Self::new(name, tasks)
        }
    }

    /// What to tell a student whose code fails the check.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// Pretends the machine has `cores` cores: the judgement's own tests use
    /// it, and it lets a check demand less than the hardware offers.
    pub fn with_cores(mut self, cores: usize) -> Self {
        self.rule.cores = cores.max(1);
        self
    }

    /// Overrides the number of rounds and the time budget; `retry` is the
    /// second attempt's (zero rounds: none).
    pub fn with_plan(mut self, plan: Plan, retry: Plan) -> Self {
        self.plan = plan;
        self.retry = retry;
        self
    }

    fn judge(&self, seq: Sample, reference: Sample, candidate: Sample) -> Judgement {
        if self.serial {
            SerialRule::new(self.rule).judge(seq, reference, candidate)
        } else {
            self.rule.judge(seq, reference, candidate)
        }
    }

    /// Runs the three contenders interleaved and judges the candidate.
    ///
    /// `sequential` does the pieces one after another, `reference` is a
    /// known-parallel version, `candidate` is the code under test; all three
    /// do the same work.
    pub fn run(
        &self,
        sequential: &mut dyn FnMut(),
        reference: &mut dyn FnMut(),
        candidate: &mut dyn FnMut(),
    ) -> Outcome {
        let zero = Sample {
            wall: Duration::ZERO,
            cpu: Duration::ZERO,
        };
        let judge = |best: &[Sample]| self.judge(best[0], best[1], best[2]);
        let judge_bests = |bests: &Bests| judge(&bests.best);
        let ((seq, reference, candidate), rounds, attempts) = if self.rule.cannot_run().is_some() {
            ((zero, zero, zero), 0, 0)
        } else {
            let mut seen = 0;
            // The sequential minimum can still fall and lower both
            // ratios, so settle early only after a few rounds, and only
            // on a pass beside a reference that showed the effect.
            let mut settled = |best: &[Sample]| {
                seen += 1;
                seen >= 3
                    && ratio(best[0].wall, best[1].wall) >= self.rule.expected()
                    && judge(best).verdict == Verdict::Pass
            };
            let (bests, attempts) = measure_until_judged(
                self.plan,
                self.retry,
                &mut [sequential, reference, candidate],
                &mut settled,
                &judge_bests,
            );
            let [s, r, c] = bests.best[..] else {
                unreachable!("three contenders")
            };
            ((s, r, c), bests.rounds, attempts)
        };
        let judgement = self
            .judge(seq, reference, candidate)
            .distrusted_if(crate::deadline::abandoned_thread_running());
        let samples = (seq, reference, candidate);
        let (requirement, score, reference_score, explanation) = if self.serial {
            let rule = SerialRule::new(self.rule);
            (
                rule.requirement(),
                ratio(candidate.wall, seq.wall),
                ratio(reference.wall, seq.wall),
                explain::serial(
                    &rule,
                    judgement,
                    samples,
                    self.hint_or("a thread must not run while another holds the lock."),
                ),
            )
        } else {
            let reached = ratio(seq.wall, reference.wall);
            (
                Requirement::Speedup {
                    at_least: self.rule.required(reached),
                },
                ratio(seq.wall, candidate.wall),
                reached,
                explain::speedup(
                    &self.rule,
                    judgement,
                    samples,
                    self.hint_or(
                        "give each piece its own thread, start them all before joining any.",
                    ),
                ),
            )
        };
        Outcome {
            load_average: crate::clock::load_average(),
            check: self.name.clone(),
            verdict: judgement.verdict,
            reason: judgement.reason,
            cores: self.rule.cores,
            rounds,
            attempts,
            candidate,
            reference,
            sequential: (rounds > 0).then_some(seq),
            cpu_beyond_reference: None,
            score,
            reference_score,
            expectation: requirement.to_string(),
            requirement,
            explanation,
        }
    }

    fn hint_or<'a>(&'a self, default: &'a str) -> &'a str {
        if self.hint.is_empty() {
            default
        } else {
            &self.hint
        }
    }
}

/// Checks that `requests` waits of `latency`, at most `in_flight` at once,
/// overlap without burning CPU: see [`OverlapRule`].
///
/// Waiting overlaps even on one core, so this check never skips.
#[derive(Clone, Debug)]
pub struct WaitCheck {
    name: String,
    rule: OverlapRule,
    plan: Plan,
    retry: Plan,
    hint: String,
}

impl WaitCheck {
    /// A check for `requests` independent waits of `latency` each, all of
    /// which may be in flight at once.
    pub fn new(name: impl Into<String>, requests: usize, latency: Duration) -> Self {
        Self {
            name: name.into(),
            rule: OverlapRule {
                requests: requests.max(1),
                latency,
                in_flight: usize::MAX,
                tolerance: 1.5,
                max_extra_cores: 0.25,
            },
            plan: Plan::default(),
            retry: RETRY,
            hint: String::new(),
        }
    }

    /// At most `limit` waits may be in flight at once.
    pub fn in_flight(mut self, limit: usize) -> Self {
        self.rule.in_flight = limit.max(1);
        self
    }

    /// What to tell a student whose code fails the check.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// Overrides the number of rounds and the time budget; `retry` is the
    /// second attempt's (zero rounds: none).
    pub fn with_plan(mut self, plan: Plan, retry: Plan) -> Self {
        self.plan = plan;
        self.retry = retry;
        self
    }

    /// The rule this check applies.
    pub fn rule(&self) -> &OverlapRule {
        &self.rule
    }

    /// Runs reference and candidate interleaved and judges the candidate.
    ///
    /// # Panics
    /// If the check itself cannot tell sequential code apart (its bound is
    /// not well below the sequential time): that is a bug in the suite.
    pub fn run(&self, reference: &mut dyn FnMut(), candidate: &mut dyn FnMut()) -> Outcome {
        let rule = &self.rule;
        assert!(
            rule.bound().as_secs_f64() <= 0.6 * rule.sequential().as_secs_f64(),
            "check `{}` is too loose: its bound {} is close to the sequential {}",
            self.name,
            crate::human(rule.bound()),
            crate::human(rule.sequential())
        );
        let judge = |bests: &Bests| {
            let extra = OverlapRule::extra_cores(bests.total[0], bests.total[1]);
            rule.judge(bests.best[0], bests.best[1], extra)
        };
        // Settle only once the fastest runs pass; the CPU rule is applied
        // to all rounds when the comparison ends.
        let mut settled = |best: &[Sample]| best.iter().all(|s| s.wall <= rule.bound());
        let (bests, attempts) = measure_until_judged(
            self.plan,
            self.retry,
            &mut [reference, candidate],
            &mut settled,
            &judge,
        );
        let [reference, candidate] = bests.best[..] else {
            unreachable!("two contenders")
        };
        let extra_cores = OverlapRule::extra_cores(bests.total[0], bests.total[1]);
        let judgement = judge(&bests).distrusted_if(crate::deadline::abandoned_thread_running());
        let hint = if self.hint.is_empty() {
            "start every wait before you collect any result."
        } else {
            &self.hint
        };
        Outcome {
            load_average: crate::clock::load_average(),
            check: self.name.clone(),
            verdict: judgement.verdict,
            reason: judgement.reason,
            cores: available_cores(),
            rounds: bests.rounds,
            attempts,
            candidate,
            reference,
            sequential: None,
            score: ratio(candidate.wall, rule.ideal()),
            reference_score: ratio(reference.wall, rule.ideal()),
            requirement: rule.requirement(),
            expectation: rule.requirement().to_string(),
            cpu_beyond_reference: Some(extra_cores),
            explanation: explain::overlap(
                rule,
                judgement,
                (bests.total[0], bests.total[1]),
                (reference, candidate),
                bests.rounds,
                hint,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread::sleep;

    #[test]
    fn single_core_cpu_checks_are_skipped_not_failed() {
        let mut never = || panic!("a skipped check runs nothing");
        let outcome = CpuCheck::new("t", 4).with_cores(1).run(
            &mut never.clone(),
            &mut never.clone(),
            &mut never,
        );
        assert_eq!(outcome.verdict, Verdict::Inconclusive);
        assert_eq!(outcome.reason, Reason::SingleCore);
        assert!(outcome.explanation.contains("1 core"), "{outcome}");
    }

    fn quick_plan() -> Plan {
        Plan {
            max_rounds: 3,
            budget: Duration::from_secs(2),
        }
    }

    const NO_RETRY: Plan = Plan {
        max_rounds: 0,
        budget: Duration::ZERO,
    };

    #[test]
    fn sequential_waiting_fails_with_numbers() {
        let _alone = crate::exclusive();
        let latency = Duration::from_millis(20);
        let check = WaitCheck::new("wait", 8, latency).with_plan(quick_plan(), NO_RETRY);
        let mut overlapped = || {
            std::thread::scope(|s| {
                for _ in 0..8 {
                    s.spawn(|| sleep(latency));
                }
            })
        };
        let mut one_by_one = || (0..8).for_each(|_| sleep(latency));
        let outcome = check.run(&mut overlapped, &mut one_by_one);
        assert_eq!(outcome.verdict, Verdict::Fail, "{outcome}");
        assert_eq!(outcome.reason, Reason::PlainlySerial, "{outcome}");
        assert!(
            outcome.explanation.contains("one after another"),
            "{outcome}"
        );
        assert!(
            outcome.explanation.contains("8 requests of 20 ms"),
            "{outcome}"
        );
    }

    #[test]
    fn waiting_that_spins_fails_on_cpu_time() {
        let _alone = crate::exclusive();
        let latency = Duration::from_millis(30);
        let check = WaitCheck::new("wait", 8, latency).with_plan(quick_plan(), NO_RETRY);
        let overlapped = || {
            std::thread::scope(|s| {
                for _ in 0..8 {
                    s.spawn(|| sleep(latency));
                }
            })
        };
        let mut spinning = || {
            let done = std::sync::atomic::AtomicBool::new(false);
            std::thread::scope(|s| {
                s.spawn(|| {
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                });
                overlapped();
                done.store(true, std::sync::atomic::Ordering::Relaxed);
            })
        };
        let outcome = check.run(&mut overlapped.clone(), &mut spinning);
        assert_eq!(outcome.verdict, Verdict::Fail, "{outcome}");
        assert_eq!(outcome.reason, Reason::BurnsCpu, "{outcome}");
        assert!(outcome.explanation.contains("CPU time"), "{outcome}");
    }

    #[test]
    fn a_reference_that_cannot_overlap_makes_a_middling_candidate_inconclusive() {
        let _alone = crate::exclusive();
        let latency = Duration::from_millis(10);
        let check = WaitCheck::new("wait", 6, latency).with_plan(quick_plan(), NO_RETRY);
        // Half overlapped: 3 waves of 2, above the bound but far from serial.
        let mut pairs = || {
            for _ in 0..3 {
                std::thread::scope(|s| {
                    s.spawn(|| sleep(latency));
                    s.spawn(|| sleep(latency));
                })
            }
        };
        let mut slow = || (0..6).for_each(|_| sleep(latency));
        let outcome = check.run(&mut slow, &mut pairs);
        assert_eq!(outcome.verdict, Verdict::Inconclusive, "{outcome}");
        assert_eq!(outcome.reason, Reason::ReferenceTooSlow, "{outcome}");
        assert!(outcome.explanation.contains("Not judged"), "{outcome}");
    }

    #[test]
    fn a_slow_reference_is_measured_again_before_giving_up() {
        let _alone = crate::exclusive();
        let latency = Duration::from_millis(10);
        let retry = Plan {
            max_rounds: 2,
            budget: Duration::from_secs(2),
        };
        let check = WaitCheck::new("wait", 6, latency).with_plan(
            Plan {
                max_rounds: 1,
                budget: Duration::from_secs(2),
            },
            retry,
        );
        // Slow on its first run only, as a reference is on a busy moment.
        let slow_at_first = || {
            let mut first = true;
            move || {
                let waits = if std::mem::take(&mut first) { 6 } else { 1 };
                (0..waits).for_each(|_| sleep(latency));
            }
        };
        let mut candidate = || sleep(latency.mul_f64(1.2));
        let outcome = check.run(&mut slow_at_first(), &mut candidate);
        assert_eq!(
            outcome.attempts, 1,
            "the candidate passed at once: {outcome}"
        );
        let mut candidate = || sleep(latency * 3);
        let outcome = check.run(&mut slow_at_first(), &mut candidate);
        assert_eq!(outcome.attempts, 2, "{outcome}");
        assert_eq!(outcome.verdict, Verdict::Fail, "{outcome}");
    }

    #[test]
    #[should_panic(expected = "too loose")]
    fn a_check_that_cannot_tell_sequential_apart_is_refused() {
        let c = WaitCheck::new("w", 2, Duration::from_millis(1));
        c.run(&mut || {}, &mut || {});
    }
}
