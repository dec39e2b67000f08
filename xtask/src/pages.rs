//! Rules on the book's sources, checked without building the book.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use regex::Regex;

use crate::course::Course;

/// Markdown files of the book, relative to the root.
pub fn markdown_files(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join("book/src");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.strip_prefix(root).expect("below root").to_path_buf())
        .collect();
    files.sort();
    Ok(files)
}

/// The `cmdrun` directives of a page, one per live block.
pub fn live_blocks(page: &str) -> Vec<String> {
    page.lines()
        .filter_map(|l| l.trim().strip_prefix("<!-- cmdrun "))
        .map(|l| l.trim_end_matches("-->").trim().to_owned())
        .collect()
}

/// Every broken rule, as a sentence; empty when the book's sources are sound.
pub fn violations(root: &Path, course: &Course) -> Result<Vec<String>> {
    let include = Regex::new(r"\{\{#(?:rustdoc_)?include\s+([^}:\s]+)(?::([A-Za-z0-9_]+))?\s*\}\}")
        .expect("valid regex");
    let mut found = Vec::new();
    let mut pages = Vec::new();
    for rel in markdown_files(root)? {
        let text = std::fs::read_to_string(root.join(&rel))?;
        let here = root.join(&rel);
        let dir = here.parent().expect("a file has a folder");

        // Listings come from compiled crates: a rust fence holds includes only.
        let mut in_rust = false;
        for (n, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.starts_with("```") {
                in_rust = !in_rust && t.trim_start_matches('`').starts_with("rust");
            } else if in_rust && !t.is_empty() && !include.is_match(t) {
                found.push(format!(
                    "{}:{}: code pasted into a rust listing; include it from a crate with \
                     {{{{#include path:anchor}}}}",
                    rel.display(),
                    n + 1
                ));
            }
        }

        // Every include names a file that exists and an anchor it has.
        for cap in include.captures_iter(&text) {
            let target = dir.join(&cap[1]);
            match std::fs::read_to_string(&target) {
                Err(_) => found.push(format!(
                    "{}: includes missing file {}",
                    rel.display(),
                    &cap[1]
                )),
                Ok(src) => {
                    if let Some(anchor) = cap.get(2) {
                        let marker = format!("ANCHOR: {}", anchor.as_str());
                        if !src.lines().any(|l| l.trim_end().ends_with(&marker)) {
                            found.push(format!("{}: {} has no `{marker}`", rel.display(), &cap[1]));
                        }
                    }
                }
            }
        }

        // Live output must fail visibly and come from the project's binary.
        for block in live_blocks(&text) {
            if !block.starts_with("--strict ") || !block.contains("--package live") {
                found.push(format!(
                    "{}: live block `{block}` must use `cmdrun --strict` and `--package live`",
                    rel.display()
                ));
            }
        }
        pages.push((rel, text));
    }

    for ex in &course.exercises {
        let page = ex.page();
        let wanted = format!("{}/", ex.exercise_dir().display());
        let Some((_, text)) = pages.iter().find(|(p, _)| *p == page) else {
            found.push(format!(
                "exercise {}: chapter page {} is missing",
                ex.name,
                page.display()
            ));
            continue;
        };
        let includes_it = include
            .captures_iter(text)
            .any(|cap| cap[1].contains(&wanted));
        if !includes_it {
            found.push(format!(
                "exercise {}: {} has no {{{{#include}}}} from {wanted}",
                ex.name,
                page.display()
            ));
        }
    }
    Ok(found)
}
