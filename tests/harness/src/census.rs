//! A census of the processes a program starts, written by the processes
//! themselves.
//!
//! A process that came and went in a millisecond leaves no trace a test
//! could find afterwards in `/proc`. So a program under test calls
//! [`arrive`] first thing in `main`: when the test set [`CENSUS_VAR`] to a
//! file, the process appends one line with its pid, its parent's pid and
//! the environment variables that say its role and depth. Every copy of the
//! program started by a pool inherits the variable and does the same. The
//! test then [`read`]s the file: how many processes started, at which
//! depth, and which are still running.
//!
//! Lines are short and the file is opened for appending, so lines from
//! processes that arrive at the same moment do not mix.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Environment variable naming the census file.
pub const CENSUS_VAR: &str = "COURSE_CENSUS";

/// One process that arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// Its process id.
    pub pid: u32,
    /// Its parent's process id when it arrived.
    pub ppid: u32,
    /// The value of the depth variable it was started with (0 if none).
    pub depth: u32,
    /// The value of the role variable it was started with, if any.
    pub role: Option<String>,
}

/// Appends this process to the census, if a test asked for one.
/// `role_var` and `depth_var` name the environment variables a pool sets
/// in its workers. Does nothing (and never fails) otherwise.
pub fn arrive(role_var: &str, depth_var: &str) {
    if census_file().is_none() {
        return;
    }
    let depth: u32 = std::env::var(depth_var)
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    let role = std::env::var(role_var).unwrap_or_else(|_| "-".to_owned());
    append(&format!(
        "{} {} {depth} {}\n",
        std::process::id(),
        std::os::unix::process::parent_id(),
        role.replace(char::is_whitespace, "_")
    ));
}

/// One task a worker ran, as the worker recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    /// The worker's process id.
    pub pid: u32,
    /// The task's name.
    pub task: String,
    /// The input it ran the task on.
    pub input: u64,
}

/// The census file of this process: the one [`CENSUS_VAR`] names, or the
/// one [`record_here`] gave. The variable is read once per process, since
/// the pool's tasks ask on every input (an environment lookup takes a lock
/// and allocates; the book times these tasks).
fn file() -> &'static std::sync::RwLock<Option<std::path::PathBuf>> {
    static FILE: std::sync::OnceLock<std::sync::RwLock<Option<std::path::PathBuf>>> =
        std::sync::OnceLock::new();
    FILE.get_or_init(|| std::sync::RwLock::new(std::env::var_os(CENSUS_VAR).map(Into::into)))
}

fn census_file() -> Option<std::path::PathBuf> {
    file().read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Makes this process record to `path` from now on, as if [`CENSUS_VAR`]
/// named it: a test that cannot set its own environment (other threads
/// run) uses it so that work done in its own process is seen.
pub fn record_here(path: &Path) {
    *file().write().unwrap_or_else(|e| e.into_inner()) = Some(path.to_owned());
}

/// Appends one line to the census file, if there is one. Never fails.
///
/// The file stays open between lines (a map of half a million inputs
/// records half a million lines: opening the file for each took seconds);
/// it is opened for appending, so each line is one write that lands whole
/// after the others, whichever process writes it.
fn append(line: &str) {
    static OPEN: std::sync::Mutex<Option<(PathBuf, std::fs::File)>> = std::sync::Mutex::new(None);
    let Some(path) = census_file() else {
        return;
    };
    let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    if open.as_ref().is_none_or(|(at, _)| *at != path) {
        *open = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .ok()
            .map(|file| (path, file));
    }
    if let Some((_, file)) = open.as_mut() {
        let _ = file.write_all(line.as_bytes());
    }
}

/// Records, if a test asked for a census, that this process ran `task` on
/// `input`: the pool's tasks call it for every input they are run on, in
/// whichever process runs them. A result that a program reports as
/// computed by a worker, with no such line from that worker, was not
/// computed there. Never fails.
pub fn served(task: &str, input: u64) {
    append(&format!(
        "served {} {} {input}\n",
        std::process::id(),
        task.replace(char::is_whitespace, "_")
    ));
}

/// Records, if a test asked for a census, that this process decoded one
/// request frame carrying `inputs` inputs: the pool's protocol calls it, so
/// the frames a worker received are counted where they arrived, not by the
/// parent that says it sent them. Never fails.
pub fn frame(inputs: usize) {
    append(&format!("frame {} {inputs}\n", std::process::id()));
}

/// One request frame a worker decoded, as it recorded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The worker's process id.
    pub pid: u32,
    /// How many inputs the frame carried.
    pub inputs: usize,
}

