//! Suite of `exercises/pitfalls/guard`: a program whose workers are itself.
//!
//! The suite runs the exercise's binary as a student would, with a random
//! number of workers and random inputs, and takes a census: every copy of
//! the program writes its pid, its parent's pid and its pool depth to a
//! file first thing in `main` ([`harness::census`]). That shows how many
//! processes started and how deep, even those that lived a millisecond.
//! The program prints the pid that computed each result; the census says
//! whether that pid was one of its workers. When the program has ended,
//! `/proc` says whether any copy is still running (the suite then ends
//! them).

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use harness::census::{self, Arrival, Served};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::fetching::Draw;

/// The program under test, and the environment it runs in.
#[derive(Clone, Copy)]
pub struct GuardApi {
    /// The exercise's binary.
    pub program: fn() -> PathBuf,
    /// Extra environment variables (a decoy's name).
    pub env: &'static [(&'static str, &'static str)],
    /// The variable that makes a copy of the program a worker (its value
    /// is the worker's number), and the one that holds its pool depth.
    pub role_vars: (&'static str, &'static str),
}

/// Defines `SUBJECT`: the crate's own binary.
#[macro_export]
macro_rules! guard_adapter {
    ($krate:ident) => {
        pub const SUBJECT: $crate::guard::GuardApi = $crate::guard::GuardApi {
            program: || $crate::own_binary(env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME")))),
            env: &[],
            role_vars: ($krate::ROLE_VAR, $krate::DEPTH_VAR),
        };
    };
}

/// Longest a run of the program may take.
const RUN_LIMIT: Duration = Duration::from_secs(6);

/// One run of the program, seen from outside.
struct Ran {
    command: String,
    status: ExitStatus,
    stdout: String,
    stderr: String,
    /// The program's own pid.
    me: u32,
    workers: usize,
    inputs: Vec<u64>,
    /// Every other process that arrived.
    started: Vec<Arrival>,
    /// Those still running when the program had ended.
    left: Vec<Arrival>,
    /// Those that outlived the program even for a moment: alive, or ended
    /// but handed to the suite to be waited for, when it had ended.
    orphaned: Vec<u32>,
    /// Every task a worker recorded running, with its input.
    served: Vec<Served>,
    /// Programs the program or its copies started that are not the
    /// program itself, as the preload shim saw them asked for
    /// ([`harness::shim`]); `None` when the shim was not loaded.
    others: Option<Vec<harness::shim::Started>>,
}

impl Ran {
    /// `square(x) = y in pid p` lines: (x, y, p).
    fn results(&self) -> Vec<(u64, u64, u32)> {
        self.stdout
            .lines()
            .filter_map(|l| {
                let rest = l.strip_prefix("square(")?;
                let (x, rest) = rest.split_once(") = ")?;
                let (y, pid) = rest.split_once(" in pid ")?;
                Some((x.parse().ok()?, y.parse().ok()?, pid.trim().parse().ok()?))
            })
            .collect()
    }

    fn deepest(&self) -> u32 {
        self.started.iter().map(|a| a.depth).max().unwrap_or(0)
    }

    /// What happened, in numbers.
    fn summary(&self) -> String {
        let said: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with("note: run with"))
            .collect();
        format!(
            "`{}` ({} workers, {} inputs) {}; it started {} besides itself ({}), printed {} \
             results{}",
            self.command,
            self.workers,
            self.inputs.len(),
            if self.status.success() {
                "succeeded".to_owned()
            } else {
                format!("failed ({})", self.status)
            },
            match self.started.len() {
                1 => "1 process".to_owned(),
                n => format!("{n} processes"),
            },
            census::describe_depths(&self.started),
            self.results().len(),
            match said.len() {
                0 => String::new(),
                n => format!(
                    "; its stderr ended with: {}",
                    said[n.saturating_sub(2)..].join(" / ")
                ),
            }
        )
    }

    /// What to do, from what the census shows.
    fn advice(&self) -> &'static str {
        if self.deepest() > 1 {
            "Workers started pools of their own: a worker ran main's work instead of serving. \
             A worker must return `worker.serve(TASKS)` as soon as `worker_role()` says it is \
             one."
        } else if self.stderr.contains("no task named") {
            "The workers served, but not this program's tasks: serve `TASKS`."
        } else if !self.started.is_empty() && self.results().is_empty() {
            "The workers started, ran your `main` from the top and never served. Put `if let \
             Some(worker) = worker_role() { return worker.serve(TASKS); }` first in `main`, \
             before anything that starts a pool (the Rust form of `if __name__ == \
             '__main__':`)."
        } else {
            "Ask `worker_role()` first thing in `main`, serve if it says so, and otherwise let \
             the given work run."
        }
    }

    /// Fails unless the program succeeded.
    #[track_caller]
    fn assert_success(&self) {
        assert!(
            self.status.success(),
            "{}. {}",
            self.summary(),
            self.advice()
        );
    }
}

