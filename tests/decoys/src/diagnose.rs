//! Wrong diagnoses of a run: each reads the clocks the way a student
//! could, and is caught by the drawn cases around the rule's lines.

use std::time::Duration;

use suites::diagnose::{Diagnose, Kind, Run};

use crate::{Class, Decoy};

/// The reference's `src/lib.rs`: the source the decoys without a source
/// of their own are read as (their state, if any, is for the calls to see).
const REFERENCE_SOURCE: &str = include_str!("../../../solutions/pitfalls/diagnose/src/lib.rs");

mod reference {
    suites::diagnose_adapter!(diagnose_solution, super::REFERENCE_SOURCE);
}

/// A decoy's diagnosis, read as the reference's source.
const fn plain(diagnose: fn(Run) -> (Kind, f64)) -> Diagnose {
    Diagnose {
        diagnose,
        source: REFERENCE_SOURCE,
    }
}

/// The reference's answer, for decoys that change one thing about it.
fn right(run: Run) -> (Kind, f64) {
    reference::SUBJECT.call(run)
}

fn busy(run: &Run) -> f64 {
    run.cpu.as_secs_f64() / run.wall.as_secs_f64()
}

fn speedup(run: &Run) -> Option<f64> {
    run.sequential
        .map(|s| s.as_secs_f64() / run.wall.as_secs_f64())
}

/// "Threads make it parallel": the tutorial's expectation, every time.
fn always_parallel(run: Run) -> (Kind, f64) {
    (Kind::Parallel, busy(&run))
}

/// The parallelism upside down: wall time over CPU time.
fn inverted(run: Run) -> (Kind, f64) {
    (right(run).0, run.wall.as_secs_f64() / run.cpu.as_secs_f64())
}

/// Wall time alone: faster than sequential is parallel, else serial. A run
/// of overlapped sleeps looks parallel; a run without a sequential time,
/// serial.
fn wall_time_alone(run: Run) -> (Kind, f64) {
    let kind = match speedup(&run) {
        Some(s) if s >= 1.2 => Kind::Parallel,
        _ => Kind::Serial,
    };
    (kind, busy(&run))
}

/// No belief in threads at all: anything that computes is serial (the GIL
/// carried over to Rust).
fn threads_never_help(run: Run) -> (Kind, f64) {
    match right(run) {
        (Kind::Parallel, p) => (Kind::Serial, p),
        other => other,
    }
}

/// Never checks the cores: a CPU clock beyond them is believed.
fn ignores_cores(run: Run) -> (Kind, f64) {
    let p = busy(&run);
    let kind = if p < 0.5 {
        Kind::Waiting
    } else if p >= 1.4 && speedup(&run).is_none_or(|s| s >= 1.2) {
        Kind::Parallel
    } else {
        Kind::Serial
    };
    (kind, p)
}

/// Busy cores are parallel, whether or not the work finished sooner: a
/// spinning thread counts as work.
fn ignores_the_speedup(run: Run) -> (Kind, f64) {
    match right(run) {
        (Kind::Serial, p) if p >= 1.4 => (Kind::Parallel, p),
        other => other,
    }
}

/// Lines fitted to an idle machine's examples: waiting below 0.1 core,
/// parallel from 1.9.
fn fitted_to_the_examples(run: Run) -> (Kind, f64) {
    let p = busy(&run);
    let kind = if p > run.cores as f64 * 1.1 {
        Kind::Miscounted
    } else if p < 0.1 {
        Kind::Waiting
    } else if p >= 1.9 {
        Kind::Parallel
    } else {
        Kind::Serial
    };
    (kind, p)
}

/// Less than one core busy is "waiting": a single thread on a busy machine
/// gets part of a core and is taken for a sleeper.
fn below_one_core_is_waiting(run: Run) -> (Kind, f64) {
    match right(run) {
        (Kind::Serial, p) if p < 1.0 => (Kind::Waiting, p),
        other => other,
    }
}

/// Several cores available make computing parallel: a run that keeps half
/// a core busy or more is `Parallel` whenever the machine has two cores or
/// more, `Serial` only on one. Threads taking turns under a GIL are taken
/// for threads that ran at once.
fn several_cores_make_it_parallel(run: Run) -> (Kind, f64) {
    match right(run) {
        (Kind::Serial, p) if run.cores >= 2 => (Kind::Parallel, p),
        other => other,
    }
}

/// The CPU clock may not run ahead of the wall clock: more CPU time than
/// wall time (with the clock's slack) is `Miscounted`, the cores forgotten.
/// The CPU time of a process adds up over its threads, so every run that
/// really computed on several cores is taken for a wrong measurement.
fn cpu_past_the_wall_clock_is_miscounted(run: Run) -> (Kind, f64) {
    let p = busy(&run);
    if p > 1.1 {
        (Kind::Miscounted, p)
    } else {
        right(run)
    }
}

/// Diagnoses the first run, then gives that answer forever (a `static`
/// filled once).
fn first_answer_kept(run: Run) -> (Kind, f64) {
    static FIRST: std::sync::OnceLock<Kind> = std::sync::OnceLock::new();
    let (kind, p) = right(run);
    (*FIRST.get_or_init(|| kind), p)
}

