//! Chapter 1 (Threads): waiting work and CPU work, one after another and in
//! threads, as tables and pictures.

use std::cell::Cell;
use std::num::NonZeroUsize;
use std::time::Duration;

use anyhow::Result;
use harness::clock::{human, ratio};
use harness::rounds::{Plan, interleave};
use serde::{Deserialize, Serialize};
use tabled::Tabled;
use testweb::Server;

use crate::plot::{LinePlot, Panel, Series, Span, Stroke, Timeline};
use crate::scaling::{self, Page};
use crate::store::{Measured, measured};
use crate::{section, table, times};

/// Requests per batch.
const REQUESTS: usize = 16;
/// The server's latency.
const LATENCY: Duration = Duration::from_millis(50);
/// The worker counts measured for the plot of wall time against K.
const KS: [usize; 7] = [1, 2, 3, 4, 6, 8, 16];

/// One approach to fetching the batch, as measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WaitRun {
    /// How the table names it.
    pub name: String,
    /// Workers, for `fetch_bounded`; `None` for the loop and `fetch_all`.
    pub k: Option<usize>,
    /// How many requests it allows in flight (`None`: all).
    pub limit: Option<usize>,
    /// Fastest wall time, seconds.
    pub wall_s: f64,
    /// The most requests the server saw at once.
    pub peak: usize,
}

/// The waiting measurement: every approach against the same server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Waiting {
    /// Requests per batch.
    pub requests: usize,
    /// The server's latency, seconds.
    pub latency_s: f64,
    /// Interleaved rounds completed.
    pub rounds: usize,
    /// The loop, `fetch_all`, then `fetch_bounded` for each K in [`KS`].
    pub runs: Vec<WaitRun>,
}

fn measure_waiting() -> Result<Waiting> {
    let server = Server::start(LATENCY)?;
    let urls = server.page_urls(REQUESTS);
    let limit = |k| NonZeroUsize::new(k).expect("positive");

    type Fetch<'a> = Box<dyn Fn() + 'a>;
    let mut approaches: Vec<(String, Option<usize>, Option<usize>, Fetch)> = vec![
        (
            "one after another".to_owned(),
            None,
            Some(1),
            Box::new(|| {
                for url in &urls {
                    let _ = testweb::get(url);
                }
            }),
        ),
        (
            "one thread per URL (`fetch_all`)".to_owned(),
            None,
            None,
            Box::new(|| {
                let _ = fetch_all_solution::fetch_all(&urls);
            }),
        ),
    ];
    for k in KS {
        let urls = &urls;
        approaches.push((
            format!("{k} workers (`fetch_bounded`)"),
            Some(k),
            Some(k),
            Box::new(move || {
                let _ = fetch_bounded_solution::fetch_bounded(urls, limit(k));
            }),
        ));
    }
    let peaks: Vec<Cell<usize>> = approaches.iter().map(|_| Cell::new(0)).collect();
    let mut runs: Vec<Box<dyn FnMut() + '_>> = approaches
        .iter()
        .zip(&peaks)
        .map(|((_, _, _, fetch), peak)| {
            let server = &server;
            Box::new(move || {
                server.reset_peak();
                fetch();
                peak.set(peak.get().max(server.peak_in_flight()));
            }) as Box<dyn FnMut()>
        })
        .collect();
    let mut contenders: Vec<&mut dyn FnMut()> = runs.iter_mut().map(|r| &mut **r as _).collect();
    // Waiting barely depends on the CPU, so two rounds settle it: about 6 s
    // for every approach and K, whatever else the machine is doing.
    let plan = Plan {
        max_rounds: 2,
        budget: Duration::from_secs(8),
    };
    let bests = interleave(plan, &mut contenders, |_| false);
    drop(contenders);
    drop(runs);
    Ok(Waiting {
        requests: REQUESTS,
        latency_s: LATENCY.as_secs_f64(),
        rounds: bests.rounds,
        runs: approaches
            .iter()
            .zip(&bests.best)
            .zip(&peaks)
            .map(|(((name, k, limit, _), s), peak)| WaitRun {
                name: name.clone(),
                k: *k,
                limit: *limit,
                wall_s: s.wall.as_secs_f64(),
                peak: peak.get(),
            })
            .collect(),
    })
}

fn waiting_measured(follower: bool) -> Result<Measured<Waiting>> {
    if follower {
        crate::store::shared("threads-waiting", measure_waiting)
    } else {
        measured("threads-waiting", measure_waiting)
    }
}