/// Runs the program once with a census, `workers` workers and `inputs`.
fn run(api: GuardApi, workers: usize, inputs: &[u64]) -> Ran {
    run_with(api, workers, inputs, &[])
}

/// [`run`], with `extra` in the program's environment.
fn run_with(api: GuardApi, workers: usize, inputs: &[u64], extra: &[(&str, String)]) -> Ran {
    run_fed(api, workers, inputs, extra, &[])
}

/// [`run_with`], with `stdin` as the program's standard input (none when
/// empty).
fn run_fed(
    api: GuardApi,
    workers: usize,
    inputs: &[u64],
    extra: &[(&str, String)],
    stdin: &[u8],
) -> Ran {
    run_as(
        api,
        workers,
        inputs,
        How {
            extra,
            stdin,
            ..How::default()
        },
    )
}

/// How [`run_as`] starts the program, beyond its workers and inputs.
#[derive(Default)]
struct How<'a> {
    /// Set in its environment.
    extra: &'a [(&'a str, String)],
    /// Its standard input (none when empty).
    stdin: &'a [u8],
    /// No arguments at all, as `cargo run` starts it: the workers and
    /// inputs given are then the program's defaults, for the judging.
    plain: bool,
    /// The preload shim refuses every process it asks for.
    refuse_spawns: bool,
}

/// Runs the program once with a census: `workers` workers and `inputs` on
/// its command line, unless `how` says it runs plain.
fn run_as(api: GuardApi, workers: usize, inputs: &[u64], how: How<'_>) -> Ran {
    let How {
        extra,
        stdin,
        plain,
        refuse_spawns,
    } = how;
    let file = std::env::temp_dir().join(format!(
        "course-census-{}-{}",
        std::process::id(),
        Draw::new().pick(0..=1 << 40)
    ));
    let _ = std::fs::remove_file(&file);
    let program = (api.program)();
    let mut args = Vec::new();
    if !plain {
        args.push(workers.to_string());
        args.extend(inputs.iter().map(u64::to_string));
    }
    let mut cmd = Command::new(&program);
    cmd.args(&args)
        .env(census::CENSUS_VAR, &file)
        .env_remove("COURSE_RESULTS")
        .stdin(if stdin.is_empty() {
            Stdio::null()
        } else {
            Stdio::piped()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in api.env {
        cmd.env(k, v);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let options = harness::shim::Options {
        refuse_spawns,
        ..Default::default()
    };
    let shim = harness::shim::Preloaded::into(&mut cmd, options);
    // Workers whose program ended without waiting for them are handed to
    // the suite (not to init) and stay visible until it waits for them:
    // even one that ends a microsecond after the program is seen.
    let _ = nix::sys::prctl::set_child_subreaper(true);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
    let me = child.id();
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write as _;
        // A program that does not read it may have ended: that is its
        // business, not a failure to start.
        let _ = input.write_all(stdin);
    }
    // Read both pipes while it runs; workers share the program's stderr,
    // so they end only when every copy has ended or been killed.
    let pipe = |mut from: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = from.read_to_string(&mut text);
            text
        })
    };
    let stdout = pipe(Box::new(child.stdout.take().expect("piped")));
    let stderr = pipe(Box::new(child.stderr.take().expect("piped")));
    let began = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the program") {
            break Some(status);
        }
        if began.elapsed() > RUN_LIMIT {
            break None;
        }
        thread::sleep(Duration::from_millis(2));
    };
    let all = census::read(&file);
    let served = census::read_served(&file);
    let left = census::still_running(&all);
    let orphaned = reap_orphans(&all, me);
    // Later orphans (of other tests in this process) go to init again.
    let _ = nix::sys::prctl::set_child_subreaper(false);
    // Nothing outlives the test: every copy still running is ended.
    for a in &left {
        let _ = kill(Pid::from_raw(a.pid as i32), Signal::SIGKILL);
    }
    let status = status.unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_file(&file);
        panic!(
            "`{}` did not end within {RUN_LIMIT:?}; it had started {} processes ({}). A \
             program whose workers run its main may wait for hellos that never come.",
            program.display(),
            all.len().saturating_sub(1),
            census::describe_depths(&all)
        )
    });
    let _ = std::fs::remove_file(&file);
    Ran {
        command: format!(
            "{} {}",
            program.file_name().unwrap_or_default().to_string_lossy(),
            args.join(" ")
        ),
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        me,
        workers,
        inputs: inputs.to_vec(),
        started: all.iter().filter(|a| a.pid != me).cloned().collect(),
        left,
        orphaned,
        served,
        others: shim.loaded().then(|| shim.others_than(&program)),
    }
}

