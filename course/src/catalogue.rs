//! The catalogue: what each exercise's page promises, as data.
//!
//! One file per exercise, `course/catalogue/<name>.toml`, lists the page's
//! requirements (what the function must do, the design the chapter asks
//! for, what must never happen) and the suite's checks, each naming the
//! requirements it judges and saying how. Everything that talks about
//! "correct" reads this one list:
//!
//! - the book renders each exercise's "what the suite checks" list from it
//!   (`cargo xtask sync` writes `book/src/promises/<name>.md`, which the
//!   page includes);
//! - the decoy corpus names, for every wrong solution, the requirement it
//!   breaks, and the coverage rule (`xtask/tests/rules.rs`, run by the
//!   root `cargo test` and `cargo xtask check`) proves that every requirement
//!   has a check, every check a decoy, and every decoy a requirement its
//!   check judges;
//! - the grader reports per requirement.
//!
//! So a promise cannot be on the page without a check, and a check cannot
//! judge something the page never promised.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The catalogue format this code reads (`schema` in each file).
pub const CATALOGUE_SCHEMA: u32 = 1;

/// `course/catalogue/<exercise>.toml`: one exercise's promises and checks.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Version of the file's format: [`CATALOGUE_SCHEMA`].
    pub schema: u32,
    /// The exercise's name, as in the manifest.
    pub exercise: String,
    /// What the student writes, in one sentence, for the top of the list.
    pub summary: String,
    /// What the exercise asks, in one line, for the README's table of
    /// exercises (`cargo xtask sync` writes it there).
    pub task: String,
    /// What the page promises, in the order the page teaches it.
    #[serde(rename = "requirement")]
    pub requirements: Vec<Requirement>,
    /// The suite's checks, each with the requirements it judges.
    #[serde(rename = "check")]
    pub checks: Vec<Check>,
}

/// One promise of the page.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Short, stable name (`input-order`): decoys and reports refer to it.
    pub id: String,
    /// What sort of promise it is.
    pub kind: Promise,
    /// The promise, as the student reads it (Markdown, one paragraph).
    pub promise: String,
}

/// The sorts of promise a page makes.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Promise {
    /// What the code must return or do, seen from its caller.
    Does,
    /// The design the chapter asks for: which work runs where, what is
    /// shared, how much runs at once.
    Design,
    /// What must never happen: state kept between calls, work left running,
    /// a panic where an error belongs.
    Never,
}

impl Promise {
    /// The words a rendered list puts before the promise.
    pub fn label(self) -> &'static str {
        match self {
            Self::Does => "what it does",
            Self::Design => "the design",
            Self::Never => "never",
        }
    }
}

/// One suite check (one `#[test]` of the exercise's suite).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The test's name, as the suite writes it.
    pub name: String,
    /// The requirements it judges (ids).
    pub judges: Vec<String>,
    /// How it judges, in a sentence or two: what the suite does and what it
    /// looks at (Markdown).
    pub how: String,
}

/// `course/catalogue`, relative to the root.
pub const DIR: &str = "course/catalogue";

/// `book/src/promises`, relative to the root: the rendered lists.
pub const PAGES_DIR: &str = "book/src/promises";

impl Catalogue {
    /// The catalogue file of `exercise`, relative to the root.
    pub fn path(exercise: &str) -> PathBuf {
        Path::new(DIR).join(format!("{exercise}.toml"))
    }

    /// The rendered list of `exercise`, relative to the root.
    pub fn page_path(exercise: &str) -> PathBuf {
        Path::new(PAGES_DIR).join(format!("{exercise}.md"))
    }

    /// Reads and validates the catalogue of `exercise` under `root`.
    pub fn load(root: &Path, exercise: &str) -> Result<Self> {
        let path = root.join(Self::path(exercise));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let catalogue: Catalogue =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        catalogue
            .validate(exercise)
            .with_context(|| format!("in {}", path.display()))?;
        Ok(catalogue)
    }

    /// The rules a catalogue holds on its own: its schema and name, ids
    /// unique, every check judging known requirements, and every requirement
    /// judged by some check.
    fn validate(&self, exercise: &str) -> Result<()> {
        if self.schema != CATALOGUE_SCHEMA {
            bail!(
                "schema {}; this code reads schema {CATALOGUE_SCHEMA}",
                self.schema
            );
        }
        if self.exercise != exercise {
            bail!("names exercise `{}`, not `{exercise}`", self.exercise);
        }
        let mut ids = BTreeSet::new();
        for r in &self.requirements {
            if !ids.insert(r.id.as_str()) {
                bail!("requirement `{}` is listed twice", r.id);
            }
            if r.promise.trim().is_empty() {
                bail!("requirement `{}` promises nothing", r.id);
            }
        }
        let mut names = BTreeSet::new();
        for c in &self.checks {
            if !names.insert(c.name.as_str()) {
                bail!("check `{}` is listed twice", c.name);
            }
            if c.judges.is_empty() {
                bail!("check `{}` judges no requirement", c.name);
            }
            if let Some(unknown) = c.judges.iter().find(|j| !ids.contains(j.as_str())) {
                bail!(
                    "check `{}` judges `{unknown}`, which is no requirement here",
                    c.name
                );
            }
        }
        if let Some(r) = self.unchecked().first() {
            bail!("requirement `{}` has no check that judges it", r.id);
        }
        Ok(())
    }

