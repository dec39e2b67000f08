//! Speedup checks: did the candidate really run in parallel (CPU work) or
//! overlap its waiting (I/O work)?
//!
//! Each check measures a reference in the same run as the candidate and has
//! three verdicts. *Pass* and *fail* judge the candidate; *inconclusive*
//! means the machine could not show the effect even for the reference (a
//! single core, or neighbours hogging the CPU), and must never cost a student
//! marks. Thresholds are ratios, scaled to the cores actually available, and
//! set so that a sequential candidate cannot pass on two or more cores.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::{Sample, human, ratio};
use crate::cores::available_cores;
use crate::record;
use crate::rounds::{Plan, interleave};

/// The three answers a check can give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The candidate showed the expected parallelism or overlap.
    Pass,
    /// The reference showed it and the candidate did not.
    Fail,
    /// The machine could not show it even for the reference.
    Inconclusive,
}

/// Everything a check measured and concluded: a sentence for people
/// (`Display`), fields for machines (`Serialize`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Outcome {
    /// Name of the check, unique within a suite.
    pub check: String,
    /// The answer.
    pub verdict: Verdict,
    /// Cores available to this process during the check.
    pub cores: usize,
    /// Interleaved rounds that ran.
    pub rounds: usize,
    /// Fastest run of the candidate.
    pub candidate: Sample,
    /// Fastest run of the reference.
    pub reference: Sample,
    /// Fastest sequential run, for CPU checks.
    pub sequential: Option<Sample>,
    /// The candidate's figure: speedup over sequential (CPU), or wall time
    /// over the ideal overlapped time (waiting; lower is better).
    pub score: f64,
    /// The same figure for the reference.
    pub reference_score: f64,
    /// The figure the candidate had to reach.
    pub required: f64,
    /// The requirement in words, e.g. "speedup ≥ ×1.35".
    pub expectation: String,
    /// Why, in numbers.
    pub explanation: String,
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
    /// explanation. An inconclusive outcome is printed, never failed.
    #[track_caller]
    pub fn assert_pass(&self) {
        record::append(record::Event::Check(self.clone()));
        match self.verdict {
            Verdict::Pass => eprintln!("{self}"),
            Verdict::Inconclusive => eprintln!("INCONCLUSIVE (not counted against you): {self}"),
            Verdict::Fail => panic!("{self}"),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.check, self.explanation)
    }
}

/// A speedup below this is what sequential code shows (×1.0 give or take
/// noise): it fails whenever the reference reached [`CpuCheck::floor`].
const PLAINLY_SERIAL: f64 = 1.1;

/// A fail measured while an abandoned thread may be running is not to be
/// trusted: it becomes inconclusive, and says why.
fn distrust_if_disturbed(verdict: Verdict, explanation: String) -> (Verdict, String) {
    if verdict == Verdict::Fail && crate::deadline::abandoned_thread_running() {
        (
            Verdict::Inconclusive,
            format!(
                "{explanation} (Not counted: an earlier test in this run timed out, and its \
                 thread may still be running and taking a core. Fix that test first.)"
            ),
        )
    } else {
        (verdict, explanation)
    }
}

/// Checks CPU-bound work split into `tasks` pieces against the same pieces
/// one after another: by default it must run faster ([`CpuCheck::new`]);
/// under a global lock it must not ([`CpuCheck::serialized`]).
#[derive(Clone, Debug)]
pub struct CpuCheck {
    name: String,
    tasks: usize,
    cores: usize,
    plan: Plan,
    hint: String,
    expect: Expect,
}

/// What a [`CpuCheck`] expects of the candidate.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// A real speedup: see [`CpuCheck::required`].
    Speedup,
    /// No speedup and no great slowdown: the candidate's time must lie
    /// within `low..=high` times the sequential time.
    Serial { low: f64, high: f64 },
}

impl CpuCheck {
    /// A check for work made of `tasks` independent pieces of equal size.
    pub fn new(name: impl Into<String>, tasks: usize) -> Self {
        Self {
            name: name.into(),
            tasks: tasks.max(1),
            cores: available_cores(),
            plan: Plan::default(),
            hint: String::new(),
            expect: Expect::Speedup,
        }
    }