#[derive(Tabled)]
struct WaitRow {
    #[tabled(rename = "approach")]
    approach: String,
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

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// The table: the loop, one thread per URL, 4 and 8 workers.
pub fn waiting() -> Result<String> {
    let m = waiting_measured(false)?;
    let w = &m.data;
    let sequential = w.runs[0].wall_s;
    let rows = w
        .runs
        .iter()
        .filter(|r| matches!(r.k, None | Some(4) | Some(8)))
        .map(|r| WaitRow {
            approach: r.name.clone(),
            requests: w.requests,
            limit: r.limit.map_or("all".to_owned(), |k| k.to_string()),
            wall: human(secs(r.wall_s)),
            speedup: times(sequential / r.wall_s),
            peak: r.peak,
        });
    let body = table(
        rows,
        format_args!(
            "{} requests to a local server that waits {} before each answer; fastest of {}, \
             the approaches taking turns (the picture below shows every K measured).",
            w.requests,
            human(secs(w.latency_s)),
            crate::rounds(w.rounds)
        ),
    );
    Ok(section("threads waiting", &body, &m.provenance))
}

/// The plot: wall time against K, beside `ceil(N/K) × latency`.
pub fn waiting_plot() -> Result<String> {
    let m = waiting_measured(true)?;
    let w = &m.data;
    let n = w.requests;
    let bounded: Vec<&WaitRun> = w.runs.iter().filter(|r| r.k.is_some()).collect();
    let model = |k: usize| n.div_ceil(k) as f64 * w.latency_s * 1e3;
    let measured_points: Vec<(f64, f64)> = bounded
        .iter()
        .map(|r| (r.k.unwrap_or(1) as f64, r.wall_s * 1e3))
        .collect();
    let model_points: Vec<(f64, f64)> = (1..=n).map(|k| (k as f64, model(k))).collect();
    let described: Vec<String> = bounded
        .iter()
        .map(|r| {
            let k = r.k.unwrap_or(1);
            format!("K={k}: {:.0} ms (model {:.0} ms)", r.wall_s * 1e3, model(k))
        })
        .collect();
    let lat_ms = w.latency_s * 1e3;
    let plot = LinePlot {
        id: "wall-against-k".to_owned(),
        title: format!("fetch_bounded: {n} requests of {lat_ms:.0} ms with K workers"),
        x_label: "K, requests allowed in flight".to_owned(),
        y_label: "wall time (ms)".to_owned(),
        x_ticks: KS.iter().map(|&k| k as f64).collect(),
        series: vec![
            Series {
                name: "measured".to_owned(),
                points: measured_points,
                stroke: Stroke::Measured,
                class: 0,
            },
            Series {
                name: format!("ceil({n}/K) × {lat_ms:.0} ms"),
                points: model_points,
                stroke: Stroke::Model,
                class: 5,
            },
        ],
        markers: vec![],
        alt: format!(
            "Wall time of fetch_bounded against K for {n} requests of {lat_ms:.0} ms each, \
             measured beside the model ceil(N/K) times latency: {}. The measured points sit \
             on or just above the model's steps.",
            described.join("; ")
        ),
        caption: format!(
            "Measured: fastest of {}. Dashed: ceil({n}/K) waves of requests, one latency \
             each. Where the model is flat, more workers buy nothing: {}.",
            crate::rounds(w.rounds),
            flat_ranges(n)
        ),
    }
    .render();
    Ok(section("threads waiting-plot", &plot, &m.provenance))
}

/// The runs of K that need the same number of waves for `n` requests:
/// "K = 6 to 7 all need 3 waves, 8 to 15 need 2".
fn flat_ranges(n: usize) -> String {
    let mut parts = Vec::new();
    let mut k = 1;
    while k <= n {
        let waves = n.div_ceil(k);
        let mut last = k;
        while last < n && n.div_ceil(last + 1) == waves {
            last += 1;
        }
        if last > k {
            parts.push(format!("{k} to {last} need {waves}"));
        }
        k = last + 1;
    }
    format!("K = {} waves", parts.join(", "))
}

/// Requests as the server saw them, for one approach.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RequestPanel {
    /// The approach.
    pub name: String,
    /// `(page, start, end)` in seconds from the approach's first request.
    pub requests: Vec<(usize, f64, f64)>,
}

/// The request timelines.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Requests {
    /// The server's latency, seconds.
    pub latency_s: f64,
    /// Requests per batch.
    pub requests: usize,
    /// Workers in the `fetch_bounded` panel.
    pub k: usize,
    /// One after another, one thread per URL, K workers.
    pub panels: Vec<RequestPanel>,
}

fn measure_requests() -> Result<Requests> {
    const K: usize = 4;
    let server = Server::start(LATENCY)?;
    let urls = server.page_urls(REQUESTS);
    let k = NonZeroUsize::new(K).expect("positive");
    type Fetch<'a> = Box<dyn Fn() + 'a>;
    let approaches: [(&str, Fetch); 3] = [
        (
            "one after another",
            Box::new(|| {
                for url in &urls {
                    let _ = testweb::get(url);
                }
            }),
        ),
        (
            "one thread per URL (fetch_all)",
            Box::new(|| {
                let _ = fetch_all_solution::fetch_all(&urls);
            }),
        ),
        (
            "4 workers (fetch_bounded)",
            Box::new(|| {
                let _ = fetch_bounded_solution::fetch_bounded(&urls, k);
            }),
        ),
    ];
    let mut panels = Vec::new();
    for (name, fetch) in &approaches {
        server.begin_round();
        fetch();
        // The server's own log of this round: when it started and ended
        // serving each request.
        let log = server.round_requests();
        let origin = log.iter().map(|r| r.start).min().unwrap_or_default();
        panels.push(RequestPanel {
            name: (*name).to_owned(),
            requests: log
                .iter()
                .filter_map(|r| {
                    let page = r.target.strip_prefix("/page/")?.parse().ok()?;
                    let end = r.end?;
                    Some((
                        page,
                        (r.start - origin).as_secs_f64(),
                        (end - origin).as_secs_f64(),
                    ))
                })
                .collect(),
        });
    }
    Ok(Requests {
        latency_s: LATENCY.as_secs_f64(),
        requests: REQUESTS,
        k: K,
        panels,
    })
}

