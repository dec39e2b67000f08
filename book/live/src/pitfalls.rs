//! Chapter 4 (Pitfalls), "Locks that compile and still fail": what the
//! watched locks saw when transfers ran both ways at once, and what false
//! sharing costs on this machine.

use std::panic;
use std::sync::atomic::AtomicU64;
use std::thread;
use std::time::Duration;

use anyhow::Result;
use false_sharing_solution::{Counters, Run, hammer};
use harness::clock::ratio;
use harness::rounds::{Plan, interleave};
use harness::watched::{Watch, Watched};
use suites::lock_order::{Refusal, Transfer};
use tabled::Tabled;

use crate::block;

#[derive(Tabled)]
struct OrderRow {
    #[tabled(rename = "transfer")]
    how: &'static str,
    #[tabled(rename = "3→7 and 7→3 at once")]
    opposite: String,
    #[tabled(rename = "0→1, 2→3, 4→5, 6→7: most holding at once")]
    peak: usize,
}

/// Runs `probes` (from, to, amount) on named threads at once over eight
/// accounts of 1000, with every taker waiting for the others to reach a
/// lock; returns the watch.
fn watched_run(transfer: Transfer, probes: &[(usize, usize, i64)]) -> std::sync::Arc<Watch<i64>> {
    let (watch, accounts) = Watch::with_values([1_000i64; 8]);
    watch.rendezvous(probes.len(), Duration::from_millis(150));
    let accounts: &[Watched<i64>] = &accounts;
    thread::scope(|s| {
        let threads: Vec<_> = probes
            .iter()
            .map(|&(from, to, amount)| {
                let watch = &watch;
                thread::Builder::new()
                    .name(format!("{from}→{to}"))
                    .spawn_scoped(s, move || {
                        let _: Result<(), Refusal> = transfer(accounts, from, to, amount);
                        watch.leave();
                    })
                    .expect("a thread")
            })
            .collect();
        for t in threads {
            // A thread the watch freed from a deadlock ends in a panic:
            // the watch has the story.
            let _ = t.join();
        }
    });
    watch
}

/// The reference transfer beside two of the decoys, run under the watch.
pub fn lock_order() -> Result<String> {
    mod reference {
        suites::lock_order_adapter!(lock_order_solution);
    }
    // The watch breaks a deadlock by making the blocked threads panic;
    // that is expected here, and not worth a message on the book build.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let contenders: [(&str, Transfer); 3] = [
        ("`from` first, then `to`", mistakes::lock_order::from_first),
        (
            "one global lock, then `from`, `to`",
            mistakes::lock_order::one_big_lock,
        ),
        ("lower `id()` first (the reference)", reference::SUBJECT),
    ];
    let rows: Vec<OrderRow> = contenders
        .into_iter()
        .map(|(how, transfer)| {
            let opposite = watched_run(transfer, &[(3, 7, 10), (7, 3, 15)]);
            let disjoint = watched_run(transfer, &[(0, 1, 5), (2, 3, 5), (4, 5, 5), (6, 7, 5)]);
            OrderRow {
                how,
                opposite: opposite.deadlock().map_or_else(
                    || {
                        let v = opposite.values();
                        format!("both done; account 3: {}, account 7: {}", v[3], v[7])
                    },
                    |cycle| format!("deadlock: {cycle}"),
                ),
                peak: disjoint.peak_holders(),
            }
        })
        .collect();
    panic::set_hook(hook);
    Ok(block(
        rows,
        "Each transfer ran on its own thread over watched accounts; a thread that took a \
         lock waited up to 150 ms for the others to reach theirs, so the risky interleaving \
         happened every time. Every account started at 1000. Run while \
         this page was built.",
    ))
}

#[derive(Tabled)]
struct SharingRow {
    #[tabled(rename = "two counters")]
    layout: &'static str,
    #[tabled(rename = "bytes apart")]
    apart: usize,
    #[tabled(rename = "per increment")]
    each: String,
    #[tabled(rename = "against CachePadded")]
    slower: String,
}

