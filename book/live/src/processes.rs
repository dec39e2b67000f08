//! Chapter 3 (Processes): the reference pool beside threads, rayon and
//! CPython's `multiprocessing.Pool`, and what processes cost on this
//! machine.
//!
//! The pool's workers are this `live` binary itself, started again: its
//! `main` begins with the worker-role check, as any program with a pool
//! must. CPython's figures come from `python/processes_compare.py`.

use std::io::{BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use frames_solution::{FrameReader, write_frame};
use harness::clock::{human, ratio};
use harness::rounds::{Plan, interleave};
use pool_solution::protocol::{FRAME_LIMIT, Reply, Request};
use pool_solution::tasks::spin;
use pool_solution::{Pool, ROLE_VAR};
use rayon::prelude::*;
use serde::Deserialize;
use tabled::Tabled;

use crate::{block, times};

const TASKS: usize = 4;
const WORKERS: usize = 2;

/// What the script says about the interpreter that ran it.
#[derive(Deserialize)]
struct Interpreter {
    version: String,
    start_method: String,
    cores: usize,
}

impl Interpreter {
    fn describe(&self) -> String {
        format!(
            "CPython {} (start method `{}`, {} cores)",
            self.version, self.start_method, self.cores
        )
    }
}

fn about(python: Option<&Interpreter>) -> String {
    python.map_or(
        "python3 was not found on the machine that built this page, so CPython's rows are empty"
            .to_owned(),
        Interpreter::describe,
    )
}

#[derive(Deserialize)]
struct CpuRun {
    sequential: f64,
    threads: f64,
    pool2: f64,
    #[serde(flatten)]
    python: Interpreter,
}

#[derive(Deserialize)]
struct CostsRun {
    start_s: f64,
    per_task_chunk1_s: f64,
    per_task_default_s: f64,
    peak_rss_kib: Vec<u64>,
    #[serde(flatten)]
    python: Interpreter,
}

/// This binary, which the pools and managers here start as workers.
pub fn this_program() -> Result<std::path::PathBuf> {
    std::env::current_exe().context("finding the live binary to start workers from")
}

fn secs(s: f64) -> String {
    fine(Duration::from_secs_f64(s))
}

/// Like [`human`], but keeps two figures below a millisecond: per-task
/// costs run from tens of microseconds down to a tenth of one.
fn fine(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    if ns >= 1e6 {
        human(d)
    } else if ns >= 1e4 {
        format!("{:.0} µs", ns / 1e3)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

#[derive(Tabled)]
struct CpuRow {
    #[tabled(rename = "language")]
    language: &'static str,
    #[tabled(rename = "approach")]
    approach: &'static str,
    #[tabled(rename = "wall time")]
    wall: String,
    #[tabled(rename = "CPU time (workers included)")]
    cpu: String,
    #[tabled(rename = "÷ its language's one after another")]
    ratio: String,
}

/// The same CPU job four ways in Rust and three in CPython.
pub fn cpu() -> Result<String> {
    let python: Option<CpuRun> = crate::python::run("processes_compare.py", "cpu")?;
    let task = Duration::from_millis(25);
    let units = harness::workload::calibrate(task, |n| {
        std::hint::black_box(spin(n));
    });
    let inputs = vec![units; TASKS];
    let mut pool = Pool::start(&this_program()?, WORKERS)?;
    let mut sequential = || {
        inputs.iter().for_each(|&n| {
            std::hint::black_box(spin(n));
        })
    };
    let mut threads = || {
        thread::scope(|s| {
            for &n in &inputs {
                s.spawn(move || std::hint::black_box(spin(n)));
            }
        })
    };
    let mut with_rayon = || {
        inputs.par_iter().for_each(|&n| {
            std::hint::black_box(spin(n));
        })
    };
    // The harness's clock counts the workers' CPU time with this process's.
    let mut in_pool = || {
        for r in pool.map_chunked("spin", &inputs, 1) {
            r.expect("spin does not fail");
        }
    };
    let plan = Plan {
        max_rounds: 7,
        budget: Duration::from_secs(4),
    };
    let bests = interleave(
        plan,
        &mut [&mut sequential, &mut threads, &mut with_rayon, &mut in_pool],
        |_| false,
    );
    let best = bests.best.clone();
    let seq = best[0].wall;
    let names = [
        "one after another",
        "scoped threads",
        "rayon `par_iter`",
        "reference pool, 2 workers",
    ];
    let mut rows: Vec<CpuRow> = names
        .iter()
        .zip(&best)
        .map(|(name, s)| CpuRow {
            language: "Rust",
            approach: name,
            wall: human(s.wall),
            cpu: human(s.cpu),
            ratio: times(ratio(s.wall, seq)),
        })
        .collect();
    let py = |approach, pick: fn(&CpuRun) -> f64| CpuRow {
        language: "CPython",
        approach,
        wall: python
            .as_ref()
            .map_or("no python3 here".into(), |r| secs(pick(r))),
        cpu: "—".into(),
        ratio: python
            .as_ref()
            .map_or("—".into(), |r| times(pick(r) / r.sequential)),
    };
    rows.push(py("one after another", |r| r.sequential));
    rows.push(py("4 threads", |r| r.threads));
    rows.push(py("started `Pool(2)`, `chunksize=1`", |r| r.pool2));
    Ok(block(
        rows,
        format_args!(
            "{TASKS} equal pieces of CPU work of about {} each; the pools were started before \
             timing. Ratios below ×1 are speedups (×0.50: twice as fast). Rust: fastest of {} \
             interleaved rounds. {}: fastest of 3. {} cores available. Measured while this page \
             was built.",
            human(task),
            bests.rounds,
            about(python.as_ref().map(|r| &r.python)),
            harness::available_cores()
        ),
    ))
}

/// The fastest of `runs` timings of `work`.
fn fastest(runs: usize, mut work: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| work()).min().unwrap_or_default()
}

/// A worker started by hand (no pool), after its hello: the floor under a
/// pool's per-task cost is one synchronous round trip to it.
pub fn lone_worker() -> Result<(Child, FrameReader<BufReader<std::process::ChildStdout>>)> {
    let mut child = Command::new(this_program()?)
        .env(ROLE_VAR, "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut replies = FrameReader::new(
        BufReader::new(child.stdout.take().expect("piped")),
        FRAME_LIMIT,
    );
    replies
        .read::<Reply>()?
        .context("the worker said no hello")?;
    Ok((child, replies))
}

/// One `square` request to a lone worker, and its reply.
pub fn round_trip(
    requests: &mut impl Write,
    replies: &mut FrameReader<BufReader<std::process::ChildStdout>>,
    x: u64,
) {
    let request = Request::Run {
        task: "square".into(),
        inputs: vec![x],
    };
    write_frame(requests, &request).expect("send");
    replies.read::<Reply>().expect("reply").expect("a reply");
}

/// The machine's floor, each per round trip or per start.
struct Floor {
    pipe: Duration,
    frame: Duration,
    spawn: Duration,
    channel: Duration,
}

fn floor() -> Result<Floor> {
    const TRIPS: u32 = 2000;
    // 8 bytes to `cat` and back.
    let mut cat = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting cat")?;
    let (mut to, mut from) = (
        cat.stdin.take().expect("piped"),
        cat.stdout.take().expect("piped"),
    );
    let pipe = fastest(3, || {
        let start = Instant::now();
        let mut buf = [0u8; 8];
        for i in 0..TRIPS {
            to.write_all(&u64::from(i).to_le_bytes())
                .expect("write to cat");
            from.read_exact(&mut buf).expect("read from cat");
        }
        start.elapsed() / TRIPS
    });
    drop(to);
    cat.wait()?;
    // One request frame to a worker and its reply, no pool around it.
    let (mut worker, mut replies) = lone_worker()?;
    let mut requests = worker.stdin.take().expect("piped");
    let frame = fastest(3, || {
        let start = Instant::now();
        for i in 0..TRIPS {
            round_trip(&mut requests, &mut replies, u64::from(i));
        }
        start.elapsed() / TRIPS
    });
    drop(requests);
    worker.wait()?;
    // This binary started as a worker with nothing to do: it says hello,
    // finds its stdin closed and exits.
    let program = this_program()?;
    let spawn = fastest(10, || {
        let start = Instant::now();
        Command::new(&program)
            .env(ROLE_VAR, "0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .expect("spawning this binary");
        start.elapsed()
    });
    // Two channels and a thread that echoes.
    let (ask, asked) = mpsc::channel::<u64>();
    let (answer, answered) = mpsc::channel::<u64>();
    let echo = thread::spawn(move || {
        for x in asked {
            if answer.send(x).is_err() {
                break;
            }
        }
    });
    let channel = fastest(3, || {
        let start = Instant::now();
        for i in 0..u64::from(TRIPS) {
            ask.send(i).expect("echo thread");
            answered.recv().expect("echo thread");
        }
        start.elapsed() / TRIPS
    });
    drop(ask);
    echo.join().expect("echo thread");
    Ok(Floor {
        pipe,
        frame,
        spawn,
        channel,
    })
}

/// Peak resident memory of a process in KiB (`VmHWM` in /proc), if known.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: &[u64]) -> String {
    if kib.is_empty() {
        return "not known here".into();
    }
    let mean = kib.iter().sum::<u64>() as f64 / kib.len() as f64;
    format!("{:.1} MiB", mean / 1024.0)
}

#[derive(Tabled)]
struct CostRow {
    #[tabled(rename = "cost")]
    cost: &'static str,
    #[tabled(rename = "reference pool (Rust)")]
    rust: String,
    #[tabled(rename = "CPython `Pool(2)`")]
    cpython: String,
}

#[derive(Tabled)]
struct FloorRow {
    #[tabled(rename = "the machine's floor")]
    what: &'static str,
    #[tabled(rename = "measured")]
    took: String,
}

/// Per task, start and memory of the reference pool and of CPython's, with
/// the machine's floor measured in the same run.
pub fn costs() -> Result<String> {
    const CHUNK1_N: u64 = 20_000;
    const DEFAULT_N: u64 = 200_000;
    let python: Option<CostsRun> = crate::python::run("processes_compare.py", "costs")?;
    let program = this_program()?;
    let start = fastest(10, || {
        let began = Instant::now();
        let pool = Pool::start(&program, WORKERS).expect("starting the pool");
        let took = began.elapsed();
        drop(pool);
        took
    });
    let mut pool = Pool::start(&program, WORKERS)?;
    let chunk1_inputs: Vec<u64> = (0..CHUNK1_N).collect();
    let default_inputs: Vec<u64> = (0..DEFAULT_N).collect();
    let chunk1 = fastest(3, || {
        let began = Instant::now();
        pool.map_chunked("square", &chunk1_inputs, 1);
        began.elapsed() / CHUNK1_N as u32
    });
    let default = fastest(3, || {
        let began = Instant::now();
        pool.map("square", &default_inputs);
        began.elapsed() / DEFAULT_N as u32
    });
    let rss: Vec<u64> = pool.pids().into_iter().filter_map(peak_rss_kib).collect();
    drop(pool);
    let floor = floor()?;
    let py = |pick: fn(&CostsRun) -> String| python.as_ref().map_or("no python3 here".into(), pick);
    let costs = vec![
        CostRow {
            cost: "pool start, 2 workers (until both answered)",
            rust: fine(start),
            cpython: py(|r| secs(r.start_s)),
        },
        CostRow {
            cost: "per task, chunk size 1",
            rust: fine(chunk1),
            cpython: py(|r| secs(r.per_task_chunk1_s)),
        },
        CostRow {
            cost: "per task, default chunk size",
            rust: fine(default),
            cpython: py(|r| secs(r.per_task_default_s)),
        },
        CostRow {
            cost: "peak memory (RSS) per worker",
            rust: mib(&rss),
            cpython: py(|r| mib(&r.peak_rss_kib)),
        },
    ];
    let floors = vec![
        FloorRow {
            what: "8 bytes to a child (`cat`) and back over two pipes",
            took: fine(floor.pipe),
        },
        FloorRow {
            what: "one request frame to a lone worker and its reply (no pool)",
            took: fine(floor.frame),
        },
        FloorRow {
            what: "start this binary as a worker, and its exit",
            took: fine(floor.spawn),
        },
        FloorRow {
            what: "8 bytes to a thread and back over two channels",
            took: fine(floor.channel),
        },
    ];
    let cpython_chunk1 = python.as_ref().map(|r| r.per_task_chunk1_s);
    let targets = format!(
        "Per task at chunk size 1: {} of a lone frame round trip (target: at most half){}. \
         Pool start: {} one start of this binary (target: at most ×1.5).",
        times(ratio(chunk1, floor.frame)),
        cpython_chunk1.map_or(String::new(), |c| format!(
            ", CPython's is {} the pool's (target: at least ×10)",
            times(c / chunk1.as_secs_f64())
        )),
        times(ratio(start, floor.spawn)),
    );
    let first = block(
        costs,
        format_args!(
            "Squares of {CHUNK1_N} numbers at chunk size 1 and of {DEFAULT_N} at the default \
             size (`ceil(n / (4 × workers))`); fastest of 3 maps, start fastest of 10. {}. {targets}",
            about(python.as_ref().map(|r| &r.python))
        ),
    );
    let second = block(
        floors,
        "Measured in the same run: round trips are the mean of 2000, fastest of 3; the start \
         is the fastest of 10.",
    );
    Ok(format!("{first}\n{second}"))
}

#[derive(Tabled)]
struct UpdateRow {
    #[tabled(rename = "one update of a shared counter")]
    how: &'static str,
    #[tabled(rename = "per update")]
    each: String,
}

/// One counter update through the manager process, beside the same update
/// under `Arc<Mutex<_>>` in threads.
pub fn manager() -> Result<String> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    const ROUND_TRIPS: u32 = 5_000;
    const LOCKED: u32 = 200_000;
    let manager = manager_solution::Manager::start(&this_program()?)?;
    let mut client = manager.connect()?;
    let through_manager = fastest(3, || {
        let began = Instant::now();
        for _ in 0..ROUND_TRIPS {
            client.add("hits", 1).expect("the manager answers");
        }
        began.elapsed() / ROUND_TRIPS
    });
    drop(client);
    drop(manager);
    let counters = Arc::new(Mutex::new(HashMap::<String, i64>::new()));
    let locked = fastest(3, || {
        let began = Instant::now();
        thread::scope(|s| {
            for _ in 0..WORKERS {
                let counters = Arc::clone(&counters);
                s.spawn(move || {
                    for _ in 0..LOCKED {
                        *counters
                            .lock()
                            .expect("no panic holds it")
                            .entry("hits".to_owned())
                            .or_insert(0) += 1;
                    }
                });
            }
        });
        began.elapsed() / (LOCKED * WORKERS as u32)
    });
    let rows = [
        UpdateRow {
            how: "a request to the manager process and its reply (Unix socket, frames)",
            each: fine(through_manager),
        },
        UpdateRow {
            how: "`Arc<Mutex<HashMap>>`, 2 threads updating at once",
            each: fine(locked),
        },
    ];
    Ok(block(
        rows,
        format_args!(
            "The manager: {ROUND_TRIPS} updates from one client, one after another. The \
             mutex: {LOCKED} updates from each of {WORKERS} threads, all at once. Fastest of \
             3; measured while this page was built. The manager is ×{:.0} the mutex here.",
            ratio(through_manager, locked)
        ),
    ))
}

/// The speedup plot for the Processes page: scoped threads and rayon beside
/// the process pool (the measurement the Threads and GIL pages show).
pub fn scaling_plot() -> Result<String> {
    let m = crate::scaling::shared()?;
    Ok(crate::section(
        "processes scaling-plot",
        &crate::scaling::plot(&m, crate::scaling::Page::Processes),
        &m.provenance,
    ))
}

/// CPU time so far of process `pid`, from `/proc/<pid>/schedstat`
/// (nanoseconds, unlike the 10 ms ticks of `/proc/<pid>/stat`).
fn cpu_ns(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/schedstat"))
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The workers' timeline: when each worker process was on a CPU.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct PoolTrace {
    workers: usize,
    tasks: usize,
    task_s: f64,
    /// `(lane, start, end)`: the worker was on a CPU for at least 30% of it.
    busy: Vec<(usize, f64, f64)>,
    /// When `map` was called and when it returned.
    map: (f64, f64),
    /// Each worker's CPU time over the samples, by its own clock, seconds.
    cpu_s: Vec<f64>,
}

fn record_pool() -> Result<PoolTrace> {
    const TRACE_TASKS: usize = 8;
    let task = Duration::from_millis(20);
    let units = harness::workload::calibrate(task, |n| {
        std::hint::black_box(spin(n));
    });
    let mut pool = Pool::start(&this_program()?, WORKERS)?;
    let pids = pool.pids();
    let inputs = vec![units; TRACE_TASKS];
    let stop = std::sync::atomic::AtomicBool::new(false);
    let origin = Instant::now();
    let mut samples: Vec<(f64, Vec<u64>)> = Vec::new();
    let map = thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut samples = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let at = origin.elapsed().as_secs_f64();
                let cpu: Vec<u64> = pids.iter().map(|&p| cpu_ns(p).unwrap_or(0)).collect();
                samples.push((at, cpu));
                thread::sleep(Duration::from_millis(1));
            }
            samples
        });
        thread::sleep(Duration::from_millis(5));
        let start = origin.elapsed().as_secs_f64();
        for r in pool.map_chunked("spin", &inputs, 1) {
            r.expect("spin does not fail");
        }
        let end = origin.elapsed().as_secs_f64();
        thread::sleep(Duration::from_millis(5));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        samples = sampler.join().expect("the sampler does not panic");
        (start, end)
    });
    let cpu_s = (0..pids.len())
        .map(|lane| match (samples.first(), samples.last()) {
            (Some(a), Some(b)) => b.1[lane].saturating_sub(a.1[lane]) as f64 / 1e9,
            _ => 0.0,
        })
        .collect();
    let mut busy: Vec<(usize, f64, f64)> = Vec::new();
    for lane in 0..pids.len() {
        let mut open: Option<(f64, f64)> = None;
        for w in samples.windows(2) {
            let (t0, c0) = (&w[0].0, &w[0].1);
            let (t1, c1) = (&w[1].0, &w[1].1);
            let share = c1[lane].saturating_sub(c0[lane]) as f64 / ((t1 - t0) * 1e9).max(1.0);
            if share >= 0.3 {
                open = Some(open.map_or((*t0, *t1), |(s, _)| (s, *t1)));
            } else if let Some((s, e)) = open.take() {
                busy.push((lane, s, e));
            }
        }
        if let Some((s, e)) = open {
            busy.push((lane, s, e));
        }
    }
    Ok(PoolTrace {
        workers: pids.len(),
        tasks: TRACE_TASKS,
        task_s: task.as_secs_f64(),
        busy,
        map,
        cpu_s,
    })
}

