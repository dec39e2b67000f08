//! The terminal: a progress bar while grading (indicatif; hidden when
//! stderr is not a terminal), a line per exercise, then a table.

use indicatif::{ProgressBar, ProgressStyle};
use tabled::builder::Builder;
use tabled::settings::Style;

use super::markdown::status_words;
use super::{ExerciseReport, Report, TestStatus, first_line, pts};
use crate::Event;

/// Shows grading progress from the event stream.
pub struct Terminal {
    bar: ProgressBar,
}

impl Default for Terminal {
    fn default() -> Self {
        Self::new()
    }
}

impl Terminal {
    /// A progress display on stderr.
    pub fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:20} {pos}/{len} {msg}",
            )
            .expect("a valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Self { bar }
    }

    /// Takes one event.
    pub fn event(&mut self, event: &Event) {
        match event {
            Event::GradeStarted { student, exercises } => {
                self.bar.set_length(exercises.len() as u64);
                self.bar.set_position(0);
                self.bar.println(format!("grading {student}"));
            }
            Event::Building { exercises } => {
                self.bar.set_message(format!(
                    "building {} exercises in one cargo build",
                    exercises.len()
                ));
            }
            Event::ExerciseStarted { exercise } => {
                self.bar.set_message(format!("{exercise}: starting"));
            }
            Event::Built {
                exercise,
                ok,
                seconds,
            } => {
                self.bar.set_message(if *ok {
                    format!("{exercise}: built ({seconds:.0} s for all), running its suite")
                } else {
                    format!("{exercise}: compile error")
                });
            }
            Event::TestEnded {
                exercise,
                test,
                passed,
            } => {
                self.bar.set_message(format!(
                    "{exercise}: {test} {}",
                    if *passed { "ok" } else { "FAILED" }
                ));
            }
            Event::TestFinished { .. } => {}
            Event::ExerciseFinished { report } => {
                self.bar.inc(1);
                self.bar.println(line(report));
            }
            Event::GradeFinished { .. } => {
                self.bar.finish_and_clear();
            }
        }
    }
}

/// One line for a finished exercise.
pub fn line(ex: &ExerciseReport) -> String {
    format!(
        "  {:<16} {:>5} / {:<3} {}",
        ex.name,
        pts(ex.points),
        pts(ex.max_points),
        status_words(ex.status, ex.untouched)
    )
}

/// The final table: one row per test that lost points, per exercise.
pub fn table(report: &Report) -> String {
    let mut b = Builder::default();
    b.push_record(["exercise", "test", "points", "status", "note"]);
    for ex in report.graded() {
        for t in &ex.tests {
            let status = match t.status {
                TestStatus::Pass => "pass",
                TestStatus::Partial => "partial",
                TestStatus::Fail => "FAIL",
                TestStatus::NotJudged => "not judged",
                TestStatus::NotRun => "not run",
            };
            let note = if t.status == TestStatus::Pass {
                t.check.as_ref().map(|c| c.versus()).unwrap_or_default()
            } else {
                shorten(first_line(&t.message), 90)
            };
            b.push_record([
                ex.name.clone(),
                t.name.clone(),
                format!("{} / {}", pts(t.points), pts(t.max_points)),
                status.to_owned(),
                note,
            ]);
        }
    }
    format!(
        "{}\n{}: {} / {} points in {:.0} s",
        b.build().with(Style::sharp()),
        report.student,
        pts(report.points),
        pts(report.max_points),
        report.seconds
    )
}

/// `text` cut to `n` characters with an ellipsis.
pub fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        text.chars().take(n - 1).chain(['…']).collect()
    }
}
