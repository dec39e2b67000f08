//! Running a student's test executable under limits, and making sure
//! nothing it started outlives it.
//!
//! Always: its own process group, a wall-time limit, an output cap (the
//! pipes are read with a cap; past it the run is killed), a private working
//! folder, an empty environment but for what the suite needs, and SIGKILL
//! to the whole group at the end.
//!
//! When the grader runs as root, also: the executable runs as `nobody`
//! (`setpriv`) with `RLIMIT_NPROC` set (`prlimit`; the kernel counts
//! threads as well as processes, per user, so the cap leaves room for
//! legitimate pools and stops a fork or thread bomb), in a network namespace
//! whose only interface is loopback (`unshare --net`, `ip link set lo up`),
//! and in a PID namespace with its own /proc (`unshare --pid --fork
//! --kill-child --mount-proc`): when its
//! first process dies the kernel kills every other process in it, even ones
//! that left the process group with `setsid`. Afterwards every process
//! still in that namespace is looked for in `/proc`, killed and counted.
//!
//! Without root these extra limits are reported as not enforced; nothing
//! fails for their absence.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::{Pid, Uid};

use crate::results::{self, Record};
use course::Grading;

/// The user a sandboxed suite runs as.
pub const NOBODY: u32 = 65534;

/// Fails, saying why and what to do, when `nobody` cannot reach `dir`: a
/// folder above it that others may not enter (mode 0700, as root's home
/// folder is) would make every suite that starts a program fail as if the
/// student's code were wrong.
pub fn reachable_by_nobody(dir: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mut blocked = Vec::new();
    for above in dir.ancestors().skip(1) {
        let meta = std::fs::metadata(above)
            .with_context(|| format!("reading the mode of {}", above.display()))?;
        let others_enter = meta.mode() & 0o001 != 0;
        if !others_enter && meta.uid() != NOBODY {
            blocked.push(format!(
                "{} (mode {:o})",
                above.display(),
                meta.mode() & 0o7777
            ));
        }
    }
    if blocked.is_empty() {
        return Ok(());
    }
    bail!(
        "the sandbox's folder {} lies below {}, which the user `nobody` may not enter, so no \
         suite could run there: set TMPDIR to a folder every user may enter (for example \
         TMPDIR=/tmp) and grade again",
        dir.display(),
        blocked.join(", ")
    )
}

/// Exit code of the sandbox's own set-up failing (not the student's code).
const SETUP_FAILED: i32 = 97;

/// How suites are run.
#[derive(Clone, Debug)]
pub struct Sandbox {
    /// Run as `nobody`, with `RLIMIT_NPROC`, loopback only, own PID
    /// namespace (needs root).
    pub isolate: bool,
    /// Kill past this many bytes of output; `None`: no cap (the student's
    /// own progress view).
    pub output_bytes: Option<u64>,
    /// `RLIMIT_NPROC` when isolated.
    pub max_tasks: u64,
    /// Why isolation is off, when it was asked for.
    pub not_isolated_because: Option<String>,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The process exited with this code (libtest: 0 all passed, 101 some
    /// failed).
    Exited(i32),
    /// Killed by this signal, not by the grader (an abort, a crash).
    Signalled(i32),
    /// Killed by the grader at the wall limit.
    TimedOut,
    /// Killed by the grader past the output cap.
    OutputLimit,
}

/// What one run left.
#[derive(Debug)]
pub struct Run {
    /// stdout (libtest's lines and failure sections), capped.
    pub output: String,
    /// stderr (what tests wrote past the capture, e.g. INCONCLUSIVE), capped.
    pub errors: String,
    /// How it ended.
    pub ended: Ended,
    /// Wall time.
    pub seconds: f64,
    /// Processes of the sandbox found alive after the end, and killed.
    pub leftovers_killed: usize,
    /// The records the suite wrote.
    pub records: Vec<Record>,
}

impl Sandbox {
    /// The grader's sandbox: isolated when running as root and the tools
    /// are there; the manifest's limits.
    pub fn for_grading(grading: &Grading) -> Self {
        let why_not = if !Uid::effective().is_root() {
            Some("not running as root".to_owned())
        } else {
            ["unshare", "setpriv", "prlimit", "ip", "sh", "nice"]
                .iter()
                .find(|tool| which(tool).is_none())
                .map(|tool| format!("`{tool}` not found"))
        };
        Self {
            isolate: why_not.is_none(),
            output_bytes: Some(grading.output_bytes),
            max_tasks: grading.max_tasks,
            not_isolated_because: why_not,
        }
    }