/// The timeline of a pool's workers: which process was on a CPU, when.
pub fn timeline() -> Result<String> {
    use crate::plot::{Panel, Span, Timeline};
    let m = crate::store::measured("processes-pool-trace", record_pool)?;
    let t = &m.data;
    let (start, end) = t.map;
    let per_lane: Vec<String> = t
        .cpu_s
        .iter()
        .enumerate()
        .map(|(l, cpu)| format!("worker {} used {:.0} ms of CPU", l + 1, cpu * 1e3))
        .collect();
    // What a reader checks: the workers' CPU time against the tasks'.
    let cpu_total: f64 = t.cpu_s.iter().sum();
    let planned = t.tasks as f64 * t.task_s;
    let cpu_sum = format!(
        "together {:.0} ms of CPU for {} tasks of {:.0} ms ({:.0} ms)",
        cpu_total * 1e3,
        t.tasks,
        t.task_s * 1e3,
        planned * 1e3
    );
    let cpu_note = if (cpu_total / planned - 1.0).abs() <= 0.25 {
        String::new()
    } else {
        " The tasks' length was calibrated by the wall clock in this process just before \
         the pool started; other programs running then made each task shorter or longer \
         than planned."
            .to_owned()
    };
    let both: f64 = {
        // Time when every worker was running at once.
        let mut edges: Vec<(f64, i32)> =
            t.busy.iter().flat_map(|b| [(b.1, 1), (b.2, -1)]).collect();
        edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let (mut now, mut last, mut sum) = (0, 0.0, 0.0);
        for (at, d) in edges {
            if now as usize >= t.workers {
                sum += at - last;
            }
            now += d;
            last = at;
        }
        sum
    };
    let tl = Timeline {
        id: "pool-timeline".to_owned(),
        title: format!(
            "The reference pool: {} worker processes, {} tasks of {:.0} ms",
            t.workers,
            t.tasks,
            t.task_s * 1e3
        ),
        panels: vec![Panel {
            title: String::new(),
            lanes: (1..=t.workers).map(|i| format!("worker {i}")).collect(),
            spans: t
                .busy
                .iter()
                .map(|&(lane, start, end)| Span {
                    lane,
                    start,
                    end,
                    kind: "busy".to_owned(),
                })
                .collect(),
            marks: vec![],
        }],
        legend: vec![(
            "busy".to_owned(),
            "the worker process is on a CPU".to_owned(),
        )],
        until: end + 0.005,
        bands: vec![(start, end, "map".to_owned())],
        scale: Some((t.task_s, format!("one task, {:.0} ms", t.task_s * 1e3))),
        alt: format!(
            "A timeline of {:.0} ms, one row per worker process. map ran from {:.0} ms to {:.0} \
             ms ({:.0} ms); {}, {cpu_sum}; all {} workers were on a CPU at once for {:.0} ms.",
            (end + 0.005) * 1e3,
            start * 1e3,
            end * 1e3,
            (end - start) * 1e3,
            per_lane.join(", "),
            t.workers,
            both * 1e3
        ),
        caption: format!(
            "Sampled every millisecond from each worker's CPU time \
             (/proc/<pid>/schedstat) while map ran (the shaded band, {:.0} ms): {}, {cpu_sum}; \
             a row is shaded where its worker was on a CPU for at least 30% of a sample; \
             both at once for {:.0} ms.{cpu_note} {}",
            (end - start) * 1e3,
            per_lane.join(", "),
            both * 1e3,
            if both >= 0.5 * (end - start) {
                "Separate processes, each with its own memory, ran at the same moment on \
                 separate cores."
            } else {
                "The workers ran at the same moment for less than half the band: other \
                 programs kept the cores busy while this page was built (see the introduction). On an idle machine \
                 both rows are solid for most of the band."
            }
        ),
    }
    .render();
    Ok(crate::section("processes timeline", &tl, &m.provenance))
}