/// The rule, with one of the changes a red team made to it.
#[derive(Clone, Copy, Default)]
struct Twist {
    /// Believes in at most this many cores.
    cores_cap: Option<usize>,
    /// Needs a speedup above the line, not on it.
    strict_speedup: bool,
    /// Counts exactly half a core busy as waiting.
    inclusive_waiting: bool,
    /// Drops the clock's slack above 16 cores.
    no_slack_past_16: bool,
    /// Ignores the sequential time of runs longer than a minute.
    skips_long_speedups: bool,
    /// Calls a run with a speedup of ×2 parallel before it looks at the
    /// cores.
    speedup_first: bool,
    /// Calls every run under a millisecond serial.
    short_is_serial: bool,
    /// Counts a run exactly on the clock's slack line as miscounted.
    slack_line_inclusive: bool,
    /// Decides waiting and parallel on the parallelism rounded to one
    /// decimal, "the figure the table shows".
    one_decimal: bool,
    /// With a sequential time, the speedup alone decides parallel.
    speedup_alone: bool,
    /// A run within 3% of the parallel or the speedup line is on it.
    three_percent: bool,
    /// Decides the kind on the clocks read in whole microseconds.
    whole_micros: bool,
    /// Drops the sequential time of runs under a millisecond.
    short_drops_sequential: bool,
    /// A whole core busy and a speedup of ×1.2 is parallel too.
    whole_core_and_speedup: bool,
}

/// The rule with the twist `t`: the reference's exact answer wherever the
/// twist makes no difference (the twist is judged in `f64`, as a student
/// would write it, against the same rule in `f64` untwisted), so that each
/// decoy is wrong by its twist alone, not by the rounding of `f64`.
fn twisted(run: Run, t: Twist) -> (Kind, f64) {
    let bent = twisted_in_f64(run, t);
    if bent.0 == twisted_in_f64(run, Twist::default()).0 {
        (right(run).0, bent.1)
    } else {
        bent
    }
}

fn twisted_in_f64(run: Run, t: Twist) -> (Kind, f64) {
    let p = busy(&run);
    let cores = t.cores_cap.map_or(run.cores, |cap| run.cores.min(cap)) as f64;
    let slack = if t.no_slack_past_16 && run.cores > 16 {
        1.0
    } else {
        1.1
    };
    let s = speedup(&run)
        .filter(|_| !(t.skips_long_speedups && run.wall.as_secs() > 60))
        .filter(|_| !(t.short_drops_sequential && run.wall.as_micros() < 1_000));
    // The figures the kind is decided on.
    let (busy, s) = if t.whole_micros {
        let wall = run.wall.as_micros().max(1) as f64;
        (
            run.cpu.as_micros() as f64 / wall,
            run.sequential.map(|q| q.as_micros() as f64 / wall),
        )
    } else {
        (p, s)
    };
    let shown = if t.one_decimal {
        (busy * 10.0).round() / 10.0
    } else {
        busy
    };
    let tolerance = if t.three_percent { 1.03 } else { 1.0 };
    let over = if t.slack_line_inclusive {
        busy >= cores * slack
    } else {
        busy > cores * slack
    };
    let parallel = if t.speedup_alone && s.is_some() {
        s.is_some_and(|s| s >= 1.2)
    } else {
        shown * tolerance >= 1.4
            && s.is_none_or(|s| {
                if t.strict_speedup {
                    s > 1.2
                } else {
                    s * tolerance >= 1.2
                }
            })
    };
    let kind = if t.short_is_serial && run.wall.as_micros() < 1_000 {
        Kind::Serial
    } else if t.speedup_first && s.is_some_and(|s| s >= 2.0) && busy >= 1.4 {
        Kind::Parallel
    } else if over {
        Kind::Miscounted
    } else if shown < 0.5 || (t.inclusive_waiting && shown == 0.5) {
        Kind::Waiting
    } else if parallel || (t.whole_core_and_speedup && busy >= 1.0 && s.is_some_and(|s| s >= 1.2)) {
        Kind::Parallel
    } else {
        Kind::Serial
    };
    (kind, p)
}

fn cores_capped_at_16(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            cores_cap: Some(16),
            ..Twist::default()
        },
    )
}
fn speedup_strictly_above(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            strict_speedup: true,
            ..Twist::default()
        },
    )
}
fn half_a_core_is_waiting(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            inclusive_waiting: true,
            ..Twist::default()
        },
    )
}
fn no_slack_past_16_cores(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            no_slack_past_16: true,
            ..Twist::default()
        },
    )
}
fn long_runs_skip_the_speedup(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            skips_long_speedups: true,
            ..Twist::default()
        },
    )
}
fn speedup_before_miscount(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            speedup_first: true,
            ..Twist::default()
        },
    )
}
fn short_runs_are_serial(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            short_is_serial: true,
            ..Twist::default()
        },
    )
}

