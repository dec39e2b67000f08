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
//! range the types allow (see [`crate::pure`]): walls from a nanosecond up
//! to `Duration::MAX`, as far as the run's other clocks still fit a
//! `Duration` (a quarter of them past a thousand years), 1 to `usize::MAX`
//! cores, from no core busy to 10^9 times the cores, any speedup from none
//! or zero to ×10^9.
//! The rule is computed exactly (each line is whole tenths: `cpu × 10 ≥
//! wall × 14` in nanoseconds, in `u128`), so runs are put on each line and
//! a nanosecond either side of it at every scale, where a tolerance or a
//! float rounds. A fixed answer, a lookup table, thresholds fitted to the
//! book's examples, a rounded figure, a tolerance, a clamp or a cap fail;
//! so does an answer remembered between calls (some clocks are asked again
//! with other cores or another sequential time; one test calls 100,000
//! times and reads the crate's source for a `static`).

use std::time::{Duration, Instant};

use harness::clock::{Sample, human, measure};
use rayon::prelude::*;

use crate::fetching::Draw;
use crate::gil::workload::{in_threads, instructions, interpret, one_after_another, sleep};
use crate::pure::{log_uniform, nanos};

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

/// The student's `diagnose`, seen through the suite's types (the kind and
/// the parallelism it reported), and the source of its crate.
#[derive(Clone, Copy)]
pub struct Diagnose {
    /// The crate's `diagnose`.
    pub diagnose: fn(Run) -> (Kind, f64),
    /// The crate's `src/lib.rs`, read when the suite was built.
    pub source: &'static str,
}

impl Diagnose {
    /// Asks the crate's `diagnose`.
    pub fn call(&self, run: Run) -> (Kind, f64) {
        (self.diagnose)(run)
    }
}

