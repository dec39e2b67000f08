//! Scoring, as pure functions: a suite run's records and libtest lines plus
//! the manifest's worth of each test give points. Nothing here runs or
//! reads anything, so every rule is pinned by the unit tests below with
//! made-up records.
//!
//! A test's points need two witnesses that agree: the record the suite
//! wrote (status, message, the check's figures) and libtest's own
//! `test name ... ok` line. Student code runs in the process that writes the
//! records, so a record alone could be forged; libtest's verdict alone
//! carries no figures.

use std::collections::BTreeMap;

use harness::Outcome;
use harness::speedup::{Reason, Requirement, Verdict};

use super::report::{CheckFigures, TestKind, TestReport, TestStatus};
use crate::results::{self, Event, Line, Record, TestEnd};
use course::{Tiers, Worth};

/// Everything one run of a suite left that scoring reads.
#[derive(Clone, Copy, Debug)]
pub struct SuiteRun<'a> {
    /// Records of the run, in order.
    pub records: &'a [Record],
    /// libtest's output (stdout and stderr).
    pub output: &'a str,
}

/// Scores every test the manifest lists, in the order the suite ran them
/// (tests that never ran come last, by name).
pub fn tests(worth: &BTreeMap<&str, Worth>, run: SuiteRun<'_>) -> Vec<TestReport> {
    let lines = results::test_lines(run.output);
    let mut names: Vec<&str> = lines
        .iter()
        .filter_map(|(n, _)| worth.get_key_value(n.as_str()).map(|(k, _)| *k))
        .collect();
    for name in worth.keys() {
        if !names.contains(name) {
            names.push(name);
        }
    }
    names
        .into_iter()
        .map(|name| test(name, worth[name], run, &lines))
        .collect()
}

/// Every listed test as not run, with `why` (a compile error, a killed suite).
pub fn not_run(worth: &BTreeMap<&str, Worth>, why: &str) -> Vec<TestReport> {
    worth
        .iter()
        .map(|(name, w)| TestReport {
            name: (*name).to_owned(),
            kind: kind(*w),
            status: TestStatus::NotRun,
            points: 0.0,
            max_points: f64::from(w.max()),
            message: why.to_owned(),
            seconds: 0.0,
            reruns: 0,
            check: None,
        })
        .collect()
}

fn kind(w: Worth) -> TestKind {
    match w {
        Worth::Correct(_) => TestKind::Correctness,
        Worth::Speed { .. } => TestKind::Speed,
    }
}

