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
// SOLUTION:
use std::sync::{Arc, OnceLock, PoisonError};
// END SOLUTION

use testweb::FetchError;

/// What a `get` answers: the page's body, or why it could not be fetched.
pub type Page = Result<String, FetchError>;

// ANCHOR: cache
/// Pages by URL, each fetched at most once per cache.
pub struct Cache {
    // SOLUTION: pages: Mutex<HashMap<String, Page>>,
    // ANCHOR: pages
    /// One cell per URL. The map's lock is held only to find or add a
    /// cell, never during a fetch; the cell itself makes the threads that
    /// want the same page wait (asleep) for the one fetch of it.
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
    // ANCHOR_END: pages
    // END SOLUTION
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
        // SOLUTION: todo!("find or fetch the page; never fetch with the lock held")
        // ANCHOR: solution
        // The guard is a temporary of this statement: the map is unlocked
        // again before the fetch below.
        let cell = Arc::clone(
            self.pages
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(url.to_owned())
                .or_default(),
        );
        // The first thread here fetches; the others asking for the same
        // URL block inside `get_or_init` until it is done (no second
        // fetch, no spinning). Threads after other URLs are not held up.
        cell.get_or_init(|| testweb::get(url)).clone()
        // ANCHOR_END: solution
        // END SOLUTION
    }
    // ANCHOR_END: get
}
