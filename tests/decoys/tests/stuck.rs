//! A `fetch_bounded` that deadlocks (its workers never see the queue close)
//! fails every suite check it reaches, names the deadlock, and settles the
//! whole suite in seconds. Its own binary: the stuck threads it abandons
//! stay for the life of the process, and would disturb the other decoys'
//! timing checks.

use std::time::{Duration, Instant};

/// The whole suite against a deadlock must settle within this: the first
/// call's 6 s (`suites::fetching::CALL_LIMIT`), then 1 s for each later
/// check, with room for a busy machine.
const SETTLES_WITHIN: Duration = Duration::from_secs(20);

#[test]
fn a_deadlock_fails_fast_and_says_why() {
    let decoy = decoys::fetch_bounded::stuck();
    let subject = decoy.subject;
    let start = Instant::now();
    let mut failures = Vec::new();
    for &(name, check) in suites::fetch_bounded::CHECKS {
        let began = Instant::now();
        let failure = decoys::failure_of(name, move || check(subject));
        eprintln!(
            "{name}: {:.1} s: {}",
            began.elapsed().as_secs_f64(),
            failure.as_deref().unwrap_or("passed")
        );
        failures.push((name, failure));
    }
    let took = start.elapsed();
    eprintln!("the suite settled in {:.1} s", took.as_secs_f64());

    let (first, message) = failures
        .iter()
        .find_map(|(name, f)| f.as_ref().map(|m| (*name, m)))
        .expect("some check fails on a deadlock");
    assert_eq!(first, decoy.caught_by, "{message}");
    for words in decoy.says {
        assert!(message.contains(words), "lacks {words:?}: {message}");
    }
    // Only a check that never needs a worker can pass: no URLs, no workers.
    let passed: Vec<&str> = failures
        .iter()
        .filter(|(_, f)| f.is_none())
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(passed, ["no_urls_no_results"]);
    for (name, failure) in &failures {
        if let Some(m) = failure.as_ref().filter(|_| *name != first) {
            assert!(
                m.contains(&format!("`{first}`")),
                "{name} should name the stuck test to fix first: {m}"
            );
        }
    }
    assert!(
        took <= SETTLES_WITHIN,
        "the fetch_bounded suite took {:.1} s to settle against a deadlock (at most {} s)",
        took.as_secs_f64(),
        SETTLES_WITHIN.as_secs()
    );
}
