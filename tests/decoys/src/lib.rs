//! The decoy corpus: solutions that are wrong in ways a student could be,
//! on purpose, and the proof that every suite rejects each of them for the
//! reason the student should read.
//!
//! A decoy names the class of mistake it stands for, the suite check that
//! must fail on it, and the words that check's message must contain. The
//! tests in `tests/` run each decoy against its check exactly as a suite
//! test runs (alone, under the deadline) and require a fail with those
//! words. A timing check that could not judge (inconclusive) is run again a
//! few times; if it never fails the decoy counts as not rejected.

use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

pub mod catalogue;
pub mod false_sharing;
pub mod fetch_all;
pub mod fetch_bounded;
pub mod fetch_paced;
pub mod fetch_source;
pub mod file_counter;
pub mod frames;
pub mod gil;
pub mod gil_source;
pub mod globals;
pub mod lock_order;
pub mod manager;
pub mod page_cache;
pub mod poison;
pub mod pool;
pub mod spawn_lock;
// The Pitfalls chapter, the tutorial's four mistakes.
pub mod combine;
pub mod diagnose;
pub mod guard;
pub mod workers;
// The Pitfalls chapter, refused by the compiler.
pub mod count_under_gil;
pub mod total_words;
pub mod word_frequencies;
pub mod words_per_text;

/// A generic suite's checks for one subject type, by name: what
/// `suites::gil::checks::<G>` is for a GIL `G`. The subject of a decoy for
/// a generic suite.
pub type Checks = fn() -> Vec<(&'static str, fn())>;

/// The kinds of wrong solution the corpus covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Does the work one piece after another.
    Sequential,
    /// Waits for a whole batch before starting the next.
    Batched,
    /// Returns answers without doing the work (guessed, made up, partial).
    MadeUp,
    /// Keeps state between calls (a cache in a `static`).
    StateBetweenCalls,
    /// Burns CPU while it should wait (spinning, polling).
    Spinning,
    /// Quietly skips a rule of the chapter (a limit, an order, a role check).
    RuleSkipped,
    /// Never finishes (deadlock, a channel nobody closes).
    Stuck,
    /// Panics where it should return an error.
    Panics,
}

/// One wrong solution and how its suite must reject it.
pub struct Decoy<S> {
    /// What the student wrote, in a few words.
    pub name: &'static str,
    /// The kind of mistake.
    pub class: Class,
    /// The code under test.
    pub subject: S,
    /// The suite check that must fail on it (a name from the suite's `CHECKS`,
    /// or from `checks()` for a generic suite such as the GIL's).
    pub caught_by: &'static str,
    /// The requirement of the course catalogue it breaks (an `id` in
    /// `course/catalogue/<exercise>.toml`), which `caught_by` must judge.
    pub breaks: &'static str,
    /// Words the failure message must contain, so the student reads the
    /// right reason.
    pub says: &'static [&'static str],
}

/// How many times a check that did not fail is run again: a timing check may
/// be inconclusive on a busy machine, and that is not a rejection.
pub const TRIES: usize = 3;

/// Runs `check` once the way a suite test runs (alone, under the suite's
/// deadline) with the panic messages silenced, and returns its failure
/// message, or `None` if it passed.
pub fn run_once(name: &'static str, check: impl FnOnce() + Send + 'static) -> Option<String> {
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let _alone = harness::exclusive();
        // A stuck or careless check leaves no process running.
        let _leftovers = harness::children::Leftovers::watch();
        harness::deadline::within_suite(suites::TEST_LIMIT, name, check)
    }));
    panic::set_hook(quiet);
    outcome
        .err()
        .map(|payload| harness::record::panic_message(payload.as_ref()))
}

/// Runs `check` the way a suite test runs (alone, under the suite's deadline)
/// up to [`TRIES`] times until it fails, and returns its failure message, or
/// `None` if it never failed.
pub fn failure_of(
    name: &'static str,
    check: impl Fn() + Send + Sync + Clone + 'static,
) -> Option<String> {
    (0..TRIES).find_map(|_| run_once(name, check.clone()))
}

/// Checks every decoy of a corpus against its suite's `checks` and returns
/// one line per decoy that was not rejected for the right reason (empty when
/// all were).
pub fn misses<S: Copy + Send + Sync + 'static>(
    corpus: &[Decoy<S>],
    checks: &[suites::Check<S>],
) -> Vec<String> {
    corpus
        .iter()
        .filter_map(|decoy| {
            let found = checks
                .iter()
                .find(|(name, _)| *name == decoy.caught_by)
                .map(|&(name, check)| {
                    let subject = decoy.subject;
                    (name, move || check(subject))
                });
            miss(decoy, found)
        })
        .collect()
}

/// [`misses`] for a generic suite, whose decoys carry their own checks.
pub fn misses_among(corpus: &[Decoy<Checks>]) -> Vec<String> {
    corpus
        .iter()
        .filter_map(|decoy| {
            let found = (decoy.subject)()
                .into_iter()
                .find(|(name, _)| *name == decoy.caught_by);
            miss(decoy, found)
        })
        .collect()
}

