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
// SOLUTION:
use std::io::{BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Instant;

use frames_solution::{FrameReader, write_frame};
use protocol::{FRAME_LIMIT, Request};
// END SOLUTION

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
        // SOLUTION: todo!("refuse inside a worker, spawn every worker, wait for each hello")
        if let Some(worker) = role::started_as_worker() {
            if !role::role_checked() {
                return Err(PoolError::RoleCheckMissing { worker });
            }
        }
        if role::depth() >= MAX_DEPTH {
            return Err(PoolError::TooDeep {
                depth: role::depth() + 1,
            });
        }
        let (sender, events) = mpsc::channel();
        let mut pool = Pool {
            program: program.to_owned(),
            slots: Vec::new(),
            events,
            sender,
            frames_sent: 0,
        };
        // Spawn them all at once, from one thread each, so they start up
        // side by side...
        let spawned: Vec<Result<Slot, PoolError>> = thread::scope(|scope| {
            let (program, sender) = (&pool.program, &pool.sender);
            let spawning: Vec<_> = (0..workers.max(1))
                .map(|worker| scope.spawn(move || Pool::spawn(program, sender, worker)))
                .collect();
            spawning
                .into_iter()
                .map(|s| s.join().expect("spawning does not panic"))
                .collect()
        });
        for slot in spawned {
            pool.slots.push(Some(slot?));
        }
        // ...then wait for each hello. On an error, dropping `pool` ends
        // the workers already started.
        pool.hellos((0..workers.max(1)).collect())?;
        Ok(pool)
        // END SOLUTION
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
        // SOLUTION: todo!("results in input order; a dead worker: errors, no hang")
        let chunks: Vec<&[u64]> = inputs.chunks(chunk.max(1)).collect();
        let starts: Vec<usize> = (0..chunks.len()).map(|c| c * chunk.max(1)).collect();
        let mut results: Vec<Option<Result<Done, TaskError>>> = vec![None; inputs.len()];
        let mut next = 0;
        let mut answered = 0;
        // Workers that died at the end of an earlier map are replaced now.
        for worker in 0..self.slots.len() {
            if self.slots[worker].is_none() {
                if let Ok(slot) = Pool::spawn(&self.program, &self.sender, worker) {
                    self.slots[worker] = Some(slot);
                }
            }
        }
        let began = Instant::now();
        // One chunk per worker per pass, so that a short map is shared out.
        for _ in 0..FEW_AHEAD {
            for worker in 0..self.slots.len() {
                self.feed(worker, task, &chunks, &mut next, 1, FEW_AHEAD);
            }
        }
        while answered < chunks.len() {
            if self.workers() == 0 {
                // Every worker is gone and none could be replaced.
                for c in next..chunks.len() {
                    for r in &mut results[starts[c]..starts[c] + chunks[c].len()] {
                        *r = Some(Err(TaskError::NoWorker("every worker died".into())));
                    }
                }
                answered += chunks.len() - next;
                next = chunks.len();
                continue;
            }
            // Take every event that is waiting, then refill the workers: one
            // write per worker for all the answers that came in together.
            let first = self.events.recv().expect("the pool holds a sender");
            let waiting: Vec<_> = std::iter::once(first)
                .chain(self.events.try_iter())
                .collect();
            for (worker, pid, event) in waiting {
                let Some(slot) = self.slots[worker].as_mut().filter(|s| s.pid == pid) else {
                    continue; // from a worker already buried
                };
                match event {
                    Event::Reply(Reply::Done { pid, results: got }) => {
                        let Some(c) = slot.in_flight.pop_front() else {
                            self.bury(worker, "answered a request it was never sent");
                            continue;
                        };
                        answered += 1;
                        let place = &mut results[starts[c]..starts[c] + chunks[c].len()];
                        if got.len() != place.len() {
                            let how =
                                format!("sent {} results for {} inputs", got.len(), place.len());
                            for r in place.iter_mut() {
                                *r = Some(Err(TaskError::WorkerDied {
                                    worker,
                                    pid,
                                    how: how.clone(),
                                }));
                            }
                            answered +=
                                self.bury_into(worker, &how, &starts, &chunks, &mut results);
                        } else {
                            for (r, g) in place.iter_mut().zip(got) {
                                *r = Some(g.map(|value| Done { value, pid }).map_err(|message| {
                                    TaskError::Panicked {
                                        worker,
                                        pid,
                                        message,
                                    }
                                }));
                            }
                        }
                    }
                    // A replacement worker is ready (its requests may already wait in its pipe).
                    Event::Reply(Reply::Hello { .. }) => {}
                    Event::Ended(why) => {
                        let how = why.unwrap_or_default();
                        answered += self.bury_into(worker, &how, &starts, &chunks, &mut results);
                    }
                }
                // Replace a dead worker for the chunks still to come; its
                // hello arrives as an event like any other.
                if self.slots[worker].is_none() && next < chunks.len() {
                    if let Ok(slot) = Pool::spawn(&self.program, &self.sender, worker) {
                        self.slots[worker] = Some(slot);
                    }
                }
            }
            // How long a chunk takes, so far, decides how many to send ahead.
            let per_chunk = began.elapsed() * self.slots.len() as u32 / answered.max(1) as u32;
            let window = if answered > 0 && per_chunk < QUICK_CHUNK {
                AHEAD
            } else {
                FEW_AHEAD
            };
            for worker in 0..self.slots.len() {
                self.feed(worker, task, &chunks, &mut next, window, window);
            }
        }
        results
            .into_iter()
            .map(|r| r.expect("every chunk was answered or failed"))
            .collect()
        // END SOLUTION
    }
    // ANCHOR_END: map

    // SOLUTION:
    /// Starts worker number `worker` and the thread that reads its replies.
    fn spawn(
        program: &Path,
        events: &Sender<(usize, u32, Event)>,
        worker: usize,
    ) -> Result<Slot, PoolError> {
        let mut child = Command::new(program)
            .env(ROLE_VAR, worker.to_string())
            .env(DEPTH_VAR, (role::depth() + 1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|source| PoolError::Spawn {
                worker,
                program: program.display().to_string(),
                source,
            })?;
        let pid = child.id();
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let events = events.clone();
        let reader = thread::Builder::new()
            .name(format!("pool worker {worker} reader"))
            .spawn(move || {
                let mut replies = FrameReader::new(BufReader::new(stdout), FRAME_LIMIT);
                loop {
                    let event = match replies.read::<Reply>() {
                        Ok(Some(reply)) => Event::Reply(reply),
                        Ok(None) => Event::Ended(None),
                        Err(e) => Event::Ended(Some(format!("sent a broken frame ({e})"))),
                    };
                    let last = matches!(event, Event::Ended(_));
                    if events.send((worker, pid, event)).is_err() || last {
                        return;
                    }
                }
            });
        let reader = match reader {
            Ok(reader) => reader,
            Err(source) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PoolError::Spawn {
                    worker,
                    program: program.display().to_string(),
                    source,
                });
            }
        };
        Ok(Slot {
            child,
            pid,
            stdin,
            reader: Some(reader),
            in_flight: VecDeque::new(),
        })
    }

    /// Waits until every worker in `waiting` has said hello; hellos arrive
    /// in any order. Only hellos are outstanding while this runs.
    fn hellos(&mut self, mut waiting: Vec<usize>) -> Result<(), PoolError> {
        let deadline = Instant::now() + HELLO_LIMIT;
        while let Some(&first) = waiting.first() {
            let left = deadline.saturating_duration_since(Instant::now());
            let (worker, how) = match self.events.recv_timeout(left) {
                Ok((w, p, event)) => {
                    if self.slots[w].as_ref().is_none_or(|s| s.pid != p) {
                        continue; // from a worker already buried
                    }
                    match event {
                        Event::Reply(Reply::Hello { .. }) => {
                            waiting.retain(|&x| x != w);
                            continue;
                        }
                        Event::Ended(why) => (w, why.unwrap_or_default()),
                        Event::Reply(other) => (w, format!("sent {other:?}")),
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    (first, format!("said nothing for {HELLO_LIMIT:?}"))
                }
                Err(RecvTimeoutError::Disconnected) => unreachable!("the pool holds a sender"),
            };
            let pid = self.slots[worker].as_ref().map_or(0, |s| s.pid);
            let how = self.bury(worker, &how);
            return Err(PoolError::NoHello { worker, pid, how });
        }
        Ok(())
    }

    /// Sends up to `most` chunks to `worker`, as long as it has fewer than
    /// `window` in flight and chunks are left. A failed write is left to
    /// the reader: the worker is dying, and its end will arrive as an event.
    fn feed(
        &mut self,
        worker: usize,
        task: &str,
        chunks: &[&[u64]],
        next: &mut usize,
        most: usize,
        window: usize,
    ) {
        let Some(slot) = self.slots[worker].as_mut() else {
            return;
        };
        // The frames go out in one write: one system call for many chunks.
        let mut batch = Vec::new();
        let mut sent = 0;
        while sent < most && slot.in_flight.len() < window && *next < chunks.len() {
            sent += 1;
            let request = Request::Run {
                task: task.to_owned(),
                inputs: chunks[*next].to_vec(),
            };
            write_frame(&mut batch, &request).expect("a request always encodes");
            slot.in_flight.push_back(*next);
            *next += 1;
            self.frames_sent += 1;
        }
        if !batch.is_empty() {
            let _ = slot.stdin.write_all(&batch);
        }
    }

    /// Buries `worker` and fails every input it still had; returns how
    /// many chunks that settled.
    fn bury_into(
        &mut self,
        worker: usize,
        why: &str,
        starts: &[usize],
        chunks: &[&[u64]],
        results: &mut [Option<Result<Done, TaskError>>],
    ) -> usize {
        let Some(slot) = self.slots[worker].as_ref() else {
            return 0;
        };
        let (pid, lost) = (slot.pid, slot.in_flight.clone());
        let how = self.bury(worker, why);
        for &c in &lost {
            for r in &mut results[starts[c]..starts[c] + chunks[c].len()] {
                *r = Some(Err(TaskError::WorkerDied {
                    worker,
                    pid,
                    how: how.clone(),
                }));
            }
        }
        lost.len()
    }

    /// Ends worker `worker` for good and says how it ended: its exit status
    /// if it had one (waiting briefly for it), else `why`.
    fn bury(&mut self, worker: usize, why: &str) -> String {
        let Some(mut slot) = self.slots[worker].take() else {
            return why.to_owned();
        };
        let deadline = Instant::now() + Duration::from_secs(1);
        let status = loop {
            match slot.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(1)),
                _ => break None,
            }
        };
        let how = match status {
            Some(status) => describe(status),
            None if why.is_empty() => "closed its stdout".to_owned(),
            None => why.to_owned(),
        };
        drop(slot);
        how
    }
    // END SOLUTION
}

