//! Suite of `exercises/processes/manager`: processes don't share memory.
//!
//! A child changes its copy and the parent's data stays as it was; the
//! child's work comes back only as a message (with the child's pid as the
//! witness that another process did it). State that several processes
//! update lives in one manager process: updates from many updater processes
//! at once are all counted, a value one client sets is what another reads,
//! and dropping the manager leaves no process behind.

use std::path::{Path, PathBuf};
use std::time::Duration;

use harness::human;

use crate::fetching::Draw;
use crate::gone::assert_gone;

mod gate;
use gate::Gate;

/// A connection to the manager, as the suite sees it (a thread of the
/// suite may own it).
pub trait ClientHandle: Send {
    /// `Client::add`.
    fn add(&mut self, key: &str, delta: i64) -> Result<i64, String>;
    /// `Client::get`.
    fn get(&mut self, key: &str) -> Result<i64, String>;
}

/// A running manager, as the suite sees it.
pub trait ManagerHandle {
    /// The manager's pid.
    fn pid(&self) -> u32;
    /// The manager's socket path.
    fn address(&self) -> PathBuf;
    /// A new connection.
    fn connect(&self) -> Result<Box<dyn ClientHandle>, String>;
    /// `run_updaters(program, key, workers, times)`.
    fn run_updaters(
        &self,
        program: &Path,
        key: &str,
        workers: usize,
        times: u32,
    ) -> Result<(), String>;
}

/// A started manager, or why it did not start.
pub type Started = Result<Box<dyn ManagerHandle>, String>;

/// The crate under test.
#[derive(Clone, Copy)]
pub struct ManagerApi {
    /// The program every role runs (the exercise's binary).
    pub program: fn() -> PathBuf,
    /// `Manager::start(program)`.
    pub start: fn(&Path) -> Started,
    /// `in_a_child(program, data)`.
    pub in_a_child: fn(&Path, &[i64]) -> Result<Vec<i64>, String>,
    /// The functions of `src/lib.rs` the source witness reads from (with
    /// what they call): [`MANAGER_CODE`] for a crate.
    pub code: &'static [&'static str],
}

/// Defines `SUBJECT`: the crate's `Manager`, `Client` and `in_a_child` seen
/// as a [`ManagerApi`], with the crate's own binary as the program.
#[macro_export]
macro_rules! manager_adapter {
    ($krate:ident) => {
        $crate::manager_adapter!($krate, || $crate::own_binary(env!(concat!(
            "CARGO_BIN_EXE_",
            env!("CARGO_PKG_NAME")
        ))));
    };
    ($krate:ident, $program:expr) => {
        struct Client($krate::Client);
        struct Manager($krate::Manager);

        impl $crate::manager::ClientHandle for Client {
            fn add(&mut self, key: &str, delta: i64) -> Result<i64, String> {
                self.0.add(key, delta).map_err(|e| e.to_string())
            }
            fn get(&mut self, key: &str) -> Result<i64, String> {
                self.0.get(key).map_err(|e| e.to_string())
            }
        }

        impl $crate::manager::ManagerHandle for Manager {
            fn pid(&self) -> u32 {
                self.0.pid()
            }
            fn address(&self) -> ::std::path::PathBuf {
                self.0.address().to_path_buf()
            }
            fn connect(&self) -> Result<Box<dyn $crate::manager::ClientHandle>, String> {
                self.0
                    .connect()
                    .map(|c| Box::new(Client(c)) as Box<dyn $crate::manager::ClientHandle>)
                    .map_err(|e| e.to_string())
            }
            fn run_updaters(
                &self,
                program: &::std::path::Path,
                key: &str,
                workers: usize,
                times: u32,
            ) -> Result<(), String> {
                self.0
                    .run_updaters(program, key, workers, times)
                    .map_err(|e| e.to_string())
            }
        }

        pub const SUBJECT: $crate::manager::ManagerApi = $crate::manager::ManagerApi {
            program: $program,
            start: |program| {
                $krate::Manager::start(program)
                    .map(|m| Box::new(Manager(m)) as Box<dyn $crate::manager::ManagerHandle>)
                    .map_err(|e| e.to_string())
            },
            in_a_child: |program, data| {
                $krate::in_a_child(program, data).map_err(|e| e.to_string())
            },
            code: $crate::manager::MANAGER_CODE,
        };
    };
}

/// A program that stands between the crate and its own binary: a shell
/// script that starts the real program as *its* child, which first writes
/// its pid (one line) to a log. So the suite learns which processes really
/// ran the program, and their pids are not the ones `Child::id` returns.
struct Witness {
    script: PathBuf,
    log: PathBuf,
    /// Where `cut` writes the pid of the `cat` in front of the program.
    cat_log: PathBuf,
    /// Where every copy writes when it ended (and `timed` copies when they
    /// started).
    times: PathBuf,
    /// The census the copies write ([`harness::census`]): the updates an
    /// updater made, recorded by the course's `update` as it makes them.
    census: PathBuf,
    /// Where a `teed` copy's stdout is kept too.
    sent: PathBuf,
    /// Where a `teed` copy's stdin is kept too: what the child received.
    received: PathBuf,
    /// Where every copy of a `one_fails` script writes its own pid: the
    /// processes `run_updaters` itself started.
    kids: PathBuf,
    /// A folder the first copy of a `one_fails` script makes: it is the one
    /// that fails.
    mark: PathBuf,
    /// Where the failing copy of a `one_fails` script writes its pid.
    failed: PathBuf,
    /// The FIFO each copy of a `gathered` script says it started on.
    arrived: PathBuf,
    /// The FIFO each copy of a `gathered` script then waits on.
    gate: PathBuf,
}

impl Witness {
    /// A witness whose copies each log, to `times`, when they started, then
    /// wait at a [`Gate`] until `n` copies have started (or `within` has
    /// passed since the first did) before they run the program, and log
    /// when the program ended: started all at once, the `n` copies all run
    /// at the same moment, however long each one's start takes; started a
    /// few at a time, the first few wait in vain, once.
    fn gathered(real: &Path, n: usize, within: Duration) -> (Witness, Gate) {
        let witness = Witness::made(
            real,
            &format!(
                "echo \"start $(date +%s%N)\" >> TIMES\n{}",
                gate::WAIT_AT_GATE
            ),
            "",
        );
        let gate = Gate::open(&witness.arrived, &witness.gate, n, within);
        (witness, gate)
    }

    /// A witness whose first copy (the first to make the folder `mark`)
    /// runs the program with the fault `update:0` injected
    /// ([`harness::fault`]): its `update` fails before its first increment
    /// and the process ends with a failure. The other copies wait `hold`
    /// seconds (a `sleep` argument) before they run the program. Every copy
    /// writes its own pid (the process `run_updaters` started) to `kids`.
    fn one_fails(real: &Path, hold: &str) -> Witness {
        Witness::made(
            real,
            &format!(
                "echo $$ >> KIDS\nif mkdir FAULT_MARK 2>/dev/null; then\necho $$ > FAILED_PID\n\
                 {fault}=update:0\nexport {fault}\nelse\nsleep {hold}\nfi\n",
                fault = harness::fault::FAULT_VAR
            ),
            "",
        )
    }

    /// A witness whose first copy (the first to make the folder `mark`)
    /// writes its pid to `failed` and kills itself with `signal` (a `kill`
    /// argument: `KILL`, `TERM`) before it runs the program, as the OOM
    /// killer or a crash would end an updater. Every copy writes its own pid
    /// (the process `run_updaters` started) to `kids`.
    fn one_killed(real: &Path, signal: &str) -> Witness {
        Witness::made(
            real,
            &format!(
                "echo $$ >> KIDS\nif mkdir FAULT_MARK 2>/dev/null; then\necho $$ > FAILED_PID\n\
                 kill -{signal} $$\nsleep 5\nexit 0\nfi\n"
            ),
            "",
        )
    }

    /// A witness every copy of which writes its own pid (the process the
    /// code under test started) to `kids`, then runs the program.
    fn kids_logged(real: &Path) -> Witness {
        Witness::made(real, "echo $$ >> KIDS\n", "")
    }

    /// A witness whose copies write their own pid to `kids`, then run
    /// `instead` (shell commands) and end without running the program: a
    /// child that never answers.
    fn answers_nothing(real: &Path, instead: &str) -> Witness {
        Witness::made(real, &format!("echo $$ >> KIDS\n{instead}\n"), "")
    }

