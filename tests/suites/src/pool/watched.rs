//! Pools the suite starts under watch.
//!
//! A pool reports where each result was computed and how many frames it
//! sent, but a pool is the code under test: a parent could compute an
//! input itself and write a worker's pid on it, or send one frame per
//! input and count chunks. So the suite starts every pool's workers
//! through a small wrapper program that hands them a census file
//! ([`harness::census`]) and then becomes the real program (`exec`: same
//! pid, same pipes). The course's tasks record in it each input they run,
//! in whichever process runs them, and the protocol records each request
//! frame where it is decoded. A result is accepted only if the worker it
//! names ran that task on that input during that map.
//!
//! The wrappers are [`crate::wrapper`]'s, which also make this process
//! record to the same census: a task run in the parent is seen too.

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use harness::census;

use super::{PoolApi, PoolHandle};

/// How a wrapper treats the worker it starts as number 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Worker1 {
    /// Like every other worker: it becomes the real program.
    Serves,
    /// It waits 300 ms, then exits without a word (its hello never comes,
    /// and the others' hellos come first).
    ExitsBeforeHello,
    /// It exits 300 ms in without a word, and the worker numbered here (0
    /// or 2) never says a word and never ends: a dead worker beside a
    /// silent one, before or after it in the pool's order.
    ExitsBesideSilent(usize),
    /// It waits this long before it becomes the real program (a late
    /// hello, still inside the limit), and worker 2 never says a word and
    /// never ends. (The wait is a `sleep` child of the wrapper, kept off the
    /// worker's pipes: a worker killed while it waits must not leave its
    /// pipes held open.)
    LateBesideSilent(std::time::Duration),
    /// Before it becomes the real program (which then says hello), it
    /// writes a well-formed frame that is not a hello: a `Done` with no
    /// results.
    SpeaksBeforeHello,
}

/// The frame a [`Worker1::SpeaksBeforeHello`] worker writes first: a
/// `Done` of pid 1 with no results, as `printf` writes it (its 4-byte
/// little-endian length in octal escapes, then the JSON).
fn a_done_frame_for_printf() -> String {
    let body = r#"{"Done":{"pid":1,"results":[]}}"#;
    let prefix: String = (body.len() as u32)
        .to_le_bytes()
        .iter()
        .map(|b| format!("\\{b:03o}"))
        .collect();
    format!("{prefix}{body}")
}

/// The wrapper of the pool's program for `worker1`.
fn wrapper_for(pool: PoolApi, worker1: Worker1) -> crate::wrapper::Wrapper {
    let program = (pool.program)();
    let role = pool.role_var;
    match worker1 {
        Worker1::Serves => crate::wrapper::wrapper(&program, "worker", ""),
        Worker1::ExitsBeforeHello => crate::wrapper::wrapper(
            &program,
            "exits-before-hello",
            &format!("if [ \"${role}\" = 1 ]; then sleep 0.3; exit 0; fi\n"),
        ),
        Worker1::SpeaksBeforeHello => crate::wrapper::wrapper(
            &program,
            "speaks-before-hello",
            &format!(
                "if [ \"${role}\" = 1 ]; then printf '{}'; fi\n",
                a_done_frame_for_printf()
            ),
        ),
        Worker1::ExitsBesideSilent(silent) => crate::wrapper::wrapper(
            &program,
            &format!("exits-beside-silent-{silent}"),
            &format!("case \"${role}\" in 1) sleep 0.3; exit 0;; {silent}) exec sleep 60;; esac\n"),
        ),
        Worker1::LateBesideSilent(late) => {
            let ms = late.as_millis();
            crate::wrapper::wrapper(
                &program,
                &format!("late-{ms}-beside-silent"),
                &format!(
                    "case \"${role}\" in 1) sleep {}.{:03} </dev/null >/dev/null 2>&1;; 2) exec sleep 60;; esac\n",
                    ms / 1000,
                    ms % 1000
                ),
            )
        }
    }
}

