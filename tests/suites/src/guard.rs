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

use harness::census::{self, Arrival};
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
}

/// Defines `SUBJECT`: the crate's own binary.
#[macro_export]
macro_rules! guard_adapter {
    ($krate:ident) => {
        pub const SUBJECT: $crate::guard::GuardApi = $crate::guard::GuardApi {
            program: || $crate::own_binary(env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME")))),
            env: &[],
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
    let file = std::env::temp_dir().join(format!(
        "course-census-{}-{}",
        std::process::id(),
        Draw::new().pick(0..=1 << 40)
    ));
    let _ = std::fs::remove_file(&file);
    let program = (api.program)();
    let mut args = vec![workers.to_string()];
    args.extend(inputs.iter().map(u64::to_string));
    let mut cmd = Command::new(&program);
    cmd.args(&args)
        .env(census::CENSUS_VAR, &file)
        .env_remove("COURSE_RESULTS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in api.env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
    let me = child.id();
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
    let left = census::still_running(&all);
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
    }
}

/// A run with a random number of workers (1 to 3) and random inputs.
fn fresh_run(api: GuardApi) -> Ran {
    let mut draw = Draw::new();
    let workers = draw.pick(1..=3);
    let n = draw.pick(4..=12);
    let inputs: Vec<u64> = (0..n).map(|_| draw.pick(1..=1 << 31) as u64).collect();
    run(api, workers, &inputs)
}

/// The program succeeds, and every input's square was computed in one of
/// the program's own workers: a process the census shows it started, one
/// pool deep, not the program itself.
pub fn workers_run_the_tasks(api: GuardApi) {
    let ran = fresh_run(api);
    ran.assert_success();
    let results = ran.results();
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
    }
}

/// The program starts its pool's workers and nothing else: exactly as many
/// processes as workers, all children of the program, one pool deep.
pub fn only_the_pool_s_workers_start(api: GuardApi) {
    let ran = fresh_run(api);
    ran.assert_success();
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
    assert!(
        ran.left.is_empty(),
        "{}; when it had ended, {} of them still ran (pids {:?}, ended by the suite). Let the \
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
