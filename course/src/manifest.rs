//! The exercise manifest and where everything lives.
//!
//! The manifest is the one place that says what an exercise is worth: the
//! grader reads points, speed tiers and limits from here, never from code,
//! so an instructor re-weights a course by editing `exercises/info.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The workspace root (the parent of this crate's folder, `course/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the course crate lives one level below the workspace root")
        .to_path_buf()
}

/// The manifest format this code reads (`schema` in `exercises/info.toml`).
pub const MANIFEST_SCHEMA: u32 = 1;

/// `exercises/info.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Course {
    /// Version of the manifest's format: [`MANIFEST_SCHEMA`].
    pub schema: u32,
    /// Limits and speed tiers for every exercise.
    pub grading: Grading,
    /// Exercises in the order a student meets them.
    #[serde(rename = "exercise")]
    pub exercises: Vec<Exercise>,
}

/// `[grading]`: limits that keep one submission from harming the grade of
/// the others, and the default speed tiers.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grading {
    /// Wall time one exercise's suite may run (the build is not counted).
    pub wall_seconds: u64,
    /// Bytes of output kept from one suite run; past this it is killed.
    pub output_bytes: u64,
    /// `RLIMIT_NPROC` of the sandbox's user: threads count, per user.
    pub max_tasks: u64,
    /// Default partial credit for a too-slow speed check.
    pub speed: Tiers,
}

/// Partial credit for a speed check that failed for being too slow, by `r`,
/// the fraction of the reference's gain the candidate reached: nothing below
/// `none_below`, `partial` of the points from `partial_at` on, linear
/// between. A passing check earns all its points; these tiers never give a
/// failed check as much as a passing one.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    /// Below this `r`, no points.
    pub none_below: f64,
    /// From this `r` on, `partial` of the points.
    pub partial_at: f64,
    /// The most a failed check earns, as a fraction of its points.
    pub partial: f64,
}

impl Tiers {
    /// The fraction of a check's points a failed, too-slow check earns at
    /// `r`.
    pub fn credit(&self, r: f64) -> f64 {
        if !r.is_finite() || r < self.none_below {
            0.0
        } else if r >= self.partial_at {
            self.partial
        } else {
            self.partial * (r - self.none_below) / (self.partial_at - self.none_below)
        }
    }

    fn validate(&self) -> Result<()> {
        let ok = (0.0..=1.0).contains(&self.none_below)
            && self.none_below < self.partial_at
            && self.partial_at <= 1.0
            && (0.0..1.0).contains(&self.partial);
        if !ok {
            bail!(
                "speed tiers must have 0 <= none_below < partial_at <= 1 and 0 <= partial < 1: {self:?}"
            );
        }
        Ok(())
    }
}

/// How an exercise is graded.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A crate whose `tests/suite.rs` runs a suite from `tests/suites`.
    Suite,
    /// A suite exercise whose stub the compiler refuses: the student changes
    /// it until it compiles and passes its suite. The untouched stub must
    /// fail `cargo check` with exactly the error codes in `errors`.
    CompileFail,
}

/// One exercise of the manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Folder and package name, e.g. `fetch-all`.
    pub name: String,
    /// Chapter slug: the folder under `exercises/` and `solutions/`, and the
    /// book page `book/src/<chapter>.md`.
    pub chapter: String,
    /// How it is graded.
    pub kind: Kind,
    /// The book page that teaches it, relative to `book/src`, when it is
    /// not the chapter's own `<chapter>.md` (a chapter split into
    /// sub-pages, e.g. `pitfalls/locks.md`).
    #[serde(default)]
    pub page: Option<String>,
    /// What `cargo xtask hint` prints.
    pub hint: String,
    /// For a `compile-fail` exercise: the rustc error codes the untouched
    /// stub gets (`["E0277"]`). Codes, not messages: a new rustc rewords a
    /// message but keeps its code.
    #[serde(default)]
    pub errors: Vec<String>,
    /// Overrides `[grading] wall_seconds` for this exercise.
    #[serde(default)]
    pub wall_seconds: Option<u64>,
    /// Correctness points per suite test: earned when the test passes.
    #[serde(default)]
    pub points: BTreeMap<String, u32>,
    /// Suite tests that hold a speedup check, with their points.
    #[serde(default)]
    pub speed: BTreeMap<String, Speed>,
}

/// A speed check's points and, optionally, its own tiers.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Speed {
    /// Points for the check.
    pub points: u32,
    /// Overrides `[grading.speed] none_below`.
    pub none_below: Option<f64>,
    /// Overrides `[grading.speed] partial_at`.
    pub partial_at: Option<f64>,
    /// Overrides `[grading.speed] partial`.
    pub partial: Option<f64>,
}

impl Speed {
    /// This check's tiers: its own, or the course's defaults.
    pub fn tiers(&self, defaults: Tiers) -> Tiers {
        Tiers {
            none_below: self.none_below.unwrap_or(defaults.none_below),
            partial_at: self.partial_at.unwrap_or(defaults.partial_at),
            partial: self.partial.unwrap_or(defaults.partial),
        }
    }
}

