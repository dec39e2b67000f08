//! The judgement of a speedup check, as data: pure functions from measured
//! samples to a verdict and its typed reason.
//!
//! Nothing here measures, prints or panics. The runners in
//! [`crate::speedup`] measure, [`crate::explain`] turns a judgement into
//! sentences, and the tests at the bottom pin every boundary with made-up
//! samples, so a change of rule shows up as a failing test, not as a
//! different grade on a noisy day.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::{Sample, ratio};

/// The three answers a check can give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The candidate showed the expected parallelism or overlap.
    Pass,
    /// The candidate did not, and the machine could have shown it.
    Fail,
    /// The machine could not show it even for the reference: not the
    /// student's fault, and never a pass either.
    Inconclusive,
}

/// Why a check reached its verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Pass: the requirement was met.
    Met,
    /// Fail: the work ran one piece after another (a CPU speedup near ×1,
    /// or waits that took most of their sequential time).
    PlainlySerial,
    /// Fail: faster than sequential, but short of what was required.
    BelowRequired,
    /// Fail: under a global lock, the threads ran at the same time.
    RanInParallel,
    /// Fail: under a global lock, slower than one after another.
    HandOverTooCostly,
    /// Fail: more CPU burnt than the work needs (spinning while waiting).
    BurnsCpu,
    /// Inconclusive: one core, so CPU work cannot run in parallel here.
    SingleCore,
    /// Inconclusive: the work has one piece.
    SinglePiece,
    /// Inconclusive: the reference could not show the effect either.
    ReferenceTooSlow,
    /// Inconclusive: a fail measured while a thread abandoned by an earlier,
    /// stuck test may still be running.
    Disturbed,
    /// Inconclusive: under a global lock the threads finished sooner than
    /// one thread alone, yet kept no more than one core busy: on a busy
    /// machine the scheduler gives threads that sleep and wake in turn a
    /// larger share than one thread that always runs. Only CPU time could
    /// show threads running at once, and it did not.
    UnevenShare,
}

/// A verdict with its reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// The answer.
    pub verdict: Verdict,
    /// Why.
    pub reason: Reason,
}

impl Judgement {
    const fn new(verdict: Verdict, reason: Reason) -> Self {
        Self { verdict, reason }
    }

    /// A fail becomes inconclusive when the process was disturbed: a thread
    /// abandoned by a stuck test may be taking a core.
    pub fn distrusted_if(self, disturbed: bool) -> Self {
        if disturbed && self.verdict == Verdict::Fail {
            Self::new(Verdict::Inconclusive, Reason::Disturbed)
        } else {
            self
        }
    }
}

/// What a check asked of the candidate, in numbers (recorded for the grader).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Requirement {
    /// CPU work: speedup over sequential of at least `at_least`.
    Speedup {
        /// The speedup needed.
        at_least: f64,
    },
    /// CPU work under a global lock: time between `low` and `high` times the
    /// sequential time, with at most `max_cores` cores busy on average.
    Serial {
        /// Fastest allowed, as a fraction of the sequential time.
        low: f64,
        /// Slowest allowed, as a multiple of the sequential time.
        high: f64,
        /// CPU time over wall time allowed.
        max_cores: f64,
    },
    /// Waiting work: wall time at most `at_most` times the ideal overlapped
    /// time, burning at most `max_extra_cores` more than the reference.
    Overlap {
        /// Allowed multiple of the ideal.
        at_most: f64,
        /// The ideal overlapped time, in seconds.
        ideal_s: f64,
        /// Extra CPU time over the reference's, as a fraction of wall time.
        max_extra_cores: f64,
    },
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Speedup { at_least } => write!(f, "speedup ≥ ×{at_least:.2}"),
            Self::Serial {
                low,
                high,
                max_cores,
            } => write!(
                f,
                "time {low:.2}–{high:.2} × sequential, ≤ {max_cores:.2} cores busy"
            ),
            Self::Overlap {
                at_most, ideal_s, ..
            } => write!(
                f,
                "wall time ≤ {at_most:.2} × ideal {}",
                crate::clock::human(Duration::from_secs_f64(ideal_s))
            ),
        }
    }
}

/// A speedup below this is what sequential code shows (×1.0 give or take
/// noise).
pub const PLAINLY_SERIAL_SPEEDUP: f64 = 1.1;

