//! Suite of `exercises/pitfalls/false-sharing`: per-thread counters, each
//! on its own cache line.
//!
//! False sharing costs time, and time on a shared two-core machine is
//! noise; its cause is a layout, and a layout can be read exactly. So the
//! suite judges where the counters are (their addresses, taken from the
//! references `slot` returns) and leaves the cost to the benchmark and the
//! book's live table. It also checks that the counts are right and that
//! the threads really count at once, through the predicate they call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use harness::aftermath::threads_now;
use harness::clock::{thread_cpu_time, thread_wakeups};

/// Bytes that two counters written by different threads must keep
/// between them: a cache line is 64 bytes on x86-64, and Intel's spatial
/// prefetcher fetches lines in pairs, so crossbeam's `CachePadded` uses
/// 128 there (and on aarch64).
pub const LINE: usize = 128;

/// The predicate `count_matching` calls for each item.
pub type IsMatch<'a> = &'a (dyn Fn(u64) -> bool + Sync);

/// `count_matching` on new counters: its result and the counters after.
pub type Count = fn(&[u64], usize, IsMatch<'_>) -> (u64, Vec<u64>);

/// The predicate of [`Live`]: an item, and a way to read the sum of the
/// counters at the moment of the call.
pub type IsLiveMatch<'a> = &'a (dyn Fn(u64, &dyn Fn() -> u64) -> bool + Sync);

/// `count_matching` on new counters, with a predicate that can read the
/// counters while the threads count: its result.
pub type Live = fn(&[u64], usize, IsLiveMatch<'_>) -> u64;

/// What `Counters` says about itself, after a count of some items (none:
/// fresh counters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tallied {
    /// `count_matching`'s result (`None`: there were no items, and it was
    /// not called).
    pub returned: Option<u64>,
    /// Each counter's value, read through `slot(i)`.
    pub values: Vec<u64>,
    /// `Counters::total()`.
    pub total: u64,
    /// `Counters::len()`.
    pub len: usize,
    /// `Counters::is_empty()`.
    pub is_empty: bool,
}

/// The addresses of a first `Counters::new(n)`'s counters, and of each of
/// `k` more made and dropped while it lives.
pub type Churn = fn(usize, usize) -> (Vec<usize>, Vec<Vec<usize>>);

/// `Counters::new(n)`, counted into with `count_matching` (when there are
/// items), then asked for its `total()`, `len()` and `is_empty()`.
pub type Tally = fn(&[u64], usize, IsMatch<'_>) -> Tallied;

/// The crate under test, seen through plain functions.
#[derive(Clone, Copy)]
pub struct FalseSharing {
    /// The address of each of `Counters::new(n)`'s `n` counters.
    pub addresses: fn(usize) -> Vec<usize>,
    /// The addresses of the counters of `k` `Counters::new(n)` alive at
    /// the same time.
    pub alive: fn(usize, usize) -> Vec<Vec<usize>>,
    /// `count_matching(items, &Counters::new(n), is_match)`: its result and
    /// the counters' values afterwards.
    pub count: Count,
    /// `count_matching` again, its predicate able to read the counters.
    pub live: Live,
    /// `Counters`' own accounts: `total()`, `len()`, `is_empty()`.
    pub tally: Tally,
    /// The addresses of the counters of a `Counters::new(n)` made first,
    /// and of each of `k` more made and dropped one after another while the
    /// first stays alive.
    pub churn: Churn,
    /// `Counters::new(n)` with each counter set through `slot(i)` to the
    /// given value: its `total()`.
    pub total_of: fn(&[u64]) -> u64,
}

/// Defines `SUBJECT`, the crate's `Counters` and `count_matching` seen as
/// [`FalseSharing`].
#[macro_export]
macro_rules! false_sharing_adapter {
    ($krate:ident) => {
        pub const SUBJECT: $crate::false_sharing::FalseSharing =
            $crate::false_sharing::FalseSharing {
                addresses: |n| {
                    let counters = $krate::Counters::new(n);
                    (0..n)
                        .map(|i| ::std::ptr::from_ref(counters.slot(i)).addr())
                        .collect()
                },
                alive: |n, k| {
                    let all: ::std::vec::Vec<$krate::Counters> =
                        (0..k).map(|_| $krate::Counters::new(n)).collect();
                    all.iter()
                        .map(|c| {
                            (0..n)
                                .map(|i| ::std::ptr::from_ref(c.slot(i)).addr())
                                .collect()
                        })
                        .collect()
                },
                count: |items, n, is_match| {
                    let counters = $krate::Counters::new(n);
                    let total = $krate::count_matching(items, &counters, is_match);
                    let values = (0..n)
                        .map(|i| counters.slot(i).load(::std::sync::atomic::Ordering::SeqCst))
                        .collect();
                    (total, values)
                },
                live: |items, n, is_match| {
                    let counters = $krate::Counters::new(n);
                    let sum = || {
                        (0..n)
                            .map(|i| counters.slot(i).load(::std::sync::atomic::Ordering::SeqCst))
                            .sum::<u64>()
                    };
                    $krate::count_matching(items, &counters, &|x| is_match(x, &sum))
                },
                churn: |n, k| {
                    let at = |c: &$krate::Counters| -> ::std::vec::Vec<usize> {
                        (0..n)
                            .map(|i| ::std::ptr::from_ref(c.slot(i)).addr())
                            .collect()
                    };
                    let first = $krate::Counters::new(n);
                    let later = (0..k).map(|_| at(&$krate::Counters::new(n))).collect();
                    (at(&first), later)
                },
                total_of: |values| {
                    let counters = $krate::Counters::new(values.len());
                    for (i, &v) in values.iter().enumerate() {
                        counters
                            .slot(i)
                            .store(v, ::std::sync::atomic::Ordering::SeqCst);
                    }
                    counters.total()
                },
                tally: |items, n, is_match| {
                    let counters = $krate::Counters::new(n);
                    let returned = (!items.is_empty())
                        .then(|| $krate::count_matching(items, &counters, is_match));
                    $crate::false_sharing::Tallied {
                        returned,
                        values: (0..n)
                            .map(|i| counters.slot(i).load(::std::sync::atomic::Ordering::SeqCst))
                            .collect(),
                        total: counters.total(),
                        len: counters.len(),
                        is_empty: counters.is_empty(),
                    }
                },
            };
    };
}

crate::declare_suite!($ false_sharing: FalseSharing = false_sharing_adapter![
    counts_are_right,
    no_two_counters_share_a_cache_line,
    the_threads_count_at_once,
    the_counters_are_live,
    the_counters_know_their_total_and_number,
    nothing_polls_or_waits_by_the_clock,
]);

/// Items drawn per run: no fixed input to special-case.
fn items(n: usize, salt: u64) -> Vec<u64> {
    let mut x = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(7, |d| d.as_nanos() as u64)
        ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % 1_000
        })
        .collect()
}