    /// No limits but the wall time and the process group: a student's own
    /// progress run.
    pub fn none() -> Self {
        Self {
            isolate: false,
            output_bytes: None,
            max_tasks: 0,
            not_isolated_because: None,
        }
    }

    /// The limits in force and those not, with why, for the report.
    pub fn describe(&self) -> (Vec<String>, Vec<String>) {
        let mut on = vec![
            "wall time per exercise".to_owned(),
            "process group killed at the end".to_owned(),
        ];
        let mut off = Vec::new();
        match self.output_bytes {
            Some(b) => on.push(format!("output capped at {b} bytes")),
            None => off.push("output size: not capped".to_owned()),
        }
        let isolated = [
            "runs as nobody".to_owned(),
            format!("RLIMIT_NPROC {} (threads count)", self.max_tasks),
            "loopback only (own network namespace)".to_owned(),
            "own PID namespace (nothing survives the run)".to_owned(),
            "raised priority (nice -20) for steadier timings".to_owned(),
        ];
        if self.isolate {
            on.extend(isolated);
        } else {
            let why = self
                .not_isolated_because
                .clone()
                .unwrap_or_else(|| "not asked for".to_owned());
            off.extend(isolated.into_iter().map(|l| format!("{l}: {why}")));
        }
        (on, off)
    }