fn cores_capped_at_64(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            cores_cap: Some(64),
            ..Twist::default()
        },
    )
}
/// Believes in 2^40 cores at most, "more than any machine will have"
/// (round 18, `diagnose/06`).
fn cores_capped_at_2_pow_40(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            cores_cap: Some(1 << 40),
            ..Twist::default()
        },
    )
}
fn slack_line_is_miscounted(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            slack_line_inclusive: true,
            ..Twist::default()
        },
    )
}
fn rounded_to_one_decimal(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            one_decimal: true,
            ..Twist::default()
        },
    )
}
fn speedup_alone_decides(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            speedup_alone: true,
            ..Twist::default()
        },
    )
}
fn three_percent_tolerance(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            three_percent: true,
            ..Twist::default()
        },
    )
}
fn kind_in_whole_microseconds(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            whole_micros: true,
            ..Twist::default()
        },
    )
}
fn short_runs_drop_the_sequential_time(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            short_drops_sequential: true,
            ..Twist::default()
        },
    )
}
fn whole_core_and_a_speedup(run: Run) -> (Kind, f64) {
    twisted(
        run,
        Twist {
            whole_core_and_speedup: true,
            ..Twist::default()
        },
    )
}

/// The reported parallelism capped at twice the cores, "so that a table of
/// runs stays readable"; the kind is right.
fn parallelism_capped(run: Run) -> (Kind, f64) {
    let (kind, p) = right(run);
    (kind, p.min(2.0 * run.cores as f64))
}

/// Every diagnosis kept in a `static`, keyed on the two clocks alone: the
/// same clocks with other cores or another sequential time get the answer
/// remembered.
fn remembered_by_clocks(run: Run) -> (Kind, f64) {
    type Seen = Vec<((std::time::Duration, std::time::Duration), (Kind, f64))>;
    static SEEN: std::sync::Mutex<Seen> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let key = (run.wall, run.cpu);
    if let Some(&(_, answer)) = seen.iter().find(|(k, _)| *k == key) {
        return answer;
    }
    let answer = right(run);
    seen.push((key, answer));
    answer
}

/// The clocks read in whole microseconds.
fn in_microseconds(run: Run) -> (Kind, f64) {
    let p = run.cpu.as_micros() as f64 / (run.wall.as_micros().max(1)) as f64;
    (right(run).0, p)
}

/// The rule in `f64` seconds, as the reference wrote it before round 10:
/// a nanosecond off a line rounds onto it past about a month of wall time.
fn lines_in_f64(run: Run) -> (Kind, f64) {
    twisted_in_f64(run, Twist::default())
}

/// The reference, with Parallel past `line` cores busy (and the speedup
/// line) in place of its own answer where they differ: a line bent in
/// `f64`.
fn parallel_from(run: Run, line: f64, speedup_line: f64) -> (Kind, f64) {
    match right(run) {
        (Kind::Serial, p) if p >= line && speedup(&run).is_none_or(|s| s >= speedup_line) => {
            (Kind::Parallel, p)
        }
        other => other,
    }
}

/// The parallel line bent by 1e-7 relative (round 10, `diagnose/02`).
fn parallel_line_bent_1e_7(run: Run) -> (Kind, f64) {
    parallel_from(run, 1.4 * (1.0 - 1e-7), 1.2)
}

/// The speedup line bent by 1e-7 relative (round 10, `diagnose/03`).
fn speedup_line_bent_1e_7(run: Run) -> (Kind, f64) {
    parallel_from(run, 1.4, 1.2 * (1.0 - 1e-7))
}

/// A speedup below ×0.29 with 1.4 cores busy or more is Parallel (round 10,
/// `diagnose/05`).
fn tiny_speedup_is_parallel(run: Run) -> (Kind, f64) {
    match right(run) {
        (Kind::Serial, p) if p >= 1.4 && speedup(&run).is_some_and(|s| s < 0.29) => {
            (Kind::Parallel, p)
        }
        other => other,
    }
}

/// Under half a core busy with a speedup above ×10 is Parallel (round 10,
/// `diagnose/06`).
fn waiting_with_a_big_speedup_is_parallel(run: Run) -> (Kind, f64) {
    match right(run) {
        (Kind::Waiting, p) if speedup(&run).is_some_and(|s| s > 10.0) => (Kind::Parallel, p),
        other => other,
    }
}

/// Any speedup above ×8.5 is Parallel, from half a core up (round 10,
/// `diagnose/07`).
fn big_speedup_is_parallel(run: Run) -> (Kind, f64) {
    match right(run) {
        (Kind::Serial, p) if speedup(&run).is_some_and(|s| s > 8.5) => (Kind::Parallel, p),
        other => other,
    }
}

/// A CPU clock past 100 times the cores is Waiting, not Miscounted (round
/// 10, `diagnose/08`).
fn far_past_the_cores_is_waiting(run: Run) -> (Kind, f64) {
    match right(run) {
        (Kind::Miscounted, p) if p > run.cores.max(1) as f64 * 100.0 => (Kind::Waiting, p),
        other => other,
    }
}

