//! Where and when a measurement was taken, and the measurements a build
//! keeps so that a table and its picture show the same run.
//!
//! Every measurement is saved to `target/live/<name>.json` with its
//! [`Provenance`]. Within one book build (`cargo xtask book` sets
//! [`BUILD_ENV`] to a fresh id), a second block that needs the same
//! measurement (a plot beside its table) loads it instead of measuring
//! again. With [`REUSE_ENV`] set (`cargo xtask book --reuse`, the author's
//! fast loop), a block loads the last saved measurement from any build, and
//! the page says so in a box; the reader's build never sets it.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The id of the current book build, set by `cargo xtask book`.
pub const BUILD_ENV: &str = "LIVE_BUILD";
/// When set to `1`, reuse the last saved measurements (author's preview).
pub const REUSE_ENV: &str = "LIVE_REUSE";

/// Where and when a measurement was taken.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Provenance {
    /// UTC, to the minute: `2026-11-27 06:40 UTC`.
    pub at: String,
    /// The machine, e.g. `linux x86_64, 2 cores (AMD EPYC 7B13)`.
    pub machine: String,
    /// The build that measured it, if any.
    pub build: Option<String>,
    /// Loaded from an earlier build by the author's `--reuse` preview.
    #[serde(default)]
    pub reused: bool,
    /// When, in seconds since the Unix epoch.
    #[serde(default)]
    pub unix: u64,
}

impl Provenance {
    /// Now, here.
    pub fn now() -> Self {
        Self {
            at: utc_now(),
            machine: machine(),
            build: std::env::var(BUILD_ENV).ok(),
            reused: false,
            unix: unix_now(),
        }
    }

    /// The line a block ends with: where and when, or a warning that the
    /// numbers were reused.
    pub fn line(&self) -> String {
        if self.reused {
            format!(
                "<p class=\"live-reused\"><strong>Reused measurement</strong> from {} on {}: \
                 this preview (<code>cargo xtask book --reuse</code>) did not measure again. \
                 The published book always measures afresh.</p>",
                self.at, self.machine
            )
        } else {
            format!(
                "<p class=\"live-provenance\">Measured {} on {}, while this page was built.</p>",
                self.at, self.machine
            )
        }
    }
}

/// The machine in a few words: OS, architecture, cores, CPU model, and
/// whether it is a CI runner.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        })
        .map_or(String::new(), |m| format!(", {m}"));
    let ci = if std::env::var_os("GITHUB_ACTIONS").is_some() {
        "a GitHub Actions runner, "
    } else if std::env::var("CI").is_ok_and(|v| v == "true") {
        "a CI runner, "
    } else {
        ""
    };
    format!(
        "{ci}{} {} with {} cores available{cpu}",
        std::env::consts::OS,
        std::env::consts::ARCH,
        harness::available_cores()
    )
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Now in UTC, to the minute.
pub fn utc_now() -> String {
    let secs = unix_now();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// Days since 1970-01-01 to a calendar date (H. Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A measurement with its provenance.
#[derive(Serialize, Deserialize)]
pub struct Measured<T> {
    /// Where and when.
    pub provenance: Provenance,
    /// The numbers.
    pub data: T,
}

fn dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")))
        .join("live")
}

/// The measurement `name`, taken now by the block that owns it (a table),
/// unless this build already has it or the author asked to reuse.
pub fn measured<T: Serialize + DeserializeOwned>(
    name: &str,
    measure: impl FnOnce() -> Result<T>,
) -> Result<Measured<T>> {
    load_or_measure(name, false, measure)
}

/// The measurement `name` for a block that shows another block's numbers
/// (a picture beside its table, later on the page or on a later page): the
/// one this build saved; under `mdbook serve`, which gives its rebuilds no
/// build id, one saved in the last two minutes by a build without an id.
/// Measured now only if there is none.
pub fn shared<T: Serialize + DeserializeOwned>(
    name: &str,
    measure: impl FnOnce() -> Result<T>,
) -> Result<Measured<T>> {
    load_or_measure(name, true, measure)
}

fn load_or_measure<T: Serialize + DeserializeOwned>(
    name: &str,
    follower: bool,
    measure: impl FnOnce() -> Result<T>,
) -> Result<Measured<T>> {
    let path = dir().join(format!("{name}.json"));
    let build = std::env::var(BUILD_ENV).ok();
    let reuse = std::env::var(REUSE_ENV).is_ok_and(|v| v == "1");
    if let Some(mut saved) = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Measured<T>>(&b).ok())
    {
        let same_build = match (&build, &saved.provenance.build) {
            (Some(b), Some(s)) => b == s,
            // `mdbook serve` rebuilds: the owner measured moments ago.
            (None, None) => follower && unix_now().saturating_sub(saved.provenance.unix) < 120,
            _ => false,
        };
        if same_build || reuse {
            saved.provenance.reused = !same_build;
            return Ok(saved);
        }
    }
    let fresh = Measured {
        provenance: Provenance::now(),
        data: measure()?,
    };
    std::fs::create_dir_all(dir()).context("creating target/live")?;
    std::fs::write(&path, serde_json::to_vec(&fresh)?)
        .with_context(|| format!("saving {}", path.display()))?;
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::civil;

    #[test]
    fn calendar_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_419), (2025, 11, 27));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }
}
