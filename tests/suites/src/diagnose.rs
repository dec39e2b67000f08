//! Suite of `exercises/pitfalls/diagnose`: reading a run's clocks.
//!
//! The student's `diagnose` is asked about runs it cannot have seen. Some
//! are real: the suite runs programs now (threads that sleep under the
//! course's GIL, threads that compute under it, threads and rayon that
//! compute without it) and measures them with the harness clock. Since a
//! busy machine blurs real runs, a real run is only put to the student when
//! its numbers are a clear specimen of what the program is; otherwise it is
//! measured again, and at worst not judged. The rest are drawn at random on
//! both sides of every line of the rule the book states, over the whole
//! range the book allows (walls from a microsecond to an hour, 1 to 512
//! cores, any speedup), half of them in the bands next to the lines; a
//! drawn run keeps only a nanosecond off each line, where clocks divided
//! one way or another may round either side. The lines themselves, and a
//! hair either side of each, are given exactly. A fixed answer, a lookup
//! table, thresholds fitted to the book's examples, a rounded figure, a
//! tolerance or a cap on the cores fail them; so does an answer remembered
//! between calls, since some clocks are asked again with other cores or
//! another sequential time.

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

impl Run {
    fn parallelism(&self) -> f64 {
        self.cpu.as_secs_f64() / self.wall.as_secs_f64()
    }

    fn speedup(&self) -> Option<f64> {
        self.sequential
            .map(|s| s.as_secs_f64() / self.wall.as_secs_f64())
    }

    /// The same two clocks, with other cores or another sequential time.
    fn with(self, cores: usize, sequential: Option<Duration>) -> Run {
        Run {
            cores,
            sequential,
            ..self
        }
    }

    /// The run in numbers, for messages: to the nanosecond too when the
    /// rounded figures would hide it.
    fn describe(&self) -> String {
        let seq = match (self.sequential, self.speedup()) {
            (Some(s), Some(x)) => format!(", sequential {} (×{})", human(s), fig(x)),
            _ => ", sequential time not measured".to_owned(),
        };
        let clocks = [Some(self.wall), Some(self.cpu), self.sequential];
        let ns = if clocks.into_iter().flatten().any(shown_rounded) {
            format!(
                " [to the nanosecond: wall {} ns, CPU {} ns{}]",
                self.wall.as_nanos(),
                self.cpu.as_nanos(),
                self.sequential
                    .map(|s| format!(", sequential {} ns", s.as_nanos()))
                    .unwrap_or_default()
            )
        } else {
            String::new()
        };
        format!(
            "wall {}, CPU {} ({} cores busy on average), {} core{}{seq}{ns}",
            human(self.wall),
            human(self.cpu),
            fig(self.parallelism()),
            self.cores,
            if self.cores == 1 { "" } else { "s" },
        )
    }
}

/// Whether `human` shows `d` rounded (to 10 ms, 1 ms or 1 µs).
fn shown_rounded(d: Duration) -> bool {
    let unit: u128 = if d >= Duration::from_secs(1) {
        10_000_000
    } else if d >= Duration::from_millis(1) {
        1_000_000
    } else {
        1_000
    };
    d.as_nanos() % unit != 0
}

/// A figure with at least two decimals and up to six, so that a run a
/// hair from a line does not read as on it.
fn fig(x: f64) -> String {
    let six = format!("{x:.6}");
    let trimmed = six.trim_end_matches('0');
    let decimals = trimmed.len() - trimmed.find('.').map_or(trimmed.len(), |i| i + 1);
    if decimals <= 2 {
        format!("{x:.2}")
    } else {
        trimmed.to_owned()
    }
}

/// The kind the rule the book states gives `run`.
fn rule(run: &Run) -> Kind {
    let p = run.parallelism();
    if p > run.cores as f64 * CLOCK_SLACK {
        Kind::Miscounted
    } else if p < WAITING_BELOW {
        Kind::Waiting
    } else if p >= PARALLEL_FROM && run.speedup().is_none_or(|s| s >= SPEEDUP_FROM) {
        Kind::Parallel
    } else {
        Kind::Serial
    }
}

