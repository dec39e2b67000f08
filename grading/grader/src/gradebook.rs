//! One gradebook for a class: `gradebook.csv` (one row per student, one
//! column per exercise) and `gradebook.json`, from reports graded here
//! (`cargo xtask grade --class`) or in separate CI jobs and merged
//! (`cargo xtask gradebook merge`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::report::{ExerciseStatus, Report, json};

/// Version of `gradebook.json`.
pub const GRADEBOOK_SCHEMA: u32 = 1;

/// The class's grades.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Gradebook {
    /// [`GRADEBOOK_SCHEMA`].
    pub schema: u32,
    /// Exercise names, in course order: the CSV's columns.
    pub exercises: Vec<String>,
    /// One row per student, sorted by name.
    pub students: Vec<Row>,
}

/// One student's line.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Row {
    /// The student.
    pub student: String,
    /// Total points.
    pub points: f64,
    /// Total that could be earned (speed checks not judged left out).
    pub max_points: f64,
    /// Per exercise: points, maximum and status.
    pub exercises: BTreeMap<String, Cell>,
    /// Speed checks not judged (inconclusive twice).
    pub not_judged: usize,
    /// Files of the checkout not graded.
    pub ignored_files: usize,
}

/// One exercise of one student.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Cell {
    /// Points earned.
    pub points: f64,
    /// Points that could be earned.
    pub max_points: f64,
    /// How grading ended, as in the report (`graded`, `compile_error`, …).
    pub status: ExerciseStatus,
}

/// A gradebook from reports; two reports for one student is an error.
pub fn from_reports(reports: &[Report]) -> Result<Gradebook> {
    let mut exercises: Vec<String> = Vec::new();
    let mut students: Vec<Row> = Vec::new();
    for r in reports {
        for ex in &r.exercises {
            if !exercises.contains(&ex.name) {
                exercises.push(ex.name.clone());
            }
        }
        if students.iter().any(|s| s.student == r.student) {
            bail!("two reports for student `{}`", r.student);
        }
        students.push(Row {
            student: r.student.clone(),
            points: r.points,
            max_points: r.max_points,
            exercises: r
                .exercises
                .iter()
                .map(|e| {
                    (
                        e.name.clone(),
                        Cell {
                            points: e.points,
                            max_points: e.max_points,
                            status: e.status,
                        },
                    )
                })
                .collect(),
            not_judged: r
                .exercises
                .iter()
                .flat_map(|e| &e.tests)
                .filter(|t| t.status == super::report::TestStatus::NotJudged)
                .count(),
            ignored_files: r.ignored.len(),
        });
    }
    students.sort_by(|a, b| a.student.cmp(&b.student));
    Ok(Gradebook {
        schema: GRADEBOOK_SCHEMA,
        exercises,
        students,
    })
}

/// Reads reports written by `cargo xtask grade` (in any CI job) and merges
/// them into one gradebook.
pub fn merge(paths: &[PathBuf]) -> Result<Gradebook> {
    let reports = paths
        .iter()
        .map(|p| json::read(p))
        .collect::<Result<Vec<_>>>()?;
    from_reports(&reports)
}

/// Writes `gradebook.csv` and `gradebook.json` into `out`.
pub fn write(book: &Gradebook, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let json_path = out.join("gradebook.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(book)? + "\n")
        .with_context(|| format!("writing {}", json_path.display()))?;
    let csv_path = out.join("gradebook.csv");
    let mut csv = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("writing {}", csv_path.display()))?;
    let mut header = vec!["student".to_owned(), "points".into(), "max_points".into()];
    header.extend(book.exercises.iter().cloned());
    header.extend([
        "not_judged".to_owned(),
        "ignored_files".into(),
        "notes".into(),
    ]);
    csv.write_record(&header)?;
    for s in &book.students {
        let mut row = vec![s.student.clone(), num(s.points), num(s.max_points)];
        let mut notes = Vec::new();
        for ex in &book.exercises {
            match s.exercises.get(ex) {
                Some(c) => {
                    row.push(num(c.points));
                    if !matches!(c.status, ExerciseStatus::Graded | ExerciseStatus::Skipped) {
                        let status = serde_json::to_value(c.status)?;
                        notes.push(format!("{ex}: {}", status.as_str().unwrap_or_default()));
                    }
                }
                None => row.push(String::new()),
            }
        }
        row.extend([
            s.not_judged.to_string(),
            s.ignored_files.to_string(),
            notes.join("; "),
        ]);
        csv.write_record(&row)?;
    }
    csv.flush()?;
    Ok(())
}

fn num(x: f64) -> String {
    super::report::pts(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ExerciseReport, Limits, REPORT_SCHEMA};

    fn report(student: &str, points: f64, status: ExerciseStatus) -> Report {
        Report {
            schema: REPORT_SCHEMA,
            student: student.into(),
            source: format!("/class/{student}"),
            started_unix: 0,
            seconds: 1.0,
            points,
            max_points: 10.0,
            limits: Limits {
                wall_seconds: Vec::new(),
                output_bytes: 0,
                max_tasks: 0,
                enforced: Vec::new(),
                not_enforced: Vec::new(),
            },
            ignored: Vec::new(),
            exercises: vec![ExerciseReport {
                name: "fetch-all".into(),
                chapter: "threads".into(),
                status,
                untouched: false,
                points,
                max_points: 10.0,
                message: String::new(),
                build_seconds: 0.0,
                run_seconds: 0.0,
                leftovers_killed: 0,
                tests: Vec::new(),
                requirements: Vec::new(),
            }],
        }
    }

    #[test]
    fn merges_reports_into_one_sorted_book_with_csv() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (name, pts, status) in [
            ("zoe", 10.0, ExerciseStatus::Graded),
            ("al", 0.0, ExerciseStatus::CompileError),
        ] {
            let p = dir.path().join(format!("{name}.json"));
            json::write(&report(name, pts, status), &p).unwrap();
            paths.push(p);
        }
        let book = merge(&paths).unwrap();
        assert_eq!(book.students[0].student, "al");
        write(&book, dir.path()).unwrap();
        let csv = std::fs::read_to_string(dir.path().join("gradebook.csv")).unwrap();
        assert_eq!(
            csv,
            "student,points,max_points,fetch-all,not_judged,ignored_files,notes\n\
             al,0,10,0,0,0,fetch-all: compile_error\n\
             zoe,10,10,10,0,0,\n"
        );
        let again: Gradebook = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("gradebook.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(again, book);
        // One student twice is an error, not a silent overwrite.
        assert!(merge(&[paths[0].clone(), paths[0].clone()]).is_err());
    }
}
