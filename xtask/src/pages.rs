//! Rules on the book's sources, checked without building the book.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use regex::Regex;

use crate::course::{self, Course};

/// The widest listing line the book's code blocks show whole on a desktop
/// screen. `book/css/live.css` wraps wider code rather than cut it off, but
/// a wrapped `todo!` message or comment reads badly, so those must fit.
pub const LISTING_WIDTH: usize = 80;

/// The lines of a listing that are prose for the student: comments, and
/// `todo!` messages (on the `todo!(` line or, when rustfmt breaks the call,
/// the string on the lines after it).
pub fn messages<'s>(lines: &[&'s str]) -> Vec<&'s str> {
    let mut found = Vec::new();
    let mut in_todo = false;
    for line in lines {
        let t = line.trim();
        if t.starts_with("//") || t.contains("todo!(") || (in_todo && t.starts_with('"')) {
            found.push(*line);
        }
        if t.ends_with("todo!(") {
            in_todo = true;
        } else if !t.starts_with('"') {
            in_todo = false;
        }
    }
    found
}

/// The lines mdBook shows for an include of `src` at `anchor` (the whole
/// file without one); `ANCHOR` marker lines are never shown.
pub fn listing<'s>(src: &'s str, anchor: Option<&str>) -> Vec<&'s str> {
    let mut inside = anchor.is_none();
    let mut lines = Vec::new();
    for line in src.lines() {
        let t = line.trim_end();
        if let Some(a) = anchor {
            if t.ends_with(&format!("ANCHOR: {a}")) {
                inside = true;
                continue;
            }
            if t.ends_with(&format!("ANCHOR_END: {a}")) {
                inside = false;
                continue;
            }
        }
        if inside && !t.contains("ANCHOR: ") && !t.contains("ANCHOR_END: ") {
            lines.push(line);
        }
    }
    lines
}

/// Markdown files of the book, relative to the root: `book/src` and its
/// sub-folders (a chapter's sub-pages, `book/src/pitfalls/*.md`).
pub fn markdown_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![root.join("book/src")];
    while let Some(dir) = dirs.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path.strip_prefix(root).expect("below root").to_path_buf());
            }
        }
    }
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

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The (1-based) lines of `page` that include a solution's code outside a
/// fold whose summary names it an answer: a `<details>` whose `<summary>`
/// says "solution" or "answer". The pitfalls compiler page's live blocks
/// fold their fixes the same way, in the code that writes them.
pub fn unfolded_answers(page: &str) -> Vec<usize> {
    let mut answer_folds = Vec::new();
    let mut found = Vec::new();
    for (n, line) in page.lines().enumerate() {
        let lower = line.to_lowercase();
        if let Some(at) = lower.find("<details") {
            let summary = &lower[at..];
            answer_folds.push(summary.contains("solution") || summary.contains("answer"));
        }
        let includes_a_solution =
            line.contains("{{#") && line.contains("include") && line.contains("solutions/");
        if includes_a_solution && !answer_folds.last().copied().unwrap_or(false) {
            found.push(n + 1);
        }
        if lower.contains("</details>") {
            answer_folds.pop();
        }
    }
    found
}

