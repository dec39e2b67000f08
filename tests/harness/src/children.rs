//! Child processes: their CPU time, their state, and the ones a test left.
//!
//! `getrusage(RUSAGE_SELF)` counts this process's threads only, and
//! `RUSAGE_CHILDREN` only children that have ended and been waited for. A
//! process pool's workers are neither: they live across many measurements.
//! Their CPU time is read from `/proc/<pid>/stat` while they run (Linux;
//! elsewhere it reads as zero and says so through [`available`]).

use std::collections::HashSet;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, SysconfVar, sysconf};

use crate::clock::process_cpu_time;

/// One line of `/proc/<pid>/stat`, the fields this module needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// The process's id.
    pub pid: u32,
    /// Its parent's id.
    pub ppid: u32,
    /// `R` running, `S` sleeping, `Z` zombie (ended, never waited for), ...
    pub state: char,
    /// User plus system CPU time, in clock ticks.
    pub ticks: u64,
}

/// Whether this machine has `/proc` with process stats.
pub fn available() -> bool {
    stat(std::process::id()).is_some()
}

/// `/proc/<pid>/stat` of one process, if it exists.
pub fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: the fields
    // start after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let ppid = fields.get(1)?.parse().ok()?;
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Stat {
        pid,
        ppid,
        state,
        ticks: utime + stime,
    })
}

/// Every process whose parent is `parent`, zombies included.
pub fn children_of(parent: u32) -> Vec<Stat> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(stat)
        .filter(|s| s.ppid == parent)
        .collect()
}

/// The processes among `pids` that are still this process's children:
/// running, or zombies nobody waited for. A pid that has been waited for
/// is gone (or belongs to another parent, if the system reused it).
pub fn still_ours(pids: &[u32]) -> Vec<Stat> {
    let me = std::process::id();
    pids.iter()
        .filter_map(|&pid| stat(pid))
        .filter(|s| s.ppid == me)
        .collect()
}

fn ticks_per_second() -> u64 {
    match sysconf(SysconfVar::CLK_TCK) {
        Ok(Some(t)) if t > 0 => t as u64,
        _ => 100,
    }
}

/// CPU time (user + system) used so far by the given running processes.
pub fn cpu_time_of(pids: &[u32]) -> Duration {
    let ticks: u64 = pids.iter().filter_map(|&p| stat(p)).map(|s| s.ticks).sum();
    Duration::from_secs_f64(ticks as f64 / ticks_per_second() as f64)
}

/// CPU time of this process and of its live children: what
/// [`clock::measure`](crate::clock::measure) should count when the work runs
/// in worker processes. Clock ticks are coarse (10 ms), so it suits runs of
/// a few hundred milliseconds and more.
pub fn family_cpu_time() -> Duration {
    let children: Vec<u32> = children_of(std::process::id())
        .iter()
        .map(|s| s.pid)
        .collect();
    process_cpu_time() + cpu_time_of(&children)
}

/// Ends, when dropped, every child process of this process that was not
/// there when it was made: what a stuck or careless test left running.
/// They are killed, not waited for; the code that started them may still
/// hold their handles and wait itself.
pub struct Leftovers {
    before: HashSet<u32>,
}

impl Leftovers {
    /// Notes the children that exist now.
    pub fn watch() -> Self {
        Leftovers {
            before: children_of(std::process::id())
                .into_iter()
                .map(|s| s.pid)
                .collect(),
        }
    }

    /// Children started since [`watch`](Leftovers::watch) that still run.
    pub fn running(&self) -> Vec<u32> {
        children_of(std::process::id())
            .into_iter()
            .filter(|s| s.state != 'Z' && !self.before.contains(&s.pid))
            .map(|s| s.pid)
            .collect()
    }
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        for pid in self.running() {
            // Kill the child's process group if it leads one (grandchildren
            // too), then the child itself.
            if let Ok(pid) = i32::try_from(pid) {
                let _ = nix::sys::signal::killpg(Pid::from_raw(pid), Signal::SIGKILL);
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Command;

    use super::*;

    #[test]
    fn sees_a_child_and_its_cpu_then_kills_what_was_left() {
        if !available() {
            return; // no /proc: nothing to read here
        }
        let leftovers = Leftovers::watch();
        let mut child = Command::new("sleep").arg("30").spawn().expect("sleep");
        let pid = child.id();
        assert!(
            leftovers.running().contains(&pid),
            "a new running child is a leftover"
        );
        assert_eq!(still_ours(&[pid]).len(), 1, "the child is ours");
        assert!(
            cpu_time_of(&[pid]) < Duration::from_secs(1),
            "sleep burns no CPU"
        );
        drop(leftovers);
        let status = child.wait().expect("waiting for sleep");
        assert_eq!(status.signal(), Some(9), "the leftover child was killed");
        assert!(still_ours(&[pid]).is_empty(), "a child waited for is gone");
    }
}
