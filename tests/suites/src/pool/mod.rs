//! Suite of `exercises/processes/pool`: a process pool.
//!
//! Evidence before timing. Every result carries the process id that
//! computed it, so the checks see that the work ran in worker processes
//! (not the test's own), in at most N of them, again and again in the same
//! ones; the pool counts the request frames it sent, so chunking is counted,
//! not timed. Deaths are real: a worker is killed with a signal, or asked to
//! exit; the pool must answer for its inputs with an error that names the
//! worker and how it ended. After a pool is dropped (also while the parent
//! unwinds from a panic) `/proc` must show none of its workers, running or
//! zombie. Only one check is timed, on waits rather than CPU work: the
//! workers run at once. (Measured here, a CPU speedup check failed the
//! reference pool in up to 4 of 10 runs on a two-core machine loaded by
//! other programs, where scoped threads or rayon passed; the CPU speedup is
//! shown in the book's live table instead.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use harness::children;

use crate::fetching::Draw;
use crate::gone::assert_gone;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// A started pool as the suite sees it.
pub trait PoolHandle {
    /// `map` (`chunk` `None`: the default chunk size) or `map_chunked`:
    /// per input, the value and the pid that computed it, or the error's text.
    fn map(
        &mut self,
        task: &str,
        inputs: &[u64],
        chunk: Option<usize>,
    ) -> Vec<Result<(u64, u32), String>>;
    /// Pids of the workers alive now.
    fn pids(&self) -> Vec<u32>;
    /// `Run` frames sent since the pool started.
    fn frames_sent(&self) -> u64;
}

/// A started pool, or why it did not start.
pub type Started = Result<Box<dyn PoolHandle>, String>;

/// The crate under test: how to start its pool, and with which program.
#[derive(Clone, Copy)]
pub struct PoolApi {
    /// The program the workers run (the exercise's binary, whose `main`
    /// begins with the role check).
    pub program: fn() -> PathBuf,
    /// The environment variable that marks a worker (`ROLE_VAR`).
    pub role_var: &'static str,
    /// `Pool::start(program, workers)`.
    pub start: fn(&Path, usize) -> Started,
    /// `MAX_DEPTH`: how deep pools may nest.
    pub max_depth: u32,
    /// `HELLO_LIMIT`: how long a new worker may take to say hello.
    pub hello_limit: Duration,
    /// The functions of `src/lib.rs` the drop witness reads from (with
    /// what they call): `drop` for a crate.
    pub drop_code: &'static [&'static str],
    /// The crate's modules in files of their own (`src/<name>.rs`), by
    /// name and text, which the source witnesses read with `src/lib.rs`:
    /// the worker's side in `role.rs` is the student's code too (round
    /// 23's `pool/03` hid a poll there).
    pub modules: &'static [(&'static str, &'static str)],
}

/// Defines `SUBJECT`: the crate's `Pool` seen as a [`PoolApi`], with the
/// crate's own binary as the workers' program and its module files (or
/// `$program`, a `fn() -> PathBuf`, and `$modules`, none unless given).
#[macro_export]
macro_rules! pool_adapter {
    ($krate:ident) => {
        $crate::pool_adapter!(
            $krate,
            || $crate::own_binary(env!(concat!("CARGO_BIN_EXE_", env!("CARGO_PKG_NAME")))),
            &[
                (
                    "protocol",
                    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/protocol.rs"))
                ),
                (
                    "role",
                    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/role.rs"))
                ),
                (
                    "tasks",
                    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/tasks.rs"))
                ),
            ]
        );
    };
    ($krate:ident, $program:expr) => {
        $crate::pool_adapter!($krate, $program, &[]);
    };
    ($krate:ident, $program:expr, $modules:expr) => {
        struct Handle($krate::Pool);

        impl $crate::pool::PoolHandle for Handle {
            fn map(
                &mut self,
                task: &str,
                inputs: &[u64],
                chunk: Option<usize>,
            ) -> Vec<Result<(u64, u32), String>> {
                let results = match chunk {
                    Some(chunk) => self.0.map_chunked(task, inputs, chunk),
                    None => self.0.map(task, inputs),
                };
                results
                    .into_iter()
                    .map(|r| r.map(|d| (d.value, d.pid)).map_err(|e| e.to_string()))
                    .collect()
            }
            fn pids(&self) -> Vec<u32> {
                self.0.pids()
            }
            fn frames_sent(&self) -> u64 {
                self.0.frames_sent()
            }
        }

        pub const SUBJECT: $crate::pool::PoolApi = $crate::pool::PoolApi {
            program: $program,
            role_var: $krate::ROLE_VAR,
            max_depth: $krate::MAX_DEPTH,
            hello_limit: $krate::HELLO_LIMIT,
            drop_code: &["drop"],
            modules: $modules,
            start: |program, workers| {
                $krate::Pool::start(program, workers)
                    .map(|p| Box::new(Handle(p)) as Box<dyn $crate::pool::PoolHandle>)
                    .map_err(|e| e.to_string())
            },
        };
    };
}

mod watched;

use watched::{Watched, Worker1};

fn start(pool: PoolApi, workers: usize) -> Watched {
    Watched::start(pool, workers)
}

fn values(results: &[Result<(u64, u32), String>], what: &str) -> Vec<u64> {
    results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.clone()
                .unwrap_or_else(|e| panic!("{what}: input {i} failed: {e}"))
                .0
        })
        .collect()
}

fn pids_of(results: &[Result<(u64, u32), String>]) -> BTreeSet<u32> {
    results.iter().flatten().map(|&(_, pid)| pid).collect()
}

/// `square` over 200 inputs in chunks of 3: every result in its input's
/// place.
pub fn results_come_back_in_input_order(pool: PoolApi) {
    let mut p = start(pool, 2);
    let inputs: Vec<u64> = (0..200).collect();
    let got = values(
        &p.map("square", &inputs, Some(3)),
        "square over 0..200, chunk 3",
    );
    let want: Vec<u64> = inputs.iter().map(|x| x * x).collect();
    if got != want {
        let first = (0..want.len())
            .find(|&i| got.get(i) != Some(&want[i]))
            .unwrap_or(0);
        panic!(
            "square over 0..200 (chunk 3, 2 workers): result {first} is {:?}, expected {}: \
             results must come back in input order, whichever worker answers first",
            got.get(first),
            want[first]
        );
    }
    let empty = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        p.map("square", &[], None)
    }))
    .unwrap_or_else(|payload| {
        panic!(
            "a map over no inputs panicked ({}): it must return no results (an empty input is \
             not an error; do not read inputs[0])",
            harness::record::panic_message(payload.as_ref())
        )
    });
    assert!(
        empty.is_empty(),
        "a map over no inputs must return no results"
    );
    // Many inputs, in CPython's default chunks (thousands of inputs, and
    // frames of a hundred KiB and more); then all of a hundred thousand or
    // more in one chunk (frames of a megabyte). Neither comes near the
    // protocol's own `FRAME_LIMIT`: no limit of the pool's own may stand
    // below it.
    let mut draw = Draw::new();
    let n = draw.pick(BIG_MAP);
    all_squared(
        &mut p,
        n,
        None,
        &format!("{} per chunk on 2 workers, the default", n.div_ceil(8)),
    );
    let n = draw.pick(ONE_CHUNK);
    all_squared(&mut p, n, Some(n), "all of them in one chunk");
}

/// `square` over `n` inputs in chunks of `chunk`: every result right.
fn all_squared(p: &mut Watched, n: usize, chunk: Option<usize>, chunks: &str) {
    let inputs: Vec<u64> = (0..n as u64).map(|i| i * 7919).collect();
    let got = p.map("square", &inputs, chunk);
    let wrong = got
        .iter()
        .zip(&inputs)
        .position(|(r, x)| r.as_ref().ok().map(|(v, _)| *v) != Some(x.wrapping_mul(*x)));
    assert!(
        got.len() == n && wrong.is_none(),
        "square over {n} inputs ({chunks}): {} results, the first wrong one at {wrong:?} \
         ({:?}). A map of that size is one the page allows: its frames must fit the pool's \
         frame limit",
        got.len(),
        wrong.and_then(|i| got.get(i))
    );
}

