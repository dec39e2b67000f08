//! Page caches whose lock is held too long, or not long enough.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use suites::page_cache::PageCache;
use testweb::FetchError;

/// A page, or why it could not be fetched.
pub type Page = Result<String, FetchError>;

/// Locks `m`, through poison (these caches never panic while holding it).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

// ANCHOR: held_across_fetch
/// Looks up, fetches and stores under one guard.
#[derive(Default)]
pub struct HeldAcrossFetch {
    pages: Mutex<HashMap<String, Page>>,
}

impl PageCache for HeldAcrossFetch {
    fn get(&self, url: &str) -> Page {
        let mut pages = lock(&self.pages);
        if let Some(page) = pages.get(url) {
            return page.clone();
        }
        // `pages` is still locked: every other thread waits for this fetch.
        let page = testweb::get(url);
        pages.insert(url.to_owned(), page.clone());
        page
    }
}
// ANCHOR_END: held_across_fetch

/// Checks under the lock, unlocks, fetches, locks again to store: every
/// thread that asks before the first fetch ends fetches too.
#[derive(Default)]
pub struct FetchesTwice {
    pages: Mutex<HashMap<String, Page>>,
}

impl PageCache for FetchesTwice {
    fn get(&self, url: &str) -> Page {
        if let Some(page) = lock(&self.pages).get(url) {
            return page.clone();
        }
        let page = testweb::get(url);
        lock(&self.pages).insert(url.to_owned(), page.clone());
        page
    }
}