    /// The most copies of the script that were running at the same moment.
    fn most_at_once(&self) -> usize {
        let mut events: Vec<(u128, i32)> = std::fs::read_to_string(&self.times)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let (what, at) = line.split_once(' ')?;
                let at: u128 = at.trim().parse().ok()?;
                Some((at, if what == "start" { 1 } else { -1 }))
            })
            .collect();
        // At the same instant an end counts before a start.
        events.sort();
        let (mut now, mut most) = (0i32, 0i32);
        for (_, step) in events {
            now += step;
            most = most.max(now);
        }
        usize::try_from(most).unwrap_or(0)
    }

    /// A witness that waits `delay` seconds (a `sleep` argument) before it
    /// runs the real program.
    fn slow(real: &Path, delay: &str) -> Witness {
        Witness::made(real, &format!("sleep {delay}\n"), "")
    }

    /// A witness whose program reads its stdin through a `cat` (its pid in
    /// `cat_log`): killing that `cat` ends the program's stdin, as the
    /// death of its parent would.
    fn cut(real: &Path) -> Witness {
        Witness::made(real, "", "sh -c 'echo $$ >> \"$0\"; exec cat' CAT_LOG | ")
    }

    /// A witness that keeps a copy of what the program reads on its stdin
    /// in `received` and of what it writes to its stdout in `sent`: what a
    /// child was really given, and what it really sent back.
    fn teed(real: &Path) -> Witness {
        Witness::made_with(real, "", "tee RECEIVED | ", " | tee SENT")
    }

    /// What a `teed` copy sent on its stdout, as one frame of numbers.
    fn sent_numbers(&self) -> Option<Vec<i64>> {
        Witness::numbers_in(&self.sent)
    }

    /// What a `teed` copy received on its stdin, as one frame of numbers.
    fn received_numbers(&self) -> Option<Vec<i64>> {
        Witness::numbers_in(&self.received)
    }

    fn numbers_in(file: &Path) -> Option<Vec<i64>> {
        let bytes = std::fs::read(file).ok()?;
        frames_solution::FrameReader::new(&bytes[..], FRAME_LIMIT)
            .read::<Vec<i64>>()
            .ok()
            .flatten()
    }

    /// The updates the copies recorded in the census: per pid, how many
    /// `add`s of 1.
    fn adds_by(&self, pids: &[i64]) -> u64 {
        harness::census::read_served(&self.census)
            .iter()
            .filter(|s| s.task == "add" && pids.contains(&i64::from(s.pid)))
            .map(|s| s.input)
            .sum()
    }

    fn made(real: &Path, before: &str, feed: &str) -> Witness {
        Witness::made_with(real, before, feed, "")
    }

    fn made_with(real: &Path, before: &str, feed: &str, after: &str) -> Witness {
        use std::os::unix::fs::PermissionsExt;
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let base =
            std::env::temp_dir().join(format!("course-manager-witness-{}-{n}", std::process::id()));
        let (script, log, cat_log) = (
            base.with_extension("sh"),
            base.with_extension("log"),
            base.with_extension("cat"),
        );
        let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', r"'\''"));
        let times = base.with_extension("times");
        let census = base.with_extension("census");
        let sent = base.with_extension("sent");
        let received = base.with_extension("received");
        let kids = base.with_extension("kids");
        let mark = base.with_extension("mark");
        let failed = base.with_extension("failed");
        let (arrived, gate) = (base.with_extension("arrived"), base.with_extension("gate"));
        // The files the parts name, by the words they name them with.
        let files = [
            ("TIMES", &times),
            ("CAT_LOG", &cat_log),
            ("SENT", &sent),
            ("RECEIVED", &received),
            ("KIDS", &kids),
            ("FAULT_MARK", &mark),
            ("FAILED_PID", &failed),
            ("ARRIVED", &arrived),
            ("GATE", &gate),
        ];
        let named = |part: &str| {
            files.iter().fold(part.to_owned(), |part, (word, file)| {
                part.replace(word, &quote(file))
            })
        };
        // The script's own standard error goes nowhere (a shell says
        // "Killed" when the test kills the manager it waits for); the
        // manager's goes where the test's does (descriptor 9 holds it).
        let text = format!(
            "#!/bin/sh\nexec 9>&2 2>/dev/null\n{}={}\nexport {}\n{}{}sh -c 'echo $$ >> \"$0\"; exec \"$@\"' {} {} \"$@\" 2>&9 9>&-{}\n\
             status=$?\necho \"end $(date +%s%N)\" >> {}\nexit $status\n",
            harness::census::CENSUS_VAR,
            quote(&census),
            harness::census::CENSUS_VAR,
            named(before),
            named(feed),
            quote(&log),
            quote(real),
            named(after),
            quote(&times),
        );
        std::fs::write(&script, text).expect("writing the witness script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("making the witness script executable");
        Witness {
            script,
            log,
            cat_log,
            times,
            census,
            sent,
            received,
            kids,
            mark,
            failed,
            arrived,
            gate,
        }
    }

    /// Pids of the processes that ran the real program through this script.
    fn pids(&self) -> Vec<i64> {
        Witness::read_pids(&self.log)
    }

    fn read_pids(log: &Path) -> Vec<i64> {
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.script);
        let _ = std::fs::remove_file(&self.log);
        let _ = std::fs::remove_file(&self.cat_log);
        let _ = std::fs::remove_file(&self.times);
        let _ = std::fs::remove_file(&self.census);
        let _ = std::fs::remove_file(&self.sent);
        let _ = std::fs::remove_file(&self.received);
        let _ = std::fs::remove_file(&self.kids);
        let _ = std::fs::remove_dir(&self.mark);
        let _ = std::fs::remove_file(&self.failed);
        let _ = std::fs::remove_file(&self.arrived);
        let _ = std::fs::remove_file(&self.gate);
    }
}

/// The largest frame either side accepts (`LIMIT` in the exercise's
/// `lib.rs`): the largest answer `in_a_child` can be given.
const FRAME_LIMIT: u32 = 1 << 20;

fn start(api: ManagerApi) -> Box<dyn ManagerHandle> {
    (api.start)(&(api.program)()).unwrap_or_else(|e| panic!("Manager::start failed: {e}"))
}

/// The child doubles its copy and appends its pid; the parent's list is
/// unchanged, and the answer came from another process.
pub fn a_child_changes_only_its_copy(api: ManagerApi) {
    let data = vec![1, 2, 3];
    let answer = (api.in_a_child)(&(api.program)(), &data)
        .unwrap_or_else(|e| panic!("in_a_child failed: {e}"));
    assert_eq!(data, [1, 2, 3], "the parent's list must be unchanged");
    let Some((&pid, changed)) = answer.split_last() else {
        panic!("the child sent back an empty list")
    };
    assert_eq!(
        changed,
        [2, 4, 6],
        "the child must send back its copy with every number doubled"
    );
    assert!(
        pid > 0 && pid != i64::from(std::process::id()),
        "the last number must be the child's pid, not the parent's ({}): got {pid}",
        std::process::id()
    );
    assert_gone(
        &[u32::try_from(pid).unwrap_or_default()],
        "after in_a_child returned, its child",
    );
    // An empty list is a list (round 22's `manager/04` took it for "no
    // list" and failed): its copy, doubled, is empty, and the pid follows.
    let answer = (api.in_a_child)(&(api.program)(), &[]);
    assert!(
        answer
            .as_ref()
            .is_ok_and(|a| a.len() == 1 && a[0] > 0 && a[0] != i64::from(std::process::id())),
        "in_a_child(program, []) returned {answer:?}: an empty list is a list like any other. \
         The child gets its copy (empty), doubles every number in it (none) and sends it back \
         with its pid, so the answer is `[pid]`."
    );
    // Through a program that runs the real one as its own child: the answer
    // must carry the pid of the process that really changed the copy, which
    // only that process knows; and the child must have been given the list
    // as it is, and have sent back what the parent returns. The list is
    // drawn per run (2 to 6 numbers, negative ones too).
    let mut draw = Draw::new();
    let data: Vec<i64> = (0..draw.pick(2..=6))
        .map(|_| draw.pick(0..=2000) as i64 - 1000)
        .collect();
    let witness = Witness::teed(&(api.program)());
    let answer = (api.in_a_child)(&witness.script, &data)
        .unwrap_or_else(|e| panic!("in_a_child failed through a wrapper program: {e}"));
    let ran = witness.pids();
    let sent = witness.sent_numbers();
    assert!(
        sent.as_deref() == Some(&answer[..]),
        "in_a_child(program, {data:?}) returned {answer:?}, but the child sent back {}: only \
         what the child sends back counts. The changed copy is made in the child (the parent \
         only sends its list and reads the answer), and returned as the child sent it.",
        sent.map_or("no list".to_owned(), |s| format!("{s:?}"))
    );
    let received = witness.received_numbers();
    assert!(
        received.as_deref() == Some(&data[..]),
        "in_a_child(program, {data:?}) gave its child {}, where the child must be given a copy \
         of the list as it is, {} number(s), and make the change itself: the changed copy is \
         made in the child, never in the parent (the child's stdin was kept, through a program \
         that runs the real one as its child). Send the list unchanged; the child doubles it.",
        received.map_or("no list".to_owned(), |r| format!("{r:?}")),
        data.len()
    );
    let doubled: Vec<i64> = data.iter().map(|x| x * 2).collect();
    assert!(
        answer.len() == data.len() + 1
            && answer[..data.len()] == doubled[..]
            && ran.len() == 1
            && answer[data.len()] == ran[0],
        "in_a_child(program, {data:?}) must return exactly what the child sent back: its doubled \
         copy {doubled:?} and its own pid. Run through a program that starts the real one as its \
         child (pid {ran:?}), it returned {answer:?}: the answer must be read from the child's \
         stdout, not computed in the parent (the parent cannot know which process did the work)"
    );
}

/// How long [`a_big_list_comes_back_whole`] waits for `in_a_child`: the
/// reference answers a list at the frame limit in well under a second.
const BIG_LIST_WITHIN: std::time::Duration = std::time::Duration::from_secs(4);

