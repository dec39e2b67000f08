//! CPython's side of a table: a script in `python/`, run with the
//! machine's `python3`, printing one JSON object.

use std::io::ErrorKind;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::de::DeserializeOwned;

/// Runs `python/<script> <mode>` and reads its JSON; `None` when there is
/// no `python3` on this machine.
pub fn run<T: DeserializeOwned>(script: &str, mode: &str) -> Result<Option<T>> {
    let path = format!("{}/python/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = match Command::new("python3").arg(&path).arg(mode).output() {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        other => other.context("starting python3")?,
    };
    if !out.status.success() {
        bail!(
            "python3 {path} {mode} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout)
        .map(Some)
        .with_context(|| format!("reading the output of python3 {path} {mode}"))
}