/// The rule's lines, each with the figure of `run` it is drawn on.
fn lines(run: &Run) -> Vec<(String, f64, f64)> {
    let p = run.parallelism();
    let mut lines = vec![
        (
            format!("the waiting line ({WAITING_BELOW} core)"),
            p,
            WAITING_BELOW,
        ),
        (
            format!("the parallel line ({PARALLEL_FROM} cores)"),
            p,
            PARALLEL_FROM,
        ),
        (
            format!(
                "the clock's slack line ({} cores × {CLOCK_SLACK} = {} cores busy)",
                run.cores,
                fig(run.cores as f64 * CLOCK_SLACK)
            ),
            p,
            run.cores as f64 * CLOCK_SLACK,
        ),
    ];
    if let Some(s) = run.speedup() {
        lines.push((
            format!("the speedup line (×{SPEEDUP_FROM})"),
            s,
            SPEEDUP_FROM,
        ));
    }
    lines
}

/// Whether `run` is within a nanosecond of CPU (or sequential) time, or a
/// billionth, of a line of the rule. Drawn runs keep off the lines: on one,
/// clocks divided one way or another (or a line rounded to the nanosecond)
/// may fall either side. The given runs put the lines themselves exactly.
fn on_a_line(run: &Run) -> bool {
    let wall_ns = run.wall.as_nanos() as f64;
    lines(run).into_iter().any(|(_, x, line)| {
        let off = (x - line).abs();
        off * wall_ns <= 1.0 || off <= 1e-9 * line
    })
}

/// The lines `run` is close to (within 5%, or 0.06 of a core), if any.
fn close_lines(run: &Run) -> Option<String> {
    let close: Vec<String> = lines(run)
        .into_iter()
        .filter(|&(_, x, line)| (x - line).abs() <= (0.05 * line).max(0.06))
        .map(|(name, _, _)| name)
        .collect();
    (!close.is_empty()).then(|| close.join(" and "))
}

/// Why a run is of the kind it is, in the rule's words.
fn because(kind: Kind, run: &Run) -> String {
    let p = fig(run.parallelism());
    match kind {
        Kind::Miscounted => format!(
            "{p} cores busy is more than {} core{} can give ({} allowed with the clock's \
             slack): the CPU clock counted something besides this run",
            run.cores,
            if run.cores == 1 { "" } else { "s" },
            fig(run.cores as f64 * CLOCK_SLACK)
        ),
        Kind::Waiting => format!(
            "{p} cores busy is below {WAITING_BELOW}: most of the time no core worked for \
             it, so it was waiting (sleep, I/O), whatever its speedup"
        ),
        Kind::Parallel => format!(
            "{p} cores busy is at least {PARALLEL_FROM}{}: several cores computed at once and \
             the work finished sooner for it",
            run.speedup()
                .map(|s| format!(" and the speedup ×{} at least ×{SPEEDUP_FROM}", fig(s)))
                .unwrap_or_default()
        ),
        Kind::Serial if run.parallelism() < PARALLEL_FROM => format!(
            "{p} cores busy is between {WAITING_BELOW} and {PARALLEL_FROM}: it computed on \
             about one core at a time (a lock such as a GIL, one thread, or a busy machine), \
             whatever its speedup"
        ),
        Kind::Serial => format!(
            "{p} cores were busy, but the speedup ×{} is below ×{SPEEDUP_FROM}: the extra \
             core did not make the work finish sooner (a thread spinning, not computing)",
            fig(run.speedup().unwrap_or(1.0))
        ),
    }
}

/// Asks `diagnose` about `run` and fails unless it answers `want`.
#[track_caller]
fn expect(diagnose: Diagnose, run: Run, want: Kind, what: &str) {
    let (got, _) = diagnose(run);
    let close = close_lines(&run)
        .map(|lines| {
            format!(
                " The run is close to {lines}: every line holds exactly, on the clocks as \
                 given to the nanosecond (no rounding, no tolerance but the clock's slack)."
            )
        })
        .unwrap_or_default();
    assert!(
        got == want,
        "{what}: {}. diagnose answered {got:?}, expected {want:?}: {}. Apply the rule in \
         order: Miscounted, Waiting, Parallel, else Serial.{close}",
        run.describe(),
        because(want, &run)
    );
}

/// A wall time from a microsecond to an hour, spread evenly over the
/// orders of magnitude between, to the nanosecond.
fn wall_drawn(draw: &mut Draw) -> Duration {
    let exponent = 3.0 + 9.556 * draw.pick(0..=1_000_000) as f64 / 1e6;
    Duration::from_nanos(10f64.powf(exponent) as u64)
}