/// What one suite test is worth.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Worth {
    /// Correctness: all points on a pass.
    Correct(u32),
    /// A speedup check: points scored in tiers.
    Speed {
        /// The check's points.
        points: u32,
        /// Its partial-credit tiers.
        tiers: Tiers,
    },
}

impl Worth {
    /// The most it can earn.
    pub fn max(&self) -> u32 {
        match *self {
            Self::Correct(p) | Self::Speed { points: p, .. } => p,
        }
    }
}

impl Course {
    /// Reads and validates the manifest under `root`.
    pub fn load(root: &Path) -> Result<Self> {
        let path = root.join("exercises/info.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let course: Course =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        if course.schema != MANIFEST_SCHEMA {
            bail!(
                "{} has schema {}; this xtask reads schema {MANIFEST_SCHEMA}",
                path.display(),
                course.schema
            );
        }
        course
            .grading
            .speed
            .validate()
            .with_context(|| format!("in {} [grading.speed]", path.display()))?;
        for ex in &course.exercises {
            if let Some(both) = ex.points.keys().find(|t| ex.speed.contains_key(*t)) {
                bail!(
                    "exercise `{}` lists test `{both}` under both points and speed",
                    ex.name
                );
            }
            if ex.points.is_empty() && ex.speed.is_empty() {
                bail!("exercise `{}` has no points", ex.name);
            }
            for (test, speed) in &ex.speed {
                speed
                    .tiers(course.grading.speed)
                    .validate()
                    .with_context(|| format!("exercise `{}`, speed check `{test}`", ex.name))?;
            }
            match (ex.kind, ex.errors.is_empty()) {
                (Kind::CompileFail, true) => bail!(
                    "exercise `{}` is compile-fail but names no `errors` (rustc codes such as \"E0277\")",
                    ex.name
                ),
                (Kind::Suite, false) => bail!(
                    "exercise `{}` names `errors`, which only a compile-fail exercise has",
                    ex.name
                ),
                _ => {}
            }
            if let Some(bad) = ex.errors.iter().find(|c| !is_error_code(c)) {
                bail!(
                    "exercise `{}`: `{bad}` is not a rustc error code (E followed by four digits)",
                    ex.name
                );
            }
            if ex.hint.trim().is_empty() {
                bail!(
                    "exercise `{}` in {} has an empty hint",
                    ex.name,
                    path.display()
                );
            }
        }
        Ok(course)
    }

    /// The exercise called `name`.
    pub fn find(&self, name: &str) -> Result<&Exercise> {
        self.exercises
            .iter()
            .find(|e| e.name == name)
            .with_context(|| {
                let names: Vec<_> = self.exercises.iter().map(|e| e.name.as_str()).collect();
                format!("no exercise `{name}`; there are: {}", names.join(", "))
            })
    }
}

/// `E0277`: an `E` and four digits.
fn is_error_code(code: &str) -> bool {
    code.len() == 5 && code.starts_with('E') && code[1..].chars().all(|c| c.is_ascii_digit())
}

impl Exercise {
    /// `exercises/<chapter>/<name>`, relative to the root.
    pub fn exercise_dir(&self) -> PathBuf {
        Path::new("exercises").join(&self.chapter).join(&self.name)
    }

    /// `solutions/<chapter>/<name>`, relative to the root.
    pub fn solution_dir(&self) -> PathBuf {
        Path::new("solutions").join(&self.chapter).join(&self.name)
    }

    /// The book page the exercise belongs to, relative to the root.
    pub fn page(&self) -> PathBuf {
        match &self.page {
            Some(page) => Path::new("book/src").join(page),
            None => Path::new("book/src").join(format!("{}.md", self.chapter)),
        }
    }

    /// What each suite test is worth, by test name.
    pub fn worth(&self, grading: &Grading) -> BTreeMap<&str, Worth> {
        let mut all: BTreeMap<&str, Worth> = self
            .points
            .iter()
            .map(|(t, p)| (t.as_str(), Worth::Correct(*p)))
            .collect();
        for (t, s) in &self.speed {
            all.insert(
                t,
                Worth::Speed {
                    points: s.points,
                    tiers: s.tiers(grading.speed),
                },
            );
        }
        all
    }

    /// The exercise's maximum points.
    pub fn max_points(&self) -> u32 {
        self.points.values().sum::<u32>() + self.speed.values().map(|s| s.points).sum::<u32>()
    }

    /// Wall-time limit of the exercise's suite, in seconds.
    pub fn wall_seconds(&self, grading: &Grading) -> u64 {
        self.wall_seconds.unwrap_or(grading.wall_seconds)
    }

    /// The error codes the untouched stub must get, as a set.
    pub fn expected_errors(&self) -> std::collections::BTreeSet<String> {
        self.errors.iter().cloned().collect()
    }

    /// Package name of the exercise crate (what a student builds).
    pub fn package(&self) -> &str {
        &self.name
    }

    /// Package name of the solution crate.
    pub fn solution_package(&self) -> String {
        format!("{}-solution", self.name)
    }
}
