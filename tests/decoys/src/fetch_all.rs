//! Wrong `fetch_all`s.

use testweb::FetchError;

use crate::{Class, Decoy};

type Results = Vec<Result<String, FetchError>>;

/// Joins each thread right after spawning it: one request at a time.
fn join_at_once(urls: &[String]) -> Results {
    std::thread::scope(|s| {
        urls.iter()
            .map(|url| s.spawn(move || testweb::get(url)).join().expect("no panic"))
            .collect()
    })
}

/// The corpus for `fetch_all`.
pub fn corpus() -> Vec<Decoy<suites::fetch_all::FetchAll>> {
    vec![Decoy {
        name: "joins each thread right after spawning it",
        class: Class::Sequential,
        subject: join_at_once,
        caught_by: "requests_overlap",
        says: &["one after another"],
    }]
}
