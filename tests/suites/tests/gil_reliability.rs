//! The GIL suite's timing checks, repeated: with the reference GIL they
//! must never fail, and with a flawed one they must never pass.
//!
//! `COURSE_RELIABILITY_RUNS` sets the repetitions (default 3); run with
//! `--nocapture` to see the counts. A process of its own, so that no
//! abandoned thread from another test can disturb the measurements.

mod common;

use std::time::Instant;

use common::flawed::*;
use harness::{Outcome, Verdict, exclusive};
use suites::gil;

mod reference {
    suites::gil_api!(gil_solution);
}
use reference::Subject as Reference;

/// A timing check to repeat, and the verdict it must never give.
type Row = (&'static str, fn() -> Outcome, Verdict);

#[test]
fn timing_checks_hold_when_repeated() {
    let _alone = exclusive();
    let runs = harness::record::repetitions(3);
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
        let verdicts: Vec<Verdict> = (0..runs).map(|_| measure().verdict).collect();
        let count = |v: Verdict| verdicts.iter().filter(|&&x| x == v).count();
        eprintln!(
            "{name}: {} pass, {} fail, {} inconclusive",
            count(Verdict::Pass),
            count(Verdict::Fail),
            count(Verdict::Inconclusive)
        );
        if count(forbidden) > 0 {
            wrong.push(format!("{name}: {} × {forbidden:?}", count(forbidden)));
        }
    }
    eprintln!("{runs} runs each in {:.1} s", start.elapsed().as_secs_f64());
    assert!(wrong.is_empty(), "{wrong:?}");
}