/// Every request frame recorded in `path`, in order.
pub fn read_frames(path: &Path) -> Vec<Frame> {
    parse_frames(&std::fs::read_to_string(path).unwrap_or_default())
}

/// Every request frame recorded in `text`, a census's lines, in order.
pub fn parse_frames(text: &str) -> Vec<Frame> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.strip_prefix("frame ")?.split(' ');
            Some(Frame {
                pid: f.next()?.parse().ok()?,
                inputs: f.next()?.parse().ok()?,
            })
        })
        .collect()
}

/// Every task recorded as served in `path`, in order.
pub fn read_served(path: &Path) -> Vec<Served> {
    parse_served(&std::fs::read_to_string(path).unwrap_or_default())
}

/// Every task recorded as served in `text`, a census's lines, in order.
pub fn parse_served(text: &str) -> Vec<Served> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.strip_prefix("served ")?.split(' ');
            Some(Served {
                pid: f.next()?.parse().ok()?,
                task: f.next()?.to_owned(),
                input: f.next()?.parse().ok()?,
            })
        })
        .collect()
}

/// Every arrival recorded in `path`, in order (lines of served tasks
/// skipped); none if there is no file.
pub fn read(path: &Path) -> Vec<Arrival> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut f = line.split(' ');
            let pid = f.next()?.parse().ok()?;
            let ppid = f.next()?.parse().ok()?;
            let depth = f.next()?.parse().ok()?;
            let role = f.next().filter(|r| *r != "-").map(str::to_owned);
            Some(Arrival {
                pid,
                ppid,
                depth,
                role,
            })
        })
        .collect()
}

/// How many arrived at each depth.
pub fn by_depth(arrivals: &[Arrival]) -> BTreeMap<u32, usize> {
    let mut count = BTreeMap::new();
    for a in arrivals {
        *count.entry(a.depth).or_default() += 1;
    }
    count
}

/// "2 at depth 1, 4 at depth 2".
pub fn describe_depths(arrivals: &[Arrival]) -> String {
    let parts: Vec<String> = by_depth(arrivals)
        .iter()
        .map(|(depth, n)| format!("{n} at depth {depth}"))
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The arrivals whose process still runs (a zombie does not run).
pub fn still_running(arrivals: &[Arrival]) -> Vec<Arrival> {
    arrivals
        .iter()
        .filter(|a| crate::children::stat(a.pid).is_some_and(|s| s.state != 'Z'))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_was_written_and_counts_by_depth() {
        let path = std::env::temp_dir().join(format!("census-test-{}", std::process::id()));
        std::fs::write(
            &path,
            "10 1 0 -\n11 10 1 0\nserved 11 square 7\nframe 11 3\n12 10 1 1\nbroken\n",
        )
        .expect("writing");
        let all = read(&path);
        let served = read_served(&path);
        let frames = read_frames(&path);
        let _ = std::fs::remove_file(&path);
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].role.as_deref(), Some("0"));
        assert_eq!(all[0].role, None);
        assert_eq!(frames, vec![Frame { pid: 11, inputs: 3 }]);
        assert_eq!(describe_depths(&all), "1 at depth 0, 2 at depth 1");
        assert_eq!(
            served,
            vec![Served {
                pid: 11,
                task: "square".to_owned(),
                input: 7
            }]
        );
    }
}
