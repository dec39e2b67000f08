//! Suite of `exercises/pitfalls/diagnose`: reading a run's clocks.
//!
//! The student's `diagnose` is asked about runs it cannot have seen. Some
//! are real: the suite runs programs now (threads that sleep under the
//! course's GIL, threads that compute under it, threads and rayon that
//! compute without it) and measures them with the harness clock. Since a
//! busy machine blurs real runs, a real run is only put to the student when
//! its numbers are a clear specimen of what the program is; otherwise it is
//! measured again, and at worst not judged. The rest are drawn at random on
//! both sides of every line of the rule the book states (with a small
//! margin, so that a threshold written as `>` instead of `>=` does not
//! matter), with random core counts: a fixed answer, a lookup table or
//! thresholds fitted to the book's examples fail them.

use std::time::{Duration, Instant};

use harness::clock::{Sample, human, measure};
use rayon::prelude::*;

use crate::fetching::Draw;
use crate::gil::workload::{in_threads, instructions, interpret, one_after_another, sleep};

mod reference_gil {
    crate::gil_api!(gil_solution);
}

use reference_gil::Subject as Gil;

/// One run, as the suite hands it to the student's `diagnose`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    /// Wall time.
    pub wall: Duration,
    /// CPU time of all its threads.
    pub cpu: Duration,
    /// Cores available.
    pub cores: usize,
    /// Wall time of the same work one piece after another, if measured.
    pub sequential: Option<Duration>,
}

/// The four answers, as the suite names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Mostly waiting.
    Waiting,
    /// Computing on several cores at once, and faster for it.
    Parallel,
    /// Computing on one core at a time.
    Serial,
    /// CPU time beyond what the cores could give.
    Miscounted,
}

/// The student's `diagnose`, seen through the suite's types: the kind and
/// the parallelism it reported.
pub type Diagnose = fn(Run) -> (Kind, f64);

/// Defines `SUBJECT`: the crate's `diagnose` as a [`Diagnose`].
#[macro_export]
macro_rules! diagnose_adapter {
    ($krate:ident) => {
        pub const SUBJECT: $crate::diagnose::Diagnose = |run| {
            let d = $krate::diagnose(&$krate::Measured {
                wall: run.wall,
                cpu: run.cpu,
                cores: run.cores,
                sequential: run.sequential,
            });
            let kind = match d.kind {
                $krate::Kind::Waiting => $crate::diagnose::Kind::Waiting,
                $krate::Kind::Parallel => $crate::diagnose::Kind::Parallel,
                $krate::Kind::Serial => $crate::diagnose::Kind::Serial,
                $krate::Kind::Miscounted => $crate::diagnose::Kind::Miscounted,
            };
            (kind, d.parallelism)
        };
    };
}

/// The rule the book states, as the suite checks it: below this many cores
/// busy, waiting.
const WAITING_BELOW: f64 = 0.5;
/// From this many cores busy, parallel (if it also helped).
const PARALLEL_FROM: f64 = 1.4;
/// The speedup over the sequential time that says the cores helped.
const SPEEDUP_FROM: f64 = 1.2;
/// How far the CPU clock may exceed `cores` × wall.
const CLOCK_SLACK: f64 = 1.1;
/// Drawn cases keep this far from every line of the rule.
const MARGIN: f64 = 0.05;

impl Run {
    fn parallelism(&self) -> f64 {
        self.cpu.as_secs_f64() / self.wall.as_secs_f64()
    }

    fn speedup(&self) -> Option<f64> {
        self.sequential
            .map(|s| s.as_secs_f64() / self.wall.as_secs_f64())
    }

    /// The run in numbers, for messages.
    fn describe(&self) -> String {
        let seq = match (self.sequential, self.speedup()) {
            (Some(s), Some(x)) => format!(", sequential {} (×{x:.2})", human(s)),
            _ => ", sequential time not measured".to_owned(),
        };
        format!(
            "wall {}, CPU {} ({:.2} cores busy on average), {} core{}{seq}",
            human(self.wall),
            human(self.cpu),
            self.parallelism(),
            self.cores,
            if self.cores == 1 { "" } else { "s" },
        )
    }
}

