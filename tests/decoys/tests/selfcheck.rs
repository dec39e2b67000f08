//! The grader's self-check, in the slow tier (`cargo test -p decoys`, which
//! CI runs after the README's `cargo test`): made-up student
//! checkouts in temporary folders, graded by the same engine as
//! `cargo xtask grade`.
//!
//! - the stubs score 0 and the solutions full marks;
//! - each decoy of the six exercises whose decoys a student's crate can
//!   hold as they are (fetch-all, fetch-bounded and the four compile-fail
//!   exercises), made into a student's `src/lib.rs`, loses exactly the
//!   points of the checks it breaks, with the reason the corpus says (the
//!   other exercises' decoys implement the suites' traits or are whole
//!   programs: the corpus's own tests judge them, in process);
//! - a submission that deadlocks, one that panics, one that spawns threads
//!   and processes without end and one that edits the tests are each
//!   contained and scored for what they are, in one grade;
//! - a suite past the wall limit is killed and scores 0 for that exercise.
//!
//! Where: the course copy, its target folder, the reports and the made-up
//! checkouts all live in one stable folder of mode 0700 under the system's
//! temp folder, as a course under root's home folder does: graded as root,
//! the suites run as `nobody`, who cannot enter it.
//!
//! Cost: the first run builds the dependencies in that target folder, about
//! three minutes on two busy cores; later runs are warm. Each grade then
//! costs one cargo build of the student's crates and their suites (a few
//! seconds warm) plus the suites' runs. A made-up student holds one decoy of
//! each of the six exercises, so a grade judges six decoys at once. The
//! grades run one at a time (they share the copy).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use regex::Regex;

/// Grades of one decoy before it counts as let through, as in the corpus's
/// own runner (`TRIES`): a timing check may let a decoy through on a
/// busy machine.
const TRIES: usize = 3;
use xtask::course::{self, Course, Worth};
use xtask::grader::report::{ExerciseReport, ExerciseStatus, Report, TestStatus};
use xtask::grader::sandbox::{NOBODY, Sandbox};
use xtask::grader::{Grader, Options};

/// One grade at a time: they share the course copy.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

fn root() -> PathBuf {
    course::root()
}

fn course() -> Course {
    Course::load(&root()).expect("the manifest loads")
}

