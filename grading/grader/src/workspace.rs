//! The clean copy of the course a submission is graded in, and what is
//! taken from a student's checkout.
//!
//! The course's tracked files (`git ls-files` of the grader's own checkout)
//! are copied once into `OUT/.course`, a stable path, so the harness and the
//! suites build once and stay built across students. Per student only
//! `exercises/<chapter>/<name>/src/**/*.rs` is taken from the checkout; an
//! edited suite, harness or manifest never reaches the build. Every other
//! file that differs from the course is listed as ignored.
//!
//! Cargo judges a path dependency fresh by file times: a student's file
//! copied with its own (older) time could be taken as already built from
//! the previous student's build. Every taken file is written anew and its
//! modification time set to now, so each student's crate is rebuilt.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

use super::report::Ignored;
use course::{Course, Exercise};
use listings::stubs;

/// A copy of the course to build submissions in.
#[derive(Clone, Debug)]
pub struct CourseCopy {
    /// Root of the copy (a Cargo workspace).
    pub root: PathBuf,
    /// The course's tracked files, relative paths.
    pub tracked: BTreeSet<PathBuf>,
}

/// The course's tracked files, relative to `root`.
pub fn tracked_files(root: &Path) -> Result<BTreeSet<PathBuf>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z", "--cached"])
        .output()
        .context("running git ls-files in the course checkout")?;
    if !out.status.success() {
        bail!(
            "git ls-files failed in {}: {}",
            root.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
        .filter(|p| root.join(p).is_file())
        .collect())
}

/// Where a copy lists the course's files it holds: a later copy removes
/// those the course no longer has (a module moved to a folder of its own
/// would otherwise be found twice).
const COPIED: &str = ".course-files";

/// Copies the course at `course_root` into `dest`, writing only files whose
/// bytes differ (so a warm copy keeps its builds), and removing the files
/// an earlier copy took from the course that the course no longer has.
pub fn prepare(course_root: &Path, dest: &Path) -> Result<CourseCopy> {
    let tracked = tracked_files(course_root)?;
    let listed = dest.join(COPIED);
    if let Ok(before) = std::fs::read_to_string(&listed) {
        let now: BTreeSet<&Path> = tracked.iter().map(PathBuf::as_path).collect();
        for gone in before.lines().map(Path::new).filter(|p| !now.contains(p)) {
            let _ = std::fs::remove_file(dest.join(gone));
        }
    }
    for rel in &tracked {
        let from = course_root.join(rel);
        let to = dest.join(rel);
        let bytes = std::fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
        if std::fs::read(&to).ok().as_deref() != Some(bytes.as_slice()) {
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&to, &bytes).with_context(|| format!("writing {}", to.display()))?;
        }
    }
    std::fs::create_dir_all(dest)?;
    let list: String = tracked
        .iter()
        .map(|p| format!("{}\n", p.display()))
        .collect();
    std::fs::write(&listed, list).with_context(|| format!("writing {}", listed.display()))?;
    Ok(CourseCopy {
        root: dest.to_path_buf(),
        tracked,
    })
}

/// What was taken from one checkout.
#[derive(Debug, Default)]
pub struct Taken {
    /// Exercises whose `src/` the checkout lacks (the stub is graded).
    pub missing: BTreeSet<String>,
    /// Exercises whose source is the course's stub, unchanged.
    pub untouched: BTreeSet<String>,
    /// Files not used.
    pub ignored: Vec<Ignored>,
}

/// Writes the student's sources for `exercises` from `checkout` into the
/// copy, with fresh modification times, after removing whatever `src/` the
/// copy held; an exercise the checkout lacks gets the course's stub.
pub fn take(
    copy: &CourseCopy,
    course_root: &Path,
    course: &Course,
    exercises: &[&Exercise],
    checkout: &Path,
) -> Result<Taken> {
    let mut taken = Taken::default();
    for ex in exercises {
        let src_rel = ex.exercise_dir().join("src");
        let dest = copy.root.join(&src_rel);
        if dest.exists() {
            std::fs::remove_dir_all(&dest)
                .with_context(|| format!("clearing {}", dest.display()))?;
        }
        let from = checkout.join(&src_rel);
        let (origin, files) = if from.join("lib.rs").is_file() {
            (from.clone(), rust_sources(&from)?)
        } else {
            taken.missing.insert(ex.name.clone());
            let stub = course_root.join(&src_rel);
            (stub.clone(), rust_sources(&stub)?)
        };
        for rel in &files {
            let bytes = std::fs::read(origin.join(rel))?;
            write_fresh(&dest.join(rel), &bytes)?;
        }
        if is_stub(course_root, ex, &dest)? {
            taken.untouched.insert(ex.name.clone());
        }
    }
    taken.ignored = ignored(copy, course, checkout)?;
    Ok(taken)
}

/// Writes `bytes` to `path` and sets its modification time to now, so cargo
/// never takes it for a file it built before.
pub fn write_fresh(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file =
        std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
    use std::io::Write;
    (&file).write_all(bytes)?;
    file.set_modified(SystemTime::now())?;
    Ok(())
}

/// Whether `src` holds exactly what `cargo xtask sync` generates for the
/// exercise: the student has not started.
pub fn is_stub(course_root: &Path, ex: &Exercise, src: &Path) -> Result<bool> {
    let generated: Vec<_> = stubs::render(course_root, ex)?
        .into_iter()
        .filter(|f| f.path.starts_with(ex.exercise_dir().join("src")))
        .collect();
    let present = rust_sources(src)?;
    if present.len() != generated.len() {
        return Ok(false);
    }
    for f in generated {
        let rel = f
            .path
            .strip_prefix(ex.exercise_dir().join("src"))
            .expect("filtered above");
        if std::fs::read_to_string(src.join(rel)).ok().as_deref() != Some(f.text.as_str()) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `.rs` files under `dir`, relative to it, sorted.
pub fn rust_sources(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(files_under(dir)?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect())
}

/// Files under `dir` (relative), skipping `.git` and `target` folders.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            let name = entry.file_name();
            if name == ".git" {
                // A folder in a clone, a file in a worktree: never graded.
                continue;
            }
            if kind.is_dir() {
                if name != "target" {
                    stack.push(path);
                }
            } else if kind.is_file() {
                found.push(path.strip_prefix(dir).expect("below dir").to_path_buf());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Whether `rel` is a path a student's file is taken from.
pub fn allowed(course: &Course, rel: &Path) -> bool {
    course.exercises.iter().any(|ex| {
        rel.starts_with(ex.exercise_dir().join("src")) && rel.extension().is_some_and(|e| e == "rs")
    })
}

/// Files of the checkout that are not taken and differ from the course (or
/// are not in it).
fn ignored(copy: &CourseCopy, course: &Course, checkout: &Path) -> Result<Vec<Ignored>> {
    let mut out = Vec::new();
    for rel in files_under(checkout)? {
        if allowed(course, &rel) {
            continue;
        }
        let reason = if copy.tracked.contains(&rel) {
            if std::fs::read(checkout.join(&rel)).ok() == std::fs::read(copy.root.join(&rel)).ok() {
                continue;
            }
            "differs from the course: only exercises/<chapter>/<name>/src/**/*.rs is graded"
        } else {
            "not part of the course: only exercises/<chapter>/<name>/src/**/*.rs is graded"
        };
        out.push(Ignored {
            path: rel.to_string_lossy().into_owned(),
            reason: reason.to_owned(),
        });
    }
    Ok(out)
}
