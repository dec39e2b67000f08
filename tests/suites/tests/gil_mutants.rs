//! The GIL suite against deliberately broken locks: each flaw must be caught
//! by the check written for it, and the timing checks must hold up when
//! repeated (the reference never fails, the flawed lock never passes).
//!
//! `COURSE_RELIABILITY_RUNS` sets the repetitions (default 3); run with
//! `--nocapture` to see the counts.

use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use harness::{Outcome, Verdict, available_cores, exclusive};
use suites::gil::{self, GilApi, GuardApi};

mod reference {
    suites::gil_api!(gil_solution);
}
use reference::Subject as Reference;

/// Ways to get a GIL wrong.
const NO_EXCLUSION: u8 = 0;
const NEVER_HANDS_OVER: u8 = 1;
const HANDS_OVER_AT_ONCE: u8 = 2;
const HOLDS_DURING_ALLOW_THREADS: u8 = 3;
const FORGETS_TO_RELEASE_ON_DROP: u8 = 4;

/// A plain lock with one flaw, chosen by `FLAW`.
struct Flawed<const FLAW: u8> {
    held: Mutex<(bool, bool)>, // (held, hand-over wanted)
    changed: Condvar,
    interval: Duration,
}

struct FlawedGuard<'a, const FLAW: u8>(&'a Flawed<FLAW>, PhantomData<*const ()>);

impl<const FLAW: u8> Flawed<FLAW> {
    fn take(&self) {
        if FLAW == NO_EXCLUSION {
            return;
        }
        let mut state = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        while state.0 {
            if FLAW == HANDS_OVER_AT_ONCE {
                state.1 = true;
            }
            let (next, waited) = self
                .changed
                .wait_timeout(state, self.interval)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            if waited.timed_out() && FLAW != NEVER_HANDS_OVER {
                state.1 = true;
            }
        }
        *state = (true, false);
    }

    fn release(&self) {
        self.held.lock().unwrap_or_else(PoisonError::into_inner).0 = false;
        self.changed.notify_all();
    }
}

impl<const FLAW: u8> GilApi for Flawed<FLAW> {
    type Guard<'a> = FlawedGuard<'a, FLAW>;
    fn new(interval: Duration) -> Self {
        Self {
            held: Mutex::new((false, false)),
            changed: Condvar::new(),
            interval,
        }
    }
    fn acquire(&self) -> FlawedGuard<'_, FLAW> {
        self.take();
        FlawedGuard(self, PhantomData)
    }
}

impl<const FLAW: u8> GuardApi for FlawedGuard<'_, FLAW> {
    fn check_in(&mut self) {
        let wanted = self.0.held.lock().unwrap_or_else(PoisonError::into_inner).1;
        if wanted {
            self.0.release();
            std::thread::yield_now();
            self.0.take();
        }
    }
    fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T {
        if FLAW == HOLDS_DURING_ALLOW_THREADS {
            return work();
        }
        self.0.release();
        let value = work();
        self.0.take();
        value
    }
}

impl<const FLAW: u8> Drop for FlawedGuard<'_, FLAW> {
    fn drop(&mut self) {
        if FLAW != FORGETS_TO_RELEASE_ON_DROP {
            self.0.release();
        }
    }
}

/// Runs one suite check alone, in its own thread with the suite's limit,
/// and says whether it failed.
fn fails(check: fn()) -> bool {
    let _alone = exclusive();
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let failed = catch_unwind(AssertUnwindSafe(|| {
        harness::within(Duration::from_secs(20), "mutant", check)
    }))
    .is_err();
    std::panic::set_hook(quiet);
    failed
}

#[test]
fn every_flaw_is_caught_by_its_check() {
    let cases: [(&str, fn(), bool); 8] = [
        (
            "no exclusion: two holders",
            gil::never_two_holders::<Flawed<NO_EXCLUSION>>,
            true,
        ),
        (
            "never hands over: hand-off check",
            gil::hands_off_after_the_switch_interval::<Flawed<NEVER_HANDS_OVER>>,
            true,
        ),
        (
            "hands over at once: hand-off check",
            gil::hands_off_after_the_switch_interval::<Flawed<HANDS_OVER_AT_ONCE>>,
            true,
        ),
        (
            "holds during allow_threads: release check",
            gil::allow_threads_releases_the_gil::<Flawed<HOLDS_DURING_ALLOW_THREADS>>,
            true,
        ),
        (
            "holds during allow_threads: overlap check",
            gil::waiting_work_overlaps::<Flawed<HOLDS_DURING_ALLOW_THREADS>>,
            true,
        ),
        (
            "forgets to release on drop: panic check",
            gil::a_panicking_holder_releases_the_gil::<Flawed<FORGETS_TO_RELEASE_ON_DROP>>,
            true,
        ),
        // The CPU checks need two cores to tell parallel from serial.
        (
            "no exclusion: no-speedup check",
            gil::cpu_work_under_the_gil_gets_no_speedup::<Flawed<NO_EXCLUSION>>,
            available_cores() >= 2,
        ),
        (
            "holds during allow_threads: extension speedup check",
            gil::cpu_work_that_releases_the_gil_speeds_up::<Flawed<HOLDS_DURING_ALLOW_THREADS>>,
            available_cores() >= 2,
        ),
    ];
    let missed: Vec<&str> = cases
        .iter()
        .filter(|(_, check, must_fail)| *must_fail && !fails(*check))
        .map(|(name, ..)| *name)
        .collect();
    assert!(
        missed.is_empty(),
        "flaws the suite did not catch: {missed:?}"
    );
}

fn runs() -> usize {
    harness::record::repetitions(3)
}

/// A timing check to repeat, and the verdict it must never give.
type Row = (&'static str, fn() -> Outcome, Verdict);

/// Counts verdicts of `measure` over [`runs`] repetitions.
fn tally(measure: fn() -> Outcome) -> [usize; 3] {
    let _alone = exclusive();
    let mut counts = [0; 3];
    for _ in 0..runs() {
        let outcome = measure();
        counts[outcome.verdict as usize] += 1;
    }
    counts
}

#[test]
fn timing_checks_hold_when_repeated() {
    let start = Instant::now();
    let rows: [Row; 4] = [
        (
            "no speedup, reference GIL",
            gil::no_speedup_outcome::<Reference>,
            Verdict::Fail,
        ),
        (
            "no speedup, no exclusion",
            gil::no_speedup_outcome::<Flawed<NO_EXCLUSION>>,
            Verdict::Pass,
        ),
        (
            "overlap, reference GIL",
            gil::overlap_outcome::<Reference>,
            Verdict::Fail,
        ),
        (
            "overlap, held while waiting",
            gil::overlap_outcome::<Flawed<HOLDS_DURING_ALLOW_THREADS>>,
            Verdict::Pass,
        ),
    ];
    let mut wrong = Vec::new();
    for (name, measure, forbidden) in rows {
        let [pass, fail, inconclusive] = tally(measure);
        eprintln!("{name}: {pass} pass, {fail} fail, {inconclusive} inconclusive");
        let seen = [pass, fail, inconclusive][forbidden as usize];
        if seen > 0 {
            wrong.push(format!("{name}: {seen} × {forbidden:?}"));
        }
    }
    eprintln!(
        "{} runs each in {:.1} s",
        runs(),
        start.elapsed().as_secs_f64()
    );
    assert!(wrong.is_empty(), "{wrong:?}");
}
