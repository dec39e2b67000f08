//! Processes, exercise 2: a process pool.
//!
//! `Pool::map` runs a named task over a list of inputs in N worker
//! processes and returns the results in input order, like CPython's
//! `multiprocessing.Pool.map`. The workers are this same program started
//! again in a worker role ([`worker_role`]); parent and workers talk in
//! frames (the first exercise) over each worker's stdin and stdout.
//!
//! What a process pool must get right and a thread pool never meets:
//! a worker can die (a panic that escapes, `exit`, a signal), and then its
//! items are errors that say which worker and how it ended, while the rest
//! of the map goes on; a worker that was started must be waited for, or it
//! stays in the process table as a zombie; and a program that forgot its
//! role check must not start pools without end.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin};
use std::sync::mpsc::{Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

pub mod protocol;
pub mod role;
pub mod tasks;

use protocol::Reply;
pub use role::{DEPTH_VAR, MAX_DEPTH, ROLE_VAR, Worker, worker_role};
pub use tasks::{TASKS, Task};

/// How long a new worker may take to say hello before the pool gives up
/// on it (a program that never reaches its role check, for example).
pub const HELLO_LIMIT: Duration = Duration::from_secs(4);

/// Most chunks sent ahead to each worker: while it computes one, the next
/// ones already wait in its pipe, so a worker never waits for the parent,
/// and many requests share one system call.
const AHEAD: usize = 64;

/// Chunks in flight per worker while chunks are slow: one, so that each
/// chunk goes to the first worker that is free (a core taken by another
/// program slows one worker, and the others take its share). Between two
/// slow chunks a worker waits one round trip, a few microseconds.
const FEW_AHEAD: usize = 1;

/// Chunks quicker than this are sent [`AHEAD`]; slower ones [`FEW_AHEAD`].
const QUICK_CHUNK: Duration = Duration::from_micros(200);

/// One input's result: the value and the process that computed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    /// The task's output.
    pub value: u64,
    /// Process id of the worker that ran the task.
    pub pid: u32,
}

/// Why a pool could not start.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The operating system refused to start a worker.
    #[error("could not start worker {worker} ({program}): {source}")]
    Spawn {
        /// The worker's number.
        worker: usize,
        /// The program.
        program: String,
        /// The error.
        source: std::io::Error,
    },
    /// A worker ended, or said something else, before its hello.
    #[error(
        "worker {worker} (pid {pid}) {how} before it said hello. Does the program's `main` begin with \
         the worker-role check, `if let Some(worker) = worker_role() {{ return worker.serve(TASKS); }}` \
         (the analogue of Python's `if __name__ == '__main__':`)?"
    )]
    NoHello {
        /// The worker's number.
        worker: usize,
        /// Its process id.
        pid: u32,
        /// How it ended, or what it said.
        how: String,
    },
    /// This process is a pool's worker, yet it is starting a pool: its
    /// `main` did not check its role first.
    #[error(
        "this process was started as pool worker {worker}, but it is starting a pool of its own: its \
         `main` never called `worker_role()`. Put `if let Some(worker) = worker_role() {{ return \
         worker.serve(TASKS); }}` first in `main` (the analogue of Python's `if __name__ == \
         '__main__':`); without it every worker would start workers without end"
    )]
    RoleCheckMissing {
        /// The worker number this process was started with.
        worker: usize,
    },
    /// Pools nested deeper than [`MAX_DEPTH`].
    #[error(
        "pools nested {depth} deep (at most {MAX_DEPTH}): is a task starting a pool, or did a \
         program skip its `worker_role()` check?"
    )]
    TooDeep {
        /// The depth that was refused: the depth the new workers would
        /// have had (this process's depth plus one).
        depth: u32,
    },
}