/// Inputs of the one-chunk map of [`results_come_back_in_input_order`]:
/// a request of 0.8 to 1.2 MB, its answer more than a MiB (round 16's
/// `pool/03` refused frames over 256 KiB). Half a million took 3 s.
const ONE_CHUNK: std::ops::RangeInclusive<usize> = 100_000..=150_000;

/// Sizes of the big map of [`results_come_back_in_input_order`].
const BIG_MAP: std::ops::RangeInclusive<usize> = 50_000..=60_000;

/// Every result was computed in a worker process: not in the test's own
/// process, and in one of the pool's workers.
pub fn tasks_run_in_worker_processes(pool: PoolApi) {
    let mut p = start(pool, 2);
    let workers: BTreeSet<u32> = p.pids().into_iter().collect();
    let results = p.map("sleep_ms", &[10; 8], Some(1));
    values(&results, "sleep_ms over 8 inputs");
    let me = std::process::id();
    let seen = pids_of(&results);
    assert!(
        !seen.contains(&me),
        "tasks ran in pid {me}, the parent's own process: a process pool must run them in its \
         worker processes (threads of the parent share its memory and its crashes)"
    );
    assert!(
        workers.len() == 2,
        "a pool started with 2 workers reports {} worker pids ({workers:?})",
        workers.len()
    );
    assert!(
        seen.is_subset(&workers),
        "tasks ran in pids {seen:?}, but the pool's workers are {workers:?}"
    );
}

/// Three maps in a row run in the same workers: at most N distinct pids in
/// all, and the pool's workers unchanged. Starting a process costs
/// milliseconds; a pool starts its workers once.
pub fn workers_are_reused(pool: PoolApi) {
    let mut p = start(pool, 2);
    let before = p.pids();
    let mut seen = BTreeSet::new();
    // The same `spin` inputs every map too: a pure task's results are the
    // same every time, and the workers compute them every time (the census
    // sees a result answered from an earlier map).
    let mut draw = Draw::new();
    let spins: Vec<u64> = (0..draw.pick(2..=6))
        .map(|_| draw.pick(1_000..=200_000) as u64)
        .collect();
    for round in 0..3 {
        let results = p.map("square", &(0..20).collect::<Vec<_>>(), Some(1));
        values(&results, &format!("map {round}"));
        seen.extend(pids_of(&results));
        let results = p.map("spin", &spins, Some(draw.pick(1..=2)));
        values(&results, &format!("spin map {round}"));
        seen.extend(pids_of(&results));
    }
    assert!(
        seen.len() <= 2,
        "3 maps of 20 inputs (and 3 of `spin`) on 2 workers ran in {} different processes: workers must be \
         reused, not started per task or per map (a start costs milliseconds)",
        seen.len()
    );
    assert_eq!(
        p.pids(),
        before,
        "the workers changed between maps although none died: they must be reused"
    );
}

/// One request frame per chunk: 100 inputs in chunks of 7 are 15 frames,
/// in chunks of 1 (or 0, taken as 1) are 100, and by default (CPython's `ceil(100 / (4 × 2))` =
/// 13 per chunk) are 8, also in the map after a worker died: the pool's size
/// is what it was started with, not the workers alive at that moment.
pub fn chunks_set_the_frames(pool: PoolApi) {
    let mut p = start(pool, 2);
    let inputs: Vec<u64> = (0..100).collect();
    // The last round follows a map in which one worker ended (`exit`): the
    // pool may replace it as this map begins, and its size is still 2.
    let rounds = [
        (Some(7), 15),
        (Some(1), 100),
        (None, 8),
        (Some(0), 100),
        (None, 8),
    ];
    for (round, (chunk, frames)) in rounds.into_iter().enumerate() {
        let after_death = round == rounds.len() - 1;
        if after_death {
            let died = p.map("exit", &[3], Some(1));
            assert!(
                died.iter().all(Result::is_err),
                "a task that calls `exit(3)` ended its worker, yet its input came back as a \
                 result: {died:?}"
            );
        }
        let before = p.frames_sent();
        let (results, received) = p
            .map_seen("square", &inputs, chunk)
            .unwrap_or_else(|payload| {
                panic!(
                    "map_chunked with chunk size {chunk:?} panicked ({}): a chunk size of 0 \
                     means 1 (as `max(1)`), it must not reach `chunks(0)`",
                    harness::record::panic_message(payload.as_ref())
                )
            });
        values(&results, "square over 0..100");
        let sent = p.frames_sent() - before;
        let what = chunk.map_or(
            if after_death {
                "the default chunk size, in the map after one of the pool's 2 workers ended (13 \
                 per chunk: the pool's size is the workers it was started with, and it replaces \
                 the dead one by this map at the latest)"
                    .to_owned()
            } else {
                "the default chunk size (13 for 100 inputs on 2 workers)".to_owned()
            },
            |c| match c {
                0 => "chunk size 0 (taken as 1)".to_owned(),
                c => format!("chunk size {c}"),
            },
        );
        assert_eq!(
            sent, frames,
            "100 inputs with {what} must go out in {frames} request frames, one per chunk; \
             the pool sent {sent}"
        );
        let sizes: Vec<usize> = received.iter().map(|f| f.inputs).collect();
        assert!(
            received.len() as u64 == frames && sizes.iter().sum::<usize>() == inputs.len(),
            "100 inputs with {what} must go out in {frames} request frames, one per chunk; the \
             pool says it sent {sent}, but its workers received {} frames carrying {} inputs \
             (sizes {}): the frames a worker decodes are counted where they arrive",
            received.len(),
            sizes.iter().sum::<usize>(),
            summarize(&sizes)
        );
    }
}

/// "7 × 14, 2": frame sizes, runs of equal sizes folded.
fn summarize(sizes: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &s in sizes {
        match runs.last_mut() {
            Some((size, n)) if *size == s => *n += 1,
            _ => runs.push((s, 1)),
        }
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|&(s, n)| {
            if n == 1 {
                s.to_string()
            } else {
                format!("{s} × {n}")
            }
        })
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// `worker N (pid P)` in an error: the number and the pid.
fn worker_and_pid(error: &str) -> Option<(String, u32)> {
    let at = error.find("worker ")?;
    let rest = &error[at + "worker ".len()..];
    let (number, rest) = rest.split_once(" (pid ")?;
    let pid = rest.split(')').next()?.parse().ok()?;
    Some((number.to_owned(), pid))
}

/// A task that panics is an error for its input, naming the worker; the
/// pool goes on working.
pub fn a_panicking_task_is_an_error_for_its_input(pool: PoolApi) {
    let mut p = start(pool, 2);
    let before = p.pids();
    let results = p.map("panic", &[1, 2, 3, 4, 5, 6, 7, 8], Some(1));
    // Which worker number each error gives to each pid: one number per
    // worker, a different one for each.
    let mut numbers: std::collections::BTreeMap<u32, String> = Default::default();
    for (i, r) in results.iter().enumerate() {
        let e = r
            .clone()
            .err()
            .unwrap_or_else(|| panic!("input {i} of task `panic` did not fail"));
        assert!(
            e.contains("worker") && e.contains("panicked"),
            "the error for a panicking task must name the worker and say it panicked: {e}"
        );
        if let Some((number, pid)) = worker_and_pid(&e) {
            numbers.insert(pid, number);
        }
    }
    let distinct: BTreeSet<&String> = numbers.values().collect();
    assert!(
        distinct.len() == numbers.len(),
        "the errors name the workers by number and pid, but give the same number to different \
         workers ({numbers:?}, pid: number): each worker's errors must carry its own number"
    );
    let after = values(&p.map("square", &[4], None), "square after the panics");
    assert_eq!(after, [16], "the pool must still work after tasks panicked");
    assert_eq!(
        p.pids(),
        before,
        "after tasks panicked, the pool's workers are not the ones it had: a task that panics \
         does not kill its worker, and a worker that reported a panic goes on serving (the \
         workers are started once and reused)"
    );
}

/// A task that panics on one input of a chunk fails that input only: the
/// worker catches each input's panic, so the other inputs of the same
/// chunk, before and after it, are results.
pub fn a_panic_fails_only_its_input(pool: PoolApi) {
    let mut draw = Draw::new();
    let n = draw.pick(6..=24);
    let inputs: Vec<u64> = (0..n as u64).map(|i| 10 + i).collect();
    // Never the first or last input: a chunk with inputs on both sides.
    let bad = inputs[draw.pick(1..=n - 2)];
    let chunk = draw.pick(3..=n);
    let mut p = Watched::start_faulty(pool, 2, &format!("square:{bad}"));
    let before = p.pids();
    let results = p.map("square", &inputs, Some(chunk));
    let failed: Vec<u64> = inputs
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.is_err())
        .map(|(x, _)| *x)
        .collect();
    assert!(
        failed == [bad],
        "`square` over {n} inputs in chunks of {chunk}, with the course's `square` made to \
         panic on input {bad} only: the inputs that failed were {failed:?}. A panic is that \
         input's error; the other inputs of its chunk still ran and are results (catch the \
         panic around each input, not around the chunk)"
    );
    for (x, r) in inputs.iter().zip(&results) {
        if let Ok((v, _)) = r {
            assert_eq!(*v, x * x, "square({x}) came back as {v}");
        }
    }
    assert_eq!(
        p.pids(),
        before,
        "a task that panicked changed the pool's workers: the worker sends the panic back and \
         goes on serving"
    );
}

