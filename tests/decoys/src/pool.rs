//! Wrong process pools. Most wrap the reference pool and break one rule;
//! the first computes in the parent's own threads.
//!
//! The decoy test binaries are the workers' program themselves: their
//! `main` begins with the role check, like any program that uses a pool.

use std::path::Path;
use std::process;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use suites::pool::{PoolApi, PoolHandle, Started};

use crate::{Class, Decoy};

mod reference {
    suites::pool_adapter!(pool_solution, || std::env::current_exe()
        .expect("the test binary's path"));
}

const REAL: PoolApi = reference::SUBJECT;

type Results = Vec<Result<(u64, u32), String>>;

/// A decoy pool: the behaviour it changes, around a reference pool.
struct Wrapped {
    inner: Option<Box<dyn PoolHandle>>,
    map: fn(&mut dyn PoolHandle, &str, &[u64], Option<usize>) -> Results,
    drop: fn(Box<dyn PoolHandle>),
}

impl PoolHandle for Wrapped {
    fn map(&mut self, task: &str, inputs: &[u64], chunk: Option<usize>) -> Results {
        (self.map)(
            self.inner.as_deref_mut().expect("alive"),
            task,
            inputs,
            chunk,
        )
    }
    fn pids(&self) -> Vec<u32> {
        self.inner.as_ref().expect("alive").pids()
    }
    fn frames_sent(&self) -> u64 {
        self.inner.as_ref().expect("alive").frames_sent()
    }
}

impl Drop for Wrapped {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            (self.drop)(inner);
        }
    }
}

fn honest_map(p: &mut dyn PoolHandle, task: &str, inputs: &[u64], chunk: Option<usize>) -> Results {
    p.map(task, inputs, chunk)
}

fn wrap(
    program: &Path,
    workers: usize,
    map: fn(&mut dyn PoolHandle, &str, &[u64], Option<usize>) -> Results,
    drop: fn(Box<dyn PoolHandle>),
) -> Started {
    Ok(Box::new(Wrapped {
        inner: Some((REAL.start)(program, workers)?),
        map,
        drop,
    }))
}

fn decoy(start: fn(&Path, usize) -> Started) -> PoolApi {
    PoolApi { start, ..REAL }
}

/// A "pool" of threads in the parent: every task reports the parent's pid.
struct InThreads {
    frames: u64,
}

impl PoolHandle for InThreads {
    fn map(&mut self, task: &str, inputs: &[u64], chunk: Option<usize>) -> Results {
        let run = pool_solution::TASKS
            .iter()
            .find(|t| t.name == task)
            .expect("known task")
            .run;
        self.frames += inputs.len().div_ceil(chunk.unwrap_or(1)) as u64;
        std::thread::scope(|s| {
            let handles: Vec<_> = inputs.iter().map(|&x| s.spawn(move || run(x))).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .map(|v| (v, process::id()))
                        .map_err(|_| "panicked".to_owned())
                })
                .collect()
        })
    }
    fn pids(&self) -> Vec<u32> {
        vec![process::id(); 2]
    }
    fn frames_sent(&self) -> u64 {
        self.frames
    }
}

/// Computes in the parent's threads, but with real workers started as an
/// alibi: every result carries a worker's pid and frames are counted as if
/// sent.
struct AlibiThreads {
    inner: Box<dyn PoolHandle>,
    frames: u64,
}

impl PoolHandle for AlibiThreads {
    fn map(&mut self, task: &str, inputs: &[u64], chunk: Option<usize>) -> Results {
        let run = pool_solution::TASKS
            .iter()
            .find(|t| t.name == task)
            .expect("known task")
            .run;
        let pids = self.inner.pids();
        self.frames += inputs.len().div_ceil(chunk.unwrap_or(1)) as u64;
        std::thread::scope(|s| {
            let handles: Vec<_> = inputs.iter().map(|&x| s.spawn(move || run(x))).collect();
            handles
                .into_iter()
                .enumerate()
                .map(|(i, h)| {
                    h.join()
                        .map(|v| (v, pids[i % pids.len()]))
                        .map_err(|_| "worker panicked".to_owned())
                })
                .collect()
        })
    }
    fn pids(&self) -> Vec<u32> {
        self.inner.pids()
    }
    fn frames_sent(&self) -> u64 {
        self.frames
    }
}

/// Starts a pool of one worker for every input (of the same program), and
/// keeps its own workers idle.
struct PerTask {
    program: std::path::PathBuf,
    inner: Box<dyn PoolHandle>,
}

impl PoolHandle for PerTask {
    fn map(&mut self, task: &str, inputs: &[u64], _: Option<usize>) -> Results {
        let mut out = Vec::new();
        for &x in inputs {
            let mut one = (REAL.start)(&self.program, 1).expect("start");
            out.extend(one.map(task, &[x], Some(1)));
        }
        out
    }
    fn pids(&self) -> Vec<u32> {
        self.inner.pids()
    }
    fn frames_sent(&self) -> u64 {
        self.inner.frames_sent()
    }
}

/// Computes `square` in the parent, "cheaper than a round trip", and files
/// each result under a worker: every other task goes to the workers.
fn square_at_home(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let pids = p.pids();
    if task != "square" || pids.is_empty() {
        return p.map(task, inputs, chunk);
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, &x)| Ok((x.wrapping_mul(x), pids[i % pids.len()])))
        .collect()
}

/// Sends one frame per input whatever the chunk size, and reports the
/// frames the chunks would have taken.
struct OneFramePerInput {
    inner: Box<dyn PoolHandle>,
    frames: u64,
}

impl PoolHandle for OneFramePerInput {
    fn map(&mut self, task: &str, inputs: &[u64], chunk: Option<usize>) -> Results {
        let per = chunk.unwrap_or_else(|| inputs.len().div_ceil(4 * self.pids().len().max(1)));
        self.frames += inputs.len().div_ceil(per.max(1)) as u64;
        self.inner.map(task, inputs, Some(1))
    }
    fn pids(&self) -> Vec<u32> {
        self.inner.pids()
    }
    fn frames_sent(&self) -> u64 {
        self.frames
    }
}

