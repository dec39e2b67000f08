//! Reading what a suite run left behind: the versioned JSON-lines records
//! the suites write to `$COURSE_RESULTS` (format in [`harness::record`]),
//! and the lines libtest prints. The grader and the stub check both read
//! test outcomes through here, so there is one parser of each.

use std::path::Path;

pub use harness::record::{
    Event, RESULTS_ENV, Record, SCHEMA as RECORD_SCHEMA, TestEnd, TestStatus,
};

/// Records of a results file, in the order written. Lines that are not a
/// record of the schema this crate knows are counted, not fatal: a crashed
/// test can leave half a line, and a grader must still score the rest.
pub fn read_records(path: &Path) -> (Vec<Record>, usize) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (Vec::new(), 0);
    };
    let mut records = Vec::new();
    let mut unreadable = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Record>(line) {
            Ok(r) if r.schema == RECORD_SCHEMA => records.push(r),
            _ => unreadable += 1,
        }
    }
    (records, unreadable)
}

/// How libtest said one test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// `test name ... ok`
    Ok,
    /// `test name ... FAILED`
    Failed,
    /// `test name ... ignored`
    Ignored,
}

/// Every `test <name> ... <result>` line of a libtest run, in order.
pub fn test_lines(text: &str) -> Vec<(String, Line)> {
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("test ")?;
            let (name, result) = rest.rsplit_once(" ... ")?;
            let result = match result.trim_end() {
                "ok" => Line::Ok,
                "FAILED" => Line::Failed,
                r if r.starts_with("ignored") => Line::Ignored,
                _ => return None,
            };
            Some((name.to_owned(), result))
        })
        .collect()
}

/// The captured output libtest prints for a failed test, between
/// `---- name stdout ----` and the next section.
pub fn failure_section<'a>(text: &'a str, name: &str) -> &'a str {
    let header = format!("---- {name} stdout ----");
    let Some(start) = text.find(&header) else {
        return "";
    };
    let body = &text[start + header.len()..];
    let end = ["\n---- ", "\nfailures:"]
        .iter()
        .filter_map(|m| body.find(m))
        .min()
        .unwrap_or(body.len());
    &body[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_result_lines() {
        let out =
            "running 2 tests\ntest a ... ok\ntest b::c ... FAILED\ntest d ... ignored, slow\n";
        assert_eq!(
            test_lines(out),
            [
                ("a".to_owned(), Line::Ok),
                ("b::c".to_owned(), Line::Failed),
                ("d".to_owned(), Line::Ignored)
            ]
        );
    }
}