/// The processes of `all` (other than the program, `me`) that outlived
/// it: each is now the suite's child (the suite is their subreaper), alive
/// or a zombie. Waits for each, so that none is left behind. A worker the
/// program killed and waited for before it ended is gone from the process
/// table, and not counted.
fn reap_orphans(all: &[Arrival], me: u32) -> Vec<u32> {
    use nix::sys::wait::{WaitPidFlag, waitpid};
    let mut orphaned = Vec::new();
    for a in all.iter().filter(|a| a.pid != me) {
        let pid = Pid::from_raw(a.pid as i32);
        // Ours only if it was handed to us: then waitpid succeeds (it may
        // still be running: end it first).
        let ours = harness::children::stat(a.pid).is_some_and(|s| s.ppid == std::process::id());
        if ours {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, Some(WaitPidFlag::empty()));
            orphaned.push(a.pid);
        }
    }
    orphaned
}

/// A run with a random number of workers (1 to 3) and random inputs.
fn fresh_run(api: GuardApi) -> Ran {
    let mut draw = Draw::new();
    let workers = draw.pick(1..=3);
    let n = draw.pick(4..=12);
    run(api, workers, &inputs(&mut draw, n))
}

/// `n` random inputs and three more: 0 and 1 (squares a program might
/// think it knows) and a repeat of one of them, each at a random place.
fn inputs(draw: &mut Draw, n: usize) -> Vec<u64> {
    let mut inputs: Vec<u64> = (0..n).map(|_| draw.pick(2..=1 << 31) as u64).collect();
    let again = inputs[draw.pick(0..=n - 1)];
    for x in [0, 1, again] {
        let at = draw.pick(0..=inputs.len());
        inputs.insert(at, x);
    }
    inputs
}

/// The program succeeds, and every input's square was computed in one of
/// the program's own workers: a process the census shows it started, one
/// pool deep, not the program itself.
pub fn workers_run_the_tasks(api: GuardApi) {
    let first = fresh_run(api);
    assert_computed_by_workers(&first);
    // The same inputs again: a square kept from the first run (in a file,
    // say) was not computed in this run's workers.
    let again = run(api, first.workers, &first.inputs);
    assert_computed_by_workers(&again);
    a_failed_square_is_reported(api, &first);
    a_pool_that_cannot_start_is_reported(api, &first);
    // With no arguments at all, as `cargo run` starts it, the program
    // takes its defaults (2 workers, 1 to 8): a `main` that tells a worker
    // by its empty command line instead of asking `worker_role()` (round
    // 20's `guard/02`) fails here.
    let plain = run_as(
        api,
        2,
        &(1..=8).collect::<Vec<u64>>(),
        How {
            plain: true,
            ..How::default()
        },
    );
    assert!(
        plain.status.success(),
        "{}: run with no arguments, as `cargo run` runs it, the program must do its work with \
         its defaults (2 workers, inputs 1 to 8, as `args()` gives them). A process is a worker \
         because `worker_role()` says so, not because its command line is empty.",
        plain.summary()
    );
    assert_computed_by_workers(&plain);
}