/// Starts a pool whose workers run through the wrapper for `worker1`, and
/// what `Pool::start` said, with the pids that wrapper started meanwhile.
pub fn start_with(pool: PoolApi, workers: usize, worker1: Worker1) -> StartedWith {
    let w = wrapper_for(pool, worker1);
    let before = w.pids().len();
    let started = (pool.start)(&w.path, workers);
    let pids = w.pids();
    StartedWith {
        started: pids[before.min(pids.len())..].to_vec(),
        pool: started,
    }
}

/// What [`start_with`] saw.
pub struct StartedWith {
    /// What `Pool::start` returned.
    pub pool: Result<Box<dyn PoolHandle>, String>,
    /// The pids the wrapper started during this start (only one test uses
    /// each faulty wrapper, so these are this start's).
    pub started: Vec<u32>,
}

/// A started pool, under watch.
pub struct Watched {
    pool: Box<dyn PoolHandle>,
    workers: usize,
}

/// A map's results: per input, the value and the pid that computed it, or
/// the error's text.
pub type Results = Vec<Result<(u64, u32), String>>;

impl Watched {
    /// Starts `workers` workers, or fails the test saying why not.
    pub fn start(pool: PoolApi, workers: usize) -> Watched {
        let started = start_with(pool, workers, Worker1::Serves);
        let pool = started
            .pool
            .unwrap_or_else(|e| panic!("Pool::start with {workers} workers failed: {e}"));
        Watched { pool, workers }
    }

    /// Starts `workers` workers with the fault `fault` injected in the
    /// course's tasks (`square:7`: `square` panics on 7; `square:7:exit`:
    /// the worker running `square(7)` ends; see [`harness::fault`]), or
    /// fails the test.
    pub fn start_faulty(pool: PoolApi, workers: usize, fault: &str) -> Watched {
        let program = (pool.program)();
        let w = crate::wrapper::wrapper(
            &program,
            &format!("fault-{}", fault.replace(':', "-")),
            &format!(
                "{}='{fault}'\nexport {}\n",
                harness::fault::FAULT_VAR,
                harness::fault::FAULT_VAR
            ),
        );
        let pool = (pool.start)(&w.path, workers).unwrap_or_else(|e| {
            panic!("Pool::start with {workers} workers (fault `{fault}` injected) failed: {e}")
        });
        Watched { pool, workers }
    }

