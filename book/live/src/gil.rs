//! Chapter 2 (The GIL): real CPython beside the analogue built in Rust.
//!
//! CPython's figures come from `python/gil_compare.py`, run with the
//! `python3` on the machine that builds the book; the analogue's from the
//! reference `Gil` and the suite's workloads. When `python3` is missing the
//! block says so and shows the analogue alone.

use std::time::{Duration, Instant};

use anyhow::Result;
use harness::clock::human;
use harness::rounds::{Plan, interleave};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use suites::gil::workload::{
    extension, in_threads, interpret, one_after_another, sleep, steps_for,
};
use suites::gil::{GilApi, GuardApi};
use tabled::Tabled;

use crate::plot::{Mark, Panel, Span, Timeline};
use crate::store::measured;
use crate::{section, table};

mod subject {
    suites::gil_api!(gil_solution);
}
use subject::Subject;

const TASKS: usize = 4;

/// What the script says about the interpreter that ran it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Interpreter {
    version: String,
    switch_interval: f64,
    gil_enabled: bool,
    cores: usize,
}

impl Interpreter {
    fn describe(&self) -> String {
        format!(
            "CPython {} (switch interval {} s, GIL {}), {} cores",
            self.version,
            self.switch_interval,
            if self.gil_enabled {
                "enabled"
            } else {
                "disabled: a free-threaded build"
            },
            self.cores
        )
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct TutorialRun {
    threads_sleep_1s: f64,
    pool_sleep_1s: f64,
    pool_workers: usize,
    #[serde(flatten)]
    python: Interpreter,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct FidelityRun {
    cpu_sequential: f64,
    cpu_threads: f64,
    cpu_pool2: f64,
    wait_sequential: f64,
    wait_threads: f64,
    #[serde(flatten)]
    python: Interpreter,
}

/// Runs the CPython script in `mode`; `None` when there is no `python3`.
fn cpython<T: DeserializeOwned>(mode: &str) -> Result<Option<T>> {
    crate::python::run("gil_compare.py", mode)
}

/// The caption's sentence about CPython, or about its absence.
fn describe(python: Option<&Interpreter>) -> String {
    python.map_or(
        "python3 was not found on the machine that built this page, so only the analogue \
         was measured"
            .to_owned(),
        Interpreter::describe,
    )
}

fn secs(s: f64) -> String {
    human(Duration::from_secs_f64(s))
}

const NO_PYTHON: &str = "no python3 here";

#[derive(Tabled)]
struct TutorialRow {
    #[tabled(rename = "example")]
    example: &'static str,
    #[tabled(rename = "the tutorial says")]
    claim: &'static str,
    #[tabled(rename = "CPython, measured")]
    cpython: String,
    #[tabled(rename = "the analogue, measured")]
    analogue: String,
}

/// The tutorial's examples: four sleeps of one second, in threads and in a
/// default process pool.
pub fn tutorial() -> Result<String> {
    let m = measured("gil-tutorial", || {
        let run: Option<TutorialRun> = cpython("tutorial")?;
        let gil = Subject::new(gil_solution::DEFAULT_SWITCH_INTERVAL);
        let start = Instant::now();
        in_threads(TASKS, |_| sleep(&gil, Duration::from_secs(1)));
        Ok((run, start.elapsed().as_secs_f64()))
    })?;
    let (run, analogue) = &m.data;
    let analogue = secs(*analogue);
    let rows = [
        TutorialRow {
            example: "4 threads, each sleeps 1 s",
            claim: "“still takes about 4 seconds”",
            cpython: run
                .as_ref()
                .map_or(NO_PYTHON.into(), |r| secs(r.threads_sleep_1s)),
            analogue,
        },
        TutorialRow {
            example: "`Pool()` maps 4 sleeps of 1 s",
            claim: "“just over 1 second”",
            cpython: run.as_ref().map_or(NO_PYTHON.into(), |r| {
                format!(
                    "{} ({} worker processes)",
                    secs(r.pool_sleep_1s),
                    r.pool_workers
                )
            }),
            analogue: "—".into(),
        },
    ];
    let about = describe(run.as_ref().map(|r| &r.python));
    let body = table(rows, format_args!("Each example run once. {about}."));
    Ok(section("gil tutorial", &body, &m.provenance))
}

#[derive(Tabled)]
struct FidelityRow {
    #[tabled(rename = "work")]
    work: &'static str,
    #[tabled(rename = "CPython: threads ÷ one after another")]
    cpython: String,
    #[tabled(rename = "the analogue: threads ÷ one after another")]
    analogue: String,
}

/// Threads against one thread for CPU work and for waiting, in CPython and
/// in the analogue: how faithful the analogue is.
pub fn fidelity() -> Result<String> {
    let m = measured("gil-fidelity", measure_fidelity)?;
    let f = &m.data;
    let run = &f.cpython;
    let analogue =
        |threads: usize, seq: usize| format!("{:.2}", f.analogue[threads] / f.analogue[seq]);
    let python = |f: fn(&FidelityRun) -> f64| {
        run.as_ref()
            .map_or(NO_PYTHON.into(), |r| format!("{:.2}", f(r)))
    };
    let rows = [
        FidelityRow {
            work: "CPU work: 4 pieces of about 100 ms",
            cpython: python(|r| r.cpu_threads / r.cpu_sequential),
            analogue: analogue(1, 0),
        },
        FidelityRow {
            work: "waiting: 4 sleeps of 100 ms",
            cpython: python(|r| r.wait_threads / r.wait_sequential),
            analogue: analogue(3, 2),
        },
        FidelityRow {
            work: "CPU work that releases the lock",
            cpython: "— (needs a C extension)".into(),
            analogue: analogue(5, 4),
        },
        FidelityRow {
            work: "CPU work in a pool of 2 processes",
            cpython: python(|r| r.cpu_pool2 / r.cpu_sequential),
            analogue: "— (next chapter)".into(),
        },
    ];
    let about = describe(run.as_ref().map(|r| &r.python));
    let cores = run
        .as_ref()
        .map_or(harness::available_cores(), |r| r.python.cores);
    let body = table(
        rows,
        format_args!(
            "Fastest run with 4 threads divided by the fastest run one after another, over {}, \
             the contenders taking turns (CPython: 3). About 1.00 means no speedup. \
             The best possible is 1 ÷ min(4, cores, workers): {} on this machine's {} cores, \
             {} for the pool of 2. {about}.",
            crate::rounds(f.rounds),
            best_ratio(4, cores),
            cores,
            best_ratio(2, cores),
        ),
    );
    Ok(section("gil fidelity", &body, &m.provenance))
}

/// `1 / min(workers, cores)`, as the caption writes it.
fn best_ratio(workers: usize, cores: usize) -> String {
    format!("{:.2}", 1.0 / workers.min(cores).max(1) as f64)
}

/// The fidelity measurement: CPython's ratios and the analogue's six
/// fastest wall times (seconds), in the order of `measure_fidelity`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Fidelity {
    cpython: Option<FidelityRun>,
    analogue: Vec<f64>,
    rounds: usize,
}

fn measure_fidelity() -> Result<Fidelity> {
    let run: Option<FidelityRun> = cpython("fidelity")?;
    let gil = Subject::new(gil_solution::DEFAULT_SWITCH_INTERVAL);
    let steps = steps_for(Duration::from_millis(100));
    let nap = Duration::from_millis(100);
    let mut contenders: [Box<dyn FnMut()>; 6] = [
        Box::new(|| one_after_another(TASKS, |_| interpret(&gil, steps, None))),
        Box::new(|| in_threads(TASKS, |_| interpret(&gil, steps, None))),
        Box::new(|| one_after_another(TASKS, |_| sleep(&gil, nap))),
        Box::new(|| in_threads(TASKS, |_| sleep(&gil, nap))),
        Box::new(|| one_after_another(TASKS, |_| extension(&gil, steps))),
        Box::new(|| in_threads(TASKS, |_| extension(&gil, steps))),
    ];
    let mut refs: Vec<&mut dyn FnMut()> = contenders.iter_mut().map(|c| &mut **c as _).collect();
    let plan = Plan {
        max_rounds: 3,
        budget: Duration::from_secs(20),
    };
    let bests = interleave(plan, &mut refs, |_| false);
    Ok(Fidelity {
        cpython: run,
        analogue: bests.best.iter().map(|b| b.wall.as_secs_f64()).collect(),
        rounds: bests.rounds,
    })
}

/// The speedup plot for the GIL page: threads and rayon beside threads
/// under the analogue (the same measurement as the Threads page).
pub fn scaling_plot() -> Result<String> {
    let m = crate::scaling::shared()?;
    Ok(section(
        "gil scaling-plot",
        &crate::scaling::plot(&m, crate::scaling::Page::Gil),
        &m.provenance,
    ))
}

/// The GIL timeline: what each thread did, recorded by the reference lock.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Trace {
    switch_interval_s: f64,
    lanes: Vec<String>,
    spans: Vec<Span>,
    marks: Vec<Mark>,
    end_s: f64,
    /// How each drop request was answered, counted from the same events.
    answers: Answers,
}

/// How the drop requests in a trace were answered. A request is answered
/// when the lock next changes hands; the counts add up to the requests.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
struct Answers {
    /// By a holder's check-in that saw it and handed the lock over.
    handed_over: usize,
    /// By a holder that let go on its own first (to sleep, or done).
    let_go: usize,
    /// Made while another waiter's request was still pending: the same
    /// change of hands answered both.
    joined: usize,
}

impl Answers {
    fn total(self) -> usize {
        self.handed_over + self.let_go + self.joined
    }
}

/// CPU threads interpreting for this long each, in the trace.
const TRACE_WORK: Duration = Duration::from_millis(20);
/// CPU threads in the trace (plus one that sleeps).
const TRACE_CPU_THREADS: usize = 3;

fn record_trace() -> Result<Trace> {
    use gil_solution::trace::{self, Event};
    use std::sync::{Mutex, PoisonError};
    use std::thread::ThreadId;

    let interval = gil_solution::DEFAULT_SWITCH_INTERVAL;
    let gil = Subject::new(interval);
    let steps = steps_for(TRACE_WORK);
    let ids: Mutex<Vec<(usize, ThreadId)>> = Mutex::new(Vec::new());
    let outside: Mutex<Vec<(usize, Instant, Instant)>> = Mutex::new(Vec::new());
    let lane_of_sleeper = TRACE_CPU_THREADS;
    let origin = Instant::now();
    trace::start();
    in_threads(TRACE_CPU_THREADS + 1, |lane| {
        ids.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((lane, std::thread::current().id()));
        if lane == lane_of_sleeper {
            // `time.sleep` three times: the lock is free while it sleeps.
            std::thread::sleep(Duration::from_millis(3));
            for _ in 0..3 {
                let mut guard = gil.acquire();
                let outside = &outside;
                guard.allow_threads(|| {
                    let from = Instant::now();
                    std::thread::sleep(Duration::from_millis(8));
                    outside
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((lane, from, Instant::now()));
                });
            }
        } else {
            interpret(&gil, steps, None);
        }
    });
    let events = trace::stop();
    let ids = ids.into_inner().unwrap_or_else(PoisonError::into_inner);
    let lane = |id: ThreadId| ids.iter().find(|(_, t)| *t == id).map(|(l, _)| *l);
    let at = |t: Instant| t.saturating_duration_since(origin).as_secs_f64();
    let mut spans = Vec::new();
    let mut marks = Vec::new();
    let mut waiting: Vec<Option<f64>> = vec![None; TRACE_CPU_THREADS + 1];
    let mut holding: Vec<Option<f64>> = vec![None; TRACE_CPU_THREADS + 1];
    let mut end: f64 = 0.0;
    let mut answers = Answers::default();
    // Requests since the lock last changed hands, and whether a check-in
    // handed it over since.
    let (mut pending, mut handed) = (0usize, false);
    for (t, id, event) in events {
        let Some(l) = lane(id) else { continue };
        let t = at(t);
        end = end.max(t);
        let span = |start: f64, kind: &str| Span {
            lane: l,
            start,
            end: t,
            kind: kind.to_owned(),
        };
        match event {
            Event::Waits => waiting[l] = Some(t),
            Event::Takes => {
                if pending > 0 {
                    if handed {
                        answers.handed_over += 1;
                    } else {
                        answers.let_go += 1;
                    }
                    answers.joined += pending - 1;
                }
                (pending, handed) = (0, false);
                if let Some(w) = waiting[l].take() {
                    spans.push(span(w, "waiting"));
                }
                holding[l] = Some(t);
            }
            Event::Releases => {
                if let Some(h) = holding[l].take() {
                    spans.push(span(h, "held"));
                }
            }
            Event::DropRequest => {
                pending += 1;
                marks.push(Mark {
                    lane: l,
                    at: t,
                    kind: "request".to_owned(),
                });
            }
            Event::HandsOver => {
                handed = true;
                marks.push(Mark {
                    lane: l,
                    at: t,
                    kind: "handover".to_owned(),
                });
            }
        }
    }
    for (l, from, to) in outside.into_inner().unwrap_or_else(PoisonError::into_inner) {
        spans.push(Span {
            lane: l,
            start: at(from),
            end: at(to),
            kind: "outside".to_owned(),
        });
    }
    let mut lanes: Vec<String> = (1..=TRACE_CPU_THREADS)
        .map(|i| format!("thread {i}: interpret"))
        .collect();
    lanes.push(format!("thread {}: sleep", TRACE_CPU_THREADS + 1));
    Ok(Trace {
        switch_interval_s: interval.as_secs_f64(),
        lanes,
        spans,
        marks,
        end_s: end,
        answers,
    })
}

/// The timeline of the hand-overs.
pub fn timeline() -> Result<String> {
    let m = measured("gil-trace", record_trace)?;
    let t = &m.data;
    let interval_ms = t.switch_interval_s * 1e3;
    let requests = t.marks.iter().filter(|m| m.kind == "request").count();
    let handovers = t.marks.iter().filter(|m| m.kind == "handover").count();
    // What a reader checks first: every request answered once, and every
    // hand-over answering one.
    let a = t.answers;
    anyhow::ensure!(
        a.total() == requests && a.handed_over == handovers,
        "the GIL trace does not add up: {requests} drop requests and {handovers} hand-overs, \
         but {} answered by a hand-over, {} by a holder letting go and {} joined",
        a.handed_over,
        a.let_go,
        a.joined
    );
    let answered = format!(
        "{requests} drop requests: {} answered by a check-in that handed the lock over, {} by \
         a holder that let go on its own first (to sleep, or done), and {} made while another \
         waiter's request was still pending, answered by the same change of hands",
        a.handed_over, a.let_go, a.joined
    );
    let held: Vec<String> = (0..t.lanes.len())
        .map(|l| {
            let total: f64 = t
                .spans
                .iter()
                .filter(|s| s.lane == l && s.kind == "held")
                .map(|s| s.end - s.start)
                .sum();
            format!("{} held it {:.1} ms in all", t.lanes[l], total * 1e3)
        })
        .collect();
    let mut waits: Vec<f64> = t
        .spans
        .iter()
        .filter(|s| s.kind == "waiting" && s.lane < TRACE_CPU_THREADS)
        .map(|s| (s.end - s.start) * 1e3)
        .collect();
    waits.sort_by(f64::total_cmp);
    let median_wait = waits.get(waits.len() / 2).copied().unwrap_or(0.0);
    let tl = Timeline {
        id: "gil-timeline".to_owned(),
        title: format!(
            "The reference GIL, {} threads interpreting and one sleeping, switch interval {interval_ms:.0} ms",
            TRACE_CPU_THREADS
        ),
        panels: vec![Panel {
            title: String::new(),
            lanes: t.lanes.clone(),
            spans: t.spans.clone(),
            marks: t.marks.clone(),
        }],
        legend: vec![
            ("held".to_owned(), "holds the GIL".to_owned()),
            ("waiting".to_owned(), "waits for it".to_owned()),
            (
                "outside".to_owned(),
                "sleeps inside allow_threads".to_owned(),
            ),
            ("request".to_owned(), "drop request".to_owned()),
            ("handover".to_owned(), "check-in hands over".to_owned()),
        ],
        until: t.end_s,
        bands: vec![],
        scale: Some((
            t.switch_interval_s,
            format!("one switch interval, {interval_ms:.0} ms"),
        )),
        alt: format!(
            "A timeline of {:.0} ms, one row per thread. {}. Waiters set a drop request each \
             time they had waited a switch interval of {interval_ms:.0} ms: {answered}. The \
             median wait of an interpreting thread was {median_wait:.1} ms. Only one thread holds the lock at any moment; the \
             sleeping thread's naps overlap with the others' work.",
            t.end_s * 1e3,
            held.join("; ")
        ),
        caption: format!(
            "Recorded from the reference solution (its optional trace feature) while this page \
             was built: {answered}. Median wait {median_wait:.1} ms against a switch interval \
             of {interval_ms:.0} ms."
        ),
    }
    .render();
    Ok(section("gil timeline", &tl, &m.provenance))
}
