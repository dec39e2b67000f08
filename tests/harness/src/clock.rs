//! Wall time and CPU time of a piece of work.

use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};
use serde::{Deserialize, Deserializer, Serialize};

/// One timed run: how long it took, and how much CPU the process burned.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Elapsed wall-clock time.
    #[serde(
        rename = "wall_s",
        serialize_with = "secs",
        deserialize_with = "from_secs"
    )]
    pub wall: Duration,
    /// User plus system CPU time of the whole process during the run.
    #[serde(
        rename = "cpu_s",
        serialize_with = "secs",
        deserialize_with = "from_secs"
    )]
    pub cpu: Duration,
}

impl Sample {
    /// No time at all.
    pub const ZERO: Sample = Sample {
        wall: Duration::ZERO,
        cpu: Duration::ZERO,
    };

    /// Both times added up.
    pub fn plus(self, other: Sample) -> Sample {
        Sample {
            wall: self.wall + other.wall,
            cpu: self.cpu + other.cpu,
        }
    }

    /// CPU time divided by wall time: about 1.0 when one core did the work,
    /// about N when N cores were busy, near 0 when the work was waiting.
    ///
    /// This explains a result; it never judges one alone, because a thread
    /// that spins without doing useful work inflates it just as well.
    pub fn parallelism(&self) -> f64 {
        ratio(self.cpu, self.wall)
    }
}

/// `a / b` as a float, and 0 when `b` is zero.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    if b.is_zero() {
        0.0
    } else {
        a.as_secs_f64() / b.as_secs_f64()
    }
}

/// CPU time (user + system) consumed so far by every thread of this process.
///
/// It counts *all* threads, including other tests running in the same test
/// binary: that is why timed checks hold [`crate::exclusive`].
pub fn process_cpu_time() -> Duration {
    match getrusage(UsageWho::RUSAGE_SELF) {
        Ok(usage) => timeval(usage.user_time()) + timeval(usage.system_time()),
        // getrusage(RUSAGE_SELF) cannot fail on Linux or macOS; report no CPU
        // rather than abort a measurement if some platform disagrees.
        Err(_) => Duration::ZERO,
    }
}

fn timeval(tv: nix::sys::time::TimeVal) -> Duration {
    let secs = u64::try_from(tv.tv_sec()).unwrap_or(0);
    let micros = u32::try_from(tv.tv_usec()).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(micros.into())
}

/// The 1-minute load average (`/proc/loadavg`), where the system has one.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// CPU time of the children this process has waited for
/// (`RUSAGE_CHILDREN`): a worker process that ended during a measurement
/// counts here once it is reaped.
pub fn reaped_children_cpu_time() -> Duration {
    match getrusage(UsageWho::RUSAGE_CHILDREN) {
        Ok(usage) => timeval(usage.user_time()) + timeval(usage.system_time()),
        Err(_) => Duration::ZERO,
    }
}

/// CPU time of everything this process runs: its own threads, its live
/// children (a process pool's workers, read from `/proc`) and the children
/// it has reaped. Without the children a process pool would be explained as
/// "no core busy" while two worked.
pub fn work_cpu_time() -> Duration {
    crate::children::family_cpu_time() + reaped_children_cpu_time()
}

/// Runs `work` once and returns its result with the time it took. The CPU
/// time is [`work_cpu_time`]'s: threads and child processes alike; the
/// reading of it happens outside the wall-clock interval.
pub fn measure<T>(work: impl FnOnce() -> T) -> (T, Sample) {
    let cpu_before = work_cpu_time();
    let start = Instant::now();
    let value = work();
    let wall = start.elapsed();
    let cpu = work_cpu_time().saturating_sub(cpu_before);
    (value, Sample { wall, cpu })
}

/// How many times the calling thread has gone to sleep and been woken so
/// far (its voluntary context switches, counted by the kernel). A thread
/// that waits properly adds one or two per wait; one that polls adds one
/// per poll. 0 where /proc is missing.
pub fn thread_wakeups() -> u64 {
    std::fs::read_to_string("/proc/thread-self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("voluntary_ctxt_switches:")
                    .and_then(|n| n.trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

/// How many times the threads of this process, those that ended included,
/// have gone to sleep and been woken so far (voluntary context switches,
/// `getrusage(RUSAGE_SELF)`). 0 where the platform does not say.
pub fn process_wakeups() -> u64 {
    getrusage(UsageWho::RUSAGE_SELF).map_or(0, |u| {
        u64::try_from(u.voluntary_context_switches()).unwrap_or(0)
    })
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

fn from_secs<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let secs = f64::deserialize(d)?;
    Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
}

/// A duration for people: "1.63 s", "412 ms", "85 µs".
pub fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// CPU time the calling thread has used so far, from
/// `/proc/thread-self/schedstat` (Linux). `None` where it cannot be read.
/// Tells a thread that waits asleep (a join) from one that spins.
pub fn thread_cpu_time() -> Option<Duration> {
    schedstat_cpu("/proc/thread-self/schedstat")
}

/// CPU time the thread `tid` of this process has used so far, as
/// [`thread_cpu_time`] reads it: another thread can watch a caller while it
/// waits. While that thread runs, the figure lags by at most a scheduler
/// tick; once it sleeps, it is exact.
pub fn thread_cpu_time_of(tid: u32) -> Option<Duration> {
    schedstat_cpu(&format!("/proc/self/task/{tid}/schedstat"))
}

fn schedstat_cpu(path: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(path).ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeping_uses_wall_time_but_little_cpu() {
        let _alone = crate::exclusive();
        let ((), sample) = measure(|| std::thread::sleep(Duration::from_millis(50)));
        assert!(sample.wall >= Duration::from_millis(50), "{sample:?}");
        assert!(sample.parallelism() < 0.5, "{sample:?}");
    }

    #[test]
    fn spinning_uses_cpu_time() {
        let _alone = crate::exclusive();
        // Spin until the CPU clock has counted 30 ms, however little of a
        // core a loaded machine gives this thread; it must get there.
        let ((), sample) = measure(|| {
            let (start, before) = (std::time::Instant::now(), process_cpu_time());
            while process_cpu_time() - before < Duration::from_millis(30)
                && start.elapsed() < Duration::from_secs(5)
            {
                std::hint::spin_loop();
            }
        });
        assert!(sample.cpu >= Duration::from_millis(30), "{sample:?}");
    }

    #[test]
    fn work_in_a_live_child_process_counts() {
        let _alone = crate::exclusive();
        // A child that spins while this process only sleeps: its CPU time
        // must show in the sample, as a pool's workers' must.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .expect("sh starts");
        let ((), sample) = measure(|| std::thread::sleep(Duration::from_millis(400)));
        let _ = child.kill();
        let _ = child.wait();
        assert!(sample.cpu >= Duration::from_millis(40), "{sample:?}");
    }

    #[test]
    fn work_in_a_reaped_child_process_counts() {
        let _alone = crate::exclusive();
        let ((), sample) = measure(|| {
            let status = std::process::Command::new("sh")
                .args(["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"])
                .status()
                .expect("sh runs");
            assert!(status.success());
        });
        // The loop costs about 250 ms of CPU however busy the machine is;
        // without the reaped child's time this process would show almost
        // none.
        assert!(sample.cpu >= Duration::from_millis(100), "{sample:?}");
    }

    #[test]
    fn ratio_of_zero_is_zero() {
        assert_eq!(ratio(Duration::from_secs(1), Duration::ZERO), 0.0);
        assert_eq!(ratio(Duration::from_secs(3), Duration::from_secs(2)), 1.5);
    }
}