/// Scores one test.
pub fn test(name: &str, worth: Worth, run: SuiteRun<'_>, lines: &[(String, Line)]) -> TestReport {
    let end: Option<&TestEnd> = run.records.iter().rev().find_map(|r| match &r.event {
        Event::Test(end) if r.test == name => Some(end),
        _ => None,
    });
    let outcome: Option<&Outcome> = run.records.iter().rev().find_map(|r| match &r.event {
        Event::Check(o) if r.test == name => Some(o.as_ref()),
        _ => None,
    });
    let not_judged = run.records.iter().rev().find_map(|r| match &r.event {
        Event::NotJudged(n) if r.test == name => Some(n.why.as_str()),
        _ => None,
    });
    let line = lines.iter().rev().find(|(n, _)| n == name).map(|(_, l)| *l);
    let max = f64::from(worth.max());
    let mut report = TestReport {
        name: name.to_owned(),
        kind: kind(worth),
        status: TestStatus::Fail,
        points: 0.0,
        max_points: max,
        message: String::new(),
        seconds: end.map_or(0.0, |e| e.seconds),
        reruns: 0,
        check: None,
    };
    let passed = match (end, line) {
        (Some(e), Some(Line::Ok)) if e.status == results::TestStatus::Pass => true,
        (Some(e), _) if e.status == results::TestStatus::Fail => {
            report.message = e.message.clone();
            false
        }
        (_, Some(Line::Failed)) => {
            let section = results::failure_section(run.output, name).trim();
            report.message = if section.is_empty() {
                "libtest reports a failure the suite did not record".to_owned()
            } else {
                section.to_owned()
            };
            false
        }
        _ => {
            report.status = TestStatus::NotRun;
            report.message = "no record that this test ran to its end".to_owned();
            return report;
        }
    };
    match worth {
        Worth::Correct(_) => match (passed, not_judged) {
            (true, Some(why)) => {
                report.status = TestStatus::NotJudged;
                report.max_points = 0.0;
                report.message = format!("not judged: {why}");
            }
            (true, None) => {
                report.status = TestStatus::Pass;
                report.points = max;
            }
            (false, _) => {}
        },
        Worth::Speed { tiers, .. } => {
            let Some(outcome) = outcome else {
                // The test ended before its check: a wrong result, a panic,
                // a deadline. A pass without a check record cannot happen
                // with the course's suites; it earns nothing either.
                if passed {
                    report.message = "the test passed without recording its check".to_owned();
                }
                return report;
            };
            let credit = check_credit(outcome, tiers);
            report.check = Some(figures(outcome, credit));
            match (outcome.verdict, passed) {
                (Verdict::Pass, true) => {
                    report.status = TestStatus::Pass;
                    report.points = max;
                    report.message = outcome.explanation.clone();
                }
                (Verdict::Inconclusive, true) => {
                    report.status = TestStatus::NotJudged;
                    report.max_points = 0.0;
                    report.message = format!(
                        "not judged ({}): {}",
                        reason_name(outcome.reason),
                        outcome.explanation
                    );
                }
                (Verdict::Fail, false) => {
                    report.points = max * credit;
                    report.status = if credit > 0.0 {
                        TestStatus::Partial
                    } else {
                        TestStatus::Fail
                    };
                    report.message = outcome.explanation.clone();
                }
                // The check and the test disagree (something else in the
                // test failed after the check, or a forged record): no points.
                _ => {
                    if report.message.is_empty() {
                        report.message = format!(
                            "the check says {} but the test {}",
                            reason_name(outcome.reason),
                            if passed { "passed" } else { "failed" }
                        );
                    }
                }
            }
        }
    }
    report
}

/// Fraction of the check's points a judged outcome earns: all for a pass,
/// tiers by [`gain_ratio`] for a fail that was only too slow, none for a
/// fail that shows the wrong kind of code (serial, spinning, no lock).
pub fn check_credit(outcome: &Outcome, tiers: Tiers) -> f64 {
    match (outcome.verdict, outcome.reason) {
        (Verdict::Pass, _) => 1.0,
        (Verdict::Fail, Reason::BelowRequired | Reason::HandOverTooCostly) => {
            tiers.credit(gain_ratio(outcome))
        }
        _ => 0.0,
    }
}

/// The fraction of the reference's gain the candidate reached, `r`:
///
/// - CPU work that should speed up: `(candidate speedup − 1) / (reference
///   speedup − 1)`, both over the sequential time of the same run;
/// - waiting work: reference wall time / candidate wall time (the reference
///   overlaps as allowed, so this is how close to ideal the candidate came);
/// - CPU work under a global lock: sequential time / candidate time (the
///   lock should cost nothing beyond one-after-another).
pub fn gain_ratio(outcome: &Outcome) -> f64 {
    let r = match outcome.requirement {
        Requirement::Speedup { .. } => {
            if outcome.reference_score > 1.0 {
                (outcome.score - 1.0) / (outcome.reference_score - 1.0)
            } else {
                0.0
            }
        }
        Requirement::Overlap { .. } => {
            let c = outcome.candidate.wall.as_secs_f64();
            if c > 0.0 {
                outcome.reference.wall.as_secs_f64() / c
            } else {
                0.0
            }
        }
        Requirement::Serial { .. } => {
            if outcome.score > 0.0 {
                1.0 / outcome.score
            } else {
                0.0
            }
        }
    };
    if r.is_finite() { r.max(0.0) } else { 0.0 }
}

