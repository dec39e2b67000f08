//! Wrong managers: state kept in the connection, updaters not all run, a
//! manager never waited for, and a "child" that is the parent.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use suites::manager::{ClientHandle, ManagerApi, ManagerHandle, Started};

use crate::{Class, Decoy};

mod reference {
    suites::manager_adapter!(manager_solution, || std::env::current_exe()
        .expect("the test binary's path"));
}

const REAL: ManagerApi = reference::SUBJECT;

/// Counters in the client: each connection has its own.
#[derive(Default)]
struct LocalClient(HashMap<String, i64>);

impl ClientHandle for LocalClient {
    fn add(&mut self, key: &str, delta: i64) -> Result<i64, String> {
        let v = self.0.entry(key.to_owned()).or_insert(0);
        *v += delta;
        Ok(*v)
    }
    fn get(&mut self, key: &str) -> Result<i64, String> {
        Ok(self.0.get(key).copied().unwrap_or(0))
    }
}

/// A reference manager with one behaviour changed.
struct Wrapped {
    inner: Option<Box<dyn ManagerHandle>>,
    local_clients: bool,
    one_updater: bool,
    forget: bool,
    updates_in_parent: bool,
    /// Starts each updater and waits for it before starting the next.
    one_by_one: bool,
    /// Starts the updaters this many at a time, each batch waited for
    /// before the next (0: all at once).
    batch: usize,
    /// Starts every updater, then waits for them in order and returns at
    /// the first that failed, the rest never waited for.
    returns_at_first_failure: bool,
    /// Starts every updater, waits for every one, and returns `Ok` even if
    /// one failed.
    ignores_failures: bool,
    /// Starts the updaters with nothing to do, then sends their
    /// increments from the parent, "to save round trips".
    updaters_idle: bool,
    /// Starts the updaters with `collect::<Result<Vec<_>, _>>()?`: an
    /// updater that cannot start returns at once, the started ones never
    /// waited for (round 8, manager/02).
    returns_at_failed_spawn: bool,
    /// Once an updater failed, kills (and reaps) every other one still
    /// running: "the run is lost anyway" (round 8, manager/03). It looks at
    /// all of them every few milliseconds, so the failure is seen whichever
    /// updater it is.
    kills_after_failure: bool,
    /// Starts the updaters until one cannot start, then starts no more:
    /// "starting more would fail too" (round 20, manager/03). Waits for
    /// those started, and returns the error.
    stops_at_failed_spawn: bool,
    /// Reads an updater's status as `code().unwrap_or(0)`: one killed by a
    /// signal counts as a success (round 8, manager/04).
    signal_is_success: bool,
    /// Clients that keep what they read, forgotten only on their own `add`
    /// (round 8, manager/07).
    caching_clients: bool,
    /// Clients that read "no reply" (the manager hung up) as 0 (round 8,
    /// manager/09).
    hang_up_is_zero: bool,
}

impl Wrapped {
    fn inner(&self) -> &dyn ManagerHandle {
        self.inner.as_deref().expect("alive")
    }
}

impl ManagerHandle for Wrapped {
    fn pid(&self) -> u32 {
        self.inner().pid()
    }
    fn address(&self) -> std::path::PathBuf {
        self.inner().address()
    }
    fn connect(&self) -> Result<Box<dyn ClientHandle>, String> {
        if self.local_clients {
            return Ok(Box::new(LocalClient::default()));
        }
        let client = self.inner().connect()?;
        if self.caching_clients {
            return Ok(Box::new(CachingClient {
                inner: client,
                read: HashMap::new(),
            }));
        }
        if self.hang_up_is_zero {
            return Ok(Box::new(ZeroOnHangUp(client)));
        }
        Ok(client)
    }
    fn run_updaters(
        &self,
        program: &Path,
        key: &str,
        workers: usize,
        times: u32,
    ) -> Result<(), String> {
        if self.updates_in_parent {
            let _ = program;
            let mut client = self.inner().connect()?;
            for _ in 0..workers as u32 * times {
                client.add(key, 1)?;
            }
            return Ok(());
        }
        if self.one_by_one {
            for _ in 0..workers {
                self.inner().run_updaters(program, key, 1, times)?;
            }
            return Ok(());
        }
        if self.returns_at_first_failure || self.ignores_failures {
            let children: Vec<std::process::Child> = (0..workers)
                .map(|_| updater(program, &self.inner().address(), key, times))
                .collect::<Result<_, _>>()?;
            for mut child in children {
                let status = child.wait().map_err(|e| e.to_string())?;
                if !status.success() && self.returns_at_first_failure {
                    return Err(format!("an updater ended with {status}"));
                }
            }
            return Ok(());
        }
        if self.stops_at_failed_spawn {
            let address = self.inner().address();
            let mut started = Vec::new();
            let mut failed = None;
            for _ in 0..workers {
                match updater(program, &address, key, times) {
                    Ok(child) => started.push(child),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            for mut child in started {
                let status = child.wait().map_err(|e| e.to_string())?;
                if !status.success() {
                    failed.get_or_insert(format!("an updater ended with {status}"));
                }
            }
            return failed.map_or(Ok(()), Err);
        }
        if self.returns_at_failed_spawn || self.kills_after_failure || self.signal_is_success {
            let address = self.inner().address();
            let children: Vec<Result<std::process::Child, String>> = if self.returns_at_failed_spawn
            {
                (0..workers)
                    .map(|_| updater(program, &address, key, times))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .map(Ok)
                    .collect()
            } else {
                (0..workers)
                    .map(|_| updater(program, &address, key, times))
                    .collect()
            };
            if self.kills_after_failure {
                return kill_the_rest_after_a_failure(children);
            }
            let mut failed = None;
            for child in children {
                let mut child = match child {
                    Ok(child) => child,
                    Err(e) => {
                        failed = Some(e);
                        continue;
                    }
                };
                let status = child.wait().map_err(|e| e.to_string())?;
                let bad = if self.signal_is_success {
                    status.code().unwrap_or(0) != 0
                } else {
                    !status.success()
                };
                if bad {
                    failed = Some(format!("an updater ended with {status}"));
                }
            }
            return failed.map_or(Ok(()), Err);
        }
        if self.batch > 0 {
            for batch in (0..workers).collect::<Vec<_>>().chunks(self.batch) {
                self.inner()
                    .run_updaters(program, key, batch.len(), times)?;
            }
            return Ok(());
        }
        if self.updaters_idle {
            self.inner().run_updaters(program, key, workers, 0)?;
            let mut client = self.inner().connect()?;
            client.add(key, workers as i64 * i64::from(times))?;
            return Ok(());
        }
        let workers = if self.one_updater { 1 } else { workers };
        self.inner().run_updaters(program, key, workers, times)
    }
}

impl Drop for Wrapped {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            if self.forget {
                let _ = kill(Pid::from_raw(inner.pid() as i32), Signal::SIGKILL);
                std::mem::forget(inner);
            }
        }
    }
}