/// Why a run is of the kind it is, in the rule's words.
fn because(kind: Kind, run: &Run) -> String {
    let p = run.parallelism();
    match kind {
        Kind::Miscounted => format!(
            "{p:.2} cores busy is more than {} core{} can give ({:.2} allowed with the clock's \
             slack): the CPU clock counted something besides this run",
            run.cores,
            if run.cores == 1 { "" } else { "s" },
            run.cores as f64 * CLOCK_SLACK
        ),
        Kind::Waiting => format!(
            "{p:.2} cores busy is below {WAITING_BELOW}: most of the time no core worked for \
             it, so it was waiting (sleep, I/O), whatever its speedup"
        ),
        Kind::Parallel => format!(
            "{p:.2} cores busy is at least {PARALLEL_FROM}{}: several cores computed at once and \
             the work finished sooner for it",
            run.speedup()
                .map(|s| format!(" and the speedup ×{s:.2} at least ×{SPEEDUP_FROM}"))
                .unwrap_or_default()
        ),
        Kind::Serial if p < PARALLEL_FROM => format!(
            "{p:.2} cores busy is between {WAITING_BELOW} and {PARALLEL_FROM}: it computed on \
             about one core at a time (a lock such as a GIL, one thread, or a busy machine)"
        ),
        Kind::Serial => format!(
            "{p:.2} cores were busy, but the speedup ×{:.2} is below ×{SPEEDUP_FROM}: the extra \
             core did not make the work finish sooner (a thread spinning, not computing)",
            run.speedup().unwrap_or(1.0)
        ),
    }
}

/// Asks `diagnose` about `run` and fails unless it answers `want`.
#[track_caller]
fn expect(diagnose: Diagnose, run: Run, want: Kind, what: &str) {
    let (got, _) = diagnose(run);
    assert!(
        got == want,
        "{what}: {}. diagnose answered {got:?}, expected {want:?}: {}. Apply the rule in \
         order: Miscounted, Waiting, Parallel, else Serial.",
        run.describe(),
        because(want, &run)
    );
}

/// A run with `parallelism` cores busy over a random wall time, and a
/// sequential time giving `speedup` if any.
fn drawn(draw: &mut Draw, cores: usize, parallelism: f64, speedup: Option<f64>) -> Run {
    let wall = Duration::from_micros(draw.pick(20_000..=3_000_000) as u64);
    Run {
        wall,
        cpu: wall.mul_f64(parallelism),
        cores,
        sequential: speedup.map(|s| wall.mul_f64(s)),
    }
}

/// A run given exactly, in nanoseconds: the rule's lines themselves, and
/// sizes the drawn runs do not reach.
fn exact(wall_ns: u64, cpu_ns: u64, cores: usize, sequential_ns: Option<u64>) -> Run {
    Run {
        wall: Duration::from_nanos(wall_ns),
        cpu: Duration::from_nanos(cpu_ns),
        cores,
        sequential: sequential_ns.map(Duration::from_nanos),
    }
}

const SEC: u64 = 1_000_000_000;

/// A number in `low..=high`, drawn in thousandths.
fn between(draw: &mut Draw, low: f64, high: f64) -> f64 {
    low + (high - low) * draw.pick(0..=1000) as f64 / 1000.0
}

