//! Chapter 1 (Threads): waiting work and CPU work, one after another and in
//! threads.

use std::cell::Cell;
use std::num::NonZeroUsize;
use std::time::Duration;

use harness::clock::{human, ratio};
use harness::rounds::{Plan, interleave};
use harness::workload::{spin, spin_sequential, spin_threads, units_for};
use rayon::prelude::*;
use tabled::Tabled;
use testweb::Server;

use crate::{block, times};

#[derive(Tabled)]
struct WaitRow {
    #[tabled(rename = "approach")]
    approach: &'static str,
    #[tabled(rename = "requests")]
    requests: usize,
    #[tabled(rename = "limit in flight")]
    limit: String,
    #[tabled(rename = "wall time")]
    wall: String,
    #[tabled(rename = "speedup")]
    speedup: String,
    #[tabled(rename = "peak the server saw")]
    peak: usize,
}

/// Sequential vs threaded fetching from the local latency server.
pub fn waiting() -> anyhow::Result<String> {
    const REQUESTS: usize = 16;
    let latency = Duration::from_millis(100);
    let server = Server::start(latency)?;
    let urls = server.page_urls(REQUESTS);
    let limit = |k| NonZeroUsize::new(k).expect("positive");

    type Fetch<'a> = Box<dyn Fn() + 'a>;
    let approaches: Vec<(&str, Option<usize>, Fetch)> = vec![
        (
            "one after another",
            Some(1),
            Box::new(|| {
                for url in &urls {
                    let _ = testweb::get(url);
                }
            }),
        ),
        (
            "one thread per URL (`fetch_all`)",
            None,
            Box::new(|| {
                let _ = fetch_all_solution::fetch_all(&urls);
            }),
        ),
        (
            "4 workers (`fetch_bounded`)",
            Some(4),
            Box::new(|| {
                let _ = fetch_bounded_solution::fetch_bounded(&urls, limit(4));
            }),
        ),
        (
            "8 workers (`fetch_bounded`)",
            Some(8),
            Box::new(|| {
                let _ = fetch_bounded_solution::fetch_bounded(&urls, limit(8));
            }),
        ),
    ];
    let peaks: Vec<Cell<usize>> = approaches.iter().map(|_| Cell::new(0)).collect();
    let mut runs: Vec<Box<dyn FnMut() + '_>> = approaches
        .iter()
        .zip(&peaks)
        .map(|((_, _, fetch), peak)| {
            let server = &server;
            Box::new(move || {
                server.reset_peak();
                fetch();
                peak.set(peak.get().max(server.peak_in_flight()));
            }) as Box<dyn FnMut()>
        })
        .collect();
    let mut contenders: Vec<&mut dyn FnMut()> = runs.iter_mut().map(|r| &mut **r as _).collect();
    let plan = Plan {
        max_rounds: 3,
        budget: Duration::from_secs(12),
    };
    let bests = interleave(plan, &mut contenders, |_| false);
    let sequential = bests.best[0].wall;
    let rows =
        approaches
            .iter()
            .zip(&bests.best)
            .zip(&peaks)
            .map(|(((name, limit, _), s), peak)| WaitRow {
                approach: name,
                requests: REQUESTS,
                limit: limit.map_or("all".to_owned(), |k| k.to_string()),
                wall: human(s.wall),
                speedup: times(ratio(sequential, s.wall)),
                peak: peak.get(),
            });
    Ok(block(
        rows,
        format_args!(
            "{REQUESTS} requests to a local server that waits {} before each answer; \
             fastest of {} interleaved rounds, measured while this page was built.",
            human(latency),
            bests.rounds
        ),
    ))
}

#[derive(Tabled)]
struct CpuRow {
    #[tabled(rename = "approach")]
    approach: &'static str,
    #[tabled(rename = "tasks")]
    tasks: usize,
    #[tabled(rename = "wall time")]
    wall: String,
    #[tabled(rename = "CPU time")]
    cpu: String,
    #[tabled(rename = "effective parallelism")]
    parallelism: String,
    #[tabled(rename = "speedup")]
    speedup: String,
}

/// CPU work one after another, in scoped threads and with rayon.
pub fn cpu() -> String {
    const TASKS: usize = 4;
    let units = units_for(Duration::from_millis(100));
    let mut sequential = || {
        spin_sequential(TASKS, units);
    };
    let mut threads = || {
        spin_threads(TASKS, units);
    };
    let mut with_rayon = || {
        (0..TASKS)
            .into_par_iter()
            .map(|_| spin(units))
            .reduce(|| 0, u64::wrapping_add);
    };
    let plan = Plan {
        max_rounds: 5,
        budget: Duration::from_secs(10),
    };
    let bests = interleave(
        plan,
        &mut [&mut sequential, &mut threads, &mut with_rayon],
        |_| false,
    );
    let names = [
        "one after another",
        "one scoped thread per task",
        "rayon `par_iter`",
    ];
    let seq = bests.best[0].wall;
    let rows = names.iter().zip(&bests.best).map(|(name, s)| CpuRow {
        approach: name,
        tasks: TASKS,
        wall: human(s.wall),
        cpu: human(s.cpu),
        parallelism: format!("{:.2}", s.parallelism()),
        speedup: times(ratio(seq, s.wall)),
    });
    block(
        rows,
        format_args!(
            "{TASKS} equal pieces of integer arithmetic, about {} each; {} cores available; \
             fastest of {} interleaved rounds, measured while this page was built.",
            human(Duration::from_millis(100)),
            harness::available_cores(),
            bests.rounds
        ),
    )
}