    /// Requirements that no check judges (none in a valid catalogue).
    pub fn unchecked(&self) -> Vec<&Requirement> {
        self.requirements
            .iter()
            .filter(|r| !self.checks.iter().any(|c| c.judges.contains(&r.id)))
            .collect()
    }

    /// The requirement called `id`.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// The check called `name`.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The checks that judge requirement `id`, in the catalogue's order.
    pub fn checks_of(&self, id: &str) -> Vec<&Check> {
        self.checks
            .iter()
            .filter(|c| c.judges.iter().any(|j| j == id))
            .collect()
    }

    /// The check names, as a set.
    pub fn check_names(&self) -> BTreeSet<&str> {
        self.checks.iter().map(|c| c.name.as_str()).collect()
    }

    /// The page's "what the suite checks" list, in Markdown: each promise,
    /// then the checks that judge it and how. A check that judges several
    /// promises is described under the first and named under the others.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<!-- Generated by `cargo xtask sync` from {}: edit that file, not this one. -->\n",
            Self::path(&self.exercise).display()
        );
        let _ = writeln!(
            out,
            "What the suite holds {} to, promise by promise (the course catalogue, \
             `{}`):\n",
            self.summary.trim(),
            Self::path(&self.exercise).display()
        );
        let mut described = BTreeSet::new();
        for (n, r) in self.requirements.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. *{}* (`{}`): {}",
                n + 1,
                r.kind.label(),
                r.id,
                one_paragraph(&r.promise)
            );
            for c in self.checks_of(&r.id) {
                if described.insert(c.name.as_str()) {
                    let _ = writeln!(out, "   - `{}`: {}", c.name, one_paragraph(&c.how));
                } else {
                    let _ = writeln!(out, "   - `{}` (above)", c.name);
                }
            }
        }
        out
    }
}

/// Text folded onto one line, so that it stays inside a Markdown list item.
fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Catalogue {
        toml::from_str(
            r#"
            schema = 1
            exercise = "x"
            summary = "your `x`"
            task = "write x"
            [[requirement]]
            id = "order"
            kind = "does"
            promise = "In order."
            [[requirement]]
            id = "fresh"
            kind = "never"
            promise = "Never cached."
            [[check]]
            name = "a"
            judges = ["order", "fresh"]
            how = "Looks."
            [[check]]
            name = "b"
            judges = ["fresh"]
            how = "Looks again."
            "#,
        )
        .unwrap()
    }

    #[test]
    fn a_valid_catalogue_passes_and_renders_every_promise_and_check() {
        let c = sample();
        c.validate("x").unwrap();
        let md = c.markdown();
        assert!(
            md.contains("1. *what it does* (`order`): In order."),
            "{md}"
        );
        assert!(md.contains("2. *never* (`fresh`): Never cached."), "{md}");
        assert!(md.contains("   - `a`: Looks."), "{md}");
        assert!(md.contains("   - `a` (above)"), "{md}");
        assert!(md.contains("   - `b`: Looks again."), "{md}");
    }

    #[test]
    fn a_requirement_without_a_check_is_refused() {
        let mut c = sample();
        c.checks.retain(|c| c.name == "b");
        let e = c.validate("x").unwrap_err().to_string();
        assert!(e.contains("`order` has no check"), "{e}");
    }

    #[test]
    fn a_check_judging_an_unknown_requirement_is_refused() {
        let mut c = sample();
        c.checks[1].judges = vec!["speed".into()];
        let e = c.validate("x").unwrap_err().to_string();
        assert!(e.contains("judges `speed`"), "{e}");
    }

    #[test]
    fn a_check_judging_nothing_is_refused() {
        let mut c = sample();
        c.checks[1].judges.clear();
        let e = c.validate("x").unwrap_err().to_string();
        assert!(e.contains("judges no requirement"), "{e}");
    }

    #[test]
    fn a_file_for_another_exercise_is_refused() {
        let e = sample().validate("y").unwrap_err().to_string();
        assert!(e.contains("not `y`"), "{e}");
    }
}
