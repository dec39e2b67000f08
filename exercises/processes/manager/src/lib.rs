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
    todo!("bind, say ready, serve all clients at once; one owner")
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
        todo!("send Request::Add and read the reply")
    }

    /// The manager's counter `key`, as the manager has it now (what any
    /// client added), read from the manager every time.
    pub fn get(&mut self, key: &str) -> Result<i64, Error> {
        todo!("send Request::Get and read the reply")
    }
    // ANCHOR_END: client
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
    todo!("read the list, double each number, push the pid, write it back")
}
// ANCHOR_END: changer

/// Starts `program` as a child in the `Changer` role, sends it `data` (so
/// it gets a copy), and returns what it sent back: its changed copy, with
/// its pid as the last number. `data` itself is untouched, whatever the
/// child did. The child is waited for however it ended: a child that sent
/// no answer, or quit without reading its list, makes it return an error
/// once that child has been waited for.
pub fn in_a_child(program: &Path, data: &[i64]) -> Result<Vec<i64>, Error> {
    todo!("spawn a Changer, write the list, read the answer, wait")
}

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
        todo!("pick a socket path, start the manager, wait for its ready")
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
        todo!("start every updater, then wait for each and check it")
    }
    // ANCHOR_END: updaters
}

impl Drop for Manager {
    /// Ends the manager and waits for it; removes its socket.
    fn drop(&mut self) {
        todo!("close its stdin, kill it, wait for it, remove the socket file")
    }
}
