//! A check-in with nobody waiting must cost next to nothing: the holder
//! calls it every few instructions, as CPython's eval loop tests its
//! `eval_breaker`. Timed beside the yardstick (whose check-in locks a
//! mutex), in the same run, interleaved, fastest round of each. A system
//! call made only now and then (a `yield_now` every few hundred check-ins)
//! hides in an average; it shows, whatever the machine's speed, as the
//! holder losing its core to a thread that shares it: counted by the
//! kernel, not timed.

use std::time::{Duration, Instant};

use super::yardstick::Yardstick;
use super::{GilApi, GuardApi, INTERVAL, settle};

/// Check-ins per round.
const CALLS: u32 = 20_000;
/// Rounds of each lock, alternating; the fastest counts.
const ROUNDS: usize = 5;
/// A check-in may cost this many times the yardstick's, plus
/// [`SLACK`]: room for a mutex or a clock read, not for a system call. On
/// our 2-core machine kind the yardstick's costs 30 ns, the reference's
/// 8 ns, one that yields the CPU every time 190 to 310 ns.
const TIMES_THE_YARDSTICK: u32 = 3;
const SLACK: Duration = Duration::from_nanos(30);

/// The fastest of [`ROUNDS`] rounds of [`CALLS`] check-ins on each lock,
/// per call: the student's, then the yardstick's.
fn per_call<G: GilApi>() -> (Duration, Duration) {
    let (gil, yardstick) = (G::new(INTERVAL), Yardstick::new(INTERVAL));
    let (mut guard, mut yard) = (gil.acquire(), yardstick.acquire());
    let round = |check_in: &mut dyn FnMut()| {
        let begun = Instant::now();
        for _ in 0..CALLS {
            check_in();
        }
        begun.elapsed() / CALLS
    };
    let (mut mine, mut theirs) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        mine = mine.min(round(&mut || guard.check_in()));
        theirs = theirs.min(round(&mut || yard.check_in()));
    }
    (mine, theirs)
}

/// Check-ins of the shared-core part.
const SHARED_CALLS: u64 = 1_000_000;
/// The shared-core part stops after this long, and counts per check-in done.
const SHARED_FOR: Duration = Duration::from_millis(150);

/// Context switches (voluntary and not) of the calling thread so far.
fn thread_switches() -> u64 {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_THREAD).map_or(0, |u| {
        (u.voluntary_context_switches() + u.involuntary_context_switches()) as u64
    })
}

/// A holder's check-ins (`check_in`, on a thread pinned to one core beside
/// a thread that spins on the same core), and how often it lost the core
/// per [`SHARED_CALLS`] check-ins. Without a system call the holder loses
/// it only when its time slice ends; each `yield_now` hands it over.
fn switches_beside_a_spinner<'a>(
    check_in: impl FnOnce() -> Box<dyn FnMut() + 'a> + Send + 'a,
) -> u64 {
    use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
    use nix::unistd::Pid;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let allowed = sched_getaffinity(Pid::from_raw(0)).ok();
    let core = allowed
        .and_then(|set| (0..CpuSet::count()).find(|&c| set.is_set(c).unwrap_or(false)))
        .unwrap_or(0);
    let pin = move || {
        let mut one = CpuSet::new();
        if one.set(core).is_ok() {
            let _ = sched_setaffinity(Pid::from_raw(0), &one);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let spinner = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            pin();
            while !stop.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        })
    };
    let switches = std::thread::scope(|s| {
        s.spawn(move || {
            pin();
            let mut check_in = check_in();
            let (begun, before) = (Instant::now(), thread_switches());
            let mut done = 0;
            while done < SHARED_CALLS && begun.elapsed() < SHARED_FOR {
                for _ in 0..4096 {
                    check_in();
                }
                done += 4096;
            }
            (thread_switches() - before) * SHARED_CALLS / done
        })
        .join()
        .unwrap_or(u64::MAX)
    });
    stop.store(true, Ordering::Relaxed);
    let _ = spinner.join();
    switches
}

/// The fewest switches per [`SHARED_CALLS`] check-ins, of 3 interleaved
/// rounds each: the student's lock, then the yardstick's.
fn shared_core<G: GilApi>() -> (u64, u64) {
    let (gil, yardstick) = (G::new(INTERVAL), Yardstick::new(INTERVAL));
    let (mut mine, mut theirs) = (u64::MAX, u64::MAX);
    for _ in 0..3 {
        mine = mine.min(switches_beside_a_spinner(|| {
            let mut guard = gil.acquire();
            Box::new(move || guard.check_in())
        }));
        theirs = theirs.min(switches_beside_a_spinner(|| {
            let mut guard = yardstick.acquire();
            Box::new(move || guard.check_in())
        }));
    }
    (mine, theirs)
}

/// The check: see the module's documentation.
pub fn check_in_is_cheap_when_nobody_waits<G: GilApi>() {
    let (mine, yard) = settle(
        "check_in_is_cheap_when_nobody_waits",
        "A thread checking in with nobody waiting never finished: check_in never returned.",
        per_call::<G>,
    );
    let allowed = yard * TIMES_THE_YARDSTICK + SLACK;
    assert!(
        mine <= allowed,
        "with nobody waiting for the GIL, one check_in took {} (the fastest of {ROUNDS} \
         rounds of {CALLS}); a known-good lock's took {} in the same run, and at most {} \
         is allowed. The holder checks in every few instructions, so a check-in nobody \
         asked for must be a test of a flag: no system call (yield_now, sleep), no \
         waiting, no notifying.",
        ns(mine),
        ns(yard),
        ns(allowed),
    );
    let (mine, yard) = settle(
        "check_in_is_cheap_when_nobody_waits",
        "A thread checking in beside a spinning thread on its core never finished: check_in \
         never returned.",
        shared_core::<G>,
    );
    let allowed = 2 * yard + 50;
    assert!(
        mine <= allowed,
        "with nobody waiting for the GIL, a holder pinned to one core beside a thread spinning \
         on the same core lost the core {mine} times per {SHARED_CALLS} check-ins (the fewest \
         of 3 rounds); a known-good lock's holder lost it {yard} times, and at most {allowed} \
         is allowed. A check-in that hands the core over (yield_now, sleep, a wait) is a system \
         call, however rarely it is made: a check-in nobody asked for tests a flag and returns."
    );
}

fn ns(d: Duration) -> String {
    format!("{} ns", d.as_nanos())
}