/// A list drawn per run whose doubled answer is between 128 KiB (twice a
/// pipe's 64 KiB) and the frame limit (1 MiB) of JSON, numbers of 1 to 12
/// digits, negative ones too: `in_a_child` must return it whole, in time.
/// A parent that waits for the child before it reads the answer never
/// does: the child blocks writing more than a pipe holds, and the parent
/// blocks waiting for it.
pub fn a_big_list_comes_back_whole(api: ManagerApi) {
    let mut draw = Draw::new();
    // The answer's JSON: `[`, the doubled numbers with their commas, the
    // pid (at most 7 digits on Linux), `]`.
    let most = FRAME_LIMIT as usize - 16;
    let target = draw.pick(128 * 1024..=most);
    let (mut data, mut bytes) = (Vec::new(), 2 + 8);
    loop {
        let digits = draw.pick(1..=12) as u32;
        let x = draw.pick(0..=10usize.pow(digits) - 1) as i64;
        let x = if draw.pick(0..=1) == 1 { -x } else { x };
        let size = (2 * x).to_string().len() + 1;
        if bytes + size > target {
            break;
        }
        bytes += size;
        data.push(x);
    }
    let kib = bytes / 1024;
    let program = (api.program)();
    let children = harness::children::Leftovers::watch();
    let (done, answered) = std::sync::mpsc::channel();
    let call = {
        let data = data.clone();
        std::thread::spawn(move || {
            let _ = done.send((api.in_a_child)(&program, &data));
        })
    };
    let started = std::time::Instant::now();
    let answer = match answered.recv_timeout(BIG_LIST_WITHIN) {
        Ok(answer) => answer,
        // The call panicked: that panic is the test's.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match call.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("in_a_child's thread ended without an answer"),
        },
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            // End the child: the call then returns (with an error), and its
            // thread with it.
            drop(children);
            let _ = answered.recv_timeout(std::time::Duration::from_secs(2));
            drop(call);
            panic!(
                "in_a_child with a list of {} numbers, whose answer is {kib} KiB of JSON (the \
                 frame limit allows up to 1024 KiB; a pipe holds 64 KiB), had not returned after \
                 {} s (the reference answers in well under one). A child that writes more than a \
                 pipe holds blocks until its parent reads: read the child's answer first, then \
                 wait for the child. A parent that waits first, then reads, waits forever.",
                data.len(),
                BIG_LIST_WITHIN.as_secs()
            )
        }
    };
    let took = started.elapsed();
    let _ = call.join();
    let answer = answer.unwrap_or_else(|e| {
        panic!(
            "in_a_child with a list of {} numbers ({kib} KiB of answer, under the frame limit \
             of 1024 KiB) failed: {e}",
            data.len()
        )
    });
    let wrong = (0..data.len()).find(|&i| answer.get(i) != Some(&(2 * data[i])));
    assert!(
        answer.len() == data.len() + 1 && wrong.is_none(),
        "in_a_child with a list of {} numbers ({kib} KiB of answer, under the frame limit of \
         1024 KiB) returned {} numbers in {:.2} s, where it must return the {} numbers doubled, \
         then the child's pid: {}",
        data.len(),
        answer.len(),
        took.as_secs_f64(),
        data.len(),
        wrong.map_or("the length is wrong".to_owned(), |i| format!(
            "number {i} is {:?}, where 2 × {} = {}",
            answer.get(i),
            data[i],
            2 * data[i]
        ))
    );
    let pid = answer[data.len()];
    assert!(
        pid > 0 && pid != i64::from(std::process::id()),
        "the last number of in_a_child's answer (a list of {} numbers) must be the child's pid, \
         not the parent's ({}): got {pid}",
        data.len(),
        std::process::id()
    );
}

/// A child of `in_a_child` that ends without an answer, in each way it
/// can: it reads its list and ends with status 0, or with a failure (a
/// status drawn per run from 1 to 125), or it ends at once without reading
/// a list of a few numbers, or a list drawn per run between 80 KiB (more
/// than a pipe holds, so the parent's write fails) and 1 MiB of JSON.
/// Every call must return an error, and its child must then be gone from
/// the process table, neither running nor a zombie: a child that sent
/// nothing is waited for too, and so is one whose list could not be
/// written.
pub fn a_child_without_an_answer_is_waited_for_too(api: ManagerApi) {
    let mut draw = Draw::new();
    let status = draw.pick(1..=125);
    let small: Vec<i64> = (0..draw.pick(1..=6))
        .map(|_| draw.pick(0..=2000) as i64 - 1000)
        .collect();
    // Numbers of 10 digits: 11 bytes each with the comma.
    let big: Vec<i64> = (0..draw.pick(80 * 1024 / 11..=(1 << 20) / 11 - 2))
        .map(|i| 1_000_000_000 + i as i64)
        .collect();
    let big_kib = (big.len() * 11) / 1024;
    let cases: [(String, String, &[i64]); 4] = [
        (
            "reads its list, then ends with status 0 without answering".to_owned(),
            "cat > /dev/null\nexit 0".to_owned(),
            &small,
        ),
        (
            format!("reads its list, then ends with status {status} without answering"),
            format!("cat > /dev/null\nexit {status}"),
            &small,
        ),
        (
            "ends at once, without reading its list or answering".to_owned(),
            "exec 0<&-\nexit 0".to_owned(),
            &small,
        ),
        (
            format!(
                "ends at once, without reading its list of {} numbers ({big_kib} KiB of JSON, \
                 more than a pipe holds: the parent's write fails)",
                big.len()
            ),
            "exec 0<&-\nexit 0".to_owned(),
            &big,
        ),
    ];
    for (how, instead, data) in cases {
        let witness = Witness::answers_nothing(&(api.program)(), &instead);
        let shown = if data.len() > 8 {
            format!("a list of {} numbers", data.len())
        } else {
            format!("{data:?}")
        };
        let result = (api.in_a_child)(&witness.script, data);
        let kids: Vec<u32> = Witness::read_pids(&witness.kids)
            .into_iter()
            .filter_map(|p| u32::try_from(p).ok())
            .collect();
        // A moment for the kernel, as after any wait.
        let until = std::time::Instant::now() + std::time::Duration::from_millis(500);
        let mut left = harness::children::still_ours(&kids);
        while !left.is_empty() && std::time::Instant::now() < until {
            std::thread::sleep(std::time::Duration::from_millis(10));
            left = harness::children::still_ours(&kids);
        }
        for s in &left {
            let pid = nix::unistd::Pid::from_raw(s.pid as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            let _ = nix::sys::wait::waitpid(pid, None);
        }
        let shown_result = match &result {
            Ok(v) if v.len() > 8 => format!("Ok(a list of {} numbers)", v.len()),
            other => format!("{other:?}"),
        };
        if let Some(s) = left.first() {
            panic!(
                "in_a_child(program, {shown}) with a child that {how}: it returned \
                 {shown_result}, and 500 ms later its child (pid {}) was {}. No zombie child: \
                 in_a_child waits for its child however it ended, also when it sent no answer \
                 or could not be given its list. A `?` on the write or on the answer before \
                 `wait` returns without waiting: keep the error, wait, then return it.",
                s.pid,
                if s.state == 'Z' {
                    "a zombie (it ended, and was never waited for)".to_owned()
                } else {
                    format!("still running (state {})", s.state)
                }
            );
        }
        assert!(
            kids.len() == 1,
            "in_a_child(program, {shown}) must start `program` once; it started it {} times",
            kids.len()
        );
        assert!(
            result.is_err(),
            "in_a_child(program, {shown}) with a child that {how} returned {shown_result}: a \
             child that sends no answer is an error, never an answer"
        );
    }
}

/// How long the copies of a [`Witness::gathered`] script wait for the
/// others, from the first one's start: `run_updaters` that starts them all
/// at once starts a hundred within a fraction of that.
const GATHER_WITHIN: Duration = Duration::from_millis(1_500);

/// Two calls of `run_updaters`, sizes drawn per run: 2 to 8 updaters of
/// 100 to 300 increments each, then 257 to 320 updaters of 10 to 40 (past
/// any batch of 8, 16, 32, 64, 100, 200 or 256 a "not too many at once"
/// might start: round 16's `manager/03` started batches of 100, round 20's
/// `manager/05` of 200, round 22's `manager/01` of 256). In each, all the
/// updaters must run at once, each its own process, and the manager's
/// counter must be the sum. A counter kept in each process would show 0
/// or one updater's share.
pub fn updates_from_many_processes_are_all_counted(api: ManagerApi) {
    let mut draw = Draw::new();
    let calls = [
        (draw.pick(2..=8), draw.pick(100..=300) as u32),
        (draw.pick(257..=320), draw.pick(10..=40) as u32),
    ];
    let manager = start(api);
    for (call, (workers, times)) in calls.into_iter().enumerate() {
        let key = format!("hits{call}");
        updaters_all_counted(&*manager, api, &key, workers, times, &calls);
    }
}

/// One call of [`updates_from_many_processes_are_all_counted`].
fn updaters_all_counted(
    manager: &dyn ManagerHandle,
    api: ManagerApi,
    key: &str,
    workers: usize,
    times: u32,
    calls: &[(usize, u32)],
) {
    let drawn = calls
        .iter()
        .map(|(w, t)| format!("{w} × {t}"))
        .collect::<Vec<_>>()
        .join(", then ");
    let call = format!("run_updaters(program, {key:?}, {workers}, {times})");
    // The updaters run the program through a script that logs the pid of
    // each process that really ran it, and holds each copy until all of
    // them have started.
    let (witness, gate) = Witness::gathered(&(api.program)(), workers, GATHER_WITHIN);
    manager
        .run_updaters(&witness.script, key, workers, times)
        .unwrap_or_else(|e| panic!("{call} failed: {e}"));
    drop(gate);
    let ran = witness.pids();
    let distinct: std::collections::BTreeSet<i64> = ran.iter().copied().collect();
    assert!(
        distinct.len() == workers && !distinct.contains(&i64::from(std::process::id())),
        "{call} must start `program` {workers} times, one updater process each; the program ran \
         in {} process(es) ({ran:?}). The updates must come from other processes, sent to the \
         manager, not be made by the parent (sizes drawn this run: {drawn})",
        distinct.len()
    );
    // Each copy of the witness waits at the gate until all of them have
    // started (or GATHER_WITHIN has passed) before it runs the program:
    // copies started together all overlap, however fast the updates are.
    let together = witness.most_at_once();
    assert!(
        together == workers,
        "{call} did not run its {workers} updater processes all at once: at most {together} of \
         {workers} were running at any moment (each was held until all {workers} had started, \
         or {} had passed since the first started; sizes drawn this run: {drawn}). Start all of them, \
         then wait for all of them, however many: the manager is there to take updates from \
         many processes at once.",
        human(GATHER_WITHIN)
    );
    let expected = workers as u64 * u64::from(times);
    let sent = witness.adds_by(&ran);
    assert!(
        sent == expected,
        "{call}: the updater processes sent {sent} increments to the manager between them (the \
         course's `update` records each one it sends), where {workers} × {times} = {expected} \
         were asked for. The updates come from the updater processes, sent to the manager: the \
         parent makes none of them."
    );
    let mut client = manager
        .connect()
        .unwrap_or_else(|e| panic!("connect failed: {e}"));
    let hits = client
        .get(key)
        .unwrap_or_else(|e| panic!("get failed: {e}"));
    assert!(
        hits == expected as i64,
        "{workers} updater processes added 1 to `{key}` {times} times each through the manager, \
         so it must hold {expected}; it holds {hits}, so updates were lost. Each add must be \
         applied in the manager as one step, reading and writing the counter together (one \
         owner thread, or one lock held across the read and the write): a read under one lock \
         and a write under another lets two connections write the same old value plus one"
    );
}

/// What one client adds, another client reads: the state is in the
/// manager, not in the connection.
pub fn the_manager_owns_the_state(api: ManagerApi) {
    let manager = start(api);
    let mut a = manager
        .connect()
        .unwrap_or_else(|e| panic!("connect failed: {e}"));
    let mut b = manager
        .connect()
        .unwrap_or_else(|e| panic!("connect failed: {e}"));
    assert_eq!(
        a.add("x", 5).ok(),
        Some(5),
        "add(\"x\", 5) on a fresh counter must return 5"
    );
    assert_eq!(
        b.add("x", 2).ok(),
        Some(7),
        "a second client's add must see the first one's: 5 + 2 = 7 (the counters live in the \
         manager process, not in each connection)"
    );
    assert_eq!(
        a.get("x").ok(),
        Some(7),
        "the first client must read what the second one added: the counters live in the \
         manager process, not in each connection"
    );
    assert_eq!(
        b.get("never set").ok(),
        Some(0),
        "an absent counter reads as 0"
    );
    // A client that has read a counter reads it again after another client
    // added to it, round after round (2 to 6, deltas drawn per run): each
    // `get` asks the manager.
    let mut draw = Draw::new();
    let key = format!("read again {}", draw.pick(0..=999_999));
    let mut expected = 0;
    let mut reads = vec![a.get(&key)];
    for round in 1..=draw.pick(2..=6) {
        let delta = draw.pick(1..=999) as i64;
        expected += delta;
        let added = b.add(&key, delta);
        let read = a.get(&key);
        reads.push(read.clone());
        assert!(
            added == Ok(expected) && read == Ok(expected),
            "a client read {key:?}, then, round after round, a second client added to it and the \
             first read it again: in round {round} the second client's add({key:?}, {delta}) gave \
             {added:?} and the first client's get then gave {read:?}, where the counter held \
             {expected} (the first client's reads so far: {reads:?}). What one client adds, \
             another reads: `get` asks the manager every time; a value a client read before is \
             not the counter's value now."
        );
    }
    // Counts of every size an `i64` holds, and below zero (round 22's
    // `manager/02` kept its counters in an `i32`).
    let key = format!("big {}", draw.pick(0..=999_999));
    let big = (1i64 << 40) + draw.pick(0..=1 << 40) as i64;
    let steps = [big, big, -3 * big, i64::MAX - 2 * big];
    let mut expected = 0i64;
    for delta in steps {
        expected += delta;
        let added = a.add(&key, delta);
        let read = b.get(&key);
        assert!(
            added == Ok(expected) && read == Ok(expected),
            "add({key:?}, {delta}) gave {added:?}, and another client's get then gave {read:?}, \
             where the counter held {expected}: a counter holds any `i64`, however large and \
             below zero too, exactly."
        );
    }
}

/// 2 to 6 clients (drawn per run) each add to a counter of their own, a
/// delta of their own (drawn), 200 to 500 times (drawn), all at once, while
/// one more client keeps reading a counter never set: every reply must be
/// the asking client's own, its counter's new value (`k × delta` after its
/// `k`th add), and the never-set counter must read 0 every time. A manager
/// whose connections take their replies from one channel they share hands
/// a client another's answer when requests overlap.
pub fn every_client_gets_its_own_answers(api: ManagerApi) {
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut draw = Draw::new();
    let adders = draw.pick(2..=6);
    let rounds = draw.pick(200..=500);
    let tag = draw.pick(0..=999_999);
    let mut deltas: Vec<i64> = Vec::new();
    while deltas.len() < adders {
        let d = draw.pick(1..=999) as i64;
        if !deltas.contains(&d) {
            deltas.push(d);
        }
    }
    let never = format!("never set {tag}");
    let manager = start(api);
    let connect = |who: String| {
        manager
            .connect()
            .unwrap_or_else(|e| panic!("connect failed ({who}): {e}"))
    };
    let clients: Vec<Box<dyn ClientHandle>> = (0..adders)
        .map(|i| connect(format!("client {} of {adders}", i + 1)))
        .collect();
    let mut reader = connect("the reader".to_owned());
    let gate = Barrier::new(adders + 1);
    let finished = AtomicUsize::new(0);
    /// What one adder saw: wrong replies, the first (its add number, the
    /// reply), and an error that ended it.
    type Seen = (usize, Option<(usize, i64)>, Option<String>);
    let (seen, (reads, zero_misses, first_miss, read_error)) = std::thread::scope(|s| {
        let adding: Vec<_> = clients
            .into_iter()
            .enumerate()
            .map(|(i, mut client)| {
                let (gate, finished, delta) = (&gate, &finished, deltas[i]);
                let key = format!("own {tag} {i}");
                s.spawn(move || -> Seen {
                    gate.wait();
                    let mut seen: Seen = (0, None, None);
                    for k in 1..=rounds {
                        match client.add(&key, delta) {
                            Ok(v) if v == k as i64 * delta => {}
                            Ok(v) => {
                                seen.0 += 1;
                                seen.1.get_or_insert((k, v));
                            }
                            Err(e) => {
                                seen.2 = Some(format!("add number {k} failed: {e}"));
                                break;
                            }
                        }
                    }
                    finished.fetch_add(1, Ordering::SeqCst);
                    seen
                })
            })
            .collect();
        let reading = s.spawn(|| {
            gate.wait();
            let (mut reads, mut misses, mut first, mut error) = (0usize, 0usize, None, None);
            while finished.load(Ordering::SeqCst) < adders || reads == 0 {
                reads += 1;
                match reader.get(&never) {
                    Ok(0) => {}
                    Ok(v) => {
                        misses += 1;
                        first.get_or_insert(v);
                    }
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                }
            }
            (reads, misses, first, error)
        });
        let seen: Vec<Seen> = adding
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or((0, None, Some("its thread panicked".into())))
            })
            .collect();
        let read = reading.join().unwrap_or((0, 0, None, None));
        (seen, read)
    });
    let wrong: usize = seen.iter().map(|s| s.0).sum();
    let what = format!(
        "{adders} clients each added to a counter of their own at once, {rounds} times each (deltas \
         {deltas:?}, drawn this run), while one more client read a counter never set"
    );
    for (i, s) in seen.iter().enumerate() {
        if let Some(e) = &s.2 {
            panic!(
                "[every client gets its own answers] {what}: client {} of {adders}: {e}",
                i + 1
            );
        }
    }
    if let Some((i, (_, Some((k, v)), _))) = seen.iter().enumerate().find(|(_, s)| s.1.is_some()) {
        panic!(
            "[every client gets its own answers] {what}: client {} (its counter \"own {tag} {i}\", \
             adding {} each time) got {v} as the reply to its add number {k}, where its counter \
             then held {k} × {} = {} (no other client touches it); {wrong} of {} replies to the \
             adders were not their own. `add` returns the new value of the counter it was asked \
             about, to the client that asked: each connection needs its own way back from the \
             thread that holds the map (a reply Sender sent with each request), not one reply \
             channel all connections take from.",
            i + 1,
            deltas[i],
            deltas[i],
            *k as i64 * deltas[i],
            adders * rounds
        );
    }
    if let Some(e) = read_error {
        panic!("[every client gets its own answers] {what}: get(\"{never}\") failed: {e}");
    }
    assert!(
        zero_misses == 0,
        "[every client gets its own answers] {what}: get(\"{never}\") returned {} in {zero_misses} \
         of {reads} reads, where a counter never set reads 0: a reply must go to the client that \
         asked, and be the value of the counter it asked about.",
        first_miss.unwrap_or_default()
    );
}

