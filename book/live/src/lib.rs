//! The book's live output.
//!
//! Each `<!-- cmdrun --strict cargo run ... --package live -- <topic> -->`
//! in a chapter runs this crate's binary, which measures the project's own
//! code with the course harness and prints a Markdown block: a table, or a
//! picture drawn from the same measurement ([`plot`]). Only what must vary
//! is left to vary: the numbers are real, rounded for reading.
//!
//! Every block is wrapped in `<div class="live" data-live="<topic>">`, ends
//! with where and when it was measured ([`store::Provenance`]) and then
//! [`LIVE_OK`], so that the book build and the browser check can find each
//! block by name.

use std::fmt::Display;

use tabled::{Table, Tabled, settings::Style};

pub mod gil;
pub mod pitfalls;
pub mod pitfalls_compiler;
pub mod pitfalls_tutorial;
pub mod plot;
pub mod processes;
pub mod python;
pub mod scaling;
pub mod store;
pub mod threads;

pub use harness::record::LIVE_OK;
use store::Provenance;

/// The tasks this binary's pool workers know: the Processes chapter's,
/// then the Pitfalls chapter's (names do not repeat).
pub const WORKER_TASKS: &[pool_solution::Task] = &concat::<
    { pool_solution::TASKS.len() + combine_solution::TASKS.len() },
>(pool_solution::TASKS, combine_solution::TASKS);

/// `a` then `b`, as one array of length `N` (their lengths added).
const fn concat<const N: usize>(
    a: &[pool_solution::Task],
    b: &[pool_solution::Task],
) -> [pool_solution::Task; N] {
    let mut out = [a[0]; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < a.len() { a[i] } else { b[i - a.len()] };
        i += 1;
    }
    out
}

/// Wraps a block's Markdown `body` with its name, provenance and [`LIVE_OK`].
pub fn section(topic: &str, body: &str, provenance: &Provenance) -> String {
    format!(
        "<div class=\"live\" data-live=\"{}\">\n\n{}\n\n{}\n\n</div>\n\n{LIVE_OK}\n",
        plot::esc(topic),
        body.trim_end(),
        provenance.line()
    )
}

/// A whole block for a table measured on the spot: the table and caption,
/// wrapped by [`section`] under the topic this binary was called with
/// (`live processes costs` gives `processes costs`), measured now. Blocks
/// whose measurement a picture shares use [`store::measured`] and
/// [`section`] instead.
pub fn block<R: Tabled>(rows: impl IntoIterator<Item = R>, caption: impl Display) -> String {
    let topic: Vec<String> = std::env::args().skip(1).collect();
    section(&topic.join(" "), &table(rows, caption), &Provenance::now())
}

/// A whole block from `render`, saved like a measurement so that the
/// author's `--reuse` preview can show it again without measuring: for
/// blocks written with [`block`], which measure and render in one go. A
/// reused block's provenance line becomes the reused-measurement box.
pub fn reusable(
    topic: &str,
    render: impl FnOnce() -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    let name = format!("block-{}", topic.replace(' ', "-"));
    let m = store::measured(&name, render)?;
    if !m.provenance.reused {
        return Ok(m.data);
    }
    let start = "<p class=\"live-provenance\">";
    let mut text = m.data.clone();
    while let Some(at) = text.find(start) {
        let end = text[at..]
            .find("</p>")
            .map_or(text.len(), |e| at + e + "</p>".len());
        text.replace_range(
            at..end,
            &m.provenance
                .line()
                .replace(start, "<p class=\"live-reused\">"),
        );
    }
    Ok(text)
}

/// Renders rows as a Markdown table followed by a caption.
pub fn table<R: Tabled>(rows: impl IntoIterator<Item = R>, caption: impl Display) -> String {
    let mut table = Table::new(rows);
    table.with(Style::markdown());
    format!("{table}\n\n*{caption}*\n")
}

/// "1 round", "3 rounds".
pub fn rounds(n: usize) -> String {
    if n == 1 {
        "1 round".to_owned()
    } else {
        format!("{n} rounds")
    }
}

/// A ratio for a table cell: "×1.87".
pub fn times(x: f64) -> String {
    format!("×{x:.2}")
}

/// How busy the machine was: the share of all cores that other programs
/// kept busy over `window`, while this process slept, read from
/// `/proc/stat`. `None` where there is no `/proc/stat`.
pub fn others_busy(window: std::time::Duration) -> Option<f64> {
    fn read() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
        let v: Vec<u64> = cpu
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal
        let idle = v.get(3)? + v.get(4).copied().unwrap_or(0);
        let total: u64 = v.iter().take(8).sum();
        Some((total - idle, total))
    }
    let (busy0, total0) = read()?;
    std::thread::sleep(window);
    let (busy1, total1) = read()?;
    let total = total1.saturating_sub(total0);
    (total > 0).then(|| busy1.saturating_sub(busy0) as f64 / total as f64)
}

/// The machine that is building the book, and how busy it was.
pub fn machine() -> String {
    let provenance = Provenance::now();
    let cores = harness::available_cores();
    let busy = match others_busy(std::time::Duration::from_secs(1)) {
        Some(share) => format!(
            " Just before the measurements, over one second in which the build itself \
             waited, other programs kept **{:.0}%** of the machine's CPU busy, \
             {:.1} of its {} cores{}.",
            share * 100.0,
            share * cores as f64,
            cores,
            if share > 0.25 {
                ": a shared, busy machine, whose timings are noisier"
            } else {
                ""
            }
        ),
        None => " How busy it was could not be read here (no `/proc/stat`).".to_owned(),
    };
    let body = format!(
        "This copy of the book was built on {}.{busy}",
        provenance.machine
    );
    section("machine", &body, &provenance)
}