/// The timelines of requests at the server: one after another, one
/// thread per URL, K workers.
pub fn timeline() -> Result<String> {
    let m = measured("threads-requests", measure_requests)?;
    let r = &m.data;
    let mut described = Vec::new();
    let panels: Vec<Panel> = r
        .panels
        .iter()
        .map(|p| {
            let last = p.requests.iter().map(|q| q.2).fold(0.0, f64::max);
            let peak = peak_in_flight(&p.requests);
            described.push(format!(
                "{}: all {} requests done after {:.0} ms, at most {} in flight at once",
                p.name,
                p.requests.len(),
                last * 1e3,
                peak
            ));
            Panel {
                title: format!("{} ({:.0} ms, at most {peak} at once)", p.name, last * 1e3),
                lanes: (0..r.requests).map(|i| format!("page {i}")).collect(),
                spans: p
                    .requests
                    .iter()
                    .map(|&(page, start, end)| Span {
                        lane: page,
                        start,
                        end,
                        kind: "request".to_owned(),
                    })
                    .collect(),
                marks: vec![],
            }
        })
        .collect();
    let lat_ms = r.latency_s * 1e3;
    let tl = Timeline {
        id: "requests-timeline".to_owned(),
        title: format!(
            "Requests in flight at the server, {} pages of {lat_ms:.0} ms",
            r.requests
        ),
        panels,
        legend: vec![(
            "request".to_owned(),
            "the server is serving this page's request".to_owned(),
        )],
        until: 0.0,
        bands: vec![],
        scale: Some((r.latency_s, format!("one latency, {lat_ms:.0} ms"))),
        alt: format!(
            "Three timelines on one time scale, one row per page, a bar while the server \
             served that page's request. {}.",
            described.join("; ")
        ),
        caption: format!(
            "One run of each, from the log of the course's test server, which notes when \
             each request arrived and when it was answered. One after another is a staircase; one thread per \
             URL is a single column; {} workers make {} columns of {}.",
            r.k,
            r.requests.div_ceil(r.k),
            r.k
        ),
    }
    .render();
    Ok(section("threads timeline", &tl, &m.provenance))
}

/// The most intervals open at once.
fn peak_in_flight(requests: &[(usize, f64, f64)]) -> usize {
    let mut events: Vec<(f64, i32)> = requests
        .iter()
        .flat_map(|&(_, s, e)| [(s, 1), (e, -1)])
        .collect();
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut now = 0i32;
    let mut peak = 0i32;
    for (_, d) in events {
        now += d;
        peak = peak.max(now);
    }
    peak.max(0) as usize
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

/// CPU work one after another, in scoped threads and with rayon: the
/// four-worker column of the scaling measurement.
pub fn cpu() -> Result<String> {
    const TASKS: usize = 4;
    let m = scaling::get()?;
    let s = &m.data;
    let at = s
        .workers
        .iter()
        .position(|&n| n == TASKS)
        .expect("four workers are always measured");
    let rows = [
        ("one after another", s.scoped.alone),
        ("one scoped thread per task", s.scoped.by_workers[at]),
        ("rayon `par_iter`", s.rayon.by_workers[at]),
    ]
    .map(|(name, sample)| CpuRow {
        approach: name,
        tasks: TASKS,
        wall: human(sample.wall),
        cpu: human(sample.cpu),
        parallelism: format!("{:.2}", sample.parallelism()),
        speedup: times(ratio(s.scoped.alone.wall, sample.wall)),
    });
    let body = table(
        rows,
        format_args!(
            "{TASKS} equal pieces of integer arithmetic, {} in all; {} cores available; fastest \
             of {}, the approaches taking turns.",
            human(scaling::TOTAL),
            s.cores,
            crate::rounds(s.rounds)
        ),
    );
    Ok(section("threads cpu", &body, &m.provenance))
}

/// The speedup plot for the Threads page.
pub fn cpu_plot() -> Result<String> {
    let m = scaling::shared()?;
    Ok(section(
        "threads cpu-plot",
        &scaling::plot(&m, Page::Threads),
        &m.provenance,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn flat_stretches_of_the_model() {
        assert_eq!(
            super::flat_ranges(16),
            "K = 4 to 5 need 4, 6 to 7 need 3, 8 to 15 need 2 waves"
        );
    }

    #[test]
    fn peak_counts_overlap() {
        let r = [(0, 0.0, 1.0), (1, 0.5, 1.5), (2, 1.0, 2.0)];
        assert_eq!(super::peak_in_flight(&r), 2);
    }
}
