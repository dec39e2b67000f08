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

pub mod fetch_all;
pub mod fetch_bounded;
pub mod frames;
pub mod manager;
pub mod pool;

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
    /// The suite check that must fail on it (a name from the suite's `CHECKS`).
    pub caught_by: &'static str,
    /// Words the failure message must contain, so the student reads the
    /// right reason.
    pub says: &'static [&'static str],
}

/// How many times a check that did not fail is run again: a timing check may
/// be inconclusive on a busy machine, and that is not a rejection.
pub const TRIES: usize = 3;

/// Runs `check` the way a suite test runs (alone, under the suite's deadline)
/// up to [`TRIES`] times until it fails, and returns its failure message, or
/// `None` if it never failed.
pub fn failure_of(
    name: &'static str,
    check: impl Fn() + Send + Sync + Clone + 'static,
) -> Option<String> {
    for _ in 0..TRIES {
        let check = check.clone();
        let quiet = panic::take_hook();
        panic::set_hook(Box::new(|_| {}));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            let _alone = harness::exclusive();
            let _leftovers = harness::children::Leftovers::watch();
            harness::deadline::within_suite(suites::TEST_LIMIT, name, check)
        }));
        panic::set_hook(quiet);
        if let Err(payload) = outcome {
            return Some(harness::record::panic_message(payload.as_ref()));
        }
    }
    None
}

/// Checks every decoy of a corpus against its suite's `checks` and returns
/// one line per decoy that was not rejected for the right reason (empty when
/// all were).
pub fn misses<S: Copy + Send + Sync + 'static>(
    corpus: &[Decoy<S>],
    checks: &[suites::Check<S>],
) -> Vec<String> {
    let mut misses = Vec::new();
    for decoy in corpus {
        let Some(&(name, check)) = checks.iter().find(|(name, _)| *name == decoy.caught_by) else {
            misses.push(format!(
                "{}: no check called `{}`",
                decoy.name, decoy.caught_by
            ));
            continue;
        };
        let subject = decoy.subject;
        match failure_of(name, move || check(subject)) {
            None => misses.push(format!(
                "{} ({:?}): `{name}` passed it",
                decoy.name, decoy.class
            )),
            Some(message) => {
                let absent: Vec<&str> = decoy
                    .says
                    .iter()
                    .copied()
                    .filter(|w| !message.contains(w))
                    .collect();
                if absent.is_empty() {
                    eprintln!("rejected {} by `{name}`: {message}\n", decoy.name);
                } else {
                    misses.push(format!(
                        "{} ({:?}): `{name}` failed, but its message lacks {absent:?}:\n{message}",
                        decoy.name, decoy.class
                    ));
                }
            }
        }
    }
    misses
}