/// Everything a grade here touches lies in one folder that only its owner
/// may enter (mode 0700, as root's home folder is): the grader's target
/// folder, the course copy, the reports and the students' checkouts. Graded
/// as root, the suites run as `nobody`, who cannot enter it: a suite that
/// reached for anything in there (a worker binary where cargo built it)
/// would fail, and the solutions would lose points. One folder per checkout
/// of the course, stable, so that its builds stay warm between runs.
fn private_dir() -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let tag: String = root()
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let dir = std::env::temp_dir().join(format!("grade-selfcheck{tag}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

/// The grader's own target folder: never the workspace's, whose exercise
/// crates hash like the copy's; inside [`private_dir`].
fn target_dir() -> PathBuf {
    private_dir().join("target")
}

/// Where the course copy and the reports go: outside the target folder (see
/// `Grader::new`), inside [`private_dir`].
fn selfcheck_dir() -> PathBuf {
    private_dir().join("out")
}

fn grade(checkout: &Path, only: &[&str], wall: Option<u64>) -> Report {
    grade_tests(checkout, only, wall, BTreeMap::new())
}

/// [`grade`], running only `tests` of the exercises it names.
fn grade_tests(
    checkout: &Path,
    only: &[&str],
    wall: Option<u64>,
    tests: BTreeMap<String, Vec<String>>,
) -> Report {
    let course = course();
    let options = Options {
        only: only.iter().map(|s| (*s).to_owned()).collect(),
        wall_seconds: wall,
        rerun_inconclusive: true,
        target_dir: Some(target_dir()),
        sandbox: Sandbox::for_grading(&course.grading),
        tests,
    };
    let out = selfcheck_dir();
    let grader = Grader::new(&root(), &course, &out, options).expect("the course copies");
    let report = grader
        .grade(checkout, "selfcheck", &mut |_| {})
        .expect("grading completes");
    eprintln!("{}", xtask::grader::report::terminal::table(&report));
    let times: Vec<String> = report
        .graded()
        .map(|e| format!("{} {:.1}+{:.1}", e.name, e.build_seconds, e.run_seconds))
        .collect();
    eprintln!("seconds (build+run): {}", times.join(", "));
    report
}

/// A checkout holding `files` (path relative to the checkout, text).
fn checkout(files: &[(PathBuf, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir_in(private_dir()).unwrap();
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn src(ex: &str) -> PathBuf {
    let c = course();
    c.find(ex).unwrap().exercise_dir().join("src/lib.rs")
}

fn read(rel: &Path) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

fn stub(ex: &str) -> String {
    read(&src(ex))
}

fn solution(ex: &str) -> String {
    let c = course();
    read(&c.find(ex).unwrap().solution_dir().join("src/lib.rs"))
}

/// Every source file of exercise `ex`, as a student's checkout holds it:
/// the stub, or the solution with its crate name made the exercise's (as
/// `cargo xtask sync` does for the files it copies).
fn sources(ex: &str, solved: bool) -> Vec<(PathBuf, String)> {
    let c = course();
    let e = c.find(ex).unwrap();
    let from = root().join(if solved {
        e.solution_dir()
    } else {
        e.exercise_dir()
    });
    let (own, as_exercise) = (
        e.solution_package().replace('-', "_"),
        e.package().replace('-', "_"),
    );
    xtask::grader::workspace::rust_sources(&from.join("src"))
        .unwrap()
        .into_iter()
        .map(|rel| {
            let text = std::fs::read_to_string(from.join("src").join(&rel)).unwrap();
            let text = if solved {
                Regex::new(&format!(r"\b{own}\b"))
                    .unwrap()
                    .replace_all(&text, as_exercise.as_str())
                    .into_owned()
            } else {
                text
            };
            (e.exercise_dir().join("src").join(rel), text)
        })
        .collect()
}

fn exercise<'a>(r: &'a Report, name: &str) -> &'a ExerciseReport {
    r.exercises.iter().find(|e| e.name == name).unwrap()
}

/// Replaces every `todo!(...)` in `text` with `with`.
fn replace_todo(text: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("todo!(") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "todo!(".len()..];
        let mut depth = 1;
        let end = after
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("balanced todo!");
        out.push_str(with);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn stubs_score_zero_and_solutions_full_marks() {
    let _one = lock();
    let names: Vec<String> = course().exercises.iter().map(|e| e.name.clone()).collect();
    let all = |solved: bool| -> Vec<(PathBuf, String)> {
        names.iter().flat_map(|n| sources(n, solved)).collect()
    };
    let stubs = checkout(&all(false));
    let r = grade(stubs.path(), &[], None);
    assert_eq!(r.points, 0.0);
    let manifest = course();
    for ex in r.graded() {
        assert!(ex.untouched, "{} is the stub", ex.name);
        let entry = manifest.find(&ex.name).unwrap();
        if entry.kind == course::Kind::CompileFail {
            // Scored 0 for not compiling, with the stub's error codes.
            assert_eq!(ex.status, ExerciseStatus::CompileError, "{}", ex.message);
            for code in &entry.errors {
                assert!(ex.message.contains(code.as_str()), "{}", ex.message);
            }
            assert!(ex.tests.iter().all(|t| t.status == TestStatus::NotRun));
            continue;
        }
        assert_eq!(ex.status, ExerciseStatus::Graded);
        assert!(ex.tests.iter().all(|t| t.status == TestStatus::Fail));
    }
    let solutions = checkout(&all(true));
    // The grader already keeps the best of three runs of a failed speed
    // check; on a machine shared with other builds the reference GIL's
    // serial check still fails now and then (about 1 grade in 10 at load
    // 8-10 on 2 cores: its sequential run slowed twice over). A speed-only
    // loss is graded once more, up to TRIES grades; any other loss is not.
    let mut r = grade(solutions.path(), &[], None);
    for _ in 1..TRIES {
        let speed_only = r.graded().flat_map(|e| &e.tests).all(|t| {
            matches!(t.status, TestStatus::Pass | TestStatus::NotJudged)
                || (t.check.is_some() && t.reruns > 0)
        });
        if r.points == r.max_points || !speed_only {
            break;
        }
        eprintln!("a solution lost a speed check; grading again");
        r = grade(solutions.path(), &[], None);
    }
    let judged_max: f64 = course()
        .exercises
        .iter()
        .map(|e| f64::from(e.max_points()))
        .sum();
    for ex in r.graded() {
        assert_eq!(ex.status, ExerciseStatus::Graded, "{}", ex.message);
        for t in &ex.tests {
            assert!(
                matches!(t.status, TestStatus::Pass | TestStatus::NotJudged),
                "the solution lost {}::{}: {}",
                ex.name,
                t.name,
                t.message
            );
        }
    }
    assert_eq!(r.points, r.max_points);
    assert!(r.max_points > 0.0 && r.max_points <= judged_max);
}

/// A decoy of the corpus, read from `tests/decoys/src/<module>.rs`.
struct Decoy {
    function: String,
    caught_by: String,
    says: Vec<String>,
}

/// Every decoy of a corpus file: `subject`, `caught_by` and `says` of each
/// `Decoy { .. }` in its `corpus()`.
fn decoys(module: &str) -> (String, Vec<Decoy>) {
    let text = read(&Path::new("tests/decoys/src").join(format!("{module}.rs")));
    let entry = Regex::new(r#"(?s)subject:\s*(\w+),\s*caught_by:\s*"(\w+)",\s*breaks:\s*"[\w-]*",\s*says:\s*&\[(.*?)\]"#)
        .unwrap();
    let word = Regex::new(r#""((?:[^"\\]|\\.)*)""#).unwrap();
    let found = entry
        .captures_iter(&text)
        .map(|c| Decoy {
            function: c[1].to_owned(),
            caught_by: c[2].to_owned(),
            says: word.captures_iter(&c[3]).map(|w| w[1].to_owned()).collect(),
        })
        .collect();
    (text, found)
}

/// Decoy modules (`tests/decoys/src/<name>.rs`) as one module `decoy` of
/// the student's crate: their functions made public, their `corpus()`-like
/// functions (those returning `Decoy`s) and `use crate::{Class, Decoy}` left
/// out, and `crate::` made `super::` (fetch_bounded's decoys borrow
/// fetch_all's helpers). Only modules the exercise crate can compile are
/// given: the GIL's decoys implement the suite's trait, which a student's
/// crate does not see.
fn decoy_modules(names: &[&str]) -> String {
    let dir = root().join("tests/decoys/src");
    let mut out = String::from(
        "#[allow(unused_imports, dead_code, missing_docs, clippy::all)]\nmod decoy {\n",
    );
    for name in names {
        let text = std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        out.push_str(&format!("pub mod {name} {{\n"));
        for line in without_decoy_fns(&text).lines() {
            if line.starts_with("//!") || line.starts_with("use crate::{") {
                continue;
            }
            let line = line.replace("use crate::", "use super::");
            match line.strip_prefix("fn ") {
                Some(rest) => out.push_str(&format!("pub fn {rest}\n")),
                None => {
                    out.push_str(&line);
                    out.push('\n');
                }
            }
        }
        out.push_str("}\n");
    }
    out.push_str("}\n");
    out
}

/// `text` without its top-level functions that return `Decoy`s (and their
/// doc comments).
fn without_decoy_fns(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut keep = vec![true; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with("pub fn ") && lines[i].contains("Decoy") {
            let mut start = i;
            while start > 0 && lines[start - 1].starts_with("///") {
                start -= 1;
            }
            let mut depth = 0i32;
            let mut end = i;
            let mut opened = false;
            for (j, l) in lines.iter().enumerate().skip(i) {
                depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
                opened |= l.contains('{');
                if opened && depth == 0 {
                    end = j;
                    break;
                }
            }
            for k in keep.iter_mut().take(end + 1).skip(start) {
                *k = false;
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    lines
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(l, _)| *l)
        .collect::<Vec<_>>()
        .join("\n")
}

/// An exercise whose decoys the self-check grades, and how one of them
/// becomes its student's `src/lib.rs`.
struct Graded {
    ex: &'static str,
    /// Its corpus file, `tests/decoys/src/<module>.rs`.
    module: &'static str,
    /// The student's `src/lib.rs` (before the decoy modules) for a decoy
    /// function's name.
    lib: Box<dyn Fn(&str) -> String>,
    /// The corpus modules the student's crate holds.
    modules: &'static [&'static str],
}

/// An exercise whose stub has a `todo!()`: the decoy is called there.
fn stubbed(
    ex: &'static str,
    module: &'static str,
    modules: &'static [&'static str],
    call: &'static str,
) -> Graded {
    let stub = stub(ex);
    Graded {
        ex,
        module,
        modules,
        lib: Box::new(move |f| replace_todo(&stub, &format!("decoy::{module}::{f}({call})"))),
    }
}

/// A compile-fail exercise: its stub, refused by the compiler, has no
/// `todo!()` to replace, so the student's crate is the exercise's function
/// (`signature`, after `uses`) calling the decoy with `call`.
fn refused(
    ex: &'static str,
    module: &'static str,
    uses: &'static str,
    signature: &'static str,
    call: &'static str,
) -> Graded {
    Graded {
        ex,
        module,
        modules: match module {
            "total_words" => &["total_words", "spawn_lock"],
            "words_per_text" => &["words_per_text", "spawn_lock"],
            "word_frequencies" => &["word_frequencies", "spawn_lock"],
            _ => &["count_under_gil", "spawn_lock"],
        },
        lib: Box::new(move |f| {
            format!(
                "//! A decoy.\n{uses}\n/// A decoy.\npub fn {module}{signature} {{\n    \
                 decoy::{module}::{f}({call})\n}}\n"
            )
        }),
    }
}

/// The exercises whose decoys a student's crate can hold as they are (the
/// others' decoys implement the suites' traits, or are whole programs).
fn graded() -> Vec<Graded> {
    vec![
        stubbed("fetch-all", "fetch_all", &["fetch_all"], "urls"),
        stubbed(
            "fetch-bounded",
            "fetch_bounded",
            &["fetch_all", "fetch_bounded"],
            "urls, max_in_flight",
        ),
        refused(
            "total-words",
            "total_words",
            "",
            "(texts: Vec<String>, count: fn(&str) -> usize) -> usize",
            "texts, count",
        ),
        refused(
            "words-per-text",
            "words_per_text",
            "",
            "(texts: Vec<String>, count: fn(&str) -> usize) -> Vec<usize>",
            "texts, count",
        ),
        refused(
            "word-frequencies",
            "word_frequencies",
            "use std::collections::HashMap;",
            "(texts: Vec<String>, words: fn(&str) -> Vec<String>) -> HashMap<String, usize>",
            "texts, words",
        ),
        refused(
            "count-under-gil",
            "count_under_gil",
            "use gil_solution::{Gil, GilGuard};",
            "(gil: &Gil, texts: Vec<String>, count: fn(&mut GilGuard<'_>, &str) -> usize) \
             -> Vec<usize>",
            "gil, texts, count",
        ),
    ]
}

/// Every decoy of every [`graded`] exercise, made into a student's crate
/// and graded with its named check alone, loses that check's points, no
/// more, and the check fails for the corpus's reason. A student's checkout
/// holds one decoy of each exercise, so that one grade (one cargo build)
/// judges six decoys: as many grades as the longest corpus has decoys, not
/// one per decoy. Only the named check runs (the grader's test filter):
/// the in-process corpus runners judge the same check of the same decoy,
/// and the rest of a suite, ten times as long, told the grader nothing
/// more (stop 24's self-check took 1,100 s with whole suites).
#[test]
fn each_decoy_loses_exactly_its_check() {
    let _one = lock();
    let sets = graded();
    let corpora: Vec<Vec<Decoy>> = sets.iter().map(|g| decoys(g.module).1).collect();
    for (g, c) in sets.iter().zip(&corpora) {
        assert!(!c.is_empty(), "no decoys found in {}.rs", g.module);
    }
    let mut last: Vec<Vec<Option<ExerciseReport>>> =
        corpora.iter().map(|c| vec![None; c.len()]).collect();
    let mut pending: Vec<Vec<usize>> = corpora.iter().map(|c| (0..c.len()).collect()).collect();
    // A timing check may let a decoy through on a busy machine (a spinner
    // starved of CPU looks like a sleeper), or a starved suite may run out
    // of time before it can say why: like the corpus's own runner, a decoy
    // not yet judged right is graded again, up to TRIES times.
    let course = course();
    let worths: Vec<_> = sets
        .iter()
        .map(|g| course.find(g.ex).unwrap().worth(&course.grading))
        .collect();
    for _ in 0..TRIES {
        let rounds = pending.iter().map(Vec::len).max().unwrap_or(0);
        for round in 0..rounds {
            let mut files = Vec::new();
            let mut only = Vec::new();
            let mut tests = BTreeMap::new();
            for (s, g) in sets.iter().enumerate() {
                if let Some(&i) = pending[s].get(round) {
                    let d = &corpora[s][i];
                    files.push((src(g.ex), (g.lib)(&d.function) + &decoy_modules(g.modules)));
                    only.push(g.ex);
                    tests.insert(g.ex.to_owned(), vec![d.caught_by.clone()]);
                }
            }
            let dir = checkout(&files);
            let r = grade_tests(dir.path(), &only, None, tests);
            for (s, g) in sets.iter().enumerate() {
                if let Some(&i) = pending[s].get(round) {
                    last[s][i] = Some(exercise(&r, g.ex).clone());
                }
            }
        }
        for (s, p) in pending.iter_mut().enumerate() {
            p.retain(|&i| {
                last[s][i]
                    .as_ref()
                    .is_none_or(|e| judge(&corpora[s][i], e, &worths[s]).is_err())
            });
        }
        if pending.iter().all(Vec::is_empty) {
            break;
        }
    }
    let mut wrong = Vec::new();
    for (s, g) in sets.iter().enumerate() {
        for (d, e) in corpora[s].iter().zip(&last[s]) {
            let e = e.as_ref().expect("every decoy graded");
            match judge(d, e, &worths[s]) {
                Ok(said) => eprintln!("{}: decoy {said}", g.ex),
                Err(why) => wrong.push(format!("{}: decoy {why}", g.ex)),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Whether decoy `d`, graded as `e`, lost exactly what it breaks: the points
/// of the checks it fails, nothing of those it passes, and its named check
/// for the named reason. A decoy may break more than the check the corpus
/// names (one that ignores the limit also breaks the limit of one). A
/// too-slow speed check keeps the partial credit of its tier. `Ok` says what
/// it lost; `Err` what is wrong.
fn judge(
    d: &Decoy,
    e: &ExerciseReport,
    worth: &std::collections::BTreeMap<&str, Worth>,
) -> Result<String, String> {
    let broken = e.tests.iter().find(|t| t.name == d.caught_by);
    let failed = || {
        e.tests
            .iter()
            .filter(|t| !matches!(t.status, TestStatus::Pass | TestStatus::NotJudged))
    };
    let lost: Vec<String> = failed().map(|t| t.name.clone()).collect();
    let kept: f64 = failed().map(|t| t.points).sum();
    let lost_points: f64 = lost
        .iter()
        .map(|t| worth.get(t.as_str()).map_or(0.0, |w| f64::from(w.max())))
        .sum();
    let f = &d.function;
    match broken {
        _ if e.status != ExerciseStatus::Graded => {
            Err(format!("{f}: {:?}: {}", e.status, e.message))
        }
        None => Err(format!("{f}: no test `{}`", d.caught_by)),
        Some(t) if !lost.contains(&d.caught_by) => Err(format!(
            "{f}: `{}` was not broken: {:?} {}",
            d.caught_by, t.status, t.message
        )),
        Some(_) if (e.points - (e.max_points - lost_points + kept)).abs() > 1e-9 => Err(format!(
            "{f}: {} of {} points, having lost {lost:?}",
            e.points, e.max_points
        )),
        // A stuck decoy is named by the first test that got stuck; the
        // tests after it are cut short and say so.
        Some(t)
            if !d.says.iter().all(|w| {
                t.message.contains(w.as_str())
                    || (t.message.contains("cut short")
                        && e.tests.iter().any(|o| o.message.contains(w.as_str())))
            }) =>
        {
            Err(format!("{f}: the reason lacks {:?}: {}", d.says, t.message))
        }
        Some(t) => Ok(format!(
            "{f}: lost {lost:?}, {} of {} points; `{}` says: {}",
            e.points,
            e.max_points,
            d.caught_by,
            t.message.lines().next().unwrap_or("")
        )),
    }
}

/// Waits on a channel whose sender it keeps: never returns.
const DEADLOCK: &str = "{ let (tx, rx) = std::sync::mpsc::channel::<()>(); let _keep = &tx; \
                        rx.recv().ok(); unreachable!() }";

/// Starts copies of its own test process (which call it again), then
/// threads until the OS refuses one, then fails.
const SPAWNS_WITHOUT_END: &str = "{
    for _ in 0..4 {
        let _ = std::process::Command::new(std::env::current_exe().unwrap())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
    let mut n = 0usize;
    loop {
        match std::thread::Builder::new().spawn(|| std::thread::sleep(std::time::Duration::from_secs(3600))) {
            Ok(_) => n += 1,
            Err(e) => panic!(\"started {n} threads, then the OS refused: {e}\"),
        }
    }
}";

fn nobody_processes() -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter(|e| {
            std::fs::read_to_string(e.path().join("status")).is_ok_and(|s| {
                s.lines().any(|l| {
                    l.starts_with("Uid:")
                        && l.split_whitespace().nth(1) == Some(&NOBODY.to_string())
                })
            })
        })
        .count()
}

#[test]
fn misbehaving_submissions_are_contained_and_scored() {
    let _one = lock();
    let edited_suite = "#[test]\nfn everything_passes() {}\n".to_owned();
    let dir = checkout(&[
        (src("fetch-all"), replace_todo(&stub("fetch-all"), DEADLOCK)),
        (
            src("fetch-bounded"),
            replace_todo(&stub("fetch-bounded"), SPAWNS_WITHOUT_END),
        ),
        (
            src("gil"),
            replace_todo(&stub("gil"), "panic!(\"deliberate panic\")"),
        ),
        // Edits that would pass everything, were they used.
        (
            "exercises/gil/gil/tests/suite.rs".into(),
            edited_suite.clone(),
        ),
        (
            "exercises/threads/fetch-all/tests/suite.rs".into(),
            edited_suite,
        ),
        (
            "exercises/info.toml".into(),
            read(Path::new("exercises/info.toml")).replace("= 2\n", "= 200\n"),
        ),
        (
            "tests/harness/src/record.rs".into(),
            "// everything passes\n".to_owned(),
        ),
    ]);
    let before = nobody_processes();
    let r = grade(dir.path(), &["fetch-all", "fetch-bounded", "gil"], None);
    for ex in r.graded() {
        assert_eq!(ex.points, 0.0, "{} scored {}", ex.name, ex.points);
        assert!(ex.max_points > 0.0);
    }
    let deadlock = exercise(&r, "fetch-all");
    assert_eq!(deadlock.status, ExerciseStatus::Graded);
    assert!(
        deadlock
            .tests
            .iter()
            .any(|t| t.message.contains("did not finish")),
        "the suite's deadline named the stuck test"
    );
    let panics = exercise(&r, "gil");
    assert_eq!(panics.status, ExerciseStatus::Graded);
    assert!(
        panics
            .tests
            .iter()
            .any(|t| t.message.contains("deliberate panic")),
        "the panic's message reached the report"
    );
    let bomb = exercise(&r, "fetch-bounded");
    // Contained: ended by the suite or the sandbox within the wall limit,
    // scored 0, nothing left (below). How long it takes depends on the load:
    // 1-3 s on a quiet run, 78 s seen at load 10 (its copies keep the task
    // cap full, so the suite's own threads wait for their deadlines).
    assert!(
        bomb.run_seconds < f64::from(u32::try_from(course().grading.wall_seconds).unwrap()),
        "the bomb ran {} s",
        bomb.run_seconds
    );
    let ignored: Vec<&str> = r.ignored.iter().map(|i| i.path.as_str()).collect();
    for path in [
        "exercises/gil/gil/tests/suite.rs",
        "exercises/threads/fetch-all/tests/suite.rs",
        "exercises/info.toml",
        "tests/harness/src/record.rs",
    ] {
        assert!(
            ignored.contains(&path),
            "{path} not reported as ignored: {ignored:?}"
        );
    }
    if r.limits.not_enforced.is_empty() {
        assert!(
            bomb.tests.iter().any(|t| t.message.contains("OS refused")
                || t.message.contains("Resource temporarily unavailable")),
            "the bomb hit the task cap: {:?}",
            bomb.tests.iter().map(|t| &t.message).collect::<Vec<_>>()
        );
    }
    assert!(
        nobody_processes() <= before,
        "processes of the sandbox's user outlived the grade"
    );
}

#[test]
fn a_submission_that_forges_test_lines_is_refused() {
    let _one = lock();
    let forged = format!(
        "{}\n/// Prints what libtest would.\npub fn claim() {{\n    println!(\"test everything ... ok\");\n}}\n",
        solution("frames")
    );
    let dir = checkout(&[(src("frames"), forged)]);
    let r = grade(dir.path(), &["frames"], None);
    let refused = exercise(&r, "frames");
    assert_eq!(refused.status, ExerciseStatus::Refused);
    assert_eq!(refused.points, 0.0);
    assert!(
        refused.message.contains("per-test line"),
        "{}",
        refused.message
    );
}

#[test]
fn a_suite_past_the_wall_limit_is_killed_and_scores_zero_for_that_exercise() {
    let _one = lock();
    let dir = checkout(&[
        (src("fetch-all"), replace_todo(&stub("fetch-all"), DEADLOCK)),
        // A suite that settles in well under a second: the limit of 4 s is
        // the stuck one's, and fetch-bounded's own suite took 3.6 s with a
        // core hogged, so it could not stand beside it in a loaded CI run.
        (src("frames"), solution("frames")),
    ]);
    let r = grade(dir.path(), &["fetch-all", "frames"], Some(4));
    let stuck = exercise(&r, "fetch-all");
    assert_eq!(stuck.status, ExerciseStatus::TimedOut);
    assert_eq!(stuck.points, 0.0);
    assert!(stuck.message.contains("wall limit of 4 s"));
    assert!(stuck.run_seconds < 8.0, "killed at {} s", stuck.run_seconds);
    // The other exercise is graded as usual.
    let fine = exercise(&r, "frames");
    assert_eq!(fine.status, ExerciseStatus::Graded);
    assert_eq!(fine.points, fine.max_points);
}

#[test]
fn the_report_schema_is_current() {
    let kept = read(Path::new(xtask::grader::report::json::SCHEMA_PATH));
    assert!(
        kept == xtask::grader::report::json::schema(),
        "grading/report.schema.json is stale: run `cargo xtask report-schema`"
    );
}
