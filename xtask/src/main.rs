//! `cargo xtask`: the course's commands. See `cargo xtask --help`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use listings::stubs;
use xtask::course::{self, Course};
use xtask::grader::report::{
    ExerciseReport, ExerciseStatus, TestStatus, first_line, pts, terminal,
};
use xtask::grader::sandbox::Sandbox;
use xtask::grader::{self, Grader, Options, gradebook};
use xtask::{book, browser, pages, stubcheck};

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
        /// Author's fast loop: reuse the last measurements instead of
        /// measuring again (each reused block says so in the page). The
        /// reader's build and CI never use this.
        #[arg(long)]
        reuse: bool,
    },
    /// Load every page of the built book (`target/book`) in headless
    /// Chromium and check what a reader sees: no console errors, every live
    /// block, plot and timeline present, search working, links and anchors
    /// sound.
    BrowserCheck {
        /// The Chromium binary.
        #[arg(long, default_value = "chromium")]
        chromium: String,
        /// Also save screenshots of these pages (e.g. `threads.html`), light
        /// and dark, into `target/screenshots`.
        #[arg(long)]
        screenshot: Vec<String>,
        /// Accept blocks that reuse earlier measurements (after
        /// `cargo xtask book --reuse`); by default they fail the check.
        #[arg(long)]
        allow_reused: bool,
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
    /// Grade a student's checkout (or, with --class, a folder of them):
    /// correctness and speed, under limits, with reports in --out.
    Grade {
        /// The student's checkout: a copy of this repository with their work.
        #[arg(required_unless_present = "class", conflicts_with = "class")]
        path: Option<PathBuf>,
        /// A folder whose every subfolder is one student's checkout; writes
        /// OUT/<student>/ reports and OUT/gradebook.{csv,json}.
        #[arg(long)]
        class: Option<PathBuf>,
        /// Where the reports go (also holds the clean course copy, .course).
        #[arg(long)]
        out: PathBuf,
        /// The student's name in the reports (default: the checkout's folder name).
        #[arg(long)]
        student: Option<String>,
        /// Grade only this exercise (repeatable).
        #[arg(long = "exercise")]
        only: Vec<String>,
        /// Override the manifest's wall limit per exercise, in seconds.
        #[arg(long)]
        wall_seconds: Option<u64>,
        /// Do not re-run speed checks (inconclusive: once; failed: best of 3).
        #[arg(long)]
        no_rerun: bool,
        /// Cargo target folder for the builds (default: grade/ inside
        /// $CARGO_TARGET_DIR or this repository's target/: kept apart from
        /// the repository's own builds, shared by every grade).
        #[arg(long)]
        target_dir: Option<PathBuf>,
        /// Also write the grade as Gradescope's results.json here (e.g.
        /// /autograder/results/results.json).
        #[arg(long, conflicts_with = "class")]
        gradescope: Option<PathBuf>,
        /// Also write the grade as a GitHub Classroom runner result here:
        /// Base64 JSON, for the autograding-grading-reporter.
        #[arg(long, conflicts_with = "class")]
        classroom: Option<PathBuf>,
    },
    /// Your progress over every exercise: which pass, which are slow and by
    /// how much, which are untouched (no instructor limits).
    Progress {
        /// Only this exercise (repeatable).
        #[arg(long = "exercise")]
        only: Vec<String>,
    },
    /// Every exercise, in the book's order: its chapter, kind, points and
    /// folder.
    List,
    /// Print an exercise's reference solution, once your exercise passes
    /// every check (its suite is run first, as `progress` runs it).
    Solution {
        /// The exercise, e.g. `fetch-all`.
        exercise: String,
    },
    /// Work through the exercises: runs the first unfinished one's suite, then
    /// again on every save in its folder, and moves on once it passes.
    Watch {
        /// Start from this exercise instead of the first.
        exercise: Option<String>,
    },
    /// Put an exercise back to its stub: every file the course generates for
    /// it is written again (your changes to them are lost, unless you
    /// committed them).
    Reset {
        /// The exercise, e.g. `fetch-all`.
        exercise: String,
    },
    /// Gradebook commands.
    Gradebook {
        #[command(subcommand)]
        command: GradebookCmd,
    },
    /// Write grading/report.schema.json from the report's types.
    ReportSchema,
    /// Print `--exclude <package>` for every compile-fail exercise, whose
    /// stub the compiler refuses on purpose: for `cargo clippy --workspace`.
    Refused,
}

