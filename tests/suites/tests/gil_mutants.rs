//! The GIL suite against deliberately broken locks: each flaw must be caught
//! by the check written for it.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use common::flawed::*;
use harness::{Outcome, Verdict, available_cores, exclusive};
use suites::gil;

/// Runs one suite check alone, with the suite's own panic messages
/// silenced, and says whether it failed.
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

/// A suite timing check that returns its outcome instead of judging it.
type Measure = fn() -> Outcome;

/// Runs one timing check alone and says whether it passed. A timing check
/// catches a flaw by never passing it: on a busy machine it may answer
/// "inconclusive", which is not a pass.
fn passes(measure: Measure) -> bool {
    let _alone = exclusive();
    measure().verdict == Verdict::Pass
}

#[test]
fn every_flaw_is_caught_by_its_check() {
    let functional: [(&str, fn()); 7] = [
        (
            "no exclusion",
            gil::never_two_holders::<Flawed<NO_EXCLUSION>>,
        ),
        (
            "does not retake after allow_threads",
            gil::never_two_holders::<Flawed<DOES_NOT_RETAKE_AFTER_ALLOW_THREADS>>,
        ),
        (
            "never hands over",
            gil::hands_off_after_the_switch_interval::<Flawed<NEVER_HANDS_OVER>>,
        ),
        (
            "hands over at once",
            gil::hands_off_after_the_switch_interval::<Flawed<HANDS_OVER_AT_ONCE>>,
        ),
        (
            "releases without notifying",
            gil::no_lost_wakeups::<Flawed<RELEASES_WITHOUT_NOTIFYING>>,
        ),
        (
            "holds during allow_threads",
            gil::allow_threads_releases_the_gil::<Flawed<HOLDS_DURING_ALLOW_THREADS>>,
        ),
        (
            "forgets to release on drop",
            gil::a_panicking_holder_releases_the_gil::<Flawed<FORGETS_TO_RELEASE_ON_DROP>>,
        ),
    ];
    let mut missed: Vec<&str> = functional
        .iter()
        .filter(|(_, check)| !fails(*check))
        .map(|(name, _)| *name)
        .collect();

    let mut timing: Vec<(&str, Measure)> = vec![(
        "holds during allow_threads (overlap)",
        gil::overlap_outcome::<Flawed<HOLDS_DURING_ALLOW_THREADS>>,
    )];
    // Telling parallel from serial CPU work takes two cores.
    if available_cores() >= 2 {
        timing.push((
            "no exclusion (no-speedup check)",
            gil::no_speedup_outcome::<Flawed<NO_EXCLUSION>>,
        ));
        timing.push((
            "holds during allow_threads (extension speedup)",
            gil::released_speedup_outcome::<Flawed<HOLDS_DURING_ALLOW_THREADS>>,
        ));
    }
    missed.extend(
        timing
            .iter()
            .filter(|(_, measure)| passes(*measure))
            .map(|(name, _)| *name),
    );
    assert!(
        missed.is_empty(),
        "flaws the suite did not catch: {missed:?}"
    );
}
