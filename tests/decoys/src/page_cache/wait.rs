//! A helper in a file of its own (round 16's `page-cache/04`): the waiters
//! look every 300 ms whether the page came, where a source check that read
//! only the crate's `src/lib.rs` would not see it.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use mistakes::page_cache::Page;

/// The page in `cell`, once another thread has filled it: looked at every
/// 300 ms.
pub fn until_filled(cell: &Arc<OnceLock<Page>>) -> Page {
    loop {
        if let Some(page) = cell.get() {
            return page.clone();
        }
        std::thread::park_timeout(Duration::from_millis(300));
    }
}
