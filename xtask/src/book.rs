//! The live book: pinned tools, a build whose numbers are measured now, and
//! a check that every live block made it into the pages.
//!
//! mdbook-cmdrun drops a block whose command fails and the build still
//! succeeds, so a page could silently lose its numbers. Every live command
//! ends its output with [`LIVE_OK`]; after the build, each page must hold as
//! many of those as it has `cmdrun` directives.

use std::path::Path;
use std::process::{Command, ExitStatus};

use anyhow::{Context, Result, bail, ensure};

use crate::pages;

/// The tools the book needs, pinned: mdbook-cmdrun 0.7.3 cannot parse the
/// input of mdbook 0.5, so mdbook stays on 0.4.
pub const TOOLS: [(&str, &str); 2] = [("mdbook", "0.4.52"), ("mdbook-cmdrun", "0.7.3")];

pub use harness::record::LIVE_OK;

/// Where `book.toml` sends the HTML, relative to the root.
pub const OUT_DIR: &str = "target/book";

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    ensure!(status.success(), "{cmd:?} failed with {status}");
    Ok(())
}

/// Installs each pinned tool that `cargo install --list` does not show at
/// its pinned version.
pub fn ensure_tools() -> Result<()> {
    let listed = Command::new(cargo())
        .args(["install", "--list"])
        .output()
        .context("running cargo install --list")?;
    let listed = String::from_utf8_lossy(&listed.stdout);
    for (name, version) in TOOLS {
        if listed
            .lines()
            .any(|l| l.starts_with(&format!("{name} v{version}:")))
        {
            continue;
        }
        eprintln!("installing {name} {version} (a few minutes, once)");
        run(Command::new(cargo()).args(["install", "--locked", name, "--version", version]))?;
    }
    Ok(())
}

/// Environment variable naming the current build, so that blocks showing
/// the same measurement (a table and its plot) share one run. Read by
/// `book/live` (`live::store`).
pub const BUILD_ENV: &str = "LIVE_BUILD";
/// Environment variable that makes `book/live` reuse the last saved
/// measurements, marking every such block as reused in the page.
pub const REUSE_ENV: &str = "LIVE_REUSE";

/// Whether to measure afresh or reuse the last measurements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Measure everything now: the reader's build, and CI.
    Fresh,
    /// Reuse the last saved measurements where there are some, and say so
    /// in the page: the author's fast loop.
    Reuse,
}

fn book_env(cmd: &mut Command, measure: Measure) -> &mut Command {
    let build = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    cmd.env(BUILD_ENV, format!("{build}-{}", std::process::id()));
    match measure {
        Measure::Fresh => cmd.env_remove(REUSE_ENV),
        Measure::Reuse => cmd.env(REUSE_ENV, "1"),
    }
}

/// Builds the live binary and the book, then checks the live blocks.
pub fn build(root: &Path, measure: Measure) -> Result<()> {
    ensure_tools()?;
    let started = std::time::Instant::now();
    // Build once up front, so the cmdrun blocks only run it; cargo's own
    // progress shows, so a first build of several minutes is not silence.
    eprintln!(
        "building the binary that measures the live blocks, in release (minutes the first \
         time, seconds after)"
    );
    run(Command::new(cargo())
        .current_dir(root)
        .args(["build", "--release", "--package", "live"]))?;
    eprintln!("measuring and building the book: each measurement is named as it is saved");
    let mut mdbook = book_env(
        Command::new("mdbook").current_dir(root).arg("build"),
        measure,
    )
    .spawn()
    .context("starting mdbook build")?;
    let status = report_measurements(root, &mut mdbook)?;
    ensure!(status.success(), "mdbook build failed with {status}");
    let missing = verify(root)?;
    if !missing.is_empty() {
        bail!(
            "live output missing from the built book:\n  {}",
            missing.join("\n  ")
        );
    }
    eprintln!(
        "book built in {OUT_DIR}/index.html with every live block filled, in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        match measure {
            Measure::Fresh => "measured afresh",
            Measure::Reuse => "reusing saved measurements where there were some",
        }
    );
    Ok(())
}

/// Waits for `mdbook` (whose cmdrun blocks keep the live binary's output
/// to themselves), naming each measurement as the live binary saves it in
/// `target/live/`, and saying every half minute that it is still at work:
/// a first build that measures for minutes is never silent.
fn report_measurements(root: &Path, mdbook: &mut std::process::Child) -> Result<ExitStatus> {
    let saved = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), Into::into)
        .join("live");
    let started = std::time::SystemTime::now();
    let mut seen = std::collections::BTreeSet::new();
    let mut last_word = std::time::Instant::now();
    loop {
        if let Some(status) = mdbook.try_wait()? {
            return Ok(status);
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        let fresh: Vec<String> = std::fs::read_dir(&saved)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                e.metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t >= started)
            })
            .map(|e| {
                e.file_name()
                    .to_string_lossy()
                    .trim_end_matches(".json")
                    .to_owned()
            })
            .filter(|name| !seen.contains(name))
            .collect();
        for name in fresh {
            eprintln!("  measured {name}");
            seen.insert(name);
            last_word = std::time::Instant::now();
        }
        if last_word.elapsed() >= std::time::Duration::from_secs(30) {
            eprintln!(
                "  still measuring ({} measurements so far, {:.0} s)",
                seen.len(),
                started.elapsed().unwrap_or_default().as_secs_f64()
            );
            last_word = std::time::Instant::now();
        }
    }
}

/// Pages whose built HTML lacks some of their live blocks.
pub fn verify(root: &Path) -> Result<Vec<String>> {
    let mut missing = Vec::new();
    for rel in pages::markdown_files(root)? {
        let source = std::fs::read_to_string(root.join(&rel))?;
        let wanted = pages::live_blocks(&source).len();
        if wanted == 0 {
            continue;
        }
        // A sub-page `book/src/pitfalls/x.md` is built as `pitfalls/x.html`.
        let page = rel.strip_prefix("book/src").unwrap_or(&rel);
        let html_path = root.join(OUT_DIR).join(page.with_extension("html"));
        let html = std::fs::read_to_string(&html_path).unwrap_or_default();
        let got = html.matches(LIVE_OK).count();
        if got < wanted {
            missing.push(format!(
                "{}: {got} of {wanted} live blocks (see {})",
                rel.display(),
                html_path.display()
            ));
        }
    }
    Ok(missing)
}

/// Builds, then serves the book with live reload on `port`. Each rebuild
/// measures again, unless `measure` is [`Measure::Reuse`].
pub fn serve(root: &Path, port: u16, measure: Measure) -> Result<()> {
    build(root, measure)?;
    let mut serve = Command::new("mdbook");
    serve.current_dir(root).args([
        "serve",
        "--hostname",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]);
    if measure == Measure::Reuse {
        serve.env(REUSE_ENV, "1");
    }
    run(&mut serve)
}
