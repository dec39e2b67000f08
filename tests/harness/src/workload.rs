//! Reference workloads: CPU work that cannot be optimised away, sized in
//! time on the machine at hand.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// A fixed amount of pure CPU work: `units` rounds of integer arithmetic.
///
/// The result depends on every round, and `black_box` keeps the compiler
/// from folding the loop, so the time is proportional to `units` in debug
/// and release builds alike.
pub fn spin(units: u64) -> u64 {
    let mut acc = 0u64;
    for i in 0..black_box(units) {
        acc = acc.wrapping_add(i.wrapping_mul(i)).rotate_left(5) ^ i;
    }
    black_box(acc)
}

/// How many [`spin`] units take about `target` on this machine, measured
/// now.
pub fn units_for(target: Duration) -> u64 {
    calibrate(target, |units| {
        spin(units);
    })
}

/// How many units of `work` take about `target` on this machine, measured
/// now: the fastest of a few probe runs (so that a busy moment does not
/// inflate it), scaled linearly.
pub fn calibrate(target: Duration, work: impl Fn(u64)) -> u64 {
    let probe = 1u64 << 16;
    let fastest = (0..5)
        .map(|_| {
            let start = Instant::now();
            work(probe);
            start.elapsed()
        })
        .min()
        .unwrap_or(Duration::from_micros(1))
        .max(Duration::from_nanos(1));
    ((target.as_secs_f64() / fastest.as_secs_f64()) * probe as f64).max(1.0) as u64
}

/// `tasks` pieces of [`spin`] work one after another: the sequential
/// baseline of the CPU checks.
pub fn spin_sequential(tasks: usize, units: u64) -> u64 {
    (0..tasks).map(|_| spin(units)).fold(0, u64::wrapping_add)
}

/// The same pieces, one scoped thread each: a known-parallel reference.
pub fn spin_threads(tasks: usize, units: u64) -> u64 {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..tasks).map(|_| s.spawn(move || spin(units))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("spin cannot panic"))
            .fold(0, u64::wrapping_add)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spin_is_deterministic_and_split_work_agrees() {
        assert_eq!(spin(1000), spin(1000));
        assert_ne!(spin(1000), spin(1001));
        assert_eq!(spin_sequential(3, 5000), spin_threads(3, 5000));
    }

    #[test]
    fn sizing_targets_roughly_the_requested_time() {
        let _alone = crate::exclusive();
        let units = units_for(Duration::from_millis(20));
        let start = Instant::now();
        spin(units);
        let took = start.elapsed();
        // Loose: this only guards against being off by an order of magnitude.
        assert!(
            took > Duration::from_millis(4) && took < Duration::from_millis(200),
            "{took:?}"
        );
    }
}