/// The reported parallelism is CPU time over wall time, for runs of every
/// kind.
pub fn parallelism_is_cpu_time_over_wall_time(diagnose: Diagnose) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let cores = draw.pick(1..=16);
        let p = between(&mut draw, 0.0, cores as f64 * 1.5);
        let speedup = (draw.pick(0..=1) == 1).then(|| between(&mut draw, 0.5, 4.0));
        let run = drawn(&mut draw, cores, p, speedup);
        let (_, got) = diagnose(run);
        let want = run.parallelism();
        assert!(
            (got - want).abs() <= 1e-6 * want.max(1.0),
            "{}: diagnose reported a parallelism of {got:.4}, expected CPU time / wall time = \
             {want:.4} (the cores busy on average; not wall / CPU, not rounded, not capped at \
             the cores)",
            run.describe()
        );
    }
    // Clocks read to the nanosecond: short runs, long runs, many cores.
    for run in [
        exact(1_500, 2_999, 2, None),
        exact(3_700, 1_001, 4, Some(5_000)),
        exact(999_999, 1_999_997, 2, None),
        exact(
            3_600 * SEC + 7,
            70 * 3_600 * SEC + 3,
            96,
            Some(50 * 3_600 * SEC),
        ),
    ] {
        let (_, got) = diagnose(run);
        let want = run.parallelism();
        assert!(
            (got - want).abs() <= 1e-6 * want.max(1.0),
            "{} (wall {} ns, CPU {} ns): diagnose reported a parallelism of {got:.6}, \
             expected CPU time / wall time = {want:.6}, from the durations as they are (not \
             rounded to micro- or milliseconds first)",
            run.describe(),
            run.wall.as_nanos(),
            run.cpu.as_nanos()
        );
    }
}

/// Below half a core busy the run was waiting, whatever its speedup; from
/// there up to the parallel line it was working on one core, also when a
/// busy machine gave it only part of one.
pub fn waiting_or_working(diagnose: Diagnose) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let cores = draw.pick(1..=16);
        let speedup = (draw.pick(0..=1) == 1).then(|| between(&mut draw, 0.9, 8.0));
        let p = between(&mut draw, 0.0, WAITING_BELOW - MARGIN);
        let run = drawn(&mut draw, cores, p, speedup);
        expect(diagnose, run, Kind::Waiting, "a run that mostly waited");
        let p = between(
            &mut draw,
            WAITING_BELOW + MARGIN,
            (PARALLEL_FROM - MARGIN).min(cores as f64),
        );
        let speedup = (draw.pick(0..=1) == 1).then(|| between(&mut draw, 0.6, 1.1));
        let run = drawn(&mut draw, cores, p, speedup);
        expect(
            diagnose,
            run,
            Kind::Serial,
            "a run that computed on one core",
        );
    }
    // On the line: exactly half a core busy is not "fewer than" half.
    expect(
        diagnose,
        exact(2 * SEC, SEC, 4, None),
        Kind::Serial,
        "a run with exactly half a core busy (the line itself belongs to working)",
    );
}

/// From the parallel line up to the cores available, with a speedup to
/// show for it (or no sequential time to compare with), the run was
/// parallel: also well below the ideal, as on a busy machine.
pub fn several_busy_cores_are_parallel(diagnose: Diagnose) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let cores = draw.pick(2..=16);
        // Half of them as a busy machine shows them: just past the line.
        let most = if draw.pick(0..=1) == 1 {
            1.8
        } else {
            cores as f64
        };
        let p = between(&mut draw, PARALLEL_FROM + MARGIN, most.min(cores as f64));
        let speedup = (draw.pick(0..=1) == 1).then(|| {
            between(
                &mut draw,
                SPEEDUP_FROM + MARGIN,
                p.max(SPEEDUP_FROM + MARGIN),
            )
        });
        let run = drawn(&mut draw, cores, p, speedup);
        expect(
            diagnose,
            run,
            Kind::Parallel,
            "a run that computed on several cores",
        );
    }
    for (run, what) in [
        (
            exact(SEC, 1_400_000_000, 2, Some(1_200_000_000)),
            "a run exactly on both lines, 1.4 cores busy and a speedup of ×1.2 (at least \
             means the line itself counts)",
        ),
        (
            exact(SEC, 20 * SEC, 64, Some(18 * SEC)),
            "a run on 20 of 64 cores (a rule may not cap the cores it believes in)",
        ),
        (
            exact(SEC, 67 * SEC, 64, Some(60 * SEC)),
            "a run on all of 64 cores, its CPU clock within the slack (the slack holds for any \
             number of cores)",
        ),
        (
            exact(500_000, 1_800_000, 4, Some(1_600_000)),
            "a run of half a millisecond on four cores (short runs follow the rule too)",
        ),
    ] {
        expect(diagnose, run, Kind::Parallel, what);
    }
}