/// A worker that dies halfway through writing a reply (a frame's prefix and
/// part of its body, then its end) is a death like any other: the map
/// returns, its inputs are errors naming it, and the pool goes on.
pub fn a_worker_dying_mid_reply_is_a_death(pool: PoolApi) {
    let mut p = start(pool, 2);
    let victim_input = 1;
    let began = Instant::now();
    let results = p.map("torn", &[victim_input], Some(1));
    let took = began.elapsed();
    let e = results
        .first()
        .and_then(|r| r.clone().err())
        .unwrap_or_else(|| {
            panic!(
                "task `torn` writes the start of a reply (a prefix declaring 100 bytes and 14 \
                 of them) and ends its worker with status 1, yet the map returned {results:?}"
            )
        });
    assert!(
        e.contains("worker"),
        "the error for an input whose worker died mid-reply must name the worker: {e}"
    );
    assert!(
        took < Duration::from_secs(4),
        "the map took {took:?} after a worker died halfway through a reply: a broken frame on \
         a worker's stdout is its end, noticed at once"
    );
    values(
        &p.map("square", &[2, 3, 4], Some(1)),
        "square after a worker died mid-reply",
    );
    assert_replaced(&p, &[], "after a worker died mid-reply, and one more map");
}

/// Most chunks a dead worker may take down with it: the one it was
/// computing and the chunks sent ahead to it, which the page keeps to 64.
const MOST_HELD: usize = 1 + 64;

/// How long a map may go on after its worker died before the suite says it
/// hangs (the map itself takes milliseconds).
const MAP_AFTER_DEATH: Duration = Duration::from_secs(3);

/// A worker that dies while chunks are sent ahead to it (quick tasks, many
/// in its pipe) takes down the inputs it held and only those: every one of
/// them is an error naming it, the map returns, and the rest of the map
/// (the other worker's inputs and those not sent yet) still succeeds in the
/// living workers and the replacement. The course's `square` is made to
/// end its worker's process on one drawn input, well into the map.
pub fn a_death_with_chunks_sent_ahead_fails_only_those(pool: PoolApi) {
    let mut draw = Draw::new();
    let n = draw.pick(3000..=8000);
    let chunk = draw.pick(1..=3);
    let fatal = draw.pick(n / 4..=n / 2) as u64;
    let inputs: Vec<u64> = (0..n as u64).collect();
    let mut p = Watched::start_faulty(pool, 2, &format!("square:{fatal}:exit"));
    let status = harness::fault::EXIT_STATUS;
    let said = format!(
        "`square` over 0..{n} in chunks of {chunk} on 2 workers, the worker that runs \
         square({fatal}) ending there with status {status}"
    );
    // A map that waits for answers the dead worker will never send hangs:
    // say so before the suite's time limit cuts the test short.
    let (done, finished) = mpsc::channel::<()>();
    let warning = said.clone();
    let watchdog = thread::spawn(move || {
        if finished.recv_timeout(MAP_AFTER_DEATH).is_err() {
            eprintln!(
                "{warning}: the map had not returned after {MAP_AFTER_DEATH:?}. A dead worker \
                 sends no more answers: every chunk it held, the one it was computing and those \
                 sent ahead to it, is an error at once"
            );
        }
    });
    let began = Instant::now();
    let results = p.map("square", &inputs, Some(chunk));
    let took = began.elapsed();
    let _ = done.send(());
    let _ = watchdog.join();
    assert!(
        took < MAP_AFTER_DEATH,
        "{said}: the map took {took:?}; a dead worker must be noticed at once"
    );
    let failed: Vec<(u64, &String)> = inputs
        .iter()
        .zip(&results)
        .filter_map(|(&x, r)| Some((x, r.as_ref().err()?)))
        .collect();
    let Some((_, fatal_error)) = failed.iter().find(|(x, _)| *x == fatal) else {
        panic!(
            "{said}: input {fatal} did not fail, yet its worker ended there: {:?}",
            results[fatal as usize]
        );
    };
    let Some((_, dead)) = worker_and_pid(fatal_error) else {
        panic!(
            "{said}: the error for input {fatal} must name its worker as `worker N (pid P)`: {fatal_error}"
        );
    };
    for (x, e) in &failed {
        assert!(
            e.contains(&format!("pid {dead}")) && e.contains(&status.to_string()),
            "{said}: input {x} failed with \"{e}\", but only the dead worker's inputs may fail, \
             each error naming it (pid {dead}) and how it ended (status {status})"
        );
    }
    assert!(
        failed.len() <= MOST_HELD * chunk,
        "{said}: {} inputs failed (the first {:?}, the last {:?}), more than the dead worker \
         (pid {dead}) can have held: the chunk it was computing and at most 64 sent ahead, \
         {} inputs. The rest of the map, the other worker's inputs and those not yet sent, goes \
         on in the living workers and the dead one's replacement",
        failed.len(),
        failed.first().map(|f| f.0),
        failed.last().map(|f| f.0),
        MOST_HELD * chunk
    );
    for (x, r) in inputs.iter().zip(&results) {
        if let Ok((v, _)) = r {
            assert_eq!(*v, x * x, "{said}: square({x}) came back as {v}");
        }
    }
    let after = values(&p.map("square", &[3, 4], Some(1)), "square after the death");
    assert_eq!(
        after,
        [9, 16],
        "{said}: the pool must still work afterwards"
    );
    assert_replaced(
        &p,
        &[dead],
        "after a worker died with chunks sent ahead, and one more map",
    );
}

/// A limit on open files under which this process can make no new file,
/// pipe or socket: new descriptors take the lowest free number, which must
/// be below the limit. Those the pool closes (a dead worker's pipes) free
/// numbers above 2, so the limit keeps only the standard three below it,
/// or fewer if one of those is free.
fn no_new_files() -> u64 {
    lowest_free_fd().min(3)
}

/// The lowest file descriptor number this process does not use.
fn lowest_free_fd() -> u64 {
    let used: BTreeSet<u64> = std::fs::read_dir("/proc/self/fd")
        .expect("listing /proc/self/fd")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    (0..).find(|fd| !used.contains(fd)).expect("a free number")
}