/// Waits up to a second for the workers to end by themselves, then kills
/// the rest (by dropping the pool): a grace period before the kill.
fn grace_then_kill(p: Box<dyn PoolHandle>) {
    let pids = p.pids();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while std::time::Instant::now() < until
        && harness::children::still_ours(&pids)
            .iter()
            .any(|s| s.state != 'Z')
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    drop(p);
}

/// Spawns the workers itself and reads their hellos: after the first
/// (`all` false), or after every one, giving up on the first failure
/// without killing or waiting for any (`all` true).
fn start_by_hand(program: &Path, workers: usize, all: bool) -> Started {
    use frames_solution::FrameReader;
    use pool_solution::protocol::Reply;
    let mut children = Vec::new();
    let (said, hellos) = std::sync::mpsc::channel();
    for i in 0..workers.max(1) {
        let mut child = std::process::Command::new(program)
            .env(REAL.role_var, i.to_string())
            .env(pool_solution::DEPTH_VAR, "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let out = child.stdout.take().expect("piped");
        let said = said.clone();
        std::thread::spawn(move || {
            let hello = FrameReader::new(std::io::BufReader::new(out), 1 << 20).read::<Reply>();
            let _ = said.send((i, matches!(hello, Ok(Some(Reply::Hello { .. })))));
        });
        children.push(child);
    }
    let limit = REAL.hello_limit;
    for _ in 0..if all { children.len() } else { 1 } {
        match hellos.recv_timeout(limit) {
            Ok((_, true)) => {}
            Ok((i, false)) => {
                std::mem::forget(children);
                return Err(format!("worker {i} ended before it said hello"));
            }
            Err(_) => {
                std::mem::forget(children);
                return Err("a worker never said hello".to_owned());
            }
        }
    }
    Ok(Box::new(NoHelloWait { children }))
}

/// Spawns the workers itself and reads their hellos in worker order,
/// within one deadline for all (round 13's `pool/02`): a dead worker is
/// noticed only once every worker before it has said hello, so a silent
/// worker 0 hides a dead worker 1 until the limit. A failed start kills and
/// waits for every worker.
fn start_hellos_in_order(program: &Path, workers: usize) -> Started {
    start_reading_first_frames(program, workers, false)
}

/// [`start_hellos_in_order`], taking any first frame for a hello (round
/// 23's `pool/08`): a worker that sends a `Done` first counts as started.
fn start_any_first_frame(program: &Path, workers: usize) -> Started {
    start_reading_first_frames(program, workers, true)
}

/// Spawns the workers itself and reads their first frames in worker
/// order, within one deadline for all: a hello, or with `any_frame` any
/// frame at all, counts as started.
fn start_reading_first_frames(program: &Path, workers: usize, any_frame: bool) -> Started {
    use frames_solution::FrameReader;
    use pool_solution::protocol::Reply;
    let mut children = Vec::new();
    let mut hellos = Vec::new();
    for i in 0..workers.max(1) {
        let mut child = std::process::Command::new(program)
            .env(REAL.role_var, i.to_string())
            .env(pool_solution::DEPTH_VAR, "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let out = child.stdout.take().expect("piped");
        let (said, hello) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let hello = FrameReader::new(std::io::BufReader::new(out), 1 << 20).read::<Reply>();
            let _ = said.send(match hello {
                Ok(Some(Reply::Hello { .. })) => true,
                Ok(Some(_)) => any_frame,
                _ => false,
            });
        });
        children.push(child);
        hellos.push(hello);
    }
    let deadline = std::time::Instant::now() + REAL.hello_limit;
    for (i, hello) in hellos.iter().enumerate() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let failure = match hello.recv_timeout(left) {
            Ok(true) => continue,
            Ok(false) => format!("worker {i} ended before it said hello"),
            Err(_) => format!("worker {i} never said hello"),
        };
        for child in &mut children {
            let _ = child.kill();
            let _ = child.wait();
        }
        return Err(failure);
    }
    Ok(Box::new(NoHelloWait { children }))
}

/// Runs on the workers that are left after a death: the pool is started
/// again with as many workers as survived (at least one).
struct Shrinking {
    program: std::path::PathBuf,
    inner: Box<dyn PoolHandle>,
}

impl PoolHandle for Shrinking {
    fn map(&mut self, task: &str, inputs: &[u64], chunk: Option<usize>) -> Results {
        let results = self.inner.map(task, inputs, chunk);
        // The workers that died in this map, by the pids their errors name.
        let dead: std::collections::BTreeSet<&str> = results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .filter(|e| !e.contains("panicked"))
            .filter_map(|e| e.split("(pid ").nth(1)?.split(')').next())
            .collect();
        if !dead.is_empty() {
            let left = self.inner.pids().len().saturating_sub(dead.len()).max(1);
            if let Ok(fewer) = (REAL.start)(&self.program, left) {
                self.inner = fewer;
            }
        }
        results
    }
    fn pids(&self) -> Vec<u32> {
        self.inner.pids()
    }
    fn frames_sent(&self) -> u64 {
        self.inner.frames_sent()
    }
}

/// Replaces every worker after a map in which a task panicked, "in case it
/// was left in a bad state".
struct FreshAfterPanic {
    program: std::path::PathBuf,
    workers: usize,
    inner: Box<dyn PoolHandle>,
}

impl PoolHandle for FreshAfterPanic {
    fn map(&mut self, task: &str, inputs: &[u64], chunk: Option<usize>) -> Results {
        let results = self.inner.map(task, inputs, chunk);
        let panicked = results
            .iter()
            .any(|r| r.as_ref().is_err_and(|e| e.contains("panicked")));
        if panicked {
            if let Ok(fresh) = (REAL.start)(&self.program, self.workers) {
                self.inner = fresh;
            }
        }
        results
    }
    fn pids(&self) -> Vec<u32> {
        self.inner.pids()
    }
    fn frames_sent(&self) -> u64 {
        self.inner.frames_sent()
    }
}

/// Declares a worker hung when a map has gone on for a second, and kills
/// every worker: the pool then reports them dead.
fn hung_after_a_second(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    hung_after(std::time::Duration::from_secs(1), p, task, inputs, chunk)
}

