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

pub mod fetch_all;
pub mod fetch_bounded;
mod fetching;
pub mod gil;
mod reference;

#[doc(hidden)]
pub use static_assertions as __static_assertions;

/// Longest any single test may run before it is declared stuck. A speedup
/// check takes at most about 3 s and the other tests well under one; the
/// rest is headroom for a loaded machine. Tests run one at a time, so a
/// solution that deadlocks in every test costs the suite this much per test.
pub const TEST_LIMIT: Duration = Duration::from_secs(10);

/// Runs one suite test alone, within [`TEST_LIMIT`].
pub fn run(name: &'static str, test: impl FnOnce() + Send + 'static) {
    let _alone = harness::exclusive();
    harness::within(TEST_LIMIT, name, test);
}

/// Writes one `#[test]` per listed check of `$module`, each calling
/// `$crate::$module::$check($subject)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __suite {
    ($module:ident, $subject:path, [$($check:ident),* $(,)?]) => {
        $(
            #[test]
            fn $check() {
                $crate::run(stringify!($check), || $crate::$module::$check($subject));
            }
        )*
    };
}

/// The suite for `exercises/threads/fetch-all`, run against crate `$krate`.
#[macro_export]
macro_rules! fetch_all {
    ($krate:ident) => {
        $crate::__suite!(
            fetch_all,
            $krate::fetch_all,
            [
                results_come_back_in_input_order,
                a_failing_url_is_an_error_for_that_url_only,
                no_urls_no_results,
                requests_overlap,
            ]
        );
    };
}

/// The suite for `exercises/threads/fetch-bounded`, run against crate `$krate`.
#[macro_export]
macro_rules! fetch_bounded {
    ($krate:ident) => {
        $crate::__suite!(
            fetch_bounded,
            $krate::fetch_bounded,
            [
                results_come_back_in_input_order,
                a_failing_url_is_an_error_for_that_url_only,
                no_urls_no_results,
                never_more_than_k_in_flight,
                more_workers_than_urls,
                one_worker_fetches_one_at_a_time,
                waves_take_rounds_times_latency,
            ]
        );
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
                $crate::run(stringify!($check), || $crate::$module::$check::<$subject>());
            }
        )*
    };
}

/// The suite for `exercises/gil/gil`, run against crate `$krate`.
#[macro_export]
macro_rules! gil {
    ($krate:ident) => {
        $crate::gil_api!($krate);
        $crate::__generic_suite!(
            gil,
            Subject,
            [
                never_two_holders,
                hands_off_after_the_switch_interval,
                no_lost_wakeups,
                allow_threads_releases_the_gil,
                a_panicking_holder_releases_the_gil,
                cpu_work_under_the_gil_gets_no_speedup,
                waiting_work_overlaps,
                cpu_work_that_releases_the_gil_speeds_up,
            ]
        );
    };
}
