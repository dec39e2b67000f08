//! Exercise crates generated from their solutions.
//!
//! A solution marks what the student must write:
//!
//! ```text
//!     // SOLUTION: todo!("what to do")
//!     ...the reference code...
//!     // END SOLUTION
//! ```
//!
//! The exercise gets the text after `SOLUTION:` (if any) in place of the
//! block, at the marker's indentation. Everything else (docs, signatures,
//! given code, mdBook `ANCHOR` lines) is copied, so exercise and solution
//! have the same API by construction and the book can include either.
//! The manifest gets the exercise's package name, and the suite file the
//! exercise's crate name. The book's list of each exercise's promises
//! (`book/src/promises/<name>.md`) is rendered from the course catalogue.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use course::{Catalogue, Course, Exercise};

const BEGIN: &str = "// SOLUTION:";
const END: &str = "// END SOLUTION";

/// Removes solution blocks from Rust source, leaving their stubs.
pub fn strip_solutions(source: &str) -> Result<String> {
    let mut out = String::with_capacity(source.len());
    let mut open_at: Option<usize> = None;
    for (n, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(stub) = trimmed.strip_prefix(BEGIN) {
            if let Some(first) = open_at {
                bail!(
                    "line {}: SOLUTION block inside the block opened at line {}",
                    n + 1,
                    first + 1
                );
            }
            open_at = Some(n);
            let stub = stub.trim();
            if !stub.is_empty() {
                let indent = &line[..line.len() - trimmed.len()];
                out.push_str(indent);
                out.push_str(stub);
                out.push('\n');
            }
        } else if trimmed == END {
            if open_at.take().is_none() {
                bail!("line {}: END SOLUTION without a SOLUTION block", n + 1);
            }
        } else if open_at.is_none() {
            out.push_str(line);
            out.push('\n');
        }
    }
    if let Some(first) = open_at {
        bail!(
            "the SOLUTION block opened at line {} is never closed",
            first + 1
        );
    }
    Ok(out)
}

/// One `SOLUTION` block of a solution's source: the stub's line (if the
/// marker has one) and the reference code that replaces it, each line at
/// its own indentation.
#[derive(Debug, PartialEq, Eq)]
pub struct Change {
    /// The stub's text, at the marker's indentation.
    pub stub: Option<String>,
    /// The solution's lines.
    pub solution: Vec<String>,
}

/// The `SOLUTION` blocks of `source`, in order: what a student changes to
/// turn the stub into the solution (the book prints them as a diff).
pub fn changes(source: &str) -> Result<Vec<Change>> {
    strip_solutions(source)?; // the markers are balanced
    let mut found = Vec::new();
    let mut open: Option<Change> = None;
    for line in source.lines() {
        let trimmed = line.trim_start();
        if let Some(stub) = trimmed.strip_prefix(BEGIN) {
            let indent = &line[..line.len() - trimmed.len()];
            let stub = stub.trim();
            open = Some(Change {
                stub: (!stub.is_empty()).then(|| format!("{indent}{stub}")),
                solution: Vec::new(),
            });
        } else if trimmed == END {
            found.extend(open.take());
        } else if let Some(change) = open.as_mut() {
            if !trimmed.contains("ANCHOR: ") && !trimmed.contains("ANCHOR_END: ") {
                change.solution.push(line.to_owned());
            }
        }
    }
    Ok(found)
}

/// One generated file: where it goes (relative to the root) and its text.
pub struct File {
    /// Path relative to the workspace root.
    pub path: PathBuf,
    /// Contents.
    pub text: String,
}

/// Every file of the exercise crate, generated from the solution crate.
pub fn render(root: &Path, ex: &Exercise) -> Result<Vec<File>> {
    let sol = root.join(ex.solution_dir());
    let lib_from = ex.solution_package().replace('-', "_");
    let lib_to = ex.package().replace('-', "_");
    let mut files = Vec::new();
    for rel in rust_files(&sol)? {
        let text = std::fs::read_to_string(sol.join(&rel))
            .with_context(|| format!("reading {}", sol.join(&rel).display()))?;
        let text = if rel.starts_with("src") {
            strip_solutions(&text).with_context(|| format!("in {}", sol.join(&rel).display()))?
        } else {
            text
        };
        // Tests, and a binary beside the library, name the library crate.
        let text = text.replace(&lib_from, &lib_to);
        let text = rustfmt(&text).with_context(|| format!("formatting {}", rel.display()))?;
        files.push(File {
            path: ex.exercise_dir().join(rel),
            text,
        });
    }
    files.push(File {
        path: ex.exercise_dir().join("Cargo.toml"),
        text: manifest(root, ex)?,
    });
    // The page's list of promises, rendered from the catalogue, when the
    // exercise has one (the coverage rule in `xtask/tests/rules.rs` requires that it does).
    if root.join(Catalogue::path(&ex.name)).exists() {
        files.push(File {
            path: Catalogue::page_path(&ex.name),
            text: Catalogue::load(root, &ex.name)?.markdown(),
        });
    }
    Ok(files)
}