/// Cores from `least` up: half the time a machine of up to 16, half the
/// time one of 17 to 512 (a rule that believes in at most so many cores
/// fails).
fn cores_drawn(draw: &mut Draw, least: usize) -> usize {
    if draw.pick(0..=1) == 0 {
        draw.pick(least..=16)
    } else {
        draw.pick(17..=512)
    }
}

/// A number in `low..=high`, in millionths of the width: half the time
/// anywhere, half the time within 3% of one end or the other (the bands
/// next to the rule's lines, where a rounded figure or a tolerance shows).
fn across(draw: &mut Draw, low: f64, high: f64) -> f64 {
    let u = draw.pick(0..=1_000_000) as f64 / 1e6;
    let width = high - low;
    match draw.pick(0..=3) {
        0 => low + width.min(0.03 * low) * u,
        1 => high - width.min(0.03 * high) * u,
        _ => low + width * u,
    }
}

/// Half the time no sequential time, half the time a speedup drawn
/// `across` `low..=high`.
fn maybe_speedup(draw: &mut Draw, low: f64, high: f64) -> Option<f64> {
    (draw.pick(0..=1) == 1).then(|| across(draw, low, high))
}

/// A run on `cores` with `parallelism` cores busy over a drawn wall time,
/// and a sequential time giving `speedup` if any.
fn drawn(draw: &mut Draw, cores: usize, parallelism: f64, speedup: Option<f64>) -> Run {
    let wall = wall_drawn(draw);
    Run {
        wall,
        cpu: wall.mul_f64(parallelism),
        cores,
        sequential: speedup.map(|s| wall.mul_f64(s)),
    }
}

/// A run made by `make` that the rule gives `want`, off every line: made
/// again until it is (clocks rounded to the nanosecond move a short run).
fn drawn_as(draw: &mut Draw, want: Kind, mut make: impl FnMut(&mut Draw) -> Run) -> Run {
    for _ in 0..10_000 {
        let run = make(draw);
        if rule(&run) == want && !on_a_line(&run) {
            return run;
        }
    }
    panic!("the suite could not draw a {want:?} run off the rule's lines: a fault of the suite")
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
/// A hair: a microsecond in a second.
const HAIR: u64 = 1_000;

/// The reported parallelism is CPU time over wall time, for runs of every
/// kind.
pub fn parallelism_is_cpu_time_over_wall_time(diagnose: Diagnose) {
    let mut draw = Draw::new();
    let check = |run: Run, what: &str| {
        let (_, got) = diagnose(run);
        let want = run.parallelism();
        assert!(
            (got - want).abs() <= 1e-6 * want.max(1.0),
            "{what}{}: diagnose reported a parallelism of {got:.6}, expected CPU time / wall \
             time = {want:.6}, from the durations as they are (the cores busy on average, for \
             runs of every kind, Miscounted too: not wall / CPU, not rounded to micro- or \
             milliseconds first, not capped at the cores)",
            run.describe()
        );
    };
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 1);
        let p = across(&mut draw, 0.0, cores as f64 * CLOCK_SLACK * 3.0);
        let speedup = maybe_speedup(&mut draw, 0.3, 8.0);
        check(drawn(&mut draw, cores, p, speedup), "");
    }
    // Clocks read to the nanosecond: short runs, long runs, many cores,
    // and CPU clocks far beyond the cores.
    for (run, what) in [
        (exact(1_500, 2_999, 2, None), ""),
        (exact(3_700, 1_001, 4, Some(5_000)), ""),
        (exact(999_999, 1_999_997, 2, None), ""),
        (
            exact(
                3_600 * SEC + 7,
                70 * 3_600 * SEC + 3,
                96,
                Some(50 * 3_600 * SEC),
            ),
            "",
        ),
        (
            exact(SEC, 6 * SEC, 2, None),
            "a run on 2 cores whose CPU clock says 6 were busy: ",
        ),
        (
            exact(SEC, 40 * SEC, 1, Some(SEC)),
            "a run on 1 core whose CPU clock says 40 were busy: ",
        ),
        (
            exact(10 * SEC, 20_000 * SEC, 512, None),
            "a run on 512 cores whose CPU clock says 2000 were busy: ",
        ),
    ] {
        check(run, what);
    }
}

