//! Wrong managers: state kept in the connection, updaters not all run, a
//! manager never waited for, and a "child" that is the parent.

use std::collections::HashMap;
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
        self.inner().connect()
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
    })
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

/// Starts a manager and waits for its ready frame at most 2 s ("a manager
/// is up within two seconds"), then returns all the same.
fn start_giving_up(program: &Path) -> Started {
    let address = std::env::temp_dir().join(format!(
        "course-manager-{}-gives-up.sock",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&address);
    let role = manager_solution::Role::Manager {
        address: address.clone(),
    };
    let mut child = std::process::Command::new(program)
        .env(
            manager_solution::ROLE_VAR,
            serde_json::to_string(&role).expect("a role encodes"),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
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
    let address =
        std::env::temp_dir().join(format!("course-manager-{}-guess.sock", std::process::id()));
    let _ = std::fs::remove_file(&address);
    let role = manager_solution::Role::Manager {
        address: address.clone(),
    };
    let child = std::process::Command::new(program)
        .env(
            manager_solution::ROLE_VAR,
            serde_json::to_string(&role).expect("a role encodes"),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    std::thread::sleep(guess);
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
    use std::io::Read;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::sync::{Mutex, PoisonError};
    type Counters = Mutex<HashMap<String, i64>>;

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
            let value = {
                let mut counters = counters.lock().unwrap_or_else(PoisonError::into_inner);
                match request {
                    manager_solution::Request::Add { key, delta } => {
                        let counter = counters.entry(key).or_insert(0);
                        *counter += delta;
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
    std::thread::spawn(move || {
        let _ = std::io::stdin().lock().read_to_end(&mut Vec::new());
        // "Never cut a client off."
        while linger && OPEN.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::process::exit(0);
    });
    let counters: &'static Counters = Box::leak(Box::default());
    if handlers <= 1 {
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

/// Starts a decoy manager ([`serve_with_handlers`]) with `handlers`
/// connection threads, through a script that sets [`HANDLERS`].
fn start_with_handlers(program: &Path, handlers: usize) -> Started {
    (REAL.start)(&script_for(program, HANDLERS, &handlers.to_string())?)
}

/// Set in the environment of a decoy manager ([`serve_with_handlers`]) that,
/// once its stdin ends, waits until no client is connected before it exits.
pub const LINGERS: &str = "COURSE_DECOY_MANAGER_LINGERS";

/// A manager that waits for its clients to hang up once its stdin ends.
fn start_lingering(program: &Path) -> Started {
    let lingering = script_for(program, LINGERS, "1")?;
    (REAL.start)(&script_for(&lingering, HANDLERS, "16")?)
}

/// The corpus for `manager`.
pub fn corpus() -> Vec<Decoy<ManagerApi>> {
    vec![
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
            says: &["still ran 3 s after its stdin ended"],
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