/// Watches every updater; at the first that ends with a failure, kills
/// and reaps all the others, and returns that failure.
fn kill_the_rest_after_a_failure(
    children: Vec<Result<std::process::Child, String>>,
) -> Result<(), String> {
    let mut failed = None;
    let mut running = Vec::new();
    for child in children {
        match child {
            Ok(child) => running.push(child),
            Err(e) => failed = Some(e),
        }
    }
    while failed.is_none() && !running.is_empty() {
        let mut still = Vec::new();
        for mut child in running {
            match child.try_wait() {
                Ok(Some(status)) if !status.success() => {
                    failed = Some(format!("an updater ended with {status}"));
                }
                Ok(Some(_)) => {}
                _ => still.push(child),
            }
        }
        running = still;
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    for mut child in running {
        let _ = child.kill();
        let _ = child.wait();
    }
    failed.map_or(Ok(()), Err)
}

fn wrapped(program: &Path, local_clients: bool, one_updater: bool, forget: bool) -> Started {
    let mut wrapped = plain(program)?;
    wrapped.local_clients = local_clients;
    wrapped.one_updater = one_updater;
    wrapped.forget = forget;
    Ok(Box::new(wrapped))
}

/// A reference manager with nothing changed yet.
fn plain(program: &Path) -> Result<Wrapped, String> {
    Ok(Wrapped {
        inner: Some((REAL.start)(program)?),
        local_clients: false,
        one_updater: false,
        forget: false,
        updates_in_parent: false,
        one_by_one: false,
        batch: 0,
        returns_at_first_failure: false,
        ignores_failures: false,
        updaters_idle: false,
        returns_at_failed_spawn: false,
        kills_after_failure: false,
        stops_at_failed_spawn: false,
        signal_is_success: false,
        caching_clients: false,
        hang_up_is_zero: false,
    })
}

/// A reference manager with one of its flags set by `set`.
fn changed(program: &Path, set: fn(&mut Wrapped)) -> Started {
    let mut wrapped = plain(program)?;
    set(&mut wrapped);
    Ok(Box::new(wrapped))
}

/// A reference client that keeps what it read, "so reading again costs no
/// round trip", and forgets a counter only when it adds to it itself.
struct CachingClient {
    inner: Box<dyn ClientHandle>,
    read: HashMap<String, i64>,
}

impl ClientHandle for CachingClient {
    fn add(&mut self, key: &str, delta: i64) -> Result<i64, String> {
        self.read.remove(key);
        self.inner.add(key, delta)
    }
    fn get(&mut self, key: &str) -> Result<i64, String> {
        if let Some(&value) = self.read.get(key) {
            return Ok(value);
        }
        let value = self.inner.get(key)?;
        self.read.insert(key.to_owned(), value);
        Ok(value)
    }
}

/// A reference client whose "no reply" (the reference's "the manager hung
/// up") reads as 0: `unwrap_or_default()` on the reply.
struct ZeroOnHangUp(Box<dyn ClientHandle>);

impl ZeroOnHangUp {
    fn zero_if_hung_up(reply: Result<i64, String>) -> Result<i64, String> {
        match reply {
            Err(e) if e.contains("hung up") => Ok(0),
            other => other,
        }
    }
}

impl ClientHandle for ZeroOnHangUp {
    fn add(&mut self, key: &str, delta: i64) -> Result<i64, String> {
        Self::zero_if_hung_up(self.0.add(key, delta))
    }
    fn get(&mut self, key: &str) -> Result<i64, String> {
        Self::zero_if_hung_up(self.0.get(key))
    }
}

/// `program` started as an updater of the manager at `address`, as the
/// reference starts one.
fn updater(
    program: &Path,
    address: &Path,
    key: &str,
    times: u32,
) -> Result<std::process::Child, String> {
    let role = manager_solution::Role::Updater {
        address: address.to_path_buf(),
        key: key.to_owned(),
        times,
    };
    std::process::Command::new(program)
        .env(
            manager_solution::ROLE_VAR,
            serde_json::to_string(&role).expect("a role encodes"),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())
}

fn updates_in_parent(program: &Path) -> Started {
    let mut wrapped = plain(program)?;
    wrapped.updates_in_parent = true;
    Ok(Box::new(wrapped))
}

fn updaters_one_by_one(program: &Path) -> Started {
    let mut wrapped = plain(program)?;
    wrapped.one_by_one = true;
    Ok(Box::new(wrapped))
}

/// A reference manager whose `run_updaters` starts `batch` updaters at a
/// time, "not too many processes at once".
fn updaters_in_batches(program: &Path, batch: usize) -> Started {
    let mut wrapped = plain(program)?;
    wrapped.batch = batch;
    Ok(Box::new(wrapped))
}

/// A reference manager whose `run_updaters` returns at the first updater
/// that failed (`child?.wait()?` in order), the others never waited for.
fn updaters_until_one_fails(program: &Path) -> Started {
    let mut wrapped = plain(program)?;
    wrapped.returns_at_first_failure = true;
    Ok(Box::new(wrapped))
}

/// A reference manager whose `run_updaters` waits for every updater and
/// never looks at how they ended.
fn updaters_failures_ignored(program: &Path) -> Started {
    let mut wrapped = plain(program)?;
    wrapped.ignores_failures = true;
    Ok(Box::new(wrapped))
}

fn updaters_idle(program: &Path) -> Started {
    let mut wrapped = plain(program)?;
    wrapped.updaters_idle = true;
    Ok(Box::new(wrapped))
}

/// Set in the environment of a decoy `Changer` that sends its copy back
/// unchanged, with its pid: it only "signs" it.
pub const SIGNS_ONLY: &str = "COURSE_DECOY_CHANGER_SIGNS_ONLY";

/// The decoys' program, run through a script that sets `var` to `value`
/// (a script per setting, written once per process).
fn program_with(var: &str, value: &str) -> std::path::PathBuf {
    script_for(
        &std::env::current_exe().expect("the test binary's path"),
        var,
        value,
    )
    .expect("writing a decoy's program script")
}

/// A script that runs `program` with `var` set to `value` (one per program
/// and setting, kept for the process's life).
fn script_for(program: &Path, var: &str, value: &str) -> Result<std::path::PathBuf, String> {
    use std::hash::{Hash, Hasher};
    use std::os::unix::fs::PermissionsExt;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    program.hash(&mut hasher);
    let script = std::env::temp_dir().join(format!(
        "course-manager-{}-{var}-{value}-{:x}.sh",
        std::process::id(),
        hasher.finish()
    ));
    if !script.exists() {
        let text = format!(
            "#!/bin/sh\n{var}={value} exec '{}' \"$@\"\n",
            program.display()
        );
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let part = script.with_extension(format!("part{n}"));
        std::fs::write(&part, text).map_err(|e| e.to_string())?;
        std::fs::set_permissions(&part, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
        std::fs::rename(&part, &script).map_err(|e| e.to_string())?;
    }
    Ok(script)
}

/// The child (a `Changer` that only signs) sends its copy back unchanged;
/// the parent doubles it, all but the pid.
fn doubled_in_the_parent(program: &Path, data: &[i64]) -> Result<Vec<i64>, String> {
    let mut answer = (REAL.in_a_child)(program, data)?;
    let last = answer.len().saturating_sub(1);
    for x in &mut answer[..last] {
        *x *= 2;
    }
    Ok(answer)
}

/// Sends the child the list already doubled; the child (a `Changer` that
/// only signs) appends its pid.
fn doubled_before_sending(program: &Path, data: &[i64]) -> Result<Vec<i64>, String> {
    let doubled: Vec<i64> = data.iter().map(|x| x * 2).collect();
    (REAL.in_a_child)(program, &doubled)
}

/// Sends the list, then waits for the child before it reads the answer
/// ("let the child finish first"): a child whose answer is more than a
/// pipe holds never finishes.
fn waits_before_reading(program: &Path, data: &[i64]) -> Result<Vec<i64>, String> {
    let mut child = std::process::Command::new(program)
        .env(manager_solution::ROLE_VAR, "\"Changer\"")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stdin = child.stdin.take().expect("piped");
    frames_solution::write_frame(&mut stdin, &data).map_err(|e| e.to_string())?;
    drop(stdin);
    let status = child.wait().map_err(|e| e.to_string())?;
    let out = child.stdout.take().expect("piped");
    match frames_solution::FrameReader::new(std::io::BufReader::new(out), 1 << 20)
        .read::<Vec<i64>>()
        .map_err(|e| e.to_string())?
    {
        Some(copy) if status.success() => Ok(copy),
        _ => Err(format!("the child ended ({status}) without an answer")),
    }
}

/// A child in the `Changer` role with piped stdin and stdout, as the
/// reference starts it.
fn changer(program: &Path) -> Result<std::process::Child, String> {
    std::process::Command::new(program)
        .env(manager_solution::ROLE_VAR, "\"Changer\"")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())
}

/// Sends the list, reads the answer with `?` (no answer: return at once),
/// then waits for the child: one that sent nothing is never waited for
/// (round 8, manager/01).
fn answer_before_wait(program: &Path, data: &[i64]) -> Result<Vec<i64>, String> {
    let mut child = changer(program)?;
    let mut stdin = child.stdin.take().expect("piped");
    frames_solution::write_frame(&mut stdin, &data).map_err(|e| e.to_string())?;
    drop(stdin);
    let out = child.stdout.take().expect("piped");
    let answer = frames_solution::FrameReader::new(std::io::BufReader::new(out), 1 << 20)
        .read::<Vec<i64>>()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the child ended without an answer".to_owned())?;
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("the child ended with {status}"));
    }
    Ok(answer)
}