/// Dropping the manager ends its process and waits for it; a second
/// manager of the same program, alive meanwhile, is another one and stays.
pub fn dropping_the_manager_leaves_no_process(api: ManagerApi) {
    let manager = start(api);
    let pid = manager.pid();
    let address = manager.address();
    // Two managers of one program at once (round 22's `manager/10` named
    // the socket by the program's pid alone and removed what was there):
    // two sockets, two sets of counters, and dropping one leaves the other
    // as it was.
    let other = start(api);
    let key = "only in the second manager";
    let added = other.connect().and_then(|mut c| c.add(key, 5));
    let first_reads = manager.connect().and_then(|mut c| c.get(key));
    assert!(
        other.address() != address && added == Ok(5) && first_reads == Ok(0),
        "two managers started by one program: the first listens at {}, the second at {}; the \
         second added 5 to {key:?} ({added:?}) and the first read {first_reads:?}. Each \
         `Manager` is a manager of its own, with its own socket and its own counters: the \
         first must read 0.",
        address.display(),
        other.address().display()
    );
    drop(manager);
    let second_reads = other.connect().and_then(|mut c| c.get(key));
    assert!(
        second_reads == Ok(5) && other.address().exists(),
        "after the first of two managers was dropped, the second (socket {}, there: {}) read \
         {key:?} as {second_reads:?}, where it holds 5: dropping a manager ends that one and \
         removes its socket file, never another manager's.",
        other.address().display(),
        other.address().exists()
    );
    drop(other);
    // A manager that fails to start (round 22's `manager/06` killed it and
    // dropped its `Child`, a zombie per failed start): `start` returns an
    // error, and the process it started is waited for first.
    let ends_at_once = Witness::made(&(api.program)(), "exit 3\n", "");
    let before = children_now();
    let result = (api.start)(&ends_at_once.script).map(|m| m.pid());
    let new: Vec<u32> = children_now().difference(&before).copied().collect();
    let left = harness::children::still_ours(&new);
    let what = reaped(&left);
    assert!(
        result.is_err() && left.is_empty(),
        "Manager::start with a program that ends before it says ready returned {result:?}, and \
         {} process(es) it started were left ({what}). A manager that fails to start is an \
         error, and nothing of it outlives `start`: end the process and wait for it before \
         returning the error (a `Child` dropped without `wait` stays a zombie).",
        left.len()
    );
    assert_gone(&[pid], "after the manager was dropped");
    assert!(
        !address.exists(),
        "after the manager was dropped, its socket file {} is still there: Drop must remove it \
         (a socket file outlives the process that bound it)",
        address.display()
    );
}

