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
use std::path::Path;

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
    let Some(path) = std::env::var_os(CENSUS_VAR) else {
        return;
    };
    let depth: u32 = std::env::var(depth_var)
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    let role = std::env::var(role_var).unwrap_or_else(|_| "-".to_owned());
    let line = format!(
        "{} {} {depth} {}\n",
        std::process::id(),
        std::os::unix::process::parent_id(),
        role.replace(char::is_whitespace, "_")
    );
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = file.write_all(line.as_bytes());
    }
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

/// Records, if a test asked for a census, that this process ran `task` on
/// `input`: the pool's worker calls it for every input it serves. A result
/// that a program prints as computed by a worker, with no such line, was
/// not computed there. Never fails.
pub fn served(task: &str, input: u64) {
    let Some(path) = std::env::var_os(CENSUS_VAR) else {
        return;
    };
    let line = format!(
        "served {} {} {input}\n",
        std::process::id(),
        task.replace(char::is_whitespace, "_")
    );
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = file.write_all(line.as_bytes());
    }
}

/// Every task recorded as served in `path`, in order.
pub fn read_served(path: &Path) -> Vec<Served> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
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
            "10 1 0 -\n11 10 1 0\nserved 11 square 7\n12 10 1 1\nbroken\n",
        )
        .expect("writing");
        let all = read(&path);
        let served = read_served(&path);
        let _ = std::fs::remove_file(&path);
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].role.as_deref(), Some("0"));
        assert_eq!(all[0].role, None);
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
