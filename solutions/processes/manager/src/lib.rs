//! Processes, exercise 3: processes don't share memory.
//!
//! A child process works on its own copy of everything: what it changes,
//! its parent never sees. What the parent gets back is what the child
//! sends, as messages. State that several processes must change together
//! therefore lives in one process, the *manager*, and the others change it
//! by sending it requests, as CPython's `multiprocessing.Manager` does: one
//! owner, many clients, and every update is a round trip.
//!
//! Here the manager is this same program started in the manager role. It
//! listens on a Unix socket; each client connection sends frames (the first
//! exercise) and gets one reply per request.

use std::io::{self, BufReader};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ExitCode};
// SOLUTION:
use std::collections::HashMap;
use std::io::Read;
use std::os::unix::net::UnixListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread;

use frames_solution::write_frame;
// END SOLUTION

use frames_solution::{FrameError, FrameReader};
use serde::{Deserialize, Serialize};

/// Environment variable naming the role a process was started in.
pub const ROLE_VAR: &str = "COURSE_MANAGER_ROLE";

/// Largest frame either side accepts.
const LIMIT: u32 = 1 << 20;

/// Client to manager.
#[derive(Debug, Serialize, Deserialize)]
pub enum Request {
    /// Add `delta` to the counter `key` (absent counters are 0); the reply
    /// is the new value.
    Add {
        /// The counter.
        key: String,
        /// What to add.
        delta: i64,
    },
    /// The counter's value.
    Get {
        /// The counter.
        key: String,
    },
}

/// The roles this program can be started in, and what each is given.
#[derive(Debug, Serialize, Deserialize)]
pub enum Role {
    /// Own the counters and serve clients on the socket at `address`.
    Manager {
        /// Where to listen.
        address: PathBuf,
    },
    /// Connect to the manager and add 1 to `key`, `times` times.
    Updater {
        /// The manager's socket.
        address: PathBuf,
        /// The counter.
        key: String,
        /// How many increments.
        times: u32,
    },
    /// Read a list of numbers (a copy of the parent's) from stdin, change
    /// it, and send it back with this process's pid.
    Changer,
}

/// The role this process was started in, if any. Call it first in `main`.
pub fn role() -> Option<Role> {
    let text = std::env::var(ROLE_VAR).ok()?;
    serde_json::from_str(&text).ok()
}

/// Why talking to the manager failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused (start, connect, wait).
    #[error(transparent)]
    Io(#[from] io::Error),
    /// A frame could not be sent or read.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The other side hung up or misbehaved.
    #[error("{0}")]
    Protocol(String),
}

impl Role {
    /// Plays the role; the process's exit code.
    pub fn run(self) -> ExitCode {
        let result = match self {
            Role::Manager { address } => serve(&address),
            Role::Updater {
                address,
                key,
                times,
            } => update(&address, &key, times),
            Role::Changer => change_a_copy(),
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        }
    }
}

