//! Wrong per-thread counters: laid out on shared cache lines, counted
//! one thread at a time, or counted wrong.

use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use suites::false_sharing::{Count, FalseSharing, IsLiveMatch, IsMatch, Live, Tallied, Tally};

use crate::{Class, Decoy};
pub use mistakes::false_sharing::Line;

mod reference {
    suites::false_sharing_adapter!(false_sharing_solution);
}

/// The reference counting, so that a layout decoy fails for its layout.
const RIGHT_COUNT: Count = reference::SUBJECT.count;
/// The reference counting, read while it counts.
const RIGHT_LIVE: Live = reference::SUBJECT.live;
/// The reference `total`, `len` and `is_empty`.
const RIGHT_TALLY: Tally = reference::SUBJECT.tally;

fn addresses_of<T>(slots: &[T], at: impl Fn(&T) -> &AtomicU64) -> Vec<usize> {
    slots.iter().map(|s| ptr::from_ref(at(s)).addr()).collect()
}

/// A plain `Vec<AtomicU64>`: eight counters to a cache line.
fn side_by_side(n: usize) -> Vec<usize> {
    let slots: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    addresses_of(&slots, |s| s)
}

fn one_line_each(n: usize) -> Vec<usize> {
    let slots: Vec<Line> = (0..n).map(|_| Line(AtomicU64::new(0))).collect();
    addresses_of(&slots, |s| &s.0)
}

/// Every `slot(i)` is the same counter.
fn one_counter(n: usize) -> Vec<usize> {
    let shared = AtomicU64::new(0);
    vec![ptr::from_ref(&shared).addr(); n]
}

