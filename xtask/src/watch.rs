//! `cargo xtask watch`: the student's loop, as rustlings users know it.
//! Runs the first unfinished exercise's suite, then again on every save in
//! its folder, and moves on to the next unfinished one once it passes.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};

use crate::course::{Course, Exercise, Kind};

/// Saves closer together than this are one change (an editor writes a
/// file in several steps).
const SETTLE: Duration = Duration::from_millis(300);

/// Runs `cargo test` for `ex` and says whether it passed: its output is
/// shown, or kept back when `quiet` (asking whether an exercise is done).
fn passes(root: &Path, ex: &Exercise, quiet: bool) -> Result<bool> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["test", "--quiet", "--package", ex.package()]);
    if quiet {
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
    }
    let status = cmd
        .status()
        .with_context(|| format!("running the suite of {}", ex.name))?;
    Ok(status.success())
}

/// Watches from `from` (an exercise's name), or from the first exercise,
/// skipping those that already pass; returns when every one passes.
pub fn run(root: &Path, course: &Course, from: Option<&str>) -> Result<()> {
    let start = match from {
        Some(name) => course
            .exercises
            .iter()
            .position(|e| e.name == name)
            .with_context(|| format!("no exercise named {name}"))?,
        None => 0,
    };
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|e| e.kind.is_modify() || e.kind.is_create()) {
            let _ = tx.send(());
        }
    })
    .context("starting the file watcher")?;
    for ex in &course.exercises[start..] {
        eprintln!("checking {} ...", ex.name);
        if passes(root, ex, true)? {
            eprintln!("{} passes already", ex.name);
            continue;
        }
        let src = root.join(ex.exercise_dir()).join("src");
        watcher
            .watch(&src, RecursiveMode::Recursive)
            .with_context(|| format!("watching {}", src.display()))?;
        let what = match ex.kind {
            Kind::CompileFail => "make it compile, then pass",
            _ => "make it pass",
        };
        eprintln!(
            "\n== {} ({}): {what}. Edit {} and save; `cargo xtask hint {}` if you are stuck. \
             Ctrl-C to stop.",
            ex.name,
            ex.chapter,
            src.display(),
            ex.name
        );
        while !passes(root, ex, false)? {
            eprintln!("\n-- waiting for a save in {} --", src.display());
            rx.recv().context("the file watcher stopped")?;
            // One change, however many writes the editor made.
            while rx.recv_timeout(SETTLE).is_ok() {}
        }
        watcher.unwatch(&src).ok();
        eprintln!(
            "\n{} passes. `cargo xtask solution {}` shows the reference solution.",
            ex.name, ex.name
        );
    }
    eprintln!("every exercise from here on passes");
    Ok(())
}