/// The reference before round 8: `write_frame(..)?` returns before `wait`
/// when the list cannot be written (a child that quit without reading more
/// than a pipe holds), and that child is never waited for.
fn write_before_wait(program: &Path, data: &[i64]) -> Result<Vec<i64>, String> {
    let mut child = changer(program)?;
    let mut stdin = child.stdin.take().expect("piped");
    frames_solution::write_frame(&mut stdin, &data).map_err(|e| e.to_string())?;
    drop(stdin);
    let out = child.stdout.take().expect("piped");
    let answer = frames_solution::FrameReader::new(out, 1 << 20).read::<Vec<i64>>();
    let status = child.wait().map_err(|e| e.to_string())?;
    match answer.map_err(|e| e.to_string())? {
        Some(copy) if status.success() => Ok(copy),
        _ => Err(format!("the child ended ({status}) without an answer")),
    }
}

/// Sends the list, reads the answer, and never waits for the child.
fn never_waits(program: &Path, data: &[i64]) -> Result<Vec<i64>, String> {
    let mut child = std::process::Command::new(program)
        .env(manager_solution::ROLE_VAR, "\"Changer\"")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stdin = child.stdin.take().expect("piped");
    frames_solution::write_frame(&mut stdin, &data).map_err(|e| e.to_string())?;
    drop(stdin);
    let out = child.stdout.take().expect("piped");
    frames_solution::FrameReader::new(std::io::BufReader::new(out), 1 << 20)
        .read::<Vec<i64>>()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "no answer".to_owned())
}

/// Starts the child, ignores its answer, doubles the list in the parent
/// and appends the child's pid as `Child::id` gives it.
fn changer_ignored(program: &Path, data: &[i64]) -> Result<Vec<i64>, String> {
    let mut child = std::process::Command::new(program)
        .env(manager_solution::ROLE_VAR, "\"Changer\"")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let pid = child.id();
    let _ = child.wait();
    let mut copy: Vec<i64> = data.iter().map(|x| x * 2).collect();
    copy.push(i64::from(pid));
    Ok(copy)
}

/// A reference manager whose Drop leaves its socket file behind (a hard
/// link kept across the reference Drop, then put back).
struct Littering(Option<Box<dyn ManagerHandle>>);

impl ManagerHandle for Littering {
    fn pid(&self) -> u32 {
        self.0.as_ref().expect("alive").pid()
    }
    fn address(&self) -> std::path::PathBuf {
        self.0.as_ref().expect("alive").address()
    }
    fn connect(&self) -> Result<Box<dyn ClientHandle>, String> {
        self.0.as_ref().expect("alive").connect()
    }
    fn run_updaters(&self, program: &Path, key: &str, w: usize, t: u32) -> Result<(), String> {
        self.0
            .as_ref()
            .expect("alive")
            .run_updaters(program, key, w, t)
    }
}

impl Drop for Littering {
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            let address = inner.address();
            let kept = address.with_extension("kept");
            let _ = std::fs::hard_link(&address, &kept);
            drop(inner);
            let _ = std::fs::rename(&kept, &address);
        }
    }
}

/// A manager started without waiting for its ready frame: a 30 ms sleep
/// "which is plenty".
struct Guessing {
    child: std::process::Child,
    address: std::path::PathBuf,
}

struct Connection(manager_solution::Client);

impl ClientHandle for Connection {
    fn add(&mut self, key: &str, delta: i64) -> Result<i64, String> {
        self.0.add(key, delta).map_err(|e| e.to_string())
    }
    fn get(&mut self, key: &str) -> Result<i64, String> {
        self.0.get(key).map_err(|e| e.to_string())
    }
}

impl ManagerHandle for Guessing {
    fn pid(&self) -> u32 {
        self.child.id()
    }
    fn address(&self) -> std::path::PathBuf {
        self.address.clone()
    }
    fn connect(&self) -> Result<Box<dyn ClientHandle>, String> {
        manager_solution::Client::connect(&self.address)
            .map(|c| Box::new(Connection(c)) as Box<dyn ClientHandle>)
            .map_err(|e| e.to_string())
    }
    fn run_updaters(&self, _: &Path, _: &str, _: usize, _: u32) -> Result<(), String> {
        Err("not used".into())
    }
}

impl Drop for Guessing {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.address);
    }
}

/// `program` started as the manager of a socket of its own (named for
/// `what`), its stdin piped, with this stdout and stderr; and the socket's
/// address. What a decoy's `start` does with it is the decoy.
fn spawn_manager(
    program: &Path,
    what: &str,
    stdout: std::process::Stdio,
    stderr: std::process::Stdio,
) -> Result<(std::process::Child, std::path::PathBuf), String> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let address = std::env::temp_dir().join(format!(
        "course-manager-{}-{what}-{}.sock",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let child = spawn_manager_at(program, &address, stdout, stderr)?;
    Ok((child, address))
}

/// `program` started as the manager of the socket at `address`, whatever
/// was there removed first.
fn spawn_manager_at(
    program: &Path,
    address: &Path,
    stdout: std::process::Stdio,
    stderr: std::process::Stdio,
) -> Result<std::process::Child, String> {
    let _ = std::fs::remove_file(address);
    let role = manager_solution::Role::Manager {
        address: address.to_owned(),
    };
    std::process::Command::new(program)
        .env(
            manager_solution::ROLE_VAR,
            serde_json::to_string(&role).expect("a role encodes"),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| e.to_string())
}

/// Starts a manager and waits for its ready frame at most 2 s ("a manager
/// is up within two seconds"), then returns all the same.
fn start_giving_up(program: &Path) -> Started {
    let (mut child, address) = spawn_manager(
        program,
        "gives-up",
        std::process::Stdio::piped(),
        std::process::Stdio::inherit(),
    )?;
    let out = child.stdout.take().expect("piped");
    let (said, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = frames_solution::FrameReader::new(out, 1 << 20);
        let _ = said.send(out.read::<String>().map_err(|e| e.to_string()));
    });
    match ready.recv_timeout(std::time::Duration::from_secs(2)) {
        Ok(Ok(Some(ready))) if ready == "ready" => {}
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        other => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the manager did not start: {other:?}"));
        }
    }
    Ok(Box::new(Guessing { child, address }))
}