/// Kills every worker once a map has gone on for `limit`, as if they were
/// stuck: their inputs come back as deaths.
fn hung_after(
    limit: std::time::Duration,
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let pids = p.pids();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(limit).is_err() {
            for pid in pids {
                let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
        }
    });
    let results = p.map(task, inputs, chunk);
    let _ = done.send(());
    let _ = watchdog.join();
    results
}

/// [`hung_after_a_second`] with the cut-off of round 6's `pool/01`: 4 s,
/// the pool's own hello limit, longer than most tasks.
fn hung_after_four_seconds(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    hung_after(std::time::Duration::from_secs(4), p, task, inputs, chunk)
}

/// Deaths seen by [`eight_restarts`], over every pool of this process.
static DEATHS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A "crash-loop guard" (round 6's `pool/02`): after 8 deaths, no more
/// replacements: every input is an error saying every worker died.
fn eight_restarts(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    restarts_at_most(8, &DEATHS, p, task, inputs, chunk)
}

/// Deaths seen by [`sixty_four_restarts`].
static DEATHS_64: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A "respawn budget" (round 13's `pool/09`): after 64 deaths, no more
/// replacements.
fn sixty_four_restarts(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    restarts_at_most(64, &DEATHS_64, p, task, inputs, chunk)
}

/// Deaths seen by [`a_hundred_and_twenty_eight_restarts`].
static DEATHS_128: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A budget of 128 replacements (round 16's `pool/02`).
fn a_hundred_and_twenty_eight_restarts(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    restarts_at_most(128, &DEATHS_128, p, task, inputs, chunk)
}

/// The reference's map until `deaths` reaches `limit`; from then on every
/// input is an error saying every worker died.
fn restarts_at_most(
    limit: usize,
    deaths: &std::sync::atomic::AtomicUsize,
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    use std::sync::atomic::Ordering;
    if deaths.load(Ordering::SeqCst) >= limit {
        return inputs
            .iter()
            .map(|_| {
                Err(format!(
                    "no worker: every worker died ({limit} restarts at most)"
                ))
            })
            .collect();
    }
    let results = p.map(task, inputs, chunk);
    let died = results
        .iter()
        .filter(|r| {
            r.as_ref()
                .is_err_and(|e| e.contains("exited") || e.contains("signal"))
        })
        .count();
    deaths.fetch_add(died, Ordering::SeqCst);
    results
}

/// A frame limit of 64 KiB (round 13's `pool/08`): a map whose default
/// chunks are big (more than 10 000 inputs on a few workers) fails every
/// input.
fn small_frame_limit(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    if chunk.is_none() && inputs.len() > 10_000 {
        return inputs
            .iter()
            .map(|_| Err("worker 0 exited with status 1 (a frame over 65536 bytes)".to_owned()))
            .collect();
    }
    p.map(task, inputs, chunk)
}

/// A frame limit of 256 KiB (round 16's `pool/03`): a chunk of more than
/// about 20 000 inputs fails, however the chunks were chosen.
fn quarter_mebibyte_frames(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let per_chunk = chunk.unwrap_or_else(|| inputs.len().div_ceil(8));
    if per_chunk * 12 > 256 << 10 {
        return inputs
            .iter()
            .map(|_| Err("worker 0 exited with status 1 (a frame over 262144 bytes)".to_owned()))
            .collect();
    }
    p.map(task, inputs, chunk)
}

/// Asks first (round 6's `pool/03`): SIGTERM to each worker and 150 ms for
/// it to end, one after the other, before the kill.
fn term_then_grace(p: Box<dyn PoolHandle>) {
    for pid in p.pids() {
        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGTERM);
        let until = std::time::Instant::now() + std::time::Duration::from_millis(150);
        while std::time::Instant::now() < until
            && harness::children::still_ours(&[pid])
                .iter()
                .any(|s| s.state != 'Z')
        {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    drop(p);
}

/// `src/role.rs` as round 23's `pool/03` wrote it: a grace period for
/// workers whose stdin was closed, polled with `try_wait`, in the module
/// the worker's side lives in, which `drop` calls. The source witness reads
/// this text as that file ([`suites::pure::with_modules`]).
const ROLE_WITH_A_GRACE: &str = "
/// Gives workers whose stdin was closed a short moment to end by themselves.
pub(crate) fn let_finish(mut children: Vec<&mut std::process::Child>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(250);
    while std::time::Instant::now() < deadline {
        children.retain_mut(|c| matches!(c.try_wait(), Ok(None)));
        if children.is_empty() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}
";

/// A drop that calls [`ROLE_WITH_A_GRACE`]'s `role::let_finish` before the
/// kill. This crate has no such module: the call is named for the source
/// witness (a macro's words count as names), and at run time the pool is
/// dropped as the reference drops it.
fn drop_after_role_let_finish(p: Box<dyn PoolHandle>) {
    let _call = stringify!(role::let_finish(children));
    drop(p);
}

/// Every `spin` result received, by input (round 6's `pool/05`): a map
/// whose inputs are all known is answered from here.
static SPUN: std::sync::Mutex<std::collections::BTreeMap<u64, (u64, u32)>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn spin_from_memory(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let mut spun = SPUN.lock().unwrap_or_else(|e| e.into_inner());
    if task == "spin" && !inputs.is_empty() && inputs.iter().all(|x| spun.contains_key(x)) {
        return inputs.iter().map(|x| Ok(spun[x])).collect();
    }
    let results = p.map(task, inputs, chunk);
    if task == "spin" {
        for (x, r) in inputs.iter().zip(&results) {
            if let Ok(v) = r {
                spun.insert(*x, *v);
            }
        }
    }
    results
}

/// One panic fails its whole chunk (round 6's `pool/07`), as a worker
/// that catches panics around the chunk, not around each input.
fn panic_fails_the_chunk(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let mut results = p.map(task, inputs, chunk);
    let size = chunk.unwrap_or(1).max(1);
    for start in (0..results.len()).step_by(size) {
        let end = (start + size).min(results.len());
        let panicked = results[start..end]
            .iter()
            .find_map(|r| r.as_ref().err().filter(|e| e.contains("panicked")).cloned());
        if let Some(e) = panicked {
            for r in &mut results[start..end] {
                *r = Err(e.clone());
            }
        }
    }
    results
}

/// A reply reader that quits on a broken frame without a word (round 6's
/// `pool/08`): the map notices only when a later time-out fires, 6 s on.
fn torn_reply_noticed_late(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let results = p.map(task, inputs, chunk);
    if task == "torn" {
        std::thread::sleep(std::time::Duration::from_secs(6));
    }
    results
}

/// A fuse one level late (round 6's `pool/04`): the workers start one
/// level shallower than they are, through a script that lowers the depth
/// the pool hands them, so a fifth level runs and is refused as "nested 5
/// deep" all the same.
fn start_one_level_shallow(program: &Path, workers: usize) -> Started {
    use std::os::unix::fs::PermissionsExt;
    static SCRIPT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let program = program.to_owned();
    let script = SCRIPT.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("course-decoy-shallow-{}.sh", process::id()));
        let var = pool_solution::DEPTH_VAR;
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\n{var}=$((${{{var}:-1}} - 1))\nexport {var}\nexec '{}' \"$@\"\n",
                program.display()
            ),
        )
        .expect("writing the decoy's script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("making it executable");
        std::thread::sleep(std::time::Duration::from_millis(50));
        path
    });
    (REAL.start)(script, workers)
}

/// Closes the pipes (by dropping the pool) only once every worker has
/// ended by itself: a busy or stopped worker keeps the parent waiting.
fn wait_without_kill(p: Box<dyn PoolHandle>) {
    let pids = p.pids();
    while harness::children::still_ours(&pids)
        .iter()
        .any(|s| s.state != 'Z')
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    drop(p);
}

/// Spawns the workers and returns at once, without waiting for a hello.
struct NoHelloWait {
    children: Vec<std::process::Child>,
}

impl PoolHandle for NoHelloWait {
    fn map(&mut self, _: &str, inputs: &[u64], _: Option<usize>) -> Results {
        inputs.iter().map(|_| Err("no answer".to_owned())).collect()
    }
    fn pids(&self) -> Vec<u32> {
        self.children.iter().map(|c| c.id()).collect()
    }
    fn frames_sent(&self) -> u64 {
        0
    }
}

impl Drop for NoHelloWait {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn start_no_hello_wait(program: &Path, workers: usize) -> Started {
    let children = (0..workers)
        .map(|i| {
            std::process::Command::new(program)
                .env(REAL.role_var, i.to_string())
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    Ok(Box::new(NoHelloWait { children }))
}

/// Kills the workers but never waits for them: zombies.
fn kill_without_wait(p: Box<dyn PoolHandle>) {
    for pid in p.pids() {
        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
    }
    std::mem::forget(p);
}

/// `Pool::start` that asks `worker_role()` itself, "to be sure", which
/// marks the role as checked: a worker whose `main` skipped the check is
/// never refused, and starts a pool of its own.
///
/// Its check runs the test binary again as a worker whose `main` skipped
/// `worker_role()`: a binary whose `main` checks the role first (as the
/// decoys' `pool` binary does) must let that copy reach the check, or the
/// copy serves as a worker and the check cannot judge any pool.
fn start_checks_the_role_itself(program: &Path, workers: usize) -> Started {
    let _ = pool_solution::worker_role();
    (REAL.start)(program, workers)
}

/// The default chunk size from the workers alive now (round 7's
/// `pool/01`): in the map after a death, before the replacement, one
/// worker too few.
fn chunk_from_the_living(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let chunk = chunk.or_else(|| Some(inputs.len().div_ceil(4 * p.pids().len().max(1)).max(1)));
    p.map(task, inputs, chunk)
}

/// Whether `e` is the error of an input lost with a dead worker.
fn is_death(e: &str) -> bool {
    e.contains("exited") || e.contains("signal")
}

/// A dead worker's chunks sent ahead answered only by a time-out (round
/// 7's `pool/05`, which waits for them for ever): more than one input lost
/// with a worker, and the map waits 4 s before it gives them up.
fn chunks_sent_ahead_given_up_late(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let results = p.map(task, inputs, chunk);
    let lost = results
        .iter()
        .filter(|r| r.as_ref().is_err_and(|e| is_death(e)))
        .count();
    if lost > 1 {
        std::thread::sleep(std::time::Duration::from_secs(4));
    }
    results
}

/// One death fails every input after it (round 7's `pool/08`, as
/// `BrokenProcessPool` does with the chunks not yet sent).
fn a_death_breaks_the_rest(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let mut results = p.map(task, inputs, chunk);
    let first = results
        .iter()
        .position(|r| r.as_ref().is_err_and(|e| is_death(e)));
    if let Some(first) = first {
        let error = results[first].clone();
        for r in &mut results[first..] {
            *r = error.clone();
        }
    }
    results
}

/// When no worker is left to run a map (round 7's `pool/03`), the parent
/// computes `square` itself "so that the map still finishes": here, when
/// every input of a map failed.
fn parent_computes_when_no_worker_is_left(
    p: &mut dyn PoolHandle,
    task: &str,
    inputs: &[u64],
    chunk: Option<usize>,
) -> Results {
    let results = p.map(task, inputs, chunk);
    if task == "square" && !results.is_empty() && results.iter().all(Result::is_err) {
        return inputs
            .iter()
            .map(|&x| Ok((x.wrapping_mul(x), process::id())))
            .collect();
    }
    results
}

/// Spawns the workers itself and waits for every hello; a worker that
/// ends first is recorded, and reported only once every other worker has
/// answered or `HELLO_LIMIT` has passed (round 7's `pool/07`). Kills and
/// waits for every worker when it fails.
fn start_reporting_failures_last(program: &Path, workers: usize) -> Started {
    use frames_solution::FrameReader;
    use pool_solution::protocol::Reply;
    let mut children = Vec::new();
    let (said, hellos) = std::sync::mpsc::channel();
    for i in 0..workers.max(1) {
        let mut child = std::process::Command::new(program)
            .env(REAL.role_var, i.to_string())
            .env(pool_solution::DEPTH_VAR, "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let out = child.stdout.take().expect("piped");
        let said = said.clone();
        std::thread::spawn(move || {
            let hello = FrameReader::new(std::io::BufReader::new(out), 1 << 20).read::<Reply>();
            let _ = said.send((i, matches!(hello, Ok(Some(Reply::Hello { .. })))));
        });
        children.push(child);
    }
    let deadline = std::time::Instant::now() + REAL.hello_limit;
    let mut failure = None;
    for _ in 0..children.len() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match hellos.recv_timeout(left) {
            Ok((_, true)) => {}
            Ok((i, false)) => {
                failure.get_or_insert(format!("worker {i} ended before it said hello"));
            }
            Err(_) => {
                failure.get_or_insert("a worker never said hello".to_owned());
                break;
            }
        }
    }
    match failure {
        None => Ok(Box::new(NoHelloWait { children })),
        Some(e) => {
            drop(NoHelloWait { children });
            Err(e)
        }
    }
}

/// This file, as the suite reads a crate's `src/lib.rs`.
pub const SOURCE: &str = include_str!("pool.rs");

/// The corpus for `pool`.
pub fn corpus() -> Vec<Decoy<PoolApi>> {
    vec![
        Decoy {
            name: "a pool of threads in the parent process",
            class: Class::RuleSkipped,
            subject: decoy(|_, _| Ok(Box::new(InThreads { frames: 0 }))),
            caught_by: "tasks_run_in_worker_processes",
            breaks: "runs-in-workers",
            says: &["the parent's own process"],
        },
        Decoy {
            name: "computes in the parent's threads, stamps the workers' pids",
            class: Class::MadeUp,
            subject: decoy(|program, workers| {
                Ok(Box::new(AlibiThreads {
                    inner: (REAL.start)(program, workers)?,
                    frames: 0,
                }))
            }),
            caught_by: "the_workers_do_the_cpu_work",
            breaks: "runs-in-workers",
            says: &["computed in the worker processes"],
        },
        Decoy {
            name: "a pool of threads in the parent process, asked to exit",
            class: Class::RuleSkipped,
            subject: decoy(|_, _| Ok(Box::new(InThreads { frames: 0 }))),
            caught_by: "a_worker_that_exits_is_an_error_not_a_hang",
            breaks: "runs-in-workers",
            says: &["the parent's own process"],
        },
        Decoy {
            name: "one new process per task",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                Ok(Box::new(PerTask {
                    program: program.to_owned(),
                    inner: (REAL.start)(program, workers)?,
                }))
            }),
            caught_by: "workers_are_reused",
            breaks: "reused",
            says: &["reused"],
        },
        Decoy {
            name: "results collected worker by worker (order lost)",
            class: Class::MadeUp,
            subject: decoy(|program, workers| {
                wrap(
                    program,
                    workers,
                    |p, task, inputs, chunk| {
                        let mut results = p.map(task, inputs, chunk);
                        results.sort_by_key(|r| r.as_ref().map_or(0, |&(_, pid)| pid));
                        results
                    },
                    drop,
                )
            }),
            caught_by: "results_come_back_in_input_order",
            breaks: "input-order",
            says: &["input order"],
        },
        Decoy {
            name: "chunk size ignored (always 1)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(
                    program,
                    workers,
                    |p, task, inputs, _| p.map(task, inputs, Some(1)),
                    drop,
                )
            }),
            caught_by: "chunks_set_the_frames",
            breaks: "chunks",
            says: &["request frames"],
        },
        Decoy {
            name: "drop kills the workers but never waits for them",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(program, workers, honest_map, kill_without_wait)
            }),
            caught_by: "dropping_the_pool_leaves_no_process",
            breaks: "no-leftovers",
            says: &["zombie"],
        },
        Decoy {
            name: "drop waits for the workers to end, never kills them",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(program, workers, honest_map, wait_without_kill)
            }),
            caught_by: "dropping_the_pool_kills_its_workers",
            breaks: "drop-kills",
            says: &["must kill the workers"],
        },
        Decoy {
            name: "chunk size 0 passed straight to chunks()",
            class: Class::Panics,
            subject: decoy(|program, workers| {
                wrap(
                    program,
                    workers,
                    |p, task, inputs, chunk| {
                        if chunk == Some(0) {
                            let _ = inputs.chunks(0).count();
                        }
                        p.map(task, inputs, chunk)
                    },
                    drop,
                )
            }),
            caught_by: "chunks_set_the_frames",
            breaks: "chunks",
            says: &["chunk size Some(0) panicked", "chunk size of 0 means 1"],
        },
        Decoy {
            name: "reads inputs[0] before the map (an empty map panics)",
            class: Class::Panics,
            subject: decoy(|program, workers| {
                wrap(
                    program,
                    workers,
                    |p, task, inputs, chunk| {
                        let _warm_up = inputs[0];
                        p.map(task, inputs, chunk)
                    },
                    drop,
                )
            }),
            caught_by: "results_come_back_in_input_order",
            breaks: "empty-input",
            says: &["a map over no inputs panicked", "index out of bounds"],
        },
        Decoy {
            name: "every error names worker 0",
            class: Class::MadeUp,
            subject: decoy(|program, workers| {
                wrap(
                    program,
                    workers,
                    |p, task, inputs, chunk| {
                        p.map(task, inputs, chunk)
                            .into_iter()
                            .map(|r| {
                                r.map_err(|e| match e.split_once("worker ") {
                                    Some((head, rest)) => {
                                        let tail = rest.split_once(' ').map_or("", |(_, t)| t);
                                        format!("{head}worker 0 {tail}")
                                    }
                                    None => e,
                                })
                            })
                            .collect()
                    },
                    drop,
                )
            }),
            caught_by: "a_panicking_task_is_an_error_for_its_input",
            breaks: "panic-is-an-error",
            says: &["same number to different workers"],
        },
        Decoy {
            name: "start returns without waiting for the hellos",
            class: Class::RuleSkipped,
            subject: decoy(start_no_hello_wait),
            caught_by: "start_waits_for_every_hello",
            breaks: "waits-for-hello",
            says: &["must wait for every worker's hello"],
        },
        Decoy {
            name: "the depth fuse allows twice MAX_DEPTH",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(
                    program,
                    workers,
                    |p, task, inputs, chunk| {
                        // As if the fuse blew 4 levels later.
                        p.map(task, inputs, chunk)
                            .into_iter()
                            .map(|r| r.map_err(|e| e.replace("nested 5 deep", "nested 9 deep")))
                            .collect()
                    },
                    drop,
                )
            }),
            caught_by: "nested_pools_are_fused",
            breaks: "depth-fuse",
            says: &["the first pool refused is the one nested 5 deep"],
        },
        Decoy {
            name: "drop forgets the workers",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| wrap(program, workers, honest_map, std::mem::forget)),
            caught_by: "a_panic_in_the_parent_ends_the_workers",
            breaks: "no-leftovers",
            says: &["still running"],
        },
        Decoy {
            name: "waits for each answer before sending the next input",
            class: Class::Sequential,
            subject: decoy(|program, workers| {
                wrap(
                    program,
                    workers,
                    |p, task, inputs, _| {
                        inputs
                            .iter()
                            .flat_map(|&x| p.map(task, &[x], Some(1)))
                            .collect()
                    },
                    drop,
                )
            }),
            caught_by: "workers_run_at_once",
            breaks: "at-once",
            says: &["one after another"],
        },
        Decoy {
            name: "a lost worker's error that does not say how it ended",
            class: Class::MadeUp,
            subject: decoy(|program, workers| {
                wrap(
                    program,
                    workers,
                    |p, task, inputs, chunk| {
                        p.map(task, inputs, chunk)
                            .into_iter()
                            .map(|r| r.map_err(|_| "a worker failed".to_owned()))
                            .collect()
                    },
                    drop,
                )
            }),
            caught_by: "a_killed_worker_is_an_error_naming_it",
            breaks: "death-is-an-error",
            says: &["SIGKILL"],
        },
        Decoy {
            name: "Pool::new() starts a fixed number of workers, not one per core",
            class: Class::RuleSkipped,
            subject: PoolApi {
                program: || demo_program(fixed_default()),
                ..REAL
            },
            caught_by: "the_default_pool_has_one_worker_per_core",
            breaks: "one-per-core",
            says: &[
                "the default is one worker per core",
                "available_parallelism()` is",
            ],
        },
        Decoy {
            name: "computes square in the parent, filed under a worker",
            class: Class::MadeUp,
            subject: decoy(|program, workers| wrap(program, workers, square_at_home, drop)),
            caught_by: "results_come_back_in_input_order",
            breaks: "runs-in-workers",
            says: &["must be computed in the worker processes"],
        },
        Decoy {
            name: "one frame per input, frames_sent counts the chunks asked for",
            class: Class::MadeUp,
            subject: decoy(|program, workers| {
                Ok(Box::new(OneFramePerInput {
                    inner: (REAL.start)(program, workers)?,
                    frames: 0,
                }))
            }),
            caught_by: "chunks_set_the_frames",
            breaks: "chunks",
            says: &["its workers received"],
        },
        Decoy {
            name: "drop gives the workers a second to end, then kills",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| wrap(program, workers, honest_map, grace_then_kill)),
            caught_by: "dropping_the_pool_kills_its_workers",
            breaks: "drop-kills",
            says: &["kill the workers at once"],
        },
        Decoy {
            name: "start reads the hellos in worker order (round 13, pool/02)",
            class: Class::RuleSkipped,
            subject: decoy(start_hellos_in_order),
            caught_by: "start_waits_for_every_hello",
            breaks: "waits-for-hello",
            says: &["while worker 0 stays silent", "before or after it"],
        },
        Decoy {
            name: "start takes any first frame for a hello (round 23, pool/08)",
            class: Class::RuleSkipped,
            subject: decoy(start_any_first_frame),
            caught_by: "start_waits_for_every_hello",
            breaks: "waits-for-hello",
            says: &["sends a `Done` frame before its hello", "returned a pool"],
        },
        Decoy {
            name: "start returns after the first hello",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| start_by_hand(program, workers, false)),
            caught_by: "start_waits_for_every_hello",
            breaks: "waits-for-hello",
            says: &["not the first"],
        },
        Decoy {
            name: "a failed start leaves the workers it started",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| start_by_hand(program, workers, true)),
            caught_by: "start_waits_for_every_hello",
            breaks: "no-leftovers",
            says: &["after Pool::start failed"],
        },
        Decoy {
            name: "a dead worker is not replaced: the pool runs on with fewer",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                Ok(Box::new(Shrinking {
                    program: program.to_owned(),
                    inner: (REAL.start)(program, workers)?,
                }))
            }),
            caught_by: "a_killed_worker_is_an_error_naming_it",
            breaks: "no-hang-on-death",
            says: &["workers running"],
        },
        Decoy {
            name: "every worker replaced after a task panicked",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                Ok(Box::new(FreshAfterPanic {
                    program: program.to_owned(),
                    workers,
                    inner: (REAL.start)(program, workers)?,
                }))
            }),
            caught_by: "a_panicking_task_is_an_error_for_its_input",
            breaks: "panic-is-an-error",
            says: &["not the ones it had"],
        },
        Decoy {
            name: "a worker quiet for a second is declared hung and killed",
            class: Class::MadeUp,
            subject: decoy(|program, workers| wrap(program, workers, hung_after_a_second, drop)),
            caught_by: "a_long_task_is_not_a_death",
            breaks: "death-is-an-error",
            says: &["No worker died"],
        },
        Decoy {
            name: "a worker quiet for 4 s is declared stuck and killed (round 6, pool/01)",
            class: Class::MadeUp,
            subject: decoy(|program, workers| {
                wrap(program, workers, hung_after_four_seconds, drop)
            }),
            caught_by: "a_long_task_is_not_a_death",
            breaks: "death-is-an-error",
            says: &["No worker died"],
        },
        Decoy {
            name: "at most 8 replacements per pool (round 6, pool/02)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| wrap(program, workers, eight_restarts, drop)),
            caught_by: "a_worker_that_exits_is_an_error_not_a_hang",
            breaks: "no-hang-on-death",
            says: &["however many die"],
        },
        Decoy {
            name: "at most 64 replacements per pool (round 13, pool/09)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| wrap(program, workers, sixty_four_restarts, drop)),
            caught_by: "a_worker_that_exits_is_an_error_not_a_hang",
            breaks: "no-hang-on-death",
            says: &["however many die"],
        },
        Decoy {
            name: "at most 128 replacements per pool (round 16, pool/02)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(program, workers, a_hundred_and_twenty_eight_restarts, drop)
            }),
            caught_by: "a_worker_that_exits_is_an_error_not_a_hang",
            breaks: "no-hang-on-death",
            says: &["however many die"],
        },
        Decoy {
            name: "a frame limit of 64 KiB (round 13, pool/08)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| wrap(program, workers, small_frame_limit, drop)),
            caught_by: "results_come_back_in_input_order",
            breaks: "chunks",
            says: &["its frames must fit"],
        },
        Decoy {
            name: "a frame limit of 256 KiB (round 16, pool/03)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(program, workers, quarter_mebibyte_frames, drop)
            }),
            caught_by: "results_come_back_in_input_order",
            breaks: "chunks",
            says: &["in one chunk", "its frames must fit"],
        },
        Decoy {
            name: "drop sends SIGTERM and sleeps while it waits (round 13, pool/01)",
            class: Class::RuleSkipped,
            subject: PoolApi {
                start: |program, workers| wrap(program, workers, honest_map, term_then_grace),
                drop_code: &["term_then_grace"],
                ..REAL
            },
            caught_by: "dropping_never_waits_by_the_clock",
            breaks: "drop-kills",
            says: &["`sleep`", "(in `fn term_then_grace`)"],
        },
        Decoy {
            name: "drop waits for the workers in a helper in src/role.rs (round 23, pool/03)",
            class: Class::RuleSkipped,
            subject: PoolApi {
                start: |program, workers| {
                    wrap(program, workers, honest_map, drop_after_role_let_finish)
                },
                drop_code: &["drop_after_role_let_finish"],
                modules: &[("role", ROLE_WITH_A_GRACE)],
                ..REAL
            },
            caught_by: "dropping_never_waits_by_the_clock",
            breaks: "drop-kills",
            says: &["src/role.rs line", "(in `fn let_finish`)", "`try_wait`"],
        },
        Decoy {
            name: "drop sends SIGTERM and waits 150 ms per worker (round 6, pool/03)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| wrap(program, workers, honest_map, term_then_grace)),
            caught_by: "dropping_the_pool_kills_its_workers",
            breaks: "drop-kills",
            says: &["kill the workers at once"],
        },
        Decoy {
            name: "the depth fuse one level late, with the right message (round 6, pool/04)",
            class: Class::RuleSkipped,
            subject: decoy(start_one_level_shallow),
            caught_by: "nested_pools_are_fused",
            breaks: "depth-fuse",
            says: &["one per level of workers"],
        },
        Decoy {
            name: "spin results kept and answered again (round 6, pool/05)",
            class: Class::StateBetweenCalls,
            subject: decoy(|program, workers| wrap(program, workers, spin_from_memory, drop)),
            caught_by: "workers_are_reused",
            breaks: "runs-in-workers",
            says: &["never answers from its own computation or from an earlier map"],
        },
        Decoy {
            name: "a panic fails its whole chunk (round 6, pool/07)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| wrap(program, workers, panic_fails_the_chunk, drop)),
            caught_by: "a_panic_fails_only_its_input",
            breaks: "panic-is-an-error",
            says: &["not around the chunk"],
        },
        Decoy {
            name: "a worker dead mid-reply noticed only by a time-out (round 6, pool/08)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(program, workers, torn_reply_noticed_late, drop)
            }),
            caught_by: "a_worker_dying_mid_reply_is_a_death",
            breaks: "no-hang-on-death",
            says: &["noticed at once"],
        },
        Decoy {
            name: "a spawn that fails leaves the workers started before it (round 6, pool/06)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| start_by_hand(program, workers, true)),
            caught_by: "a_start_that_cannot_spawn_leaves_nothing",
            breaks: "no-leftovers",
            says: &["still this process's children"],
        },
        Decoy {
            name: "the default chunk from the workers alive now (round 7, pool/01)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| wrap(program, workers, chunk_from_the_living, drop)),
            caught_by: "chunks_set_the_frames",
            breaks: "chunks",
            says: &["after one of the pool's 2 workers ended", "request frames"],
        },
        Decoy {
            name: "the hello limit restarted after every hello (round 7, pool/02)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| start_by_hand(program, workers, true)),
            caught_by: "a_worker_that_never_says_hello_is_given_up",
            breaks: "hello-limit",
            says: &["gave up after", "counts from the start"],
        },
        Decoy {
            name: "the parent computes the map when no worker can start (round 7, pool/03)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(
                    program,
                    workers,
                    parent_computes_when_no_worker_is_left,
                    drop,
                )
            }),
            caught_by: "with_no_worker_left_every_input_is_an_error",
            breaks: "runs-in-workers",
            says: &["the parent's own process"],
        },
        Decoy {
            name: "default_workers() at most 8, invisible on 8 cores or fewer (round 16, pool/06)",
            class: Class::RuleSkipped,
            subject: PoolApi {
                program: || demo_program_with(CAPPED_AT_8),
                ..REAL
            },
            caught_by: "the_default_pool_has_one_worker_per_core",
            breaks: "one-per-core",
            says: &["on a machine of", "the default is one worker per core"],
        },
        Decoy {
            name: "default_workers() at most 128 (round 23, pool/02)",
            class: Class::RuleSkipped,
            subject: PoolApi {
                program: || demo_program_with(CAPPED_AT_128),
                ..REAL
            },
            caught_by: "the_default_pool_has_one_worker_per_core",
            breaks: "one-per-core",
            says: &["on a machine of", "the default is one worker per core"],
        },
        Decoy {
            name: "default_workers() counts /proc/cpuinfo, not the CPUs it may use (round 7, pool/04)",
            class: Class::RuleSkipped,
            subject: PoolApi {
                program: || demo_program_with(CPUINFO),
                ..REAL
            },
            caught_by: "the_default_pool_has_one_worker_per_core",
            breaks: "one-per-core",
            says: &["on a machine of", "one worker per core the program may use"],
        },
        Decoy {
            name: "a dead worker's chunks sent ahead given up only after 4 s (round 7, pool/05)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(program, workers, chunks_sent_ahead_given_up_late, drop)
            }),
            caught_by: "a_death_with_chunks_sent_ahead_fails_only_those",
            breaks: "no-hang-on-death",
            says: &["the map took", "noticed at once"],
        },
        Decoy {
            name: "a dead worker beside a silent one reported at the hello limit (round 7, pool/07)",
            class: Class::RuleSkipped,
            subject: decoy(start_reporting_failures_last),
            caught_by: "start_waits_for_every_hello",
            breaks: "waits-for-hello",
            says: &["stays silent", "a failure at once"],
        },
        Decoy {
            name: "one death fails every input after it (round 7, pool/08)",
            class: Class::RuleSkipped,
            subject: decoy(|program, workers| {
                wrap(program, workers, a_death_breaks_the_rest, drop)
            }),
            caught_by: "a_death_with_chunks_sent_ahead_fails_only_those",
            breaks: "death-is-an-error",
            says: &["more than the dead worker", "can have held"],
        },
        Decoy {
            name: "start calls worker_role() itself, so it never refuses",
            class: Class::RuleSkipped,
            subject: decoy(start_checks_the_role_itself),
            caught_by: "a_missing_role_check_is_named",
            breaks: "role-check",
            says: &["must refuse", "worker_role", "it said: started"],
        },
    ]
}