    /// Runs `exe args` under the limits, with `$COURSE_RESULTS` pointing at
    /// a fresh file, and returns what it left. `seen` gets each record as
    /// the suite writes it, for live progress.
    ///
    /// `exe` and `programs` (the crate's own binaries, which a suite may
    /// start as workers) are copied into the sandbox's folder, and the
    /// suite is told where the copies are
    /// ([`harness::record::BIN_DIR_VAR`]): the sandbox's user may not enter the folders the
    /// build left them in (a target folder under a home folder of mode
    /// 0700, as root's is), and must never need to.
    pub fn run(
        &self,
        exe: &Path,
        programs: &[PathBuf],
        args: &[&str],
        wall: Duration,
        seen: &mut dyn FnMut(&Record),
    ) -> Result<Run> {
        let dir = tempfile::Builder::new()
            .prefix("grade-sandbox-")
            .tempdir()
            .context("creating the sandbox folder")?;
        let home = dir.path();
        let suite = home.join("suite");
        std::fs::copy(exe, &suite)
            .with_context(|| format!("copying {} into the sandbox", exe.display()))?;
        let bin = home.join("bin");
        std::fs::create_dir(&bin)?;
        let mut copies = Vec::new();
        for program in programs {
            let name = program
                .file_name()
                .with_context(|| format!("{} has no file name", program.display()))?;
            let copy = bin.join(name);
            std::fs::copy(program, &copy)
                .with_context(|| format!("copying {} into the sandbox", program.display()))?;
            copies.push(copy);
        }
        let results_path = home.join("results.jsonl");
        std::fs::write(&results_path, "")?;
        if self.isolate {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(home, std::fs::Permissions::from_mode(0o755))?;
            let given = [home, bin.as_path(), results_path.as_path(), suite.as_path()];
            for p in given.into_iter().chain(copies.iter().map(PathBuf::as_path)) {
                std::os::unix::fs::chown(p, Some(NOBODY), Some(NOBODY))
                    .with_context(|| format!("giving {} to nobody", p.display()))?;
            }
            reachable_by_nobody(home)?;
        }
        // `setpriv --pdeathsig KILL`: should the grader itself be killed
        // (a cancelled CI job), the sandbox dies with it instead of running on.
        // `nice -n -20` (root only): on a shared machine, timing checks must
        // measure the code, not the neighbours. Under load, CFS gives a
        // group of threads that sleep and wake in turn (a GIL's waiters)
        // more of a core than one thread that computes without pause, and
        // the reference GIL then "ran in parallel" against its own
        // sequential run in 3 of 5 runs at load 9 on 2 cores; at -20, 0 of 6.
        let mut cmd = if self.isolate {
            let mut c = Command::new("nice");
            c.args([
                "-n",
                "-20",
                "setpriv",
                "--pdeathsig",
                "KILL",
                "--",
                "unshare",
            ])
            // `--mount-proc` gives the namespace a /proc of its own, so a
            // suite that reads /proc/<pid> of its workers finds them by the
            // pids it sees.
            .args([
                "--net",
                "--pid",
                "--fork",
                "--kill-child",
                "--mount-proc",
                "--",
                "sh",
                "-c",
            ])
            .arg(format!(
                "ip link set lo up || exit {SETUP_FAILED}; exec setpriv --reuid={NOBODY} \
                     --regid={NOBODY} --clear-groups --pdeathsig KILL -- prlimit --nproc={n}:{n} \
                     --fsize={f}:{f} --core=0 -- \"$@\"",
                n = self.max_tasks,
                f = self.output_bytes.unwrap_or(1 << 30).saturating_mul(16),
            ))
            .arg("sh")
            .arg(&suite);
            c
        } else if which("setpriv").is_some() {
            let mut c = Command::new("setpriv");
            c.args(["--pdeathsig", "KILL", "--"]).arg(&suite);
            c
        } else {
            Command::new(&suite)
        };
        cmd.args(args)
            .current_dir(home)
            .env_clear()
            .env(
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            )
            .env("HOME", home)
            .env("TMPDIR", home)
            .env("LANG", "C.UTF-8")
            .env("RUST_BACKTRACE", "0")
            .env(results::RESULTS_ENV, &results_path)
            .env(harness::record::BIN_DIR_VAR, &bin)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let nobody_before = if self.isolate { user_tasks(NOBODY) } else { 0 };
        let start = Instant::now();
        let mut child = cmd.spawn().context("starting the suite")?;
        let pgid = Pid::from_raw(child.id() as i32);
        let namespace = self.isolate.then(|| child_namespace(child.id()));
        let cap = self.output_bytes.unwrap_or(u64::MAX);
        let over = Arc::new(AtomicBool::new(false));
        // Two buffers, one cap: libtest's `test x ... ok` lines are on
        // stdout, and a test may write to stderr between `...` and `ok`.
        let used = Arc::new(Mutex::new(0u64));
        let out_buf = Arc::new(Mutex::new(Vec::new()));
        let err_buf = Arc::new(Mutex::new(Vec::new()));
        let readers: Vec<_> = [
            child
                .stdout
                .take()
                .map(|s| (Box::new(s) as Box<dyn Read + Send>, Arc::clone(&out_buf))),
            child
                .stderr
                .take()
                .map(|s| (Box::new(s) as Box<dyn Read + Send>, Arc::clone(&err_buf))),
        ]
        .into_iter()
        .flatten()
        .map(|(pipe, buf)| read_capped(pipe, buf, Arc::clone(&used), cap, Arc::clone(&over)))
        .collect();
        let mut killed = None;
        let mut read_so_far = 0;
        let status: ExitStatus = loop {
            read_so_far = follow(&results_path, read_so_far, seen);
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if killed.is_none() {
                if over.load(Ordering::SeqCst) {
                    killed = Some(Ended::OutputLimit);
                } else if start.elapsed() > wall {
                    killed = Some(Ended::TimedOut);
                }
                if killed.is_some() {
                    let _ = killpg(pgid, Signal::SIGKILL);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let seconds = start.elapsed().as_secs_f64();
        // Whatever the student started dies with the group and the namespace.
        let _ = killpg(pgid, Signal::SIGKILL);
        let leftovers_killed = sweep(pgid, namespace.flatten().as_deref());
        if self.isolate {
            settle(NOBODY, nobody_before);
        }
        for r in readers {
            let _ = r.join();
        }
        let ended = killed.unwrap_or_else(|| {
            use std::os::unix::process::ExitStatusExt;
            match (status.code(), status.signal()) {
                (Some(code), _) => Ended::Exited(code),
                (None, Some(sig)) => Ended::Signalled(sig),
                (None, None) => Ended::Signalled(0),
            }
        });
        if ended == Ended::Exited(SETUP_FAILED) && self.isolate {
            bail!("the sandbox could not bring up loopback in its network namespace");
        }
        let text = |b: &Arc<Mutex<Vec<u8>>>| {
            String::from_utf8_lossy(&b.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
        };
        let (records, _unreadable) = results::read_records(&results_path);
        Ok(Run {
            output: text(&out_buf),
            errors: text(&err_buf),
            ended,
            seconds,
            leftovers_killed,
            records,
        })
    }
}

/// Passes every complete record line written to `path` past byte `from`
/// to `seen`, and returns where it stopped.
fn follow(path: &Path, from: usize, seen: &mut dyn FnMut(&Record)) -> usize {
    let Ok(bytes) = std::fs::read(path) else {
        return from;
    };
    let Some(end) = bytes.iter().rposition(|b| *b == b'\n').map(|i| i + 1) else {
        return from;
    };
    if end <= from {
        return from;
    }
    for line in String::from_utf8_lossy(&bytes[from..end]).lines() {
        if let Ok(record) = serde_json::from_str::<Record>(line) {
            seen(&record);
        }
    }
    end
}

/// Reads `pipe` into `buffer` while fewer than `cap` bytes are held over
/// all pipes (`used`), then sets `over` and drains the rest unread, so the
/// writer never blocks on a full pipe before the grader kills it.
fn read_capped(
    mut pipe: Box<dyn Read + Send>,
    buffer: Arc<Mutex<Vec<u8>>>,
    used: Arc<Mutex<u64>>,
    cap: u64,
    over: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let mut used = used.lock().unwrap_or_else(|e| e.into_inner());
                    let room = usize::try_from(cap.saturating_sub(*used)).unwrap_or(usize::MAX);
                    let keep = n.min(room);
                    buffer
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend_from_slice(&chunk[..keep]);
                    *used += keep as u64;
                    if n > room {
                        over.store(true, Ordering::SeqCst);
                    }
                }
            }
        }
    })
}

