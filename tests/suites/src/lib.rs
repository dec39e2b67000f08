//! The exercise suites, written once.
//!
//! Each exercise crate and its solution crate have the same public API and
//! a one-line `tests/suite.rs` that expands the suite's macro with the crate
//! under test, for example `suites::fetch_all!(fetch_all);`. The macro
//! writes one `#[test]` per check, each calling a plain function here with
//! the crate's function as its argument. So the checks exist once, a student
//! runs them with `cargo test` in the exercise folder, and the root
//! `cargo test` runs them against the solutions.
//!
//! Every test holds [`harness::exclusive`] (timed checks must not share the
//! cores with other tests) and runs under [`harness::within`] (a deadlock
//! fails with a message instead of hanging).

use std::time::Duration;

#[doc(hidden)]
pub use impls as __impls;

/// Every test binary that runs a suite counts heap blocks while a check
/// asks it to: the witness of memory a call leaves behind
/// ([`harness::heap`]).
#[global_allocator]
static HEAP: harness::heap::Counting = harness::heap::Counting;

/// Longest any single test may run before it is declared stuck. A speedup
/// check takes at most about 3 s and the other tests well under one; the
/// rest is headroom for a loaded machine.
pub const TEST_LIMIT: Duration = Duration::from_secs(8);

/// Runs one suite test of `package` alone, within [`TEST_LIMIT`] (less once
/// an earlier test of this process was stuck: see [`harness::deadline`]),
/// and records how it ended for the grader.
pub fn run(package: &'static str, name: &'static str, test: impl FnOnce() + Send + 'static) {
    // Before the wait for its turn: see `TestThread`.
    let _me = harness::threads::TestThread::enter();
    let _alone = harness::exclusive();
    // Declared after `_alone`, so dropped before it, failed or not.
    let _settled = Settled(harness::threads::listed(), name);
    // A test that got stuck, or forgot to wait, leaves no process running.
    let _leftovers = harness::children::Leftovers::watch();
    harness::record::run_test(package, name, || {
        harness::deadline::within_suite(TEST_LIMIT, name, move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(test))
                .unwrap_or_else(|payload| std::panic::resume_unwind(explained(payload)));
        })
    });
}

/// A panic's payload, with what it means added where the student's own
/// words would not say: `thread::spawn` failing because the process (or
/// the grader's sandbox, by its task limit) has no room for another thread.
fn explained(payload: Box<dyn std::any::Any + Send>) -> Box<dyn std::any::Any + Send> {
    let message = harness::record::panic_message(payload.as_ref());
    if !message.contains("failed to spawn thread") {
        return payload;
    }
    Box::new(format!(
        "{message}\nThe system refused to start another thread: this process already had {} \
         threads running (a grader's sandbox allows about two thousand). Threads that calls \
         started earlier are still running: every thread a call starts must have ended when it \
         returns (join each one, or let a scope end); a thread left detached, or kept waiting \
         for more work, outlives the call.",
        harness::threads::listed().len()
    ))
}

/// How long a test's end waits for the threads it started to end.
/// Longer than any thread a known wrong solution leaves lingering (2 s).
pub const SETTLE_WITHIN: Duration = Duration::from_secs(3);

