//! Forced switching, witnessed: a holder asked to hand over must not take
//! the lock back before the waiter has had it.
//!
//! On an idle machine a woken waiter often wins the race against a holder
//! that releases and grabs the lock straight back, so a lock without
//! forced switching takes turns almost as it should, and timing cannot
//! tell. This check makes the race one-sided, the way a busy machine does
//! at its worst: the holder runs alone on one core, the waiter shares
//! another core with a thread that computes. A woken waiter then needs
//! time to be scheduled. A lock with forced switching waits for it (the
//! holder blocks in `check_in` until the waiter has the lock); a lock
//! without it takes the lock back first, every time, and the waiter
//! starves. The verdict is whether the waiter got in at all.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;

use super::yardstick::Yardstick;
use super::{GilApi, GuardApi, human, settle, workload};

/// The switch interval of the check.
const INTERVAL: Duration = Duration::from_millis(2);
/// Trials for the student's lock (and as many for the yardstick).
const TRIALS: usize = 7;
/// Trials in which the student's waiter may starve: more fail the lock,
/// provided the yardstick's waiter never starved in the same run (a machine
/// busy enough to starve it once could starve the student's several times).
const STARVED_AT_MOST: usize = 3;
/// How long a trial lets the waiter try: 30 intervals. With forced
/// switching the waiter is in within a few intervals even though it runs
/// only when its core is idle (2 to 35 ms on our 2-core machine kind);
/// without it, the holder takes the lock back before the waiter runs, again
/// and again (20 to 200 ms, most trials over 60 ms, the same hour).
const CAP: Duration = Duration::from_millis(60);

/// How long the holder computes between check-ins: long enough for a
/// waiter that has just asked to be asleep again before the holder sees
/// the request, as it is when the holder runs a long bytecode.
const BETWEEN_CHECK_INS: Duration = Duration::from_micros(200);

/// Two cores this thread may run on, if it has two.
fn two_cpus() -> Option<(usize, usize)> {
    let set = sched_getaffinity(Pid::from_raw(0)).ok()?;
    let mut cpus = (0..CpuSet::count()).filter(|&c| set.is_set(c).unwrap_or(false));
    Some((cpus.next()?, cpus.next()?))
}

/// Pins the calling thread to `cpu`; false if the OS refused.
fn pin(cpu: usize) -> bool {
    let mut set = CpuSet::new();
    set.set(cpu).is_ok() && sched_setaffinity(Pid::from_raw(0), &set).is_ok()
}

/// Makes the calling thread run only when its core has nothing else to
/// run (Linux's `SCHED_IDLE`): woken while the thread computing beside it
/// runs, it waits until that thread's time slice ends. False if the OS
/// refused.
fn run_last() -> bool {
    use thread_priority::unix::{
        NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
        thread_native_id,
    };
    let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
    set_thread_priority_and_policy(
        thread_native_id(),
        thread_priority::ThreadPriority::Min,
        idle,
    )
    .is_ok()
}

/// One trial: how long the waiter waited, or `None` if it never got the
/// lock within [`CAP`].
fn trial<G: GilApi>(gil: &G, (mine, theirs): (usize, usize), steps: u64) -> Option<Duration> {
    let done = &AtomicBool::new(false);
    let (holding, held) = mpsc::channel();
    std::thread::scope(|s| {
        // The holder: alone on its core, computing and checking in.
        s.spawn(move || {
            pin(mine);
            let mut guard = gil.acquire();
            let _ = holding.send(());
            let mut acc = 0;
            while !done.load(Ordering::Relaxed) {
                acc = workload::instructions(steps).wrapping_add(acc);
                guard.check_in();
            }
            std::hint::black_box(acc);
        });
        // Another thread computing on the waiter's core.
        s.spawn(|| {
            pin(theirs);
            let mut acc = 0u64;
            while !done.load(Ordering::Relaxed) {
                acc = workload::instructions(1_000).wrapping_add(acc);
            }
            std::hint::black_box(acc);
        });
        let waiter = s.spawn(move || {
            pin(theirs);
            run_last();
            held.recv().expect("the holder takes a free lock");
            let asked = Instant::now();
            let guard = gil.acquire();
            let waited = asked.elapsed();
            drop(guard);
            waited
        });
        // The waiter is not abandoned: past the cap, the holder stops
        // computing and lets go, so the waiter's acquire returns.
        let begun = Instant::now();
        while !waiter.is_finished() && begun.elapsed() < CAP {
            std::thread::sleep(Duration::from_millis(1));
        }
        done.store(true, Ordering::Relaxed);
        let waited = waiter.join().expect("the waiter does not panic");
        (waited <= CAP).then_some(waited)
    })
}

/// The check: see the module's documentation.
pub fn the_waiter_gets_the_lock_before_the_holder_takes_it_back<G: GilApi>() {
    let gil = G::new(INTERVAL);
    let Some(cpus) = two_cpus() else {
        harness::speedup::not_judged(
            "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            "this process may run on one core only, so a holder and a waiter cannot run at once",
        );
        return;
    };
    let waits = |v: &[Option<Duration>]| {
        v.iter()
            .map(|w| w.map_or(format!("over {}", human(CAP)), human))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (mine, yard) = settle(
        "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
        "A holder checking in and a waiter on a busy core never finished: acquire or \
         check_in never returned.",
        move || {
            let yardstick = Yardstick::new(INTERVAL);
            let steps = workload::steps_for(BETWEEN_CHECK_INS);
            let (mut mine, mut yard) = (Vec::new(), Vec::new());
            for _ in 0..TRIALS {
                mine.push(trial(&gil, cpus, steps));
                yard.push(trial(&yardstick, cpus, steps));
            }
            (mine, yard)
        },
    );
    let starved = mine.iter().filter(|w| w.is_none()).count();
    let yard_starved = yard.iter().filter(|w| w.is_none()).count();
    if starved > STARVED_AT_MOST && yard_starved > 0 {
        harness::speedup::not_judged(
            "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            &format!(
                "the waiter did not get in within {} in {starved} of {TRIALS} trials (waits: \
                 {}), but neither did a known-good lock's in {yard_starved} (waits: {}): the \
                 machine is too busy to judge forced switching",
                human(CAP),
                waits(&mine),
                waits(&yard)
            ),
        );
        return;
    }
    assert!(
        starved <= STARVED_AT_MOST,
        "a thread computing under the GIL and checking in all the time was asked to hand \
         over by a waiter whose core was busy; in {starved} of {TRIALS} trials the waiter \
         did not get the lock within {} ({} intervals of {}). Waits: {} (a known-good lock \
         in the same run: {}). When check_in hands over, it must wait until another thread \
         has taken the lock before it takes it back (CPython's forced switching): a woken \
         waiter needs time to run, and a holder that releases, yields or sleeps a little, \
         and retakes, wins that race every time the waiter's core is busy.",
        human(CAP),
        CAP.as_micros() / INTERVAL.as_micros(),
        human(INTERVAL),
        waits(&mine),
        waits(&yard),
    );
}
