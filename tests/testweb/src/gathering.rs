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
//!
//! A gathering can instead hold one URL until every other one of it has
//! been answered (or the cap has passed): a pool of workers that takes the
//! next URL as soon as one is free goes on around the held one, and one
//! that works in batches (start K, join K) waits on it with the rest never
//! started (round 22's `fetch-bounded/03` did, past 1,000 URLs).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The scheme of a gathering's URLs: `testweb-gather://<id>/<index>`.
const SCHEME: &str = "testweb-gather://";

/// What a gathering holds its calls for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every call, until `n` are in flight at once.
    AllAtOnce,
    /// The held URL only, until `n` others have been answered.
    AfterTheOthers,
}

/// One gathering's count.
#[derive(Default)]
struct Count {
    /// Calls of the other URLs answered so far ([`Mode::AfterTheOthers`]).
    answered: usize,
    /// Whether the held URL was let go because the others were all
    /// answered (`Some(true)`) or because the cap passed (`Some(false)`).
    held_released: Option<bool>,
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
    counts: Mutex<HashMap<u64, Entry>>,
    changed: Condvar,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    counts: Mutex::new(HashMap::new()),
    changed: Condvar::new(),
});

/// A gathering: how many it waits for, its cap, what it holds, its count.
type Entry = (usize, Duration, Mode, Count);

fn counts() -> MutexGuard<'static, HashMap<u64, Entry>> {
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
        Self::made(n, cap, Mode::AllAtOnce)
    }

    /// A gathering whose [`held_url`](Self::held_url) is answered only once
    /// `others` of its other URLs have been (or `cap` after it was asked);
    /// the others are answered at once.
    pub fn after_the_others(others: usize, cap: Duration) -> Self {
        Self::made(others, cap, Mode::AfterTheOthers)
    }

    fn made(n: usize, cap: Duration, mode: Mode) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let id = NEXT.fetch_add(1, Ordering::SeqCst);
        counts().insert(id, (n, cap, mode, Count::default()));
        Self { id }
    }

    /// The URL of the `index`th call.
    pub fn url(&self, index: usize) -> String {
        format!("{SCHEME}{}/{index}", self.id)
    }

    /// The URL held until the others are answered; it answers
    /// `Ok("held")`.
    pub fn held_url(&self) -> String {
        format!("{SCHEME}{}/held", self.id)
    }

    /// The most calls that were in flight at once so far.
    pub fn peak(&self) -> usize {
        counts().get(&self.id).map_or(0, |(_, _, _, c)| c.peak)
    }

    /// Whether the held URL was let go because the others had all been
    /// answered (`Some(true)`), or by the cap (`Some(false)`); `None` if it
    /// was never asked for, or is still held.
    pub fn held_released_by_the_others(&self) -> Option<bool> {
        counts()
            .get(&self.id)
            .and_then(|(_, _, _, c)| c.held_released)
    }
}

impl Drop for Gathering {
    fn drop(&mut self) {
        counts().remove(&self.id);
    }
}

impl Gathering {
    /// How many of `got` are not the answer of the URL in their place in
    /// `urls` (a gathering's URLs), a result missing or over included: 0
    /// when every result is its own URL's answer, in order.
    pub fn misplaced<E>(urls: &[String], got: &[Result<String, E>]) -> usize {
        let wrong = urls
            .iter()
            .zip(got)
            .filter(|(url, got)| {
                let want = parsed(url).map(|(_, index)| body(index));
                got.as_ref().ok() != want.as_ref()
            })
            .count();
        wrong + urls.len().abs_diff(got.len())
    }
}

/// A gathering's URL: its id, and its index (`None` for the held one).
fn parsed(url: &str) -> Option<(u64, Option<usize>)> {
    let (id, index) = url.strip_prefix(SCHEME)?.split_once('/')?;
    let id: u64 = id.parse().ok()?;
    if index == "held" {
        return Some((id, None));
    }
    Some((id, Some(index.parse().ok()?)))
}

/// The body a gathering's URL answers: `gathered <index>`, or `held`.
fn body(index: Option<usize>) -> String {
    index.map_or_else(|| "held".to_owned(), |i| format!("gathered {i}"))
}

/// The body [`get`](crate::get) answers for a gathering's URL, after
/// holding the call; `None` if `url` is not one of a live gathering.
pub(crate) fn answer(url: &str) -> Option<String> {
    let (id, index) = parsed(url)?;
    let held = index.is_none();
    let mut all = counts();
    let (n, cap, mode, count) = all.get_mut(&id)?;
    let (n, cap, mode) = (*n, *cap, *mode);
    count.in_flight += 1;
    count.peak = count.peak.max(count.in_flight);
    let arrived = Instant::now();
    let first = *count.first.get_or_insert(arrived);
    if mode == Mode::AfterTheOthers && !held {
        count.answered += 1;
    }
    REGISTRY.changed.notify_all();
    // Who waits, for what, from when.
    let (waits, from) = match mode {
        Mode::AllAtOnce => (true, first),
        Mode::AfterTheOthers => (held, arrived),
    };
    while let Some((_, _, _, count)) = all.get_mut(&id).filter(|_| waits) {
        let done = match mode {
            Mode::AllAtOnce => count.peak >= n || count.gave_up,
            Mode::AfterTheOthers => count.answered >= n,
        };
        if done {
            if mode == Mode::AfterTheOthers {
                count.held_released = Some(true);
            }
            break;
        }
        let left = (from + cap).saturating_duration_since(Instant::now());
        if left.is_zero() {
            count.gave_up = true;
            if mode == Mode::AfterTheOthers {
                count.held_released = Some(false);
            }
            REGISTRY.changed.notify_all();
            break;
        }
        all = REGISTRY
            .changed
            .wait_timeout(all, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    if let Some((_, _, _, count)) = all.get_mut(&id) {
        count.in_flight -= 1;
    }
    Some(body(index))
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
    fn the_held_url_waits_for_the_others_or_the_cap() {
        let others = Gathering::after_the_others(3, Duration::from_secs(5));
        let got = std::thread::scope(|s| {
            let held = s.spawn(|| crate::get(&others.held_url()));
            for i in 0..3 {
                assert_eq!(crate::get(&others.url(i)), Ok(format!("gathered {i}")));
            }
            held.join().unwrap()
        });
        assert_eq!(got, Ok("held".to_owned()));
        assert_eq!(others.held_released_by_the_others(), Some(true));
        let alone = Gathering::after_the_others(3, Duration::from_millis(50));
        assert_eq!(crate::get(&alone.held_url()), Ok("held".to_owned()));
        assert_eq!(alone.held_released_by_the_others(), Some(false));
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