    /// The map, and what the workers recorded meanwhile: every result must
    /// be one its worker computed in this map. Fails the test otherwise; a
    /// panic of the pool's `map` goes on as it is.
    pub fn map(&mut self, task: &str, inputs: &[u64], chunk: Option<usize>) -> Results {
        match self.map_seen(task, inputs, chunk) {
            Ok((results, _)) => results,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }

    /// [`Watched::map`], with the request frames that this pool's workers
    /// decoded during it; `Err` with its payload when the pool's `map`
    /// panicked.
    pub fn map_seen(
        &mut self,
        task: &str,
        inputs: &[u64],
        chunk: Option<usize>,
    ) -> Result<(Results, Vec<census::Frame>), Box<dyn std::any::Any + Send>> {
        self.map_seen_limited(task, inputs, chunk, None)
    }

    /// [`Watched::map`] with this process's limit on open files set to
    /// `files` while `first` and then the pool's `map` run (and restored before anything
    /// else: the census is a file too), so that no new worker can be
    /// started. The suite's checks run one at a time: nothing else here
    /// opens files meanwhile.
    pub fn map_with_files_limited(
        &mut self,
        task: &str,
        inputs: &[u64],
        chunk: Option<usize>,
        files: u64,
        first: impl FnOnce(),
    ) -> Results {
        match self.map_seen_limited(task, inputs, chunk, Some((files, Box::new(first)))) {
            Ok((results, _)) => results,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }

    fn map_seen_limited(
        &mut self,
        task: &str,
        inputs: &[u64],
        chunk: Option<usize>,
        files: Option<(u64, Box<dyn FnOnce() + '_>)>,
    ) -> Result<(Results, Vec<census::Frame>), Box<dyn std::any::Any + Send>> {
        use nix::sys::resource::{Resource, getrlimit, setrlimit};
        let from = crate::wrapper::census_len();
        let mut workers: BTreeSet<u32> = self.pool.pids().into_iter().collect();
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("reading RLIMIT_NOFILE");
        let limited = files.is_some();
        if let Some((files, first)) = files {
            setrlimit(Resource::RLIMIT_NOFILE, files.min(hard), hard)
                .expect("lowering RLIMIT_NOFILE");
            first();
        }
        let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.pool.map(task, inputs, chunk)
        }));
        if limited {
            setrlimit(Resource::RLIMIT_NOFILE, soft, hard).expect("restoring RLIMIT_NOFILE");
        }
        let results = results?;
        let me = std::process::id();
        if let Some(i) = results
            .iter()
            .position(|r| r.as_ref().is_ok_and(|&(_, pid)| pid == me))
        {
            panic!(
                "input {i} of `{task}` came back as computed by the parent's own process (the \
                 test's, pid {me}): the tasks run in the pool's worker processes, never in the \
                 parent, also when no worker is left to run them (then the input is an error)"
            );
        }
        workers.extend(self.pool.pids());
        let (new, _) = crate::wrapper::census_since(from);
        let ran: Vec<census::Served> = census::parse_served(&new)
            .into_iter()
            .filter(|s| s.task == task)
            .collect();
        // Per pid: the results that name it, and the inputs it ran. Counted,
        // not matched input by input: a result in the wrong place is the
        // order check's to name.
        let mut claimed: BTreeMap<u32, usize> = BTreeMap::new();
        for &(_, pid) in results.iter().flatten() {
            *claimed.entry(pid).or_default() += 1;
        }
        for (&pid, &n) in &claimed {
            let did = ran.iter().filter(|s| s.pid == pid).count();
            if n > did {
                let whose = if pid == std::process::id() {
                    "the parent's own process (the test's)".to_owned()
                } else {
                    format!("pid {pid}")
                };
                panic!(
                    "{n} results of `{task}` came back as computed by {whose}, but during this \
                     map pid {pid} ran `{task}` on {did} inputs (the course's tasks record every \
                     input they run, in the process that runs them; in this map they ran: {}). \
                     The work must be computed in the worker processes, every map: the parent \
                     only sends inputs and receives results, and never answers from its own \
                     computation or from an earlier map.",
                    describe(&ran)
                );
            }
        }
        let frames = census::parse_frames(&new)
            .into_iter()
            .filter(|f| workers.contains(&f.pid))
            .collect();
        Ok((results, frames))
    }

    /// Pids of the workers alive now, as the pool reports them.
    pub fn pids(&self) -> Vec<u32> {
        self.pool.pids()
    }

    /// `Run` frames sent since the pool started, as the pool reports them.
    pub fn frames_sent(&self) -> u64 {
        self.pool.frames_sent()
    }

    /// How many workers the pool was started with.
    pub fn workers(&self) -> usize {
        self.workers
    }
}

fn describe(served: &[census::Served]) -> String {
    if served.is_empty() {
        return "nothing".to_owned();
    }
    let mut all: Vec<String> = served
        .iter()
        .take(12)
        .map(|s| format!("{}({}) in pid {}", s.task, s.input, s.pid))
        .collect();
    if served.len() > 12 {
        all.push(format!("and {} more", served.len() - 12));
    }
    all.join(", ")
}

/// The pids among `pids` that still run (a zombie does not).
pub fn running(pids: &[u32]) -> BTreeSet<u32> {
    pids.iter()
        .copied()
        .filter(|&p| harness::children::stat(p).is_some_and(|s| s.state != 'Z'))
        .collect()
}