/// Waits that take this fraction of their one-after-another time or more
/// did not overlap, whatever the machine was doing: noise makes waits
/// longer, never the other way round, and an overlapped run is far below.
pub const PLAINLY_SERIAL_WAIT: f64 = 0.8;

/// How far CPU work in parallel must go to pass, for `cores` cores and
/// `tasks` equal pieces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpeedupRule {
    /// Cores available.
    pub cores: usize,
    /// Independent pieces of equal size.
    pub tasks: usize,
}

impl SpeedupRule {
    /// The speedup that can be had: one piece per core at most.
    pub fn ideal(&self) -> f64 {
        self.cores.min(self.tasks).max(1) as f64
    }

    /// The speedup the reference must reach for the run to count, and that
    /// a candidate always passes with: about a third of the ideal gain (×1.35
    /// on two cores; a busy two-core machine still gives the reference ×1.47
    /// or more, and sequential code stays near ×1.0).
    pub fn expected(&self) -> f64 {
        1.0 + 0.35 * (self.ideal() - 1.0)
    }

    /// Below this no candidate passes, however slow the reference was: a
    /// fifth of the ideal gain (×1.2 on two cores).
    pub fn floor(&self) -> f64 {
        1.0 + 0.2 * (self.ideal() - 1.0)
    }

    /// A reference at or above this showed the machine's parallelism
    /// clearly (×1.6 on two cores): a candidate short of the requirement
    /// beside it fails. Beside a weaker reference, a candidate short of it
    /// is not judged, plainly serial or not: on a loaded machine, runs of
    /// the same parallel code range from ×1.03 to ×1.36.
    pub fn clear(&self) -> f64 {
        1.0 + 0.6 * (self.ideal() - 1.0)
    }

    /// The speedup a candidate needs, given what the reference reached: the
    /// expectation, relaxed to 85% of the reference on a slow run, never
    /// below [`Self::floor`].
    pub fn required(&self, reference_speedup: f64) -> f64 {
        self.expected()
            .min(0.85 * reference_speedup)
            .max(self.floor())
    }

    /// Why nothing can be judged on this machine, if so: one core, or
    /// one piece of work.
    pub fn cannot_run(&self) -> Option<Judgement> {
        if self.ideal() >= 2.0 {
            None
        } else if self.cores < 2 {
            Some(Judgement::new(Verdict::Inconclusive, Reason::SingleCore))
        } else {
            Some(Judgement::new(Verdict::Inconclusive, Reason::SinglePiece))
        }
    }

    /// Judges CPU work that should run in parallel.
    pub fn judge(&self, sequential: Sample, reference: Sample, candidate: Sample) -> Judgement {
        if let Some(skip) = self.cannot_run() {
            return skip;
        }
        let reached = ratio(sequential.wall, reference.wall);
        let speedup = ratio(sequential.wall, candidate.wall);
        if speedup >= self.required(reached) {
            Judgement::new(Verdict::Pass, Reason::Met)
        } else if reached < self.clear() {
            // A reference that only just showed parallelism had a lucky
            // round as often as not: on a loaded machine the reference GIL
            // reached ×1.03 beside plain threads at ×1.24, and failed as
            // "plainly serial". Nothing is judged short of a clear run.
            Judgement::new(Verdict::Inconclusive, Reason::ReferenceTooSlow)
        } else if speedup < PLAINLY_SERIAL_SPEEDUP {
            Judgement::new(Verdict::Fail, Reason::PlainlySerial)
        } else {
            Judgement::new(Verdict::Fail, Reason::BelowRequired)
        }
    }
}

/// CPU work under a global lock: it must take about the sequential time and
/// keep about one core busy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SerialRule {
    /// The parallel rule the lock-free reference is held to.
    pub parallel: SpeedupRule,
    /// Fastest allowed time, as a fraction of the sequential time.
    pub low: f64,
    /// Slowest allowed time, as a multiple of the sequential time.
    pub high: f64,
    /// Most cores busy on average (CPU time over wall time) that pass.
    pub max_cores: f64,
}

impl SerialRule {
    /// The course's rule: 0.85–1.25 × sequential and at most 1.4 cores busy
    /// (the holder computes; waiters must sleep, not spin).
    pub fn new(parallel: SpeedupRule) -> Self {
        Self {
            parallel,
            low: 0.85,
            high: 1.25,
            max_cores: 1.4,
        }
    }

