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
//! The wrappers are written once per test process, before any pool starts:
//! a script written while another thread forks can be held open by the
//! forked child until it execs, and running it then fails with "text file
//! busy". Their folder is removed by the next run's suite, once this
//! process has ended.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

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
    /// It never says a word and never ends.
    Silent,
}

const WRAPPERS: [(Worker1, &str); 3] = [
    (Worker1::Serves, "worker"),
    (Worker1::ExitsBeforeHello, "exits-before-hello"),
    (Worker1::Silent, "silent"),
];

/// This process's wrappers' folder.
struct Wrappers {
    dir: PathBuf,
}

impl Wrappers {
    fn census(&self) -> PathBuf {
        self.dir.join("census")
    }

    fn program(&self, worker1: Worker1) -> PathBuf {
        let name = WRAPPERS.iter().find(|w| w.0 == worker1).expect("listed").1;
        self.dir.join(name)
    }

    /// Where a wrapper lists the pids it started.
    fn started(&self, worker1: Worker1) -> PathBuf {
        self.program(worker1).with_extension("pids")
    }
}

fn wrappers(pool: PoolApi) -> &'static Wrappers {
    // One set per program: the decoys' suite runs pools of more than one.
    static MADE: Mutex<BTreeMap<PathBuf, &'static Wrappers>> = Mutex::new(BTreeMap::new());
    let program = (pool.program)();
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    let n = made.len();
    *made.entry(program.clone()).or_insert_with(|| {
        use std::os::unix::fs::PermissionsExt;
        let tmp = std::env::temp_dir();
        remove_stale(&tmp);
        let dir = tmp.join(format!("course-pool-{}", std::process::id())).join(n.to_string());
        std::fs::create_dir_all(&dir).expect("making the suite's scratch folder");
        let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
        let census = dir.join("census");
        std::fs::write(&census, "").expect("making the census file");
        for (worker1, name) in WRAPPERS {
            let path = dir.join(name);
            let started = path.with_extension("pids");
            let fault = match worker1 {
                Worker1::Serves => String::new(),
                Worker1::ExitsBeforeHello => format!(
                    "if [ \"${}\" = 1 ]; then sleep 0.3; exit 0; fi\n",
                    pool.role_var
                ),
                Worker1::Silent => {
                    format!("if [ \"${}\" = 1 ]; then exec sleep 60; fi\n", pool.role_var)
                }
            };
            let script = format!(
                "#!/bin/sh\necho $$ >> {}\n{fault}COURSE_CENSUS={}\nexport COURSE_CENSUS\nexec {} \"$@\"\n",
                quote(&started),
                quote(&census),
                quote(&program),
            );
            std::fs::write(&path, script).expect("writing a wrapper");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .expect("making it executable");
        }
        // Let any child forked meanwhile by another thread reach its exec,
        // which closes its copy of the files just written.
        std::thread::sleep(Duration::from_millis(50));
        Box::leak(Box::new(Wrappers { dir }))
    })
}

/// Removes the folders of suites whose process has ended.
fn remove_stale(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("course-pool-"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Starts a pool whose workers run through the wrapper for `worker1`, and
/// what `Pool::start` said, with the pids that wrapper started meanwhile.
pub fn start_with(pool: PoolApi, workers: usize, worker1: Worker1) -> StartedWith {
    let w = wrappers(pool);
    let list = w.started(worker1);
    let before = read_pids(&list).len();
    let started = (pool.start)(&w.program(worker1), workers);
    StartedWith {
        started: read_pids(&list)[before.min(read_pids(&list).len())..].to_vec(),
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

fn read_pids(path: &Path) -> Vec<u32> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// A started pool, under watch.
pub struct Watched {
    pool: Box<dyn PoolHandle>,
    census: PathBuf,
    workers: usize,
}

/// A map's results: per input, the value and the pid that computed it, or
/// the error's text.
pub type Results = Vec<Result<(u64, u32), String>>;

impl Watched {
    /// Starts `workers` workers, or fails the test saying why not.
    pub fn start(pool: PoolApi, workers: usize) -> Watched {
        let census = wrappers(pool).census();
        let started = start_with(pool, workers, Worker1::Serves);
        let pool = started
            .pool
            .unwrap_or_else(|e| panic!("Pool::start with {workers} workers failed: {e}"));
        Watched {
            pool,
            census,
            workers,
        }
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
        let from = census_len(&self.census);
        let mut workers: BTreeSet<u32> = self.pool.pids().into_iter().collect();
        let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.pool.map(task, inputs, chunk)
        }))?;
        workers.extend(self.pool.pids());
        let new = census_since(&self.census, from);
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

fn census_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The census's lines written since byte `from`.
fn census_since(path: &Path, from: u64) -> String {
    let text = std::fs::read(path).unwrap_or_default();
    String::from_utf8_lossy(text.get(from as usize..).unwrap_or_default()).into_owned()
}

/// The pids among `pids` that still run (a zombie does not).
pub fn running(pids: &[u32]) -> BTreeSet<u32> {
    pids.iter()
        .copied()
        .filter(|&p| harness::children::stat(p).is_some_and(|s| s.state != 'Z'))
        .collect()
}