/// Below half a core busy the run was waiting, whatever its speedup; from
/// there up to the parallel line it was working on one core, whatever its
/// speedup, also when a busy machine gave it only part of one.
pub fn waiting_or_working(diagnose: Diagnose) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 1);
        let run = drawn_as(&mut draw, Kind::Waiting, |draw| {
            let p = across(draw, 0.0, WAITING_BELOW);
            let speedup = maybe_speedup(draw, 0.3, 8.0);
            drawn(draw, cores, p, speedup)
        });
        expect(diagnose, run, Kind::Waiting, "a run that mostly waited");
        let run = drawn_as(&mut draw, Kind::Serial, |draw| {
            let top = PARALLEL_FROM.min(cores as f64 * CLOCK_SLACK);
            let p = across(draw, WAITING_BELOW, top);
            let speedup = maybe_speedup(draw, 0.3, 8.0);
            drawn(draw, cores, p, speedup)
        });
        expect(
            diagnose,
            run,
            Kind::Serial,
            "a run that computed on one core at a time",
        );
    }
    for (run, want, what) in [
        (
            exact(2 * SEC, SEC, 4, None),
            Kind::Serial,
            "a run with exactly half a core busy (the line itself belongs to working)",
        ),
        (
            exact(SEC, SEC / 2 - HAIR, 4, None),
            Kind::Waiting,
            "a run a hair (1 µs in 1 s) below half a core busy",
        ),
        (
            exact(SEC, SEC / 2 + HAIR, 4, Some(3 * SEC)),
            Kind::Serial,
            "a run a hair (1 µs in 1 s) above half a core busy, with a speedup of ×3",
        ),
        (
            exact(SEC, 470_000_000, 2, Some(2 * SEC)),
            Kind::Waiting,
            "a run with 0.47 cores busy (decided on the figure itself, not on it rounded)",
        ),
        (
            exact(SEC, 1_400_000_000 - HAIR, 2, None),
            Kind::Serial,
            "a run a hair (1 µs in 1 s) below the parallel line, no sequential time",
        ),
        (
            exact(SEC, 1_370_000_000, 4, None),
            Kind::Serial,
            "a run with 1.37 cores busy, no sequential time",
        ),
        (
            exact(SEC, 800_000_000, 2, Some(1_500_000_000)),
            Kind::Serial,
            "a run with 0.8 cores busy and a speedup of ×1.5",
        ),
        (
            exact(SEC, 1_100_000_000, 2, Some(1_300_000_000)),
            Kind::Serial,
            "a run with 1.1 cores busy and a speedup of ×1.3",
        ),
        (
            exact(SEC, SEC, 4, Some(1_200_000_000)),
            Kind::Serial,
            "a run with exactly one core busy and a speedup of exactly ×1.2",
        ),
        (
            exact(SEC, 1_400_000_000 - HAIR, 8, Some(4 * SEC)),
            Kind::Serial,
            "a run a hair (1 µs in 1 s) below the parallel line, with a speedup of ×4",
        ),
        (
            exact(SEC, 1_050_000_000, 1, None),
            Kind::Serial,
            "a run on one core with 1.05 busy (within the clock's slack: believed)",
        ),
        (
            exact(1_900, 2_500, 2, None),
            Kind::Serial,
            "a run of 1.9 µs with 2.5 µs of CPU time, 1.32 cores busy (the clocks read to \
             the nanosecond, not in whole microseconds)",
        ),
        (
            exact(1_900, 950, 2, None),
            Kind::Serial,
            "a run of 1.9 µs with 950 ns of CPU time, exactly half a core busy (the clocks \
             read to the nanosecond, not in whole microseconds)",
        ),
        (
            exact(2_999, 1_400, 2, Some(9_000)),
            Kind::Waiting,
            "a run of 3 µs with 1.4 µs of CPU time, 0.47 cores busy (the clocks read to the \
             nanosecond, not in whole microseconds)",
        ),
    ] {
        expect(diagnose, run, want, what);
    }
}

