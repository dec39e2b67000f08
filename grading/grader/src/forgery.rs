//! Text in a student's sources that only the test harness writes.
//!
//! The suites run in the same process as the student's code, so that code
//! could print libtest's lines or append to the records file itself, and
//! claim passes it never earned. Nothing inside one process can stop code
//! written to do that; but it has to name what it forges, and that shows
//! in the sources. A submission whose sources do is not run: it scores 0
//! with a message saying what was found, for an instructor to look at.

use std::sync::LazyLock;

use regex::Regex;

/// One kind of forgery, and how to spot it in source text.
struct Trace {
    what: &'static str,
    pattern: &'static str,
}

const TRACES: [Trace; 3] = [
    Trace {
        what: "the name of the suites' records file (COURSE_RESULTS)",
        pattern: r"COURSE_RESULTS",
    },
    Trace {
        what: "libtest's summary line (`test result:`) in a string",
        pattern: r#""[^"\n]*test result:"#,
    },
    Trace {
        what: "libtest's per-test line (`... ok`, `... FAILED`) in a string",
        pattern: r#""[^"\n]*\.\.\. (?:ok|FAILED)"#,
    },
];

static COMPILED: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    TRACES
        .iter()
        .map(|t| (t.what, Regex::new(t.pattern).expect("a valid pattern")))
        .collect()
});

/// What `source` contains that only the harness writes (empty: nothing).
pub fn traces(source: &str) -> Vec<&'static str> {
    COMPILED
        .iter()
        .filter(|(_, re)| re.is_match(source))
        .map(|(what, _)| *what)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::traces;

    #[test]
    fn forged_lines_and_records_are_found() {
        assert_eq!(traces(r#"println!("test a ... ok");"#).len(), 1);
        assert_eq!(traces(r#"println!("test result: ok. 3 passed");"#).len(), 1);
        assert_eq!(traces(r#"std::env::var("COURSE_RESULTS")"#).len(), 1);
    }

    #[test]
    fn ordinary_sources_are_not() {
        let source = r#"
            // Waiting is ... ok, as long as nobody spins.
            let s = format!("{} results", n);
            println!("test");
        "#;
        assert!(traces(source).is_empty(), "{:?}", traces(source));
    }
}
