//! The exercise manifest and where everything lives.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The workspace root (the parent of this crate's folder).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// `exercises/info.toml`.
#[derive(Debug, Deserialize)]
pub struct Course {
    /// Exercises in the order a student meets them.
    #[serde(rename = "exercise")]
    pub exercises: Vec<Exercise>,
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
    /// What `cargo xtask hint` prints.
    pub hint: String,
}

impl Course {
    /// Reads and validates the manifest under `root`.
    pub fn load(root: &Path) -> Result<Self> {
        let path = root.join("exercises/info.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let course: Course =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        for ex in &course.exercises {
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
        Path::new("book/src").join(format!("{}.md", self.chapter))
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
