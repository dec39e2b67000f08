//! Pipes a child writes to and this process holds the other end of.
//!
//! A parent that pipes a long-lived child's stderr "to keep the log off
//! the terminal" and never reads it stalls the child once the pipe is
//! full: a write that does not fit waits for a reader that never comes.
//! How soon depends on the pipe's size, 64 KiB by default but a single
//! page for a user who holds many pipes already (the kernel's
//! `pipe-user-pages-soft`), and on how much the child writes. [`shrink`]
//! makes that small size the rule for the pipes a child writes to whose
//! other end this process holds, so that a few thousand one-byte lines
//! fill one, as they may on a student's machine.

use std::os::fd::AsFd;

use nix::fcntl::{FcntlArg, fcntl};

/// A single page: the size the kernel gives a user's new pipes once the
/// user holds too many.
pub const SMALL_PIPE: usize = 4096;

/// Which of `pid`'s descriptors `fds` are pipes whose other end this
/// process holds too; shrinks each to [`SMALL_PIPE`] bytes and returns
/// them. A pipe that already holds more than that is left as it is.
pub fn shrink(pid: u32, fds: &[u32]) -> Vec<u32> {
    let ours = read_ends();
    fds.iter()
        .copied()
        .filter(|fd| {
            let path = format!("/proc/{pid}/fd/{fd}");
            let Ok(target) = std::fs::read_link(&path) else {
                return false;
            };
            let target = target.to_string_lossy().into_owned();
            if !target.starts_with("pipe:") || !ours.contains(&target) {
                return false;
            }
            // Opened for writing only: this process must not become one
            // of the pipe's readers. Closed at once.
            let Ok(pipe) = std::fs::OpenOptions::new().write(true).open(&path) else {
                return false;
            };
            fcntl(pipe.as_fd(), FcntlArg::F_SETPIPE_SZ(SMALL_PIPE as i32)).is_ok()
        })
        .collect()
}

/// The pipes this process holds a read end of (`pipe:[inode]`, as the
/// kernel names them). A pipe it only writes to, such as a stderr the
/// child inherited, is not one: someone else reads it.
fn read_ends() -> Vec<String> {
    std::fs::read_dir("/proc/self/fd")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let target = std::fs::read_link(entry.path()).ok()?;
            let target = target.to_string_lossy().into_owned();
            let fd = entry.file_name().to_string_lossy().into_owned();
            let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).ok()?;
            // `flags:` is octal; its low two bits are the access mode.
            let flags = info
                .lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())?;
            let reads = matches!(flags & 0o3, 0o0 | 0o2);
            (target.starts_with("pipe:") && reads).then_some(target)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    #[test]
    fn a_pipe_we_read_is_shrunk_and_one_we_do_not_is_not() {
        // A pipe this process only writes to, given to the child as its
        // stderr: someone else's to read.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        let mut child = Command::new("sleep")
            .arg("5")
            .stdout(Stdio::piped())
            .stderr(writer.try_clone().expect("a second writer"))
            .spawn()
            .expect("sleep runs");
        drop(reader);
        let shrunk = shrink(child.id(), &[0, 1, 2]);
        assert_eq!(shrunk, vec![1], "stdout is ours to read; stderr is not");
        drop(writer);
        let path = format!("/proc/{}/fd/1", child.id());
        let mut pipe = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .expect("the child's stdout");
        let size = fcntl(pipe.as_fd(), FcntlArg::F_GETPIPE_SZ).expect("its size");
        assert_eq!(size as usize, SMALL_PIPE);
        pipe.write_all(b"x").expect("a byte fits");
        drop(pipe);
        let _ = child.kill();
        let _ = child.wait();
    }
}
