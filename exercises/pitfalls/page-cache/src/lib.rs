//! Pitfalls, exercise: a lock held across a blocking call.
//!
//! A cache of web pages shared by many threads: the first `get` of a URL
//! fetches it, later ones answer from memory. The map needs a lock, and
//! the easy version keeps the lock while it fetches. That compiles, never
//! races, and turns every thread's fetch into a queue: while one thread
//! waits on the network, every other thread waits on it, even for pages
//! that are already cached.

use std::collections::HashMap;
use std::sync::Mutex;

use testweb::FetchError;

/// What a `get` answers: the page's body, or why it could not be fetched.
pub type Page = Result<String, FetchError>;

// ANCHOR: cache
/// Pages by URL, each fetched at most once per cache.
pub struct Cache {
    pages: Mutex<HashMap<String, Page>>,
}
// ANCHOR_END: cache

impl Default for Cache {
    fn default() -> Self {
        Self::new()
    }
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Self {
        Self {
            pages: Mutex::new(HashMap::new()),
        }
    }

    // ANCHOR: get
    /// The page at `url`: fetched with `testweb::get` the first time any
    /// thread asks, from memory after that. Many threads call this at once.
    pub fn get(&self, url: &str) -> Page {
        todo!("find or fetch the page; never fetch with the lock held")
    }
    // ANCHOR_END: get
}
