//! `cargo xtask`: the course's commands. See `cargo xtask --help`.

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use xtask::course::{self, Course};
use xtask::{book, pages, stubcheck, stubs};

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
            build_only: true, ..
        } => book::build(&root),
        Cmd::Book { port, .. } => book::serve(&root, port),
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
