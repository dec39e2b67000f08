//! The corpus held against the course catalogue.
//!
//! [`entries`] lists, per exercise, the suite's checks (from the suite's own
//! typed list, `CHECKS` or `checks::<G>()`) and every decoy of the corpus
//! with the check that must reject it and the requirement it breaks. Read
//! without running anything, so the coverage rule is quick.
//!
//! [`problems`] is the rule that keeps page, suite and corpus together:
//! every requirement has a check, every check is in the suite and judges
//! requirements of the page, every check has a decoy, and every decoy
//! breaks a requirement that its check judges.

use std::collections::BTreeSet;
use std::path::Path;

use course::{Catalogue, Course};

use crate::Decoy;

/// What the corpus says of one decoy, without its code.
#[derive(Clone, Debug)]
pub struct Listed {
    /// The decoy's name.
    pub name: &'static str,
    /// The check that must reject it.
    pub caught_by: &'static str,
    /// The requirement it breaks.
    pub breaks: &'static str,
}

impl<S> From<&Decoy<S>> for Listed {
    fn from(d: &Decoy<S>) -> Self {
        Self {
            name: d.name,
            caught_by: d.caught_by,
            breaks: d.breaks,
        }
    }
}

/// One exercise: its suite's checks and its decoys.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The exercise's name in the manifest.
    pub exercise: &'static str,
    /// The suite's checks, by name, as the suite declares them.
    pub checks: Vec<&'static str>,
    /// Every decoy of the corpus for this exercise.
    pub decoys: Vec<Listed>,
}

fn listed<S>(decoys: &[Decoy<S>]) -> Vec<Listed> {
    decoys.iter().map(Listed::from).collect()
}

fn names<S>(checks: &[suites::Check<S>]) -> Vec<&'static str> {
    checks.iter().map(|&(name, _)| name).collect()
}

/// Every exercise the corpus covers.
pub fn entries() -> Vec<Entry> {
    use crate as d;
    use suites as s;
    let mut gil = listed(&d::gil::corpus());
    gil.extend(listed(&d::gil::timed()));
    gil.push(Listed::from(&d::gil::releases_without_notifying()));
    gil.push(Listed::from(&d::gil::deadlocks_in_check_in()));
    gil.push(Listed::from(&d::gil::shares_the_drop_request()));
    gil.push(Listed::from(&d::gil::one_wake_up_in_flight()));
    let mut pool = listed(&d::pool::corpus());
    pool.extend(listed(&d::pool::stuck()));
    pool.extend(listed(&d::pool::stuck_hello()));
    let mut fetch_bounded = listed(&d::fetch_bounded::corpus());
    fetch_bounded.push(Listed::from(&d::fetch_bounded::stuck()));
    fetch_bounded.extend(listed(&d::fetch_source::fetch_bounded()));
    let mut poison = listed(&d::poison::corpus());
    poison.extend(listed(&d::fetch_source::poison()));
    let mut page_cache = listed(&d::page_cache::corpus());
    page_cache.extend(listed(&d::fetch_source::page_cache()));
    let mut fetch_all = listed(&d::fetch_all::corpus());
    fetch_all.extend(listed(&d::fetch_source::fetch_all()));
    vec![
        Entry {
            exercise: "fetch-all",
            checks: names(s::fetch_all::CHECKS),
            decoys: fetch_all,
        },
        Entry {
            exercise: "fetch-bounded",
            checks: names(s::fetch_bounded::CHECKS),
            decoys: fetch_bounded,
        },
        Entry {
            exercise: "fetch-paced",
            checks: names(s::fetch_paced::CHECKS),
            decoys: listed(&d::fetch_paced::corpus()),
        },
        Entry {
            exercise: "gil",
            checks: s::gil::check_names(),
            decoys: gil,
        },
        Entry {
            exercise: "frames",
            checks: names(s::frames::CHECKS),
            decoys: listed(&d::frames::corpus()),
        },
        Entry {
            exercise: "pool",
            checks: names(s::pool::CHECKS),
            decoys: pool,
        },
        Entry {
            exercise: "manager",
            checks: names(s::manager::CHECKS),
            decoys: listed(&d::manager::corpus()),
        },
        Entry {
            exercise: "diagnose",
            checks: names(s::diagnose::CHECKS),
            decoys: listed(&d::diagnose::corpus()),
        },
        Entry {
            exercise: "combine",
            checks: names(s::combine::CHECKS),
            decoys: listed(&d::combine::corpus()),
        },
        Entry {
            exercise: "guard",
            checks: names(s::guard::CHECKS),
            decoys: listed(&d::guard::corpus()),
        },
        Entry {
            exercise: "workers",
            checks: names(s::workers::CHECKS),
            decoys: listed(&d::workers::corpus()),
        },
        Entry {
            exercise: "total-words",
            checks: names(s::total_words::CHECKS),
            decoys: listed(&d::total_words::corpus())
                .into_iter()
                .chain(listed(&d::fetch_source::total_words()))
                .collect(),
        },
        Entry {
            exercise: "words-per-text",
            checks: names(s::words_per_text::CHECKS),
            decoys: listed(&d::words_per_text::corpus())
                .into_iter()
                .chain(listed(&d::fetch_source::words_per_text()))
                .collect(),
        },
        Entry {
            exercise: "word-frequencies",
            checks: names(s::word_frequencies::CHECKS),
            decoys: listed(&d::word_frequencies::corpus())
                .into_iter()
                .chain(listed(&d::fetch_source::word_frequencies()))
                .collect(),
        },
        Entry {
            exercise: "count-under-gil",
            checks: names(s::count_under_gil::CHECKS),
            decoys: listed(&d::count_under_gil::corpus())
                .into_iter()
                .chain(listed(&d::fetch_source::count_under_gil()))
                .collect(),
        },
        Entry {
            exercise: "lock-order",
            checks: names(s::lock_order::CHECKS),
            decoys: listed(&d::lock_order::corpus()),
        },
        Entry {
            exercise: "page-cache",
            checks: names(s::page_cache::CHECKS),
            decoys: page_cache,
        },
        Entry {
            exercise: "poison",
            checks: names(s::poison::CHECKS),
            decoys: poison,
        },
        Entry {
            exercise: "false-sharing",
            checks: names(s::false_sharing::CHECKS),
            decoys: listed(&d::false_sharing::corpus()),
        },
    ]
}

