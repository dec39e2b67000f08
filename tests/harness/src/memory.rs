//! Peak memory of a piece of work: how much more resident memory this
//! process and its children held at the worst moment than before it began.
//!
//! A sampler thread reads `/proc` every half millisecond while the work
//! runs: `VmRSS` of this process (every thread's stack and heap count
//! there) plus the resident pages of its live children (`statm`). A
//! process that lives less than a sample apart can be missed, so this
//! suits runs of tens of milliseconds and more. Where there is no `/proc`
//! it reads zero.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

/// Resident bytes of this process now (`VmRSS`), 0 without `/proc`.
pub fn resident_self() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// Resident bytes of one process (`statm`'s second field, in pages).
pub fn resident_of(pid: u32) -> u64 {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * page_size()
}

fn page_size() -> u64 {
    match nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE) {
        Ok(Some(p)) if p > 0 => p as u64,
        _ => 4096,
    }
}

/// Resident bytes of this process and its live children now.
pub fn resident_family() -> u64 {
    let children: u64 = crate::children::children_of(std::process::id())
        .iter()
        .filter(|s| s.state != 'Z')
        .map(|s| resident_of(s.pid))
        .sum();
    resident_self() + children
}

/// Runs `work` and returns its value with the largest rise of
/// [`resident_family`] over its value before `work` began, in bytes.
pub fn peak_rise<T>(work: impl FnOnce() -> T) -> (T, u64) {
    let before = resident_family();
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(before));
    let sampler = {
        let (stop, peak) = (Arc::clone(&stop), Arc::clone(&peak));
        thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                peak.fetch_max(resident_family(), Ordering::SeqCst);
                thread::sleep(Duration::from_micros(500));
            }
        })
    };
    let value = work();
    peak.fetch_max(resident_family(), Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    let _ = sampler.join();
    (value, peak.load(Ordering::SeqCst).saturating_sub(before))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_touched_buffer_shows_in_the_peak() {
        if resident_self() == 0 {
            return; // no /proc here
        }
        let _alone = crate::exclusive();
        let ((), rise) = peak_rise(|| {
            let buffer = vec![1u8; 32 << 20];
            std::hint::black_box(&buffer);
            thread::sleep(Duration::from_millis(20));
        });
        assert!(
            rise >= 16 << 20,
            "a 32 MiB buffer rose the peak by {rise} bytes"
        );
    }
}