/// When every worker is dead and no replacement can be started (this
/// process may open no more files, so no pipe for a new worker), a map has
/// no worker to run its inputs: each is an error, never a result the parent
/// computed itself. Once workers can start again, the pool works.
pub fn with_no_worker_left_every_input_is_an_error(pool: PoolApi) {
    let mut p = start(pool, 2);
    let dead = p.pids();
    let files = no_new_files();
    let results = p.map_with_files_limited("square", &[5, 6, 7], Some(1), files, || {
        for &pid in &dead {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
        // A killed process ends within microseconds; reading /proc to see
        // it would need a file.
        thread::sleep(Duration::from_millis(100));
    });
    assert!(
        results.iter().all(Result::is_err),
        "both workers of a pool of 2 were killed, and this process could open no more files, so \
         no new worker could be started; then `square` over [5, 6, 7] came back as {results:?}. \
         With no worker to run them, every input is an error (saying no worker was left): the \
         tasks run in the workers, never in the parent"
    );
    let after = values(
        &p.map("square", &[3, 4], Some(1)),
        "square once workers could be started again",
    );
    assert_eq!(
        after,
        [9, 16],
        "the pool must work again once workers can be started"
    );
    assert_replaced(
        &p,
        &dead,
        "after every worker was killed, and two more maps",
    );
}

/// After a map in which workers died and one more map, the pool has as
/// many workers as it was started with, all running, none of them the dead.
/// (One more map: a pool may replace a worker that died at the end of a map
/// when the next one begins.)
fn assert_replaced(p: &Watched, dead: &[u32], after: &str) {
    let pids = p.pids();
    let alive = watched::running(&pids);
    assert!(
        pids.len() == p.workers() && alive.len() == p.workers(),
        "{after}, the pool has {} workers running (it reports pids {pids:?}, of which {} run): a \
         dead worker is replaced at once, so a pool of {} keeps {} workers, however many die",
        alive.len(),
        alive.len(),
        p.workers(),
        p.workers()
    );
    if let Some(d) = dead.iter().find(|d| pids.contains(d)) {
        panic!("{after}, the pool still lists pid {d}, which died, among its workers: {pids:?}");
    }
}

/// A worker killed with SIGKILL while it holds inputs: those inputs are
/// errors naming the worker and the signal, the other worker's inputs
/// succeed, the map returns within seconds, and the pool works afterwards.
pub fn a_killed_worker_is_an_error_naming_it(pool: PoolApi) {
    let mut p = start(pool, 2);
    let victim = p.pids()[0];
    let killer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(150));
        kill(Pid::from_raw(victim as i32), Signal::SIGKILL)
    });
    let began = Instant::now();
    let results = p.map("sleep_ms", &[400; 4], Some(1));
    let took = began.elapsed();
    killer
        .join()
        .expect("killer thread")
        .expect("killing the worker");
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        !failed.is_empty(),
        "worker {victim} was killed while it held inputs, yet every input succeeded: {results:?}"
    );
    for e in &failed {
        assert!(
            e.contains(&victim.to_string()) && (e.contains("SIGKILL") || e.contains("signal 9")),
            "the error for an input lost with a killed worker must name the worker (pid {victim}) \
             and how it ended (SIGKILL): {e}"
        );
    }
    assert!(
        results.iter().any(|r| r.is_ok()),
        "the other worker's inputs must still succeed: {results:?}"
    );
    assert!(
        took < Duration::from_secs(4),
        "the map took {took:?} after a worker was killed: a dead worker must be noticed at once"
    );
    let after = values(&p.map("square", &[3, 4], Some(1)), "square after the kill");
    assert_eq!(
        after,
        [9, 16],
        "the pool must still work after a worker was killed"
    );
    assert_replaced(&p, &[victim], "after a worker was killed, and one more map");
}

/// A task that calls `exit(3)` ends its worker: an error saying so, not a
/// hang (CPython's `Pool.map` waits forever here).
pub fn a_worker_that_exits_is_an_error_not_a_hang(pool: PoolApi) {
    let mut p = start(pool, 2);
    // A task that exits must never run in the test's own process: it would
    // end the test binary without a word.
    let me = std::process::id();
    let probe = p.map("square", &[2, 3], Some(1));
    values(&probe, "square before the exits");
    assert!(
        !pids_of(&probe).contains(&me),
        "tasks ran in pid {me}, the parent's own process; task `exit` would end it: a process \
         pool must run its tasks in its worker processes"
    );
    let results = p.map("exit", &[3], Some(1));
    let e = results
        .first()
        .and_then(|r| r.clone().err())
        .unwrap_or_else(|| {
            panic!("task `exit` ended its worker, yet the map returned {results:?}")
        });
    assert!(
        e.contains("worker") && e.contains("exited") && e.contains('3'),
        "the error for an input whose worker exited must name the worker and its exit status (3): {e}"
    );
    values(
        &p.map("square", &[6, 7], Some(1)),
        "square after a worker exited",
    );
    assert_replaced(
        &p,
        &[],
        "after a task called `exit` in a worker, and one more map",
    );
    // Every worker dies, again and again: still an answer for every input.
    let results = p.map("exit", &[4, 5, 6, 7], Some(1));
    assert!(
        results.len() == 4 && results.iter().all(|r| r.is_err()),
        "task `exit` on 4 inputs ends a worker each time; the map must still return an error \
         for each input (start a replacement, or fail what is left), not hang: {results:?}"
    );
    let after = values(
        &p.map("square", &[5], None),
        "square after every worker exited",
    );
    assert_eq!(
        after,
        [25],
        "the pool must still work after its workers exited"
    );
    assert_replaced(
        &p,
        &[],
        "after tasks called `exit` on 4 inputs, and one more map",
    );
    // However many die: rounds of deaths (two or three each), drawn, far
    // past a handful and past a "budget" of 64 or 128 replacements (round
    // 16's `pool/02`).
    let mut draw = Draw::new();
    let rounds = draw.pick(64..=70);
    let mut ever: BTreeSet<u32> = p.pids().into_iter().collect();
    for round in 0..rounds {
        ever.extend(p.pids());
        let results = p.map("exit", &[1, 2, 3], Some(1));
        assert!(
            results.iter().all(|r| r.is_err()),
            "round {round} of {rounds} of `exit` on 3 inputs: {results:?}"
        );
        let after = p.map("square", &[round as u64, 9], Some(1));
        let want = [(round * round) as u64, 81];
        assert!(
            after
                .iter()
                .map(|r| r.as_ref().ok().map(|(v, _)| *v))
                .eq(want.map(Some)),
            "`square` over [{round}, 9] after round {round} of {rounds} of deaths (at least {} \
             workers died so far) gave {after:?}: a dead worker is replaced and the pool goes on \
             computing, however many die",
            6 + 2 * round
        );
    }
    assert_replaced(
        &p,
        &[],
        &format!("after {rounds} more rounds of `exit` on 3 inputs, and one more map"),
    );
    // Every worker that ever served this pool, dead ones included, is gone
    // once it is dropped: none left a zombie.
    ever.extend(p.pids());
    drop(p);
    crate::gone::assert_gone_at_once(
        &ever.into_iter().collect::<Vec<_>>(),
        &format!(
            "when drop of a pool whose workers died {} times or more had returned",
            5 + 3 * rounds
        ),
    );
}

/// A worker busy with a long task is busy, not dead: a task drawn between
/// 0.3 and 1.5 s longer than the pool's own hello limit and than 4 s
/// (longer than any other wait of the suite or of the pool) comes back as
/// a result, from the same workers.
pub fn a_long_task_is_not_a_death(pool: PoolApi) {
    let mut p = start(pool, 2);
    let before = p.pids();
    // Capped at 5 s: the suite gives a check 8 s.
    let longest_wait = pool
        .hello_limit
        .clamp(Duration::from_secs(4), Duration::from_secs(5));
    let ms = longest_wait.as_millis() as u64 + Draw::new().pick(300..=1500) as u64;
    let long = Duration::from_millis(ms);
    let results = p.map("sleep_ms", &[ms, ms], Some(1));
    for (i, r) in results.iter().enumerate() {
        if let Err(e) = r {
            panic!(
                "input {i}, a task that sleeps {long:?}, failed: {e}. No worker died: a \
                 worker is dead when its process ends, not when it has been quiet for a while \
                 (a task may take as long as it takes)"
            );
        }
    }
    assert_eq!(
        p.pids(),
        before,
        "a map of two {long:?} tasks changed the pool's workers, although none died"
    );
}