/// Every way the catalogue, the suites and the corpus disagree, one line
/// each (empty when they agree).
pub fn problems(root: &Path, course: &Course) -> Vec<String> {
    let entries = entries();
    let mut found = Vec::new();
    for ex in &course.exercises {
        let Some(entry) = entries.iter().find(|e| e.exercise == ex.name) else {
            found.push(format!(
                "{}: the decoy corpus has no entry (tests/decoys/src/catalogue.rs)",
                ex.name
            ));
            continue;
        };
        match Catalogue::load(root, &ex.name) {
            Ok(catalogue) => found.extend(disagreements(&catalogue, entry, ex)),
            Err(e) => found.push(format!("{}: {e:#}", ex.name)),
        }
    }
    for entry in &entries {
        if course.exercises.iter().all(|e| e.name != entry.exercise) {
            found.push(format!(
                "{}: in the decoy corpus but not in exercises/info.toml",
                entry.exercise
            ));
        }
    }
    found
}

/// How one exercise's catalogue, suite, manifest and decoys disagree.
fn disagreements(catalogue: &Catalogue, entry: &Entry, ex: &course::Exercise) -> Vec<String> {
    let name = &ex.name;
    let path = Catalogue::path(name);
    let path = path.display();
    let mut found = Vec::new();
    let listed = catalogue.check_names();
    let suite: BTreeSet<&str> = entry.checks.iter().copied().collect();
    for missing in suite.difference(&listed) {
        found.push(format!(
            "{name}: the suite's check `{missing}` is not in {path}: say which requirements it judges"
        ));
    }
    for gone in listed.difference(&suite) {
        found.push(format!(
            "{name}: {path} lists `{gone}`, which the suite does not have"
        ));
    }
    let graded: BTreeSet<&str> = ex
        .points
        .keys()
        .chain(ex.speed.keys())
        .map(String::as_str)
        .collect();
    for ungraded in suite.difference(&graded) {
        found.push(format!(
            "{name}: the suite's check `{ungraded}` has no points in exercises/info.toml"
        ));
    }
    for stray in graded.difference(&suite) {
        found.push(format!(
            "{name}: exercises/info.toml gives points to `{stray}`, which the suite does not have"
        ));
    }
    for check in &catalogue.checks {
        if !entry.decoys.iter().any(|d| d.caught_by == check.name) {
            found.push(format!(
                "{name}: no decoy proves that check `{}` can fail",
                check.name
            ));
        }
    }
    for decoy in &entry.decoys {
        let Some(requirement) = catalogue.requirement(decoy.breaks) else {
            found.push(format!(
                "{name}: decoy \"{}\" breaks `{}`, which is no requirement in {path}",
                decoy.name, decoy.breaks
            ));
            continue;
        };
        match catalogue.check(decoy.caught_by) {
            None => found.push(format!(
                "{name}: decoy \"{}\" is to be caught by `{}`, which {path} does not list",
                decoy.name, decoy.caught_by
            )),
            Some(check) if !check.judges.contains(&requirement.id) => found.push(format!(
                "{name}: decoy \"{}\" breaks `{}`, but its check `{}` does not judge it \
                 (it judges {:?})",
                decoy.name, decoy.breaks, check.name, check.judges
            )),
            Some(_) => {}
        }
    }
    found
}