/// Set in the environment of the decoys' binary run as a pool program's
/// demo (see [`demo`]): how many workers its default pool starts.
pub const DEMO_WORKERS: &str = "COURSE_DECOY_POOL_DEMO_WORKERS";

/// The start of the names of the scripts [`demo_program`] writes, in the
/// temporary folder.
pub fn demo_scripts() -> String {
    format!("course-pool-demo-{}-", process::id())
}

/// The pool program's demo, as the exercise's `main.rs` runs it when it
/// has no role, but with a default pool of `workers` workers.
pub fn demo(workers: usize) -> process::ExitCode {
    let mut pool = match pool_solution::Pool::new_with(workers) {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("{e}");
            return process::ExitCode::FAILURE;
        }
    };
    let start = std::time::Instant::now();
    let inputs = vec![2_000_000; 8];
    for (input, result) in inputs.iter().zip(pool.map("spin", &inputs)) {
        match result {
            Ok(done) => println!("spin({input}) = {:#x} in pid {}", done.value, done.pid),
            Err(e) => println!("spin({input}) failed: {e}"),
        }
    }
    println!(
        "{} inputs in {} workers, {} frames, {:.1?}",
        inputs.len(),
        pool.workers(),
        pool.frames_sent(),
        start.elapsed()
    );
    process::ExitCode::SUCCESS
}