    /// The requirement as recorded.
    pub fn requirement(&self) -> Requirement {
        Requirement::Serial {
            low: self.low,
            high: self.high,
            max_cores: self.max_cores,
        }
    }

    /// Judges CPU work that a global lock should serialise.
    ///
    /// CPU time is the witness: threads that run at the same time, or
    /// waiters that spin, keep more than one core busy on any machine, and a
    /// lock that serialises keeps one. Wall time judges the rest (a hand-over
    /// that costs too much), and only when the reference, free of the lock,
    /// showed a real speedup in the same run: otherwise a lock and no lock
    /// look alike.
    pub fn judge(&self, sequential: Sample, reference: Sample, candidate: Sample) -> Judgement {
        if let Some(skip) = self.parallel.cannot_run() {
            return skip;
        }
        let reached = ratio(sequential.wall, reference.wall);
        let time = ratio(candidate.wall, sequential.wall);
        if candidate.parallelism() > self.max_cores {
            if time < self.low {
                Judgement::new(Verdict::Fail, Reason::RanInParallel)
            } else {
                Judgement::new(Verdict::Fail, Reason::BurnsCpu)
            }
        } else if reached < self.parallel.expected() {
            Judgement::new(Verdict::Inconclusive, Reason::ReferenceTooSlow)
        } else if time < self.low {
            Judgement::new(Verdict::Inconclusive, Reason::UnevenShare)
        } else if time > self.high {
            Judgement::new(Verdict::Fail, Reason::HandOverTooCostly)
        } else {
            Judgement::new(Verdict::Pass, Reason::Met)
        }
    }
}

/// Waiting work: `requests` waits of `latency`, at most `in_flight` at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OverlapRule {
    /// Number of waits.
    pub requests: usize,
    /// Length of each wait.
    pub latency: Duration,
    /// Most waits allowed at once.
    pub in_flight: usize,
    /// Allowed multiple of the ideal time.
    pub tolerance: f64,
    /// CPU time the candidate may burn beyond the reference's, as a
    /// fraction of its wall time, over all rounds: 0.25 is a quarter of a
    /// core, while a thread that spins costs up to a whole one (less on a
    /// machine so busy that the spinner itself gets little CPU).
    pub max_extra_cores: f64,
}

impl OverlapRule {
    /// Rounds of waiting: `ceil(requests / in_flight)`.
    pub fn waves(&self) -> usize {
        self.requests
            .div_ceil(self.in_flight.clamp(1, self.requests.max(1)))
    }

    /// The time the waits take when they overlap as allowed.
    pub fn ideal(&self) -> Duration {
        self.latency * u32::try_from(self.waves()).unwrap_or(u32::MAX)
    }

    /// The time they take one after another.
    pub fn sequential(&self) -> Duration {
        self.latency * u32::try_from(self.requests).unwrap_or(u32::MAX)
    }

    /// The longest wall time that passes.
    pub fn bound(&self) -> Duration {
        self.ideal().mul_f64(self.tolerance)
    }

    /// The requirement as recorded.
    pub fn requirement(&self) -> Requirement {
        Requirement::Overlap {
            at_most: self.tolerance,
            ideal_s: self.ideal().as_secs_f64(),
            max_extra_cores: self.max_extra_cores,
        }
    }

    /// CPU time the candidate burnt beyond the reference, as cores busy over
    /// the candidate's wall time: from the totals of all rounds.
    pub fn extra_cores(reference_total: Sample, candidate_total: Sample) -> f64 {
        ratio(
            candidate_total.cpu.saturating_sub(reference_total.cpu),
            candidate_total.wall,
        )
    }