fn count_share(share: &[u64], counter: &AtomicU64, is_match: IsMatch<'_>) {
    for &x in share {
        if is_match(x) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn values(counters: &[AtomicU64]) -> (u64, Vec<u64>) {
    let values: Vec<u64> = counters.iter().map(|c| c.load(Ordering::SeqCst)).collect();
    (values.iter().sum(), values)
}

/// Counts every share on the calling thread, one after another.
fn sequential(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    for (i, share) in items.chunks(items.len().div_ceil(n).max(1)).enumerate() {
        count_share(share, &counters[i], is_match);
    }
    values(&counters)
}

/// Spawns a thread per share but joins each before starting the next.
fn joins_each_at_once(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    for (i, share) in items.chunks(items.len().div_ceil(n).max(1)).enumerate() {
        let counter = &counters[i];
        thread::scope(|s| {
            s.spawn(|| count_share(share, counter, is_match));
        });
    }
    values(&counters)
}

/// Spawns a thread per share and then loops until they have all said
/// they are done, instead of joining them.
fn spins_until_done(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    use std::sync::atomic::AtomicUsize;
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let done = AtomicUsize::new(0);
    let shares: Vec<&[u64]> = items.chunks(items.len().div_ceil(n).max(1)).collect();
    thread::scope(|s| {
        for (i, &share) in shares.iter().enumerate() {
            let (counter, done) = (&counters[i], &done);
            s.spawn(move || {
                count_share(share, counter, is_match);
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
        while done.load(Ordering::SeqCst) < shares.len() {
            std::hint::spin_loop();
        }
    });
    values(&counters)
}

/// A third of the items, and counters that say so.
fn a_third(items: &[u64], n: usize, _: IsMatch<'_>) -> (u64, Vec<u64>) {
    let total = items.len() as u64 / 3;
    let mut values = vec![0; n];
    values[0] = total;
    (total, values)
}

/// Counters in a `static`, never reset: right on the first call only.
fn never_reset(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    static KEPT: Mutex<Vec<u64>> = Mutex::new(Vec::new());
    let (_, fresh) = RIGHT_COUNT(items, n, is_match);
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let len = kept.len().max(n);
    kept.resize(len, 0);
    for (k, f) in kept.iter_mut().zip(&fresh) {
        *k += f;
    }
    let values = kept[..n].to_vec();
    (values.iter().sum(), values)
}

/// Counts each share into a local variable and adds it to its counter
/// once, at the end: "fewer atomic operations". The counters read zero
/// until the threads are done.
fn adds_at_the_end(items: &[u64], n: usize, is_match: IsLiveMatch<'_>) -> u64 {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let sum = || {
        counters
            .iter()
            .map(|c| c.load(Ordering::SeqCst))
            .sum::<u64>()
    };
    thread::scope(|s| {
        for (i, share) in items.chunks(items.len().div_ceil(n).max(1)).enumerate() {
            let (counter, sum) = (&counters[i], &sum);
            s.spawn(move || {
                let mine = share.iter().filter(|&&x| is_match(x, sum)).count() as u64;
                counter.fetch_add(mine, Ordering::Relaxed);
            });
        }
    });
    sum()
}

/// Adds 1 to its counter before it asks about an item, and takes it back
/// on a miss (round 15, `false-sharing/04`): the counters show items that
/// were never judged a match.
fn adds_before_judging(items: &[u64], n: usize, is_match: IsLiveMatch<'_>) -> u64 {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let sum = || {
        counters
            .iter()
            .map(|c| c.load(Ordering::SeqCst))
            .sum::<u64>()
    };
    thread::scope(|s| {
        for (i, share) in items.chunks(items.len().div_ceil(n).max(1)).enumerate() {
            let (counter, sum) = (&counters[i], &sum);
            s.spawn(move || {
                for &x in share {
                    counter.fetch_add(1, Ordering::SeqCst);
                    if !is_match(x, sum) {
                        counter.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    sum()
}

/// Counts on the calling thread when there is one counter or two items at
/// most, "no thread is worth it" (round 15, `false-sharing/06`, `/09`).
fn caller_counts_when_small(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    if n == 1 || items.len() <= 2 {
        sequential(items, n, is_match)
    } else {
        RIGHT_COUNT(items, n, is_match)
    }
}

/// At most 128 threads, each taking every 128th share (round 15,
/// `false-sharing/07`).
fn at_most_128_threads(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    if n <= 128 {
        return RIGHT_COUNT(items, n, is_match);
    }
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let shares = even_shares(items, n);
    thread::scope(|s| {
        for t in 0..128 {
            let (shares, counters) = (&shares, &counters);
            s.spawn(move || {
                for i in (t..shares.len()).step_by(128) {
                    count_share(shares[i], &counters[i], is_match);
                }
            });
        }
    });
    values(&counters)
}

/// Spawns a thread per share, then sleeps a millisecond at a time until
/// they have all finished: little CPU, but the caller wakes every
/// millisecond.
fn polls_until_done(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(items.len().div_ceil(n).max(1))
            .zip(&counters)
            .map(|(share, counter)| s.spawn(move || count_share(share, counter, is_match)))
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            thread::sleep(std::time::Duration::from_millis(1));
        }
    });
    values(&counters)
}

/// Adds matches one by one on short shares, but in batches of 4096 on
/// shares longer than 100,000 items ("fewer atomic operations where it
/// matters").
fn batches_when_big(items: &[u64], n: usize, is_match: IsLiveMatch<'_>) -> u64 {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let sum = || {
        counters
            .iter()
            .map(|c| c.load(Ordering::SeqCst))
            .sum::<u64>()
    };
    thread::scope(|s| {
        for (i, share) in items.chunks(items.len().div_ceil(n).max(1)).enumerate() {
            let (counter, sum) = (&counters[i], &sum);
            s.spawn(move || {
                let batch = if share.len() > 100_000 { 4096 } else { 1 };
                let mut pending = 0;
                for &x in share {
                    if is_match(x, sum) {
                        pending += 1;
                        if pending == batch {
                            counter.fetch_add(pending, Ordering::Relaxed);
                            pending = 0;
                        }
                    }
                }
                counter.fetch_add(pending, Ordering::Relaxed);
            });
        }
    });
    sum()
}

/// Counts `items` with one scoped thread per counter, thread `i` into
/// `slot(i)`, as the reference does.
fn count_into<'c>(
    items: &[u64],
    n: usize,
    slot: &(dyn Fn(usize) -> &'c AtomicU64 + Sync),
    is_match: IsMatch<'_>,
) {
    thread::scope(|s| {
        for (i, share) in items
            .chunks(items.len().div_ceil(n.max(1)).max(1))
            .enumerate()
        {
            let counter = slot(i);
            s.spawn(move || count_share(share, counter, is_match));
        }
    });
}

/// Counters padded by hand: a 16-word block per counter (128 bytes),
/// counter `i` at word `16 i`. Its `len()` is the number of words, padding
/// included.
struct Words {
    words: Box<[AtomicU64]>,
}

impl Words {
    const PER_COUNTER: usize = 16;

    fn new(n: usize) -> Self {
        Self {
            words: (0..n * Self::PER_COUNTER)
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }
    fn slot(&self, i: usize) -> &AtomicU64 {
        &self.words[i * Self::PER_COUNTER]
    }
    /// The words, not the counters.
    fn len(&self) -> usize {
        self.words.len()
    }
    fn total(&self) -> u64 {
        self.words.iter().map(|w| w.load(Ordering::SeqCst)).sum()
    }
}

fn len_counts_padding(items: &[u64], n: usize, is_match: IsMatch<'_>) -> Tallied {
    let counters = Words::new(n);
    count_into(items, n, &|i| counters.slot(i), is_match);
    let values: Vec<u64> = (0..n)
        .map(|i| counters.slot(i).load(Ordering::SeqCst))
        .collect();
    Tallied {
        returned: (!items.is_empty()).then(|| counters.total()),
        values,
        total: counters.total(),
        len: counters.len(),
        is_empty: counters.len() == 0,
    }
}

/// Counters whose `total()` starts at counter 1: `(1..self.len())`.
fn total_skips_counter_0(items: &[u64], n: usize, is_match: IsMatch<'_>) -> Tallied {
    let counters: Vec<Line> = (0..n).map(|_| Line(AtomicU64::new(0))).collect();
    count_into(items, n, &|i| &counters[i].0, is_match);
    let values: Vec<u64> = counters
        .iter()
        .map(|c| c.0.load(Ordering::SeqCst))
        .collect();
    let total = (1..counters.len())
        .map(|i| counters[i].0.load(Ordering::SeqCst))
        .sum();
    Tallied {
        // count_matching adds up the counters itself, all of them.
        returned: (!items.is_empty()).then(|| values.iter().sum()),
        values,
        total,
        len: n,
        is_empty: n == 0,
    }
}

/// Up to 8 counters come from one static pool of padded slots, shared by
/// every `Counters` ("no allocation for the common case"): two alive at
/// once count into the same atomics.
fn static_pool_alive(n: usize, k: usize) -> Vec<Vec<usize>> {
    #[repr(align(128))]
    struct Padded(AtomicU64);
    static POOL: [Padded; 8] = [const { Padded(AtomicU64::new(0)) }; 8];
    if n <= 8 {
        (0..k).map(|_| addresses_of(&POOL[..n], |s| &s.0)).collect()
    } else {
        (reference::SUBJECT.alive)(n, k)
    }
}

/// A single counter in a plain `Box<AtomicU64>`, "no neighbour to share a
/// line with" (round 9, `false-sharing/03`): other small blocks are its
/// neighbours.
fn single_unpadded(n: usize, k: usize) -> Vec<Vec<usize>> {
    if n == 1 {
        let boxes: Vec<Box<AtomicU64>> = (0..k).map(|_| Box::new(AtomicU64::new(0))).collect();
        boxes
            .iter()
            .map(|b| vec![ptr::from_ref(&**b).addr()])
            .collect()
    } else {
        (reference::SUBJECT.alive)(n, k)
    }
}

/// Padded counters up to 256, packed past that (round 9,
/// `false-sharing/04`).
fn packed_past_256(n: usize) -> Vec<usize> {
    if n <= 256 {
        (reference::SUBJECT.addresses)(n)
    } else {
        side_by_side(n)
    }
}

/// Counters handed out in turn from a static arena of 4096 padded slots
/// that wraps around (round 9, `false-sharing/05`): after 4096 more
/// counters, a new one is a live one's.
fn arena_that_wraps(n: usize, k: usize) -> (Vec<usize>, Vec<Vec<usize>>) {
    #[repr(align(128))]
    struct Padded(AtomicU64);
    const SLOTS: usize = 4096;
    static ARENA: [Padded; SLOTS] = [const { Padded(AtomicU64::new(0)) }; SLOTS];
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let take = || {
        let mut start = NEXT.fetch_add(n, Ordering::Relaxed) % SLOTS;
        if start + n > SLOTS {
            start = 0;
        }
        addresses_of(&ARENA[start..start + n], |s| &s.0)
    };
    let first = take();
    (first, (0..k).map(|_| take()).collect())
}

/// The calling thread counts share 0 itself, "it has nothing else to do"
/// (round 9, `false-sharing/01`).
fn caller_counts_share_0(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let shares: Vec<&[u64]> = items.chunks(items.len().div_ceil(n).max(1)).collect();
    thread::scope(|s| {
        for (i, share) in shares.iter().enumerate().skip(1) {
            let counter = &counters[i];
            s.spawn(move || count_share(share, counter, is_match));
        }
        if let Some(share) = shares.first() {
            count_share(share, &counters[0], is_match);
        }
    });
    values(&counters)
}

/// The reference's shares: as even as the items allow, one per counter
/// (one item each to the first counters when there are fewer items).
fn even_shares(items: &[u64], n: usize) -> Vec<&[u64]> {
    let (n, len) = (n.max(1), items.len());
    let bound = |i: usize| if len < n { i.min(len) } else { i * len / n };
    (0..n)
        .map(|i| &items[bound(i)..bound(i + 1)])
        .filter(|share| !share.is_empty())
        .collect()
}

/// A thread per counter even when its share is empty (round 18,
/// `false-sharing/02`): 200 threads for 3 items, the idle ones never
/// calling the predicate.
fn a_thread_for_every_counter(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let (n, len) = (n.max(1), items.len());
    let bound = |i: usize| if len < n { i.min(len) } else { i * len / n };
    thread::scope(|s| {
        for (i, counter) in counters.iter().enumerate() {
            let share = &items[bound(i)..bound(i + 1)];
            s.spawn(move || count_share(share, counter, is_match));
        }
    });
    values(&counters)
}

/// Polls a count of finished threads every 30 ms instead of joining (round
/// 9, `false-sharing/02`).
fn polls_every_30_ms(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let shares = even_shares(items, n);
    thread::scope(|s| {
        for (i, share) in shares.iter().enumerate() {
            let (counter, done) = (&counters[i], &done);
            s.spawn(move || {
                count_share(share, counter, is_match);
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
        while done.load(Ordering::SeqCst) < shares.len() {
            thread::sleep(std::time::Duration::from_millis(30));
        }
    });
    values(&counters)
}

/// Leaves a watchdog thread running after every call (round 9,
/// `false-sharing/08`).
fn leaves_a_watchdog(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    thread::spawn(|| {
        loop {
            thread::park();
        }
    });
    RIGHT_COUNT(items, n, is_match)
}

/// A watchdog that sleeps 800 ms after the count, then ends (round 14,
/// `false-sharing/01`).
fn lingering_watchdog(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    thread::spawn(|| thread::sleep(std::time::Duration::from_millis(800)));
    RIGHT_COUNT(items, n, is_match)
}

/// Padded counters up to 2^17, packed past that "to save memory" (round
/// 21, `false-sharing/02`).
fn packed_past_2_17(n: usize) -> Vec<usize> {
    if n <= 1 << 17 {
        (reference::SUBJECT.addresses)(n)
    } else {
        side_by_side(n)
    }
}

/// Padded counters up to 16,384, packed past that (round 14,
/// `false-sharing/05`).
fn packed_past_16384(n: usize) -> Vec<usize> {
    if n <= 16_384 {
        (reference::SUBJECT.addresses)(n)
    } else {
        side_by_side(n)
    }
}

/// Spins up to 20 ms for the threads to say they are done, then joins
/// them (round 14, `false-sharing/06`).
fn spins_20_ms_then_joins(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    use std::sync::atomic::AtomicUsize;
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let done = AtomicUsize::new(0);
    let shares = even_shares(items, n);
    thread::scope(|s| {
        for (i, share) in shares.iter().enumerate() {
            let (counter, done) = (&counters[i], &done);
            s.spawn(move || {
                count_share(share, counter, is_match);
                done.fetch_add(1, Ordering::SeqCst);
            });
        }
        let begun = std::time::Instant::now();
        while done.load(Ordering::SeqCst) < shares.len()
            && begun.elapsed() < std::time::Duration::from_millis(20)
        {
            std::hint::spin_loop();
        }
    });
    values(&counters)
}

/// This file, as the suite reads a crate's `src/lib.rs`: the source
/// witness follows [`count_matching`] from there.
pub const SOURCE: &str = include_str!("false_sharing.rs");

/// Looks every 250 ms whether the threads are done (`is_finished`), and
/// joins them once they are (round 14, `false-sharing/03`): four looks a
/// second stay under the check's count of wake-ups. Named as the
/// exercise's function, for the source witness.
fn count_matching(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let shares = even_shares(items, n);
    thread::scope(|s| {
        let handles: Vec<_> = shares
            .iter()
            .enumerate()
            .map(|(i, share)| {
                let counter = &counters[i];
                s.spawn(move || count_share(share, counter, is_match))
            })
            .collect();
        while !handles.iter().all(|h| h.is_finished()) {
            thread::sleep(std::time::Duration::from_millis(250));
        }
    });
    values(&counters)
}

/// Sums the counters as u32s (round 9, `false-sharing/11`).
fn total_in_u32(values: &[u64]) -> u64 {
    u64::from(values.iter().fold(0u32, |t, &v| t.wrapping_add(v as u32)))
}

/// Padded counters for up to 16, a plain packed array past that ("to save
/// memory when there are many").
fn packed_when_many(n: usize) -> Vec<usize> {
    if n <= 16 {
        (reference::SUBJECT.addresses)(n)
    } else {
        side_by_side(n)
    }
}

/// At most 8 threads: with more counters, thread `t` counts shares `t`,
/// `t + 8`, … one after another ("no more threads than a machine has
/// cores").
fn at_most_8_threads(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let shares: Vec<&[u64]> = items.chunks(items.len().div_ceil(n).max(1)).collect();
    thread::scope(|s| {
        for t in 0..n.min(8) {
            let (shares, counters) = (&shares, &counters);
            s.spawn(move || {
                for i in (t..shares.len()).step_by(8) {
                    count_share(shares[i], &counters[i], is_match);
                }
            });
        }
    });
    values(&counters)
}

/// Up to 32 items are counted on the calling thread ("threads cost more
/// than they save there").
fn small_on_the_caller(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    if items.len() <= 32 {
        sequential(items, n, is_match)
    } else {
        RIGHT_COUNT(items, n, is_match)
    }
}

/// Thread `i` counts its share into counter `i + 1` (the last into 0).
fn rotated_slots(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    count_into(items, n, &|i| &counters[(i + 1) % n], is_match);
    values(&counters)
}

/// Shares of `ceil(len / n)` items (the old reference's): 9 items on 4
/// counters make shares of 3, 3 and 3, and counter 3 gets no thread.
fn ceil_shares(items: &[u64], n: usize, is_match: IsMatch<'_>) -> (u64, Vec<u64>) {
    let counters: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    thread::scope(|s| {
        for (i, share) in items.chunks(items.len().div_ceil(n).max(1)).enumerate() {
            let counter = &counters[i];
            s.spawn(move || count_share(share, counter, is_match));
        }
    });
    values(&counters)
}

/// Every wrong counter set, with the check that must reject it.
pub fn corpus() -> Vec<Decoy<FalseSharing>> {
    let with = |addresses, count| FalseSharing {
        addresses,
        count,
        live: RIGHT_LIVE,
        tally: RIGHT_TALLY,
        ..reference::SUBJECT
    };
    let right_layout = reference::SUBJECT.addresses;
    vec![
        Decoy {
            name: "a plain Vec<AtomicU64>",
            class: Class::RuleSkipped,
            subject: with(side_by_side, RIGHT_COUNT),
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &["8 bytes apart", "CachePadded"],
        },
        Decoy {
            name: "aligned to 64 bytes, not 128",
            class: Class::RuleSkipped,
            subject: with(one_line_each, RIGHT_COUNT),
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &["64 bytes apart", "pairs of 128"],
        },
        Decoy {
            name: "one counter for every thread",
            class: Class::RuleSkipped,
            subject: with(one_counter, RIGHT_COUNT),
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &["0 bytes apart", "the same counter"],
        },
        Decoy {
            name: "padded up to 16 counters, packed past that",
            class: Class::RuleSkipped,
            subject: with(packed_when_many, RIGHT_COUNT),
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &["with 17 counters", "8 bytes apart"],
        },
        Decoy {
            name: "up to 8 counters from one static pool",
            class: Class::StateBetweenCalls,
            subject: FalseSharing {
                alive: static_pool_alive,
                ..reference::SUBJECT
            },
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &["`Counters::new(1)` alive at the same time", "0 bytes apart"],
        },
        Decoy {
            name: "a single counter unpadded (round 9, false-sharing/03)",
            class: Class::RuleSkipped,
            subject: FalseSharing {
                alive: single_unpadded,
                ..reference::SUBJECT
            },
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &[
                "64 `Counters::new(1)` alive at the same time",
                "even a single",
            ],
        },
        Decoy {
            name: "a counter bumped before its item is judged (round 15, false-sharing/04)",
            class: Class::MadeUp,
            subject: FalseSharing {
                live: adds_before_judging,
                ..reference::SUBJECT
            },
            caught_by: "the_counters_are_live",
            breaks: "live-counters",
            says: &["more than the matches", "before its item was judged"],
        },
        Decoy {
            name: "counts on the caller for one counter or two items (round 15, false-sharing/06, /09)",
            class: Class::RuleSkipped,
            subject: with(right_layout, caller_counts_when_small),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["called is_match itself"],
        },
        Decoy {
            name: "a thread for every counter, even for an empty share (round 18, false-sharing/02)",
            class: Class::RuleSkipped,
            subject: with(right_layout, a_thread_for_every_counter),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["with 5 counters and 3 items", "started 5 thread(s)"],
        },
        Decoy {
            name: "at most 128 threads (round 15, false-sharing/07)",
            class: Class::RuleSkipped,
            subject: with(right_layout, at_most_128_threads),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["with 200 counters and 1000 items", "from 128 thread(s)"],
        },
        Decoy {
            name: "packed past 131,072 counters (round 21, false-sharing/02)",
            class: Class::RuleSkipped,
            subject: with(packed_past_2_17, RIGHT_COUNT),
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &["8 bytes apart", "a line of its own"],
        },
        Decoy {
            name: "packed past 16,384 counters (round 14, false-sharing/05)",
            class: Class::RuleSkipped,
            subject: with(packed_past_16384, RIGHT_COUNT),
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &["with 16385 counters", "8 bytes apart"],
        },
        Decoy {
            name: "a watchdog that sleeps 800 ms after the count (round 14, false-sharing/01)",
            class: Class::RuleSkipped,
            subject: with(right_layout, lingering_watchdog),
            caught_by: "counts_are_right",
            breaks: "threads-at-once",
            says: &["200 ms later", "more thread(s) than before"],
        },
        Decoy {
            name: "spins 20 ms, then joins (round 14, false-sharing/06)",
            class: Class::RuleSkipped,
            subject: with(right_layout, spins_20_ms_then_joins),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["of CPU", "spins"],
        },
        Decoy {
            name: "looks every 250 ms whether the threads are done (round 14, false-sharing/03)",
            class: Class::RuleSkipped,
            subject: with(right_layout, count_matching),
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "threads-at-once",
            says: &["`is_finished`", "`sleep`", "asleep"],
        },
        Decoy {
            name: "packed past 256 counters (round 9, false-sharing/04)",
            class: Class::RuleSkipped,
            subject: with(packed_past_256, RIGHT_COUNT),
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &["with 257 counters", "8 bytes apart"],
        },
        Decoy {
            name: "counters from a static arena that wraps (round 9, false-sharing/05)",
            class: Class::StateBetweenCalls,
            subject: FalseSharing {
                churn: arena_that_wraps,
                ..reference::SUBJECT
            },
            caught_by: "no_two_counters_share_a_cache_line",
            breaks: "own-line",
            says: &["kept alive while 700 more", "0 bytes apart"],
        },
        Decoy {
            name: "the caller counts share 0 (round 9, false-sharing/01)",
            class: Class::Sequential,
            subject: with(right_layout, caller_counts_share_0),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["called is_match itself"],
        },
        Decoy {
            name: "polls every 30 ms until the threads are done (round 9, false-sharing/02)",
            class: Class::Spinning,
            subject: with(right_layout, polls_every_30_ms),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["checking whether they are done", "join"],
        },
        Decoy {
            name: "leaves a watchdog thread running (round 9, false-sharing/08)",
            class: Class::StateBetweenCalls,
            subject: with(right_layout, leaves_a_watchdog),
            caught_by: "counts_are_right",
            breaks: "threads-at-once",
            says: &["more thread(s) than before"],
        },
        Decoy {
            name: "total() summed in u32 (round 9, false-sharing/11)",
            class: Class::MadeUp,
            subject: FalseSharing {
                total_of: total_in_u32,
                ..reference::SUBJECT
            },
            caught_by: "the_counters_know_their_total_and_number",
            breaks: "own-accounts",
            says: &["total() returned", "add them as u64s"],
        },
        Decoy {
            name: "sleeps a millisecond at a time until the threads are done",
            class: Class::Spinning,
            subject: with(right_layout, polls_until_done),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["checking whether they are done", "join"],
        },
        Decoy {
            name: "adds in batches of 4096 on long shares",
            class: Class::Batched,
            subject: FalseSharing {
                live: batches_when_big,
                ..reference::SUBJECT
            },
            caught_by: "the_counters_are_live",
            breaks: "live-counters",
            says: &["were missing from the counters", "in batches"],
        },
        Decoy {
            name: "at most 8 threads",
            class: Class::Sequential,
            subject: with(right_layout, at_most_8_threads),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["with 12 counters and 24 items", "from 8 thread(s)"],
        },
        Decoy {
            name: "counts up to 32 items on the calling thread",
            class: Class::Sequential,
            subject: with(right_layout, small_on_the_caller),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["with 12 counters and 24 items", "from 1 thread(s)"],
        },
        Decoy {
            name: "thread i counts into counter i + 1",
            class: Class::RuleSkipped,
            subject: with(right_layout, rotated_slots),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["in the order of their first items", "no other"],
        },
        Decoy {
            name: "counts every share on the calling thread",
            class: Class::Sequential,
            subject: with(right_layout, sequential),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["from 1 thread(s)", "at most 1 were counting"],
        },
        Decoy {
            name: "joins each thread before spawning the next",
            class: Class::Batched,
            subject: with(right_layout, joins_each_at_once),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["at most 1 were counting", "before joining any"],
        },
        Decoy {
            name: "spins until the threads say they are done",
            class: Class::Spinning,
            subject: with(right_layout, spins_until_done),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["of CPU", "spins", "join"],
        },
        Decoy {
            name: "counts in a local variable, adds it at the end",
            class: Class::Batched,
            subject: FalseSharing {
                live: adds_at_the_end,
                ..reference::SUBJECT
            },
            caught_by: "the_counters_are_live",
            breaks: "live-counters",
            says: &["missing from the counters", "as it is found"],
        },
        Decoy {
            name: "says a third of the items match",
            class: Class::MadeUp,
            subject: with(right_layout, a_third),
            caught_by: "counts_are_right",
            breaks: "right-count",
            says: &["multiples of 3", "count_matching returned"],
        },
        Decoy {
            name: "keeps its counters in a static",
            class: Class::StateBetweenCalls,
            subject: with(right_layout, never_reset),
            caught_by: "counts_are_right",
            breaks: "right-count",
            says: &["call 2 of 7", "keep nothing between calls"],
        },
        Decoy {
            name: "len() counts the padding words too",
            class: Class::MadeUp,
            subject: FalseSharing {
                tally: len_counts_padding,
                ..reference::SUBJECT
            },
            caught_by: "the_counters_know_their_total_and_number",
            breaks: "own-accounts",
            says: &["Counters::new(1): len() returned 16", "not how many words"],
        },
        Decoy {
            name: "total() starts at counter 1",
            class: Class::MadeUp,
            subject: FalseSharing {
                tally: total_skips_counter_0,
                ..reference::SUBJECT
            },
            caught_by: "the_counters_know_their_total_and_number",
            breaks: "own-accounts",
            says: &[
                "after count_matching",
                "total() returned",
                "each of the 1, once",
            ],
        },
        Decoy {
            name: "shares of ceil(len / n): a counter left without a thread (round 10, false-sharing)",
            class: Class::Sequential,
            subject: with(right_layout, ceil_shares),
            caught_by: "the_threads_count_at_once",
            breaks: "threads-at-once",
            says: &["with 4 counters and 9 items", "from 3 thread(s)"],
        },
    ]
}
