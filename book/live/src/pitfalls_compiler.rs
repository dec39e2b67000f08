//! Chapter 4, Pitfalls: what the compiler says about the compile-fail
//! exercises' stubs, captured while the book builds.
//!
//! `live pitfalls compiler <exercise>` runs `cargo check` on the untouched
//! stub (in a scratch target folder of its own), and prints every error as
//! rustc rendered it, paths relative to the repository, then, folded as an
//! answer, the changes that make it the reference solution, read from the
//! solution's `SOLUTION` blocks. Nothing is pasted: a new rustc's wording shows up in
//! the next build of the book.

use std::fmt::Write as _;
use std::process::Command;

use anyhow::{Context, Result, bail};
use course::{self, Course, Kind};
use listings::{diagnostics, stubs};

use crate::section;
use crate::store::Provenance;

/// The block for exercise `name`: its stub's errors and the fix.
pub fn compiler(name: &str) -> Result<String> {
    let root = course::root();
    let course = Course::load(&root)?;
    let ex = course.find(name)?;
    if ex.kind != Kind::CompileFail {
        bail!("{name} is not a compile-fail exercise");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), Into::into)
        .join("live-refused");
    let checked = diagnostics::check(&root, ex.package(), Some(&target))?;
    if checked.compiled || checked.codes() != ex.expected_errors() {
        bail!(
            "the stub of {name} should be refused with [{}], but cargo check gave [{}]{}",
            ex.errors.join(", "),
            checked.codes_list(),
            if checked.compiled {
                " and compiled"
            } else {
                ""
            }
        );
    }
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .context("running rustc --version")?;
    let rustc = String::from_utf8_lossy(&rustc.stdout).trim().to_owned();
    let mut body = format!(
        "What `cargo check` says about `{}/src/lib.rs`, the untouched stub, with {rustc}:\n\n\
         ```text\n",
        ex.exercise_dir().display()
    );
    for e in &checked.errors {
        body.push_str(diagnostics::relative(&e.rendered, &root).trim_end());
        body.push_str("\n\n");
    }
    body = body.trim_end().to_owned();
    // The fix is the exercise's answer: folded, as every answer in the book
    // is (`cargo xtask check` finds any that is not).
    body.push_str(
        "\n```\n\n<details><summary>The answer: the changes that make the stub the \
         reference solution</summary>\n\n```diff\n",
    );
    let source = std::fs::read_to_string(root.join(ex.solution_dir()).join("src/lib.rs"))?;
    for change in stubs::changes(&source)? {
        if let Some(stub) = &change.stub {
            writeln!(body, "-{stub}")?;
        }
        for line in &change.solution {
            writeln!(body, "+{line}")?;
        }
    }
    body.push_str("```\n\n</details>\n");
    Ok(section(
        &format!("pitfalls compiler {name}"),
        &body,
        &Provenance::now(),
    ))
}