/// From the parallel line up to the cores available (and their slack),
/// with a speedup to show for it (or no sequential time to compare with),
/// the run was parallel: also well below the ideal, as on a busy machine,
/// and on a machine of hundreds of cores.
pub fn several_busy_cores_are_parallel(diagnose: Diagnose) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 2);
        let run = drawn_as(&mut draw, Kind::Parallel, |draw| {
            let top = cores as f64 * CLOCK_SLACK;
            // Half of them as a busy machine shows them: just past the line.
            let most = if draw.pick(0..=1) == 1 { 1.8 } else { top };
            let p = across(draw, PARALLEL_FROM, most);
            let speedup = maybe_speedup(draw, SPEEDUP_FROM, p.max(SPEEDUP_FROM * 1.5));
            drawn(draw, cores, p, speedup)
        });
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
            exact(SEC, 1_400_000_000 + HAIR, 2, None),
            "a run a hair (1 µs in 1 s) past the parallel line, no sequential time",
        ),
        (
            exact(SEC, 1_600_000_000, 2, Some(1_200_000_000 + HAIR)),
            "a run with 1.6 cores busy and a speedup a hair (1 µs in 1 s) past ×1.2",
        ),
        (
            exact(SEC, 20 * SEC, 64, Some(18 * SEC)),
            "a run on 20 of 64 cores (a rule may not cap the cores it believes in)",
        ),
        (
            exact(SEC, 80 * SEC, 96, Some(60 * SEC)),
            "a run on 80 of 96 cores (a rule may not cap the cores it believes in)",
        ),
        (
            exact(SEC, 67 * SEC, 64, Some(60 * SEC)),
            "a run on all of 64 cores, its CPU clock within the slack (the slack holds for any \
             number of cores)",
        ),
        (
            exact(SEC, 140_800_000_000, 128, None),
            "a run on 128 cores exactly on the clock's slack line, 140.8 cores busy (more than \
             the line is Miscounted; the line itself is believed)",
        ),
        (
            exact(500_000, 1_800_000, 4, Some(1_600_000)),
            "a run of half a millisecond on four cores (short runs follow the rule too)",
        ),
        (
            exact(1_000, 1_999, 2, Some(1_999)),
            "a run of 1 µs with 1.999 µs of CPU time and a speedup of ×2 (the clocks read to \
             the nanosecond, not in whole microseconds)",
        ),
    ] {
        expect(diagnose, run, Kind::Parallel, what);
    }
}

/// Several cores busy but no faster than one after another: one thread
/// computed while another spun. The CPU clock alone would call it parallel;
/// the sequential time says it was not, for short runs and long ones. The
/// same clocks without a sequential time are asked first: the answer is
/// read off the run given, not remembered for its clocks.
pub fn busy_cores_without_a_speedup_are_serial(diagnose: Diagnose) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 2);
        let run = drawn_as(&mut draw, Kind::Serial, |draw| {
            let p = across(draw, PARALLEL_FROM, cores as f64 * CLOCK_SLACK);
            let speedup = across(draw, 0.3, SPEEDUP_FROM);
            drawn(draw, cores, p, Some(speedup))
        });
        expect(
            diagnose,
            run.with(cores, None),
            Kind::Parallel,
            "a run that computed on several cores, its sequential time not measured",
        );
        expect(
            diagnose,
            run,
            Kind::Serial,
            "the same clocks, now with a sequential time that shows no speedup: a run that \
             kept cores busy without finishing sooner",
        );
    }
    for (run, want, what) in [
        (
            exact(600 * SEC, 1_200 * SEC, 8, Some(630 * SEC)),
            Kind::Serial,
            "a ten-minute run with two cores busy and a speedup of ×1.05 (the sequential time \
             counts for long runs too)",
        ),
        (
            exact(SEC, 1_600_000_000, 2, Some(1_200_000_000 - HAIR)),
            Kind::Serial,
            "a run with 1.6 cores busy and a speedup a hair (1 µs in 1 s) below ×1.2",
        ),
        (
            exact(SEC, 1_600_000_000, 2, Some(1_170_000_000)),
            Kind::Serial,
            "a run with 1.6 cores busy and a speedup of ×1.17",
        ),
        (
            exact(500_000, 900_000, 2, Some(500_000)),
            Kind::Serial,
            "a run of half a millisecond with 1.8 cores busy and no speedup (the sequential \
             time counts for short runs too)",
        ),
        (
            exact(1_999, 3_000, 4, Some(2_300)),
            Kind::Serial,
            "a run of 2 µs with 1.5 cores busy and a speedup of ×1.15 (the clocks read to \
             the nanosecond, not in whole microseconds)",
        ),
        (
            exact(SEC, 1_800_000_000, 2, None),
            Kind::Parallel,
            "a run with 1.8 cores busy, its sequential time not measured",
        ),
        (
            exact(SEC, 1_800_000_000, 2, Some(SEC)),
            Kind::Serial,
            "the same clocks, now with a sequential time that shows no speedup",
        ),
    ] {
        expect(diagnose, run, want, what);
    }
}