/// From the 5,001st call on, every answer is Serial (round 10,
/// `diagnose/09`).
fn serial_after_5_000_calls(run: Run) -> (Kind, f64) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let (kind, p) = right(run);
    if CALLS.fetch_add(1, Ordering::Relaxed) >= 5_000 {
        (Kind::Serial, p)
    } else {
        (kind, p)
    }
}

/// The same, from the ten-millionth call: more than any suite makes. Only
/// its source shows it.
fn serial_after_10_million_calls(run: Run) -> (Kind, f64) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let (kind, p) = right(run);
    if CALLS.fetch_add(1, Ordering::Relaxed) >= 10_000_000 {
        (Kind::Serial, p)
    } else {
        (kind, p)
    }
}

/// The source of [`serial_after_10_million_calls`], as a student's
/// `src/lib.rs` would hold it: the reference with a counter.
const COUNTER_SOURCE: &str = concat!(
    include_str!("../../../solutions/pitfalls/diagnose/src/lib.rs"),
    "
static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
"
);

/// Serial once a count of calls kept in a file passes a million (round
/// 14, `diagnose/04`): no `static`, and the file is read and written only
/// about once a thousand calls.
fn serial_after_a_million_calls_in_a_file(run: Run) -> (Kind, f64) {
    let (kind, p) = right(run);
    if crate::file_counter::past_a_million() {
        (Kind::Serial, p)
    } else {
        (kind, p)
    }
}

/// Serial from 2027 on, by the wall clock (round 14, `diagnose/06`): only
/// its source shows it, until then.
fn serial_from_2027(run: Run) -> (Kind, f64) {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let (kind, p) = right(run);
    if SystemTime::now() > UNIX_EPOCH + Duration::from_secs(1_798_761_600) {
        (Kind::Serial, p)
    } else {
        (kind, p)
    }
}

/// The source of [`serial_from_2027`], as a student's `src/lib.rs` would
/// hold it.
const DATE_SOURCE: &str = "
pub fn diagnose(m: &Measured) -> Diagnosis {
    let from_2027 = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_798_761_600);
    let late = std::time::SystemTime::now() > from_2027;
    rule(m, late)
}
";