// SOLUTION:
/// How a process ended, in words: "was killed by signal 9 (SIGKILL)".
fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => match nix::sys::signal::Signal::try_from(signal) {
            Ok(name) => format!("was killed by signal {signal} ({name})"),
            Err(_) => format!("was killed by signal {signal}"),
        },
        (None, None) => format!("ended ({status})"),
    }
}

impl Drop for Slot {
    /// A worker is never left behind, even when a pool fails to start.
    fn drop(&mut self) {
        end(self);
    }
}

/// Kills and waits for a worker (a process never waited for stays a
/// zombie), then joins its reader thread.
fn end(slot: &mut Slot) {
    let _ = slot.child.kill();
    let _ = slot.child.wait();
    if let Some(reader) = slot.reader.take() {
        let _ = reader.join();
    }
}
// END SOLUTION

// ANCHOR: drop
impl Drop for Pool {
    /// Ends every worker and waits for it, also while the parent unwinds
    /// from a panic: no zombie, no orphan.
    fn drop(&mut self) {
        // SOLUTION: todo!("kill every worker, then wait for each")
        for slot in self.slots.iter_mut().flatten() {
            let _ = slot.child.kill();
        }
        // Dropping a slot waits for its worker.
        self.slots.clear();
        // END SOLUTION
    }
}
// ANCHOR_END: drop
