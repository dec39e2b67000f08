//! `cargo xtask`: the course's commands. See `cargo xtask --help`.

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use xtask::course::{self, Course};
use xtask::{book, browser, pages, stubcheck, stubs};

#[derive(Parser)]
#[command(about = "Tooling for the threads-and-processes course")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build the book with live measurements, then serve it on 127.0.0.1.
    Book {
        /// Build and check only; do not serve.
        #[arg(long)]
        build_only: bool,
        /// Port to serve on.
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Author's fast loop: reuse the last measurements instead of
        /// measuring again (each reused block says so in the page). The
        /// reader's build and CI never use this.
        #[arg(long)]
        reuse: bool,
    },
    /// Load every page of the built book (`target/book`) in headless
    /// Chromium and check what a reader sees: no console errors, every live
    /// block, plot and timeline present, search working, links and anchors
    /// sound.
    BrowserCheck {
        /// The Chromium binary.
        #[arg(long, default_value = "chromium")]
        chromium: String,
        /// Also save screenshots of these pages (e.g. `threads.html`), light
        /// and dark, into `target/screenshots`.
        #[arg(long)]
        screenshot: Vec<String>,
        /// Accept blocks that reuse earlier measurements (after
        /// `cargo xtask book --reuse`); by default they fail the check.
        #[arg(long)]
        allow_reused: bool,
    },
    /// Print the hint of an exercise.
    Hint {
        /// The exercise, e.g. `fetch-all`.
        exercise: String,
    },
    /// Regenerate exercise crates from their solutions.
    Sync,
    /// Check the course's rules: exercises in sync, book sources sound,
    /// every stub failing its suite.
    Check,
}

fn main() -> Result<()> {
    let root = course::root();
    let course = Course::load(&root)?;
    match Cli::parse().command {
        Cmd::Book {
            build_only,
            port,
            reuse,
        } => {
            let measure = if reuse {
                book::Measure::Reuse
            } else {
                book::Measure::Fresh
            };
            if build_only {
                book::build(&root, measure)
            } else {
                book::serve(&root, port, measure)
            }
        }
        Cmd::BrowserCheck {
            chromium,
            screenshot,
            allow_reused,
        } => browser::check(&root, &chromium, &screenshot, allow_reused),
        Cmd::Hint { exercise } => {
            println!("{}", course.find(&exercise)?.hint.trim());
            Ok(())
        }
        Cmd::Sync => {
            for path in stubs::sync(&root, &course, true)? {
                println!("wrote {}", path.display());
            }
            Ok(())
        }
        Cmd::Check => check(&root, &course),
    }
}

fn check(root: &std::path::Path, course: &Course) -> Result<()> {
    let mut problems: Vec<String> = stubs::sync(root, course, false)?
        .into_iter()
        .map(|p| format!("{} is out of date: run `cargo xtask sync`", p.display()))
        .collect();
    problems.extend(pages::violations(root, course)?);
    for ex in &course.exercises {
        let run = stubcheck::run(root, ex)?;
        println!("{}", run.summary());
        problems.extend(run.problem());
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    println!("all rules hold");
    Ok(())
}