/// Why one input has no result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// The task panicked in the worker; the worker lives on.
    #[error("worker {worker} (pid {pid}): {message}")]
    Panicked {
        /// The worker's number.
        worker: usize,
        /// Its process id.
        pid: u32,
        /// The panic's message.
        message: String,
    },
    /// The worker process ended while the input was with it.
    #[error("worker {worker} (pid {pid}) {how} while this input was with it")]
    WorkerDied {
        /// The worker's number.
        worker: usize,
        /// Its process id.
        pid: u32,
        /// How it ended: "was killed by signal 9 (SIGKILL)", "exited with status 3".
        how: String,
    },
    /// No worker could be started to run it.
    #[error("no worker was left to run this input: {0}")]
    NoWorker(String),
}

/// One worker process, seen from the parent.
struct Slot {
    child: Child,
    pid: u32,
    stdin: ChildStdin,
    reader: Option<JoinHandle<()>>,
    /// Chunks sent and not yet answered, oldest first.
    in_flight: VecDeque<usize>,
}

/// What a worker's reader thread passes to the pool.
enum Event {
    Reply(Reply),
    /// The worker's stdout ended (cleanly or not).
    Ended(Option<String>),
}

/// A process pool: N copies of this program in the worker role.
pub struct Pool {
    program: PathBuf,
    slots: Vec<Option<Slot>>,
    events: Receiver<(usize, u32, Event)>,
    sender: Sender<(usize, u32, Event)>,
    frames_sent: u64,
}

/// One worker per core, as CPython's `Pool()` does.
pub fn default_workers() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// CPython's default chunk size for `Pool.map`: `ceil(len / (4 × workers))`.
pub fn default_chunk(len: usize, workers: usize) -> usize {
    len.div_ceil(4 * workers.max(1)).max(1)
}

impl Pool {
    /// One worker per core, each this same program (`current_exe`).
    pub fn new() -> Result<Pool, PoolError> {
        Pool::new_with(default_workers())
    }

    /// `workers` copies of this same program (`current_exe`).
    pub fn new_with(workers: usize) -> Result<Pool, PoolError> {
        let program = std::env::current_exe().map_err(|source| PoolError::Spawn {
            worker: 0,
            program: "the current executable".into(),
            source,
        })?;
        Pool::start(&program, workers)
    }

    // ANCHOR: start
    /// Starts `workers` copies of `program` in the worker role and waits
    /// until each has said hello.
    pub fn start(program: &Path, workers: usize) -> Result<Pool, PoolError> {
        todo!("refuse inside a worker, spawn every worker, wait for each hello")
    }
    // ANCHOR_END: start

    /// Worker processes alive now.
    pub fn workers(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Process ids of the workers alive now.
    pub fn pids(&self) -> Vec<u32> {
        self.slots.iter().flatten().map(|s| s.pid).collect()
    }

    /// `Run` frames sent since the pool started: one per chunk.
    pub fn frames_sent(&self) -> u64 {
        self.frames_sent
    }

    /// [`map_chunked`](Pool::map_chunked) with CPython's default chunk size.
    pub fn map(&mut self, task: &str, inputs: &[u64]) -> Vec<Result<Done, TaskError>> {
        let chunk = default_chunk(inputs.len(), self.slots.len());
        self.map_chunked(task, inputs, chunk)
    }

    // ANCHOR: map
    /// Runs `task` on every input in the workers, `chunk` inputs per
    /// request, and returns the results in input order. A worker that dies
    /// makes its unanswered inputs errors, is replaced, and the map goes on.
    /// A `chunk` of 0 counts as 1; no inputs give no results.
    pub fn map_chunked(
        &mut self,
        task: &str,
        inputs: &[u64],
        chunk: usize,
    ) -> Vec<Result<Done, TaskError>> {
        todo!("results in input order; a dead worker: errors, no hang")
    }
    // ANCHOR_END: map
}

// ANCHOR: drop
impl Drop for Pool {
    /// Ends every worker and waits for it, also while the parent unwinds
    /// from a panic: no zombie, no orphan.
    fn drop(&mut self) {
        todo!("kill every worker, then wait for each")
    }
}
// ANCHOR_END: drop