/// The check's figures as reported.
pub fn figures(outcome: &Outcome, credit: f64) -> CheckFigures {
    CheckFigures {
        check: outcome.check.clone(),
        verdict: verdict_name(outcome.verdict).to_owned(),
        reason: reason_name(outcome.reason),
        kind: match outcome.requirement {
            Requirement::Speedup { .. } => "speedup",
            Requirement::Overlap { .. } => "overlap",
            Requirement::Serial { .. } => "serial",
        }
        .to_owned(),
        requirement: outcome.expectation.clone(),
        score: outcome.score,
        reference_score: outcome.reference_score,
        gain_ratio: gain_ratio(outcome),
        credit,
        candidate_s: outcome.candidate.wall.as_secs_f64(),
        reference_s: outcome.reference.wall.as_secs_f64(),
        sequential_s: outcome.sequential.map(|s| s.wall.as_secs_f64()),
        cores: outcome.cores,
        rounds: outcome.rounds,
        load_average: outcome.load_average,
    }
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Inconclusive => "inconclusive",
    }
}

/// The reason as the records spell it (`plainly_serial`).
pub fn reason_name(r: Reason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{r:?}"))
}

/// Whether a scored test stayed not judged (an inconclusive speed check, or
/// a witness the machine could not provide).
pub fn inconclusive(t: &TestReport) -> bool {
    t.status == TestStatus::NotJudged
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use harness::Sample;

    use super::*;
    use crate::results::TestStatus as S;

    const TIERS: Tiers = Tiers {
        none_below: 0.3,
        partial_at: 0.8,
        partial: 0.5,
    };

    fn end(test: &str, status: S, message: &str) -> Record {
        Record {
            schema: 1,
            package: "x".into(),
            test: test.into(),
            event: Event::Test(TestEnd {
                status,
                message: message.into(),
                seconds: 0.5,
            }),
        }
    }

    fn sample(ms: u64) -> Sample {
        Sample {
            wall: Duration::from_millis(ms),
            cpu: Duration::from_millis(ms),
        }
    }

    fn check(test: &str, verdict: Verdict, reason: Reason, cand_ms: u64, ref_ms: u64) -> Record {
        Record {
            schema: 1,
            package: "x".into(),
            test: test.into(),
            event: Event::Check(Box::new(Outcome {
                check: "c".into(),
                verdict,
                reason,
                cores: 2,
                rounds: 3,
                attempts: 1,
                candidate: sample(cand_ms),
                reference: sample(ref_ms),
                sequential: None,
                cpu_beyond_reference: None,
                load_average: Some(0.5),
                score: cand_ms as f64 / 100.0,
                reference_score: ref_ms as f64 / 100.0,
                requirement: Requirement::Overlap {
                    at_most: 1.5,
                    ideal_s: 0.1,
                    max_extra_cores: 0.5,
                },
                expectation: "wall ≤ 1.5 × ideal".into(),
                explanation: "measured".into(),
            })),
        }
    }

    fn worth() -> BTreeMap<&'static str, Worth> {
        BTreeMap::from([
            ("a", Worth::Correct(2)),
            (
                "s",
                Worth::Speed {
                    points: 4,
                    tiers: TIERS,
                },
            ),
        ])
    }

    fn score(records: &[Record], output: &str) -> Vec<TestReport> {
        tests(&worth(), SuiteRun { records, output })
    }

    fn by<'a>(r: &'a [TestReport], name: &str) -> &'a TestReport {
        r.iter().find(|t| t.name == name).unwrap()
    }

    #[test]
    fn a_pass_needs_the_record_and_libtest_to_agree() {
        let recs = [end("a", S::Pass, "")];
        let r = score(&recs, "test a ... ok\n");
        assert_eq!(by(&r, "a").status, TestStatus::Pass);
        assert_eq!(by(&r, "a").points, 2.0);
        // A forged pass record beside libtest's FAILED earns nothing.
        let r = score(&recs, "test a ... FAILED\n");
        assert_eq!(by(&r, "a").points, 0.0);
        // No record: not run, even if libtest printed ok.
        let r = score(&[], "test a ... ok\n");
        assert_eq!(by(&r, "a").status, TestStatus::NotRun);
        assert_eq!(by(&r, "s").status, TestStatus::NotRun);
        assert_eq!(by(&r, "s").max_points, 4.0);
    }

    #[test]
    fn failures_carry_their_message() {
        let r = score(&[end("a", S::Fail, "boom")], "test a ... FAILED\n");
        assert_eq!(by(&r, "a").message, "boom");
        assert_eq!(by(&r, "a").status, TestStatus::Fail);
    }

    #[test]
    fn speed_checks_score_in_tiers() {
        let out = "test s ... FAILED\n";
        let pass = [
            check("s", Verdict::Pass, Reason::Met, 110, 105),
            end("s", S::Pass, ""),
        ];
        let r = score(&pass, "test s ... ok\n");
        assert_eq!(by(&r, "s").points, 4.0);
        // Too slow: r = 100/160 = 0.625, credit 0.5 × (0.625−0.3)/0.5 = 0.325.
        let slow = [
            check("s", Verdict::Fail, Reason::BelowRequired, 160, 100),
            end("s", S::Fail, "slow"),
        ];
        let t = score(&slow, out);
        let s = by(&t, "s");
        assert_eq!(s.status, TestStatus::Partial);
        assert!((s.points - 4.0 * 0.325).abs() < 1e-9, "{}", s.points);
        // Much too slow: r below 0.3, nothing.
        let slower = [
            check("s", Verdict::Fail, Reason::BelowRequired, 400, 100),
            end("s", S::Fail, "slow"),
        ];
        assert_eq!(by(&score(&slower, out), "s").points, 0.0);
        // Plainly serial earns nothing, however close the times.
        let serial = [
            check("s", Verdict::Fail, Reason::PlainlySerial, 120, 100),
            end("s", S::Fail, "serial"),
        ];
        let t = score(&serial, out);
        assert_eq!(by(&t, "s").points, 0.0);
        assert_eq!(by(&t, "s").check.as_ref().unwrap().reason, "plainly_serial");
    }

    #[test]
    fn inconclusive_is_not_judged_and_leaves_the_maximum() {
        let recs = [
            check(
                "s",
                Verdict::Inconclusive,
                Reason::ReferenceTooSlow,
                300,
                300,
            ),
            end("s", S::Pass, ""),
        ];
        let r = score(&recs, "test s ... ok\n");
        let s = by(&r, "s");
        assert_eq!(s.status, TestStatus::NotJudged);
        assert_eq!((s.points, s.max_points), (0.0, 0.0));
        assert!(s.message.contains("reference_too_slow"));
    }

    #[test]
    fn a_passing_test_whose_witness_was_not_judged_earns_nothing_and_leaves_the_maximum() {
        let recs = [
            Record {
                schema: 1,
                package: "x".into(),
                test: "a".into(),
                event: Event::NotJudged(harness::record::NotJudged {
                    why: "[a] one core only".into(),
                }),
            },
            end("a", S::Pass, ""),
        ];
        let r = score(&recs, "test a ... ok\n");
        let a = by(&r, "a");
        assert_eq!(a.status, TestStatus::NotJudged);
        assert_eq!((a.points, a.max_points), (0.0, 0.0));
        assert!(a.message.contains("one core only"));
    }

    #[test]
    fn tiers_are_linear_between_their_bounds() {
        assert_eq!(TIERS.credit(0.29), 0.0);
        assert_eq!(TIERS.credit(0.3), 0.0);
        assert!((TIERS.credit(0.55) - 0.25).abs() < 1e-9);
        assert_eq!(TIERS.credit(0.8), 0.5);
        assert_eq!(TIERS.credit(5.0), 0.5);
        assert_eq!(TIERS.credit(f64::NAN), 0.0);
    }
}