/// How long after `count_matching` returns the threads it started may
/// still be leaving the kernel's list: 80 threads ended by a scope leave
/// within milliseconds.
const THREADS_GONE_WITHIN: Duration = Duration::from_millis(200);

/// Several calls, each on fresh counters, with 1 to 4 threads and inputs
/// drawn per run: the total, and the counters' sum, must be the number of
/// matches.
pub fn counts_are_right(subject: FalseSharing) {
    let check = "counts are right";
    for (call, (n, threads)) in [
        (10_000, 4),
        (9_999, 3),
        (1, 2),
        (5_000, 1),
        (777, 4),
        (5_000, 80),
        (9_000_000, 2),
    ]
    .into_iter()
    .enumerate()
    {
        let items = items(n, call as u64);
        let expected = items.iter().filter(|&&x| x % 3 == 0).count() as u64;
        let before = threads_now();
        let (total, values) = (subject.count)(&items, threads, &|x| x % 3 == 0);
        // Threads leaving after a `thread::scope` may take a moment, but
        // not the 800 ms of round 14's `false-sharing/01` (a watchdog that
        // sleeps on after the count).
        let until = Instant::now() + THREADS_GONE_WITHIN;
        while threads_now() > before && Instant::now() < until {
            thread::sleep(Duration::from_millis(1));
        }
        let left = threads_now().saturating_sub(before);
        assert!(
            left == 0,
            "[{check}] call {} of 7 ({n} items, {threads} threads) returned, and {} ms later \
             the process had {left} more thread(s) than before it: every thread \
             count_matching starts must have ended when it returns (join them, or let a \
             `thread::scope` end), none left running.",
            call + 1,
            THREADS_GONE_WITHIN.as_millis()
        );
        let sum: u64 = values.iter().sum();
        assert!(
            total == expected && sum == expected,
            "[{check}] call {} of 7: {n} items drawn this run, {expected} of them multiples \
             of 3, counted by {threads} threads: count_matching returned {total} and the \
             counters hold {values:?} ({sum} in all). Each thread must add 1 to its own \
             counter for each match in its share, every item must be in exactly one share, \
             and new counters start at zero: keep nothing between calls.",
            call + 1
        );
    }
}

