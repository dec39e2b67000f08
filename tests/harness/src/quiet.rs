//! Complaints a test provokes on purpose, kept off the student's terminal.
//!
//! A check that starves the code under test (of open files, say) makes the
//! processes that code starts complain on the standard error they inherit,
//! the test's own, before any line of theirs runs (`/bin/sh` cannot even
//! move its script's file out of the way). libtest captures what the test's
//! threads print, not what its children write to file descriptor 2, so a
//! passing suite would print those complaints as if something were wrong.
//! While a [`Quiet`] lives, this process's descriptor 2 is `/dev/null`, so
//! children started meanwhile inherit that; the test's own `eprintln!` still
//! goes to libtest's capture, as before.

use std::fs::File;
use std::os::fd::OwnedFd;

/// Descriptor 2 sent to `/dev/null` until this is dropped. Checks run one
/// at a time ([`crate::exclusive`]), so nothing else writes to it meanwhile.
#[must_use = "the standard error comes back when this is dropped"]
pub struct Quiet {
    /// The standard error as it was.
    saved: OwnedFd,
}

impl Quiet {
    /// Silences descriptor 2 of this process (and of children started from
    /// now on) until the value is dropped.
    pub fn stderr() -> std::io::Result<Self> {
        let saved = nix::unistd::dup(std::io::stderr())?;
        let null = File::options().write(true).open("/dev/null")?;
        nix::unistd::dup2_stderr(&null)?;
        Ok(Self { saved })
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        let _ = nix::unistd::dup2_stderr(&self.saved);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::process::{Command, Stdio};

    use super::Quiet;

    /// A child started while quiet writes nowhere; one started after writes
    /// where the test's standard error goes again. Descriptor 2 is a pipe
    /// here, in a child test process, so the test can read what reached it.
    #[test]
    fn children_started_meanwhile_are_silent() {
        if std::env::var_os("QUIET_CHILD").is_some() {
            let quiet = Quiet::stderr().unwrap();
            Command::new("sh")
                .args(["-c", "echo hidden >&2"])
                .status()
                .unwrap();
            drop(quiet);
            Command::new("sh")
                .args(["-c", "echo shown >&2"])
                .status()
                .unwrap();
            return;
        }
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "quiet::tests::children_started_meanwhile_are_silent",
                "--nocapture",
            ])
            .env("QUIET_CHILD", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(child.wait().unwrap().success());
        assert!(
            err.contains("shown"),
            "the standard error came back: {err:?}"
        );
        assert!(
            !err.contains("hidden"),
            "a child started while quiet wrote: {err:?}"
        );
    }
}