/// Dropping a pool ends and waits for every worker.
pub fn dropping_the_pool_leaves_no_process(pool: PoolApi) {
    assert!(children::available(), "this check reads /proc (Linux)");
    let mut p = start(pool, 2);
    values(&p.map("square", &[1, 2, 3], None), "square");
    let pids = p.pids();
    drop(p);
    crate::gone::assert_gone_at_once(&pids, "when drop of the pool had returned");
    a_worker_whose_stdin_ends_ends(pool);
}

/// The program started by hand as worker 0 with its stdin already at its
/// end, as a worker whose parent died without dropping the pool: it must
/// end by itself, within 2 s (it serves until the end of its stdin, and
/// then returns), not read again and again for a parent that is gone.
fn a_worker_whose_stdin_ends_ends(pool: PoolApi) {
    let mut child = std::process::Command::new((pool.program)())
        .env(pool.role_var, "0")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("starting the program as a worker");
    let began = Instant::now();
    let ended = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if began.elapsed() > Duration::from_secs(2) {
            break None;
        }
        thread::sleep(Duration::from_millis(5));
    };
    if ended.is_none() {
        let cpu = children::cpu_time_of(&[child.id()]);
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the program started as worker 0 ({}=0) with its stdin already at its end was still \
             running 2 s later (it had used {cpu:?} of CPU): a worker serves until its stdin \
             ends, then returns. One that reads again at the end of its stdin outlives a parent \
             that died without dropping the pool, an orphan that never ends",
            pool.role_var
        );
    }
}

/// Dropping a pool kills its workers rather than waiting for them to
/// finish: a worker that does not end by itself (here one stopped with
/// SIGSTOP, as a worker stuck in a long task would be) must not keep the
/// parent waiting in `Drop`.
pub fn dropping_the_pool_kills_its_workers(pool: PoolApi) {
    assert!(children::available(), "this check reads /proc (Linux)");
    // From 4 to 8 workers: a grace period per worker shows as it grows.
    let workers = Draw::new().pick(4..=8);
    let mut p = start(pool, workers);
    values(
        &p.map("square", &(1..=workers as u64).collect::<Vec<_>>(), Some(1)),
        "square",
    );
    let pids = p.pids();
    for &pid in &pids {
        kill(Pid::from_raw(pid as i32), Signal::SIGSTOP).expect("stopping a worker");
    }
    // A watchdog frees a Drop stuck waiting (it kills the workers itself)
    // and says so.
    let (tx, rx) = mpsc::channel::<()>();
    let stopped = pids.clone();
    let watchdog = thread::spawn(move || {
        let stuck = rx.recv_timeout(Duration::from_secs(3)).is_err();
        if stuck {
            for &pid in &stopped {
                let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
        }
        stuck
    });
    let began = Instant::now();
    drop(p);
    let took = began.elapsed();
    let _ = tx.send(());
    let ended = !watchdog.join().expect("the watchdog");
    assert!(
        ended,
        "dropping a pool whose workers do not end by themselves (stopped with SIGSTOP, as a \
         worker busy with a long task) did not return within 3 s: Drop must kill the workers \
         (SIGKILL), then wait for them, not wait for them to finish"
    );
    assert!(
        took < DROP_WITHIN,
        "dropping a pool whose {workers} workers were stopped (SIGSTOP, as workers busy with a \
         long task) took {took:?}: Drop must kill the workers at once, then wait for them; a grace period \
         for them to finish keeps the parent waiting, and the more so the more workers (at most \
         {DROP_WITHIN:?} here, for killing and reaping {workers} processes)"
    );
    crate::gone::assert_gone_at_once(
        &pids,
        "when drop of the pool with stopped workers had returned",
    );
}

/// How long dropping a pool of up to 8 stopped workers may take: killing
/// and reaping one takes well under a millisecond; the rest is room for a
/// busy machine.
const DROP_WITHIN: Duration = Duration::from_millis(500);

/// A panic in the parent while it holds a pool still ends the workers: the
/// pool's `Drop` runs during unwinding.
pub fn a_panic_in_the_parent_ends_the_workers(pool: PoolApi) {
    let (tx, rx) = mpsc::channel();
    let parent = thread::spawn(move || {
        let p = start(pool, 2);
        tx.send(p.pids()).expect("the test waits");
        panic!("the parent panics while it holds the pool");
    });
    let Ok(pids) = rx.recv() else {
        // The pool did not start: show why.
        match parent.join() {
            Err(payload) => std::panic::resume_unwind(payload),
            Ok(()) => unreachable!("the thread panics"),
        }
    };
    assert!(parent.join().is_err(), "the parent thread panicked");
    assert_gone(&pids, "after the parent panicked holding the pool");
}

/// CPU time of the calling thread alone (`RUSAGE_THREAD`).
fn thread_cpu_time() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_THREAD).map_or(Duration::ZERO, |u| {
        let t = |tv: nix::sys::time::TimeVal| {
            Duration::from_secs(tv.tv_sec().max(0) as u64)
                + Duration::from_micros(tv.tv_usec().max(0) as u64)
        };
        t(u.user_time()) + t(u.system_time())
    })
}

/// The same integer hash as the pool's `spin` task (`n` rounds), so the
/// suite can measure here what one task costs.
fn spin_here(n: u64) -> u64 {
    let mut x = n ^ 0x9E37_79B9_7F4A_7C15;
    for i in 0..n {
        x = x.rotate_left(5) ^ i;
        x = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
    }
    x
}

/// The CPU work is done by the workers: 8 `spin` tasks of about 30 ms of
/// CPU each raise the CPU time of the pool's worker processes (read from
/// `/proc`) by most of that work, and the test's own process by little of
/// it. CPU time, not wall time: a loaded machine makes the map slower, not
/// cheaper. A pool that computes in the parent's threads and stamps the
/// results with its workers' pids fails here.
pub fn the_workers_do_the_cpu_work(pool: PoolApi) {
    const TASKS: u64 = 8;
    assert!(children::available(), "this check reads /proc (Linux)");
    // How many rounds cost about 30 ms of CPU on this machine, measured in
    // this thread.
    let probe = 2_000_000;
    let before = thread_cpu_time();
    std::hint::black_box(spin_here(std::hint::black_box(probe)));
    let probe_cost = (thread_cpu_time() - before).max(Duration::from_micros(100));
    let rounds = (probe as f64 * 0.030 / probe_cost.as_secs_f64()).clamp(1e5, 1e9) as u64;
    let before = thread_cpu_time();
    let want = spin_here(std::hint::black_box(rounds));
    let one = thread_cpu_time() - before;
    let work = one * TASKS as u32;

    let mut p = start(pool, 2);
    let workers = p.pids();
    let workers_before = children::cpu_time_of(&workers);
    let parent_before = harness::clock::process_cpu_time();
    let results = p.map("spin", &vec![rounds; TASKS as usize], Some(1));
    let parent = harness::clock::process_cpu_time().saturating_sub(parent_before);
    let in_workers = children::cpu_time_of(&workers).saturating_sub(workers_before);
    let got = values(&results, "spin over 8 inputs");
    assert!(
        got.iter().all(|&v| v == want),
        "spin({rounds}) must give {want} in every place; the pool returned {got:?}"
    );
    let human = harness::clock::human;
    assert!(
        in_workers.as_secs_f64() >= 0.6 * work.as_secs_f64(),
        "8 spin tasks cost about {} of CPU, yet the pool's worker processes {workers:?} used only {} of CPU while they ran (and the test's own process {}): the work must be computed in the worker processes, not in the parent's threads with the workers' pids written on the results",
        human(work),
        human(in_workers),
        human(parent)
    );
    assert!(
        parent.as_secs_f64() <= 0.4 * work.as_secs_f64(),
        "8 spin tasks cost about {} of CPU and the workers used {}, but the test's own process used {} too: the parent must send the inputs and wait for answers, not compute them (or spin while it waits)",
        human(work),
        human(in_workers),
        human(parent)
    );
}

