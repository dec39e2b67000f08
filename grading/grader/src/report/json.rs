//! `report.json` and its JSON Schema (generated from the report's types,
//! kept in `grading/report.schema.json`; a test fails when it is stale).

use std::path::Path;

use anyhow::{Context, Result};

use super::Report;

/// Where the schema is kept, relative to the course root.
pub const SCHEMA_PATH: &str = "grading/report.schema.json";

/// Writes the report, pretty-printed.
pub fn write(report: &Report, path: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(report)? + "\n";
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Reads a report written by [`write`] (or by a grader in another CI job).
pub fn read(path: &Path) -> Result<Report> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let report: Report =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    if report.schema != super::REPORT_SCHEMA {
        anyhow::bail!(
            "{} has report schema {}; this grader reads {}",
            path.display(),
            report.schema,
            super::REPORT_SCHEMA
        );
    }
    Ok(report)
}

/// The JSON Schema of `report.json`, as kept in the repository.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Report);
    serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n"
}