/// The same inputs once more, on a machine that will not start a process
/// (the preload shim answers every spawn with `EAGAIN`, as at the user's
/// process limit): the pool cannot start, and the program must report it
/// and fail, printing no square (round 20's `guard/07` squared the inputs
/// itself, "degraded mode").
fn a_pool_that_cannot_start_is_reported(api: GuardApi, first: &Ran) {
    let ran = run_as(
        api,
        first.workers,
        &first.inputs,
        How {
            refuse_spawns: true,
            ..How::default()
        },
    );
    if ran.others.is_none() {
        harness::speedup::not_judged(
            "workers_run_the_tasks",
            &format!(
                "the preload shim ({}) was not loaded into the program, so its spawns could not \
                 be refused",
                harness::shim::shared_object().display()
            ),
        );
        return;
    }
    assert!(
        !ran.status.success() && ran.results().is_empty(),
        "{}, on a machine that refused to start any process (the suite's preload shim answered \
         every spawn with EAGAIN, as when the user's process limit is reached), so its pool \
         could not start. {} A pool that cannot start is a failure to report: the program \
         must end with a failure and print no square, never computing one itself.",
        ran.summary(),
        if ran.status.success() {
            "Yet it succeeded."
        } else {
            "Yet it printed squares."
        }
    );
}

/// The same inputs once more, with `square` made to fail on one of them
/// in the workers ([`harness::fault`]): the pool cannot give that square,
/// so the program must fail, and must not print it as computed anywhere.
/// Twice: a fault on every try, then one that strikes only the first try
/// (round 20's `guard/06` tried a failed square once more, and hid it).
fn a_failed_square_is_reported(api: GuardApi, first: &Ran) {
    let x = first.inputs[first.inputs.len() / 2];
    let once = std::env::temp_dir().join(format!(
        "course-fault-once-{}-{}",
        std::process::id(),
        Draw::new().pick(0..=1 << 40)
    ));
    let _ = std::fs::remove_file(&once);
    for (fault, how) in [
        (
            format!("square:{x}"),
            format!("made to fail on input {x} in the workers, on every try"),
        ),
        (
            format!("square:{x}:once"),
            format!(
                "made to fail on input {x} once, the first time a worker runs it (a fault that \
                 does not repeat: a second try would succeed)"
            ),
        ),
    ] {
        let ran = run_with(
            api,
            first.workers,
            &first.inputs,
            &[
                (harness::fault::FAULT_VAR, fault),
                (harness::fault::FAULT_ONCE_VAR, once.display().to_string()),
            ],
        );
        let printed: Vec<(u64, u32)> = ran
            .results()
            .iter()
            .filter(|r| r.0 == x)
            .map(|r| (r.1, r.2))
            .collect();
        assert!(
            !ran.status.success() && printed.is_empty(),
            "{}, with `square` {how} (a fault the suite injected: the pool answers that input \
             with an error). {} A square the pool could not give is a failure to report: the \
             program must end with a failure, and never compute the square itself (in the \
             program, or anywhere but a worker), nor try it again until it passes.",
            ran.summary(),
            match printed.first() {
                Some((y, pid)) => format!("Yet it printed square({x}) = {y}, in pid {pid}."),
                None => "Yet it succeeded.".to_owned(),
            }
        );
        // A run that fails is held to the rest all the same: one pool of
        // its workers, and none of them left when it has ended.
        assert!(
            ran.started.len() == ran.workers,
            "{}, with `square` {how}: {} processes started for a pool of {} workers. The \
             program starts one pool, also when a square fails: a failed square is reported, \
             not tried again on a pool of its own.",
            ran.summary(),
            ran.started.len(),
            ran.workers
        );
        assert_nothing_left(&ran, &format!(", with `square` {how}"));
    }
    let _ = std::fs::remove_file(&once);
}