/// More cores busy than the machine has is a measurement of something
/// else; up to the cores available (and the clock's slack) it is believed,
/// on any number of cores. The core count decides: the same clocks on
/// fewer cores are asked after the believed ones.
pub fn cpu_time_beyond_the_cores_is_miscounted(diagnose: Diagnose) {
    let mut draw = Draw::new();
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 1);
        let limit = cores as f64 * CLOCK_SLACK;
        let run = drawn_as(&mut draw, Kind::Miscounted, |draw| {
            let p = across(draw, limit, limit * 3.0);
            let speedup = maybe_speedup(draw, 0.8, cores as f64 * 3.0);
            drawn(draw, cores, p, speedup)
        });
        // The same clocks on enough cores: believed.
        let enough = run.with(
            (run.parallelism() / CLOCK_SLACK).ceil() as usize + 1,
            run.sequential,
        );
        expect(
            diagnose,
            enough,
            rule(&enough),
            "a run with enough cores for its CPU clock",
        );
        expect(
            diagnose,
            run,
            Kind::Miscounted,
            "the same clocks on fewer cores: a run whose CPU clock counted more than its cores",
        );
        // Within the cores and their slack: believed.
        let want = if cores == 1 {
            Kind::Serial
        } else {
            Kind::Parallel
        };
        let run = drawn_as(&mut draw, want, |draw| {
            let p = across(draw, 0.9 * cores as f64, limit);
            let speedup = Some(across(draw, 0.9 * cores as f64, p.max(cores as f64)));
            drawn(draw, cores, p, speedup)
        });
        expect(
            diagnose,
            run,
            want,
            "a run that kept (nearly) all its cores busy",
        );
    }
    // Exactly on the slack line, and a hair (1 µs in 1 s) either side, on
    // 1 to 512 cores (powers of two: cores × 1.1 is then exact).
    for cores in (0..=9).map(|k| 1usize << k) {
        let line = cores as u64 * 1_100_000_000;
        let believed = if cores == 1 {
            Kind::Serial
        } else {
            Kind::Parallel
        };
        for (cpu, want, what) in [
            (line, believed, "exactly on the clock's slack line"),
            (
                line - HAIR,
                believed,
                "a hair (1 µs in 1 s) below the clock's slack line",
            ),
            (
                line + HAIR,
                Kind::Miscounted,
                "a hair (1 µs in 1 s) past the clock's slack line",
            ),
        ] {
            expect(
                diagnose,
                exact(SEC, cpu, cores, None),
                want,
                &format!(
                    "a run on {cores} core{} {what} (more than cores × {CLOCK_SLACK} busy is \
                     Miscounted; up to it, the clock is believed)",
                    if cores == 1 { "" } else { "s" }
                ),
            );
        }
    }
    for (run, want, what) in [
        (
            exact(SEC, 80 * SEC, 96, None),
            Kind::Parallel,
            "a run on 80 of 96 cores (a rule may not cap the cores it believes in)",
        ),
        (
            exact(SEC, 106 * SEC, 96, None),
            Kind::Miscounted,
            "a run on 96 cores whose CPU clock says 106 were busy",
        ),
        (
            exact(SEC, 1_800_000_000, 2, None),
            Kind::Parallel,
            "a run with 1.8 cores busy on 2 cores",
        ),
        (
            exact(SEC, 1_800_000_000, 1, None),
            Kind::Miscounted,
            "the same clocks on fewer cores: 1.8 cores busy on 1 core",
        ),
        (
            exact(SEC, 3 * SEC, 2, Some(5 * SEC)),
            Kind::Miscounted,
            "a run on 2 cores whose CPU clock says 3 were busy, with a speedup of ×5 \
             (Miscounted comes first, whatever the speedup)",
        ),
    ] {
        expect(diagnose, run, want, what);
    }
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