fn start_guessing(program: &Path) -> Started {
    start_guessing_for(program, std::time::Duration::from_millis(30))
}

/// [`start_guessing`], with a sleep of `guess`.
fn start_guessing_for(program: &Path, guess: std::time::Duration) -> Started {
    let (child, address) = spawn_manager(
        program,
        "guess",
        std::process::Stdio::null(),
        std::process::Stdio::inherit(),
    )?;
    std::thread::sleep(guess);
    Ok(Box::new(Guessing { child, address }))
}

/// Ignores the ready frame and tries to connect until the socket takes a
/// connection (round 16's `manager/05`): a loop that burns the calling
/// thread's core for as long as the manager takes to start.
fn start_spinning_on_connect(program: &Path) -> Started {
    let (child, address) = spawn_manager(
        program,
        "spins",
        std::process::Stdio::null(),
        std::process::Stdio::inherit(),
    )?;
    while std::os::unix::net::UnixStream::connect(&address).is_err() {}
    Ok(Box::new(Guessing { child, address }))
}

/// Set in the environment of a manager that must not notice its stdin
/// ending (the decoys' main replaces its stdin).
pub const DEAF: &str = "COURSE_DECOY_DEAF_MANAGER";

/// Starts the reference manager deaf to its stdin: no watcher ends it when
/// its parent is gone.
fn start_deaf(program: &Path) -> Started {
    (REAL.start)(&script_for(program, DEAF, "1")?)
}

/// Set in the environment of a decoy manager whose connections take their
/// replies from one channel they all share (the decoys' main runs
/// [`serve_shared_replies`] instead of the reference manager).
pub const SHARED_REPLIES: &str = "COURSE_DECOY_MANAGER_SHARED_REPLIES";

