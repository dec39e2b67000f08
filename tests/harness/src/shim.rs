//! The course's preload shim (`tests/shim`), put into a program the suite
//! starts: what that program and every process it starts ran, as the C
//! library was asked, and a machine of more CPUs than this one.
//!
//! A program's own output says what it thinks it did; the shim's log says
//! what it asked the operating system for. A program whose only children
//! are its pool's workers logs its own path once per worker, and nothing
//! else; one that also runs `nproc`, or hands its work to `sh`, shows it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The shared object, built by this crate's build script and embedded
/// here: the build folder may be out of reach of the user a test runs as
/// (the grader's sandbox runs it as `nobody`), so it is written to the
/// temporary folder when first needed.
const SHARED_OBJECT: &[u8] = include_bytes!(env!("COURSE_SHIM"));

/// Where the shared object is, as a file the test's own user wrote (or
/// read back whole): `course-shim-<hash>.so` in the temporary folder, one
/// file per build of the shim, reused by later runs. If that name is
/// taken by a file this user cannot replace, a file of this process's own.
///
/// # Panics
///
/// When the temporary folder cannot be written: the test cannot run.
pub fn shared_object() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        SHARED_OBJECT.hash(&mut hasher);
        let name = format!("course-shim-{:016x}.so", hasher.finish());
        let dir = std::env::temp_dir();
        let shared = dir.join(&name);
        if std::fs::read(&shared).is_ok_and(|bytes| bytes == SHARED_OBJECT) {
            return shared;
        }
        let own = dir.join(format!("{name}.{}", std::process::id()));
        std::fs::write(&own, SHARED_OBJECT)
            .unwrap_or_else(|e| panic!("writing the preload shim to {}: {e}", own.display()));
        // Readable by everyone: a program may drop to another user.
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o644));
        match std::fs::rename(&own, &shared) {
            Ok(()) => shared,
            Err(_) => own,
        }
    })
}

/// What the shim logs for a process it was loaded into.
const LOADED: &str = "=loaded";

/// One program a process asked to start (`posix_spawn` or `exec`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Started {
    /// The process that asked.
    pub by: u32,
    /// The program, as it was given (a path, or a name looked up in
    /// `PATH`).
    pub program: String,
}

/// What the shim does besides logging.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Every process sees this many CPUs (`available_parallelism`,
    /// `nproc`).
    pub cpus: Option<usize>,
    /// Every `posix_spawn` and `exec` fails with `EAGAIN`, as at the
    /// user's process limit: the program can start nothing.
    pub refuse_spawns: bool,
}

/// The shim, put into one command: the log it writes, removed on drop.
#[derive(Debug)]
pub struct Preloaded {
    log: PathBuf,
}

impl Preloaded {
    /// Preloads the shim into `command` (and so into every process it
    /// starts), logging the programs they start, and doing what
    /// `options` asks.
    pub fn into(command: &mut Command, options: Options) -> Preloaded {
        let log = std::env::temp_dir().join(format!(
            "course-shim-{}-{}.log",
            std::process::id(),
            unique()
        ));
        let _ = std::fs::remove_file(&log);
        let mut preload = OsString::from(shared_object());
        if let Some(already) = std::env::var_os("LD_PRELOAD") {
            preload.push(":");
            preload.push(already);
        }
        command
            .env("LD_PRELOAD", preload)
            .env("COURSE_SHIM_LOG", &log);
        match options.cpus {
            Some(n) => command.env("COURSE_SHIM_CPUS", n.to_string()),
            None => command.env_remove("COURSE_SHIM_CPUS"),
        };
        if options.refuse_spawns {
            command.env("COURSE_SHIM_REFUSE", "1");
        } else {
            command.env_remove("COURSE_SHIM_REFUSE");
        }
        Preloaded { log }
    }

    /// Every line of the log: "pid\tprogram", or "pid\t=loaded" from a
    /// process the shim was loaded into. A line of neither form (none
    /// should be) is skipped.
    fn lines(&self) -> Vec<Started> {
        let text = std::fs::read(&self.log).unwrap_or_default();
        String::from_utf8_lossy(&text)
            .lines()
            .filter_map(|line| {
                let (by, program) = line.split_once('\t')?;
                Some(Started {
                    by: by.parse().ok()?,
                    program: program.to_owned(),
                })
            })
            .collect()
    }

    /// Whether the shim was loaded into the program: if not (the shared
    /// object unreadable to the user the program runs as, say), its log
    /// says nothing, and a check must not read that as "started nothing".
    pub fn loaded(&self) -> bool {
        self.lines().iter().any(|l| l.program == LOADED)
    }

    /// Every program started so far, in the order the log has them.
    pub fn started(&self) -> Vec<Started> {
        self.lines()
            .into_iter()
            .filter(|l| l.program != LOADED)
            .collect()
    }

    /// The programs started that are not `program` (compared as canonical
    /// paths: a name looked up in `PATH`, such as `nproc`, never is).
    pub fn others_than(&self, program: &Path) -> Vec<Started> {
        let own = std::fs::canonicalize(program).unwrap_or_else(|_| program.to_path_buf());
        self.started()
            .into_iter()
            .filter(|s| {
                let path = Path::new(&s.program);
                !(path.is_absolute() && std::fs::canonicalize(path).is_ok_and(|p| p == own))
            })
            .collect()
    }
}

impl Drop for Preloaded {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A number no other log of this process has.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_what_a_program_starts_and_pretends_cpus() {
        let mut sh = Command::new("/bin/sh");
        sh.args(["-c", "nproc; /bin/true"]);
        let shim = Preloaded::into(
            &mut sh,
            Options {
                cpus: Some(13),
                ..Options::default()
            },
        );
        let out = sh.output().expect("running /bin/sh");
        assert!(out.status.success(), "{out:?}");
        assert!(shim.loaded(), "the shim says it was loaded");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "13");
        let programs: Vec<String> = shim.started().into_iter().map(|s| s.program).collect();
        assert!(
            programs.iter().any(|p| p.ends_with("nproc"))
                && programs.iter().any(|p| p.ends_with("true")),
            "the shell's children, logged: {programs:?}"
        );
        assert_eq!(
            shim.others_than(Path::new("/bin/true")).len(),
            programs.len() - 1
        );
    }

    #[test]
    fn refuses_to_start_programs_when_asked() {
        let mut sh = Command::new("/bin/sh");
        sh.args(["-c", "/bin/true && echo started"]);
        let shim = Preloaded::into(
            &mut sh,
            Options {
                refuse_spawns: true,
                ..Options::default()
            },
        );
        let out = sh.output().expect("running /bin/sh");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("started"),
            "{out:?}"
        );
        assert!(shim.started().iter().any(|s| s.program.ends_with("true")));
    }
}
