//! `summary.md`: the grade for people, in Markdown that GitHub renders (for
//! `$GITHUB_STEP_SUMMARY`, a pull request comment, or a student's inbox).

use std::fmt::Write;

use tabled::builder::Builder;
use tabled::settings::Style;

use super::{ExerciseStatus, Report, RequirementStatus, TestStatus, first_line, pts};

/// The summary: a total, one row per exercise, then what lost points.
pub fn summary(report: &Report) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "## Grade: {} — {} / {} points\n",
        report.student,
        pts(report.points),
        pts(report.max_points)
    );
    let mut table = Builder::default();
    table.push_record(["exercise", "points", "status", "tests", "speed"]);
    for ex in report.graded() {
        let passed = ex
            .tests
            .iter()
            .filter(|t| t.status == TestStatus::Pass)
            .count();
        let speed: Vec<String> = ex
            .tests
            .iter()
            .filter_map(|t| {
                let c = t.check.as_ref()?;
                Some(match t.status {
                    TestStatus::NotJudged => format!("{}: not judged", t.name),
                    _ => format!("{}: {}, {}", t.name, c.verdict, c.versus()),
                })
            })
            .collect();
        table.push_record([
            format!("`{}`", ex.name),
            format!("{} / {}", pts(ex.points), pts(ex.max_points)),
            status_words(ex.status, ex.untouched).to_owned(),
            format!("{passed} / {} passed", ex.tests.len()),
            speed.join("; "),
        ]);
    }
    let _ = writeln!(md, "{}\n", table.build().with(Style::markdown()));
    let mut lost = String::new();
    for ex in report.graded() {
        if ex.status != ExerciseStatus::Graded && ex.status != ExerciseStatus::Missing {
            let _ = writeln!(
                lost,
                "- **{}**: {}",
                ex.name,
                first_line(&ex.message).replace('|', "\\|")
            );
            continue;
        }
        for t in &ex.tests {
            if matches!(t.status, TestStatus::Pass) {
                continue;
            }
            let _ = writeln!(
                lost,
                "- `{}::{}` ({} / {}{}): {}",
                ex.name,
                t.name,
                pts(t.points),
                pts(t.max_points),
                if t.status == TestStatus::NotJudged {
                    ", not judged"
                } else {
                    ""
                },
                first_line(&t.message)
            );
        }
    }
    if !lost.is_empty() {
        let _ = writeln!(md, "### What lost points or was not judged\n\n{lost}");
    }
    let mut unkept = String::new();
    for ex in report.graded() {
        for r in &ex.requirements {
            if r.status == RequirementStatus::Met {
                continue;
            }
            let _ = writeln!(
                unkept,
                "- `{}` / `{}` ({}): {} — {}",
                ex.name,
                r.id,
                requirement_words(r.status),
                r.promise.replace('|', "\\|"),
                if r.failed.is_empty() {
                    String::new()
                } else {
                    format!("seen by {}", r.failed.join(", "))
                }
            );
        }
    }
    if !unkept.is_empty() {
        let _ = writeln!(
            md,
            "### Promises of the pages not kept (course catalogue)\n\n{unkept}"
        );
    }
    if !report.ignored.is_empty() {
        let _ = writeln!(md, "### Files not graded\n");
        for f in &report.ignored {
            let _ = writeln!(md, "- `{}`: {}", f.path, f.reason);
        }
        md.push('\n');
    }
    if !report.limits.not_enforced.is_empty() {
        let _ = writeln!(
            md,
            "Limits not enforced on this run: {}.\n",
            report.limits.not_enforced.join("; ")
        );
    }
    let _ = writeln!(md, "Graded in {:.0} s.", report.seconds);
    md
}

/// A requirement's status in a few words.
pub fn requirement_words(status: RequirementStatus) -> &'static str {
    match status {
        RequirementStatus::Met => "kept",
        RequirementStatus::PartlyMet => "partly kept",
        RequirementStatus::Broken => "broken",
        RequirementStatus::NotJudged => "not judged",
        RequirementStatus::NotRun => "not run",
    }
}

/// An exercise's status in a few words.
pub fn status_words(status: ExerciseStatus, untouched: bool) -> &'static str {
    match status {
        _ if untouched => "untouched (the stub)",
        ExerciseStatus::Graded => "graded",
        ExerciseStatus::Missing => "missing (the stub was graded)",
        ExerciseStatus::CompileError => "compile error",
        ExerciseStatus::TimedOut => "timed out",
        ExerciseStatus::OutputLimit => "output limit",
        ExerciseStatus::Crashed => "crashed",
        ExerciseStatus::Skipped => "skipped",
        ExerciseStatus::Refused => "refused (forged results)",
    }
}
