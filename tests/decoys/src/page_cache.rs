//! Wrong page caches: holding the lock across the fetch (always, or once
//! the cache is warm), fetching twice, fetching failed pages again, losing
//! pages, spinning, polling, made-up pages, a cache in a `static`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use suites::page_cache::{NewCache, PageCache};
use testweb::FetchError;

use crate::{Class, Decoy};

mod wait;

pub use mistakes::page_cache::{FetchesTwice, HeldAcrossFetch};
use mistakes::page_cache::{Page, lock};

/// The reference's map: one cell per URL, filled by the one thread that
/// fetches it.
type Cells = HashMap<String, Arc<OnceLock<Page>>>;

/// One cell per URL like the reference, until the map holds `AT` pages;
/// from then on it fetches with the map's lock held ("misses are rare once
/// the cache is warm"). Every check with fewer pages per cache passes.
#[derive(Default)]
struct HeldOnceWarm<const AT: usize> {
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
}

impl<const AT: usize> PageCache for HeldOnceWarm<AT> {
    fn get(&self, url: &str) -> Page {
        let mut pages = lock(&self.pages);
        let warm = pages.len() >= AT;
        let cell = Arc::clone(pages.entry(url.to_owned()).or_default());
        if !warm {
            drop(pages);
        }
        // Once warm, `pages` is still locked here.
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// One lock per page, held across its fetch, and the map's lock held only
/// to find the page, like the reference, but the page's lock is taken
/// before the map's is let go: a thread that waits for a page being
/// fetched waits with the map locked, and so does everyone after it, even
/// for pages already in the cache. Six threads after one page, or six
/// after six pages, never show it.
#[derive(Default)]
struct WaitsWithTheMapLocked {
    pages: Mutex<HashMap<String, Arc<Mutex<Option<Page>>>>>,
}

impl PageCache for WaitsWithTheMapLocked {
    fn get(&self, url: &str) -> Page {
        let mut pages = lock(&self.pages);
        let cell = Arc::clone(pages.entry(url.to_owned()).or_default());
        // The page's lock, taken while the map's is still held: if another
        // thread is fetching this page, the map stays locked until it is
        // done.
        let mut page = lock(&cell);
        drop(pages);
        if let Some(page) = &*page {
            return page.clone();
        }
        let fetched = testweb::get(url);
        *page = Some(fetched.clone());
        fetched
    }
}

/// The reference's cells, but at most `KEEP` of them: past that, the
/// oldest page is forgotten ("a cache must not grow without end").
#[derive(Default)]
struct Evicts<const KEEP: usize> {
    pages: Mutex<(Cells, VecDeque<String>)>,
}

impl<const KEEP: usize> PageCache for Evicts<KEEP> {
    fn get(&self, url: &str) -> Page {
        let cell = {
            let mut guard = lock(&self.pages);
            let (pages, order) = &mut *guard;
            if !pages.contains_key(url) {
                order.push_back(url.to_owned());
                if order.len() > KEEP {
                    let oldest = order.pop_front().expect("more than KEEP");
                    pages.remove(&oldest);
                }
            }
            Arc::clone(pages.entry(url.to_owned()).or_default())
        };
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// The reference's cells, keyed by the URL lower-cased and without a
/// trailing slash ("the same page, however it is written").
#[derive(Default)]
struct NormalisesUrls {
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
}

impl PageCache for NormalisesUrls {
    fn get(&self, url: &str) -> Page {
        let key = url.trim_end_matches('/').to_ascii_lowercase();
        let cell = Arc::clone(lock(&self.pages).entry(key).or_default());
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// Copies the map, fetches, and writes the copy (plus its page) back:
/// pages stored meanwhile by other threads are overwritten.
#[derive(Default)]
struct WritesBackACopy {
    pages: Mutex<HashMap<String, Page>>,
}

impl PageCache for WritesBackACopy {
    fn get(&self, url: &str) -> Page {
        let mut copy = lock(&self.pages).clone();
        if let Some(page) = copy.get(url) {
            return page.clone();
        }
        let page = testweb::get(url);
        copy.insert(url.to_owned(), page.clone());
        *lock(&self.pages) = copy;
        page
    }
}

/// Marks a page as pending, and makes the other threads that want it
/// loop until it arrives.
#[derive(Default)]
struct SpinsWhileWaiting {
    pages: Mutex<HashMap<String, Option<Page>>>,
}

impl PageCache for SpinsWhileWaiting {
    fn get(&self, url: &str) -> Page {
        loop {
            let mut pages = lock(&self.pages);
            match pages.get(url) {
                Some(Some(page)) => return page.clone(),
                Some(None) => continue,
                None => {
                    pages.insert(url.to_owned(), None);
                    drop(pages);
                    let page = testweb::get(url);
                    lock(&self.pages).insert(url.to_owned(), Some(page.clone()));
                    return page;
                }
            }
        }
    }
}

/// Marks a page as pending, and makes the other threads that want it sleep
/// `MS` ms and look again until it arrives: asleep most of the time, so
/// little CPU is used, but every waiter wakes up every `MS` ms.
#[derive(Default)]
struct PollsWhileWaiting<const MS: u64> {
    pages: Mutex<HashMap<String, Option<Page>>>,
}

impl<const MS: u64> PageCache for PollsWhileWaiting<MS> {
    fn get(&self, url: &str) -> Page {
        {
            let mut pages = lock(&self.pages);
            if pages.contains_key(url) {
                drop(pages);
                loop {
                    if let Some(Some(page)) = lock(&self.pages).get(url) {
                        return page.clone();
                    }
                    thread::sleep(Duration::from_millis(MS));
                }
            }
            pages.insert(url.to_owned(), None);
        }
        let page = testweb::get(url);
        lock(&self.pages).insert(url.to_owned(), Some(page.clone()));
        page
    }
}

/// One cell per URL like the reference, but a failed fetch is taken out of
/// the map again, so the next `get` of that URL fetches it anew.
#[derive(Default)]
struct ForgetsFailures {
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
}

impl PageCache for ForgetsFailures {
    fn get(&self, url: &str) -> Page {
        let cell = Arc::clone(lock(&self.pages).entry(url.to_owned()).or_default());
        let page = cell.get_or_init(|| testweb::get(url)).clone();
        if page.is_err() {
            let mut pages = lock(&self.pages);
            if pages.get(url).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                pages.remove(url);
            }
        }
        page
    }
}

/// Answers without asking the server.
struct MadeUp;

impl PageCache for MadeUp {
    fn get(&self, url: &str) -> Page {
        Ok(format!("<html>{url}</html>"))
    }
}

/// Keeps its pages in a `static`, shared by every cache.
struct InAStatic;

impl PageCache for InAStatic {
    fn get(&self, url: &str) -> Page {
        static PAGES: Mutex<Option<HashMap<String, Page>>> = Mutex::new(None);
        if let Some(page) = lock(&PAGES).get_or_insert_with(HashMap::new).get(url) {
            return page.clone();
        }
        let page = testweb::get(url);
        lock(&PAGES)
            .get_or_insert_with(HashMap::new)
            .insert(url.to_owned(), page.clone());
        page
    }
}

/// Every `get` of every cache takes one global lock, fetch included.
#[derive(Default)]
struct OneAtATime {
    inner: FetchesTwice,
}

impl PageCache for OneAtATime {
    fn get(&self, url: &str) -> Page {
        static ONE: Mutex<()> = Mutex::new(());
        let _turn = lock(&ONE);
        self.inner.get(url)
    }
}

/// The pages in one map, looked up under its lock, and `STRIPES` locks for
/// the fetches: a page is fetched holding the stripe its URL's hash picks,
/// so two pages of one stripe are fetched one after the other (round 14,
/// `page-cache/06` of round 13). Six pages at once rarely share a stripe.
struct Striped<const STRIPES: usize> {
    pages: Mutex<HashMap<String, Page>>,
    stripes: Vec<Mutex<()>>,
}

impl<const STRIPES: usize> Default for Striped<STRIPES> {
    fn default() -> Self {
        Self {
            pages: Mutex::default(),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }
}

impl<const STRIPES: usize> PageCache for Striped<STRIPES> {
    fn get(&self, url: &str) -> Page {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        if let Some(page) = lock(&self.pages).get(url) {
            return page.clone();
        }
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(url);
        let _stripe = lock(&self.stripes[(hash % STRIPES as u64) as usize]);
        if let Some(page) = lock(&self.pages).get(url) {
            return page.clone();
        }
        let page = testweb::get(url);
        lock(&self.pages).insert(url.to_owned(), page.clone());
        page
    }
}

/// This file, as the suite reads a crate's `src/lib.rs`. The source witness
/// reads every `get` here, [`PollsEvery250Ms`]'s among those that sleep.
pub const SOURCE: &str = include_str!("page_cache.rs");

/// Like the reference, but a thread whose page is being fetched looks
/// every 250 ms whether it is there (round 13, `page-cache/01`).
#[derive(Default)]
struct PollsEvery250Ms {
    pages: Mutex<HashMap<String, Option<Page>>>,
}

impl PageCache for PollsEvery250Ms {
    fn get(&self, url: &str) -> Page {
        loop {
            let mut pages = lock(&self.pages);
            match pages.get(url) {
                Some(Some(page)) => return page.clone(),
                Some(None) => {
                    drop(pages);
                    thread::sleep(Duration::from_millis(250));
                }
                None => {
                    pages.insert(url.to_owned(), None);
                    drop(pages);
                    let page = testweb::get(url);
                    lock(&self.pages).insert(url.to_owned(), Some(page.clone()));
                    return page;
                }
            }
        }
    }
}

/// A limit of 1000 pages: the whole cache is cleared when a new URL comes
/// to a full one (round 13, `page-cache/02`).
#[derive(Default)]
struct ClearedAt1000 {
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
}

impl PageCache for ClearedAt1000 {
    fn get(&self, url: &str) -> Page {
        let cell = {
            let mut pages = lock(&self.pages);
            if pages.len() >= 1000 && !pages.contains_key(url) {
                pages.clear();
            }
            Arc::clone(pages.entry(url.to_owned()).or_default())
        };
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// Fetches a page again after every `HITS` answers from memory, "to keep
/// it fresh" (round 20's `page-cache/01`, at 1000).
#[derive(Default)]
struct RefreshesAfter<const HITS: usize> {
    pages: Mutex<HashMap<String, Answered>>,
}

/// A page's cell, and how many times it was asked for since it was made.
type Answered = (usize, Arc<OnceLock<Page>>);

impl<const HITS: usize> PageCache for RefreshesAfter<HITS> {
    fn get(&self, url: &str) -> Page {
        let cell = {
            let mut pages = lock(&self.pages);
            let (hits, cell) = pages.entry(url.to_owned()).or_default();
            *hits += 1;
            if *hits > HITS {
                *hits = 0;
                *cell = Arc::default();
            }
            Arc::clone(cell)
        };
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// Keys the map by the URL with a trailing `?` dropped, "one address
/// every server reads alike" (round 22's `page-cache/04`).
#[derive(Default)]
struct TrailingQuestionMarkDropped {
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
}

impl PageCache for TrailingQuestionMarkDropped {
    fn get(&self, url: &str) -> Page {
        let key = url.strip_suffix('?').unwrap_or(url).to_owned();
        let cell = Arc::clone(lock(&self.pages).entry(key).or_default());
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// Pages over a MiB kept in a `static` every cache shares, "so a 10 MiB
/// page is never held twice" (round 22's `page-cache/05`).
#[derive(Default)]
struct BigPagesShared {
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
}

impl PageCache for BigPagesShared {
    fn get(&self, url: &str) -> Page {
        static BIG: Mutex<Option<HashMap<String, Page>>> = Mutex::new(None);
        if let Some(page) = lock(&BIG).get_or_insert_with(HashMap::new).get(url) {
            return page.clone();
        }
        let cell = Arc::clone(lock(&self.pages).entry(url.to_owned()).or_default());
        let page = cell.get_or_init(|| testweb::get(url)).clone();
        if page.as_ref().is_ok_and(|body| body.len() > 1 << 20) {
            lock(&BIG)
                .get_or_insert_with(HashMap::new)
                .insert(url.to_owned(), page.clone());
        }
        page
    }
}

/// Keys the map by the URL with its scheme and host lowered and its
/// fragment dropped, "as the server sees it" (round 20's `page-cache/07`).
#[derive(Default)]
struct NormalisedKeys {
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
}

impl PageCache for NormalisedKeys {
    fn get(&self, url: &str) -> Page {
        let bare = url.split('#').next().unwrap_or(url);
        let key = match bare.split_once("://") {
            Some((scheme, rest)) => {
                let end = rest.find('/').unwrap_or(rest.len());
                format!(
                    "{}://{}{}",
                    scheme.to_ascii_lowercase(),
                    rest[..end].to_ascii_lowercase(),
                    &rest[end..]
                )
            }
            None => bare.to_owned(),
        };
        let cell = Arc::clone(lock(&self.pages).entry(key).or_default());
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// A bound on memory: past `PAGES` pages, an arbitrary one is forgotten to
/// make room (round 16's `page-cache/01`, at 4096 and at 8192).
#[derive(Default)]
struct ForgetsPast<const PAGES: usize> {
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
}

impl<const PAGES: usize> PageCache for ForgetsPast<PAGES> {
    fn get(&self, url: &str) -> Page {
        let cell = {
            let mut pages = lock(&self.pages);
            if pages.len() >= PAGES && !pages.contains_key(url) {
                let victim = pages.keys().next().cloned();
                if let Some(victim) = victim {
                    pages.remove(&victim);
                }
            }
            Arc::clone(pages.entry(url.to_owned()).or_default())
        };
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// A bound on memory: once the map holds `PAGES` pages, a new URL clears
/// it (round 20's `page-cache/02` at 32,768, round 22's `page-cache/01` at
/// 16,384).
#[derive(Default)]
struct ClearedAt<const PAGES: usize> {
    pages: Mutex<Cells>,
}

impl<const PAGES: usize> PageCache for ClearedAt<PAGES> {
    fn get(&self, url: &str) -> Page {
        let cell = {
            let mut pages = lock(&self.pages);
            if pages.len() >= PAGES && !pages.contains_key(url) {
                pages.clear();
            }
            Arc::clone(pages.entry(url.to_owned()).or_default())
        };
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// Pages keyed by a 32-bit hash of the URL, "four bytes instead of the
/// whole URL" (round 16's `page-cache/02`, round 22's `page-cache/03`):
/// two URLs whose keys are equal share one page. With the standard
/// library's `DefaultHasher`, "not a url 51107" and "not a url 54618" do.
#[derive(Default)]
struct KeyedBy32Bits {
    pages: Mutex<HashMap<u32, Arc<OnceLock<Page>>>>,
}

impl PageCache for KeyedBy32Bits {
    fn get(&self, url: &str) -> Page {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        url.hash(&mut hasher);
        let key = hasher.finish() as u32;
        let cell = Arc::clone(lock(&self.pages).entry(key).or_default());
        cell.get_or_init(|| testweb::get(url)).clone()
    }
}

/// Pages over `KIB` KiB are fetched but not kept (round 13's
/// `page-cache/05` at 64 KiB, round 16's `page-cache/06` at 2 MiB).
#[derive(Default)]
struct BigPagesNotKept<const KIB: usize> {
    pages: Mutex<HashMap<String, Arc<OnceLock<Page>>>>,
}

impl<const KIB: usize> PageCache for BigPagesNotKept<KIB> {
    fn get(&self, url: &str) -> Page {
        let cell = Arc::clone(lock(&self.pages).entry(url.to_owned()).or_default());
        let page = cell.get_or_init(|| testweb::get(url)).clone();
        if page.as_ref().is_ok_and(|body| body.len() > KIB << 10) {
            lock(&self.pages).remove(url);
        }
        page
    }
}

/// Like the reference, but a thread whose page another is fetching waits
/// in a helper of another file, [`wait::until_filled`], which polls.
#[derive(Default)]
struct PollsInAnotherFile {
    pages: Mutex<Cells>,
}

impl PageCache for PollsInAnotherFile {
    fn get(&self, url: &str) -> Page {
        let (cell, mine) = {
            let mut pages = lock(&self.pages);
            let mine = !pages.contains_key(url);
            (Arc::clone(pages.entry(url.to_owned()).or_default()), mine)
        };
        if mine {
            cell.get_or_init(|| testweb::get(url)).clone()
        } else {
            wait::until_filled(&cell)
        }
    }
}

/// Keeps status errors, but drops a failure to connect and fetches it
/// again on the next `get` ("the network may be back"; round 16,
/// `page-cache/07`).
#[derive(Default)]
struct ConnectionErrorsNotKept {
    pages: Mutex<Cells>,
}

impl PageCache for ConnectionErrorsNotKept {
    fn get(&self, url: &str) -> Page {
        let cell = Arc::clone(lock(&self.pages).entry(url.to_owned()).or_default());
        let page = cell.get_or_init(|| testweb::get(url)).clone();
        if matches!(page, Err(FetchError::Transport { .. })) {
            lock(&self.pages).remove(url);
        }
        page
    }
}

/// Forgets an error whose message says it is "transient" (a reset, a
/// time-out, DNS), so the page is fetched again on the next `get` (round
/// 20, `page-cache/06`): a refused connection and an error status are kept.
#[derive(Default)]
struct TransientErrorsNotKept {
    pages: Mutex<Cells>,
}

impl PageCache for TransientErrorsNotKept {
    fn get(&self, url: &str) -> Page {
        let cell = Arc::clone(lock(&self.pages).entry(url.to_owned()).or_default());
        let page = cell.get_or_init(|| testweb::get(url)).clone();
        if let Err(e) = &page {
            let said = e.to_string().to_lowercase();
            if ["reset", "timed out", "time-out", "dns"]
                .iter()
                .any(|w| said.contains(w))
            {
                lock(&self.pages).remove(url);
            }
        }
        page
    }
}

/// Forgets an error of status 429, 502 or 504 once answered, "come back
/// later is not the page" (round 22, `page-cache/02`).
#[derive(Default)]
struct ComeBackLaterNotKept {
    pages: Mutex<Cells>,
}

impl PageCache for ComeBackLaterNotKept {
    fn get(&self, url: &str) -> Page {
        let cell = Arc::clone(lock(&self.pages).entry(url.to_owned()).or_default());
        let page = cell.get_or_init(|| testweb::get(url)).clone();
        if matches!(
            page,
            Err(FetchError::Status {
                status: 429 | 502 | 504,
                ..
            })
        ) {
            lock(&self.pages).remove(url);
        }
        page
    }
}

/// A thread that waited for another's fetch and got an error fetches the
/// page again itself, "in case it was bad luck" (round 16,
/// `page-cache/09`).
#[derive(Default)]
struct WaiterRetriesAnError {
    pages: Mutex<Cells>,
}

impl PageCache for WaiterRetriesAnError {
    fn get(&self, url: &str) -> Page {
        let cell = Arc::clone(lock(&self.pages).entry(url.to_owned()).or_default());
        let was_there = cell.get().is_some();
        let mut fetched_here = false;
        let page = cell
            .get_or_init(|| {
                fetched_here = true;
                testweb::get(url)
            })
            .clone();
        if page.is_err() && !fetched_here && !was_there {
            return testweb::get(url);
        }
        page
    }
}

fn new<C: PageCache + Default + 'static>() -> Box<dyn PageCache> {
    Box::new(C::default())
}

/// Every wrong cache, with the check that must reject it.
pub fn corpus() -> Vec<Decoy<NewCache>> {
    vec![
        Decoy {
            name: "waiters poll in a helper in another file (round 16, page-cache/04)",
            class: Class::Spinning,
            subject: new::<PollsInAnotherFile>,
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "waiters-sleep",
            says: &["`mod wait;`", "which the suite cannot read"],
        },
        Decoy {
            name: "waiters poll every 250 ms (round 13, page-cache/01)",
            class: Class::Spinning,
            subject: new::<PollsEvery250Ms>,
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "waiters-sleep",
            says: &["`sleep`", "(in `fn get`)"],
        },
        Decoy {
            name: "cleared when it reaches 1000 pages (round 13, page-cache/02)",
            class: Class::RuleSkipped,
            subject: new::<ClearedAt1000>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["other pages", "no eviction"],
        },
        Decoy {
            name: "a page fetched again after every 1000 answers from memory (round 20, page-cache/01)",
            class: Class::RuleSkipped,
            subject: new::<RefreshesAfter<1000>>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["times more", "however often it is asked"],
        },
        Decoy {
            name: "a page fetched again after every 5000 answers from memory (round 22, page-cache/08)",
            class: Class::RuleSkipped,
            subject: new::<RefreshesAfter<5000>>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["times more", "however often it is asked"],
        },
        Decoy {
            name: "a trailing ? dropped from the key (round 22, page-cache/04)",
            class: Class::MadeUp,
            subject: new::<TrailingQuestionMarkDropped>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "really-fetched",
            says: &["are two URLs", "without tidying it"],
        },
        Decoy {
            name: "pages over a MiB shared by every cache in a static (round 22, page-cache/05)",
            class: Class::StateBetweenCalls,
            subject: new::<BigPagesShared>,
            caught_by: "each_cache_starts_empty",
            breaks: "own-pages",
            says: &["a page of", "whatever its size"],
        },
        Decoy {
            name: "keyed by the URL with scheme and host lowered, fragment dropped (round 20, page-cache/07)",
            class: Class::MadeUp,
            subject: new::<NormalisedKeys>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "really-fetched",
            says: &["are three URLs", "without lowering its case"],
        },
        Decoy {
            name: "an arbitrary page forgotten past 4096 (round 16, page-cache/01)",
            class: Class::RuleSkipped,
            subject: new::<ForgetsPast<4096>>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["no limit, no eviction"],
        },
        Decoy {
            name: "pages keyed by a 32-bit hash of the URL (round 16, page-cache/02; round 22, page-cache/03)",
            class: Class::RuleSkipped,
            subject: new::<KeyedBy32Bits>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "really-fetched",
            says: &["two URLs shared one page"],
        },
        Decoy {
            name: "the map cleared once it holds 16,384 pages (round 22, page-cache/01)",
            class: Class::RuleSkipped,
            subject: new::<ClearedAt<16_384>>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["strings that are not URLs", "no clearing when it grows"],
        },
        Decoy {
            name: "the map cleared once it holds 32,768 pages (round 20, page-cache/02)",
            class: Class::RuleSkipped,
            subject: new::<ClearedAt<32_768>>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["strings that are not URLs", "no clearing when it grows"],
        },
        Decoy {
            name: "an arbitrary page forgotten past 8192",
            class: Class::RuleSkipped,
            subject: new::<ForgetsPast<8192>>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["no limit, no eviction"],
        },
        Decoy {
            name: "pages over 2 MiB not kept (round 16, page-cache/06)",
            class: Class::RuleSkipped,
            subject: new::<BigPagesNotKept<2048>>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["whatever its size"],
        },
        Decoy {
            name: "a refused connection not kept (round 16, page-cache/07)",
            class: Class::RuleSkipped,
            subject: new::<ConnectionErrorsNotKept>,
            caught_by: "a_failed_fetch_is_not_repeated",
            breaks: "errors-kept",
            says: &["where nothing listens", "whatever its kind"],
        },
        Decoy {
            name: "a 429, 502 or 504 not kept, as \"come back later\" (round 22, page-cache/02)",
            class: Class::RuleSkipped,
            subject: new::<ComeBackLaterNotKept>,
            caught_by: "a_failed_fetch_is_not_repeated",
            breaks: "errors-kept",
            says: &["which answers 429", "whatever its status"],
        },
        Decoy {
            name: "a reset or a time-out not kept, as transient (round 20, page-cache/06)",
            class: Class::RuleSkipped,
            subject: new::<TransientErrorsNotKept>,
            caught_by: "a_failed_fetch_is_not_repeated",
            breaks: "errors-kept",
            says: &["whose every connection is reset", "whatever its kind"],
        },
        Decoy {
            name: "a waiter that got an error fetches again (round 16, page-cache/09)",
            class: Class::MadeUp,
            subject: new::<WaiterRetriesAnError>,
            caught_by: "a_failed_fetch_is_not_repeated",
            breaks: "errors-kept",
            says: &["at once", "none fetches the page again"],
        },
        Decoy {
            name: "pages over 64 KiB not kept (round 13, page-cache/05)",
            class: Class::RuleSkipped,
            subject: new::<BigPagesNotKept<64>>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["whatever its size"],
        },
        Decoy {
            name: "holds the map's lock across the fetch once it holds 1000 pages (round 13, page-cache/03)",
            class: Class::RuleSkipped,
            subject: new::<HeldOnceWarm<1000>>,
            caught_by: "pages_are_fetched_at_once",
            breaks: "fetches-at-once",
            says: &["pages already in the cache", "however many pages"],
        },
        Decoy {
            name: "4096 striped locks, a page's held across its fetch (round 13, page-cache/06)",
            class: Class::RuleSkipped,
            subject: new::<Striped<4096>>,
            caught_by: "pages_are_fetched_at_once",
            breaks: "fetches-at-once",
            says: &["256 threads", "shared by several pages"],
        },
        Decoy {
            name: "holds the map's lock across the fetch",
            class: Class::RuleSkipped,
            subject: new::<HeldAcrossFetch>,
            caught_by: "pages_are_fetched_at_once",
            breaks: "fetches-at-once",
            says: &["at most 1 of those requests", "never across `testweb::get`"],
        },
        Decoy {
            name: "one global lock around every get",
            class: Class::Sequential,
            subject: new::<OneAtATime>,
            caught_by: "pages_are_fetched_at_once",
            breaks: "fetches-at-once",
            says: &["at most 1 of those requests", "took turns"],
        },
        Decoy {
            name: "holds the map's lock across the fetch once it holds 8 pages",
            class: Class::RuleSkipped,
            subject: new::<HeldOnceWarm<8>>,
            caught_by: "pages_are_fetched_at_once",
            breaks: "fetches-at-once",
            says: &[
                "pages already in the cache",
                "at most 1 of those requests",
                "however many pages",
            ],
        },
        Decoy {
            name: "holds the map's lock across the fetch once it holds 64 pages",
            class: Class::RuleSkipped,
            subject: new::<HeldOnceWarm<64>>,
            caught_by: "pages_are_fetched_at_once",
            breaks: "fetches-at-once",
            says: &["pages already in the cache", "however many pages"],
        },
        Decoy {
            name: "keeps the last 100 pages",
            class: Class::RuleSkipped,
            subject: new::<Evicts<100>>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "remembered",
            says: &["other pages", "no eviction"],
        },
        Decoy {
            name: "one page for URLs that differ in case or a trailing slash",
            class: Class::MadeUp,
            subject: new::<NormalisesUrls>,
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "really-fetched",
            says: &["differ only in letter case or a trailing slash", "as given"],
        },
        Decoy {
            name: "waits for a page's lock with the map's lock held",
            class: Class::RuleSkipped,
            subject: new::<WaitsWithTheMapLocked>,
            caught_by: "a_cached_page_waits_for_no_fetch",
            breaks: "cached-at-once",
            says: &[
                "returned only after that fetch had ended",
                "with the map unlocked",
            ],
        },
        Decoy {
            name: "holds the map's lock across the fetch: a cached page waits too",
            class: Class::RuleSkipped,
            subject: new::<HeldAcrossFetch>,
            caught_by: "a_cached_page_waits_for_no_fetch",
            breaks: "cached-at-once",
            says: &[
                "was in the cache",
                "returned only after that fetch had ended",
            ],
        },
        Decoy {
            name: "checks, unlocks and fetches: several fetches of one page",
            class: Class::RuleSkipped,
            subject: new::<FetchesTwice>,
            caught_by: "a_page_wanted_by_many_threads_is_fetched_once",
            breaks: "fetched-once",
            says: &["the server got 6 requests", "fetched once"],
        },
        Decoy {
            name: "writes back a copy of the map taken before the fetch",
            class: Class::RuleSkipped,
            subject: new::<WritesBackACopy>,
            caught_by: "no_page_is_lost_when_fetches_race",
            breaks: "no-page-lost",
            says: &["were fetched again", "copy of the map"],
        },
        Decoy {
            name: "waiting threads loop until the page arrives",
            class: Class::Spinning,
            subject: new::<SpinsWhileWaiting>,
            caught_by: "threads_waiting_for_a_page_sleep",
            breaks: "waiters-sleep",
            says: &["of CPU meanwhile", "spin"],
        },
        Decoy {
            name: "waiting threads sleep 5 ms and look again until the page arrives",
            class: Class::Spinning,
            subject: new::<PollsWhileWaiting<5>>,
            caught_by: "threads_waiting_for_a_page_are_woken_once",
            breaks: "waiters-sleep",
            says: &["woke up most woke", "poll", "block until"],
        },
        Decoy {
            name: "waiting threads sleep 50 ms and look again until the page arrives",
            class: Class::Spinning,
            subject: new::<PollsWhileWaiting<50>>,
            caught_by: "threads_waiting_for_a_page_are_woken_once",
            breaks: "waiters-sleep",
            says: &["woke up most woke", "poll", "block until"],
        },
        Decoy {
            name: "forgets a failed fetch, so the next get fetches it again",
            class: Class::RuleSkipped,
            subject: new::<ForgetsFailures>,
            caught_by: "a_failed_fetch_is_not_repeated",
            breaks: "errors-kept",
            says: &["the server got 3 requests", "store the `Err`"],
        },
        Decoy {
            name: "makes pages up",
            class: Class::MadeUp,
            subject: || Box::new(MadeUp),
            caught_by: "a_page_is_fetched_once_then_served_from_memory",
            breaks: "really-fetched",
            says: &["it was never asked", "return the body"],
        },
        Decoy {
            name: "keeps the pages in a static",
            class: Class::StateBetweenCalls,
            subject: || Box::new(InAStatic),
            caught_by: "each_cache_starts_empty",
            breaks: "own-pages",
            says: &["was asked 1 times", "not in a `static`"],
        },
    ]
}