/// The marker a re-executed suite prints before what `Pool::start` said.
const MARK: &str = "POOL START IN A WORKER WITHOUT ROLE CHECK: ";

/// A program started as a worker that never called `worker_role()` and
/// starts a pool anyway: `Pool::start` refuses at once, with a message that
/// names the missing check. The suite's own test binary plays that program
/// (it never checks a role): it runs again, alone, as a worker.
pub fn a_missing_role_check_is_named(pool: PoolApi) {
    const NAME: &str = "a_missing_role_check_is_named";
    if std::env::var_os(pool.role_var).is_some() {
        // The re-executed copy: a "worker" whose main forgot its role.
        match (pool.start)(&(pool.program)(), 1) {
            Ok(_) => println!("{MARK}started"),
            Err(e) => println!("{MARK}{e}"),
        }
        return;
    }
    let me = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(me)
        .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
        .env(pool.role_var, "0")
        .env_remove("COURSE_RESULTS")
        .output()
        .expect("re-executing the test binary");
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(said) = text
        .lines()
        .find_map(|l| l.split_once(MARK).map(|(_, s)| s))
    else {
        // Its panic, without libtest's own lines (they would read as this
        // process's tests).
        let both = format!("{text}\n{}", String::from_utf8_lossy(&out.stderr));
        let said: Vec<&str> = both
            .lines()
            .filter(|l| {
                ["test ", "---- ", "running ", "failures"]
                    .iter()
                    .all(|p| !l.starts_with(p))
            })
            .filter(|l| !l.trim().is_empty())
            .collect();
        panic!(
            "the re-executed test printed nothing about Pool::start; it said:\n{}",
            said.join("\n")
        );
    };
    assert!(
        said.contains("worker_role"),
        "in a process started as a worker ({}=0) whose main never called worker_role(), \
         Pool::start must refuse with a message naming the missing check (`worker_role`); it \
         said: {said}",
        pool.role_var
    );
}

/// A task that starts a pool of its own, whose worker runs the same task
/// again: pools within pools. The depth fuse must stop it with an error
/// that says so, not let it spawn without end.
pub fn nested_pools_are_fused(pool: PoolApi) {
    let mut p = start(pool, 1);
    let from = crate::wrapper::census_len();
    let results = p.map("nest", &[7], Some(1));
    let (new, _) = crate::wrapper::census_since(from);
    let nesting: BTreeSet<u32> = harness::census::parse_served(&new)
        .into_iter()
        .filter(|s| s.task == "nest")
        .map(|s| s.pid)
        .collect();
    let e = results
        .first()
        .and_then(|r| r.clone().err())
        .unwrap_or_else(|| panic!("task `nest` starts pools within pools without end, yet the map returned {results:?}"));
    assert!(
        e.contains("nested") && e.contains("deep"),
        "pools nested without end must stop at the depth limit with an error that says how \
         deep they were nested; the error was: {e}"
    );
    let first_refused = format!("nested {} deep", pool.max_depth + 1);
    assert!(
        e.contains(&first_refused),
        "pools may nest {} deep (MAX_DEPTH): the first pool refused is the one {first_refused}, \
         but the error was: {e}",
        pool.max_depth
    );
    // Every `nest` ran in a worker one level deeper than the last: as many
    // processes ran it as there are levels of workers.
    assert!(
        nesting.len() == pool.max_depth as usize,
        "task `nest` ran in {} processes ({nesting:?}), one per level of workers: pools may \
         nest {} deep, so {} levels of workers run it and the pool that would start a level \
         deeper is refused (the census counts every process that ran `nest`)",
        nesting.len(),
        pool.max_depth,
        pool.max_depth
    );
}