/// Every input of `ran` squared right, in one of its own workers, which
/// recorded running `square` on it.
fn assert_computed_by_workers(ran: &Ran) {
    ran.assert_success();
    let results = ran.results();
    let printed: Vec<u64> = results.iter().map(|r| r.0).collect();
    assert!(
        printed == ran.inputs,
        "{}: it printed the squares of {printed:?}, for the inputs {:?}. One line per input, in \
         the order given: an input given twice is squared and printed twice, and none is \
         skipped, sorted or merged",
        ran.summary(),
        ran.inputs
    );
    for &x in &ran.inputs {
        let Some(&(_, y, pid)) = results.iter().find(|r| r.0 == x) else {
            panic!("{}: no result for input {x}", ran.summary());
        };
        assert_eq!(
            y,
            x.wrapping_mul(x),
            "{}: square({x}) is wrong",
            ran.summary()
        );
        assert!(
            pid != ran.me,
            "{}: square({x}) was computed in pid {pid}, the program's own process: the work \
             must run in the pool's workers",
            ran.summary()
        );
        let worker = ran.started.iter().find(|a| a.pid == pid);
        assert!(
            worker.is_some_and(|w| w.ppid == ran.me && w.depth == 1),
            "{}: square({x}) was computed in pid {pid}, which is not one of the program's \
             workers (census: {:?})",
            ran.summary(),
            ran.started
        );
        assert!(
            ran.served
                .iter()
                .any(|t| t.pid == pid && t.task == "square" && t.input == x),
            "{}: the program printed square({x}) as computed in pid {pid}, one of its workers, \
             but that worker never ran `square` on {x} (the pool's workers record every task \
             they run; they ran {:?}). The square was computed somewhere else, or kept from \
             an earlier run: every input goes to the pool, every run.",
            ran.summary(),
            ran.served
                .iter()
                .map(|t| format!("{}({}) in pid {}", t.task, t.input, t.pid))
                .collect::<Vec<_>>()
        );
    }
}

/// The program starts its pool's workers and nothing else: exactly as many
/// processes as workers, all children of the program, one pool deep.
pub fn only_the_pool_s_workers_start(api: GuardApi) {
    assert_only_the_workers(&fresh_run(api));
    a_worker_whose_stdin_ends_starts_nothing(api);
    a_worker_whose_serving_fails_starts_nothing(api);
    let mut draw = Draw::new();
    // The top of the range: more workers than a cap of a round number (16,
    // round 16's `guard/01`; 32, round 20's; 64), more inputs than a batch
    // or a cap.
    let workers = draw.pick(65..=80);
    let n = draw.pick(65..=150);
    let many = run(api, workers, &inputs(&mut draw, n));
    assert_only_the_workers(&many);
    assert_computed_by_workers(&many);
    // Past a hundred workers and a thousand inputs (round 22's `guard/02`
    // capped the pool at 100; `guard/01` started a pool per thousand
    // inputs, `guard/03` ended with `process::exit` past a thousand,
    // `guard/05` squared those past a thousand itself).
    let workers = draw.pick(101..=110);
    let n = draw.pick(1_001..=2_000);
    let most = run(api, workers, &inputs(&mut draw, n));
    assert_only_the_workers(&most);
    assert_computed_by_workers(&most);
    assert_nothing_left(&most, &format!(", with {n} inputs"));
    // More workers than inputs: the command line says how many workers,
    // and an idle one is still started.
    let workers = draw.pick(6..=9);
    let n = draw.pick(1..=2);
    let few: Vec<u64> = (0..n).map(|_| draw.pick(2..=1 << 31) as u64).collect();
    let few = run(api, workers, &few);
    assert_only_the_workers(&few);
    // However few the inputs, the workers compute them (round 16's
    // `guard/04` started the pool, then squared one or two itself).
    assert_computed_by_workers(&few);
}

/// The program started as a worker (worker 0, one pool deep) whose stdin
/// holds a request that is not a frame the pool sends (a length prefix of
/// 5, then 5 bytes that are not JSON): serving fails, and the worker must
/// end with it, having started nothing and printed no result. A worker
/// that goes on to the program's work when serving fails starts a pool.
fn a_worker_whose_serving_fails_starts_nothing(api: GuardApi) {
    let (role, depth) = api.role_vars;
    let mut garbage = 5u32.to_le_bytes().to_vec();
    garbage.extend_from_slice(b"}{!?#");
    let ran = run_fed(
        api,
        2,
        &[3, 4],
        &[(role, "0".to_owned()), (depth, "1".to_owned())],
        &garbage,
    );
    assert!(
        ran.started.is_empty() && ran.results().is_empty(),
        "{}, started as a worker ({role}=0, {depth}=1) whose stdin held a broken request (a \
         prefix of 5, then 5 bytes that are not JSON), so serving failed. A worker returns \
         what `serve` returns, failure included: it never goes on to the program's work, \
         which starts a pool of its own.",
        ran.summary()
    );
    // And it ends with that failure (round 16's `guard/05` threw `serve`'s
    // outcome away and ended with success): the pool that started it
    // reads a worker's exit status.
    assert!(
        !ran.status.success(),
        "{}, started as a worker ({role}=0, {depth}=1) whose stdin held a broken request, so \
         serving failed, ended with success ({}). A worker returns what `serve` returns, \
         failure included: its exit status says the request was broken.",
        ran.summary(),
        ran.status
    );
}