/// The chapters of `summary` (the book's `SUMMARY.md`) that `page` calls
/// planned: "a planned Pitfalls chapter", "**Pitfalls** *(planned)*". A
/// chapter that exists is not planned.
pub fn planned_chapters(page: &str, summary: &str) -> Vec<String> {
    let page = page.to_lowercase();
    summary
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- [")?.split_once(']'))
        .map(|(title, _)| title.split([':', ',']).next().unwrap_or(title).trim())
        .filter(|short| {
            let short = short.to_lowercase();
            page.contains(&format!("planned {short}"))
                || page.contains(&format!("{short}** *(planned)*"))
                || page.contains(&format!("{short} *(planned)*"))
        })
        .map(str::to_owned)
        .collect()
}

/// Every broken rule, as a sentence; empty when the book's sources are sound.
pub fn violations(root: &Path, course: &Course) -> Result<Vec<String>> {
    let include = Regex::new(r"\{\{#(?:rustdoc_)?include\s+([^}:\s]+)(?::([A-Za-z0-9_]+))?\s*\}\}")
        .expect("valid regex");
    let mut found = Vec::new();
    let mut pages = Vec::new();
    let summary = std::fs::read_to_string(root.join("book/src/SUMMARY.md"))?;
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
                    for line in messages(&listing(&src, cap.get(2).map(|a| a.as_str()))) {
                        let width = line.chars().count();
                        if width > LISTING_WIDTH {
                            found.push(format!(
                                "{}: a comment or todo! message in {} is {width} characters \
                                 wide; a code block shows {LISTING_WIDTH} before it wraps: `{}`",
                                rel.display(),
                                &cap[1],
                                line.trim()
                            ));
                        }
                    }
                }
            }
        }

        // A chapter that exists is not "planned".
        for chapter in planned_chapters(&text, &summary) {
            found.push(format!(
                "{}: calls the {chapter} chapter planned, but it is written",
                rel.display()
            ));
        }

        // An answer is folded and says so, so a reader meets it only by
        // asking for it.
        for n in unfolded_answers(&text) {
            found.push(format!(
                "{}:{}: a solution's code outside a fold; put it inside \
                 `<details><summary>A solution</summary>` … `</details>`",
                rel.display(),
                n
            ));
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
        // The promises and their checks come from the catalogue, rendered
        // by `cargo xtask sync`: the page includes that list, so it names
        // every check and cannot drift from the suite.
        let promises = root.join(course::Catalogue::page_path(&ex.name));
        let lists_promises = include.captures_iter(text).any(|cap| {
            let dir = root.join(&page);
            let dir = dir.parent().expect("a page has a folder");
            same_file(&dir.join(&cap[1]), &promises)
        });
        if !lists_promises {
            found.push(format!(
                "exercise {}: {} does not {{{{#include}}}} its promises, {} (rendered from \
                 the course catalogue by `cargo xtask sync`)",
                ex.name,
                page.display(),
                course::Catalogue::page_path(&ex.name).display()
            ));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_comments_and_todo_strings() {
        let lines = [
            "    // a comment",
            "    let x = 1;",
            "    todo!(\"short\")",
            "    todo!(",
            "        \"a long message\"",
            "    )",
            "    #[error(",
            "        \"an error text\"",
        ];
        assert_eq!(
            messages(&lines),
            vec![lines[0], lines[2], lines[3], lines[4]]
        );
    }

    #[test]
    fn a_written_chapter_called_planned_is_found() {
        let summary =
            "- [Intro](intro.md)\n- [Pitfalls](pitfalls.md)\n  - [Locks, and more](l.md)\n";
        assert_eq!(
            planned_chapters("4. **Pitfalls** *(planned)*. Mistakes.", summary),
            vec!["Pitfalls"]
        );
        assert_eq!(
            planned_chapters("and a planned Locks chapter", summary),
            vec!["Locks"]
        );
        assert!(planned_chapters("a planned Async chapter", summary).is_empty());
    }

    #[test]
    fn a_solution_outside_an_answer_fold_is_found() {
        let open = "{{#include ../../solutions/x/src/lib.rs:solution}}";
        let page = format!(
            "{open}\n<details><summary>A solution</summary>\n\n{open}\n\n</details>\n\
             <details><summary>More output</summary>\n{open}\n</details>\n\
             {{{{#include ../../exercises/x/src/lib.rs:stub}}}}\n"
        );
        assert_eq!(unfolded_answers(&page), vec![1, 8]);
    }

    #[test]
    fn a_listing_is_what_lies_between_its_anchors() {
        let src = "a\n// ANCHOR: x\nb\n// ANCHOR: y\nc\n// ANCHOR_END: y\n// ANCHOR_END: x\nd\n";
        assert_eq!(listing(src, Some("x")), vec!["b", "c"]);
        assert_eq!(listing(src, Some("y")), vec!["c"]);
        assert_eq!(listing(src, None), vec!["a", "b", "c", "d"]);
    }
}