/// Two threads, each adding to its own counter: side by side in an array,
/// one 64-byte line each, and in `Counters` (one `CachePadded` slot each).
pub fn false_sharing() -> Result<String> {
    use mistakes::false_sharing::Line;

    const TIMES: u64 = 200_000;
    let packed = [AtomicU64::new(0), AtomicU64::new(0)];
    let lines = [Line(AtomicU64::new(0)), Line(AtomicU64::new(0))];
    let padded = Counters::new(2);
    let layouts: [(&str, [&AtomicU64; 2]); 3] = [
        ("`[AtomicU64; 2]`, side by side", [&packed[0], &packed[1]]),
        (
            "`#[repr(align(64))]`: a 64-byte line each",
            [&lines[0].0, &lines[1].0],
        ),
        (
            "`Counters`: `CachePadded<AtomicU64>` each",
            [padded.slot(0), padded.slot(1)],
        ),
    ];
    let plan = Plan {
        max_rounds: 60,
        budget: Duration::from_millis(1500),
    };
    let mut runs: [Vec<Run>; 3] = Default::default();
    {
        let [a, b, c] = &mut runs;
        let pairs = layouts.map(|(_, pair)| pair);
        interleave(
            plan,
            &mut [
                &mut || a.push(hammer(&pairs[0], TIMES)),
                &mut || b.push(hammer(&pairs[1], TIMES)),
                &mut || c.push(hammer(&pairs[2], TIMES)),
            ],
            |_| false,
        );
    }
    // Only runs in which the two threads started counting together say
    // anything about false sharing; of those, the mean.
    let together = |r: &&Run| r.stagger <= 0.1;
    let mean = |runs: &[Run]| -> Option<Duration> {
        let kept: Vec<Duration> = runs.iter().filter(together).map(|r| r.wall).collect();
        (kept.len() >= 3).then(|| kept.iter().sum::<Duration>() / kept.len() as u32)
    };
    let means: Vec<Option<Duration>> = runs.iter().map(|r| mean(r)).collect();
    let rounds = runs[0].len();
    let kept: Vec<usize> = runs
        .iter()
        .map(|r| r.iter().filter(together).count())
        .collect();
    let per = |d: Duration| format!("{:.1} ns", d.as_secs_f64() * 1e9 / TIMES as f64);
    let own = means[2];
    let rows = layouts
        .iter()
        .zip(&means)
        .map(|(&(layout, pair), &d)| SharingRow {
            layout,
            apart: std::ptr::from_ref(pair[0])
                .addr()
                .abs_diff(std::ptr::from_ref(pair[1]).addr()),
            each: d.map_or_else(|| "not shown".to_owned(), per),
            slower: match (d, own) {
                (Some(d), Some(own)) => crate::times(ratio(d, own)),
                _ => "not shown".to_owned(),
            },
        })
        .collect::<Vec<_>>();
    let verdict = match (means[0], means[1], own) {
        (Some(shared), Some(line), Some(own)) => format!(
            "here the counters that share a cache line are ×{:.1} slower than padded ones, \
             and counters one 64-byte line apart ×{:.1}",
            ratio(shared, own),
            ratio(line, own)
        ),
        _ => "the machine was too busy to show it: in too few rounds were the two threads \
              on two cores at once"
            .to_owned(),
    };
    Ok(block(
        rows,
        format_args!(
            "Two threads at once, each adding 1 to its own counter {TIMES} times \
             (`fetch_add`, Relaxed); wall time of the pair divided by {TIMES}. {rounds} \
             interleaved rounds; the mean counts only the rounds in which the second thread \
             started counting within the first tenth of the run ({} of the rounds, in the \
             order of the rows), since threads that run one after the other share no cache \
             line. \
             Measured while this page was built: {verdict}.",
            kept.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

#[derive(Tabled)]
struct CacheRow {
    #[tabled(rename = "cache")]
    how: &'static str,
    #[tabled(rename = "8 threads, 8 pages: wall time")]
    wall: String,
    #[tabled(rename = "pages per second")]
    rate: String,
    #[tabled(rename = "most requests in flight")]
    peak: usize,
    #[tabled(rename = "8 threads, 1 page: requests")]
    requests: usize,
}

/// The reference cache beside two wrong ones, against the test server.
pub fn page_cache() -> Result<String> {
    use std::sync::Barrier;
    use std::time::Instant;

    use suites::page_cache::{NewCache, PageCache};
    use testweb::Server;

    mod reference {
        suites::page_cache_adapter!(page_cache_solution);
    }
    const THREADS: usize = 8;
    const LATENCY: Duration = Duration::from_millis(50);
    fn at_once(cache: &dyn PageCache, urls: &[String]) {
        let start = Barrier::new(urls.len());
        thread::scope(|s| {
            for url in urls {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    let _ = cache.get(url);
                });
            }
        });
    }
    let contenders: [(&str, NewCache); 3] = [
        ("lock held across the fetch", || {
            Box::new(mistakes::page_cache::HeldAcrossFetch::default())
        }),
        ("lock released, each thread fetches what it misses", || {
            Box::new(mistakes::page_cache::FetchesTwice::default())
        }),
        (
            "lock released, one `OnceLock` per page (the reference)",
            reference::SUBJECT,
        ),
    ];
    let mut rows = Vec::new();
    for (how, new) in contenders {
        let server = Server::start(LATENCY)?;
        let mut best = Duration::MAX;
        let mut peak = 0;
        for round in 0..3 {
            let urls: Vec<String> = (0..THREADS)
                .map(|i| server.url(&format!("/page/{}", round * THREADS + i)))
                .collect();
            server.reset_peak();
            let began = Instant::now();
            at_once(&*new(), &urls);
            best = best.min(began.elapsed());
            peak = peak.max(server.peak_in_flight());
        }
        let before = server.served();
        at_once(&*new(), &vec![server.url("/page/one"); THREADS]);
        rows.push(CacheRow {
            how,
            wall: format!("{} ms", best.as_millis()),
            rate: format!("{:.0}", THREADS as f64 / best.as_secs_f64()),
            peak,
            requests: server.served() - before,
        });
    }
    let (held, free) = (
        rows[0].wall.trim_end_matches(" ms").parse::<f64>()?,
        rows[2].wall.trim_end_matches(" ms").parse::<f64>()?,
    );
    Ok(block(
        rows,
        format_args!(
            "The test server on 127.0.0.1 answers each request after {} ms. {THREADS} \
             threads start together, each asking a new cache for a different page; fastest \
             of 3 rounds. Then {THREADS} threads ask one new cache for the same page, and the \
             server counts the requests. Holding the lock made the same work ×{:.1} slower \
             here. Measured while this page was built.",
            LATENCY.as_millis(),
            held / free.max(1.0)
        ),
    ))
}

#[derive(Tabled)]
struct PoisonRow {
    #[tabled(rename = "after a worker panics mid-update, the tally")]
    how: &'static str,
    #[tabled(rename = "`counts()` then")]
    counts: String,
    #[tabled(rename = "ballots = votes?")]
    whole: &'static str,
    #[tabled(rename = "the worker's thread")]
    worker: String,
}

/// What each way of handling poison leaves behind when a worker's update
/// panics half-way (3 votes counted before it).
pub fn poison() -> Result<String> {
    use suites::poison::{NewTally, calmly, crashing_worker, vote};

    mod reference {
        suites::poison_adapter!(poison_solution);
    }
    let contenders: [(&str, NewTally); 5] = [
        ("`lock().unwrap()`", || {
            Box::new(mistakes::poison::Unwraps::default())
        }),
        ("`into_inner`, changes in place", || {
            Box::new(mistakes::poison::IgnoresPoison::default())
        }),
        ("`into_inner`, starts again from zero", || {
            Box::new(mistakes::poison::ResetsOnPoison::default())
        }),
        ("catches the panic in `update`", || {
            Box::new(mistakes::poison::Swallows::default())
        }),
        (
            "changes a copy, `into_inner` (the reference)",
            reference::SUBJECT,
        ),
    ];
    let rows = contenders
        .into_iter()
        .map(|(how, new)| {
            let tally = new();
            for who in ["ada", "ada", "bob"] {
                vote(&*tally, who);
            }
            let worker = crashing_worker(&*tally);
            let (counts, whole) = match calmly(|| tally.counts()) {
                Err(message) => (format!("panics: {message}"), "cannot tell"),
                Ok((ballots, votes)) => (
                    format!("{ballots} ballots, {votes:?}"),
                    if ballots == votes.values().sum::<u64>() {
                        "yes"
                    } else {
                        "no"
                    },
                ),
            };
            PoisonRow {
                how,
                counts,
                whole,
                worker: worker.map_or_else(
                    || "ends normally: nobody learns of the bug".to_owned(),
                    |m| format!("panics: \"{m}\""),
                ),
            }
        })
        .collect::<Vec<_>>();
    Ok(block(
        rows,
        "Three votes are counted (ada, ada, bob); then a worker's update counts a fourth \
         ballot and panics before it counts the vote. Run while this page was built.",
    ))
}