/// Several cores busy but no faster than one after another: one thread
/// computed while another spun. The CPU clock alone would call it parallel;
/// the sequential time says it was not.
pub fn busy_cores_without_a_speedup_are_serial(diagnose: Diagnose) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let cores = draw.pick(2..=16);
        let p = between(&mut draw, PARALLEL_FROM + MARGIN, cores as f64);
        let speedup = between(&mut draw, 0.7, SPEEDUP_FROM - MARGIN);
        let run = drawn(&mut draw, cores, p, Some(speedup));
        expect(
            diagnose,
            run,
            Kind::Serial,
            "a run that kept cores busy without finishing sooner",
        );
    }
    expect(
        diagnose,
        exact(600 * SEC, 1_200 * SEC, 8, Some(630 * SEC)),
        Kind::Serial,
        "a ten-minute run with two cores busy and a speedup of ×1.05 (the sequential time \
         counts for long runs too)",
    );
}

/// More cores busy than the machine has is a measurement of something
/// else; up to the cores available it is believed. The core count decides.
pub fn cpu_time_beyond_the_cores_is_miscounted(diagnose: Diagnose) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let cores = draw.pick(1..=8);
        let limit = cores as f64 * CLOCK_SLACK;
        let p = between(&mut draw, limit + MARGIN, limit * 3.0);
        let speedup = (draw.pick(0..=1) == 1).then(|| between(&mut draw, 0.8, cores as f64));
        let run = drawn(&mut draw, cores, p, speedup);
        expect(
            diagnose,
            run,
            Kind::Miscounted,
            "a run whose CPU clock counted more than its cores",
        );
        // Just within the cores: believed.
        let p = between(&mut draw, 0.9, 1.0) * cores as f64;
        let speedup = Some(between(&mut draw, 0.9, 1.0) * cores as f64);
        let run = drawn(&mut draw, cores, p, speedup);
        let want = if cores == 1 {
            Kind::Serial
        } else {
            Kind::Parallel
        };
        expect(
            diagnose,
            run,
            want,
            "a run that kept (nearly) all its cores busy",
        );
    }
    expect(
        diagnose,
        exact(SEC, 3 * SEC, 2, Some(5 * SEC)),
        Kind::Miscounted,
        "a run on 2 cores whose CPU clock says 3 were busy, with a speedup of ×5 (Miscounted \
         comes first, whatever the speedup)",
    );
}

/// Measures `work` once, and `sequential` first when given.
fn take(work: &mut dyn FnMut(), sequential: Option<&mut dyn FnMut()>) -> Run {
    let seq = sequential.map(|s| measure(s).1.wall);
    let ((), Sample { wall, cpu }) = measure(work);
    Run {
        wall,
        cpu,
        cores: harness::available_cores(),
        sequential: seq,
    }
}

/// Measures a real run until it is a clear specimen of `want` (at most 4
/// times in 5 s), then asks `diagnose` about it. A machine too busy to give
/// a clear specimen is reported, not judged (the answers are still asked
/// for: a panic fails).
fn fresh(
    diagnose: Diagnose,
    what: &str,
    want: Kind,
    clear: impl Fn(&Run) -> bool,
    mut measure_once: impl FnMut(&mut Draw) -> Run,
) {
    let mut draw = Draw::new();
    let began = Instant::now();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let run = measure_once(&mut draw);
        if clear(&run) {
            expect(diagnose, run, want, &format!("{what}, measured just now"));
            return;
        }
        // Asked all the same, so that a function that panics on a real run
        // fails; its answer is not judged.
        let (said, _) = diagnose(run);
        seen.push(format!("{}: you said {said:?}", run.describe()));
        if began.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    // Recorded as not judged (the grader leaves its points out, and a decoy
    // runner does not take it for a pass), not merely printed.
    harness::speedup::not_judged(
        what,
        &format!(
            "no run was a clear {want:?} specimen on this busy machine ({}). The drawn cases \
             still judged the rule.",
            seen.join("; ")
        ),
    );
}