/// Formats generated Rust as `cargo fmt` would, so that formatting the
/// workspace never makes an exercise differ from what sync generates.
fn rustfmt(source: &str) -> Result<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting rustfmt (rustup component add rustfmt)")?;
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(source.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("rustfmt failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn manifest(root: &Path, ex: &Exercise) -> Result<String> {
    let path = root.join(ex.solution_dir()).join("Cargo.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let name_line = format!("name = \"{}\"", ex.solution_package());
    if !text.contains(&name_line) {
        bail!("{} must contain `{name_line}`", path.display());
    }
    let lints = "[lints]\nworkspace = true\n";
    if !text.contains(lints) {
        bail!(
            "{} must end its lints with `{}`",
            path.display(),
            lints.trim()
        );
    }
    Ok(solution_only_tables(&text)
        .replace(&name_line, &format!("name = \"{}\"", ex.package()))
        .replace(": reference solution.", ": exercise (your code goes here).")
        .replace(
            lints,
            "[lints.rust]\n# A stub leaves parameters and fields unused until you write the body.\n\
             unused_variables = \"allow\"\ndead_code = \"allow\"\n\
             # As in the whole workspace: no `static mut` or other unsafe shortcut.\n\
             unsafe_code = \"forbid\"\n",
        ))
}

/// The manifest without its solution-only lines: those between
/// `# SOLUTION:` and `# END SOLUTION` (a feature only the reference has,
/// such as the GIL's `trace`).
fn solution_only_tables(manifest: &str) -> String {
    let mut inside = false;
    let mut out = String::with_capacity(manifest.len());
    for line in manifest.lines() {
        match line.trim() {
            "# SOLUTION:" => inside = true,
            "# END SOLUTION" => inside = false,
            _ if !inside => {
                out.push_str(line);
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

/// Rust files under `dir`, relative to it, sorted.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path.strip_prefix(dir).expect("below dir").to_path_buf());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Files whose committed text differs from what the solution generates
/// (missing files count); with `write`, they are rewritten.
pub fn sync(root: &Path, course: &Course, write: bool) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for ex in &course.exercises {
        files.extend(render(root, ex)?);
    }
    files.push(crate::readme::render(root, course)?);
    let mut stale = Vec::new();
    for file in files {
        if put(root, &file, write)? {
            stale.push(file.path);
        }
    }
    Ok(stale)
}

/// Puts back every file of exercise `ex` as generated (its stub): the
/// paths it changed.
pub fn reset(root: &Path, ex: &Exercise) -> Result<Vec<PathBuf>> {
    let mut changed = Vec::new();
    for file in render(root, ex)? {
        if put(root, &file, true)? {
            changed.push(file.path);
        }
    }
    Ok(changed)
}

/// Whether `file` differs from what is on disk; written when `write`.
fn put(root: &Path, file: &File, write: bool) -> Result<bool> {
    let target = root.join(&file.path);
    if std::fs::read_to_string(&target).ok().as_deref() == Some(file.text.as_str()) {
        return Ok(false);
    }
    if write {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, &file.text)
            .with_context(|| format!("writing {}", target.display()))?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_blocks_with_their_stub() {
        let src = "fn f(x: u8) -> u8 {\n    // SOLUTION: todo!(\"double it\")\n    x * 2\n    // END SOLUTION\n}\n// SOLUTION:\nuse std::thread;\n// END SOLUTION\n";
        assert_eq!(
            strip_solutions(src).unwrap(),
            "fn f(x: u8) -> u8 {\n    todo!(\"double it\")\n}\n"
        );
    }

    #[test]
    fn lists_each_block_as_a_change() {
        let src = "a\n    // SOLUTION: old()\n    new();\n    // END SOLUTION\n// SOLUTION:\nuse x;\n// END SOLUTION\n";
        assert_eq!(
            changes(src).unwrap(),
            vec![
                Change {
                    stub: Some("    old()".into()),
                    solution: vec!["    new();".into()]
                },
                Change {
                    stub: None,
                    solution: vec!["use x;".into()]
                },
            ]
        );
    }

    #[test]
    fn rejects_unbalanced_markers() {
        assert!(strip_solutions("// SOLUTION:\n").is_err());
        assert!(strip_solutions("// END SOLUTION\n").is_err());
        assert!(strip_solutions("// SOLUTION:\n// SOLUTION:\n// END SOLUTION\n").is_err());
    }
}