    /// Judges waiting work from the fastest run of each, and the CPU the
    /// candidate burnt beyond the reference ([`Self::extra_cores`]).
    pub fn judge(&self, reference: Sample, candidate: Sample, extra_cores: f64) -> Judgement {
        if candidate.wall >= self.sequential().mul_f64(PLAINLY_SERIAL_WAIT) {
            Judgement::new(Verdict::Fail, Reason::PlainlySerial)
        } else if extra_cores > self.max_extra_cores {
            Judgement::new(Verdict::Fail, Reason::BurnsCpu)
        } else if candidate.wall <= self.bound() {
            Judgement::new(Verdict::Pass, Reason::Met)
        } else if reference.wall > self.bound() {
            Judgement::new(Verdict::Inconclusive, Reason::ReferenceTooSlow)
        } else {
            Judgement::new(Verdict::Fail, Reason::BelowRequired)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(wall: u64, cpu: u64) -> Sample {
        Sample {
            wall: Duration::from_millis(wall),
            cpu: Duration::from_millis(cpu),
        }
    }

    const TWO: SpeedupRule = SpeedupRule { cores: 2, tasks: 4 };

    fn j(verdict: Verdict, reason: Reason) -> Judgement {
        Judgement::new(verdict, reason)
    }

    #[test]
    fn cpu_thresholds_scale_with_cores() {
        assert!((TWO.expected() - 1.35).abs() < 1e-9);
        assert!((TWO.floor() - 1.2).abs() < 1e-9);
        let eight = SpeedupRule { cores: 8, tasks: 8 };
        assert!((eight.expected() - 3.45).abs() < 1e-9);
        let few = SpeedupRule { cores: 8, tasks: 2 };
        assert!((few.expected() - 1.35).abs() < 1e-9);
    }

    #[test]
    fn required_relaxes_toward_a_slow_reference_but_not_below_the_floor() {
        assert!((TWO.required(1.9) - 1.35).abs() < 1e-9);
        assert!((TWO.required(1.5) - 1.275).abs() < 1e-9);
        assert!((TWO.required(1.0) - 1.2).abs() < 1e-9);
    }

    #[test]
    fn speedup_boundaries() {
        let seq = ms(1000, 1000);
        let good_ref = ms(520, 1000);
        // ×1.35 exactly passes; just below fails beside a good reference.
        assert_eq!(
            TWO.judge(seq, good_ref, ms(740, 1000)),
            j(Verdict::Pass, Reason::Met)
        );
        assert_eq!(
            TWO.judge(seq, good_ref, ms(760, 1500)),
            j(Verdict::Fail, Reason::BelowRequired)
        );
        // Sequential code fails beside a reference that showed parallelism
        // clearly, and is not judged beside one that only reached the floor.
        assert_eq!(
            TWO.judge(seq, ms(620, 1250), ms(960, 960)),
            j(Verdict::Fail, Reason::PlainlySerial)
        );
        let slow_ref = ms(830, 1200); // ×1.205
        assert_eq!(
            TWO.judge(seq, slow_ref, ms(960, 960)),
            j(Verdict::Inconclusive, Reason::ReferenceTooSlow)
        );
        // A reference below the floor cannot judge sequential code.
        assert_eq!(
            TWO.judge(seq, ms(900, 1100), ms(960, 960)),
            j(Verdict::Inconclusive, Reason::ReferenceTooSlow)
        );
        // Between plainly serial and required, beside a reference that did
        // not show parallelism clearly: inconclusive, never a pass.
        assert_eq!(
            TWO.judge(seq, ms(800, 1250), ms(850, 1200)),
            j(Verdict::Inconclusive, Reason::ReferenceTooSlow)
        );
        assert_eq!(
            TWO.judge(seq, ms(740, 1400), ms(880, 1500)),
            j(Verdict::Inconclusive, Reason::ReferenceTooSlow)
        );
        // ...and a fail beside a clear one (×1.6 or more).
        assert_eq!(
            TWO.judge(seq, ms(620, 1250), ms(880, 1500)),
            j(Verdict::Fail, Reason::BelowRequired)
        );
        assert_eq!(
            SpeedupRule { cores: 1, tasks: 4 }.judge(seq, seq, seq),
            j(Verdict::Inconclusive, Reason::SingleCore)
        );
        assert_eq!(
            SpeedupRule { cores: 2, tasks: 1 }.judge(seq, seq, seq),
            j(Verdict::Inconclusive, Reason::SinglePiece)
        );
    }

    #[test]
    fn serial_boundaries() {
        let rule = SerialRule::new(TWO);
        let seq = ms(1000, 1000);
        let good_ref = ms(520, 1000);
        assert_eq!(
            rule.judge(seq, good_ref, ms(1000, 1050)),
            j(Verdict::Pass, Reason::Met)
        );
        assert_eq!(
            rule.judge(seq, good_ref, ms(1240, 1300)),
            j(Verdict::Pass, Reason::Met)
        );
        assert_eq!(
            rule.judge(seq, good_ref, ms(1300, 1300)),
            j(Verdict::Fail, Reason::HandOverTooCostly)
        );
        assert_eq!(
            rule.judge(seq, good_ref, ms(600, 1150)),
            j(Verdict::Fail, Reason::RanInParallel)
        );
        // Faster than sequential with one core busy: a busy machine's
        // scheduler favoured the threads. Not judged.
        assert_eq!(
            rule.judge(seq, good_ref, ms(600, 600)),
            j(Verdict::Inconclusive, Reason::UnevenShare)
        );
        // Waiters that spin: serial time, but two cores busy.
        assert_eq!(
            rule.judge(seq, good_ref, ms(1090, 2070)),
            j(Verdict::Fail, Reason::BurnsCpu)
        );
        // ... caught even when the reference could not show parallelism.
        assert_eq!(
            rule.judge(seq, ms(900, 1100), ms(1090, 2070)),
            j(Verdict::Fail, Reason::BurnsCpu)
        );
        assert_eq!(
            rule.judge(seq, ms(900, 1100), ms(1000, 1000)),
            j(Verdict::Inconclusive, Reason::ReferenceTooSlow)
        );
    }

    fn sixteen_at_100ms(in_flight: usize) -> OverlapRule {
        OverlapRule {
            requests: 16,
            latency: Duration::from_millis(100),
            in_flight,
            tolerance: 1.5,
            max_extra_cores: 0.25,
        }
    }

    #[test]
    fn overlap_ideal_counts_waves() {
        let r = sixteen_at_100ms(4);
        assert_eq!(r.ideal(), Duration::from_millis(400));
        assert_eq!(r.sequential(), Duration::from_millis(1600));
        assert_eq!(r.bound(), Duration::from_millis(600));
        assert_eq!(sixteen_at_100ms(usize::MAX).waves(), 1);
    }

    #[test]
    fn overlap_boundaries() {
        let r = sixteen_at_100ms(usize::MAX);
        let good_ref = ms(105, 20);
        assert_eq!(
            r.judge(good_ref, ms(150, 20), 0.0),
            j(Verdict::Pass, Reason::Met)
        );
        assert_eq!(
            r.judge(good_ref, ms(151, 20), 0.0),
            j(Verdict::Fail, Reason::BelowRequired)
        );
        // A slow reference makes a middling candidate inconclusive...
        assert_eq!(
            r.judge(ms(200, 20), ms(300, 20), 0.0),
            j(Verdict::Inconclusive, Reason::ReferenceTooSlow)
        );
        // ...but never sequential code: 0.8 × 1.6 s is no machine's noise.
        assert_eq!(
            r.judge(ms(200, 20), ms(1280, 30), 0.0),
            j(Verdict::Fail, Reason::PlainlySerial)
        );
        // CPU burnt beyond the reference, over all rounds.
        assert_eq!(
            r.judge(good_ref, ms(110, 20), 0.26),
            j(Verdict::Fail, Reason::BurnsCpu)
        );
        assert_eq!(
            r.judge(good_ref, ms(110, 20), 0.25),
            j(Verdict::Pass, Reason::Met)
        );
    }

    #[test]
    fn extra_cores_compare_totals() {
        // Three rounds each: the reference burnt 60 ms, the candidate 360 ms
        // over 600 ms of wall time: half a core more.
        let extra = OverlapRule::extra_cores(ms(330, 60), ms(600, 360));
        assert!((extra - 0.5).abs() < 1e-9, "{extra}");
        // Less CPU than the reference is no negative burn.
        assert_eq!(OverlapRule::extra_cores(ms(330, 90), ms(300, 30)), 0.0);
    }

    #[test]
    fn a_disturbed_process_turns_fails_into_inconclusive_only() {
        let fail = j(Verdict::Fail, Reason::BelowRequired);
        assert_eq!(
            fail.distrusted_if(true),
            j(Verdict::Inconclusive, Reason::Disturbed)
        );
        assert_eq!(fail.distrusted_if(false), fail);
        let pass = j(Verdict::Pass, Reason::Met);
        assert_eq!(pass.distrusted_if(true), pass);
    }
}