/// The manager ends by itself when its parent is gone without running
/// `Drop` (killed, aborted): its stdin, the parent's pipe, ends, and a
/// thread that reads stdin to the end then exits the process. Here the
/// manager reads its stdin through a `cat` that the suite kills: once
/// before any client came, once with a client connected.
pub fn the_manager_ends_when_its_stdin_ends(api: ManagerApi) {
    assert!(
        harness::children::available(),
        "this check reads /proc (Linux)"
    );
    // No client ever (round 22's `manager/09` started its stdin watcher
    // when the first client came).
    if let Some((real, gone_after)) = outlives_its_stdin(api, false) {
        panic!(
            "the manager (pid {real}) still ran {} ms after its stdin ended, before any client \
             had connected (it ran on for {gone_after}): a parent may die before it ever \
             connects, and then nothing else ends the manager. Watch stdin from the moment \
             the manager starts, and exit the process at once when it ends.",
            ENDS_WITHIN.as_millis()
        );
    }
    if let Some((real, gone_after)) = outlives_its_stdin(api, true) {
        panic!(
            "the manager (pid {real}) still ran {} ms after its stdin ended, with one client \
             connected (it ran on for {gone_after}): when its parent dies without Drop, nothing \
             else ends it, and a client that stays connected must not keep it alive, nor get a \
             grace period. Start a thread in the manager that reads stdin to the end and then \
             exits the process, at once (the reference is gone within a few milliseconds)",
            ENDS_WITHIN.as_millis()
        );
    }
}