    /// A check for work that a global lock should serialise: threads must
    /// take between 0.85 and 1.25 times the sequential time. Faster means
    /// the lock let threads run at once; slower means hand-offs cost too
    /// much. It only counts when the reference, free of the lock, shows a
    /// real speedup in the same run: otherwise a lock and no lock look alike.
    pub fn serialized(name: impl Into<String>, tasks: usize) -> Self {
        Self {
            expect: Expect::Serial {
                low: 0.85,
                high: 1.25,
            },
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
        self.cores = cores.max(1);
        self
    }

    /// Overrides the number of rounds and the time budget.
    pub fn with_plan(mut self, plan: Plan) -> Self {
        self.plan = plan;
        self
    }

    /// The speedup that can be had: one piece per core at most.
    fn ideal(&self) -> f64 {
        self.cores.min(self.tasks) as f64
    }

    /// The speedup the reference must reach for the run to count, and that a
    /// candidate always passes with: about a third of the ideal gain. On two
    /// cores that is ×1.35; a busy two-core machine still gives the reference
    /// ×1.47 or more, and sequential code stays near ×1.0.
    pub fn expected(&self) -> f64 {
        1.0 + 0.35 * (self.ideal() - 1.0)
    }

    /// Below this no candidate passes, however slow the reference was: a
    /// fifth of the ideal gain (×1.2 on two cores), far above the ×1.0 ± 0.05
    /// of sequential code.
    pub fn floor(&self) -> f64 {
        1.0 + 0.2 * (self.ideal() - 1.0)
    }

    /// The speedup a candidate needs, given what the reference reached: the
    /// expectation, relaxed to 85% of the reference on a slow run, but never
    /// below [`Self::floor`].
    pub fn required(&self, reference_speedup: f64) -> f64 {
        self.expected()
            .min(0.85 * reference_speedup)
            .max(self.floor())
    }

    fn expectation(&self, required: f64) -> String {
        match self.expect {
            Expect::Speedup => format!("speedup ≥ ×{required:.2}"),
            Expect::Serial { low, high } => format!("time {low:.2}–{high:.2} × sequential"),
        }
    }

    /// Whether a candidate speedup meets the expectation, given the
    /// reference's speedup in the same run.
    fn meets(&self, speedup: f64, reference_speedup: f64) -> bool {
        match self.expect {
            Expect::Speedup => speedup >= self.required(reference_speedup),
            Expect::Serial { low, high } => {
                let time = 1.0 / speedup;
                (low..=high).contains(&time)
            }
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
        if self.ideal() < 2.0 {
            return self.skipped();
        }
        let mut rounds_seen = 0;
        let bests = interleave(self.plan, &mut [sequential, reference, candidate], |best| {
            rounds_seen += 1;
            let seq = best[0].wall;
            let (r, c) = (ratio(seq, best[1].wall), ratio(seq, best[2].wall));
            // The sequential minimum can still fall and lower both
            // ratios, so settle early only after a few rounds.
            rounds_seen >= 3 && r >= self.expected() && self.meets(c, r)
        });
        let [seq, reference, candidate] = bests.best[..] else {
            unreachable!("three contenders")
        };
        let ref_speedup = ratio(seq.wall, reference.wall);
        let speedup = ratio(seq.wall, candidate.wall);
        let required = self.required(ref_speedup);
        let verdict = match self.expect {
            Expect::Speedup if self.meets(speedup, ref_speedup) => Verdict::Pass,
            // Plainly sequential code beside a reference that did show some
            // parallelism: no need for a perfect machine to say so.
            Expect::Speedup if ref_speedup >= self.floor() && speedup < PLAINLY_SERIAL => {
                Verdict::Fail
            }
            // A serial candidate only passes on a machine that could have
            // shown parallelism: on a busy one, no lock looks like a lock.
            _ if ref_speedup < self.expected() => Verdict::Inconclusive,
            Expect::Serial { .. } if self.meets(speedup, ref_speedup) => Verdict::Pass,
            _ => Verdict::Fail,
        };
        let explanation = self.explain(verdict, seq, reference, candidate, required);
        let (verdict, explanation) = distrust_if_disturbed(verdict, explanation);
        Outcome {
            check: self.name.clone(),
            verdict,
            cores: self.cores,
            rounds: bests.rounds,
            candidate,
            reference,
            sequential: Some(seq),
            score: speedup,
            reference_score: ref_speedup,
            required,
            expectation: self.expectation(required),
            explanation,
        }
    }

    fn skipped(&self) -> Outcome {
        let zero = Sample {
            wall: Duration::ZERO,
            cpu: Duration::ZERO,
        };
        let why = if self.cores < 2 {
            format!(
                "Skipped: this machine gives the process {} core, and CPU work cannot \
                 run faster in parallel on one core. Correctness is still tested.",
                self.cores
            )
        } else {
            "Skipped: the work has a single piece, so there is nothing to run in parallel."
                .to_owned()
        };
        Outcome {
            check: self.name.clone(),
            verdict: Verdict::Inconclusive,
            cores: self.cores,
            rounds: 0,
            candidate: zero,
            reference: zero,
            sequential: None,
            score: 0.0,
            reference_score: 0.0,
            required: self.expected(),
            expectation: self.expectation(self.expected()),
            explanation: why,
        }
    }

    fn explain(
        &self,
        verdict: Verdict,
        seq: Sample,
        reference: Sample,
        candidate: Sample,
        required: f64,
    ) -> String {
        if let Expect::Serial { low, high } = self.expect {
            return self.explain_serial(verdict, seq, reference, candidate, (low, high));
        }
        let speedup = ratio(seq.wall, candidate.wall);
        let ref_speedup = ratio(seq.wall, reference.wall);
        let par = candidate.parallelism();
        let measured = format!(
            "{} pieces of CPU work took {} with your code and {} one after another: \
             speedup ×{speedup:.2} (needed ×{required:.2} on {} cores; the reference reached \
             ×{ref_speedup:.2} in the same run). Effective parallelism {par:.1}",
            self.tasks,
            human(candidate.wall),
            human(seq.wall),
            self.cores,
        );
        match verdict {
            Verdict::Pass => format!("{measured}."),
            Verdict::Inconclusive => format!(
                "{measured}. The reference could not reach ×{:.2} either, so this machine \
                 was too busy to show parallelism just now; run the test again on a quieter \
                 machine.",
                self.expected()
            ),
            Verdict::Fail => {
                let why = if par < 1.2 {
                    "only one core was busy at a time, so the pieces ran one after another"
                } else {
                    "several cores were busy but the work did not finish sooner: threads \
                     spinning, contending on one lock, or doing the work twice"
                };
                format!("{measured}: {why}. Hint: {}", self.hint_or_default())
            }
        }
    }

    fn explain_serial(
        &self,
        verdict: Verdict,
        seq: Sample,
        reference: Sample,
        candidate: Sample,
        (low, high): (f64, f64),
    ) -> String {
        let time = ratio(candidate.wall, seq.wall);
        let measured = format!(
            "{} pieces of CPU work in threads under the lock took {}, and {} one after \
             another: {time:.2}× the sequential time (expected {low:.2}–{high:.2}×, because \
             only the holder runs; without the lock the reference ran ×{:.2} faster in the \
             same run on {} cores). Effective parallelism {:.1}",
            self.tasks,
            human(candidate.wall),
            human(seq.wall),
            ratio(seq.wall, reference.wall),
            self.cores,
            candidate.parallelism(),
        );
        match verdict {
            Verdict::Pass => format!("{measured}."),
            Verdict::Inconclusive => format!(
                "{measured}. Without the lock the reference could not reach ×{:.2} either, so \
                 this machine could not tell a lock from no lock just now; run the test again.",
                self.expected()
            ),
            Verdict::Fail if time < low => format!(
                "{measured}: the threads ran at the same time, so the lock did not keep them \
                 apart. Hint: {}",
                if self.hint.is_empty() {
                    "a thread must not run while another holds the lock."
                } else {
                    &self.hint
                }
            ),
            Verdict::Fail => format!(
                "{measured}: slower than one after another, so handing the lock over costs \
                 too much. Hint: hand over only when a waiter has waited a whole switch \
                 interval, not at every check-in."
            ),
        }
    }

    fn hint_or_default(&self) -> &str {
        if self.hint.is_empty() {
            "give each piece its own thread, start them all before joining any."
        } else {
            &self.hint
        }
    }
}

/// Checks that `requests` waits of `latency`, at most `in_flight` at once,
/// overlap: the wall time must be close to the ideal
/// `ceil(requests / in_flight) × latency`, not the sequential
/// `requests × latency`.
///
/// Waiting overlaps even on one core, so this check never skips.
#[derive(Clone, Debug)]
pub struct WaitCheck {
    name: String,
    requests: usize,
    latency: Duration,
    in_flight: usize,
    tolerance: f64,
    plan: Plan,
    hint: String,
}

impl WaitCheck {
    /// A check for `requests` independent waits of `latency` each, all of
    /// which may be in flight at once.
    pub fn new(name: impl Into<String>, requests: usize, latency: Duration) -> Self {
        Self {
            name: name.into(),
            requests: requests.max(1),
            latency,
            in_flight: usize::MAX,
            tolerance: 1.5,
            plan: Plan::default(),
            hint: String::new(),
        }
    }

    /// At most `limit` waits may be in flight at once.
    pub fn in_flight(mut self, limit: usize) -> Self {
        self.in_flight = limit.max(1);
        self
    }

    /// What to tell a student whose code fails the check.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// Overrides the number of rounds and the time budget.
    pub fn with_plan(mut self, plan: Plan) -> Self {
        self.plan = plan;
        self
    }

    /// Rounds of waiting: `ceil(requests / in_flight)`.
    fn waves(&self) -> usize {
        self.requests.div_ceil(self.in_flight.min(self.requests))
    }

    /// The time the waits take when they overlap as allowed.
    pub fn ideal(&self) -> Duration {
        self.latency * u32::try_from(self.waves()).unwrap_or(u32::MAX)
    }

    /// The time they take one after another.
    pub fn sequential(&self) -> Duration {
        self.latency * u32::try_from(self.requests).unwrap_or(u32::MAX)
    }

    /// The longest wall time that passes: `tolerance × ideal`.
    pub fn bound(&self) -> Duration {
        self.ideal().mul_f64(self.tolerance)
    }

    /// Runs reference and candidate interleaved and judges the candidate.
    ///
    /// # Panics
    /// If the check itself cannot tell sequential code apart (its bound is
    /// not well below the sequential time): that is a bug in the suite.
    pub fn run(&self, reference: &mut dyn FnMut(), candidate: &mut dyn FnMut()) -> Outcome {
        assert!(
            self.bound().as_secs_f64() <= 0.6 * self.sequential().as_secs_f64(),
            "check `{}` is too loose: its bound {} is close to the sequential {}",
            self.name,
            human(self.bound()),
            human(self.sequential())
        );
        let bound = self.bound();
        let bests = interleave(self.plan, &mut [reference, candidate], |best| {
            best.iter().all(|s| s.wall <= bound)
        });
        let [reference, candidate] = bests.best[..] else {
            unreachable!("two contenders")
        };
        let verdict = if candidate.wall <= bound {
            Verdict::Pass
        } else if reference.wall > bound {
            Verdict::Inconclusive
        } else {
            Verdict::Fail
        };
        let explanation = self.explain(verdict, reference, candidate, bests.rounds);
        let (verdict, explanation) = distrust_if_disturbed(verdict, explanation);
        Outcome {
            check: self.name.clone(),
            verdict,
            cores: available_cores(),
            rounds: bests.rounds,
            candidate,
            reference,
            sequential: None,
            score: ratio(candidate.wall, self.ideal()),
            reference_score: ratio(reference.wall, self.ideal()),
            required: self.tolerance,
            expectation: format!(
                "wall time ≤ {:.2} × ideal {}",
                self.tolerance,
                human(self.ideal())
            ),
            explanation,
        }
    }

    fn explain(
        &self,
        verdict: Verdict,
        reference: Sample,
        candidate: Sample,
        rounds: usize,
    ) -> String {
        let limit = if self.in_flight >= self.requests {
            "all at once".to_owned()
        } else {
            format!("{} at a time", self.in_flight)
        };
        let overlap = ratio(self.sequential(), candidate.wall);
        let measured = format!(
            "{} requests of {} took {} (best of {rounds}); overlapped {limit} they take about \
             {}, and up to {} passes. Overlap ×{overlap:.1}",
            self.requests,
            human(self.latency),
            human(candidate.wall),
            human(self.ideal()),
            human(self.bound()),
        );
        match verdict {
            Verdict::Pass => format!("{measured}."),
            Verdict::Inconclusive => format!(
                "{measured}. The reference took {} too, so the machine was too busy to show \
                 overlap just now; run the test again.",
                human(reference.wall)
            ),
            Verdict::Fail => {
                let why = if overlap < 1.3 {
                    "they ran one after another".to_owned()
                } else {
                    format!("only about {overlap:.1} were waiting at any moment")
                };
                let hint = if self.hint.is_empty() {
                    "start every wait before you collect any result."
                } else {
                    &self.hint
                };
                format!("{measured}: {why}. Hint: {hint}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread::sleep;

    #[test]
    fn cpu_thresholds_scale_with_cores() {
        let two = CpuCheck::new("t", 4).with_cores(2);
        assert!((two.expected() - 1.35).abs() < 1e-9);
        assert!((two.floor() - 1.2).abs() < 1e-9);
        let eight = CpuCheck::new("t", 8).with_cores(8);
        assert!((eight.expected() - 3.45).abs() < 1e-9);
        // More cores than pieces: the pieces limit the speedup.
        let few = CpuCheck::new("t", 2).with_cores(8);
        assert!((few.expected() - 1.35).abs() < 1e-9);
    }

    #[test]
    fn required_relaxes_toward_a_slow_reference_but_not_below_the_floor() {
        let c = CpuCheck::new("t", 4).with_cores(2);
        assert!((c.required(1.9) - 1.35).abs() < 1e-9);
        assert!((c.required(1.5) - 1.275).abs() < 1e-9);
        assert!((c.required(1.0) - 1.2).abs() < 1e-9);
    }

    #[test]
    fn serial_checks_accept_only_sequential_speed() {
        let c = CpuCheck::serialized("t", 4).with_cores(2);
        assert!(c.meets(1.0, 1.9));
        assert!(c.meets(0.82, 1.9));
        assert!(!c.meets(1.5, 1.9), "parallel is not serial");
        assert!(!c.meets(0.5, 1.9), "twice as slow is too slow");
        assert_eq!(c.expectation(1.0), "time 0.85–1.25 × sequential");
    }

    #[test]
    fn single_core_cpu_checks_are_skipped_not_failed() {
        let mut never = || panic!("a skipped check runs nothing");
        let outcome = CpuCheck::new("t", 4).with_cores(1).run(
            &mut never.clone(),
            &mut never.clone(),
            &mut never,
        );
        assert_eq!(outcome.verdict, Verdict::Inconclusive);
        assert!(outcome.explanation.contains("1 core"), "{outcome}");
    }

    fn quick_plan() -> Plan {
        Plan {
            max_rounds: 3,
            budget: Duration::from_secs(2),
        }
    }

    #[test]
    fn sequential_waiting_fails_with_numbers() {
        let _alone = crate::exclusive();
        let latency = Duration::from_millis(20);
        let check = WaitCheck::new("wait", 8, latency).with_plan(quick_plan());
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
    fn a_reference_that_cannot_overlap_makes_the_check_inconclusive() {
        let _alone = crate::exclusive();
        let latency = Duration::from_millis(10);
        let check = WaitCheck::new("wait", 6, latency).with_plan(quick_plan());
        let mut slow = || (0..6).for_each(|_| sleep(latency));
        let outcome = check.run(&mut slow.clone(), &mut slow);
        assert_eq!(outcome.verdict, Verdict::Inconclusive, "{outcome}");
    }

    #[test]
    fn bounded_waiting_ideal_counts_waves() {
        let c = WaitCheck::new("w", 16, Duration::from_millis(100)).in_flight(4);
        assert_eq!(c.ideal(), Duration::from_millis(400));
        assert_eq!(c.sequential(), Duration::from_millis(1600));
        assert_eq!(c.bound(), Duration::from_millis(600));
    }

    #[test]
    #[should_panic(expected = "too loose")]
    fn a_check_that_cannot_tell_sequential_apart_is_refused() {
        let c = WaitCheck::new("w", 2, Duration::from_millis(1));
        c.run(&mut || {}, &mut || {});
    }
}
