//! The speedup checks, repeated: the reference must never fail and a
//! sequential stand-in must never pass. In the slow tier (`cargo test -p
//! decoys`): repeats that need every run judged belong on a quiet machine,
//! not in the README's `cargo test`.
//!
//! Each check here runs the real thing many times in a row on whatever
//! machine runs the tests (CI's is a noisy two-core box), and counts the
//! verdicts. `COURSE_RELIABILITY_RUNS` sets the repetitions (default 10);
//! run with `--nocapture` to see the counts. A wrong verdict fails
//! whatever the load; too few verdicts, or a check over its time, fails
//! only where the load was below 1.5 a core (else it is printed as not
//! judged: stop 24's CI, on a machine busier than ours, failed here).

use std::time::{Duration, Instant};

use harness::workload::{spin_sequential, spin_threads, units_for};
use harness::{CpuCheck, Outcome, Verdict, WaitCheck, available_cores, exclusive};
use testweb::Server;

fn runs() -> usize {
    harness::record::repetitions(10)
}

/// Verdict counts over repeated checks, and the slowest single check.
#[derive(Default, Debug)]
struct Tally {
    pass: usize,
    fail: usize,
    inconclusive: usize,
    slowest: Duration,
    worst: Option<Outcome>,
}

impl Tally {
    fn add(&mut self, took: Duration, outcome: Outcome) {
        match outcome.verdict {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail => self.fail += 1,
            Verdict::Inconclusive => self.inconclusive += 1,
        }
        self.slowest = self.slowest.max(took);
        self.worst = Some(outcome);
    }

    fn judged(&self) -> usize {
        self.pass + self.fail
    }

    fn report(&self, what: &str) {
        eprintln!(
            "{what}: {} runs: {} pass, {} fail, {} inconclusive; slowest check {:.2} s; last: {}",
            self.pass + self.fail + self.inconclusive,
            self.pass,
            self.fail,
            self.inconclusive,
            self.slowest.as_secs_f64(),
            self.worst
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        );
    }
}

/// Runs `check(true)` (a correct parallel candidate) and `check(false)`
/// (a sequential stand-in) alternately until each has reached [`runs`]
/// verdicts, or [`PATIENCE`] times that many attempts have been made, and
/// asserts that the first never fails, the second never passes, each
/// reached a verdict in at least [`MOSTLY`] of [`runs`], and no check
/// overran [`CHECK_LIMIT`]. A machine too busy to show parallelism makes a
/// check say "inconclusive", which is right, so it is asked again; a
/// harness that answered "inconclusive" every time would fail here.
fn repeat(what: &str, mut check: impl FnMut(bool) -> Outcome) {
    let (mut parallel, mut sequential) = (Tally::default(), Tally::default());
    let wanted = runs();
    let mut attempts = 0;
    while (parallel.judged() < wanted || sequential.judged() < wanted)
        && attempts < wanted * PATIENCE
    {
        attempts += 1;
        for (tally, correct) in [(&mut parallel, true), (&mut sequential, false)] {
            if tally.judged() < wanted {
                let start = Instant::now();
                let outcome = check(correct);
                tally.add(start.elapsed(), outcome);
            }
        }
    }
    parallel.report(&format!("{what}, parallel candidate"));
    sequential.report(&format!("{what}, sequential stand-in"));
    let load = harness::clock::load_average().unwrap_or(0.0);
    let cores = available_cores();
    let when = format!("(load {load:.1} on {cores} cores)");
    // Never: whatever the load, a verdict must be right.
    assert_eq!(
        parallel.fail, 0,
        "the reference failed {when}: {parallel:?}"
    );
    assert_eq!(
        sequential.pass, 0,
        "sequential code passed {when}: {sequential:?}"
    );
    // Mostly judged, and in time: what a quiet machine must show. On a
    // machine busier than its cores, "inconclusive" is the right answer
    // and slow checks are the machine's; said, not failed.
    let mostly = (wanted as f64 * MOSTLY).ceil() as usize;
    let slowest = parallel.slowest.max(sequential.slowest);
    let soft = [
        (
            parallel.pass >= mostly,
            format!(
                "the reference passed only {} times in {attempts} attempts {when}",
                parallel.pass
            ),
        ),
        (
            sequential.fail >= mostly,
            format!(
                "sequential code failed only {} times in {attempts} attempts {when}",
                sequential.fail
            ),
        ),
        (
            slowest < CHECK_LIMIT,
            format!(
                "a check took {:.1} s, over {CHECK_LIMIT:?} {when}",
                slowest.as_secs_f64()
            ),
        ),
    ];
    for (held, what_failed) in soft {
        if held {
            continue;
        }
        assert!(
            load > BUSY_PER_CORE * cores as f64,
            "{what_failed}: {parallel:?} / {sequential:?}"
        );
        eprintln!("not judged, the machine was too busy: {what_failed}");
    }
}

/// Load per core above which a check that seldom reaches a verdict, or
/// overruns, is the machine's doing and not the harness's.
const BUSY_PER_CORE: f64 = 1.5;

/// How many times [`runs`] attempts a busy machine is given to reach its
/// verdicts.
const PATIENCE: usize = 3;

/// The share of runs that must reach a verdict: a machine may be too busy
/// to judge now and then, but a check that rarely judges is broken.
const MOSTLY: f64 = 0.8;

/// The checks time closures that return nothing.
fn drop_result(_: u64) {}

/// A check must end within its 3 s budget plus one overrunning round.
const CHECK_LIMIT: Duration = Duration::from_secs(6);

#[test]
fn cpu_check_never_fails_the_reference_and_never_passes_sequential_code() {
    let _alone = exclusive();
    if available_cores() < 2 {
        eprintln!("one core: CPU checks are skipped by design; nothing to repeat");
        return;
    }
    const TASKS: usize = 4;
    let units = units_for(Duration::from_millis(25));
    let check = CpuCheck::new("reliability: cpu", TASKS);
    repeat("cpu", |correct| {
        let candidate = if correct {
            spin_threads
        } else {
            spin_sequential
        };
        check.run(
            &mut || drop_result(spin_sequential(TASKS, units)),
            &mut || drop_result(spin_threads(TASKS, units)),
            &mut || drop_result(candidate(TASKS, units)),
        )
    });
}

#[test]
fn wait_check_never_fails_the_reference_and_never_passes_sequential_code() {
    let _alone = exclusive();
    const REQUESTS: usize = 16;
    let latency = Duration::from_millis(100);
    let server = Server::start(latency).expect("test server on 127.0.0.1");
    let urls = server.page_urls(REQUESTS);
    let overlapped = || {
        std::thread::scope(|s| {
            for url in &urls {
                s.spawn(move || testweb::get(url).expect("page exists"));
            }
        })
    };
    let one_by_one = || {
        for url in &urls {
            testweb::get(url).expect("page exists");
        }
    };
    let check = WaitCheck::new("reliability: waiting", REQUESTS, latency);
    repeat("waiting", |correct| {
        if correct {
            check.run(&mut overlapped.clone(), &mut overlapped.clone())
        } else {
            check.run(&mut overlapped.clone(), &mut one_by_one.clone())
        }
    });
}