/// Sources of round 18's red team, each as a student's `src/lib.rs` would
/// hold it, and each the reference when it runs here: what they read
/// outside the arguments shows only in the source, under another name
/// (`use ... as`), in a `Drop` that no one calls by name, or from the
/// thread or the program that asks.
const ALIASED_ENV_SOURCE: &str = "
use std::env::var as setting;
pub fn diagnose(m: &Measured) -> Diagnosis {
    if setting(\"COURSE_STRICT\").is_ok() { return strict(m); }
    rule(m)
}
";
/// The environment read through a constant that holds `var_os` (round
/// 23's `diagnose/01`).
const CONST_ENV_SOURCE: &str = "
const SETTING: fn(&str) -> Option<std::ffi::OsString> = std::env::var_os;
pub fn diagnose(m: &Measured) -> Diagnosis {
    if SETTING(\"DIAGNOSE_COARSE_CLOCK\").is_some() { return coarse(m); }
    rule(m)
}
";
const DROP_CLOCK_SOURCE: &str = "
struct Stamp;
impl Drop for Stamp {
    fn drop(&mut self) {
        LATE.with(|l| l.set(std::time::SystemTime::now() > std::time::UNIX_EPOCH));
    }
}
pub fn diagnose(m: &Measured) -> Diagnosis {
    let _stamp = Stamp;
    rule(m)
}
";
const THREAD_NAME_SOURCE: &str = "
pub fn diagnose(m: &Measured) -> Diagnosis {
    let exact = std::thread::current().name().is_some_and(|n| n.contains('_'));
    if exact { rule(m) } else { rough(m) }
}
";
const PROGRAM_PATH_SOURCE: &str = "
pub fn diagnose(m: &Measured) -> Diagnosis {
    let tested = std::env::current_exe().is_ok_and(|p| p.to_string_lossy().contains(\"suite\"));
    if tested { rule(m) } else { rough(m) }
}
";

/// A wall clamped to at least a microsecond before dividing (round 10,
/// `diagnose/10`).
fn wall_clamped_to_a_microsecond(run: Run) -> (Kind, f64) {
    let wall = run.wall.max(Duration::from_micros(1));
    (right(run).0, run.cpu.as_secs_f64() / wall.as_secs_f64())
}

/// Exact in whole nanoseconds for walls up to about a thousand years (and
/// 250 days), the whole rule in `f64` seconds past that (round 21,
/// `diagnose/01`): a nanosecond off a line rounds onto it.
fn f64_past_a_thousand_years(run: Run) -> (Kind, f64) {
    const MILLENNIUM: u128 = (1_000 * 365 + 250) * 24 * 3600 * 1_000_000_000;
    if run.wall.as_nanos() > MILLENNIUM {
        lines_in_f64(run)
    } else {
        right(run)
    }
}

/// The `Miscounted` test in `f64` (cores busy > cores × 1.1) on more than
/// 2^32 cores, exact in nanoseconds below (round 21, `diagnose/03`).
fn slack_in_f64_past_2_pow_32_cores(run: Run) -> (Kind, f64) {
    if run.cores <= 1 << 32 {
        return right(run);
    }
    let (kind, p) = right(run);
    let beyond = p > run.cores as f64 * 1.1;
    match kind {
        Kind::Miscounted if !beyond => {
            // Believed: the rest of the rule, exact, on enough cores.
            (
                right(Run {
                    cores: usize::MAX,
                    ..run
                })
                .0,
                p,
            )
        }
        Kind::Miscounted => (kind, p),
        _ if beyond => (Kind::Miscounted, p),
        _ => (kind, p),
    }
}

/// The speedup line (×1.2) in `f64` seconds when the sequential time
/// passes 4·10^10 s (about 1,268 years), exact below (round 21,
/// `diagnose/04`).
fn speedup_in_f64_past_4e10_s(run: Run) -> (Kind, f64) {
    let (kind, p) = right(run);
    let Some(s) = run.sequential.filter(|s| s.as_secs() > 40_000_000_000) else {
        return (kind, p);
    };
    let faster = s.as_secs_f64() / run.wall.as_secs_f64() >= 1.2;
    let exact = s.as_nanos() * 10 >= run.wall.as_nanos() * 12;
    match kind {
        Kind::Parallel if !faster => (Kind::Serial, p),
        Kind::Serial if faster && !exact => {
            // Serial for its speedup alone: Parallel with it in f64.
            let without = right(Run {
                sequential: None,
                ..run
            });
            (without.0, p)
        }
        _ => (kind, p),
    }
}

/// Every wrong diagnosis, with the check that must catch it.
pub fn corpus() -> Vec<Decoy<Diagnose>> {
    vec![
        Decoy {
            name: "exact up to a thousand years, f64 past that (round 21, diagnose/01)",
            class: Class::RuleSkipped,
            subject: plain(f64_past_a_thousand_years),
            caught_by: "waiting_or_working",
            breaks: "exact-lines",
            says: &["diagnose answered", "at any scale"],
        },
        Decoy {
            name: "the clock's slack in f64 past 2^32 cores (round 21, diagnose/03)",
            class: Class::RuleSkipped,
            subject: plain(slack_in_f64_past_2_pow_32_cores),
            caught_by: "cpu_time_beyond_the_cores_is_miscounted",
            breaks: "miscounted",
            says: &[
                "diagnose answered",
                "the clock's slack line",
                "at any scale",
            ],
        },
        Decoy {
            name: "the speedup line in f64 past 4·10^10 s (round 21, diagnose/04)",
            class: Class::RuleSkipped,
            subject: plain(speedup_in_f64_past_4e10_s),
            caught_by: "busy_cores_without_a_speedup_are_serial",
            breaks: "exact-lines",
            says: &["answered Parallel", "expected Serial", "no tolerance"],
        },
        Decoy {
            name: "the lines in f64 seconds (the reference before round 10)",
            class: Class::RuleSkipped,
            subject: plain(lines_in_f64),
            caught_by: "waiting_or_working",
            breaks: "exact-lines",
            says: &["diagnose answered", "at any scale"],
        },
        Decoy {
            name: "the parallel line bent by 1e-7 (round 10, diagnose/02)",
            class: Class::RuleSkipped,
            subject: plain(parallel_line_bent_1e_7),
            caught_by: "waiting_or_working",
            breaks: "exact-lines",
            says: &["answered Parallel", "expected Serial", "no tolerance"],
        },
        Decoy {
            name: "the speedup line bent by 1e-7 (round 10, diagnose/03)",
            class: Class::RuleSkipped,
            subject: plain(speedup_line_bent_1e_7),
            caught_by: "busy_cores_without_a_speedup_are_serial",
            breaks: "exact-lines",
            says: &["answered Parallel", "expected Serial", "no tolerance"],
        },
        Decoy {
            name: "a speedup below ×0.29 is parallel (round 10, diagnose/05)",
            class: Class::RuleSkipped,
            subject: plain(tiny_speedup_is_parallel),
            caught_by: "busy_cores_without_a_speedup_are_serial",
            breaks: "busy-is-not-work",
            says: &["answered Parallel", "expected Serial"],
        },
        Decoy {
            name: "waiting with a speedup above ×10 is parallel (round 10, diagnose/06)",
            class: Class::RuleSkipped,
            subject: plain(waiting_with_a_big_speedup_is_parallel),
            caught_by: "waiting_or_working",
            breaks: "waiting",
            says: &[
                "answered Parallel",
                "expected Waiting",
                "whatever its speedup",
            ],
        },
        Decoy {
            name: "any speedup above ×8.5 is parallel (round 10, diagnose/07)",
            class: Class::RuleSkipped,
            subject: plain(big_speedup_is_parallel),
            caught_by: "waiting_or_working",
            breaks: "one-core",
            says: &[
                "answered Parallel",
                "expected Serial",
                "whatever its speedup",
            ],
        },
        Decoy {
            name: "a CPU clock past 100 times the cores is waiting (round 10, diagnose/08)",
            class: Class::RuleSkipped,
            subject: plain(far_past_the_cores_is_waiting),
            caught_by: "cpu_time_beyond_the_cores_is_miscounted",
            breaks: "miscounted",
            says: &["answered Waiting", "expected Miscounted"],
        },
        Decoy {
            name: "Serial from the 5,001st call (round 10, diagnose/09)",
            class: Class::StateBetweenCalls,
            subject: plain(serial_after_5_000_calls),
            caught_by: "the_diagnosis_is_a_function_of_the_run",
            breaks: "function-of-the-run",
            says: &["of 100000", "answered Serial"],
        },
        Decoy {
            name: "Serial past a million calls, counted in a file (round 14, diagnose/04)",
            class: Class::StateBetweenCalls,
            subject: plain(serial_after_a_million_calls_in_a_file),
            caught_by: "the_diagnosis_is_a_function_of_the_run",
            breaks: "function-of-the-run",
            says: &["100000 calls of `diagnose`", "reads and", "kept in a file"],
        },
        Decoy {
            name: "Serial from 2027 on, by the clock (round 14, diagnose/06)",
            class: Class::StateBetweenCalls,
            subject: Diagnose {
                diagnose: serial_from_2027,
                source: DATE_SOURCE,
            },
            caught_by: "the_diagnosis_is_a_function_of_the_run",
            breaks: "function-of-the-run",
            says: &["reads the clock", "`now`", "today or next year"],
        },
        Decoy {
            name: "the environment read under another name (round 18, diagnose/02)",
            class: Class::StateBetweenCalls,
            subject: Diagnose {
                diagnose: right,
                source: ALIASED_ENV_SOURCE,
            },
            caught_by: "the_diagnosis_is_a_function_of_the_run",
            breaks: "function-of-the-run",
            says: &["`setting`, that is `var`", "reads the environment"],
        },
        Decoy {
            name: "the environment read through a const fn pointer (round 23, diagnose/01)",
            class: Class::StateBetweenCalls,
            subject: Diagnose {
                diagnose: right,
                source: CONST_ENV_SOURCE,
            },
            caught_by: "the_diagnosis_is_a_function_of_the_run",
            breaks: "function-of-the-run",
            says: &["`var_os`", "reads the environment"],
        },
        Decoy {
            name: "the clock read in a Drop (round 18, workers/04)",
            class: Class::StateBetweenCalls,
            subject: Diagnose {
                diagnose: right,
                source: DROP_CLOCK_SOURCE,
            },
            caught_by: "the_diagnosis_is_a_function_of_the_run",
            breaks: "function-of-the-run",
            says: &["`now`", "(in `fn drop`)"],
        },
        Decoy {
            name: "exact only on a thread whose name has an underscore (round 18, diagnose/01)",
            class: Class::StateBetweenCalls,
            subject: Diagnose {
                diagnose: right,
                source: THREAD_NAME_SOURCE,
            },
            caught_by: "the_diagnosis_is_a_function_of_the_run",
            breaks: "function-of-the-run",
            says: &["`thread::current`", "asks which thread runs it"],
        },
        Decoy {
            name: "exact only in a program whose path says suite (round 18, diagnose/03)",
            class: Class::StateBetweenCalls,
            subject: Diagnose {
                diagnose: right,
                source: PROGRAM_PATH_SOURCE,
            },
            caught_by: "the_diagnosis_is_a_function_of_the_run",
            breaks: "function-of-the-run",
            says: &["`current_exe`", "reads where the program is"],
        },
        Decoy {
            name: "Serial from the ten-millionth call, seen in its source",
            class: Class::StateBetweenCalls,
            subject: Diagnose {
                diagnose: serial_after_10_million_calls,
                source: COUNTER_SOURCE,
            },
            caught_by: "the_diagnosis_is_a_function_of_the_run",
            breaks: "function-of-the-run",
            says: &[
                "keeps state between calls",
                "`static CALLS`",
                "a function of its arguments alone",
            ],
        },
        Decoy {
            name: "the wall clamped to a microsecond (round 10, diagnose/10)",
            class: Class::RuleSkipped,
            subject: plain(wall_clamped_to_a_microsecond),
            caught_by: "parallelism_is_cpu_time_over_wall_time",
            breaks: "parallelism",
            says: &[
                "reported a parallelism",
                "from a nanosecond of wall time up",
            ],
        },
        Decoy {
            name: "believes in at most 16 cores",
            class: Class::RuleSkipped,
            subject: plain(cores_capped_at_16),
            caught_by: "several_busy_cores_are_parallel",
            breaks: "parallel",
            says: &["answered Miscounted", "expected Parallel"],
        },
        Decoy {
            name: "needs a speedup above ×1.2, not on it",
            class: Class::RuleSkipped,
            subject: plain(speedup_strictly_above),
            caught_by: "several_busy_cores_are_parallel",
            breaks: "parallel",
            says: &["answered Serial", "at least ×1.2"],
        },
        Decoy {
            name: "counts exactly half a core as waiting",
            class: Class::RuleSkipped,
            subject: plain(half_a_core_is_waiting),
            caught_by: "waiting_or_working",
            breaks: "one-core",
            says: &["answered Waiting", "expected Serial"],
        },
        Decoy {
            name: "drops the clock's slack past 16 cores",
            class: Class::RuleSkipped,
            subject: plain(no_slack_past_16_cores),
            caught_by: "several_busy_cores_are_parallel",
            breaks: "parallel",
            says: &["answered Miscounted", "expected Parallel"],
        },
        Decoy {
            name: "ignores the sequential time of runs over a minute",
            class: Class::RuleSkipped,
            subject: plain(long_runs_skip_the_speedup),
            caught_by: "busy_cores_without_a_speedup_are_serial",
            breaks: "busy-is-not-work",
            says: &[
                "answered Parallel",
                "expected Serial",
                "did not make the work finish sooner",
            ],
        },
        Decoy {
            name: "a speedup of ×2 is parallel before the cores are checked",
            class: Class::RuleSkipped,
            subject: plain(speedup_before_miscount),
            caught_by: "cpu_time_beyond_the_cores_is_miscounted",
            breaks: "miscounted",
            says: &["answered Parallel", "expected Miscounted"],
        },
        Decoy {
            name: "runs under a millisecond are serial",
            class: Class::RuleSkipped,
            subject: plain(short_runs_are_serial),
            caught_by: "several_busy_cores_are_parallel",
            breaks: "parallel",
            says: &["answered Serial", "expected Parallel"],
        },
        Decoy {
            name: "reads the clocks in whole microseconds",
            class: Class::RuleSkipped,
            subject: plain(in_microseconds),
            caught_by: "parallelism_is_cpu_time_over_wall_time",
            breaks: "parallelism",
            says: &["not rounded"],
        },
        Decoy {
            name: "exactly on the clock's slack line is miscounted",
            class: Class::RuleSkipped,
            subject: plain(slack_line_is_miscounted),
            caught_by: "cpu_time_beyond_the_cores_is_miscounted",
            breaks: "miscounted",
            says: &["answered Miscounted", "the clock's slack line"],
        },
        Decoy {
            name: "believes in at most 2^40 cores (round 18, diagnose/06)",
            class: Class::RuleSkipped,
            subject: plain(cores_capped_at_2_pow_40),
            caught_by: "cpu_time_beyond_the_cores_is_miscounted",
            breaks: "miscounted",
            says: &["diagnose answered Miscounted, expected"],
        },
        Decoy {
            name: "believes in at most 64 cores",
            class: Class::RuleSkipped,
            subject: plain(cores_capped_at_64),
            caught_by: "several_busy_cores_are_parallel",
            breaks: "parallel",
            says: &["answered Miscounted", "expected Parallel"],
        },
        Decoy {
            name: "parallelism capped at twice the cores",
            class: Class::RuleSkipped,
            subject: plain(parallelism_capped),
            caught_by: "parallelism_is_cpu_time_over_wall_time",
            breaks: "parallelism",
            says: &["not capped", "expected CPU time / wall time"],
        },
        Decoy {
            name: "the kind read off the parallelism rounded to one decimal",
            class: Class::RuleSkipped,
            subject: plain(rounded_to_one_decimal),
            caught_by: "waiting_or_working",
            breaks: "waiting",
            says: &["diagnose answered", "close to", "no rounding"],
        },
        Decoy {
            name: "with a sequential time, the speedup alone decides",
            class: Class::RuleSkipped,
            subject: plain(speedup_alone_decides),
            caught_by: "waiting_or_working",
            breaks: "one-core",
            says: &[
                "answered Parallel",
                "expected Serial",
                "whatever its speedup",
            ],
        },
        Decoy {
            name: "a 3% tolerance on the parallel and speedup lines",
            class: Class::RuleSkipped,
            subject: plain(three_percent_tolerance),
            caught_by: "waiting_or_working",
            breaks: "one-core",
            says: &[
                "answered Parallel",
                "expected Serial",
                "close to the parallel line",
            ],
        },
        Decoy {
            name: "a 3% tolerance on the parallel and speedup lines (seen on the speedup line)",
            class: Class::RuleSkipped,
            subject: plain(three_percent_tolerance),
            caught_by: "busy_cores_without_a_speedup_are_serial",
            breaks: "busy-is-not-work",
            says: &["answered Parallel", "expected Serial", "the speedup line"],
        },
        Decoy {
            name: "the kind read off clocks in whole microseconds",
            class: Class::RuleSkipped,
            subject: plain(kind_in_whole_microseconds),
            caught_by: "waiting_or_working",
            breaks: "one-core",
            says: &["diagnose answered", "to the nanosecond"],
        },
        Decoy {
            name: "the sequential time of runs under a millisecond ignored",
            class: Class::RuleSkipped,
            subject: plain(short_runs_drop_the_sequential_time),
            caught_by: "busy_cores_without_a_speedup_are_serial",
            breaks: "busy-is-not-work",
            says: &[
                "answered Parallel",
                "expected Serial",
                "did not make the work finish sooner",
            ],
        },
        Decoy {
            name: "a whole core busy and a speedup of ×1.2 is parallel",
            class: Class::RuleSkipped,
            subject: plain(whole_core_and_a_speedup),
            caught_by: "waiting_or_working",
            breaks: "one-core",
            says: &[
                "answered Parallel",
                "expected Serial",
                "whatever its speedup",
            ],
        },
        Decoy {
            name: "diagnoses remembered for the same two clocks",
            class: Class::StateBetweenCalls,
            subject: plain(remembered_by_clocks),
            caught_by: "busy_cores_without_a_speedup_are_serial",
            breaks: "busy-is-not-work",
            says: &[
                "the same clocks, now with a sequential time",
                "answered Parallel",
                "expected Serial",
            ],
        },
        Decoy {
            name: "diagnoses remembered for the same two clocks (seen on fewer cores)",
            class: Class::StateBetweenCalls,
            subject: plain(remembered_by_clocks),
            caught_by: "cpu_time_beyond_the_cores_is_miscounted",
            breaks: "miscounted",
            says: &["the same clocks on fewer cores", "expected Miscounted"],
        },
        Decoy {
            name: "always parallel",
            class: Class::MadeUp,
            subject: plain(always_parallel),
            caught_by: "waiting_or_working",
            breaks: "waiting",
            says: &["answered Parallel", "expected Waiting", "cores busy"],
        },
        Decoy {
            name: "wall time over CPU time",
            class: Class::MadeUp,
            subject: plain(inverted),
            caught_by: "parallelism_is_cpu_time_over_wall_time",
            breaks: "parallelism",
            says: &["CPU time / wall time"],
        },
        Decoy {
            name: "judged by wall time alone",
            class: Class::RuleSkipped,
            subject: plain(wall_time_alone),
            caught_by: "waiting_or_working",
            breaks: "waiting",
            says: &["expected Waiting", "whatever its speedup"],
        },
        Decoy {
            name: "computing is always serial",
            class: Class::Sequential,
            subject: plain(threads_never_help),
            caught_by: "several_busy_cores_are_parallel",
            breaks: "parallel",
            says: &["answered Serial", "expected Parallel"],
        },
        Decoy {
            name: "cores available ignored",
            class: Class::RuleSkipped,
            subject: plain(ignores_cores),
            caught_by: "cpu_time_beyond_the_cores_is_miscounted",
            breaks: "miscounted",
            says: &["expected Miscounted", "counted something besides this run"],
        },
        Decoy {
            name: "a spinning core counted as work",
            class: Class::Spinning,
            subject: plain(ignores_the_speedup),
            caught_by: "busy_cores_without_a_speedup_are_serial",
            breaks: "busy-is-not-work",
            says: &["answered Parallel", "expected Serial", "spinning"],
        },
        Decoy {
            name: "thresholds fitted to an idle machine",
            class: Class::MadeUp,
            subject: plain(fitted_to_the_examples),
            caught_by: "several_busy_cores_are_parallel",
            breaks: "parallel",
            says: &["answered Serial", "expected Parallel", "at least 1.4"],
        },
        Decoy {
            name: "below one core is waiting",
            class: Class::RuleSkipped,
            subject: plain(below_one_core_is_waiting),
            caught_by: "waiting_or_working",
            breaks: "one-core",
            says: &["answered Waiting", "expected Serial", "one core at a time"],
        },
        Decoy {
            name: "first answer kept",
            class: Class::StateBetweenCalls,
            subject: plain(first_answer_kept),
            caught_by: "waiting_or_working",
            breaks: "one-core",
            says: &["answered Waiting", "expected Serial"],
        },
        Decoy {
            name: "judged by wall time alone (seen in sleeping threads measured now)",
            class: Class::RuleSkipped,
            subject: plain(wall_time_alone),
            caught_by: "sleeping_threads_under_the_gil_are_waiting",
            breaks: "waiting",
            // Parallel with the sequential time, Serial without it.
            says: &[
                "measured just now",
                "expected Waiting",
                "whatever its speedup",
            ],
        },
        Decoy {
            name: "several cores available make computing parallel",
            class: Class::RuleSkipped,
            subject: plain(several_cores_make_it_parallel),
            caught_by: "computing_threads_under_the_gil_are_serial",
            breaks: "one-core",
            says: &[
                "measured just now",
                "answered Parallel",
                "expected Serial",
                "one core at a time",
            ],
        },
        Decoy {
            name: "CPU time past the wall time is miscounted",
            class: Class::RuleSkipped,
            subject: plain(cpu_past_the_wall_clock_is_miscounted),
            caught_by: "computing_threads_without_a_gil_are_parallel",
            breaks: "parallel",
            says: &[
                "measured just now",
                "answered Miscounted",
                "expected Parallel",
                "several cores computed at once",
            ],
        },
    ]
}