// ANCHOR: serve
/// The manager: binds `address`, says so on stdout (one frame), then owns
/// the counters. Each connection gets a thread that reads its requests and
/// passes them to the one thread that holds the map, so updates from many
/// clients are applied one at a time and none is lost. Ends when its stdin
/// closes (the parent is gone).
fn serve(address: &Path) -> Result<(), Error> {
    // SOLUTION: todo!("bind, say ready, serve all clients at once; one owner")
    let listener = UnixListener::bind(address)?;
    write_frame(&mut io::stdout().lock(), &"ready")?;
    // The parent closing our stdin (or dying) ends the manager.
    thread::spawn(|| {
        let _ = io::stdin().lock().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    let (requests, owner) = mpsc::channel::<(Request, mpsc::Sender<i64>)>();
    thread::spawn(move || {
        let mut counters: HashMap<String, i64> = HashMap::new();
        for (request, reply) in owner {
            let value = match request {
                Request::Add { key, delta } => {
                    let counter = counters.entry(key).or_insert(0);
                    *counter += delta;
                    *counter
                }
                Request::Get { key } => counters.get(&key).copied().unwrap_or(0),
            };
            let _ = reply.send(value);
        }
    });
    for connection in listener.incoming() {
        let Ok(connection) = connection else { continue };
        let requests = requests.clone();
        thread::spawn(move || {
            let (reply, answer) = mpsc::channel();
            let Ok(mut out) = connection.try_clone() else {
                return;
            };
            let mut frames = FrameReader::new(BufReader::new(connection), LIMIT);
            while let Ok(Some(request)) = frames.read::<Request>() {
                if requests.send((request, reply.clone())).is_err() {
                    return;
                }
                let Ok(value) = answer.recv() else { return };
                if write_frame(&mut out, &value).is_err() {
                    return;
                }
            }
        });
    }
    Ok(())
    // END SOLUTION
}
// ANCHOR_END: serve

/// A connection to the manager.
pub struct Client {
    out: UnixStream,
    replies: FrameReader<BufReader<UnixStream>>,
}

impl Client {
    /// Connects to the manager listening at `address`.
    pub fn connect(address: &Path) -> Result<Client, Error> {
        let out = UnixStream::connect(address)?;
        let replies = FrameReader::new(BufReader::new(out.try_clone()?), LIMIT);
        Ok(Client { out, replies })
    }

    // ANCHOR: client
    /// Adds `delta` to the manager's counter `key`; its new value. A
    /// manager that hung up without a reply is an error, never a value.
    pub fn add(&mut self, key: &str, delta: i64) -> Result<i64, Error> {
        // SOLUTION: todo!("send Request::Add and read the reply")
        self.ask(&Request::Add {
            key: key.to_owned(),
            delta,
        })
        // END SOLUTION
    }

    /// The manager's counter `key`, as the manager has it now (what any
    /// client added), read from the manager every time.
    pub fn get(&mut self, key: &str) -> Result<i64, Error> {
        // SOLUTION: todo!("send Request::Get and read the reply")
        self.ask(&Request::Get {
            key: key.to_owned(),
        })
        // END SOLUTION
    }
    // ANCHOR_END: client

    // SOLUTION:
    /// One round trip.
    fn ask(&mut self, request: &Request) -> Result<i64, Error> {
        write_frame(&mut self.out, request)?;
        self.replies
            .read()?
            .ok_or_else(|| Error::Protocol("the manager hung up".into()))
    }
    // END SOLUTION
}

/// An updater: `times` increments of `key`, each a request to the manager.
/// Each one it made is recorded when a test asked for a census
/// ([`harness::census::served`]): the test counts the updates where they
/// were made, whatever the parent reports. A test may also make it fail
/// ([`harness::fault`], `update:n`: before its increment number `n`, from
/// 0), as a real updater might: the process then ends with a failure.
fn update(address: &Path, key: &str, times: u32) -> Result<(), Error> {
    let mut client = Client::connect(address)?;
    for done in 0..times {
        if harness::fault::injected("update", u64::from(done)) {
            return Err(Error::Protocol(format!(
                "update failed after {done} increments: a fault a test injected (expected)"
            )));
        }
        client.add(key, 1)?;
        harness::census::served("add", 1);
    }
    Ok(())
}

// ANCHOR: changer
/// A child's side of [`in_a_child`]: reads its copy, changes it, sends it
/// back.
fn change_a_copy() -> Result<(), Error> {
    // SOLUTION: todo!("read the list, double each number, push the pid, write it back")
    let mut input = FrameReader::new(BufReader::new(io::stdin().lock()), LIMIT);
    let mut copy: Vec<i64> = input
        .read()?
        .ok_or_else(|| Error::Protocol("no list on stdin".into()))?;
    for x in &mut copy {
        *x *= 2;
    }
    copy.push(i64::from(std::process::id()));
    write_frame(&mut io::stdout().lock(), &copy)?;
    Ok(())
    // END SOLUTION
}
// ANCHOR_END: changer

/// Starts `program` as a child in the `Changer` role, sends it `data` (so
/// it gets a copy), and returns what it sent back: its changed copy, with
/// its pid as the last number. `data` itself is untouched, whatever the
/// child did. The child is waited for however it ended: a child that sent
/// no answer, or quit without reading its list, makes it return an error
/// once that child has been waited for.
pub fn in_a_child(program: &Path, data: &[i64]) -> Result<Vec<i64>, Error> {
    // SOLUTION: todo!("spawn a Changer, write the list, read the answer, wait")
    let mut child = started(program, &Role::Changer)?;
    let mut stdin = child.stdin.take().expect("piped");
    // A child that quits without reading a list bigger than a pipe makes
    // this write fail: it is still waited for below, like any other child.
    let sent = write_frame(&mut stdin, &data);
    drop(stdin);
    let mut out = FrameReader::new(child.stdout.take().expect("piped"), LIMIT);
    let answer = out.read();
    let status = child.wait()?;
    sent?;
    match answer? {
        Some(copy) if status.success() => Ok(copy),
        _ => Err(Error::Protocol(format!(
            "the child ended ({status}) without an answer"
        ))),
    }
    // END SOLUTION
}

// SOLUTION:
/// `program` started in `role`, with stdin and stdout piped.
fn started(program: &Path, role: &Role) -> Result<Child, Error> {
    let role = serde_json::to_string(role).expect("a role always encodes");
    Ok(Command::new(program)
        .env(ROLE_VAR, role)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?)
}

/// A socket path no other manager uses.
fn fresh_address() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    std::env::temp_dir().join(format!("course-manager-{}-{n}.sock", std::process::id()))
}
// END SOLUTION

/// The manager process, seen from the parent that started it.
pub struct Manager {
    child: Child,
    /// Kept open: the manager ends when it closes.
    stdin: Option<ChildStdin>,
    address: PathBuf,
}

impl Manager {
    // ANCHOR: start
    /// Starts `program` in the manager role and waits until it listens.
    pub fn start(program: &Path) -> Result<Manager, Error> {
        // SOLUTION: todo!("pick a socket path, start the manager, wait for its ready")
        let address = fresh_address();
        let mut child = started(
            program,
            &Role::Manager {
                address: address.clone(),
            },
        )?;
        let stdin = child.stdin.take();
        let mut manager = Manager {
            child,
            stdin,
            address,
        };
        let mut out = FrameReader::new(manager.child.stdout.take().expect("piped"), LIMIT);
        match out.read::<String>() {
            Ok(Some(ready)) if ready == "ready" => Ok(manager),
            other => {
                let _ = manager.child.kill();
                Err(Error::Protocol(format!(
                    "the manager did not start: {other:?}"
                )))
            }
        }
        // END SOLUTION
    }
    // ANCHOR_END: start

    /// The manager's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Where the manager listens.
    pub fn address(&self) -> &Path {
        &self.address
    }

    /// A new connection to the manager.
    pub fn connect(&self) -> Result<Client, Error> {
        Client::connect(&self.address)
    }

    // ANCHOR: updaters
    /// Starts `workers` copies of `program` as updaters, each adding 1 to
    /// `key` `times` times through the manager, all at once, and waits for
    /// every one of them. An updater that could not start or ended with a
    /// failure (an exit code other than 0, or killed by a signal) makes it
    /// return an error, once every other one (started before or after it)
    /// has been waited for, and has done its work.
    pub fn run_updaters(
        &self,
        program: &Path,
        key: &str,
        workers: usize,
        times: u32,
    ) -> Result<(), Error> {
        // SOLUTION: todo!("start every updater, then wait for each and check it")
        let role = Role::Updater {
            address: self.address.clone(),
            key: key.to_owned(),
            times,
        };
        let children: Vec<Result<Child, Error>> =
            (0..workers).map(|_| started(program, &role)).collect();
        let mut failed = None;
        for child in children {
            let status = child.and_then(|mut c| Ok(c.wait()?));
            match status {
                Ok(s) if s.success() => {}
                Ok(s) => failed = Some(Error::Protocol(format!("an updater ended with {s}"))),
                Err(e) => failed = Some(e),
            }
        }
        failed.map_or(Ok(()), Err)
        // END SOLUTION
    }
    // ANCHOR_END: updaters
}

impl Drop for Manager {
    /// Ends the manager and waits for it; removes its socket.
    fn drop(&mut self) {
        // SOLUTION: todo!("close its stdin, kill it, wait for it, remove the socket file")
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.address);
        // END SOLUTION
    }
}