/// Defines `SUBJECT`: the crate's `diagnose` as a [`Diagnose`], with the
/// crate's `src/lib.rs` (or the source given, for a crate elsewhere).
#[macro_export]
macro_rules! diagnose_adapter {
    ($krate:ident) => {
        $crate::diagnose_adapter!(
            $krate,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs"))
        );
    };
    ($krate:ident, $source:expr) => {
        pub const SUBJECT: $crate::diagnose::Diagnose = $crate::diagnose::Diagnose {
            diagnose: |run| {
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
            },
            source: $source,
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

/// The kind the rule the book states gives `run`, computed exactly: each
/// line is a whole number of tenths, so `cpu / wall ≥ 1.4` is
/// `cpu × 10 ≥ wall × 14` in nanoseconds, in `u128`, for any clocks a
/// `Duration` holds and any number of cores.
fn rule(run: &Run) -> Kind {
    let (cpu, wall) = (run.cpu.as_nanos() * 10, run.wall.as_nanos());
    let most = wall.checked_mul(run.cores as u128 * 11);
    if most.is_some_and(|most| cpu > most) {
        Kind::Miscounted
    } else if cpu < wall * 5 {
        Kind::Waiting
    } else if cpu >= wall * 14
        && run
            .sequential
            .is_none_or(|s| s.as_nanos() * 10 >= wall * 12)
    {
        Kind::Parallel
    } else {
        Kind::Serial
    }
}

/// The first CPU (or sequential) time, in nanoseconds, at or past `tenths`
/// tenths of `wall` nanoseconds.
fn first_at_ns(wall: u128, tenths: u128) -> u128 {
    (wall * tenths).div_ceil(10)
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
    let (got, _) = diagnose.call(run);
    let close = close_lines(&run)
        .map(|lines| {
            format!(
                " The run is close to {lines}: every line holds exactly, on the clocks as \
                 given to the nanosecond, at any scale (no rounding, no tolerance but the \
                 clock's slack: compare whole nanoseconds, cpu × 10 against wall × 14, where \
                 floats round)."
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

/// A thousand years: a quarter of the drawn walls are longer, where a rule
/// that goes over to `f64` seconds for long runs rounds a line.
const LONGEST: Duration = Duration::from_secs(1000 * 365 * 24 * 3600);

/// A wall time to the nanosecond, from a nanosecond to `top` nanoseconds,
/// spread evenly over the orders of magnitude between (log-uniform); a
/// quarter of the time (when `top` reaches that far) from a thousand years
/// up.
fn wall_up_to(draw: &mut Draw, top: u128) -> Duration {
    let top = top.clamp(1, Duration::MAX.as_nanos());
    let low = if top > LONGEST.as_nanos() && draw.pick(0..=3) == 0 {
        LONGEST.as_nanos()
    } else {
        1
    };
    nanos(log_uniform(draw, low, top))
}

/// A wall time drawn as [`wall_up_to`], up to the longest that `factor`
/// times over still fits a `Duration` (up to `Duration::MAX` itself for a
/// factor of 1 or less): the run's CPU or sequential time is that many
/// times the wall.
fn wall_drawn(draw: &mut Draw, factor: f64) -> Duration {
    let top = Duration::MAX.as_secs_f64() * 1e9 / factor.max(1.0);
    wall_up_to(draw, top as u128)
}

/// Cores from `least` up: half the time a machine of up to 16, half the
/// time one of 17 to `usize::MAX`, log-uniform (a rule that believes in at
/// most so many cores, or goes over to `f64` past so many, fails).
fn cores_drawn(draw: &mut Draw, least: usize) -> usize {
    if draw.pick(0..=1) == 0 {
        draw.pick(least..=16)
    } else {
        log_uniform(draw, 17, usize::MAX as u128) as usize
    }
}

/// A factor from 10^`low` to 10^`high`, log-uniform.
fn log_factor(draw: &mut Draw, low: f64, high: f64) -> f64 {
    10f64.powf(low + (high - low) * draw.pick(0..=1_000_000) as f64 / 1e6)
}

/// Any speedup, or none: half the time no sequential time; else a quarter
/// of the time in the bands of ×0.3 to ×8, and otherwise from ×10^-9 to
/// ×10^9 (log-uniform), or a sequential time of zero.
fn any_speedup(draw: &mut Draw) -> Option<f64> {
    match draw.pick(0..=7) {
        0..=3 => None,
        4 => Some(across(draw, 0.3, 8.0)),
        5 => Some(0.0),
        _ => Some(log_factor(draw, -9.0, 9.0)),
    }
}

/// `wall` × `x`, if a `Duration` holds it.
fn scaled(wall: Duration, x: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(wall.as_secs_f64() * x).ok()
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

/// A run on `cores` with `parallelism` cores busy over a drawn wall time
/// (as long as its clocks allow), and a sequential time giving `speedup` if
/// any; `None` if a `Duration` cannot hold its clocks.
fn drawn(draw: &mut Draw, cores: usize, parallelism: f64, speedup: Option<f64>) -> Option<Run> {
    let wall = wall_drawn(draw, parallelism.max(speedup.unwrap_or(0.0)));
    let sequential = match speedup {
        Some(s) => Some(scaled(wall, s)?),
        None => None,
    };
    Some(Run {
        wall,
        cpu: scaled(wall, parallelism)?,
        cores,
        sequential,
    })
}

/// A run made by `make` that the rule gives `want`: made again until it is
/// (clocks rounded to the nanosecond move a short run, and a long run on
/// many cores may not fit a `Duration`). The rule is exact, so the run may
/// fall anywhere, on a line too.
fn drawn_as(draw: &mut Draw, want: Kind, mut make: impl FnMut(&mut Draw) -> Option<Run>) -> Run {
    for _ in 0..10_000 {
        if let Some(run) = make(draw).filter(|run| rule(run) == want) {
            return run;
        }
    }
    panic!("the suite could not draw a {want:?} run: a fault of the suite")
}

/// A run at a line at a drawn scale: a wall drawn as [`wall_up_to`], up to
/// the longest for which a `Duration` holds the CPU time `cpu(wall)` and
/// the sequential time `sequential(wall)`, in nanoseconds (both grow with
/// the wall; they saturate rather than overflow).
fn at_scale(
    draw: &mut Draw,
    cores: usize,
    cpu: impl Fn(u128) -> u128,
    sequential: impl Fn(u128) -> Option<u128>,
) -> Run {
    let max = Duration::MAX.as_nanos();
    let fits = |w: u128| cpu(w) <= max && sequential(w).is_none_or(|s| s <= max);
    assert!(
        fits(1),
        "a fault of the suite: no wall fits on {cores} cores"
    );
    // The longest wall that fits, by bisection: `lo` fits, `hi` + 1 not.
    let (mut lo, mut hi) = (1, max);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if fits(mid) { lo = mid } else { hi = mid - 1 }
    }
    let wall = wall_up_to(draw, lo);
    let w = wall.as_nanos();
    Run {
        wall,
        cpu: nanos(cpu(w)),
        cores,
        sequential: sequential(w).map(nanos),
    }
}

/// The last CPU time, in nanoseconds, within the clock's slack on `cores`
/// cores over `wall` nanoseconds (saturating past what a `u128` holds).
fn slack_line(cores: usize) -> impl Fn(u128) -> u128 {
    move |wall| wall.saturating_mul(11 * cores as u128) / 10
}

/// Fails (a fault of the suite) unless the rule gives `run` the kind the
/// suite made it for.
#[track_caller]
fn made_as(run: Run, want: Kind) -> Run {
    assert_eq!(rule(&run), want, "a fault of the suite: {}", run.describe());
    run
}

/// Nanoseconds of a speedup `x` over `wall` nanoseconds (`None`: not
/// measured), for [`at_scale`].
fn seq_of(x: Option<f64>) -> impl Fn(u128) -> Option<u128> {
    move |wall| x.map(|x| (wall as f64 * x) as u128)
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
        let (_, got) = diagnose.call(run);
        let want = run.parallelism();
        assert!(
            (got - want).abs() <= 1e-12 * want,
            "{what}{}: diagnose reported a parallelism of {got}, expected CPU time / wall \
             time = {want} (to a millionth of a millionth), from the durations as they are \
             (the cores busy on average, for runs of every kind, Miscounted too, from a \
             nanosecond of wall time up: not wall / CPU, not rounded to micro- or \
             milliseconds first, not clamped, not in f32, not capped at the cores)",
            run.describe()
        );
    };
    // Runs drawn over the whole range: walls from a nanosecond to as long
    // as the clocks fit a `Duration`, any cores, from no core busy to a billion times the
    // cores, any speedup.
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 1);
        let run = loop {
            let p = if draw.pick(0..=1) == 0 {
                across(&mut draw, 0.0, cores as f64 * CLOCK_SLACK * 3.0)
            } else {
                cores as f64 * log_factor(&mut draw, -9.0, 9.0)
            };
            let speedup = any_speedup(&mut draw);
            if let Some(run) = drawn(&mut draw, cores, p, speedup) {
                break run;
            }
        };
        check(run, "");
    }
    // The shortest walls a clock reads, and the longest a `Duration` holds.
    for (wall, cpu) in [
        (1, 1),
        (1, 0),
        (1, 3),
        (7, 5),
        (999, 1_998),
        (u128::from(u64::MAX), u128::from(u64::MAX) * 3),
        (Duration::MAX.as_nanos(), Duration::MAX.as_nanos()),
        (Duration::MAX.as_nanos(), 1),
    ] {
        check(
            Run {
                wall: nanos(wall),
                cpu: nanos(cpu),
                cores: 4,
                sequential: None,
            },
            "",
        );
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
            let speedup = any_speedup(draw);
            drawn(draw, cores, p, speedup)
        });
        expect(diagnose, run, Kind::Waiting, "a run that mostly waited");
        let run = drawn_as(&mut draw, Kind::Serial, |draw| {
            let top = PARALLEL_FROM.min(cores as f64 * CLOCK_SLACK);
            let p = across(draw, WAITING_BELOW, top);
            let speedup = any_speedup(draw);
            drawn(draw, cores, p, speedup)
        });
        expect(
            diagnose,
            run,
            Kind::Serial,
            "a run that computed on one core at a time",
        );
    }
    // The lines at every scale, to the nanosecond: 40 walls drawn from a
    // nanosecond to the top of a `Duration` (a quarter of them past a
    // thousand years), the last nanosecond of CPU time below
    // half a core (Waiting) and the first at it (Serial), and the last below
    // the parallel line (Serial), each with any speedup.
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 2);
        let speedup = any_speedup(&mut draw);
        let seq = seq_of(speedup);
        let below = at_scale(&mut draw, cores, |w| first_at_ns(w, 5) - 1, &seq);
        expect(
            diagnose,
            made_as(below, Kind::Waiting),
            Kind::Waiting,
            "a run a nanosecond of CPU time below half a core busy, at this scale",
        );
        let at = at_scale(&mut draw, cores, |w| first_at_ns(w, 5), &seq);
        expect(
            diagnose,
            made_as(at, Kind::Serial),
            Kind::Serial,
            "a run on the half-core line or the first nanosecond of CPU time past it, at this \
             scale (the line belongs to working, whatever the speedup)",
        );
        let under = at_scale(&mut draw, cores, |w| first_at_ns(w, 14) - 1, &seq);
        expect(
            diagnose,
            made_as(under, Kind::Serial),
            Kind::Serial,
            "a run a nanosecond of CPU time below the parallel line, at this scale (one core at \
             a time, whatever the speedup; no tolerance on the line)",
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
            // Any speedup from ×1.2 up: in the band next to the line, or up
            // to ×10^9.
            let speedup = match draw.pick(0..=3) {
                0 | 1 => None,
                2 => Some(across(draw, SPEEDUP_FROM, p.max(SPEEDUP_FROM * 1.5))),
                _ => Some(SPEEDUP_FROM * log_factor(draw, 0.0, 9.0)),
            };
            drawn(draw, cores, p, speedup)
        });
        expect(
            diagnose,
            run,
            Kind::Parallel,
            "a run that computed on several cores",
        );
    }
    // The lines at every scale, to the nanosecond: 40 walls drawn from a
    // nanosecond to the top of a `Duration` (a quarter of them past a
    // thousand years), the first nanosecond of CPU time at
    // the parallel line (no sequential time), the first nanosecond of
    // sequential time at ×1.2 (two cores busy), and the last nanosecond of
    // CPU time within the clock's slack on all the cores.
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 2);
        let at = at_scale(&mut draw, cores, |w| first_at_ns(w, 14), |_| None);
        expect(
            diagnose,
            made_as(at, Kind::Parallel),
            Kind::Parallel,
            "a run on the parallel line or the first nanosecond of CPU time past it, at this \
             scale (at least 1.4 cores busy: the line itself counts)",
        );
        let fast = at_scale(&mut draw, cores, |w| 2 * w, |w| Some(first_at_ns(w, 12)));
        expect(
            diagnose,
            made_as(fast, Kind::Parallel),
            Kind::Parallel,
            "a run with two cores busy and a speedup on the ×1.2 line or the first nanosecond \
             of sequential time past it, at this scale (the line itself counts)",
        );
        let full = at_scale(&mut draw, cores, slack_line(cores), |_| None);
        expect(
            diagnose,
            made_as(full, Kind::Parallel),
            Kind::Parallel,
            "a run on all its cores, its CPU clock on the slack line or the last nanosecond \
             within it, at this scale (believed)",
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
            // Any speedup below ×1.2: in the bands, down to ×10^-9, or zero.
            let speedup = match draw.pick(0..=3) {
                0 | 1 => across(draw, 0.3, SPEEDUP_FROM),
                2 => SPEEDUP_FROM * log_factor(draw, -9.0, 0.0),
                _ => 0.0,
            };
            // Parallel without its sequential time (a short run's clocks
            // rounded to the nanosecond may fall below the line).
            drawn(draw, cores, p, Some(speedup))
                .filter(|run| rule(&run.with(cores, None)) == Kind::Parallel)
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
    // The speedup line at every scale, to the nanosecond: 40 walls drawn
    // from a nanosecond to the top of a `Duration` (a quarter of them past
    // a thousand years), two cores busy, the last
    // nanosecond of sequential time below ×1.2.
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 2);
        let run = at_scale(
            &mut draw,
            cores,
            |w| 2 * w,
            |w| Some(first_at_ns(w, 12) - 1),
        );
        expect(
            diagnose,
            made_as(run, Kind::Serial),
            Kind::Serial,
            "a run with two cores busy and a speedup a nanosecond of sequential time below \
             ×1.2, at this scale (no tolerance on the line)",
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
        // No more than a `Duration` holds over a nanosecond of wall time.
        let room = (Duration::MAX.as_secs_f64() * 1e9 / limit).log10();
        let run = drawn_as(&mut draw, Kind::Miscounted, |draw| {
            // Just past the line, up to three times it, or up to 10^9 times.
            let p = if draw.pick(0..=1) == 0 {
                across(draw, limit, limit * 3.0)
            } else {
                limit * log_factor(draw, 0.0, room.min(9.0))
            };
            let speedup = any_speedup(draw);
            drawn(draw, cores, p, speedup)
        });
        // The same clocks on enough cores, the fewest that believe them
        // (if a `usize` counts so many).
        let fewest = (run.cpu.as_nanos() * 10).div_ceil(run.wall.as_nanos() * 11);
        if let Ok(enough) = usize::try_from(fewest) {
            let enough = run.with(enough, run.sequential);
            let believed = rule(&enough);
            assert_ne!(believed, Kind::Miscounted, "a fault of the suite");
            expect(
                diagnose,
                enough,
                believed,
                "a run with enough cores for its CPU clock",
            );
        }
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
    // The slack line at every scale, to the nanosecond: 40 walls drawn from
    // a nanosecond to as long as the CPU time fits a `Duration` (a quarter
    // of them past a thousand years when it can) on cores drawn as above
    // (up to `usize::MAX`), the last
    // nanosecond of CPU time within the slack (believed) and the first past
    // it (Miscounted), with any speedup.
    for _ in 0..40 {
        let cores = cores_drawn(&mut draw, 1);
        let believed = if cores == 1 {
            Kind::Serial
        } else {
            Kind::Parallel
        };
        let most = slack_line(cores);
        let seq = seq_of(any_speedup(&mut draw));
        let run = at_scale(&mut draw, cores, |w| most(w).saturating_add(1), seq);
        let within = Run {
            cpu: nanos(most(run.wall.as_nanos())),
            sequential: None,
            ..run
        };
        expect(
            diagnose,
            made_as(within, believed),
            believed,
            "a run on all its cores, its CPU clock on the slack line or the last nanosecond \
             within it, at this scale (believed)",
        );
        let past = made_as(run, Kind::Miscounted);
        expect(
            diagnose,
            past,
            Kind::Miscounted,
            "the first nanosecond of CPU time past the clock's slack line, at this scale \
             (Miscounted, whatever else the run shows)",
        );
    }
    // A machine past 2^41 cores, half of them busy for a second (round
    // 18's `diagnose/06` believed in 2^40 cores at most); the most cores a `usize` counts, and the longest CPU
    // clock a `Duration` holds over a nanosecond.
    let busy = log_uniform(&mut draw, 1 << 41, 1 << 62) as u64;
    for (run, want, what) in [
        (
            Run {
                wall: Duration::from_secs(1),
                cpu: Duration::from_secs(busy),
                cores: 2 * busy as usize,
                sequential: None,
            },
            Kind::Parallel,
            "a run on 2^42 to 2^63 cores, half of them busy for a second (a rule may not cap \
             the cores it believes in)",
        ),
        (
            Run {
                wall: LONGEST,
                cpu: Duration::MAX,
                cores: usize::MAX,
                sequential: None,
            },
            Kind::Parallel,
            "a run on usize::MAX cores (a rule may not cap the cores it believes in)",
        ),
        (
            Run {
                wall: Duration::from_nanos(1),
                cpu: Duration::MAX,
                cores: usize::MAX,
                sequential: Some(Duration::from_nanos(1)),
            },
            Kind::Miscounted,
            "a run of a nanosecond whose CPU clock says more than usize::MAX cores were busy",
        ),
    ] {
        expect(diagnose, made_as(run, want), want, what);
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

/// Calls made by [`the_diagnosis_is_a_function_of_the_run`].
const CALLS: usize = 100_000;

/// The diagnosis is a function of the run alone: 16 runs drawn over the
/// whole range (one of each kind at least) are asked in turn, [`CALLS`]
/// times in all, with a fresh run drawn and judged every thousandth call;
/// every answer must be the rule's. A counter that waits longer than any
/// number of calls is seen in the source instead: the crate may hold no
/// `static` (see [`crate::pure`]).
pub fn the_diagnosis_is_a_function_of_the_run(diagnose: Diagnose) {
    let mut draw = Draw::new();
    let fresh = |draw: &mut Draw| loop {
        let cores = cores_drawn(draw, 1);
        let p = cores as f64 * log_factor(draw, -4.0, 1.0);
        let speedup = any_speedup(draw);
        if let Some(run) = drawn(draw, cores, p, speedup) {
            break run;
        }
    };
    let runs: Vec<(Run, Kind)> = (0..16)
        .map(|i| {
            let run = match i {
                0 => exact(SEC, SEC / 4, 2, Some(3 * SEC)),
                1 => exact(SEC, SEC, 2, None),
                2 => exact(SEC, 2 * SEC, 2, Some(2 * SEC)),
                3 => exact(SEC, 3 * SEC, 2, None),
                _ => fresh(&mut draw),
            };
            (run, rule(&run))
        })
        .collect();
    let check = "the diagnosis is a function of the run";
    crate::pure::refuse_io(check, "diagnose", &format!("{CALLS} calls"), || {
        for call in 1..=CALLS {
            if call % 1000 == 0 {
                let run = fresh(&mut draw);
                expect(
                    diagnose,
                    run,
                    rule(&run),
                    &format!("call {call} of {CALLS}, a run drawn afresh"),
                );
                continue;
            }
            let (run, want) = runs[call % runs.len()];
            if diagnose.call(run).0 != want {
                expect(
                    diagnose,
                    run,
                    want,
                    &format!(
                        "call {call} of {CALLS}: this run was asked before and must get the same \
                         answer every time (a function of the run alone)"
                    ),
                );
            }
        }
    });
    crate::pure::refuse_state(diagnose.source, "diagnose");
    crate::pure::refuse_clock(check, diagnose.source, &["diagnose"]);
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
        let (said, _) = diagnose.call(run);
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
    the_diagnosis_is_a_function_of_the_run,
    waiting_or_working,
    several_busy_cores_are_parallel,
    busy_cores_without_a_speedup_are_serial,
    cpu_time_beyond_the_cores_is_miscounted,
    sleeping_threads_under_the_gil_are_waiting,
    computing_threads_under_the_gil_are_serial,
    computing_threads_without_a_gil_are_parallel,
]);