#[derive(Subcommand)]
enum GradebookCmd {
    /// Merge report.json files (one per student, e.g. from CI jobs) into
    /// OUT/gradebook.{csv,json}.
    Merge {
        /// The reports.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Where the gradebook goes.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> Result<()> {
    let root = course::root();
    let course = Course::load(&root)?;
    match Cli::parse().command {
        Cmd::Book {
            build_only,
            port,
            reuse,
        } => {
            let measure = if reuse {
                book::Measure::Reuse
            } else {
                book::Measure::Fresh
            };
            if build_only {
                book::build(&root, measure)
            } else {
                book::serve(&root, port, measure)
            }
        }
        Cmd::BrowserCheck {
            chromium,
            screenshot,
            allow_reused,
        } => browser::check(&root, &chromium, &screenshot, allow_reused),
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
        Cmd::Grade {
            path,
            class,
            out,
            student,
            only,
            wall_seconds,
            no_rerun,
            target_dir,
            gradescope,
            classroom,
        } => {
            let options = Options {
                only,
                wall_seconds,
                rerun_inconclusive: !no_rerun,
                target_dir: Some(target_dir.unwrap_or_else(|| default_target(&root))),
                sandbox: Sandbox::for_grading(&course.grading),
                tests: Default::default(),
            };
            let grader = Grader::new(&root, &course, &out, options)?;
            match (path, class) {
                (Some(path), _) => {
                    let name = student.unwrap_or_else(|| folder_name(&path));
                    let report = grade_one(&grader, &path, &name, &out)?;
                    write_platforms(&report, gradescope.as_deref(), classroom.as_deref())
                }
                (None, Some(class)) => grade_class(&grader, &class, &out),
                (None, None) => bail!("give a checkout or --class"),
            }
        }
        Cmd::Progress { only } => progress(&root, &course, &only),
        Cmd::List => list(&root, &course),
        Cmd::Solution { exercise } => solution(&root, &course, &exercise),
        Cmd::Watch { exercise } => xtask::watch::run(&root, &course, exercise.as_deref()),
        Cmd::Reset { exercise } => {
            let changed = stubs::reset(&root, course.find(&exercise)?)?;
            if changed.is_empty() {
                println!("{exercise} is already the stub");
            }
            for path in changed {
                println!("reset {}", path.display());
            }
            Ok(())
        }
        Cmd::Refused => {
            let args: Vec<String> = course
                .exercises
                .iter()
                .filter(|e| e.kind == xtask::course::Kind::CompileFail)
                .map(|e| format!("--exclude {}", e.package()))
                .collect();
            println!("{}", args.join(" "));
            Ok(())
        }
        Cmd::Gradebook {
            command: GradebookCmd::Merge { reports, out },
        } => {
            let book = gradebook::merge(&reports)?;
            gradebook::write(&book, &out)?;
            println!(
                "merged {} reports into {}",
                book.students.len(),
                out.join("gradebook.csv").display()
            );
            Ok(())
        }
        Cmd::ReportSchema => {
            let path = root.join(grader::report::json::SCHEMA_PATH);
            std::fs::write(&path, grader::report::json::schema())?;
            println!("wrote {}", path.display());
            Ok(())
        }
    }
}

/// `grade/` inside the repository's target folder: a target folder of its
/// own. Cargo hashes a path crate by its path inside the workspace, so the
/// course copy's `fetch-all` and the repository's own would share artifacts
/// in one target folder, and a plain `cargo test -p fetch-all` could then
/// run the last student's build (seen: the stub check "passed" the stub).
fn default_target(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("grade")
}

fn folder_name(path: &Path) -> String {
    std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "student".to_owned())
}

