//! Programs the suites put between a pool and the program under test.
//!
//! A pool starts its workers from a program path it is given. Given a
//! wrapper instead, a small shell script, the suite can hand every worker a
//! census file ([`harness::census`]) and other settings through its
//! environment, log the pids it started, or make one worker misbehave, and
//! then become the real program (`exec`: same pid, same pipes).
//!
//! Wrappers are written once per program and name, and kept for the
//! process's life: a script written while another thread forks can be held
//! open by the forked child until it execs, and running it then fails with
//! "text file busy", so the first use waits a moment after writing. The
//! folder is removed by a later run's suite, once this process has ended.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// This process's scratch folder, made (and stale ones removed) at first
/// use.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = std::env::temp_dir();
        remove_stale(&tmp);
        let dir = tmp.join(format!("{PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("making the suite's scratch folder");
        dir
    })
}

const PREFIX: &str = "course-suite-";

/// This process's census file: the one every wrapper hands its workers,
/// and the one this process itself records to (so that a task run in the
/// test's own process, the parent, is seen too).
pub fn census() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let file = scratch().join("census");
        std::fs::write(&file, "").expect("making the census file");
        harness::census::record_here(&file);
        file
    })
}

/// A wrapper: the script to start, and the file where it lists the pid of
/// every process it started.
#[derive(Clone, Debug)]
pub struct Wrapper {
    /// The script.
    pub path: PathBuf,
    /// One pid per line.
    pub started: PathBuf,
}

impl Wrapper {
    /// The pids this wrapper has started so far.
    pub fn pids(&self) -> Vec<u32> {
        std::fs::read_to_string(&self.started)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }
}

/// The wrapper called `name` of `program`: it logs its pid, runs the shell
/// lines `before` (which may end the process, or set variables), exports
/// the census, and becomes `program`.
pub fn wrapper(program: &Path, name: &str, before: &str) -> Wrapper {
    use std::os::unix::fs::PermissionsExt;
    static MADE: Mutex<BTreeMap<(PathBuf, String), Wrapper>> = Mutex::new(BTreeMap::new());
    let census = census();
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    let n = made.len();
    made.entry((program.to_owned(), name.to_owned()))
        .or_insert_with(|| {
            let path = scratch().join(format!("{n}-{name}"));
            let started = path.with_extension("pids");
            let script = format!(
                "#!/bin/sh\necho $$ >> {}\n{before}{}={}\nexport {}\nexec {} \"$@\"\n",
                quote(&started),
                harness::census::CENSUS_VAR,
                quote(census),
                harness::census::CENSUS_VAR,
                quote(program),
            );
            std::fs::write(&path, script).expect("writing a wrapper");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .expect("making it executable");
            // Let any child forked meanwhile by another thread reach its
            // exec, which closes its copy of the file just written.
            std::thread::sleep(Duration::from_millis(50));
            Wrapper { path, started }
        })
        .clone()
}

/// `p` quoted for the shell.
pub fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// Removes the folders of suites whose process has ended.
fn remove_stale(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The census's lines written since byte `from`, and where it ends now.
pub fn census_since(from: u64) -> (String, u64) {
    let text = std::fs::read(census()).unwrap_or_default();
    let tail = text.get(from as usize..).unwrap_or_default();
    (
        String::from_utf8_lossy(tail).into_owned(),
        text.len() as u64,
    )
}

/// Where the census ends now.
pub fn census_len() -> u64 {
    std::fs::metadata(census()).map_or(0, |m| m.len())
}