/// At a test's end, waits up to [`SETTLE_WITHIN`] for the threads the test
/// started and left running (those that carry its name: the other tests'
/// threads, waiting their turn at [`harness::exclusive`], do not) (a detached thread of the student's, which the
/// test has already judged), so that the next test is judged on its own
/// work, not on a task limit that the last one filled. Not after a test
/// was stuck: its threads never end, and [`harness::deadline`] keeps the
/// later tests short.
struct Settled(std::collections::HashSet<u32>, &'static str);

impl Drop for Settled {
    fn drop(&mut self) {
        if !harness::deadline::abandoned_thread_running() {
            harness::threads::settle(&self.0, self.1, SETTLE_WITHIN);
        }
    }
}

/// The crate's own binary: `built_at` (what `CARGO_BIN_EXE_<name>` says),
/// or its copy in the folder [`harness::record::BIN_DIR_VAR`] names, when
/// the grader set it.
pub fn own_binary(built_at: &str) -> std::path::PathBuf {
    let built = std::path::PathBuf::from(built_at);
    match (
        std::env::var_os(harness::record::BIN_DIR_VAR),
        built.file_name(),
    ) {
        (Some(dir), Some(name)) => std::path::Path::new(&dir).join(name),
        _ => built,
    }
}

/// A suite check by name: what a suite module's `CHECKS` lists.
pub type Check<S> = (&'static str, fn(S));

/// Declares a suite module's checks once: `CHECKS` (name and function, for
/// the decoy corpus and the course's coverage rule) and the exported macro that writes one
/// `#[test]` per check in an exercise crate. The first token is a literal
/// `$`, which lets this macro write a macro.
macro_rules! declare_suite {
    ($d:tt $module:ident: $subject:ty = [$($check:ident),* $(,)?]) => {
        /// Every check of this suite, in the order the tests are written.
        pub const CHECKS: &[$crate::Check<$subject>] = &[$((stringify!($check), $check as fn($subject))),*];

        #[doc = concat!("The suite of the `", stringify!($module), "` exercise: one `#[test]` per check, run against `$krate::", stringify!($module), "`.")]
        #[macro_export]
        macro_rules! $module {
            ($d krate:ident) => {
                $crate::__suite!($module, $d krate::$module, [$($check),*]);
            };
        }
    };
    // A suite whose subject is built by an adapter macro (`$crate::$adapter!(krate)`
    // defines `SUBJECT`), for APIs that a single function cannot stand for.
    ($d:tt $module:ident: $subject:ty = $adapter:ident! [$($check:ident),* $(,)?]) => {
        /// Every check of this suite, in the order the tests are written.
        pub const CHECKS: &[$crate::Check<$subject>] = &[$((stringify!($check), $check as fn($subject))),*];

        #[doc = concat!("The suite of the `", stringify!($module), "` exercise: one `#[test]` per check, run against `$krate` through `", stringify!($adapter), "!`.")]
        #[macro_export]
        macro_rules! $module {
            ($d krate:ident) => {
                #[doc(hidden)]
                mod __subject {
                    $crate::$adapter!($d krate);
                }
                $crate::__suite!($module, __subject::SUBJECT, [$($check),*]);
            };
        }
    };
}
pub(crate) use declare_suite;

/// Writes one `#[test]` per listed check of `$module`, each calling
/// `$crate::$module::$check($subject)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __suite {
    ($module:ident, $subject:path, [$($check:ident),* $(,)?]) => {
        $(
            #[test]
            fn $check() {
                $crate::pure::set_source(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")));
                $crate::run(env!("CARGO_PKG_NAME"), stringify!($check), || $crate::$module::$check($subject));
            }
        )*
    };
}

/// Writes one `#[test]` per listed check of `$module`, each calling the
/// generic `$crate::$module::$check::<$subject>()`.
#[doc(hidden)]
#[macro_export]
macro_rules! __generic_suite {
    ($module:ident, $subject:ty, [$($check:ident),* $(,)?]) => {
        $(
            #[test]
            fn $check() {
                $crate::pure::set_source(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")));
                $crate::run(env!("CARGO_PKG_NAME"), stringify!($check), || $crate::$module::$check::<$subject>());
            }
        )*
    };
}

// After the macros: macro_rules are visible to the modules declared below them.
pub mod false_sharing;
pub mod fetch_all;
pub mod fetch_bounded;
pub mod fetch_paced;
pub mod fetching;
pub mod frames;
pub mod gil;
mod gone;
pub mod held;
pub mod lock_order;
pub mod manager;
pub mod page_cache;
pub mod poison;
pub mod polls;
pub mod pool;
pub mod pure;
pub mod reach;
mod reference;
pub mod wrapper;
// The Pitfalls chapter, the tutorial's four mistakes.
pub mod combine;
pub mod diagnose;
pub mod guard;
pub mod workers;

/// The Pitfalls chapter's suites.
pub mod pitfalls {
    pub mod texts;
}
#[path = "pitfalls/count_under_gil.rs"]
pub mod count_under_gil;
#[path = "pitfalls/total_words.rs"]
pub mod total_words;
#[path = "pitfalls/word_frequencies.rs"]
pub mod word_frequencies;
#[path = "pitfalls/words_per_text.rs"]
pub mod words_per_text;