/// The PID namespace the sandbox's children live in: `unshare` (started
/// through `setpriv`, same process) moves its `pid_for_children` to a new
/// one right after it starts.
fn child_namespace(pid: u32) -> Option<String> {
    let ours = std::fs::read_link("/proc/self/ns/pid").ok()?;
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        match std::fs::read_link(format!("/proc/{pid}/ns/pid_for_children")) {
            Ok(ns) if ns != ours => return Some(ns.to_string_lossy().into_owned()),
            Ok(_) => std::thread::sleep(Duration::from_millis(2)),
            Err(_) => return None,
        }
    }
    None
}

/// Kills every process still in `namespace` (isolated runs) or in process
/// group `pgid`, and returns how many there were. Repeats until none is
/// found, since a process may fork while being looked for.
pub fn sweep(pgid: Pid, namespace: Option<&str>) -> usize {
    let mut killed = 0;
    for _ in 0..50 {
        let found = survivors(pgid, namespace);
        if found.is_empty() {
            break;
        }
        for pid in &found {
            let _ = kill(*pid, Signal::SIGKILL);
        }
        killed += found.len();
        std::thread::sleep(Duration::from_millis(20));
    }
    killed
}

/// Tasks (threads, zombies included) whose real user is `uid`: what
/// `RLIMIT_NPROC` counts for that user.
pub fn user_tasks(uid: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("status")).ok())
        .filter(|status| {
            status.lines().any(|l| {
                l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some(&uid.to_string())
            })
        })
        .map(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(1)
        })
        .sum()
}

/// Waits, up to ten seconds, until the user's tasks are back to `before`.
/// Dead tasks count against `RLIMIT_NPROC` until they are reaped: right
/// after a bomb, the next suite could not start a thread (seen: three of
/// the next student's tests failed with EAGAIN).
fn settle(uid: u32, before: u64) {
    for _ in 0..500 {
        if user_tasks(uid) <= before {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Live processes (not zombies) in `namespace`, or else in group `pgid`.
pub fn survivors(pgid: Pid, namespace: Option<&str>) -> Vec<Pid> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // Fields after the command's closing parenthesis: state ppid pgrp.
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if fields.first() == Some(&"Z") {
                return false;
            }
            match namespace {
                Some(ns) => std::fs::read_link(format!("/proc/{pid}/ns/pid"))
                    .is_ok_and(|l| l.to_string_lossy() == ns),
                None => fields.get(2) == Some(&pgid.as_raw().to_string().as_str()),
            }
        })
        .map(Pid::from_raw)
        .collect()
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_folder_below_a_private_one_is_refused_and_says_what_to_do() {
        let private = tempfile::tempdir().unwrap();
        std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let inside = private.path().join("sandbox");
        std::fs::create_dir(&inside).unwrap();
        let e = reachable_by_nobody(&inside).unwrap_err().to_string();
        assert!(e.contains(&private.path().display().to_string()), "{e}");
        assert!(e.contains("mode 700") && e.contains("TMPDIR"), "{e}");
        std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
        reachable_by_nobody(&inside).unwrap();
    }
}
