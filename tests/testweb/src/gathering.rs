//! A gathering in the process: URLs that [`get`](crate::get) answers
//! itself, each call held until a given number of them are in flight at
//! once (or a cap has passed), with no server and no socket.
//!
//! The test server's gathering counts requests over TCP, and past about a
//! thousand at once the sockets and the server's log cost a check more than
//! its time (a call of a thousand URLs took a check past its 8 s in a
//! fresh-clone CI). Counted here, a thousand threads in `get` at once cost
//! a condition variable: so a suite can ask whether every one of 1,001 or
//! more URLs was in flight together (round 22's `fetch-all/01` fetched in
//! batches of 1,000).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The scheme of a gathering's URLs: `testweb-gather://<id>/<index>`.
const SCHEME: &str = "testweb-gather://";

/// One gathering's count.
#[derive(Default)]
struct Count {
    /// Calls in `get` now.
    in_flight: usize,
    /// The most there were at once.
    peak: usize,
    /// When the first call arrived.
    first: Option<Instant>,
    /// Set once a call waited the whole cap: the others then do not wait.
    gave_up: bool,
}

struct Registry {
    counts: Mutex<HashMap<u64, (usize, Duration, Count)>>,
    changed: Condvar,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    counts: Mutex::new(HashMap::new()),
    changed: Condvar::new(),
});

fn counts() -> MutexGuard<'static, HashMap<u64, (usize, Duration, Count)>> {
    REGISTRY
        .counts
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// URLs whose calls of [`get`](crate::get) are each held until `n` of
/// them are in flight at once, or until `cap` has passed since the first
/// arrived; once one call has waited the whole cap, the rest are not held.
/// Each answers `Ok("gathered <index>")`. Dropping it forgets the count.
pub struct Gathering {
    id: u64,
}

impl Gathering {
    /// A gathering of `n` calls at once, held at most `cap`.
    pub fn new(n: usize, cap: Duration) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let id = NEXT.fetch_add(1, Ordering::SeqCst);
        counts().insert(id, (n, cap, Count::default()));
        Self { id }
    }

    /// The URL of the `index`th call.
    pub fn url(&self, index: usize) -> String {
        format!("{SCHEME}{}/{index}", self.id)
    }

    /// The most calls that were in flight at once so far.
    pub fn peak(&self) -> usize {
        counts().get(&self.id).map_or(0, |(_, _, c)| c.peak)
    }
}

impl Drop for Gathering {
    fn drop(&mut self) {
        counts().remove(&self.id);
    }
}

/// The body [`get`](crate::get) answers for a gathering's URL, after
/// holding the call; `None` if `url` is not one of a live gathering.
pub(crate) fn answer(url: &str) -> Option<String> {
    let (id, index) = url.strip_prefix(SCHEME)?.split_once('/')?;
    let (id, index): (u64, usize) = (id.parse().ok()?, index.parse().ok()?);
    let mut all = counts();
    let (n, cap, count) = all.get_mut(&id)?;
    let (n, cap) = (*n, *cap);
    count.in_flight += 1;
    count.peak = count.peak.max(count.in_flight);
    let first = *count.first.get_or_insert_with(Instant::now);
    REGISTRY.changed.notify_all();
    while let Some((_, _, count)) = all.get_mut(&id) {
        if count.peak >= n || count.gave_up {
            break;
        }
        let left = (first + cap).saturating_duration_since(Instant::now());
        if left.is_zero() {
            count.gave_up = true;
            REGISTRY.changed.notify_all();
            break;
        }
        all = REGISTRY
            .changed
            .wait_timeout(all, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    if let Some((_, _, count)) = all.get_mut(&id) {
        count.in_flight -= 1;
    }
    Some(format!("gathered {index}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_calls_until_all_are_in_flight() {
        let gathering = Gathering::new(50, Duration::from_secs(5));
        let got: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..50)
                .map(|i| {
                    let url = gathering.url(i);
                    s.spawn(move || crate::get(&url))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(gathering.peak(), 50);
        assert_eq!(got[7], Ok("gathered 7".to_owned()));
    }

    #[test]
    fn gives_up_after_the_cap_and_holds_no_one_after() {
        let gathering = Gathering::new(3, Duration::from_millis(100));
        let started = Instant::now();
        for i in 0..4 {
            assert_eq!(crate::get(&gathering.url(i)), Ok(format!("gathered {i}")));
        }
        assert_eq!(gathering.peak(), 1);
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(100), "{took:?}");
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
}