/// A pool program whose demo's default pool has `workers` workers: a
/// script that runs this binary with [`DEMO_WORKERS`] set.
fn demo_program(workers: usize) -> std::path::PathBuf {
    demo_program_with(&workers.to_string())
}

/// What [`DEMO_WORKERS`] says for a default that counts the processors in
/// `/proc/cpuinfo`, whatever CPUs the program may use.
const CPUINFO: &str = "cpuinfo";

/// What [`DEMO_WORKERS`] says for a default of one worker per core, but
/// at most 8 ("more processes only add start-up time").
const CAPPED_AT_8: &str = "cores-at-most-8";

/// What [`DEMO_WORKERS`] says for a default of one worker per core, but
/// at most 128 ("more workers only cost descriptors", round 23's
/// `pool/02`).
const CAPPED_AT_128: &str = "cores-at-most-128";

/// How many workers the decoys' demo starts, from [`DEMO_WORKERS`]'s value.
pub fn demo_workers(value: &str) -> Option<usize> {
    let cores = || std::thread::available_parallelism().map_or(1, |n| n.get());
    if value == CAPPED_AT_8 {
        return Some(cores().min(8));
    }
    if value == CAPPED_AT_128 {
        return Some(cores().min(128));
    }
    if value == CPUINFO {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
        return Some(
            cpuinfo
                .lines()
                .filter(|l| l.starts_with("processor"))
                .count(),
        );
    }
    value.parse().ok()
}

