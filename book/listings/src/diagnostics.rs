//! What the compiler says about a crate, read from cargo's JSON messages.
//!
//! A compile-fail exercise is judged by the *codes* of the errors its stub
//! gets (`E0277`, `E0373`), never by their wording: rustc rewords its
//! messages from one release to the next, but an error code keeps its
//! meaning for good (retired codes are never reused). The messages are
//! parsed with `cargo_metadata`, which follows cargo's message format, so
//! nothing here depends on how a diagnostic is laid out.
//!
//! This is why the course does not use trybuild's `compile_fail` for these
//! stubs: trybuild compares the whole rendered stderr with a stored
//! snapshot, and a rustc release that rewords a note or moves a span would
//! fail every compile-fail exercise although each stub is refused exactly
//! as before.

use std::collections::BTreeSet;
use std::io::BufReader;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;

/// One error the compiler reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// Its code, such as `E0277`; `None` for the few errors that have none.
    pub code: Option<String>,
    /// The diagnostic as rustc renders it for people (no colours).
    pub rendered: String,
}

/// The outcome of `cargo check` on one package.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// Whether it compiled.
    pub compiled: bool,
    /// The errors, in the order rustc reported them.
    pub errors: Vec<CompileError>,
}

impl Checked {
    /// The distinct error codes (errors without one count as `no code`).
    pub fn codes(&self) -> BTreeSet<String> {
        self.errors
            .iter()
            .map(|e| e.code.clone().unwrap_or_else(|| "no code".to_owned()))
            .collect()
    }

    /// The codes, for a sentence: `E0277, E0373`.
    pub fn codes_list(&self) -> String {
        self.codes().into_iter().collect::<Vec<_>>().join(", ")
    }
}

/// Reads the errors of one stream of cargo JSON messages.
pub fn errors_in(json: impl std::io::BufRead) -> Vec<CompileError> {
    Message::parse_stream(json)
        .filter_map(|m| match m {
            Ok(Message::CompilerMessage(msg)) if msg.message.level == DiagnosticLevel::Error => {
                Some(msg.message)
            }
            _ => None,
        })
        // "aborting due to N previous errors" and "could not compile" have
        // no code and no span: a summary, not an error of the code.
        .filter(|d| d.code.is_some() || !d.spans.is_empty())
        .map(|d| CompileError {
            code: d.code.map(|c| c.code),
            rendered: d.rendered.unwrap_or(d.message),
        })
        .collect()
}

/// Runs `cargo check --all-targets` on `package` in the workspace at
/// `root`, building into `target_dir` (or the workspace's own), and reads
/// its errors.
pub fn check(root: &Path, package: &str, target_dir: Option<&Path>) -> Result<Checked> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["check", "--quiet", "--message-format=json", "--package"])
        .arg(package)
        .arg("--lib")
        .env("CARGO_TERM_COLOR", "never")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(dir) = target_dir {
        cmd.env("CARGO_TARGET_DIR", dir);
    }
    let mut child = cmd.spawn().context("running cargo check")?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let errors = errors_in(BufReader::new(stdout));
    let status = child.wait().context("waiting for cargo check")?;
    Ok(Checked {
        compiled: status.success(),
        errors,
    })
}

/// `rendered` with every absolute path below `root` made relative to it,
/// so that a diagnostic reads the same on every machine.
pub fn relative(rendered: &str, root: &Path) -> String {
    let mut prefix = root.display().to_string();
    if !prefix.ends_with('/') {
        prefix.push('/');
    }
    rendered.replace(&prefix, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two messages as cargo prints them (trimmed to the fields that
    /// matter): an error with a code, and rustc's closing summary.
    const STREAM: &str = r#"{"reason":"compiler-message","package_id":"path+file:///w/x#0.1.0","manifest_path":"/w/x/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"x","src_path":"/w/x/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"message":{"rendered":"error[E0277]: `Rc<u8>` cannot be sent between threads safely\n","$message_type":"diagnostic","children":[],"code":{"code":"E0277","explanation":"x"},"level":"error","message":"`Rc<u8>` cannot be sent between threads safely","spans":[{"byte_end":1,"byte_start":0,"column_end":2,"column_start":1,"expansion":null,"file_name":"src/lib.rs","is_primary":true,"label":null,"line_end":1,"line_start":1,"suggested_replacement":null,"suggestion_applicability":null,"text":[]}]}}
{"reason":"compiler-message","package_id":"path+file:///w/x#0.1.0","manifest_path":"/w/x/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"x","src_path":"/w/x/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"message":{"rendered":"error: aborting due to 1 previous error\n","$message_type":"diagnostic","children":[],"code":null,"level":"error","message":"aborting due to 1 previous error","spans":[]}}
{"reason":"build-finished","success":false}
"#;

    #[test]
    fn reads_error_codes_and_skips_the_summary() {
        let errors = errors_in(STREAM.as_bytes());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code.as_deref(), Some("E0277"));
        let checked = Checked {
            compiled: false,
            errors,
        };
        assert_eq!(checked.codes_list(), "E0277");
    }

    #[test]
    fn paths_become_relative() {
        assert_eq!(
            relative("--> /w/ex/src/lib.rs:3:5", Path::new("/w/ex")),
            "--> src/lib.rs:3:5"
        );
    }
}