/// Runs `check` (the decoy's `caught_by`, if the suite has it) against the
/// decoy: `None` if it was rejected with the words the student should
/// read, otherwise a line saying what went wrong.
fn miss<S>(
    decoy: &Decoy<S>,
    found: Option<(&'static str, impl Fn() + Send + Sync + Clone + 'static)>,
) -> Option<String> {
    let Some((name, check)) = found else {
        return Some(format!(
            "{}: no check called `{}`",
            decoy.name, decoy.caught_by
        ));
    };
    let start = Instant::now();
    let not_judged_before = harness::speedup::inconclusive_count();
    let Some(message) = failure_of(name, check) else {
        let not_judged = harness::speedup::inconclusive_count() - not_judged_before;
        return Some(if not_judged > 0 {
            format!(
                "{} ({:?}): `{name}` could not judge it on this machine ({not_judged} \
                 inconclusive in {TRIES} tries); not a rejection, and not a pass of the suite \
                 either: run it on a quieter machine",
                decoy.name, decoy.class
            )
        } else {
            format!("{} ({:?}): `{name}` passed it", decoy.name, decoy.class)
        });
    };
    let absent = absent(decoy.says, &message);
    if absent.is_empty() {
        // The start of the message only: a CI log that keeps a part of a
        // failed test's output then still reaches the misses at its end.
        eprintln!(
            "rejected {} by `{name}` in {:.1} s: {}",
            decoy.name,
            start.elapsed().as_secs_f64(),
            opening(&message, 160)
        );
        None
    } else {
        Some(format!(
            "{} ({:?}): `{name}` failed, but its message lacks {absent:?}:\n{message}",
            decoy.name, decoy.class
        ))
    }
}

/// The first `chars` characters of `message`, with `…` if it goes on.
fn opening(message: &str, chars: usize) -> String {
    match message.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_owned(),
    }
}

/// The words of `says` that `message` lacks.
pub fn absent(says: &[&'static str], message: &str) -> Vec<&'static str> {
    says.iter()
        .copied()
        .filter(|w| !message.contains(w))
        .collect()
}

/// Runs every check once, in order, as a suite run does, and returns how
/// long the whole suite took and each check's failure message (`None`:
/// passed). For a decoy that gets stuck: the time until the suite settles.
pub fn whole_suite(
    checks: &[(&'static str, fn())],
) -> (Duration, Vec<(&'static str, Option<String>)>) {
    let start = Instant::now();
    let outcomes = checks
        .iter()
        .map(|&(name, check)| (name, run_once(name, check)))
        .collect();
    (start.elapsed(), outcomes)
}

/// The most a suite may take to settle against a solution that gets stuck
/// for good: the first stuck check ends within its own limit, and every
/// later one within [`harness::deadline::AFTER_STUCK`]. The GIL suite's
/// healthy checks alone take about 14 s (its checks run one at a time, and
/// two hold a waiter for seconds to count its wake-ups), so 15 s, the old
/// bound, failed a stuck GIL by 0.2 s in CI.
pub const SETTLES_WITHIN: Duration = Duration::from_secs(20);

/// Runs a generic suite's every check against a decoy that gets stuck for
/// good, in the order libtest runs them (by name), as a student's
/// `cargo test` would. Returns what went wrong: its check passed it or
/// failed without the words, or the suite took longer than
/// [`SETTLES_WITHIN`] to settle. Abandons threads: call it once per
/// process.
pub fn stuck_misses(decoy: &Decoy<Checks>) -> Vec<String> {
    let mut checks = (decoy.subject)();
    checks.sort_by_key(|&(name, _)| name);
    let (took, outcomes) = whole_suite(&checks);
    let mut misses = Vec::new();
    for (name, outcome) in &outcomes {
        let ended = outcome.as_deref().unwrap_or("passed");
        eprintln!("{name}: {ended}\n");
    }
    match outcomes.iter().find(|(name, _)| *name == decoy.caught_by) {
        None => misses.push(format!(
            "{}: no check called `{}`",
            decoy.name, decoy.caught_by
        )),
        Some((name, None)) => misses.push(format!(
            "{} ({:?}): `{name}` passed it",
            decoy.name, decoy.class
        )),
        Some((name, Some(message))) => {
            let absent = absent(decoy.says, message);
            if !absent.is_empty() {
                misses.push(format!(
                    "{} ({:?}): `{name}` failed, but its message lacks {absent:?}:\n{message}",
                    decoy.name, decoy.class
                ));
            }
        }
    }
    eprintln!(
        "{}: the whole suite ({} checks) settled in {:.1} s",
        decoy.name,
        outcomes.len(),
        took.as_secs_f64()
    );
    if took > SETTLES_WITHIN {
        misses.push(format!(
            "{}: the whole suite took {:.1} s to settle, more than {} s",
            decoy.name,
            took.as_secs_f64(),
            SETTLES_WITHIN.as_secs()
        ));
    }
    misses
}