/// A pool program whose demo's default pool is `workers` (a number, or
/// [`CPUINFO`]).
fn demo_program_with(workers: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let me = std::env::current_exe().expect("the test binary's path");
    let script = std::env::temp_dir().join(format!("{}{workers}.sh", demo_scripts()));
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n{DEMO_WORKERS}={workers} exec '{}' \"$@\"\n",
            me.display()
        ),
    )
    .expect("writing the demo script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .expect("making the demo script executable");
    script
}

/// A fixed default of 4 workers ("my laptop has 4 cores"), or 8 on a
/// machine where 4 happens to be one per core.
fn fixed_default() -> usize {
    match std::thread::available_parallelism().map_or(1, |n| n.get()) {
        4 => 8,
        _ => 4,
    }
}

/// Pools that never return once a worker died, as CPython's `Pool.map`
/// does. Run in their own test binary: they abandon a stuck thread.
pub fn stuck() -> Vec<Decoy<PoolApi>> {
    vec![Decoy {
        name: "waits forever for a dead worker's answer",
        class: Class::Stuck,
        subject: decoy(|program, workers| {
            wrap(
                program,
                workers,
                |p, task, inputs, chunk| {
                    let results = p.map(task, inputs, chunk);
                    if results.iter().any(|r| r.is_err()) {
                        loop {
                            std::thread::park();
                        }
                    }
                    results
                },
                drop,
            )
        }),
        caught_by: "a_worker_that_exits_is_an_error_not_a_hang",
        breaks: "no-hang-on-death",
        says: &["did not finish"],
    }]
}

/// A pool that waits for a hello forever. Its own binary too: the stuck
/// check before it would cut its time short.
pub fn stuck_hello() -> Vec<Decoy<PoolApi>> {
    vec![Decoy {
        name: "waits for a hello without a time limit",
        class: Class::Stuck,
        subject: decoy(|program, workers| {
            if std::fs::read_to_string(program).is_ok_and(|s| s.contains("exec sleep")) {
                // A silent worker: recv() with no HELLO_LIMIT.
                loop {
                    std::thread::park();
                }
            }
            (REAL.start)(program, workers)
        }),
        caught_by: "a_worker_that_never_says_hello_is_given_up",
        breaks: "hello-limit",
        says: &["did not finish"],
    }]
}
