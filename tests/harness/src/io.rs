//! The reads and writes a piece of work made, as the kernel counts them.
//!
//! A function that must keep nothing between calls can keep it outside the
//! crate as easily as in a `static`: a counter in a file of the temp
//! folder, bumped now and then, changes the answer after a million calls
//! and shows no global in the source (round 14's `diagnose/04`,
//! `workers/09`, `lock-order/03`). Reading or writing that file takes
//! system calls, and the kernel counts every `read` and `write` of each
//! thread in `/proc/thread-self/io` (`syscr`, `syscw`). Work that computes
//! an answer from its arguments makes none. The calling thread's count, not
//! the process's: the test runner's own thread prints the last test's
//! result whenever it likes, and did so inside a count once.

/// Read and write system calls, counted by the kernel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Io {
    /// `read`, `pread`, `readv` and the like.
    pub reads: u64,
    /// `write`, `pwrite`, `writev` and the like.
    pub writes: u64,
}

impl Io {
    /// Whether there were none.
    pub fn is_none(self) -> bool {
        self.reads == 0 && self.writes == 0
    }

    fn minus(self, other: Io) -> Io {
        Io {
            reads: self.reads.saturating_sub(other.reads),
            writes: self.writes.saturating_sub(other.writes),
        }
    }
}

/// The calling thread's counts so far (`None` where there is no `/proc`).
fn now() -> Option<Io> {
    let text = std::fs::read_to_string("/proc/thread-self/io").ok()?;
    let field = |name: &str| -> Option<u64> {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))?
            .trim()
            .parse()
            .ok()
    };
    Some(Io {
        reads: field("syscr")?,
        writes: field("syscw")?,
    })
}

/// Runs `work` on the calling thread and returns what it gave and the
/// reads and writes the thread made meanwhile, less those of looking at
/// the counts (measured just before, the same way).
pub fn during<T>(work: impl FnOnce() -> T) -> (T, Option<Io>) {
    let (first, second) = (now(), now());
    let out = work();
    let after = now();
    let counted = match (first, second, after) {
        (Some(first), Some(second), Some(after)) => {
            let looking = second.minus(first);
            Some(after.minus(second).minus(looking))
        }
        _ => None,
    };
    (out, counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computing_is_no_io_and_a_file_is() {
        let _alone = crate::exclusive();
        let (sum, io) = during(|| (0..10_000u64).map(|x| x * x).sum::<u64>());
        assert!(sum > 0);
        let Some(io) = io else { return };
        assert!(io.is_none(), "computing counted as {io:?}");
        let path = std::env::temp_dir().join(format!("harness-io-{}", std::process::id()));
        let ((), io) = during(|| {
            std::fs::write(&path, b"1").unwrap();
            let _ = std::fs::read(&path).unwrap();
        });
        let _ = std::fs::remove_file(&path);
        let io = io.expect("counted before, so counted now");
        assert!(
            io.reads >= 1 && io.writes >= 1,
            "a write and a read counted as {io:?}"
        );
    }
}