/// Starts a manager through a `cat` that feeds its stdin, with a client
/// served and still connected if `with_client`, kills the `cat`, and
/// returns the manager's pid and how long it ran on if it was still there
/// [`ENDS_WITHIN`] later (`None` if it ended in time).
fn outlives_its_stdin(api: ManagerApi, with_client: bool) -> Option<(u32, String)> {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let cut = Witness::cut(&(api.program)());
    let manager = (api.start)(&cut.script)
        .unwrap_or_else(|e| panic!("Manager::start failed through a wrapper program: {e}"));
    // The `cat` runs beside the manager: it may write its pid a moment
    // after the manager said ready.
    let waiting = std::time::Instant::now();
    while Witness::read_pids(&cut.cat_log).is_empty()
        && waiting.elapsed() < std::time::Duration::from_secs(3)
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let (Some(&real), Some(&cat)) = (cut.pids().first(), Witness::read_pids(&cut.cat_log).first())
    else {
        panic!("the wrapper program did not run the manager")
    };
    // A client served once (so the manager knows of it), connected while
    // the stdin ends.
    let client = with_client.then(|| {
        manager.connect().map(|mut c| {
            let _ = c.get("open");
            c
        })
    });
    let _ = kill(Pid::from_raw(cat as i32), Signal::SIGKILL);
    let cut_at = std::time::Instant::now();
    let alive = || harness::children::stat(real as u32).is_some_and(|s| s.state != 'Z');
    let deadline = cut_at + ENDS_WITHIN;
    while alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let outlived = alive();
    // How long it did run on, for the message (up to 3 s more).
    let gone_after = if outlived {
        let longer = cut_at + std::time::Duration::from_secs(3);
        while alive() && std::time::Instant::now() < longer {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if alive() {
            "more than 3 s".to_owned()
        } else {
            format!("{} ms", cut_at.elapsed().as_millis())
        }
    } else {
        String::new()
    };
    let _ = kill(Pid::from_raw(real as i32), Signal::SIGKILL);
    drop(client);
    drop(manager);
    outlived.then_some((real as u32, gone_after))
}

/// How soon the manager must be gone once its stdin ended: "at once". The
/// reference is gone within about 5 ms.
const ENDS_WITHIN: std::time::Duration = std::time::Duration::from_millis(500);

/// `Manager::start` returns once the manager listens, however long it
/// takes to get there: started through a program that waits 2.5 to 5 s
/// (drawn per run) before it runs the real one, a connection made right
/// after `start` returns must work. A sleep is not a wait for the
/// manager's ready frame, and nor is a wait for it that gives up.
pub fn start_waits_until_the_manager_listens(api: ManagerApi) {
    let tenths = Draw::new().pick(25..=50);
    let delay = format!("{}.{}", tenths / 10, tenths % 10);
    let slow = Witness::slow(&(api.program)(), &delay);
    let began = std::time::Instant::now();
    let cpu_before = harness::clock::thread_cpu_time();
    let manager = (api.start)(&slow.script)
        .unwrap_or_else(|e| panic!("Manager::start failed through a slow program: {e}"));
    let returned = began.elapsed();
    let cpu = harness::clock::thread_cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let connected = manager.connect().and_then(|mut c| c.add("x", 1));
    assert!(
        connected == Ok(1),
        "started through a program that takes {delay} s to begin (drawn this run from 2.5 to \
         5 s), Manager::start returned after {:.1} s and the manager could not be used right \
         after ({connected:?}): start must wait for the manager's ready frame (written once it \
         listens), however long it takes, not guess with a sleep or give up after a while",
        returned.as_secs_f64()
    );
    if let Some(cpu) = cpu {
        assert!(
            cpu <= START_CPU,
            "started through a program that takes {delay} s to begin (drawn this run from 2.5 \
             to 5 s), Manager::start used {} of CPU on the calling thread while it waited (at \
             most {} allowed): it must wait asleep, blocked on the manager's ready frame, not \
             try to connect again and again (or check anything else in a loop) until the \
             manager listens",
            human(cpu),
            human(START_CPU)
        );
    }
    drop(manager);
    // The real manager is the wrapper's child: make sure it is gone.
    for pid in slow.pids() {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// The most CPU `Manager::start`'s calling thread may use while a slow
/// manager gets ready: starting a process costs a few milliseconds; a loop
/// that tries to connect until the manager listens burns the whole wait
/// (round 16's `manager/05`).
const START_CPU: Duration = Duration::from_millis(250);

/// 3 to 8 updaters (drawn per run) of 50 to 200 increments (drawn), the
/// first of them to start failing before its first increment (a fault the
/// test injects in the course's `update`), the others held 500 ms before
/// they start: `run_updaters` must return an error, and only once it has
/// waited for every other updater: when it returns, none of the processes
/// it started may still run or be a zombie. One that returns at the first
/// failure leaves the rest running, then zombies for as long as the
/// parent lives.
pub fn a_failed_updater_is_reported_once_all_are_waited_for(api: ManagerApi) {
    let mut draw = Draw::new();
    let (workers, times) = (draw.pick(FAILING_AMONG), draw.pick(50..=200) as u32);
    let call = format!("run_updaters(program, \"failing\", {workers}, {times})");
    let manager = start(api);
    let witness = Witness::one_fails(&(api.program)(), "0.5");
    let began = std::time::Instant::now();
    let result = manager.run_updaters(&witness.script, "failing", workers, times);
    let took = began.elapsed();
    // The processes run_updaters itself started, as they wrote their pids
    // (a moment for any that was started but had not written it yet).
    std::thread::sleep(std::time::Duration::from_millis(100));
    let kids: Vec<u32> = Witness::read_pids(&witness.kids)
        .into_iter()
        .filter_map(|p| u32::try_from(p).ok())
        .collect();
    let failed = Witness::read_pids(&witness.failed);
    let left = harness::children::still_ours(&kids);
    // Whatever was left: end it and collect it, so that the test leaves
    // nothing behind.
    for s in &left {
        let pid = nix::unistd::Pid::from_raw(s.pid as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(pid, None);
    }
    // What the healthy updaters did: their increments, all of them.
    let counted = manager.connect().and_then(|mut c| c.get("failing"));
    drop(manager);
    let running: Vec<u32> = left
        .iter()
        .filter(|s| s.state != 'Z')
        .map(|s| s.pid)
        .collect();
    let zombies: Vec<u32> = left
        .iter()
        .filter(|s| s.state == 'Z')
        .map(|s| s.pid)
        .collect();
    assert!(
        left.is_empty(),
        "{call} (sizes drawn this run), with updater {failed:?} failing before its first \
         increment and the {} others held 500 ms: it returned {result:?} after {:.2} s, while \
         {} of the {} updater processes it started were not waited for ({} still running: \
         {running:?}; {} zombies: {zombies:?}). run_updaters starts all of them, then waits for \
         every one, even after one of them failed: wait for them all, keep the first error, and \
         return it at the end. A process never waited for stays a zombie.",
        workers - 1,
        took.as_secs_f64(),
        left.len(),
        kids.len(),
        running.len(),
        zombies.len()
    );
    assert!(
        kids.len() == workers && failed.len() == 1,
        "{call} must start `program` {workers} times; {} copies started ({} failing as the test \
         asked)",
        kids.len(),
        failed.len()
    );
    assert!(
        result.is_err(),
        "{call} (sizes drawn this run) returned Ok(()), though updater {failed:?} ended with a \
         failure (the course's `update` failed on a fault the test injected, before its first \
         increment): an updater that fails makes run_updaters return an error, once every other \
         one has been waited for."
    );
    let healthy = (workers as i64 - 1) * i64::from(times);
    assert!(
        counted == Ok(healthy),
        "{call} (sizes drawn this run), with updater {failed:?} failing before its first \
         increment and the {} others held 500 ms: it returned {result:?}, and then the counter \
         read {counted:?}, where the {} healthy updaters' increments make {} × {times} = \
         {healthy}. run_updaters waits for every other updater even after one failed, and lets \
         each do its work: killing the rest after the first failure loses their increments.",
        workers - 1,
        workers - 1,
        workers - 1
    );
}

/// How many updaters [`a_failed_updater_is_reported_once_all_are_waited_for`]
/// and [`an_updater_killed_by_a_signal_is_a_failure`] start, one of them
/// failing.
const FAILING_AMONG: std::ops::RangeInclusive<usize> = 3..=24;

/// `run_updaters` of 3 to 24 updaters (drawn per run) of 10 to 60
/// increments (drawn), the first of them to start killed by a signal
/// (`KILL` or `TERM`, drawn) before it runs the program, as the OOM killer
/// or a crash would end it: an updater ended by a signal ended with a
/// failure, so `run_updaters` must return an error, once every other one
/// has been waited for (none left running or a zombie) and has done its
/// work. `ExitStatus::code()` is `None` for a process a signal ended: one
/// that reads it as 0 reports a killed updater as a success.
pub fn an_updater_killed_by_a_signal_is_a_failure(api: ManagerApi) {
    let mut draw = Draw::new();
    let (workers, times) = (draw.pick(FAILING_AMONG), draw.pick(10..=60) as u32);
    let signal = ["KILL", "TERM"][draw.pick(0..=1)];
    let call = format!("run_updaters(program, \"killed\", {workers}, {times})");
    let manager = start(api);
    let witness = Witness::one_killed(&(api.program)(), signal);
    let result = manager.run_updaters(&witness.script, "killed", workers, times);
    std::thread::sleep(std::time::Duration::from_millis(100));
    let kids: Vec<u32> = Witness::read_pids(&witness.kids)
        .into_iter()
        .filter_map(|p| u32::try_from(p).ok())
        .collect();
    let killed = Witness::read_pids(&witness.failed);
    let left = harness::children::still_ours(&kids);
    let what = reaped(&left);
    let counted = manager.connect().and_then(|mut c| c.get("killed"));
    drop(manager);
    assert!(
        left.is_empty(),
        "{call} (sizes drawn this run), with updater {killed:?} killed by SIG{signal} before its \
         first increment: it returned {result:?} while {} of the {} updater processes it started \
         were not waited for ({what}). run_updaters waits for every one.",
        left.len(),
        kids.len()
    );
    assert!(
        kids.len() == workers && killed.len() == 1,
        "{call} must start `program` {workers} times; {} copies started ({} killed as the test \
         asked)",
        kids.len(),
        killed.len()
    );
    assert!(
        result.is_err(),
        "{call} (sizes drawn this run) returned Ok(()), though updater {killed:?} was killed by \
         SIG{signal} before its first increment: an updater ended by a signal ended with a \
         failure, and makes run_updaters return an error. `ExitStatus::code()` is None for a \
         process a signal ended; `success()` says whether it ended well."
    );
    let healthy = (workers as i64 - 1) * i64::from(times);
    assert!(
        counted == Ok(healthy),
        "{call}, with updater {killed:?} killed by SIG{signal}: the counter read {counted:?}, \
         where the {} other updaters' increments make {healthy}: every other updater is waited \
         for, and does its work",
        workers - 1
    );
}

/// Ends and collects the processes in `left` (a check's leftovers, so that
/// it leaves nothing behind) and says what they were: running or zombies.
fn reaped(left: &[harness::children::Stat]) -> String {
    for s in left {
        let pid = nix::unistd::Pid::from_raw(s.pid as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::wait::waitpid(pid, None);
    }
    left.iter()
        .map(|s| {
            format!(
                "pid {} {}",
                s.pid,
                if s.state == 'Z' {
                    "a zombie"
                } else {
                    "running"
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many updaters [`an_updater_that_cannot_start_is_reported_once_all_are_waited_for`]
/// asks for: more than the limited open files let start.
const UPDATERS_PAST_THE_LIMIT: std::ops::RangeInclusive<usize> = 20..=40;

/// `run_updaters` of 20 to 40 updaters (drawn per run) while this process
/// may open only a few more files, the limit raised one file at a time: the
/// first few updaters start, and a later one cannot (its pipes cannot be
/// made). `run_updaters` must then return an error, once it has waited for
/// every updater it did start: none of them may still run or be a zombie
/// when it returns. One that returns at the failed spawn (a `collect` into
/// a `Result` and `?`) leaves the started ones running, then zombies.
pub fn an_updater_that_cannot_start_is_reported_once_all_are_waited_for(api: ManagerApi) {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let mut draw = Draw::new();
    let (workers, times) = (draw.pick(UPDATERS_PAST_THE_LIMIT), draw.pick(5..=30) as u32);
    let manager = start(api);
    let witness = Witness::kids_logged(&(api.program)());
    one_start_refused(&*manager, &witness, workers, times);
    let earlier = children_now();
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("reading RLIMIT_NOFILE");
    let open = std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count) as u64;
    let mut judged = Vec::new();
    for extra in 0..=64u64 {
        if judged.len() >= 3 {
            break;
        }
        let logged = Witness::read_pids(&witness.kids).len();
        // At least 16: a shell started with fewer cannot open its script.
        let limit = (open.max(16) + extra).min(hard);
        setrlimit(Resource::RLIMIT_NOFILE, limit, hard).expect("lowering RLIMIT_NOFILE");
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            manager.run_updaters(&witness.script, "limited", workers, times)
        }));
        setrlimit(Resource::RLIMIT_NOFILE, soft, hard).expect("restoring RLIMIT_NOFILE");
        let call = format!(
            "run_updaters(program, \"limited\", {workers}, {times}) (sizes drawn this run) with \
             at most {limit} open files in this process"
        );
        let result = match result {
            Ok(result) => result,
            Err(panic) => {
                eprintln!(
                    "{call} panicked: an updater that cannot be started is an error that \
                     run_updaters returns"
                );
                std::panic::resume_unwind(panic)
            }
        };
        // The updaters it started: those whose script logged its pid, or
        // those still this process's children, whichever are more.
        let pids: Vec<u32> = children_now().difference(&earlier).copied().collect();
        let spawned = Witness::read_pids(&witness.kids)
            .len()
            .saturating_sub(logged)
            .max(pids.len());
        let left = harness::children::still_ours(&pids);
        let what = reaped(&left);
        assert!(
            left.is_empty(),
            "{call} returned {result:?} after {spawned} of the {workers} updaters were started; \
             when it returned, {} of them had not been waited for ({what}). An updater that \
             could not start makes run_updaters return an error, once every other one has been \
             waited for: keep the spawn error, wait for every updater that did start, then \
             return it. A `?` on the spawns returns at once, and a process never waited for \
             stays a zombie.",
            left.len()
        );
        if spawned < workers {
            assert!(
                result.is_err(),
                "{call} returned Ok(()), though only {spawned} of the {workers} updaters could \
                 be started: an updater that could not start makes run_updaters return an error"
            );
            if spawned > 0 {
                judged.push(spawned);
            }
        }
    }
    drop(manager);
    assert!(
        !judged.is_empty(),
        "with this process's open files limited to between {} and {}, no call of \
         run_updaters of {workers} updaters started some of them and failed to start the next, \
         so this check could not judge a failed spawn",
        open.max(16),
        open.max(16) + 64
    );
}

/// This process's children now, by pid.
fn children_now() -> std::collections::BTreeSet<u32> {
    harness::children::children_of(std::process::id())
        .iter()
        .map(|s| s.pid)
        .collect()
}

/// One updater's start refused for a moment (`EAGAIN`, as when the
/// user's process limit is reached just then; the test binary stands in
/// for `posix_spawn`), the third of `workers`: the others must all be
/// started and run, and `run_updaters` must return the error once they
/// have (round 20's `manager/03` stopped starting at the first refusal,
/// "starting more would fail too").
fn one_start_refused(manager: &dyn ManagerHandle, witness: &Witness, workers: usize, times: u32) {
    let logged = Witness::read_pids(&witness.kids).len();
    let earlier = children_now();
    let (result, spawns) = harness::spawned::refusing_spawns(
        |n| n == 3,
        || manager.run_updaters(&witness.script, "refused", workers, times),
    );
    if spawns.refused == 0 {
        harness::speedup::not_judged(
            "an_updater_that_cannot_start_is_reported_once_all_are_waited_for",
            &format!(
                "run_updaters started its {workers} updaters without posix_spawn ({} starts \
                 seen), so one start could not be refused",
                spawns.attempts
            ),
        );
        return;
    }
    let call = format!(
        "run_updaters(program, \"refused\", {workers}, {times}), the third start refused for a \
         moment (EAGAIN, as at the user's process limit)"
    );
    let pids: Vec<u32> = children_now().difference(&earlier).copied().collect();
    let left = harness::children::still_ours(&pids);
    assert!(
        left.is_empty(),
        "{call} returned {result:?}; when it returned, {} of the updaters it started had not \
         been waited for ({}). An updater that could not start makes run_updaters return an \
         error, once every other one has been waited for. A `?` on the spawns returns at once, \
         and a process never waited for stays a zombie.",
        left.len(),
        reaped(&left)
    );
    let ran = Witness::read_pids(&witness.kids)
        .len()
        .saturating_sub(logged);
    assert!(
        result.is_err(),
        "{call} returned Ok(()): an updater that could not start makes run_updaters return an \
         error"
    );
    assert!(
        ran == workers - 1 && spawns.attempts >= workers,
        "{call}: {} starts were asked for and {ran} updaters ran, where every one but the \
         refused one must: a refused start is that updater's failure, not a reason to stop \
         starting the others (the next start may well succeed). Start them all, keep the \
         errors, wait for every one that started, then return the error.",
        spawns.attempts
    );
}

/// How many clients [`every_connection_is_served_at_once`] connects at
/// once, drawn per run: past any fixed pool of up to 256 threads (round
/// 16's `manager/01` had 256), and up to 320.
const CLIENTS_AT_ONCE: std::ops::RangeInclusive<usize> = 257..=320;

/// How many connections [`every_connection_is_served_at_once`] holds open
/// at the end, drawn per run: idle ones that ask nothing, then one that
/// asks. Past 1,024, a cap on the connections served at once that a
/// student might pick "so that a flood of clients cannot exhaust the
/// manager's threads" (round 22's `manager/05`).
const CONNECTIONS_IN_ALL: std::ops::RangeInclusive<usize> = 1_025..=1_100;

/// The most [`every_connection_is_served_at_once`] waits for the replies:
/// the manager answers each within milliseconds, and one that never
/// answers a client while another stays connected never does.
const REPLIES_WITHIN: std::time::Duration = std::time::Duration::from_secs(3);

/// 257 to 320 clients (drawn per run: past any fixed pool of 4, 8, 16, 64,
/// 128 or 256 threads) connect to one manager, and each sends `add("open", 1)`
/// from its own thread and waits for the reply, all of them keeping their
/// connections open until every one has replied (or the wait is given up):
/// every one must be answered. A manager that serves one connection until
/// it closes, or a fixed few at a time, leaves the others waiting for as
/// long as those stay open. Then, when this process may open that many
/// files, 1,024 to 1,099 idle connections, and one more that asks: it
/// must be answered too.
pub fn every_connection_is_served_at_once(api: ManagerApi) {
    use std::sync::{PoisonError, RwLock, mpsc};
    let mut draw = Draw::new();
    let n = draw.pick(CLIENTS_AT_ONCE);
    let in_all = draw.pick(CONNECTIONS_IN_ALL);
    // Raised before the manager starts, which inherits the limit.
    let many = crate::fetching::files_for_connections(in_all);
    let manager = start(api);
    // The manager's threads with no client connected, after a first one
    // has come and gone: whatever it starts at its first client is there.
    let pid = manager.pid();
    a_first_client_comes_and_goes(&*manager);
    let threads_before = threads_of(pid);
    let clients: Vec<Box<dyn ClientHandle>> = (0..n)
        .map(|i| {
            manager
                .connect()
                .unwrap_or_else(|e| panic!("connect failed (client {} of {n}): {e}", i + 1))
        })
        .collect();
    // Held by the check while it waits: a client that got its reply keeps
    // its connection open until this is let go.
    let gate = RwLock::new(());
    let (replied, replies) = mpsc::channel();
    let (answered, gave_up, threads_then, manager) = std::thread::scope(|s| {
        let closed = gate.write().unwrap_or_else(PoisonError::into_inner);
        for (i, mut client) in clients.into_iter().enumerate() {
            let (replied, gate) = (replied.clone(), &gate);
            s.spawn(move || {
                let reply = client.add("open", 1);
                let _ = replied.send((i, reply));
                drop(gate.read().unwrap_or_else(PoisonError::into_inner));
                drop(client);
            });
        }
        drop(replied);
        let until = std::time::Instant::now() + REPLIES_WITHIN;
        let mut answered = Vec::new();
        while answered.len() < n {
            let left = until.saturating_duration_since(std::time::Instant::now());
            match replies.recv_timeout(left) {
                Ok(reply) => answered.push(reply),
                Err(_) => break,
            }
        }
        let gave_up = answered.len() < n;
        // Every client answered and still connected: each has its thread.
        let threads_then = threads_of(pid);
        drop(closed);
        // Ending the manager ends the waits of the clients it never
        // answered.
        let manager = if gave_up {
            drop(manager);
            None
        } else {
            Some(manager)
        };
        (answered, gave_up, threads_then, manager)
    });
    let ok: Vec<usize> = answered
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|&(i, _)| i + 1)
        .collect();
    assert!(
        !gave_up,
        "[every connection is served at once] {n} clients connected to one manager, and \
         each sent add(\"open\", 1) and waited for the reply, every client keeping its \
         connection open (the number of clients drawn this run from {} to {}): after {} s, {} of them had a reply (clients {ok:?}). The others waited \
         for as long as those stayed connected: the manager serves one connection until it \
         closes, or a fixed few at a time. Each client connection gets a thread in the manager, \
         which passes its requests to the one thread that holds the map.",
        CLIENTS_AT_ONCE.start(),
        CLIENTS_AT_ONCE.end(),
        REPLIES_WITHIN.as_secs(),
        ok.len()
    );
    // A pool of threads started ahead serves as many connections as it
    // has threads, and the one past it waits (round 20's `manager/01` had
    // 1,024): the kernel's list of the manager's threads shows a thread
    // started for each connection, or none.
    let grew = threads_then.saturating_sub(threads_before);
    assert!(
        grew + 1 >= n,
        "[every connection is served at once] {n} clients connected to one manager and each \
         had its reply, yet the manager process had {threads_then} threads while they were all \
         connected, against {threads_before} with no client (from /proc/{pid}/task): {grew} \
         more for {n} connections. Each client connection gets a thread of its own in the \
         manager, started when the client connects: a pool of threads started ahead serves a \
         fixed number of connections at once, and the client past it waits."
    );
    let mut values: Vec<i64> = Vec::new();
    for (i, reply) in &answered {
        match reply {
            Ok(v) => values.push(*v),
            Err(e) => panic!(
                "[every connection is served at once] client {} of {n}: add(\"open\", 1) \
                 failed: {e}",
                i + 1
            ),
        }
    }
    values.sort_unstable();
    assert!(
        values == (1..=n as i64).collect::<Vec<_>>(),
        "[every connection is served at once] {n} clients each added 1 to a fresh counter \
         at once: the replies were {values:?}, where each add must return the new value, 1 to \
         {n} in some order"
    );
    if many && let Some(manager) = manager {
        one_past_many_idle(&*manager, in_all);
    }
}

/// `in_all - 1` clients connect to `manager` and send nothing, staying
/// connected; one more then sends `add("late", 1)`: it must be answered
/// within [`REPLIES_WITHIN`].
fn one_past_many_idle(manager: &dyn ManagerHandle, in_all: usize) {
    let connect = |what: &str| {
        manager
            .connect()
            .unwrap_or_else(|e| panic!("connect failed ({what} of {in_all}): {e}"))
    };
    let idle: Vec<Box<dyn ClientHandle>> = (1..in_all)
        .map(|i| connect(&format!("client {i}")))
        .collect();
    let mut last = connect("the last client");
    let (replied, reply) = std::sync::mpsc::channel();
    // Not joined: a manager that never answers leaves it blocked until the
    // manager ends with the check.
    std::thread::spawn(move || {
        let _ = replied.send(last.add("late", 1));
    });
    let got = reply.recv_timeout(REPLIES_WITHIN);
    drop(idle);
    match got {
        Ok(Ok(1)) => {}
        Ok(Ok(v)) => panic!(
            "[every connection is served at once] add(\"late\", 1) on a fresh counter returned \
             {v}, not 1"
        ),
        Ok(Err(e)) => panic!(
            "[every connection is served at once] {} clients connected to one manager and sent \
             nothing; one more then sent add(\"late\", 1), which failed: {e}",
            in_all - 1
        ),
        Err(_) => panic!(
            "[every connection is served at once] {} clients connected to one manager and sent \
             nothing, staying connected (the number drawn this run from {} to {}); one more \
             then sent add(\"late\", 1) and had no reply within {} s: the manager serves at \
             most so many connections at once, and the one past them waits for one of the \
             others to close. Each client connection gets a thread in the manager, however \
             many clients there are.",
            in_all - 1,
            CONNECTIONS_IN_ALL.start() - 1,
            CONNECTIONS_IN_ALL.end() - 1,
            REPLIES_WITHIN.as_secs()
        ),
    }
}

/// How many short connections [`thousands_of_connections_are_all_served`]
/// makes, drawn per run: a log line of 16 bytes or more per connection
/// fills a 64 KiB pipe within 4 096, and one of a single byte fills a pipe
/// of [`harness::pipes::SMALL_PIPE`] bytes.
const SHORT_CONNECTIONS: std::ops::RangeInclusive<usize> = 4_500..=7_000;

/// How long [`thousands_of_connections_are_all_served`] waits for one more
/// connection to be answered: the reference answers one in well under a
/// millisecond.
const STALLED_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// 4 500 to 7 000 short connections (drawn per run), one after another,
/// each an `add("many", 1)` and a hang-up: every one must be answered, with
/// the counter's new value. A manager that stops accepting after a few
/// thousand (it writes a line per connection to a stderr that is a pipe
/// nobody reads, and blocks once the pipe is full) leaves every later
/// client waiting; a pipe the test holds the other end of is first given
/// a single page (round 16's `manager/04` wrote 7 bytes per connection).
pub fn thousands_of_connections_are_all_served(api: ManagerApi) {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let n = Draw::new().pick(SHORT_CONNECTIONS);
    let manager = start(api);
    let pid = manager.pid();
    // A pipe the test holds the other end of, if the manager writes to
    // one, is given the size the kernel gives a user who holds many.
    let shrunk = harness::pipes::shrink(pid, &[1, 2]);
    let (served, finished, stalled) = (
        AtomicUsize::new(0),
        AtomicBool::new(false),
        AtomicBool::new(false),
    );
    let outcome = std::thread::scope(|s| {
        // A watcher ends the manager when no connection was answered for
        // a while: that ends the wait of the client it never answered.
        s.spawn(|| {
            let (mut last, mut since) = (0, std::time::Instant::now());
            while !finished.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(20));
                let now = served.load(Ordering::SeqCst);
                if now != last {
                    (last, since) = (now, std::time::Instant::now());
                } else if since.elapsed() > STALLED_AFTER {
                    stalled.store(true, Ordering::SeqCst);
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(pid as i32),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                    return;
                }
            }
        });
        let outcome = (|| -> Result<(), String> {
            for i in 1..=n {
                let mut client = manager
                    .connect()
                    .map_err(|e| format!("connection {i} of {n} could not connect: {e}"))?;
                match client.add("many", 1) {
                    Ok(v) if v == i as i64 => {}
                    Ok(v) => {
                        return Err(format!(
                            "connection {i} of {n}: add(\"many\", 1) gave {v}, where the counter \
                             then held {i}"
                        ));
                    }
                    Err(e) => return Err(format!("connection {i} of {n}: add failed: {e}")),
                }
                served.store(i, Ordering::SeqCst);
            }
            Ok(())
        })();
        finished.store(true, Ordering::SeqCst);
        outcome
    });
    let stalled = stalled.load(Ordering::SeqCst);
    let done = served.load(Ordering::SeqCst);
    drop(manager);
    assert!(
        !stalled,
        "[thousands of connections are all served] {n} short connections, one after another, \
         each add(\"many\", 1) then a hang-up (the number drawn this run from 4500 to 7000): \
         {done} were answered, and connection {} then waited {} s with no reply. The manager \
         serves every connection over its life: each one gets a thread. A manager that stops \
         accepting after a few thousand is blocked somewhere, often writing a line per \
         connection to a stderr that is a pipe nobody reads (64 KiB fill, then every write \
         waits): leave the manager's stderr as it is (inherited), or read what you pipe.{}",
        done + 1,
        STALLED_AFTER.as_secs(),
        if shrunk.is_empty() {
            String::new()
        } else {
            format!(
                " (The manager's descriptor(s) {shrunk:?} are pipes this process holds the \
                 other end of; the test gave them {} bytes, the size the kernel gives a user's \
                 new pipes once the user holds many: a line of one byte per connection fills \
                 one within 4 096.)",
                harness::pipes::SMALL_PIPE
            )
        }
    );
    if let Err(e) = outcome {
        panic!("[thousands of connections are all served] {e}");
    }
}

/// A manager that reads a request and hangs up without a reply (the suite
/// takes over the manager's socket path, and plays that manager): `add`
/// and `get` must each fail, never return a value; and so must one whose
/// manager hangs up before it reads. A client that reads "no reply" as 0
/// counts an increment the manager never made.
pub fn a_manager_that_hangs_up_is_an_error(api: ManagerApi) {
    use std::io::Read;
    use std::os::unix::net::UnixListener;
    let mut draw = Draw::new();
    let key = format!("hung up {}", draw.pick(0..=999_999));
    let delta = draw.pick(1..=999) as i64;
    let manager = start(api);
    let address = manager.address();
    // The real manager keeps running, listening on a socket file no longer
    // there; the suite's listener has its path.
    let _ = std::fs::remove_file(&address);
    let fake = UnixListener::bind(&address)
        .unwrap_or_else(|e| panic!("binding a fake manager at {}: {e}", address.display()));
    // What the fake does with each connection, and whether it reads the
    // request first.
    let cases: [(&str, bool); 3] = [
        ("read its `add` request and hung up without a reply", true),
        ("read its `get` request and hung up without a reply", true),
        ("hung up without reading its `add` request", false),
    ];
    let wrong = std::thread::scope(|s| {
        let playing = s.spawn(|| {
            // Never waits long: a client that panicked never comes.
            let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
            let _ = fake.set_nonblocking(true);
            for (_, reads) in cases {
                let mut connection = loop {
                    match fake.accept() {
                        Ok((connection, _)) => break connection,
                        Err(_) if std::time::Instant::now() < until => {
                            std::thread::sleep(std::time::Duration::from_millis(2));
                        }
                        Err(_) => return,
                    }
                };
                let _ = connection.set_nonblocking(false);
                let _ = connection.set_read_timeout(Some(std::time::Duration::from_secs(1)));
                if reads {
                    // The frame: a 4-byte length, then that many bytes.
                    let mut prefix = [0u8; 4];
                    if connection.read_exact(&mut prefix).is_ok() {
                        let mut body = vec![0u8; u32::from_le_bytes(prefix) as usize];
                        let _ = connection.read_exact(&mut body);
                    }
                }
                drop(connection);
            }
        });
        let mut wrong = None;
        for (i, (how, _)) in cases.iter().enumerate() {
            let mut client = match manager.connect() {
                Ok(client) => client,
                Err(e) => {
                    wrong = Some(format!("connect to a (fake) manager failed: {e}"));
                    break;
                }
            };
            let (call, result) = if i == 1 {
                (format!("get({key:?})"), client.get(&key))
            } else {
                (format!("add({key:?}, {delta})"), client.add(&key, delta))
            };
            if let Ok(v) = result {
                wrong = Some(format!(
                    "[a manager that hangs up is an error] {call} on a connection whose manager \
                     {how} returned Ok({v}): the manager never answered, so there is no value \
                     to return. A request the manager never answered is an error (the manager \
                     hung up), never a value: `add` returns the counter's new value, and 0 is \
                     a value no counter had here."
                ));
                break;
            }
        }
        // The fake's accepts that no client came for.
        while !playing.is_finished() {
            let _ = std::os::unix::net::UnixStream::connect(&address);
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = playing.join();
        wrong
    });
    if let Some(wrong) = wrong {
        drop(fake);
        drop(manager);
        panic!("{wrong}");
    }
    drop(fake);
    drop(manager);
}

/// One client connects, adds, and hangs up; then 100 ms for its thread to
/// end: whatever a manager starts at its first client is there after.
fn a_first_client_comes_and_goes(manager: &dyn ManagerHandle) {
    let mut first = manager
        .connect()
        .unwrap_or_else(|e| panic!("connect failed: {e}"));
    let _ = first.add("warm", 1);
    drop(first);
    std::thread::sleep(std::time::Duration::from_millis(100));
}

/// How many threads process `pid` has now (Linux's `/proc/<pid>/task`; 0
/// when it cannot be read).
fn threads_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, Iterator::count)
}

/// Voluntary and involuntary context switches of each thread of process
/// `pid`, by thread id (Linux's `/proc/<pid>/task/<tid>/status`).
fn switches_by_thread(pid: u32) -> std::collections::BTreeMap<u32, u64> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Default::default();
    };
    tasks
        .filter_map(|t| {
            let tid: u32 = t.ok()?.file_name().to_str()?.parse().ok()?;
            let status = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/status")).ok()?;
            let switches = status
                .lines()
                .filter(|l| l.contains("ctxt_switches"))
                .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
                .sum();
            Some((tid, switches))
        })
        .collect()
}

