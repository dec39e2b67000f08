//! Suite of `exercises/processes/manager`: processes don't share memory.
//!
//! A child changes its copy and the parent's data stays as it was; the
//! child's work comes back only as a message (with the child's pid as the
//! witness that another process did it). State that several processes
//! update lives in one manager process: updates from many updater processes
//! at once are all counted, a value one client sets is what another reads,
//! and dropping the manager leaves no process behind.

use std::path::{Path, PathBuf};

use crate::fetching::Draw;
use crate::gone::assert_gone;

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
    /// Made by the first copy of a `gathered` script that stopped waiting
    /// for the others: the rest then wait no more.
    gave_up: PathBuf,
}

impl Witness {
    /// A witness whose copies each log, to `times`, when they started, then
    /// wait until `n` copies have started before they run the program (or
    /// until about `within` seconds have passed since, and then no copy
    /// waits any more), and log when the program ended: started all at
    /// once, the `n` copies all run at the same moment, however long each
    /// one's start takes; started a few at a time, the first few wait in
    /// vain, once.
    fn gathered(real: &Path, n: usize, within: f64) -> Witness {
        // Ticks of 20 ms (a loaded machine only makes each longer).
        let ticks = (within / 0.02).ceil() as u64;
        Witness::made(
            real,
            &format!(
                "echo \"start $(date +%s%N)\" >> TIMES\nwaited=0\n\
                 while [ \"$(grep -c start TIMES)\" -lt {n} ] && [ ! -e GAVE_UP ]; do\n\
                 if [ $waited -ge {ticks} ]; then : > GAVE_UP; break; fi\n\
                 sleep 0.02\nwaited=$((waited + 1))\ndone\n"
            ),
            "",
        )
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
        let gave_up = base.with_extension("gaveup");
        // The files the parts name, by the words they name them with.
        let files = [
            ("TIMES", &times),
            ("CAT_LOG", &cat_log),
            ("SENT", &sent),
            ("RECEIVED", &received),
            ("KIDS", &kids),
            ("FAULT_MARK", &mark),
            ("FAILED_PID", &failed),
            ("GAVE_UP", &gave_up),
        ];
        let named = |part: &str| {
            files.iter().fold(part.to_owned(), |part, (word, file)| {
                part.replace(word, &quote(file))
            })
        };
        let text = format!(
            "#!/bin/sh\n{}={}\nexport {}\n{}{}sh -c 'echo $$ >> \"$0\"; exec \"$@\"' {} {} \"$@\"{}\n\
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
            gave_up,
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
        let _ = std::fs::remove_file(&self.gave_up);
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

/// How long a copy of a [`Witness::gathered`] script waits for the others
/// to start: `run_updaters` that starts them all at once starts 20 within
/// milliseconds.
const GATHER_WITHIN: f64 = 1.5;

/// Two calls of `run_updaters`, sizes drawn per run: 2 to 8 updaters of
/// 100 to 300 increments each, then 9 to 20 updaters of 10 to 40 (past any
/// batch of 8 a "not too many at once" might start). In each, all the
/// updaters must run at once, each its own process, and the manager's
/// counter must be the sum. A counter kept in each process would show 0
/// or one updater's share.
pub fn updates_from_many_processes_are_all_counted(api: ManagerApi) {
    let mut draw = Draw::new();
    let calls = [
        (draw.pick(2..=8), draw.pick(100..=300) as u32),
        (draw.pick(9..=20), draw.pick(10..=40) as u32),
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
    let witness = Witness::gathered(&(api.program)(), workers, GATHER_WITHIN);
    manager
        .run_updaters(&witness.script, key, workers, times)
        .unwrap_or_else(|e| panic!("{call} failed: {e}"));
    let ran = witness.pids();
    let distinct: std::collections::BTreeSet<i64> = ran.iter().copied().collect();
    assert!(
        distinct.len() == workers && !distinct.contains(&i64::from(std::process::id())),
        "{call} must start `program` {workers} times, one updater process each; the program ran \
         in {} process(es) ({ran:?}). The updates must come from other processes, sent to the \
         manager, not be made by the parent (sizes drawn this run: {drawn})",
        distinct.len()
    );
    // Each copy of the witness waits until all of them have started (or
    // GATHER_WITHIN has passed) before it runs the program: copies started
    // together all overlap, however fast the updates are.
    let together = witness.most_at_once();
    assert!(
        together == workers,
        "{call} did not run its {workers} updater processes all at once: at most {together} of \
         {workers} were running at any moment (each was held until all {workers} had started, \
         or {GATHER_WITHIN} s had passed; sizes drawn this run: {drawn}). Start all of them, \
         then wait for all of them, however many: the manager is there to take updates from \
         many processes at once."
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

/// Dropping the manager ends its process and waits for it.
pub fn dropping_the_manager_leaves_no_process(api: ManagerApi) {
    let manager = start(api);
    let pid = manager.pid();
    let address = manager.address();
    drop(manager);
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
/// manager reads its stdin through a `cat` that the suite kills.
pub fn the_manager_ends_when_its_stdin_ends(api: ManagerApi) {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    assert!(
        harness::children::available(),
        "this check reads /proc (Linux)"
    );
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
    // A client stays connected meanwhile, served once (so the manager
    // knows of it): the manager ends all the same.
    let client = manager.connect().map(|mut c| {
        let _ = c.get("open");
        c
    });
    let _ = kill(Pid::from_raw(cat as i32), Signal::SIGKILL);
    let alive = || harness::children::stat(real as u32).is_some_and(|s| s.state != 'Z');
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let outlived = alive();
    let _ = kill(Pid::from_raw(real as i32), Signal::SIGKILL);
    drop(client);
    drop(manager);
    assert!(
        !outlived,
        "the manager (pid {real}) still ran 3 s after its stdin ended, with one client \
         connected: when its parent dies without Drop, nothing else ends it, and a client \
         that stays connected must not keep it alive. Start a thread in the manager that \
         reads stdin to the end and then exits the process, at once"
    );
}

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
    let manager = (api.start)(&slow.script)
        .unwrap_or_else(|e| panic!("Manager::start failed through a slow program: {e}"));
    let returned = began.elapsed();
    let connected = manager.connect().and_then(|mut c| c.add("x", 1));
    assert!(
        connected == Ok(1),
        "started through a program that takes {delay} s to begin (drawn this run from 2.5 to \
         5 s), Manager::start returned after {:.1} s and the manager could not be used right \
         after ({connected:?}): start must wait for the manager's ready frame (written once it \
         listens), however long it takes, not guess with a sleep or give up after a while",
        returned.as_secs_f64()
    );
    drop(manager);
    // The real manager is the wrapper's child: make sure it is gone.
    for pid in slow.pids() {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

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
    let (workers, times) = (draw.pick(3..=8), draw.pick(50..=200) as u32);
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
}

/// How many clients [`every_connection_is_served_at_once`] connects at
/// once, drawn per run: past any fixed pool of up to 16 threads, and into
/// the dozens.
const CLIENTS_AT_ONCE: std::ops::RangeInclusive<usize> = 17..=48;

/// The most [`every_connection_is_served_at_once`] waits for the replies:
/// the manager answers each within milliseconds, and one that never
/// answers a client while another stays connected never does.
const REPLIES_WITHIN: std::time::Duration = std::time::Duration::from_secs(3);

/// 17 to 48 clients (drawn per run: past any fixed pool of 4, 8, 12 or 16
/// threads) connect to one manager, and each sends `add("open", 1)`
/// from its own thread and waits for the reply, all of them keeping their
/// connections open until every one has replied (or the wait is given up):
/// every one must be answered. A manager that serves one connection until
/// it closes, or a fixed few at a time, leaves the others waiting for as
/// long as those stay open.
pub fn every_connection_is_served_at_once(api: ManagerApi) {
    use std::sync::{PoisonError, RwLock, mpsc};
    let n = Draw::new().pick(CLIENTS_AT_ONCE);
    let manager = start(api);
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
    let (answered, gave_up) = std::thread::scope(|s| {
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
        drop(closed);
        if gave_up {
            // Ending the manager ends the waits of the clients it never
            // answered.
            drop(manager);
        }
        (answered, gave_up)
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
         connection open (the number of clients drawn this run from 17 to 48): after {} s, {} of them had a reply (clients {ok:?}). The others waited \
         for as long as those stayed connected: the manager serves one connection until it \
         closes, or a fixed few at a time. Each client connection gets a thread in the manager, \
         which passes its requests to the one thread that holds the map.",
        REPLIES_WITHIN.as_secs(),
        ok.len()
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
}

crate::declare_suite!($ manager: ManagerApi = manager_adapter! [
    a_child_changes_only_its_copy,
    a_big_list_comes_back_whole,
    updates_from_many_processes_are_all_counted,
    a_failed_updater_is_reported_once_all_are_waited_for,
    the_manager_owns_the_state,
    every_client_gets_its_own_answers,
    dropping_the_manager_leaves_no_process,
    start_waits_until_the_manager_listens,
    the_manager_ends_when_its_stdin_ends,
    every_connection_is_served_at_once,
]);
