//! Wrong `fetch_bounded`s.

use std::num::NonZeroUsize;

use testweb::FetchError;

use crate::{Class, Decoy};

type Results = Vec<Result<String, FetchError>>;

/// Ignores the limit: one thread per URL.
fn unbounded(urls: &[String], _limit: NonZeroUsize) -> Results {
    std::thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| s.spawn(move || testweb::get(url)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}

/// The corpus for `fetch_bounded`.
pub fn corpus() -> Vec<Decoy<suites::fetch_bounded::FetchBounded>> {
    vec![Decoy {
        name: "ignores max_in_flight",
        class: Class::RuleSkipped,
        subject: unbounded,
        caught_by: "never_more_than_k_in_flight",
        says: &["max_in_flight was 3"],
    }]
}