/// One client makes 300 to 800 requests (drawn per run), one after
/// another on its connection, then hangs up: the manager's threads are
/// read from `/proc/<pid>/task` before it connected and after it left.
/// Every request goes to the one thread that holds the map, so a thread
/// that was there before the client came and is still there after it left
/// must have woken for its requests (its context switches, as the kernel
/// counts them, at least half as many as the requests). A manager whose
/// connection threads apply the requests themselves, under a lock on a
/// shared map, has no such thread: the accepting thread wakes once, the
/// stdin watcher never.
pub fn every_request_goes_to_the_thread_that_holds_the_map(api: ManagerApi) {
    let requests = Draw::new().pick(300..=800);
    let manager = start(api);
    let pid = manager.pid();
    // One connection first, gone before the count starts: whatever a
    // manager starts at its first client is there already.
    a_first_client_comes_and_goes(&*manager);
    let before = switches_by_thread(pid);
    let mut client = manager
        .connect()
        .unwrap_or_else(|e| panic!("connect failed: {e}"));
    for i in 0..requests {
        // Three gets to an add: a manager whose connection threads answer
        // gets themselves, from a copy the owner publishes, and pass only
        // adds on (round 20's `manager/04`), wakes its owner for a
        // quarter of them.
        let result = if i % 4 == 0 {
            client.add("owned", 1)
        } else {
            client.get("owned")
        };
        if let Err(e) = result {
            panic!("request {} of {requests} failed: {e}", i + 1);
        }
    }
    drop(client);
    // The connection's thread ends once the client hung up.
    let until = std::time::Instant::now() + std::time::Duration::from_millis(500);
    while switches_by_thread(pid)
        .keys()
        .any(|t| !before.contains_key(t))
        && std::time::Instant::now() < until
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let after = switches_by_thread(pid);
    drop(manager);
    let woke: Vec<(u32, u64)> = before
        .iter()
        .filter_map(|(tid, was)| Some((*tid, after.get(tid)?.saturating_sub(*was))))
        .collect();
    let most = woke.iter().map(|&(_, n)| n).max().unwrap_or(0);
    // Every request wakes the owner, which sleeps between them (the client
    // waits for each reply before it sends the next); a few may find it
    // not yet asleep.
    assert!(
        most as usize * 5 >= requests * 4,
        "[every request goes to the one thread that holds the map] one client made {requests} \
         requests on its connection, three gets to an add (drawn this run from 300 to 800), \
         then hung up. Of the manager's threads that were there before it connected and still \
         there after it left ({} of them), none woke for each of its requests: the most any \
         switched was {most} times, where four in five of the requests pass (per thread: \
         {woke:?}, from /proc/{pid}/task/*/status). Every request, a get as much as an add, \
         goes to the one thread that holds the map, which outlives the connections: each \
         connection's thread passes its requests on (a channel) and waits for the reply; it \
         does not apply them itself under a lock on a shared map, nor answer from a copy.",
        before.len()
    );
}