/// A `start` that fails because a worker cannot even be spawned, after
/// others were (too many open files, too many processes), leaves none of
/// those behind, running or zombie. Made by lowering this process's limit
/// on open files step by step while `Pool::start` starts 6 workers (the
/// suite's checks run one at a time, so nothing else here opens files
/// meanwhile; the limit is restored as soon as `start` returns).
pub fn a_start_that_cannot_spawn_leaves_nothing(pool: PoolApi) {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    const WORKERS: usize = 6;
    // The worker's own complaints about the limit it inherited are noise.
    let w = crate::wrapper::wrapper(&(pool.program)(), "quiet-worker", "exec 2>/dev/null\n");
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("reading RLIMIT_NOFILE");
    let open = std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count) as u64;
    let mut failures = Vec::new();
    // Children are counted from /proc, not from the wrapper's log: at the
    // lowest limits a wrapper cannot open its log. The checks run one at a
    // time, so a child that was not there before is this start's.
    let me = std::process::id();
    let children_now =
        || -> BTreeSet<u32> { children::children_of(me).iter().map(|s| s.pid).collect() };
    let earlier = children_now();
    for extra in 0..=32u64 {
        let logged = w.pids().len();
        let limit = (open + extra).min(hard);
        // Nor are the shell's, which come before the wrapper's first line:
        // the workers started meanwhile write their standard error nowhere.
        let quiet = harness::quiet::Quiet::stderr().expect("sending descriptor 2 to /dev/null");
        setrlimit(Resource::RLIMIT_NOFILE, limit, hard).expect("lowering RLIMIT_NOFILE");
        let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            (pool.start)(&w.path, WORKERS)
        }));
        setrlimit(Resource::RLIMIT_NOFILE, soft, hard).expect("restoring RLIMIT_NOFILE");
        drop(quiet);
        let pids: Vec<u32> = children_now().difference(&earlier).copied().collect();
        // Workers spawned: those whose wrapper could log its pid, or more.
        let spawned = w.pids().len().saturating_sub(logged).max(pids.len());
        let said = match started {
            Err(payload) => {
                // The panic goes on as it is (a stub's `todo!()` stays one),
                // after saying where it happened.
                eprintln!(
                    "with at most {limit} open files in this process, Pool::start of {WORKERS} \
                     workers panicked (after starting {spawned} of them): a worker that cannot \
                     be started is an error that `start` returns"
                );
                std::panic::resume_unwind(payload)
            }
            Ok(Ok(p)) => {
                drop(p);
                None
            }
            Ok(Err(e)) => Some(e),
        };
        let until = Instant::now() + Duration::from_millis(500);
        let mut left = children::still_ours(&pids);
        while !left.is_empty() && Instant::now() < until {
            thread::sleep(Duration::from_millis(10));
            left = children::still_ours(&pids);
        }
        if let Some(e) = &said {
            failures.push(spawned);
            assert!(
                left.is_empty(),
                "with at most {limit} open files in this process, Pool::start of {WORKERS} \
                 workers failed ({e}) after {} workers were started; 500 ms later {} of them \
                 were still this process's children ({}): a `start` that fails kills and waits \
                 for every worker it started, also when a later one could not be spawned",
                spawned,
                left.len(),
                left.iter()
                    .map(|s| format!(
                        "pid {} {}",
                        s.pid,
                        if s.state == 'Z' {
                            "a zombie"
                        } else {
                            "running"
                        }
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        } else {
            assert!(
                left.is_empty(),
                "a pool of {WORKERS} was dropped, yet 500 ms later {} of its workers were still \
                 this process's children",
                left.len()
            );
        }
    }
    assert!(
        failures.iter().any(|&n| n > 0),
        "with this process's open files limited to between {open} and {} , no Pool::start of \
         {WORKERS} workers failed after starting some workers (workers started before each \
         failure: {failures:?}), so this check could not judge a failed spawn",
        open + 32
    );
}

/// Three workers, of which one (worker 1) exits 300 ms after it starts
/// without a word, while the others say hello at once: `Pool::start` waits
/// for every worker's hello, so it fails, saying so, as soon as that worker
/// ends, instead of returning a pool whose worker is already gone; and the
/// workers it did start are gone too (killed and waited for, none left
/// running or a zombie).
pub fn start_waits_for_every_hello(pool: PoolApi) {
    let began = Instant::now();
    let watched::StartedWith { pool: got, started } =
        watched::start_with(pool, 3, Worker1::ExitsBeforeHello);
    let took = began.elapsed();
    match got {
        Ok(p) => {
            let pids = p.pids();
            drop(p);
            panic!(
                "Pool::start with 3 workers, of which worker 1 exits 300 ms in without saying \
                 hello, returned a pool after {took:?} (workers {pids:?}): start must wait for \
                 every worker's hello, not the first, and fail when one ends first"
            )
        }
        Err(e) => {
            assert!(
                e.contains("hello"),
                "Pool::start, whose worker 1 exits before it says hello, must fail saying that \
                 worker never said hello; it said: {e}"
            );
            assert!(
                took < pool.hello_limit,
                "Pool::start took {took:?} to fail, although worker 1 ended 300 ms in: a worker \
                 that ends before its hello is a failure at once, not at HELLO_LIMIT ({:?})",
                pool.hello_limit
            );
        }
    }
    assert_gone(
        &started,
        "after Pool::start failed (a worker exited before its hello), of the workers it started",
    );
    // A worker whose first frame is not its hello (a well-formed `Done`,
    // then the hello) has not said hello first: start fails, and leaves
    // none of its workers (round 23's `pool/08` took any first frame for
    // a hello).
    let watched::StartedWith { pool: got, started } =
        watched::start_with(pool, 3, Worker1::SpeaksBeforeHello);
    match got {
        Ok(p) => {
            let pids = p.pids();
            drop(p);
            panic!(
                "Pool::start with 3 workers, of which worker 1 sends a `Done` frame before its \
                 hello, returned a pool (workers {pids:?}): a worker's first frame is its hello, \
                 and a worker that says something else first has not started as a worker \
                 should (PoolError::NoHello)"
            )
        }
        Err(e) => assert!(
            e.contains("hello"),
            "Pool::start, whose worker 1 sends a `Done` frame before its hello, must fail saying \
             that worker did not say hello first; it said: {e}"
        ),
    }
    assert_gone(
        &started,
        "after Pool::start failed (a worker spoke before its hello), of the workers it started",
    );
    // The same death beside a silent worker, after it and before it in
    // the pool's order: nothing to wait for can hold the failure back,
    // whichever worker a `start` looks at first.
    for silent in [2, 0] {
        let began = Instant::now();
        let watched::StartedWith { pool: got, started } =
            watched::start_with(pool, 3, Worker1::ExitsBesideSilent(silent));
        let took = began.elapsed();
        let soon = pool.hello_limit / 2;
        match got {
            Ok(p) => {
                drop(p);
                panic!(
                    "Pool::start with 3 workers, of which worker 1 exits 300 ms in and worker \
                     {silent} never says a word, returned a pool after {took:?}"
                )
            }
            Err(e) => assert!(
                took < soon,
                "Pool::start with 3 workers, of which worker 1 exits 300 ms in without its \
                 hello while worker {silent} stays silent, failed after {took:?} ({e}): a worker \
                 that ends before its hello is a failure at once, even while another worker, \
                 before or after it, has not said hello yet; waiting for the silent one first \
                 takes HELLO_LIMIT ({:?})",
                pool.hello_limit
            ),
        }
        assert_gone(
            &started,
            "after Pool::start failed (a worker exited beside a silent one), of the workers it \
             started",
        );
    }
}

/// Three workers: worker 0 says hello at once, worker 1 a drawn 70 to 85 %
/// of `HELLO_LIMIT` after it starts, and worker 2 never says a word and
/// never ends (`sleep`). `Pool::start` gives up at `HELLO_LIMIT`, counted
/// from the start for every worker, with an error that says so, instead of
/// waiting forever or restarting the limit at each hello (which would give
/// up near 1.8 times the limit), and leaves none of the workers it started
/// behind, the silent one included.
pub fn a_worker_that_never_says_hello_is_given_up(pool: PoolApi) {
    let late = pool.hello_limit * Draw::new().pick(70..=85) as u32 / 100;
    let began = Instant::now();
    let watched::StartedWith { pool: got, started } =
        watched::start_with(pool, 3, Worker1::LateBesideSilent(late));
    let took = began.elapsed();
    let said = format!(
        "Pool::start with 3 workers, of which worker 1 says hello {late:?} after it starts and \
         worker 2 never says a word (HELLO_LIMIT {:?})",
        pool.hello_limit
    );
    match got {
        Ok(p) => {
            let pids = p.pids();
            drop(p);
            panic!(
                "{said}, returned a pool after {took:?} (workers {pids:?}): start must wait for \
                 every hello, at most HELLO_LIMIT, then fail"
            )
        }
        Err(e) => {
            assert!(
                e.contains("hello"),
                "{said}, failed saying: {e}; it must say a worker never said hello in time"
            );
            assert!(
                took < pool.hello_limit + Duration::from_secs(2),
                "{said}, gave up after {took:?}: at HELLO_LIMIT at the latest, for the silent \
                 worker too. The limit counts from the start for every worker, not from the \
                 last hello, or slow hellos one after another would stretch it without end"
            );
        }
    }
    assert_gone(
        &started,
        "after Pool::start gave up on a silent worker, of the workers it started",
    );
}

/// The workers run at once: 8 tasks that each wait 50 ms, on 4 workers,
/// take about 100 ms, not 400. Waiting needs no core, so a machine busy
/// with other programs cannot blur this the way it blurs CPU speedups; a
/// pool that waits for each answer before it sends the next request fails
/// it. The reference is 4 threads that wait twice each.
pub fn workers_run_at_once(pool: PoolApi) {
    const WORKERS: usize = 4;
    const TASKS: usize = 8;
    const WAIT: Duration = Duration::from_millis(50);
    let mut p = start(pool, WORKERS);
    let mut reference = || {
        thread::scope(|s| {
            for _ in 0..WORKERS {
                s.spawn(|| {
                    for _ in 0..TASKS / WORKERS {
                        thread::sleep(WAIT);
                    }
                });
            }
        })
    };
    let inputs = vec![WAIT.as_millis() as u64; TASKS];
    let mut candidate = || {
        for r in p.map("sleep_ms", &inputs, Some(1)) {
            r.unwrap_or_else(|e| panic!("sleep_ms failed in the pool: {e}"));
        }
    };
    harness::WaitCheck::new("the pool's workers run at once", TASKS, WAIT)
        .in_flight(WORKERS)
        .hint(
            "send a chunk to every worker before you wait for any answer; a pool that waits \
             for each answer before sending the next request keeps one worker busy at a time.",
        )
        .run(&mut reference, &mut candidate)
        .assert_pass();
}

/// The most the demo of [`the_default_pool_has_one_worker_per_core`] may
/// take: it starts a pool and maps 8 short `spin` tasks (well under a
/// second, on any number of cores).
const DEMO_WITHIN: Duration = Duration::from_secs(5);

/// What the pool's program printed when run as its demo.
struct Demo {
    /// The demo's own pid.
    pid: u32,
    /// How it ended and what it printed.
    output: std::process::Output,
    /// "8 inputs in N workers, ...": N.
    workers: Option<usize>,
    /// "spin(I) = V in pid P": every P.
    pids: BTreeSet<u32>,
    /// Whether the preload shim, when one was asked for, was loaded into
    /// the demo (without it the demo saw the machine's own CPUs).
    shim_loaded: bool,
}

impl Demo {
    /// Runs the pool's program without a role (its demo), allowed to run
    /// on `cpu` only when that is given (as `taskset -c cpu` would), and
    /// told by the preload shim that the machine has `pretend` CPUs when
    /// that is given ([`harness::shim`]).
    fn run(pool: PoolApi, check: &str, cpu: Option<usize>, pretend: Option<usize>) -> Demo {
        let program = (pool.program)();
        let mut command = Command::new(&program);
        command
            .env_remove(pool.role_var)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let shim = pretend.map(|n| {
            let options = harness::shim::Options {
                cpus: Some(n),
                ..Default::default()
            };
            harness::shim::Preloaded::into(&mut command, options)
        });
        // A child starts with the CPUs of the thread that started it: a
        // thread of its own, narrowed first, starts the demo.
        let child = thread::scope(|s| {
            s.spawn(|| {
                if let Some(cpu) = cpu {
                    let mut one = nix::sched::CpuSet::new();
                    one.set(cpu).expect("a CPU number the machine has");
                    nix::sched::sched_setaffinity(Pid::from_raw(0), &one)
                        .expect("narrowing a thread to one CPU");
                }
                command.spawn()
            })
            .join()
            .expect("the thread that starts the demo")
        })
        .unwrap_or_else(|e| panic!("[{check}] could not run {}: {e}", program.display()));
        let pid = child.id();
        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(child.wait_with_output());
        });
        let output = match finished.recv_timeout(DEMO_WITHIN) {
            Ok(Ok(output)) => output,
            Ok(Err(e)) => panic!("[{check}] waiting for the demo (pid {pid}): {e}"),
            Err(_) => {
                let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
                let _ = finished.recv_timeout(Duration::from_secs(1));
                panic!(
                    "[{check}] the pool's program, run without a role (its demo: `Pool::new()`, \
                     then `spin` over 8 inputs), did not end within {DEMO_WITHIN:?}"
                );
            }
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let workers = stdout.lines().find_map(|l| {
            let (_, rest) = l.split_once(" inputs in ")?;
            rest.split_once(" workers")?.0.trim().parse().ok()
        });
        let pids = stdout
            .lines()
            .filter(|l| l.starts_with("spin("))
            .filter_map(|l| l.rsplit_once(" in pid ")?.1.trim().parse().ok())
            .collect();
        Demo {
            pid,
            output,
            workers,
            pids,
            shim_loaded: shim.is_none_or(|shim| shim.loaded()),
        }
    }

    fn said(&self) -> String {
        format!(
            "it printed:\n{}{}",
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }

    /// Fails the check unless the demo's pool had `cores` workers (`on`:
    /// where it ran, for the message) and its results came from them.
    fn judge(&self, check: &str, cores: usize, on: &str) {
        let Some(workers) = self.workers else {
            panic!(
                "[{check}] the pool's program, run without a role, is its demo: `Pool::new()`, \
                 then `spin` over 8 inputs, and a last line \"8 inputs in N workers, ...\". It \
                 ended ({}) without that line; {}",
                self.output.status,
                self.said()
            );
        };
        assert!(
            workers == cores,
            "[{check}] `Pool::new()` started a pool of {workers} workers {on}, where \
             `std::thread::available_parallelism()` is {cores}: the default is one worker per \
             core the program may use (`default_workers()`), as CPython's `Pool()` does. (The \
             program's demo said so; {})",
            self.said()
        );
        let pids = &self.pids;
        assert!(
            self.output.status.success()
                && pids.len() <= cores
                && !pids.is_empty()
                && !pids.contains(&self.pid),
            "[{check}] the demo's `spin` results came from the processes {pids:?} (the demo is \
             pid {}, its pool has {workers} workers) and it ended with {}: every result must \
             come from one of the pool's workers; {}",
            self.pid,
            self.output.status,
            self.said()
        );
    }
}

/// `Pool::new()` starts one worker per core the program may use. The
/// pool's program, run plainly (no role), is its demo: it starts
/// `Pool::new()` (which uses the program itself, `current_exe`, as the
/// workers' program: the suite's own test binary cannot be one), maps
/// `spin` over 8 inputs, prints each result with the pid that computed it,
/// and then how many workers the pool has. That number must be
/// `std::thread::available_parallelism()`, and the results must come from
/// that many processes at most, none of them the demo's own. Then again
/// with the demo allowed to run on one CPU only (its affinity, as
/// `taskset` or a container sets it): one worker.
pub fn the_default_pool_has_one_worker_per_core(pool: PoolApi) {
    let check = "the default pool has one worker per core";
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    Demo::run(pool, check, None, None).judge(check, cores, "on this machine");
    // More cores than this machine has, as the preload shim reports them
    // to `available_parallelism`: a default capped at 8 (round 16's
    // `pool/06`), 16 (round 20's `pool/03`), 64 or 128 (round 23's
    // `pool/02`) shows only past the cap.
    let more = Draw::new().pick(129..=192);
    let pretended = Demo::run(pool, check, None, Some(more));
    if pretended.shim_loaded {
        pretended.judge(
            check,
            more,
            &format!(
                "on a machine of {more} CPUs (the suite's preload shim reports them to \
                 `sched_getaffinity`, which `available_parallelism` reads)"
            ),
        );
    } else {
        harness::speedup::not_judged(
            check,
            &format!(
                "the preload shim ({}) was not loaded into the demo, so a machine of more than \
                 {cores} CPUs could not be shown to it",
                harness::shim::shared_object().display()
            ),
        );
    }
    let mine = nix::sched::sched_getaffinity(Pid::from_raw(0)).expect("this thread's CPUs");
    let allowed: Vec<usize> = (0..nix::sched::CpuSet::count())
        .filter(|&c| mine.is_set(c).unwrap_or(false))
        .collect();
    if allowed.len() > 1 {
        let cpu = allowed[Draw::new().pick(0..=allowed.len() - 1)];
        Demo::run(pool, check, Some(cpu), None).judge(
            check,
            1,
            &format!("in a program allowed to run on CPU {cpu} only (`taskset -c {cpu}`)"),
        );
    } else {
        eprintln!(
            "[{check}] this process may run on one CPU only: the demo was not run again on one \
             CPU of several"
        );
    }
}

crate::declare_suite!($ pool: PoolApi = pool_adapter! [
    results_come_back_in_input_order,
    tasks_run_in_worker_processes,
    the_workers_do_the_cpu_work,
    workers_are_reused,
    chunks_set_the_frames,
    a_panicking_task_is_an_error_for_its_input,
    a_panic_fails_only_its_input,
    a_killed_worker_is_an_error_naming_it,
    a_worker_that_exits_is_an_error_not_a_hang,
    a_worker_dying_mid_reply_is_a_death,
    a_death_with_chunks_sent_ahead_fails_only_those,
    with_no_worker_left_every_input_is_an_error,
    a_long_task_is_not_a_death,
    dropping_the_pool_leaves_no_process,
    dropping_the_pool_kills_its_workers,
    a_panic_in_the_parent_ends_the_workers,
    a_missing_role_check_is_named,
    nested_pools_are_fused,
    a_start_that_cannot_spawn_leaves_nothing,
    start_waits_for_every_hello,
    a_worker_that_never_says_hello_is_given_up,
    workers_run_at_once,
    the_default_pool_has_one_worker_per_core,
    dropping_never_waits_by_the_clock,
]);

/// A source witness: a pool dropped at once, then what `drop` reaches in
/// `src/lib.rs` must call nothing that sleeps, waits with a time-out,
/// checks without waiting or reads the clock ([`crate::polls`]): a grace
/// period before the kill, polled with `try_wait`, stays inside what the
/// timed drop check allows (round 13, `pool/01`), and the source shows it.
pub fn dropping_never_waits_by_the_clock(pool: PoolApi) {
    drop(start(pool, 1));
    // The crate's modules in files of their own are read with `src/lib.rs`
    // (a wait hidden in `role.rs` shows); any other module file is refused.
    crate::pure::with_modules(pool.modules, || {
        crate::polls::refuse_calls_from(
            "dropping never waits by the clock",
            pool.drop_code,
            None,
            "The page promises that dropping the pool kills every worker, then waits for each: \
             it does not give them time to finish. `kill()`, then `wait()`: no grace period, \
             no `try_wait` in a loop.",
        );
    });
}