fn grade_one(
    grader: &Grader<'_>,
    path: &Path,
    student: &str,
    out: &Path,
) -> Result<grader::report::Report> {
    let mut term = terminal::Terminal::new();
    let report = grader.grade(path, student, &mut |e| term.event(&e))?;
    grader::write_reports(&report, out)?;
    println!("{}", terminal::table(&report));
    for f in &report.ignored {
        println!("ignored: {} ({})", f.path, f.reason);
    }
    if !report.limits.not_enforced.is_empty() {
        println!("not enforced: {}", report.limits.not_enforced.join("; "));
    }
    println!(
        "reports: {}, {}, {}",
        out.join("report.json").display(),
        out.join("junit.xml").display(),
        out.join("summary.md").display()
    );
    Ok(report)
}

/// The platforms' formats, where asked for.
fn write_platforms(
    report: &grader::report::Report,
    gradescope: Option<&Path>,
    classroom: Option<&Path>,
) -> Result<()> {
    use grader::report::platforms;
    if let Some(path) = gradescope {
        let text = serde_json::to_string_pretty(&platforms::gradescope(report))?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
        println!("gradescope: {}", path.display());
    }
    if let Some(path) = classroom {
        std::fs::write(path, platforms::classroom_base64(report))
            .with_context(|| format!("writing {}", path.display()))?;
        println!("classroom: {}", path.display());
    }
    Ok(())
}