/// The reference manager, but with one reply channel: the owner thread
/// sends every value into it, and each connection thread, once it has
/// passed its request on, takes the next value from it (behind a lock).
/// When requests of two connections overlap, each may take the other's
/// answer. Returns when the listener fails.
pub fn serve_shared_replies(address: &Path) -> std::process::ExitCode {
    use std::io::Read;
    use std::os::unix::net::UnixListener;
    use std::sync::{Arc, Mutex, PoisonError, mpsc};
    let Ok(listener) = UnixListener::bind(address) else {
        return std::process::ExitCode::FAILURE;
    };
    if frames_solution::write_frame(&mut std::io::stdout().lock(), &"ready").is_err() {
        return std::process::ExitCode::FAILURE;
    }
    std::thread::spawn(|| {
        let _ = std::io::stdin().lock().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let (requests, owner) = mpsc::channel::<manager_solution::Request>();
    let (reply, answers) = mpsc::channel::<i64>();
    let answers = Arc::new(Mutex::new(answers));
    std::thread::spawn(move || {
        let mut counters: HashMap<String, i64> = HashMap::new();
        for request in owner {
            let value = match request {
                manager_solution::Request::Add { key, delta } => {
                    let counter = counters.entry(key).or_insert(0);
                    *counter += delta;
                    *counter
                }
                manager_solution::Request::Get { key } => counters.get(&key).copied().unwrap_or(0),
            };
            let _ = reply.send(value);
        }
    });
    for connection in listener.incoming().flatten() {
        let (requests, answers) = (requests.clone(), Arc::clone(&answers));
        std::thread::spawn(move || {
            let Ok(mut out) = connection.try_clone() else {
                return;
            };
            let mut frames =
                frames_solution::FrameReader::new(std::io::BufReader::new(connection), 1 << 20);
            while let Ok(Some(request)) = frames.read::<manager_solution::Request>() {
                if requests.send(request).is_err() {
                    return;
                }
                let value = answers
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .recv();
                let Ok(value) = value else { return };
                if frames_solution::write_frame(&mut out, &value).is_err() {
                    return;
                }
            }
        });
    }
    std::process::ExitCode::FAILURE
}

/// Set in the environment of a decoy manager that serves its connections
/// with this many threads, each a connection until it closes (the decoys'
/// main runs [`serve_with_handlers`] instead of the reference manager).
pub const HANDLERS: &str = "COURSE_DECOY_MANAGER_HANDLERS";

/// A manager like the reference (bound, ready, ended by its stdin), but
/// its counters are one map behind one lock, held across the read and the
/// write, and its connections are served by `handlers` threads, each
/// serving one connection until it closes: with 1, on the accepting thread,
/// one after another. Returns when the listener fails.
pub fn serve_with_handlers(address: &Path, handlers: usize) -> std::process::ExitCode {
    static OPEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let linger = std::env::var_os(LINGERS).is_some();
    let grace = std::env::var(GRACE_MS)
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(std::time::Duration::from_millis);
    // "1": a line of 28 bytes per connection; anything else: that text.
    let logs = std::env::var(LOGS_EACH)
        .ok()
        .map(|line| match line.as_str() {
            "1" => "manager: a client connected".to_owned(),
            _ => line,
        });
    use std::io::Read;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::sync::{Mutex, PoisonError};
    type Counters = Mutex<HashMap<String, i64>>;
    type Add = (String, i64, std::sync::mpsc::Sender<i64>);
    /// With [`GETS_FROM_A_COPY`]: the owner thread, which applies adds.
    static OWNER: std::sync::OnceLock<crossbeam_channel::Sender<Add>> = std::sync::OnceLock::new();
    /// The owner's counters, published after every add.
    static COPY: std::sync::RwLock<BTreeMap<String, i64>> = std::sync::RwLock::new(BTreeMap::new());
    if std::env::var_os(GETS_FROM_A_COPY).is_some() {
        let (give, take) = crossbeam_channel::unbounded::<Add>();
        let _ = OWNER.set(give);
        std::thread::spawn(move || {
            let mut counters: BTreeMap<String, i64> = BTreeMap::new();
            for (key, delta, reply) in take {
                let counter = counters.entry(key).or_insert(0);
                *counter += delta;
                let value = *counter;
                *COPY.write().unwrap_or_else(PoisonError::into_inner) = counters.clone();
                let _ = reply.send(value);
            }
        });
    }

    fn serve_connection(connection: UnixStream, counters: &Counters) {
        OPEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        struct Closed;
        impl Drop for Closed {
            fn drop(&mut self) {
                OPEN.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let _closed = Closed;
        let Ok(mut out) = connection.try_clone() else {
            return;
        };
        let mut frames =
            frames_solution::FrameReader::new(std::io::BufReader::new(connection), 1 << 20);
        while let Ok(Some(request)) = frames.read::<manager_solution::Request>() {
            // Gets from the owner's published copy, adds to the owner.
            if let Some(owner) = OWNER.get() {
                let value = match request {
                    manager_solution::Request::Get { key } => COPY
                        .read()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get(&key)
                        .copied()
                        .unwrap_or(0),
                    manager_solution::Request::Add { key, delta } => {
                        let (reply, answer) = std::sync::mpsc::channel();
                        if owner.send((key, delta, reply)).is_err() {
                            return;
                        }
                        let Ok(value) = answer.recv() else { return };
                        value
                    }
                };
                if frames_solution::write_frame(&mut out, &value).is_err() {
                    return;
                }
                continue;
            }
            let value = {
                let mut counters = counters.lock().unwrap_or_else(PoisonError::into_inner);
                match request {
                    manager_solution::Request::Add { key, delta } => {
                        let counter = counters.entry(key).or_insert(0);
                        if std::env::var_os(I32).is_some() {
                            // "Counters are small numbers."
                            *counter = i64::from((*counter as i32).wrapping_add(delta as i32));
                        } else {
                            *counter += delta;
                        }
                        *counter
                    }
                    manager_solution::Request::Get { key } => {
                        counters.get(&key).copied().unwrap_or(0)
                    }
                }
            };
            if frames_solution::write_frame(&mut out, &value).is_err() {
                return;
            }
        }
    }

    let Ok(listener) = UnixListener::bind(address) else {
        return std::process::ExitCode::FAILURE;
    };
    if frames_solution::write_frame(&mut std::io::stdout().lock(), &"ready").is_err() {
        return std::process::ExitCode::FAILURE;
    }
    let watch_stdin = move || {
        let _ = std::io::stdin().lock().read_to_end(&mut Vec::new());
        // "Never cut a client off."
        while linger && OPEN.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // "Give connected clients a moment to finish."
        if let Some(grace) = grace {
            let until = std::time::Instant::now() + grace;
            while OPEN.load(std::sync::atomic::Ordering::SeqCst) > 0
                && std::time::Instant::now() < until
            {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
        std::process::exit(0);
    };
    // "Once there are clients": the watcher waits for the first one.
    let watch_late = std::env::var_os(WATCHES_FROM_FIRST_CLIENT).is_some();
    let mut watch_stdin = Some(watch_stdin);
    if !watch_late {
        std::thread::spawn(watch_stdin.take().expect("not yet started"));
    }
    let counters: &'static Counters = Box::leak(Box::default());
    if handlers == 0 {
        // A thread per connection, each applying its requests itself; with
        // AT_MOST, no more than that many at once.
        static SERVING: (Mutex<usize>, std::sync::Condvar) =
            (Mutex::new(0), std::sync::Condvar::new());
        let at_most: usize = std::env::var(AT_MOST)
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX);
        for connection in listener.incoming().flatten() {
            if let Some(watch) = watch_stdin.take() {
                std::thread::spawn(watch);
            }
            if let Some(line) = &logs {
                eprintln!("{line}");
            }
            let (count, freed) = &SERVING;
            let mut serving = count.lock().unwrap_or_else(PoisonError::into_inner);
            while *serving >= at_most {
                serving = freed.wait(serving).unwrap_or_else(PoisonError::into_inner);
            }
            *serving += 1;
            drop(serving);
            std::thread::spawn(move || {
                serve_connection(connection, counters);
                *count.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
                freed.notify_one();
            });
        }
    } else if handlers == 1 {
        for connection in listener.incoming().flatten() {
            serve_connection(connection, counters);
        }
    } else {
        let (give, take) = crossbeam_channel::unbounded::<UnixStream>();
        for _ in 0..handlers {
            let take = take.clone();
            std::thread::spawn(move || {
                for connection in take {
                    serve_connection(connection, counters);
                }
            });
        }
        for connection in listener.incoming().flatten() {
            if give.send(connection).is_err() {
                break;
            }
        }
    }
    std::process::ExitCode::FAILURE
}

/// Set in the environment of a decoy manager ([`serve_with_handlers`], a
/// thread per connection) that serves at most this many connections at
/// once, "so that a flood of clients cannot exhaust the manager's threads"
/// (round 22's `manager/05`): the next waits until one closes.
pub const AT_MOST: &str = "COURSE_DECOY_MANAGER_AT_MOST";

/// Starts a manager that serves at most 1,024 connections at once.
fn start_at_most_1024(program: &Path) -> Started {
    let capped = script_for(program, AT_MOST, "1024")?;
    (REAL.start)(&script_for(&capped, HANDLERS, "0")?)
}

/// Set in the environment of a decoy manager ([`serve_with_handlers`])
/// whose counters are `i32`s (round 22's `manager/02`).
pub const I32: &str = "COURSE_DECOY_MANAGER_I32";

/// Starts a manager (a thread per connection) whose counters wrap at 2^31.
fn start_with_i32_counters(program: &Path) -> Started {
    let small = script_for(program, I32, "1")?;
    (REAL.start)(&script_for(&small, HANDLERS, "0")?)
}

/// Set in the environment of a decoy manager ([`serve_with_handlers`], a
/// thread per connection) whose adds go to an owner thread and whose gets
/// the connection threads answer from a copy the owner publishes after
/// each add (round 20's `manager/04`).
pub const GETS_FROM_A_COPY: &str = "COURSE_DECOY_MANAGER_GETS_FROM_A_COPY";

/// Starts a manager whose gets are answered from a published copy.
fn start_with_gets_from_a_copy(program: &Path) -> Started {
    let copying = script_for(program, GETS_FROM_A_COPY, "1")?;
    (REAL.start)(&script_for(&copying, HANDLERS, "0")?)
}

/// Starts a decoy manager ([`serve_with_handlers`]) with `handlers`
/// connection threads, through a script that sets [`HANDLERS`].
fn start_with_handlers(program: &Path, handlers: usize) -> Started {
    (REAL.start)(&script_for(program, HANDLERS, &handlers.to_string())?)
}

/// A manager started with its stdout piped, once it said ready (its
/// handle removes `address` when dropped); killed and waited for if it
/// did not.
fn once_ready(mut child: std::process::Child, address: std::path::PathBuf) -> Started {
    let out = child.stdout.take().expect("piped");
    match frames_solution::FrameReader::new(out, 1 << 20).read::<String>() {
        Ok(Some(ready)) if ready == "ready" => Ok(Box::new(Guessing { child, address })),
        other => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!("the manager did not start: {other:?}"))
        }
    }
}

/// Set in the environment of a decoy manager ([`serve_with_handlers`]) that,
/// once its stdin ends, waits up to this many milliseconds for its clients
/// to hang up before it exits (round 8, manager/06: 2 000).
pub const GRACE_MS: &str = "COURSE_DECOY_MANAGER_GRACE_MS";

/// A manager (a thread per connection) that gives its connected clients up
/// to 2 s once its stdin ends.
fn start_with_grace(program: &Path) -> Started {
    let graceful = script_for(program, GRACE_MS, "2000")?;
    (REAL.start)(&script_for(&graceful, HANDLERS, "0")?)
}

/// Set in the environment of a decoy manager ([`serve_with_handlers`], a
/// thread per connection) that writes a line to its stderr for every
/// connection it accepts, on the accepting thread: the value's text, or a
/// line of 28 bytes for `1`.
pub const LOGS_EACH: &str = "COURSE_DECOY_MANAGER_LOGS_EACH";

/// Starts a manager that logs each connection ([`LOGS_EACH`]) with its
/// stderr piped, "to keep the test output quiet", and that pipe never read
/// (round 8, manager/08): once it holds 64 KiB, the manager's accepting
/// thread blocks in `eprintln!` for good.
fn start_with_stderr_unread(program: &Path) -> Started {
    start_logging_to_an_unread_pipe(program, "1")
}

/// As [`start_with_stderr_unread`], with a line of 7 bytes (round 16's
/// `manager/04`): 64 KiB hold 9 362 of them, more connections than the
/// check makes, but a pipe of a single page holds 585.
fn start_with_short_lines_unread(program: &Path) -> Started {
    start_logging_to_an_unread_pipe(program, "client")
}

/// A manager that writes `line` to its stderr for each connection, that
/// stderr a pipe its parent holds and never reads.
fn start_logging_to_an_unread_pipe(program: &Path, line: &str) -> Started {
    let logging = script_for(program, LOGS_EACH, line)?;
    let program = script_for(&logging, HANDLERS, "0")?;
    let (child, address) = spawn_manager(
        &program,
        "stderr",
        std::process::Stdio::piped(),
        std::process::Stdio::piped(),
    )?;
    once_ready(child, address)
}

/// Set in the environment of a decoy manager ([`serve_with_handlers`]) that,
/// once its stdin ends, waits until no client is connected before it exits.
pub const LINGERS: &str = "COURSE_DECOY_MANAGER_LINGERS";

/// A manager that waits for its clients to hang up once its stdin ends.
fn start_lingering(program: &Path) -> Started {
    let lingering = script_for(program, LINGERS, "1")?;
    (REAL.start)(&script_for(&lingering, HANDLERS, "16")?)
}

/// Set in the environment of a decoy manager ([`serve_with_handlers`], a
/// thread per connection) that starts its stdin watcher when the first
/// client connects, "once there are clients" (round 22's `manager/09`).
pub const WATCHES_FROM_FIRST_CLIENT: &str = "COURSE_DECOY_MANAGER_WATCHES_FROM_FIRST_CLIENT";

/// A manager whose stdin watcher waits for a first client: a parent that
/// dies before it connects leaves the manager running for good.
fn start_watching_from_first_client(program: &Path) -> Started {
    let late = script_for(program, WATCHES_FROM_FIRST_CLIENT, "1")?;
    (REAL.start)(&script_for(&late, HANDLERS, "0")?)
}

/// A manager at a socket named by the program's pid alone, whatever was
/// there removed first, "a socket left by a manager that died" (round
/// 22's `manager/10`): a second manager of the program takes over the
/// first's path, and dropping either removes the socket both use.
fn start_named_by_pid(program: &Path) -> Started {
    let address = std::env::temp_dir().join(format!("course-manager-{}.sock", std::process::id()));
    let child = spawn_manager_at(
        program,
        &address,
        std::process::Stdio::piped(),
        std::process::Stdio::inherit(),
    )?;
    once_ready(child, address)
}

/// A start that, when the manager did not say ready, kills it and drops
/// its `Child` without waiting for it (round 22's `manager/06`): a zombie
/// per failed start.
fn start_forgetting_a_failed_start(program: &Path) -> Started {
    let (mut child, address) = spawn_manager(
        program,
        "forgets",
        std::process::Stdio::piped(),
        std::process::Stdio::inherit(),
    )?;
    let out = child.stdout.take().expect("piped");
    match frames_solution::FrameReader::new(out, 1 << 20).read::<String>() {
        Ok(Some(ready)) if ready == "ready" => Ok(Box::new(Guessing { child, address })),
        other => {
            let _ = child.kill();
            drop(child);
            Err(format!("the manager did not start: {other:?}"))
        }
    }
}

/// `in_a_child` that takes an empty list for "no list" and fails (round
/// 22's `manager/04`, whose child ended with a failure on an empty stdin).
fn empty_is_no_list(program: &Path, data: &[i64]) -> Result<Vec<i64>, String> {
    if data.is_empty() {
        return Err("the child got no list on its stdin".into());
    }
    (REAL.in_a_child)(program, data)
}

/// This file, as the suite reads a crate's `src/lib.rs`.
pub const SOURCE: &str = include_str!("manager.rs");

/// The corpus for `manager`.
pub fn corpus() -> Vec<Decoy<ManagerApi>> {
    vec![
        // Round 13's: past the sizes the suite drew before it, and what
        // only the source shows.
        Decoy {
            name: "starts the updaters in batches of 48 (round 13, manager/04)",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| updaters_in_batches(p, 48),
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updaters-at-once",
            says: &["all at once", "at most 48 of"],
        },
        Decoy {
            name: "starts no more updaters once one cannot start (round 20, manager/03)",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| changed(p, |w| w.stops_at_failed_spawn = true),
                ..REAL
            },
            caught_by: "an_updater_that_cannot_start_is_reported_once_all_are_waited_for",
            breaks: "updaters-at-once",
            says: &["the third start refused", "not a reason to stop"],
        },
        Decoy {
            name: "starts the updaters in batches of 200 (round 20, manager/05)",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| updaters_in_batches(p, 200),
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updaters-at-once",
            says: &["all at once", "at most 200 of"],
        },
        Decoy {
            name: "starts the updaters in batches of 256 (round 22, manager/01)",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| updaters_in_batches(p, 256),
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updaters-at-once",
            says: &["all at once", "at most 256 of"],
        },
        Decoy {
            name: "starts the updaters in batches of 100 (round 16, manager/03)",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| updaters_in_batches(p, 100),
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updaters-at-once",
            says: &["all at once", "at most 100 of"],
        },
        Decoy {
            name: "serves connections with a fixed pool of 128 threads (round 13, manager/02)",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| start_with_handlers(p, 128),
                ..REAL
            },
            caught_by: "every_connection_is_served_at_once",
            breaks: "connections-at-once",
            says: &["128 of them had a reply", "a fixed few at a time"],
        },
        Decoy {
            name: "serves connections with a fixed pool of 256 threads (round 16, manager/01)",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| start_with_handlers(p, 256),
                ..REAL
            },
            caught_by: "every_connection_is_served_at_once",
            breaks: "connections-at-once",
            says: &["256 of them had a reply", "a fixed few at a time"],
        },
        Decoy {
            name: "serves at most 1,024 connections at once (round 22, manager/05)",
            class: Class::Batched,
            subject: ManagerApi {
                start: start_at_most_1024,
                ..REAL
            },
            caught_by: "every_connection_is_served_at_once",
            breaks: "connections-at-once",
            says: &["and sent nothing", "at most so many connections at once"],
        },
        Decoy {
            name: "counters kept in an i32 (round 22, manager/02)",
            class: Class::MadeUp,
            subject: ManagerApi {
                start: start_with_i32_counters,
                ..REAL
            },
            caught_by: "the_manager_owns_the_state",
            breaks: "shared-state",
            says: &["a counter holds any `i64`"],
        },
        Decoy {
            name: "serves connections with a fixed pool of 1,024 threads (round 20, manager/01)",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| start_with_handlers(p, 1024),
                ..REAL
            },
            caught_by: "every_connection_is_served_at_once",
            breaks: "connections-at-once",
            says: &[
                "a thread of its own in the manager",
                "a pool of threads started ahead",
            ],
        },
        Decoy {
            name: "start gives up on the ready frame after a while (round 13, manager/03)",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_giving_up,
                code: &["start_giving_up"],
                ..REAL
            },
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "start-waits-for-ready",
            says: &["`recv_timeout`", "(in `fn start_giving_up`)"],
        },
        Decoy {
            name: "an empty list taken for no list (round 22, manager/04)",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                in_a_child: empty_is_no_list,
                ..REAL
            },
            caught_by: "a_child_changes_only_its_copy",
            breaks: "child-changes-a-copy",
            says: &["in_a_child(program, [])", "an empty list is a list"],
        },
        Decoy {
            name: "the stdin watcher started by the first client (round 22, manager/09)",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_watching_from_first_client,
                ..REAL
            },
            caught_by: "the_manager_ends_when_its_stdin_ends",
            breaks: "ends-with-stdin",
            says: &[
                "before any client had connected",
                "from the moment the manager starts",
            ],
        },
        Decoy {
            name: "the socket named by the program's pid alone (round 22, manager/10)",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_named_by_pid,
                ..REAL
            },
            caught_by: "dropping_the_manager_leaves_no_process",
            breaks: "drop-cleans-up",
            says: &[
                "two managers started by one program",
                "a manager of its own",
            ],
        },
        Decoy {
            name: "a manager that failed to start killed but never waited for (round 22, manager/06)",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_forgetting_a_failed_start,
                ..REAL
            },
            caught_by: "dropping_the_manager_leaves_no_process",
            breaks: "drop-cleans-up",
            says: &["ends before it says ready", "a zombie"],
        },
        // Round 8's "variants of closed holes": the sizes the suite drew
        // before it, past which a fixed number still passed.
        Decoy {
            name: "starts the updaters in batches of 32",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| updaters_in_batches(p, 32),
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updaters-at-once",
            says: &["all at once", "at most 32 of"],
        },
        Decoy {
            name: "serves connections with a fixed pool of 64 threads",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| start_with_handlers(p, 64),
                ..REAL
            },
            caught_by: "every_connection_is_served_at_once",
            breaks: "connections-at-once",
            says: &["64 of them had a reply", "a fixed few at a time"],
        },
        // Round 8's wrong managers, one decoy each (manager/10 too).
        Decoy {
            name: "in_a_child returns at a missing answer before it waits for the child",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                in_a_child: answer_before_wait,
                ..REAL
            },
            caught_by: "a_child_without_an_answer_is_waited_for_too",
            breaks: "child-waited-for",
            says: &["was a zombie", "also when it sent no answer"],
        },
        Decoy {
            name: "in_a_child returns at a failed write of the list before it waits for the child",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                in_a_child: write_before_wait,
                ..REAL
            },
            caught_by: "a_child_without_an_answer_is_waited_for_too",
            breaks: "child-waited-for",
            says: &["was a zombie", "could not be given its list"],
        },
        Decoy {
            name: "run_updaters returns at the first updater that cannot start",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| changed(p, |w| w.returns_at_failed_spawn = true),
                ..REAL
            },
            caught_by: "an_updater_that_cannot_start_is_reported_once_all_are_waited_for",
            breaks: "updaters-at-once",
            says: &["had not been waited for", "A `?` on the spawns"],
        },
        Decoy {
            name: "run_updaters kills the other updaters after the first failure",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| changed(p, |w| w.kills_after_failure = true),
                ..REAL
            },
            caught_by: "a_failed_updater_is_reported_once_all_are_waited_for",
            breaks: "updaters-at-once",
            says: &["healthy updaters' increments", "loses their increments"],
        },
        Decoy {
            name: "an updater killed by a signal counts as a success",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| changed(p, |w| w.signal_is_success = true),
                ..REAL
            },
            caught_by: "an_updater_killed_by_a_signal_is_a_failure",
            breaks: "updaters-at-once",
            says: &["returned Ok(())", "ended by a signal ended with a failure"],
        },
        Decoy {
            name: "once its stdin ends, the manager gives connected clients 2 s",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_with_grace,
                ..REAL
            },
            caught_by: "the_manager_ends_when_its_stdin_ends",
            breaks: "ends-with-stdin",
            says: &[
                "still ran 500 ms after its stdin ended",
                "nor get a grace period",
            ],
        },
        Decoy {
            name: "clients keep what they read, forgotten only on their own add",
            class: Class::StateBetweenCalls,
            subject: ManagerApi {
                start: |p| changed(p, |w| w.caching_clients = true),
                ..REAL
            },
            caught_by: "the_manager_owns_the_state",
            breaks: "shared-state",
            says: &[
                "the first read it again",
                "`get` asks the manager every time",
            ],
        },
        Decoy {
            name: "the manager logs each connection to a stderr piped and never read",
            class: Class::Stuck,
            subject: ManagerApi {
                start: start_with_stderr_unread,
                ..REAL
            },
            caught_by: "thousands_of_connections_are_all_served",
            breaks: "connections-at-once",
            says: &["s with no reply", "a pipe nobody reads"],
        },
        Decoy {
            name: "7 bytes per connection to a stderr piped and never read (round 16, manager/04)",
            class: Class::Stuck,
            subject: ManagerApi {
                start: start_with_short_lines_unread,
                ..REAL
            },
            caught_by: "thousands_of_connections_are_all_served",
            breaks: "connections-at-once",
            says: &["s with no reply", "the test gave them 4096 bytes"],
        },
        Decoy {
            name: "a client reads a manager that hung up as 0",
            class: Class::MadeUp,
            subject: ManagerApi {
                start: |p| changed(p, |w| w.hang_up_is_zero = true),
                ..REAL
            },
            caught_by: "a_manager_that_hangs_up_is_an_error",
            breaks: "shared-state",
            says: &["returned Ok(0)", "never a value"],
        },
        Decoy {
            name: "gets answered by the connection threads from a published copy (round 20, manager/04)",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_with_gets_from_a_copy,
                ..REAL
            },
            caught_by: "every_request_goes_to_the_thread_that_holds_the_map",
            breaks: "connections-at-once",
            says: &[
                "none woke for each of its requests",
                "nor answer from a copy",
            ],
        },
        Decoy {
            name: "connection threads apply requests under a lock on a shared map, no owner thread",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| start_with_handlers(p, 0),
                ..REAL
            },
            caught_by: "every_request_goes_to_the_thread_that_holds_the_map",
            breaks: "connections-at-once",
            says: &[
                "none woke for each of its requests",
                "under a lock on a shared map",
            ],
        },
        Decoy {
            name: "starts the updaters in batches of 8",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| updaters_in_batches(p, 8),
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updaters-at-once",
            says: &["all at once", "at most 8 of"],
        },
        Decoy {
            name: "serves connections with a fixed pool of 16 threads",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| start_with_handlers(p, 16),
                ..REAL
            },
            caught_by: "every_connection_is_served_at_once",
            breaks: "connections-at-once",
            says: &["16 of them had a reply", "a fixed few at a time"],
        },
        Decoy {
            name: "one reply channel shared by every connection",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| (REAL.start)(&script_for(p, SHARED_REPLIES, "1")?),
                ..REAL
            },
            caught_by: "every_client_gets_its_own_answers",
            breaks: "shared-state",
            says: &[
                "were not their own",
                "a reply Sender sent with each request",
            ],
        },
        Decoy {
            name: "in_a_child waits for the child before it reads the answer",
            class: Class::Stuck,
            subject: ManagerApi {
                in_a_child: waits_before_reading,
                ..REAL
            },
            caught_by: "a_big_list_comes_back_whole",
            breaks: "child-changes-a-copy",
            says: &["had not returned after 4 s", "then wait for the child"],
        },
        Decoy {
            name: "start waits for ready at most 2 s, then returns anyway",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_giving_up,
                ..REAL
            },
            caught_by: "start_waits_until_the_manager_listens",
            breaks: "start-waits-for-ready",
            says: &["returned after 2.", "give up after a while"],
        },
        Decoy {
            name: "the parent doubles the list before sending it; the child only signs it",
            class: Class::MadeUp,
            subject: ManagerApi {
                program: || program_with(SIGNS_ONLY, "1"),
                in_a_child: doubled_before_sending,
                ..REAL
            },
            caught_by: "a_child_changes_only_its_copy",
            breaks: "answer-from-the-child",
            says: &["gave its child", "Send the list unchanged"],
        },
        Decoy {
            name: "run_updaters returns at the first failed updater, the rest never waited for",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: updaters_until_one_fails,
                ..REAL
            },
            caught_by: "a_failed_updater_is_reported_once_all_are_waited_for",
            breaks: "updaters-at-once",
            says: &["were not waited for", "even after one of them failed"],
        },
        Decoy {
            name: "run_updaters returns Ok though an updater failed",
            class: Class::MadeUp,
            subject: ManagerApi {
                start: updaters_failures_ignored,
                ..REAL
            },
            caught_by: "a_failed_updater_is_reported_once_all_are_waited_for",
            breaks: "updaters-at-once",
            says: &["returned Ok(())", "makes run_updaters return an error"],
        },
        Decoy {
            name: "serves one connection at a time, until it closes",
            class: Class::Sequential,
            subject: ManagerApi {
                start: |p| start_with_handlers(p, 1),
                ..REAL
            },
            caught_by: "every_connection_is_served_at_once",
            breaks: "connections-at-once",
            says: &["1 of them had a reply", "gets a thread in the manager"],
        },
        Decoy {
            name: "serves connections with a fixed pool of 4 threads",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| start_with_handlers(p, 4),
                ..REAL
            },
            caught_by: "every_connection_is_served_at_once",
            breaks: "connections-at-once",
            says: &["4 of them had a reply", "a fixed few at a time"],
        },
        Decoy {
            name: "serves connections with a fixed pool of 8 threads",
            class: Class::Batched,
            subject: ManagerApi {
                start: |p| start_with_handlers(p, 8),
                ..REAL
            },
            caught_by: "every_connection_is_served_at_once",
            breaks: "connections-at-once",
            says: &["8 of them had a reply", "a fixed few at a time"],
        },
        Decoy {
            name: "counters kept in each connection",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| wrapped(p, true, false, false),
                ..REAL
            },
            caught_by: "the_manager_owns_the_state",
            breaks: "shared-state",
            says: &["must see the first one's"],
        },
        Decoy {
            name: "starts one updater instead of all",
            class: Class::MadeUp,
            subject: ManagerApi {
                start: |p| wrapped(p, false, true, false),
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updater-processes",
            says: &["must start `program`", "ran in 1 process"],
        },
        Decoy {
            name: "starts each updater and waits for it before the next",
            class: Class::Sequential,
            subject: ManagerApi {
                start: updaters_one_by_one,
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updaters-at-once",
            says: &["all at once", "at most 1 of"],
        },
        Decoy {
            name: "the parent makes the updates itself, no updater process",
            class: Class::MadeUp,
            subject: ManagerApi {
                start: updates_in_parent,
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updater-processes",
            says: &["must start `program`", "ran in 0 process"],
        },
        Decoy {
            name: "starts the child but ignores its answer",
            class: Class::MadeUp,
            subject: ManagerApi {
                in_a_child: changer_ignored,
                ..REAL
            },
            caught_by: "a_child_changes_only_its_copy",
            breaks: "answer-from-the-child",
            says: &[
                "only what the child sends back counts",
                "the child sent back no list",
            ],
        },
        Decoy {
            name: "drop leaves the socket file behind",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| Ok(Box::new(Littering(Some((REAL.start)(p)?)))),
                ..REAL
            },
            caught_by: "dropping_the_manager_leaves_no_process",
            breaks: "drop-cleans-up",
            says: &["socket file", "is still there"],
        },
        Decoy {
            name: "start sleeps 500 ms instead of waiting for ready",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| start_guessing_for(p, std::time::Duration::from_millis(500)),
                ..REAL
            },
            caught_by: "start_waits_until_the_manager_listens",
            breaks: "start-waits-for-ready",
            says: &["must wait for the manager's ready frame"],
        },
        Decoy {
            name: "start spins on connect instead of reading the ready frame (round 16, manager/05)",
            class: Class::Spinning,
            subject: ManagerApi {
                start: start_spinning_on_connect,
                ..REAL
            },
            caught_by: "start_waits_until_the_manager_listens",
            breaks: "start-waits-for-ready",
            says: &["of CPU on the calling thread", "wait asleep"],
        },
        Decoy {
            name: "start sleeps 30 ms instead of waiting for ready",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_guessing,
                ..REAL
            },
            caught_by: "start_waits_until_the_manager_listens",
            breaks: "start-waits-for-ready",
            says: &["must wait for the manager's ready frame"],
        },
        Decoy {
            name: "the manager never watches its stdin",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_deaf,
                ..REAL
            },
            caught_by: "the_manager_ends_when_its_stdin_ends",
            breaks: "ends-with-stdin",
            says: &["still ran 500 ms after its stdin ended"],
        },
        Decoy {
            name: "kills the manager but never waits for it",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: |p| wrapped(p, false, false, true),
                ..REAL
            },
            caught_by: "dropping_the_manager_leaves_no_process",
            breaks: "drop-cleans-up",
            says: &["zombie"],
        },
        Decoy {
            name: "the child only signs its copy; the parent doubles it",
            class: Class::MadeUp,
            subject: ManagerApi {
                program: || program_with(SIGNS_ONLY, "1"),
                in_a_child: doubled_in_the_parent,
                ..REAL
            },
            caught_by: "a_child_changes_only_its_copy",
            breaks: "answer-from-the-child",
            says: &["but the child sent back"],
        },
        Decoy {
            name: "in_a_child never waits for its child",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                in_a_child: never_waits,
                ..REAL
            },
            caught_by: "a_child_changes_only_its_copy",
            breaks: "child-waited-for",
            says: &["zombie"],
        },
        Decoy {
            name: "starts the updaters two at a time",
            class: Class::Sequential,
            subject: ManagerApi {
                start: |p| updaters_in_batches(p, 2),
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updater-processes",
            says: &["all at once"],
        },
        Decoy {
            name: "updaters started with nothing to do; the parent sends the increments",
            class: Class::MadeUp,
            subject: ManagerApi {
                start: updaters_idle,
                ..REAL
            },
            caught_by: "updates_from_many_processes_are_all_counted",
            breaks: "updater-processes",
            says: &["the parent makes none of them"],
        },
        Decoy {
            name: "once its stdin ends, the manager waits for its clients to hang up",
            class: Class::RuleSkipped,
            subject: ManagerApi {
                start: start_lingering,
                ..REAL
            },
            caught_by: "the_manager_ends_when_its_stdin_ends",
            breaks: "ends-with-stdin",
            says: &["with one client connected"],
        },
        Decoy {
            name: "changes the list in the parent, no child",
            class: Class::MadeUp,
            subject: ManagerApi {
                in_a_child: |_, data| {
                    let mut copy: Vec<i64> = data.iter().map(|x| x * 2).collect();
                    copy.push(i64::from(std::process::id()));
                    Ok(copy)
                },
                ..REAL
            },
            caught_by: "a_child_changes_only_its_copy",
            breaks: "answer-from-the-child",
            says: &["not the parent's"],
        },
    ]
}
