//! The book's live output.
//!
//! Each `<!-- cmdrun --strict cargo run ... --package live -- <topic> -->`
//! in a chapter runs this crate's binary, which measures the project's own
//! code with the course harness and prints a Markdown table. Only what must
//! vary is left to vary: the numbers are real, rounded for reading.

use std::fmt::Display;

use tabled::{Table, Tabled, settings::Style};

pub mod gil;
pub mod processes;
pub mod python;
pub mod threads;

pub use harness::record::LIVE_OK;

/// Renders rows as a Markdown table, then a caption, then [`LIVE_OK`].
pub fn block<R: Tabled>(rows: impl IntoIterator<Item = R>, caption: impl Display) -> String {
    let mut table = Table::new(rows);
    table.with(Style::markdown());
    format!("{table}\n\n*{caption}*\n\n{LIVE_OK}\n")
}

/// A ratio for a table cell: "×1.87".
pub fn times(x: f64) -> String {
    format!("×{x:.2}")
}

/// One line about the machine that is building the book.
pub fn machine() -> String {
    format!(
        "This copy of the book was built on {} {}, with {} cores available to the build.\n\n{LIVE_OK}\n",
        std::env::consts::OS,
        std::env::consts::ARCH,
        harness::available_cores(),
    )
}