crate::declare_suite!($ manager: ManagerApi = manager_adapter! [
    a_child_changes_only_its_copy,
    a_big_list_comes_back_whole,
    updates_from_many_processes_are_all_counted,
    a_failed_updater_is_reported_once_all_are_waited_for,
    an_updater_that_cannot_start_is_reported_once_all_are_waited_for,
    an_updater_killed_by_a_signal_is_a_failure,
    a_child_without_an_answer_is_waited_for_too,
    the_manager_owns_the_state,
    a_manager_that_hangs_up_is_an_error,
    every_client_gets_its_own_answers,
    dropping_the_manager_leaves_no_process,
    start_waits_until_the_manager_listens,
    the_manager_ends_when_its_stdin_ends,
    every_connection_is_served_at_once,
    thousands_of_connections_are_all_served,
    every_request_goes_to_the_thread_that_holds_the_map,
    nothing_polls_or_waits_by_the_clock,
]);

/// The manager's code as the suite calls it: the role's `run`, and the
/// parent's `start`, `run_updaters` and `in_a_child`.
pub const MANAGER_CODE: &[&str] = &["run", "start", "run_updaters", "in_a_child"];

/// A source witness: one right start, then what `run`, `start`,
/// `run_updaters` and `in_a_child` reach in `src/lib.rs` must call nothing
/// that sleeps, waits with a time-out, checks without waiting or reads the
/// clock ([`crate::polls::refuse_calls_from`]). A grace period before the
/// manager ends, a wait for the ready frame that gives up after a while,
/// updaters polled with `try_wait` and killed after some seconds: each
/// stays inside what a timed check can see (round 13, `manager/01`, `03`
/// and `05`), and the source shows it.
pub fn nothing_polls_or_waits_by_the_clock(api: ManagerApi) {
    let manager = start(api);
    drop(manager);
    crate::polls::refuse_calls_from(
        "nothing polls or waits by the clock",
        api.code,
        None,
        "The page promises that the manager ends at once when its stdin ends, that `start` \
         waits for the ready frame however long the program takes, and that `run_updaters` \
         waits for every updater, each of which has done its work, not been killed. Each \
         wait is a blocking one: a read that returns at the end of the pipe, `wait()` on \
         each child. Nothing here needs a clock.",
    );
}