/// The program started as a worker (worker 0, one pool deep) whose stdin
/// is already at its end, as when its pool lets go of it: it serves
/// nothing, and must end, having started nothing and printed no result.
/// A worker that falls through into the program's work after serving
/// starts a pool of its own here.
fn a_worker_whose_stdin_ends_starts_nothing(api: GuardApi) {
    let (role, depth) = api.role_vars;
    let ran = run_with(
        api,
        2,
        &[3, 4],
        &[(role, "0".to_owned()), (depth, "1".to_owned())],
    );
    assert!(
        ran.started.is_empty() && ran.results().is_empty(),
        "{}, started as a worker ({role}=0, {depth}=1) whose stdin was already at its end. A \
         worker serves the program's tasks until its stdin ends, and then returns from `main`: \
         it never goes on to the program's work, which starts a pool of its own. Return what \
         `serve` returns.",
        ran.summary()
    );
}

/// Exactly `ran.workers` processes started, each a child of the program,
/// one pool deep.
fn assert_only_the_workers(ran: &Ran) {
    ran.assert_success();
    // What the program asked the operating system to start, which no
    // census sees: a program that is not a copy of it (round 16's
    // `guard/02` ran `nproc` to compare the workers with the cores).
    match &ran.others {
        Some(others) => assert!(
            others.is_empty(),
            "{}. Besides its workers, the program (or a copy of it) started {}. No process \
             starts but the pool's workers, each a copy of this same program: ask the standard \
             library what you need to know (`std::thread::available_parallelism` for the \
             cores), not another program.",
            ran.summary(),
            others
                .iter()
                .map(|s| format!("`{}` (asked by pid {})", s.program, s.by))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => harness::speedup::not_judged(
            "only_the_pool_s_workers_start",
            &format!(
                "the preload shim ({}) was not loaded into the program, so the programs it \
                 started could not be seen",
                harness::shim::shared_object().display()
            ),
        ),
    }
    let ours = ran
        .started
        .iter()
        .filter(|a| a.ppid == ran.me && a.depth == 1)
        .count();
    assert!(
        ran.started.len() == ran.workers && ours == ran.workers,
        "{}. A pool of {} workers starts {} processes, each a child of the program, one pool \
         deep. {}",
        ran.summary(),
        ran.workers,
        ran.workers,
        if ran.deepest() > 1 {
            ran.advice()
        } else if ran.started.len() < ran.workers {
            "Start as many workers as the command line asks, with no cap of your own."
        } else {
            "Start one pool for the whole run, not one per task."
        }
    );
}

/// When the program has ended, none of the processes it started still
/// runs: the pool was dropped (its workers killed and waited for) before
/// `main` returned.
pub fn nothing_is_left_running(api: GuardApi) {
    let ran = fresh_run(api);
    ran.assert_success();
    assert_nothing_left(&ran, "");
}

/// None of `ran`'s processes outlived it, even for a moment. `how` says
/// how it was run, for the message.
fn assert_nothing_left(ran: &Ran, how: &str) {
    assert!(
        ran.orphaned.is_empty(),
        "{}{how}; {} of them outlived it (pids {:?}: when the program had ended they were \
         still there, handed to the suite to be waited for). Let the pool be dropped before \
         `main` returns: its Drop ends the workers and waits for them, and \
         `std::process::exit` skips every `Drop`.",
        ran.summary(),
        ran.orphaned.len(),
        ran.orphaned
    );
    assert!(
        ran.left.is_empty(),
        "{}{how}; when it had ended, {} of them still ran (pids {:?}, ended by the suite). Let the \
         pool be dropped before `main` returns: `std::process::exit` skips every `Drop`, and \
         a worker busy with a task outlives its parent.",
        ran.summary(),
        ran.left.len(),
        ran.left.iter().map(|a| a.pid).collect::<Vec<_>>()
    );
}

crate::declare_suite!($ guard: GuardApi = guard_adapter! [
    workers_run_the_tasks,
    only_the_pool_s_workers_start,
    nothing_is_left_running,
]);
