//! Suite of `exercises/processes/manager`: processes don't share memory.
//!
//! A child changes its copy and the parent's data stays as it was; the
//! child's work comes back only as a message (with the child's pid as the
//! witness that another process did it). State that several processes
//! update lives in one manager process: updates from many updater processes
//! at once are all counted, a value one client sets is what another reads,
//! and dropping the manager leaves no process behind.

use std::path::{Path, PathBuf};

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
}

impl Witness {
    /// A witness that also logs, to `times`, when each copy of the script
    /// started (then sleeps `hold` seconds before it runs the program) and
    /// when the program ended, in nanoseconds: so the suite sees how many
    /// ran at once, whatever each one's work costs.
    fn timed(real: &Path, hold: &str) -> Witness {
        Witness::made(
            real,
            &format!("echo \"start $(date +%s%N)\" >> TIMES\nsleep {hold}\n"),
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

    /// A witness that keeps a copy of what the program writes to its
    /// stdout in `sent`: what a child really sent back.
    fn teed(real: &Path) -> Witness {
        Witness::made_with(real, "", "", " | tee SENT")
    }

    /// What a `teed` copy sent on its stdout, as one frame of numbers.
    fn sent_numbers(&self) -> Option<Vec<i64>> {
        let bytes = std::fs::read(&self.sent).ok()?;
        frames_solution::FrameReader::new(&bytes[..], 1 << 20)
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
        let text = format!(
            "#!/bin/sh\n{}={}\nexport {}\n{}{}sh -c 'echo $$ >> \"$0\"; exec \"$@\"' {} {} \"$@\"{}\n\
             status=$?\necho \"end $(date +%s%N)\" >> {}\nexit $status\n",
            harness::census::CENSUS_VAR,
            quote(&census),
            harness::census::CENSUS_VAR,
            before.replace("TIMES", &quote(&times)),
            feed.replace("CAT_LOG", &quote(&cat_log)),
            quote(&log),
            quote(real),
            after.replace("SENT", &quote(&sent)),
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
    }
}

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
    // only that process knows.
    let witness = Witness::teed(&(api.program)());
    let answer = (api.in_a_child)(&witness.script, &[5, 7])
        .unwrap_or_else(|e| panic!("in_a_child failed through a wrapper program: {e}"));
    let ran = witness.pids();
    let sent = witness.sent_numbers();
    assert!(
        sent.as_deref() == Some(&answer[..]),
        "in_a_child(program, [5, 7]) returned {answer:?}, but the child sent back {}: only what \
         the child sends back counts. The changed copy is made in the child (the parent only \
         sends its list and reads the answer), and returned as the child sent it.",
        sent.map_or("no list".to_owned(), |s| format!("{s:?}"))
    );
    assert!(
        answer.len() == 3 && answer[..2] == [10, 14] && ran.len() == 1 && answer[2] == ran[0],
        "in_a_child(program, [5, 7]) must return exactly what the child sent back: its doubled \
         copy and its own pid. Run through a program that starts the real one as its child (pid \
         {ran:?}), it returned {answer:?}: the answer must be read from the child's stdout, not \
         computed in the parent (the parent cannot know which process did the work)"
    );
}

/// 4 updater processes, 200 increments each, all at once: the manager's
/// counter is 800. A counter kept in each process would show 0 or 200.
pub fn updates_from_many_processes_are_all_counted(api: ManagerApi) {
    let manager = start(api);
    // The updaters run the program through a script that logs the pid of
    // each process that really ran it.
    let witness = Witness::timed(&(api.program)(), "0.2");
    manager
        .run_updaters(&witness.script, "hits", 4, 200)
        .unwrap_or_else(|e| panic!("run_updaters failed: {e}"));
    let ran = witness.pids();
    let distinct: std::collections::BTreeSet<i64> = ran.iter().copied().collect();
    assert!(
        distinct.len() == 4 && !distinct.contains(&i64::from(std::process::id())),
        "run_updaters(program, \"hits\", 4, 200) must start `program` 4 times, one updater \
         process each; the program ran in {} process(es) ({ran:?}). The updates must come from \
         other processes, sent to the manager, not be made by the parent",
        distinct.len()
    );
    // Each copy of the witness waits 200 ms before it runs the program, so
    // copies started together overlap, however fast the updates are.
    let together = witness.most_at_once();
    assert!(
        together == 4,
        "run_updaters(program, \"hits\", 4, 200) did not run its 4 updater processes all at \
         once: at most {together} were running at any moment (each was held 200 ms before its \
         first update, so updaters started together overlap). Start all of them, then wait \
         for all of them: the manager is there to take updates from many processes at once."
    );
    let sent = witness.adds_by(&ran);
    assert!(
        sent == 800,
        "run_updaters(program, \"hits\", 4, 200): the updater processes sent {sent} increments \
         to the manager between them (the course's `update` records each one it sends), where \
         4 × 200 = 800 were asked for. The updates come from the updater processes, sent to \
         the manager: the parent makes none of them."
    );
    let mut client = manager
        .connect()
        .unwrap_or_else(|e| panic!("connect failed: {e}"));
    let hits = client
        .get("hits")
        .unwrap_or_else(|e| panic!("get failed: {e}"));
    assert_eq!(
        hits, 800,
        "4 updater processes added 1 to `hits` 200 times each through the manager, so it must \
         hold 800; it holds {hits}, so updates were lost. Each add must be applied in the manager \
         as one step, reading and writing the counter together (one owner thread, or one lock \
         held across the read and the write): a read under one lock and a write under another \
         lets two connections write the same old value plus one"
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
/// takes to get there: started through a program that waits 1.2 s before
/// it runs the real one, a connection made right after `start` returns
/// must work. A pool of guesses (a short sleep) is not a wait for the
/// manager's ready frame.
pub fn start_waits_until_the_manager_listens(api: ManagerApi) {
    let slow = Witness::slow(&(api.program)(), "1.2");
    let manager = (api.start)(&slow.script)
        .unwrap_or_else(|e| panic!("Manager::start failed through a slow program: {e}"));
    let connected = manager.connect().and_then(|mut c| c.add("x", 1));
    assert!(
        connected == Ok(1),
        "started through a program that takes 1.2 s to begin, the manager could not be used \
         right after Manager::start returned ({connected:?}): start must wait for the manager's \
         ready frame (written once it listens), not guess with a sleep"
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

/// Clients of [`every_connection_is_served_at_once`], all connected at
/// once.
const CLIENTS: usize = 13;

/// The most [`every_connection_is_served_at_once`] waits for the replies:
/// the manager answers each within milliseconds, and one that never
/// answers a client while another stays connected never does.
const REPLIES_WITHIN: std::time::Duration = std::time::Duration::from_secs(3);

/// Thirteen clients (past any fixed few threads: 4, 8, 10, 12) connect to
/// one manager, and each sends `add("open", 1)`
/// from its own thread and waits for the reply, all of them keeping their
/// connections open until every one has replied (or the wait is given up):
/// every one must be answered. A manager that serves one connection until
/// it closes, or a fixed few at a time, leaves the others waiting for as
/// long as those stay open.
pub fn every_connection_is_served_at_once(api: ManagerApi) {
    use std::sync::{PoisonError, RwLock, mpsc};
    let manager = start(api);
    let clients: Vec<Box<dyn ClientHandle>> = (0..CLIENTS)
        .map(|i| {
            manager
                .connect()
                .unwrap_or_else(|e| panic!("connect failed (client {} of {CLIENTS}): {e}", i + 1))
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
        while answered.len() < CLIENTS {
            let left = until.saturating_duration_since(std::time::Instant::now());
            match replies.recv_timeout(left) {
                Ok(reply) => answered.push(reply),
                Err(_) => break,
            }
        }
        let gave_up = answered.len() < CLIENTS;
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
        "[every connection is served at once] {CLIENTS} clients connected to one manager, and \
         each sent add(\"open\", 1) and waited for the reply, every client keeping its \
         connection open: after {} s, {} of them had a reply (clients {ok:?}). The others waited \
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
                "[every connection is served at once] client {} of {CLIENTS}: add(\"open\", 1) \
                 failed: {e}",
                i + 1
            ),
        }
    }
    values.sort_unstable();
    assert!(
        values == (1..=CLIENTS as i64).collect::<Vec<_>>(),
        "[every connection is served at once] {CLIENTS} clients each added 1 to a fresh counter \
         at once: the replies were {values:?}, where each add must return the new value, 1 to \
         {CLIENTS} in some order"
    );
}

crate::declare_suite!($ manager: ManagerApi = manager_adapter! [
    a_child_changes_only_its_copy,
    updates_from_many_processes_are_all_counted,
    the_manager_owns_the_state,
    dropping_the_manager_leaves_no_process,
    start_waits_until_the_manager_listens,
    the_manager_ends_when_its_stdin_ends,
    every_connection_is_served_at_once,
]);