/// Four threads that each sleep 40 ms under the course's GIL, releasing it
/// while they sleep (the tutorial's `time.sleep` example): the sleeps
/// overlap, so the run is fast, yet no core works. Waiting.
pub fn sleeping_threads_under_the_gil_are_waiting(diagnose: Diagnose) {
    use crate::gil::GilApi;
    const NAP: Duration = Duration::from_millis(40);
    fresh(
        diagnose,
        "4 threads sleeping 40 ms each under the GIL",
        Kind::Waiting,
        |run| run.parallelism() < 0.3,
        |draw| {
            let gil = Gil::new(Duration::from_millis(5));
            let mut threads = || in_threads(4, |_| sleep(&gil, NAP));
            let mut seq = || one_after_another(4, |_| std::thread::sleep(NAP));
            take(
                &mut threads,
                (draw.pick(0..=1) == 1).then_some(&mut seq as &mut dyn FnMut()),
            )
        },
    );
}

/// Four threads that compute under the course's GIL, checking in as
/// CPython's loop does: one runs at a time. Serial.
pub fn computing_threads_under_the_gil_are_serial(diagnose: Diagnose) {
    use crate::gil::GilApi;
    let steps = crate::gil::workload::steps_for(Duration::from_millis(40));
    fresh(
        diagnose,
        "4 threads computing 40 ms each under the GIL",
        Kind::Serial,
        |run| (0.6..=1.3).contains(&run.parallelism()) && run.speedup().is_none_or(|s| s < 1.1),
        |draw| {
            let gil = Gil::new(Duration::from_millis(5));
            let mut threads = || in_threads(4, |_| interpret(&gil, steps, None));
            let mut seq = || one_after_another(4, |_| instructions(steps));
            take(
                &mut threads,
                (draw.pick(0..=1) == 1).then_some(&mut seq as &mut dyn FnMut()),
            )
        },
    );
}

/// The same computation in four plain threads, or with rayon: nothing
/// holds them back, so on two cores or more they run at once. Parallel (on
/// one core, serial).
pub fn computing_threads_without_a_gil_are_parallel(diagnose: Diagnose) {
    let steps = crate::gil::workload::steps_for(Duration::from_millis(40));
    let cores = harness::available_cores();
    let (want, clear): (Kind, fn(&Run) -> bool) = if cores >= 2 {
        (Kind::Parallel, |run| {
            run.parallelism() >= 1.55
                && run.parallelism() <= run.cores as f64
                && run.speedup().is_none_or(|s| s >= 1.35)
        })
    } else {
        (Kind::Serial, |run| (0.6..=1.0).contains(&run.parallelism()))
    };
    fresh(
        diagnose,
        "4 pieces of 40 ms of computing in threads or rayon, no GIL",
        want,
        clear,
        |draw| {
            let mut threads = || in_threads(4, |_| instructions(steps));
            let mut rayon = || {
                (0..4u64)
                    .into_par_iter()
                    .map(|_| instructions(steps))
                    .reduce(|| 0, u64::wrapping_add);
            };
            let mut seq = || one_after_another(4, |_| instructions(steps));
            let work: &mut dyn FnMut() = if draw.pick(0..=1) == 1 {
                &mut threads
            } else {
                &mut rayon
            };
            take(
                work,
                (draw.pick(0..=1) == 1).then_some(&mut seq as &mut dyn FnMut()),
            )
        },
    );
}

crate::declare_suite!($ diagnose: Diagnose = diagnose_adapter! [
    parallelism_is_cpu_time_over_wall_time,
    waiting_or_working,
    several_busy_cores_are_parallel,
    busy_cores_without_a_speedup_are_serial,
    cpu_time_beyond_the_cores_is_miscounted,
    sleeping_threads_under_the_gil_are_waiting,
    computing_threads_under_the_gil_are_serial,
    computing_threads_without_a_gil_are_parallel,
]);
