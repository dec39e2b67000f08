//! Pitfalls, exercise diagnose: read a run's clocks before blaming it.
//!
//! The tutorial's first mistake is to put CPU work in threads under a GIL
//! and expect it to go faster. The cure is not a rule of thumb but a
//! measurement: two clocks and the number of cores say whether a run was
//! waiting, computing on several cores at once, or computing on one core
//! at a time (a lock such as the GIL, or a single thread).
//!
//! [`diagnose`] reads one [`Measured`] run and says which, with the run's
//! effective parallelism: CPU time over wall time, the number of cores that
//! were busy on average.

use std::time::Duration;

// ANCHOR: measured
/// What was measured of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    /// Elapsed wall-clock time of the run (never zero).
    pub wall: Duration,
    /// CPU time (user + system) of every thread and child of the run.
    pub cpu: Duration,
    /// Cores the run could use (`std::thread::available_parallelism`).
    pub cores: usize,
    /// Wall time of the same work done one piece after another on one
    /// thread, when it was measured too.
    pub sequential: Option<Duration>,
}

/// What a run was doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Mostly waiting: on average less than half a core was busy.
    Waiting,
    /// Computing on more than one core at once, and faster for it.
    Parallel,
    /// Computing on one core at a time: a lock such as a GIL let one
    /// thread run at once, or there was one thread, or one core; or a
    /// second core was busy without making the work finish sooner.
    Serial,
    /// The CPU clock counted more than `cores` cores could do in the wall
    /// time: it measured something besides this run. Measure it alone.
    Miscounted,
}

/// The answer: what the run was doing, and how many cores were busy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diagnosis {
    /// What it was doing.
    pub kind: Kind,
    /// CPU time over wall time: cores busy on average.
    pub parallelism: f64,
}
// ANCHOR_END: measured

// ANCHOR: rule
/// The rule's lines, in tenths: a line in whole tenths is compared exactly
/// in whole nanoseconds (`cpu / wall ≥ 1.4` is `cpu × 10 ≥ wall × 14`, in
/// `u128`), for any clocks a `Duration` holds; `f64` seconds round it past
/// about a month of wall time.
///
/// Below this many tenths of a core busy on average (half a core), a run
/// was mostly waiting.
pub const WAITING_BELOW_TENTHS: u128 = 5;

/// At least this many tenths of a core busy on average (1.4 cores) for a
/// run to count as parallel: threads taking turns under a lock keep about
/// one busy, a little more while they hand it over.
pub const PARALLEL_FROM_TENTHS: u128 = 14;

/// When the sequential time is known, a parallel run must also be at
/// least this many tenths faster than it (×1.2): busy cores that do not
/// shorten the work (a thread spinning while another computes) are not
/// parallelism.
pub const SPEEDUP_FROM_TENTHS: u128 = 12;

/// The CPU clock may run this many tenths of `cores` cores (×1.1) before
/// the measurement is not believed (clock ticks are coarse).
pub const CLOCK_SLACK_TENTHS: u128 = 11;
// ANCHOR_END: rule

// ANCHOR: diagnose
/// Says what the run `m` was doing.
///
/// In this order: a CPU time beyond what the cores could give is
/// [`Kind::Miscounted`]; fewer than [`WAITING_BELOW_TENTHS`] tenths of a
/// core busy is [`Kind::Waiting`]; at least [`PARALLEL_FROM_TENTHS`]
/// tenths, and (when the sequential time is known) a speedup of at least
/// [`SPEEDUP_FROM_TENTHS`] tenths, is [`Kind::Parallel`]; anything else is
/// [`Kind::Serial`]. A function of `m` alone: the same run, the same
/// answer, on every call.
pub fn diagnose(m: &Measured) -> Diagnosis {
    // SOLUTION: todo!("which case this run is, by the page's rules")
    // Cores busy on average: the one figure that tells waiting from
    // working, whatever the size of the work.
    let parallelism = m.cpu.as_secs_f64() / m.wall.as_secs_f64().max(f64::MIN_POSITIVE);
    // The lines, decided exactly on the clocks in nanoseconds: ten times
    // the CPU time against the wall time times the line in tenths.
    let cpu = m.cpu.as_nanos() * 10;
    let wall = m.wall.as_nanos().max(1);
    // No run keeps more cores busy than it has: the clock also counted
    // other threads or processes (another test in the same binary). Past
    // what a u128 holds, the cores are more than any clock can count.
    let most = wall.checked_mul(m.cores.max(1) as u128 * CLOCK_SLACK_TENTHS);
    // Wall time alone cannot tell a fast run from a waiting one, nor the
    // CPU clock alone real work from spinning: the speedup over the
    // sequential time (when known) is what says the extra cores helped.
    let faster = m
        .sequential
        .is_none_or(|s| s.as_nanos() * 10 >= wall * SPEEDUP_FROM_TENTHS);
    let kind = if most.is_some_and(|most| cpu > most) {
        Kind::Miscounted
    } else if cpu < wall * WAITING_BELOW_TENTHS {
        Kind::Waiting
    } else if cpu >= wall * PARALLEL_FROM_TENTHS && faster {
        Kind::Parallel
    } else {
        Kind::Serial
    };
    Diagnosis { kind, parallelism }
    // END SOLUTION
}
// ANCHOR_END: diagnose