fn grade_class(grader: &Grader<'_>, class: &Path, out: &Path) -> Result<()> {
    let mut checkouts: Vec<PathBuf> = std::fs::read_dir(class)
        .with_context(|| format!("listing {}", class.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    checkouts.sort();
    let mut reports = Vec::new();
    for checkout in checkouts {
        let student = folder_name(&checkout);
        match grade_one(grader, &checkout, &student, &out.join(&student)) {
            Ok(r) => reports.push(r),
            Err(e) => eprintln!("could not grade {student}: {e:#}"),
        }
    }
    let book = gradebook::from_reports(&reports)?;
    gradebook::write(&book, out)?;
    println!(
        "gradebook of {} students: {}",
        book.students.len(),
        out.join("gradebook.csv").display()
    );
    Ok(())
}

fn progress(root: &Path, course: &Course, only: &[String]) -> Result<()> {
    let mut term = terminal::Terminal::new();
    let report = grader::progress(root, course, only, &mut |e| term.event(&e))?;
    let mut table = tabled::builder::Builder::default();
    table.push_record(["exercise", "state", "points", "what to do next"]);
    for ex in report.graded() {
        let (state, note) = progress_state(ex);
        table.push_record([
            ex.name.clone(),
            state,
            format!("{} / {}", pts(ex.points), pts(ex.max_points)),
            terminal::shorten(&note, 100),
        ]);
    }
    println!("{}", table.build().with(tabled::settings::Style::sharp()));
    println!(
        "{} / {} points. `cargo xtask hint <exercise>` if you are stuck.",
        pts(report.points),
        pts(report.max_points)
    );
    Ok(())
}

/// Every exercise, and whether its sources are still the stub: a glance
/// without running anything (`progress` runs the suites).
fn list(root: &Path, course: &Course) -> Result<()> {
    let mut table = tabled::builder::Builder::default();
    table.push_record(["exercise", "chapter", "kind", "points", "folder", "state"]);
    for ex in &course.exercises {
        let untouched = stubs::render(root, ex)?.iter().all(|f| {
            std::fs::read_to_string(root.join(&f.path)).ok().as_deref() == Some(f.text.as_str())
        });
        table.push_record([
            ex.name.clone(),
            ex.chapter.clone(),
            format!("{:?}", ex.kind).to_lowercase(),
            ex.max_points().to_string(),
            ex.exercise_dir().display().to_string(),
            if untouched { "untouched" } else { "edited" }.to_owned(),
        ]);
    }
    println!("{}", table.build().with(tabled::settings::Style::sharp()));
    println!(
        "`cargo xtask progress` runs the suites and says which pass; `cargo xtask watch` works \
         through them one by one."
    );
    Ok(())
}

/// The reference solution of `name`, once the student's exercise passes:
/// as rustlings does, the answer comes after the work, not instead of it.
fn solution(root: &Path, course: &Course, name: &str) -> Result<()> {
    let ex = course.find(name)?;
    let mut term = terminal::Terminal::new();
    let report = grader::progress(root, course, &[name.to_owned()], &mut |e| term.event(&e))?;
    let graded = report
        .graded()
        .find(|e| e.name == name)
        .context("the exercise was not run")?;
    let (state, note) = progress_state(graded);
    if !state.starts_with("done") {
        bail!(
            "{name} is {state}: the solution is shown once it passes. {note}\n\
             `cargo xtask hint {name}` if you are stuck."
        );
    }
    let dir = root.join(ex.solution_dir()).join("src");
    for rel in grader::workspace::rust_sources(&dir)? {
        let text = std::fs::read_to_string(dir.join(&rel))?;
        println!(
            "// ===== {} =====",
            ex.solution_dir().join("src").join(&rel).display()
        );
        // The SOLUTION markers show what differs from the stub.
        println!("{text}");
    }
    Ok(())
}

/// done / failing / slow / untouched, and the first thing to fix.
fn progress_state(ex: &ExerciseReport) -> (String, String) {
    if ex.untouched && ex.status == ExerciseStatus::CompileError {
        return (
            "untouched, not compiling".into(),
            format!(
                "exercises/{}/{}/src/lib.rs: {}",
                ex.chapter,
                ex.name,
                first_line(&ex.message).trim_start_matches("untouched: ")
            ),
        );
    }
    if ex.untouched {
        return (
            "untouched".into(),
            format!("start with exercises/{}/{}/src/lib.rs", ex.chapter, ex.name),
        );
    }
    if ex.status != ExerciseStatus::Graded {
        return ("failing".into(), first_line(&ex.message).to_owned());
    }
    if let Some(t) = ex
        .tests
        .iter()
        .find(|t| matches!(t.status, TestStatus::Fail | TestStatus::NotRun) && t.check.is_none())
    {
        return (
            "failing".into(),
            format!("{}: {}", t.name, first_line(&t.message)),
        );
    }
    if let Some(t) = ex.tests.iter().find(|t| {
        matches!(
            t.status,
            TestStatus::Fail | TestStatus::Partial | TestStatus::NotRun
        )
    }) {
        let by = t.check.as_ref().map(|c| c.versus()).unwrap_or_default();
        return (
            "slow".into(),
            format!("{}: {by}. {}", t.name, first_line(&t.message)),
        );
    }
    if let Some(t) = ex.tests.iter().find(|t| t.status == TestStatus::NotJudged) {
        return (
            "done (not all judged)".into(),
            format!("{}: {}", t.name, first_line(&t.message)),
        );
    }
    ("done".into(), String::new())
}

/// The coverage rule (every promise has a check, every check a decoy, every
/// decoy a requirement), as the rules' test states it: it reads the suites'
/// and the corpus's typed lists, which only the tests link (the xtask
/// binary stays small).
fn coverage() -> Result<Vec<String>> {
    let status =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "test", "--quiet", "--locked", "-p", "xtask", "--test", "rules",
            ])
            .arg("every_promise_has_a_check_and_every_check_a_decoy")
            .status()
            .context("running the coverage rule")?;
    Ok(if status.success() {
        Vec::new()
    } else {
        vec!["the catalogue, the suites and the decoys disagree: see the coverage rule's output above".to_owned()]
    })
}

fn check(root: &std::path::Path, course: &Course) -> Result<()> {
    let mut problems: Vec<String> = stubs::sync(root, course, false)?
        .into_iter()
        .map(|p| format!("{} is out of date: run `cargo xtask sync`", p.display()))
        .collect();
    problems.extend(pages::violations(root, course)?);
    problems.extend(coverage()?);
    let all: Vec<&course::Exercise> = course.exercises.iter().collect();
    for run in stubcheck::run_all(root, &all)? {
        println!("{}", run.summary());
        problems.extend(run.problem());
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    println!("all rules hold");
    Ok(())
}