/// For 2 to 2^20 counters: every two are at least [`LINE`] bytes apart and
/// in different [`LINE`]-byte blocks, however many there are; so are the
/// counters of two `Counters` alive at once, of 1 counter each too, and of
/// one made after hundreds of others came and went.
pub fn no_two_counters_share_a_cache_line(subject: FalseSharing) {
    let check = "no two counters share a cache line";
    // Then any number up to 2^17, log-uniform, and past 2^14: round 14's
    // `false-sharing/05` padded only up to 16,384 counters.
    let mut draw = crate::fetching::Draw::new();
    let many = crate::pure::log_uniform(&mut draw, 601, 1 << 17) as usize;
    // And one past 2^17, up to 2^20 (128 MiB of padded counters): round
    // 21's `false-sharing/02` packed them 8 bytes apart past 2^17.
    let more = draw.pick((1 << 17) + 1..=1 << 20);
    for n in [
        2, 3, 8, 17, 33, 65, 200, 257, 300, 513, 600, 16_385, many, more,
    ] {
        let addresses = (subject.addresses)(n);
        // In address order, two neighbours in different blocks and a line
        // apart are enough: then so is every pair.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&k| addresses[k]);
        for pair in order.windows(2) {
            {
                let (i, j) = (pair[0].min(pair[1]), pair[0].max(pair[1]));
                let (a, b) = (addresses[i], addresses[j]);
                let apart = a.abs_diff(b);
                assert!(
                    apart >= LINE && a / LINE != b / LINE,
                    "[{check}] with {n} counters, counter {i} is at {a:#x} and counter {j} at \
                     {b:#x}: {apart} bytes apart{}. Two threads writing them fight over one \
                     cache line (64 bytes, fetched in pairs of 128 on x86-64), though they \
                     share no variable. Give each counter a line of its own: \
                     `crossbeam_utils::CachePadded<AtomicU64>` aligns and pads it to {LINE} \
                     bytes.",
                    if apart == 0 {
                        ", the same counter: each thread needs its own"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    // Sets of counters alive at once: each has counters of its own (64 of
    // one counter each: small blocks land side by side somewhere among
    // them); then every one of 700 made and dropped beside a first kept
    // alive throughout.
    let mut sets: Vec<(String, Vec<usize>, Vec<usize>)> = Vec::new();
    for (n, k) in [(1, 64), (2, 2), (8, 2), (17, 2)] {
        let all = (subject.alive)(n, k);
        for (x, one) in all.iter().enumerate() {
            for two in &all[x + 1..] {
                let what = format!("{k} `Counters::new({n})` alive at the same time");
                sets.push((what, one.clone(), two.clone()));
            }
        }
    }
    let (first, later) = (subject.churn)(8, 700);
    for two in later {
        let what = "a `Counters::new(8)` kept alive while 700 more were made and dropped, one \
                    after another"
            .to_owned();
        sets.push((what, first.clone(), two));
    }
    for (what, one, two) in sets {
        for (i, &a) in one.iter().enumerate() {
            for (j, &b) in two.iter().enumerate() {
                let apart = a.abs_diff(b);
                assert!(
                    apart >= LINE && a / LINE != b / LINE,
                    "[{check}] {what}: counter {i} of one is at {a:#x} and counter {j} of \
                     another at {b:#x}, {apart} bytes apart. Each `Counters` owns its \
                     counters, each on a line of its own, in memory of its own (even a single \
                     counter; not slots handed out from a `static`): two counts running at \
                     once would fight over one line, or add into the same counters."
                );
            }
        }
    }
}

/// The runs of [`the_threads_count_at_once`]: counters (threads), items,
/// and how long each thread's first call is held. Few items, fewer items
/// than counters, items that a share of `ceil(len / n)` would leave a
/// counter without (9 on 4), and more threads than cores included; the last run holds
/// the threads a whole second, long enough to see a caller that polls.
const AT_ONCE_RUNS: [(usize, u64, Duration); 11] = [
    (4, 4_000, Duration::from_millis(100)),
    (12, 24, Duration::from_millis(100)),
    (3, 3, Duration::from_millis(100)),
    (5, 3, Duration::from_millis(100)),
    (4, 9, Duration::from_millis(100)),
    (80, 800, Duration::from_millis(100)),
    // One counter, two items, one item of three counters: a thread of its
    // own all the same (round 15's `false-sharing/06` and `/09` counted on
    // the caller there); and past 128 threads (`/07` capped them at 128).
    (1, 100, Duration::from_millis(100)),
    (2, 2, Duration::from_millis(100)),
    (3, 1, Duration::from_millis(100)),
    (200, 1_000, Duration::from_millis(100)),
    (2, 1_000, Duration::from_secs(1)),
];

/// `n` counters, `n` threads, for each of [`AT_ONCE_RUNS`]: `is_match` must
/// be called from `n` different threads, all inside it at the same moment
/// (each first call waits up to 300 ms for the others, then 100 ms more),
/// while the calling thread waits for them asleep; and the thread with the
/// `i`-th share (the `i`-th lowest first item) counts into `slot(i)`.
pub fn the_threads_count_at_once(subject: FalseSharing) {
    for (threads, items, hold) in AT_ONCE_RUNS {
        count_at_once(subject, threads, items, hold);
    }
}

/// What one thread did in [`count_at_once`]: the lowest item it was given
/// and the matches among its items.
#[derive(Clone, Copy)]
struct Share {
    first: u64,
    matches: u64,
}

fn count_at_once(subject: FalseSharing, counters: usize, n_items: u64, hold: Duration) {
    let check = "the threads count at once";
    const MEET: Duration = Duration::from_millis(300);
    // One thread per counter; with fewer items than counters, one per item.
    let threads = counters.min(n_items as usize);
    let caller = thread::current().id();
    struct Seen {
        shares: HashMap<ThreadId, Share>,
        inside: usize,
        peak: usize,
    }
    let seen = Mutex::new(Seen {
        shares: HashMap::new(),
        inside: 0,
        peak: 0,
    });
    let arrived = Condvar::new();
    // Even numbers, and every number of the first eighth: shares that
    // start at different items hold different numbers of matches, so a
    // thread that counts into another's counter shows.
    let matches = |x: u64| x % 2 == 0 || x < n_items.div_ceil(8);
    let is_match = |x: u64| {
        let me = thread::current().id();
        let hit = matches(x);
        let mut s = seen.lock().unwrap_or_else(PoisonError::into_inner);
        let first_call = !s.shares.contains_key(&me);
        let share = s.shares.entry(me).or_insert(Share {
            first: x,
            matches: 0,
        });
        share.first = share.first.min(x);
        share.matches += u64::from(hit);
        if first_call {
            // A thread's first call waits for the other threads' first.
            s.inside += 1;
            s.peak = s.peak.max(s.inside);
            arrived.notify_all();
            let until = Instant::now() + MEET;
            while s.shares.len() < threads && Instant::now() < until {
                let left = until.saturating_duration_since(Instant::now());
                s = arrived
                    .wait_timeout(s, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            s.peak = s.peak.max(s.inside);
            s.inside -= 1;
            drop(s);
            // Long enough to see what the calling thread does meanwhile.
            thread::sleep(hold);
        }
        hit
    };
    let items: Vec<u64> = (0..n_items).collect();
    let expected_total = items.iter().filter(|&&x| matches(x)).count() as u64;
    let caller_cpu = thread_cpu_time();
    let caller_wakeups = thread_wakeups();
    let ((total, values), started) =
        harness::spawned::during(|| (subject.count)(&items, counters, &is_match));
    let caller_wakeups = thread_wakeups().saturating_sub(caller_wakeups);
    let caller_cpu = thread_cpu_time()
        .zip(caller_cpu)
        .map(|(after, before)| after.saturating_sub(before));
    let s = seen.into_inner().unwrap_or_else(PoisonError::into_inner);
    let run = format!("with {counters} counters and {n_items} items");
    assert!(
        s.shares.len() == threads && s.peak == threads,
        "[{check}] {run}, is_match was called from {} thread(s), and at most {} were \
         counting at the same moment (each thread's first call waited up to {MEET:?} for the \
         others). Start one thread per counter, all before joining any, so that they count \
         at once, whatever the number of items or counters.",
        s.shares.len(),
        s.peak
    );
    assert!(
        !s.shares.contains_key(&caller),
        "[{check}] {run}, the thread that called count_matching called is_match itself: it \
         counted a share (or all of it) instead of leaving every share to a thread of its \
         own. Start one thread per counter (one per item when there are fewer items), and \
         let the calling thread only wait for them."
    );
    // Every thread the call started, as `pthread_create` saw them: one
    // that never calls is_match (an empty share) is not seen above
    // (round 18's `false-sharing/02` started one per counter, 200 for 3
    // items).
    assert!(
        started.started == threads,
        "[{check}] {run}, count_matching started {} thread(s), where {threads} were wanted: \
         one per counter, and with fewer items than counters one per item (an empty share \
         needs no thread), no more and no fewer.",
        started.started
    );
    let sum: u64 = values.iter().sum();
    assert!(
        total == expected_total && sum == expected_total,
        "[{check}] {run} ({expected_total} matches): count_matching returned {total} and the \
         counters hold {values:?} ({sum} in all). Thread i counts its share into counter i."
    );
    let mut shares: Vec<Share> = s.shares.into_values().collect();
    shares.sort_by_key(|share| share.first);
    let by_share: Vec<u64> = shares.iter().map(|share| share.matches).collect();
    assert!(
        values.len() >= by_share.len()
            && values[..by_share.len()] == by_share[..]
            && values[by_share.len()..].iter().all(|&v| v == 0),
        "[{check}] {run}: the threads' shares, in the order of their first items, held \
         {by_share:?} matches, but the counters hold {values:?}. The thread with the i-th \
         share counts into `counters.slot(i)`, its own counter, and no other."
    );
    // A join sleeps: well under a millisecond of CPU, and starting the
    // threads about 20 µs each. A caller that loops until the threads are
    // done burns most of the time they are held, or the 20 ms it allows
    // itself (round 14's `false-sharing/06`).
    let allowed = Duration::from_millis(2) + Duration::from_micros(50) * threads as u32;
    if let Some(used) = caller_cpu {
        assert!(
            used < allowed,
            "[{check}] the threads counted correctly, but while they were busy (each was \
             held {hold:?} in is_match) the thread that called count_matching used \
             {used:.0?} of CPU (allowed: {allowed:?}; a thread that waits in a join uses \
             almost none). It spins, checking whether they are done: wait for them with \
             `join` (a `thread::scope` joins them for you at its end)."
        );
    }
    // A join wakes its caller once per thread at most; a caller that
    // sleeps a little and looks again wakes every time it looks.
    let wakeups_allowed = 2 * threads as u64 + 4;
    assert!(
        caller_wakeups <= wakeups_allowed,
        "[{check}] {run}: the threads counted correctly, but while they were busy (each was \
         held {hold:?} in is_match) the thread that called count_matching woke up \
         {caller_wakeups} times (allowed: {wakeups_allowed}; a thread that joins wakes about \
         once per thread). It polls, sleeping a little and checking whether they are done: \
         wait for them with `join` (a `thread::scope` joins them for you at its end)."
    );
}

/// Four threads count a million matches, and each call of `is_match` reads the
/// counters: they must already hold every match found before it, but for
/// at most one per other thread (found, and not yet added). A thread that
/// counts into a local variable and adds it once at the end leaves the
/// counters at zero until then.
pub fn the_counters_are_live(subject: FalseSharing) {
    let check = "the counters are live";
    const THREADS: u64 = 2;
    // Shares past 2^23: past the size at which a thread might start
    // "saving atomics" by adding in batches.
    const ITEMS: u64 = 2 * ((1 << 23) + 1_000) + 1;
    let found = AtomicU64::new(0);
    let worst = AtomicU64::new(0);
    let ahead = AtomicU64::new(0);
    let is_match = |_: u64, sum: &dyn Fn() -> u64| {
        // Found before this call: read before the counters, so that
        // matches found meanwhile cannot make the counters look behind;
        // and after them, so that they cannot make them look ahead.
        let before = found.load(Ordering::SeqCst);
        let counted = sum();
        let after = found.load(Ordering::SeqCst);
        worst.fetch_max(before.saturating_sub(counted), Ordering::SeqCst);
        ahead.fetch_max(counted.saturating_sub(after), Ordering::SeqCst);
        found.fetch_add(1, Ordering::SeqCst);
        true
    };
    let items: Vec<u64> = (0..ITEMS).collect();
    let total = (subject.live)(&items, THREADS as usize, &is_match);
    let worst = worst.into_inner();
    let ahead = ahead.into_inner();
    assert_eq!(
        total, ITEMS,
        "[{check}] {ITEMS} items, every one a match: count_matching returned {total}."
    );
    assert!(
        ahead == 0,
        "[{check}] {THREADS} threads counted {ITEMS} matches; at one call of is_match, the \
         counters held {ahead} more than the matches is_match had found so far: a thread added \
         to its counter before its item was judged (and took it back on a miss, say), so a \
         progress display saw matches that were not there. Add a match to the counter once \
         is_match has said so, never before (round 15's `false-sharing/04`)."
    );
    assert!(
        worst < THREADS,
        "[{check}] {THREADS} threads counted {ITEMS} matches; at one call of is_match, \
         {worst} matches found earlier were missing from the counters (at most {} may be: \
         one per other thread, found and not yet added). The counters are live, and a \
         progress display may read them while the threads work: add each match to the \
         thread's counter as it is found, not in a local variable added at the end or in \
         batches.",
        THREADS - 1
    );
}

/// `Counters::new(n)` for 0, 1, 3 and 8 counters, fresh and after a count
/// (of 1,000 items, half of them matches, so every counter counts some):
/// `len()` must be `n`, `is_empty()` whether `n` is 0, and `total()` the sum
/// of the counters read through `slot`, which is also what `count_matching`
/// returned.
pub fn the_counters_know_their_total_and_number(subject: FalseSharing) {
    let check = "the counters know their total and number";
    let items: Vec<u64> = (0..1_000).collect();
    let even = |x: u64| x % 2 == 0;
    let runs = [
        (0, false),
        (1, false),
        (3, false),
        (8, false),
        (1, true),
        (3, true),
        (8, true),
        (300, false),
        (300, true),
    ];
    // Counters past what 32 bits hold: `total` adds them in 64.
    let big = [(1 << 32) + 7, 1 << 33, 5, u64::from(u32::MAX)];
    let total = (subject.total_of)(&big);
    let sum: u64 = big.iter().sum();
    assert!(
        total == sum,
        "[{check}] counters set through `slot` to {big:?}: total() returned {total}, where \
         they add up to {sum}. Each counter is a u64; add them as u64s."
    );
    for (n, count) in runs {
        let t = (subject.tally)(if count { &items } else { &[] }, n, &even);
        let what = if count {
            format!("Counters::new({n}), after count_matching counted 500 matches among 1000 items")
        } else {
            format!("a fresh Counters::new({n})")
        };
        assert!(
            t.len == n && t.is_empty == (n == 0),
            "[{check}] {what}: len() returned {} and is_empty() {}. `len` is how many counters \
             there are ({n}: one per thread), not how many words or bytes they take with their \
             padding.",
            t.len,
            t.is_empty
        );
        let sum: u64 = t.values.iter().sum();
        assert!(
            t.total == sum,
            "[{check}] {what}: total() returned {}, but the counters, read through `slot`, \
             hold {:?}, {sum} in all. `total` is the sum of every counter: each of the {n}, \
             once, and nothing else.",
            t.total,
            t.values
        );
        if count {
            assert!(
                t.returned == Some(sum) && sum == 500,
                "[{check}] {what}: count_matching returned {:?} and the counters hold {sum} in \
                 all; both must be 500.",
                t.returned
            );
        }
    }
}

/// `nothing_polls_or_waits_by_the_clock`: one right count, then your
/// `count_matching`, and every function of `src/lib.rs` it calls, must call
/// nothing that waits for a length of time or checks without waiting
/// ([`crate::polls::refuse_polls_from`]). The timed check counts the
/// caller's wake-ups and CPU while the threads are held, and a look every
/// 250 ms (round 14's `false-sharing/03`) stays under what it allows.
pub fn nothing_polls_or_waits_by_the_clock(subject: FalseSharing) {
    let items = items(1_000, 7);
    let expected = items.iter().filter(|&&x| x % 3 == 0).count() as u64;
    let (total, _) = (subject.count)(&items, 4, &|x| x % 3 == 0);
    assert_eq!(
        total, expected,
        "[nothing polls or waits by the clock] count_matching on 1000 items with 4 threads"
    );
    crate::polls::refuse_polls_from(
        "nothing polls or waits by the clock",
        "count_matching",
        "The page promises that the calling thread counts nothing and waits for its threads \
         asleep: `join` each one (or let a `thread::scope` end), and it sleeps until they are \
         done. A loop that sleeps and looks again (`is_finished`), or spins, is a poll however \
         rarely it looks.",
    );
}
