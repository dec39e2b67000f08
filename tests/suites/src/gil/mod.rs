//! Suite of `exercises/gil/gil`: a global interpreter lock.
//!
//! The student's `Gil` is a concrete type in their crate; the [`gil!`]
//! macro wraps it in a local type that implements [`GilApi`], so the checks
//! and workloads here are written once, generically.
//!
//! [`gil!`]: crate::gil!

use std::hint::black_box;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::{Duration, Instant};

use harness::{CpuCheck, Outcome, WaitCheck, human};

mod asks_again;
mod cheap;
mod forced;
mod one_waiter;
mod paused;
mod retake;
mod source;
mod two_locks;
mod whole_interval;
pub mod workload;
mod yardstick;

pub use cheap::check_in_is_cheap_when_nobody_waits;
pub use forced::the_waiter_gets_the_lock_before_the_holder_takes_it_back;
pub use retake::the_holder_gets_the_lock_back_when_the_waiter_lets_go;
pub use source::{nothing_is_kept_in_a_static, waiting_never_spins};
pub use two_locks::two_gils_are_two_locks;
pub use whole_interval::a_new_holder_gets_a_whole_interval;

use yardstick::Yardstick;

use workload::{
    Probe, extension, fetch, in_threads, instructions, interpret, one_after_another, steps_for,
};

/// A GIL as the suite sees it.
pub trait GilApi: Send + Sync + Sized + 'static {
    /// The guard type that proves the lock is held.
    type Guard<'a>: GuardApi
    where
        Self: 'a;
    /// An unheld lock with the given switch interval.
    fn new(switch_interval: Duration) -> Self;
    /// Blocks until the calling thread holds the lock.
    fn acquire(&self) -> Self::Guard<'_>;
    /// The interval after which a waiter asks the holder to let go.
    fn switch_interval(&self) -> Duration;
}

/// A held GIL as the suite sees it.
pub trait GuardApi {
    /// Hands the lock over if a waiter asked for it, then takes it back.
    fn check_in(&mut self);
    /// Runs `work` without the lock and takes it back afterwards.
    fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T;
}

/// Wraps `$krate::Gil` and `$krate::GilGuard` as `Subject` and
/// `SubjectGuard`, implementing [`GilApi`] and [`GuardApi`], and proves at
/// compile time that the guard is not `Send` and the lock is `Send + Sync`:
/// if either is false, the suite does not compile, and the compiler prints
/// the sentence saying why.
#[macro_export]
macro_rules! gil_api {
    ($krate:ident) => {
        /// The crate's `Gil`, seen through the suite's trait.
        pub struct Subject($krate::Gil);
        /// The crate's `GilGuard`, seen through the suite's trait.
        pub struct SubjectGuard<'a>($krate::GilGuard<'a>);

        impl $crate::gil::GilApi for Subject {
            type Guard<'a> = SubjectGuard<'a>;
            fn new(switch_interval: ::std::time::Duration) -> Self {
                Subject($krate::Gil::new(switch_interval))
            }
            fn acquire(&self) -> SubjectGuard<'_> {
                SubjectGuard(self.0.acquire())
            }
            fn switch_interval(&self) -> ::std::time::Duration {
                self.0.switch_interval()
            }
        }

        impl $crate::gil::GuardApi for SubjectGuard<'_> {
            fn check_in(&mut self) {
                self.0.check_in()
            }
            fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T {
                self.0.allow_threads(work)
            }
        }

        const _: () = ::std::assert!(
            !$crate::__impls::impls!($krate::GilGuard<'static>: Send),
            "GilGuard must not be Send. A guard moved to another thread could be dropped there, \
             releasing a lock that thread never took while the thread that took it carries on \
             as the holder. Keep the `PhantomData<*const ()>` field: raw pointers are not \
             Send, so neither is the guard (and do not write `unsafe impl Send`)."
        );
        const _: () = ::std::assert!(
            $crate::__impls::impls!($krate::Gil: Send & Sync),
            "Gil must be Send and Sync: threads share one lock, by reference or in an Arc. \
             Keep its state in types that are (Mutex, Condvar, atomics)."
        );
    };
}

/// Writes the suite's check list once: [`checks`] (name and function, for
/// the decoy corpus and the course's coverage rule) and the exported [`gil!`] macro that
/// writes one `#[test]` per check in an exercise crate. The first token is
/// a literal `$`, which lets this macro write a macro.
///
/// [`gil!`]: crate::gil!
macro_rules! declare_gil_suite {
    ($d:tt [$($check:ident),* $(,)?]) => {
        /// Every check of the suite, in the order the tests are written,
        /// for the GIL `G`.
        pub fn checks<G: GilApi>() -> Vec<(&'static str, fn())> {
            vec![$((stringify!($check), $check::<G> as fn())),*]
        }

        /// The names of the suite's checks, in the order they are written
        /// (the course catalogue lists the same names).
        pub fn check_names() -> Vec<&'static str> {
            vec![$(stringify!($check)),*]
        }

        /// The suite for `exercises/gil/gil`, run against crate `$krate`:
        /// one `#[test]` per check.
        #[macro_export]
        macro_rules! gil {
            ($d krate:ident) => {
                $crate::gil_api!($d krate);
                $crate::__generic_suite!(gil, Subject, [$($check),*]);
            };
        }
    };
}

declare_gil_suite!($ [
    never_two_holders,
    two_gils_are_two_locks,
    hands_off_after_the_switch_interval,
    threads_computing_under_the_gil_take_turns,
    a_new_holder_gets_a_whole_interval,
    the_waiter_gets_the_lock_before_the_holder_takes_it_back,
    check_in_is_cheap_when_nobody_waits,
    a_waiter_sleeps_until_the_holder_lets_go,
    no_lost_wakeups,
    allow_threads_releases_the_gil,
    a_panicking_holder_releases_the_gil,
    allow_threads_retakes_the_gil_when_its_closure_panics,
    cpu_work_under_the_gil_gets_no_speedup,
    waiting_work_overlaps,
    cpu_work_that_releases_the_gil_speeds_up,
    nothing_is_kept_in_a_static,
    waiting_never_spins,
    the_holder_gets_the_lock_back_when_the_waiter_lets_go,
]);

/// The switch interval of the timing checks: CPython's default.
const INTERVAL: Duration = Duration::from_millis(5);

/// The switch intervals the hand-over is checked at: a short one, where a
/// hand-over that takes too long shows, and a long one, where a lock that
/// ignores the interval it was given shows.
const INTERVALS: [Duration; 2] = [Duration::from_millis(2), Duration::from_millis(20)];

/// How long a check waits for the threads it started before it calls the
/// lock stuck. Well above what the checks take on a loaded machine (under
/// half a second), and well below the suite's limit: a GIL that deadlocks
/// fails its first check in this time, and the rest of the suite is then
/// cut short (see [`harness::deadline::within_suite`]).
const STUCK_AFTER: Duration = Duration::from_secs(3);

/// Runs `work` within [`STUCK_AFTER`] as part of check `what`; if it gets
/// stuck, the failure adds `why` to the harness's words.
#[track_caller]
fn settle<T: Send + 'static>(
    what: &str,
    why: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    settle_within(STUCK_AFTER, what, why, work)
}

/// [`settle`] within `limit`. A stuck `work` marks the process stuck, so
/// that the rest of the suite is cut short (see
/// [`harness::deadline::within_suite`]).
#[track_caller]
fn settle_within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    why: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let stuck_before = harness::deadline::abandoned_thread_running();
    panic::catch_unwind(AssertUnwindSafe(|| {
        harness::deadline::within_suite(limit, what, work)
    }))
    .unwrap_or_else(|payload| {
        if !stuck_before && harness::deadline::abandoned_thread_running() {
            // Stuck here, not cut short after an earlier stuck test.
            let message = harness::record::panic_message(payload.as_ref());
            panic!("{message} {why}");
        }
        panic::resume_unwind(payload)
    })
}

/// The `q`-quantile of `sorted` (nearest rank): of 10 values, 0.9 gives the
/// second largest, so one outlier is forgiven and two are not.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn shown(waits: &[Duration]) -> String {
    waits
        .iter()
        .map(|w| human(*w))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Four threads interpret, check in, and step out through `allow_threads`
/// and back; the probe must never see two holders at once.
pub fn never_two_holders<G: GilApi>() {
    let gil = Arc::new(G::new(Duration::from_millis(1)));
    let probe = Arc::new(Probe::default());
    let steps = steps_for(Duration::from_millis(10));
    let (gil_, probe_) = (Arc::clone(&gil), Arc::clone(&probe));
    settle(
        "never_two_holders",
        "Four threads interpreting, checking in and stepping out through allow_threads \
         never finished: acquire, check_in or allow_threads never returned.",
        move || {
            let (gil, probe) = (&*gil_, &*probe_);
            in_threads(4, |_| {
                for _ in 0..5 {
                    interpret(gil, steps, Some(probe));
                    let mut guard = gil.acquire();
                    let held = probe.enter();
                    {
                        let _released = probe.leave();
                        guard.allow_threads(|| std::thread::sleep(Duration::from_micros(200)));
                    }
                    // Back from allow_threads, the lock must be held again.
                    instructions(steps / 10);
                    drop(held);
                }
            });
        },
    );
    assert_eq!(
        probe.peak(),
        1,
        "{} threads held the GIL at the same moment. acquire must wait while the lock is \
         held, and check_in and allow_threads must take it back before they return.",
        probe.peak()
    );
}

/// Trials per switch interval in [`hands_off_after_the_switch_interval`],
/// for the student's lock and for the yardstick each.
const HAND_OFF_TRIALS: usize = 10;

/// A waiter asks after one switch interval, and the holder, checking in
/// all the time, hands over promptly: at 2 ms and at 20 ms, no wait may be
/// shorter than the interval, and 9 of 10 must be within a few intervals
/// (more on a machine so busy that the yardstick's hand-overs were late
/// too).
pub fn hands_off_after_the_switch_interval<G: GilApi>() {
    // Created here, so that a stub fails on its todo!() right away.
    drop(G::new(INTERVALS[0]));
    the_interval_is_kept::<G>();
    for interval in INTERVALS {
        // A busy machine can make a few hand-overs late for a moment, and
        // one run of ten trials unlucky: a verdict of late stands only if a
        // second run agrees. Too early needs no second look.
        let first = hand_off_verdict::<G>(interval);
        if let Err(message) = first {
            if let Err(again) = hand_off_verdict::<G>(interval) {
                panic!("{again} (Measured twice; the first time: {message})");
            }
        }
    }
    // Under a millisecond: a verdict of late stands only if a second run
    // agrees, as above.
    if sub_millisecond_verdict::<G>().is_err() {
        if let Err(again) = sub_millisecond_verdict::<G>() {
            panic!("{again} (Measured twice.)");
        }
    }
    asks_again::every_waiter_asks_again::<G>();
}

/// The switch interval of [`sub_millisecond_verdict`], and its trials per
/// lock.
const SUB_MS: Duration = Duration::from_micros(100);
const SUB_MS_TRIALS: usize = 21;

/// At a switch interval of 100 µs, the waiter's median wait beside the
/// yardstick's, interleaved: a lock whose waiters time their interval in
/// whole milliseconds waits about 1 ms, ten intervals, where the yardstick
/// waits the interval and a wake-up. The whole-millisecond checks above
/// cannot tell the two apart.
fn sub_millisecond_verdict<G: GilApi>() -> Result<(), String> {
    let (mut mine, mut yard) = settle(
        "hands_off_after_the_switch_interval",
        "A thread checking in and a thread asking for the GIL, at a switch interval of 100 µs, \
         never finished: acquire or check_in never returned.",
        move || {
            let (gil, yardstick) = (G::new(SUB_MS), Yardstick::new(SUB_MS));
            let (mut mine, mut yard) = (Vec::new(), Vec::new());
            for _ in 0..SUB_MS_TRIALS {
                mine.push(hand_off(&gil, SUB_MS).waited);
                yard.push(hand_off(&yardstick, SUB_MS).waited);
            }
            (mine, yard)
        },
    );
    mine.sort();
    yard.sort();
    let (median, yard_median) = (quantile(&mine, 0.5), quantile(&yard, 0.5));
    // Room for a busy machine: twice the yardstick's median, and 400 µs.
    let allowed = (yard_median * 2).max(yard_median + Duration::from_micros(400));
    if median <= allowed {
        return Ok(());
    }
    Err(format!(
        "with a switch interval of {}, a waiter got the GIL after a median of {} over \
         {SUB_MS_TRIALS} trials (at most {} pass: waits {}), where a known-good lock's waiters \
         in the same run took {} ({}). The waiters must use the interval as it was given, \
         however short: a deadline rounded to whole milliseconds (or a timer that cannot wait \
         less) makes every waiter wait ten intervals.",
        human(SUB_MS),
        human(median),
        human(allowed),
        shown(&mine),
        human(yard_median),
        shown(&yard),
    ))
}

/// `Gil::new` keeps the interval it is given, and makes a zero one a
/// microsecond: CPython refuses a zero switch interval. (A waiter whose
/// timed waits last zero does not spin on Linux: the kernel's timer slack,
/// about 50 µs, makes such a wait sleep as long as a microsecond's. Both
/// used 12 to 16 ms of CPU in a wait of 60 ms, measured on 2026-12-08;
/// round 23's `gil/10`, which kept a zero inside, cannot be told from the
/// reference by what it does.)
fn the_interval_is_kept<G: GilApi>() {
    // Two round ones, and five drawn from a microsecond to a year, to the
    // nanosecond: no rounding to the millisecond, no floor of its own.
    let mut draw = crate::fetching::Draw::new();
    let drawn: Vec<Duration> = (0..5)
        .map(|_| crate::pure::log_duration(&mut draw, Duration::from_micros(1), crate::pure::YEAR))
        .collect();
    for interval in INTERVALS.into_iter().chain(drawn) {
        let kept = G::new(interval).switch_interval();
        assert_eq!(
            kept,
            interval,
            "Gil::new({}) made a lock whose switch_interval() is {}: keep the interval \
             you are given (every waiter's deadline is measured with it).",
            human(interval),
            human(kept),
        );
    }
    let zero = G::new(Duration::ZERO).switch_interval();
    assert!(
        zero == Duration::from_micros(1),
        "Gil::new(Duration::ZERO) made a lock whose switch_interval() is {zero:?}: a zero \
         interval becomes a microsecond, exactly (not a default of your own; round 16's \
         `gil/01` made it 5 ms), as in CPython (which refuses 0): a wait of no time asks \
         for no sleep at all. Clamp it in Gil::new: \
         `switch_interval.max(Duration::from_micros(1))`."
    );
}

/// Ten hand-over trials with the student's lock and ten with the
/// yardstick, alternating, judged.
fn hand_off_verdict<G: GilApi>(interval: Duration) -> Result<(), String> {
    let (trials, yardstick) = settle(
        "hands_off_after_the_switch_interval",
        "A thread checking in and a thread asking for the GIL never finished: acquire \
         or check_in never returned.",
        move || {
            let (gil, yardstick) = (G::new(interval), Yardstick::new(interval));
            let mut trials = Vec::new();
            let mut yard = Vec::new();
            while trials.len() < HAND_OFF_TRIALS {
                trials.push(hand_off(&gil, interval));
                yard.push(hand_off(&yardstick, interval).waited);
                let gave_up = trials.iter().filter(|t: &&HandOff| t.holder_gave_up);
                if gave_up.count() >= 2 {
                    break;
                }
            }
            (trials, yard)
        },
    );
    judge_hand_off(interval, trials, yardstick)
}

/// The longest a hand-over may take, 9 times in 10, on a quiet machine:
/// the interval, half as much again, and 2 ms to wake the waiter. A lock
/// whose waiters ask after two intervals or more is late at 20 ms (40 ms
/// against 32 ms).
fn hand_off_bound(interval: Duration) -> Duration {
    interval.mul_f64(1.5) + Duration::from_millis(2)
}

/// The longest a hand-over may take, 9 times in 10, given the yardstick's
/// 9-in-10 figure in the same run: on a machine so busy that the
/// yardstick was late too, three times its lateness (its wait beyond the
/// interval) is allowed beyond the interval.
fn allowed(interval: Duration, yardstick_p90: Duration) -> Duration {
    let lateness = yardstick_p90.saturating_sub(interval);
    hand_off_bound(interval).max(interval + lateness * 3 + Duration::from_millis(2))
}

/// How long a holder checks in before it gives up waiting for a hand-over.
fn holder_cap(interval: Duration) -> Duration {
    interval * 8 + Duration::from_millis(200)
}

/// One trial of [`hands_off_after_the_switch_interval`]: how long the
/// waiter waited, and whether the holder gave up waiting to be asked.
#[derive(Clone, Copy, Debug)]
struct HandOff {
    waited: Duration,
    holder_gave_up: bool,
}

/// A thread takes `gil` and checks in all the time; another asks for it.
fn hand_off<G: GilApi>(gil: &G, interval: Duration) -> HandOff {
    let cap = holder_cap(interval);
    let (started, has_it) = mpsc::channel();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let holder = s.spawn(|| {
            let mut guard = gil.acquire();
            started.send(()).expect("the test waits for this");
            let begun = Instant::now();
            let mut acc = 0;
            while !stop.load(Ordering::Relaxed) {
                if begun.elapsed() >= cap {
                    return true;
                }
                for i in 0..workload::CHECK_EVERY {
                    acc = workload::instruction(acc, i);
                }
                guard.check_in();
            }
            black_box(acc);
            false
        });
        has_it.recv().expect("the holder starts");
        std::thread::sleep(Duration::from_millis(2));
        let asked = Instant::now();
        let guard = gil.acquire();
        let waited = asked.elapsed();
        stop.store(true, Ordering::Relaxed);
        drop(guard);
        HandOff {
            waited,
            holder_gave_up: holder.join().expect("the holder does not panic"),
        }
    })
}

fn judge_hand_off(
    interval: Duration,
    trials: Vec<HandOff>,
    mut yardstick: Vec<Duration>,
) -> Result<(), String> {
    let mut waits: Vec<Duration> = trials.iter().map(|t| t.waited).collect();
    waits.sort();
    yardstick.sort();
    let n = waits.len();
    let allowed = allowed(interval, quantile(&yardstick, 0.9));
    let late = waits.iter().filter(|w| **w > allowed).count();
    let gave_up = trials.iter().filter(|t| t.holder_gave_up).count();
    if late >= 2 || gave_up >= 2 {
        let never = if gave_up > 0 {
            format!(
                " In {gave_up} of them the lock was never handed over: the holder checked \
                 in for {} and nobody asked it to let go. After waiting a whole interval, \
                 acquire must ask for the lock, and check_in must hand it over when asked.",
                human(holder_cap(interval))
            )
        } else {
            " After waiting a whole interval (one, not several), acquire must ask for the \
             lock, check_in must let go at once when asked, and the release must wake the \
             waiter. If the waits are about the same at every interval, Gil::new may be \
             ignoring the interval it is given."
                .to_owned()
        };
        return Err(format!(
            "with a switch interval of {}, a waiter got the GIL after more than {} in {late} \
             of {n} trials (waits: {}; a known-good lock in the same run: {}). The holder \
             checks in every few microseconds, so the waiter should have it after about one \
             interval, every time.{never}",
            human(interval),
            human(allowed),
            shown(&waits),
            shown(&yardstick),
        ));
    }
    // Deterministic: the lock is handed over only when asked, and no waiter
    // asks before it has waited a whole interval.
    assert!(
        waits[0] >= interval.mul_f64(0.8),
        "with a switch interval of {}, a waiter got the GIL after {}, before the interval \
         had passed (waits: {}). A holder keeps the lock until someone has waited a whole \
         interval: switching at every check-in makes CPU-bound threads pay for constant \
         hand-overs. If the waits are the same at every interval, Gil::new may be ignoring \
         the interval it is given.",
        human(interval),
        human(waits[0]),
        shown(&waits),
    );
    Ok(())
}

/// How long [`threads_computing_under_the_gil_take_turns`] lets its
/// threads compute in one window (three windows for the student's lock,
/// three for the yardstick, alternating), how many threads, and the switch
/// interval.
const TURN_WINDOW: Duration = Duration::from_millis(100);
const TURN_WINDOWS: usize = 3;
const TURN_THREADS: usize = 3;
const TURN_INTERVAL: Duration = Duration::from_millis(2);

/// Three threads compute under the lock, checking in all the time, as
/// CPU-bound Python threads do: the lock must change hands about once an
/// interval, never much sooner and not much later. A turn ends when a
/// waiter has waited a whole interval since the lock last changed hands
/// and asks; a waiter that measures its interval from the start of its own
/// wait instead asks every new holder at once, and turns shrink to
/// microseconds. A check_in that releases and takes the lock straight back
/// (no forced switching) wins the race against the waiter it woke, and
/// turns last many intervals.
pub fn threads_computing_under_the_gil_take_turns<G: GilApi>() {
    let gil = Arc::new(G::new(TURN_INTERVAL));
    // Short turns are the lock's doing whatever the load (a busy machine
    // makes turns longer, not shorter): they fail at once. Long turns stand
    // only if a second run agrees, as for the hand-over.
    match turns_verdict(&gil) {
        Turns::Fine => {}
        Turns::TooShort(message) => panic!("{message}"),
        Turns::TooLong(message) => match turns_verdict(&gil) {
            Turns::Fine => {}
            Turns::TooShort(again) | Turns::TooLong(again) => {
                panic!("{again} (Measured twice; the first time: {message})")
            }
        },
    }
}

/// What [`turns_verdict`] found.
enum Turns {
    Fine,
    /// More than 1 turn in 10 was shorter than half an interval.
    TooShort(String),
    /// 1 turn in 10 lasted longer than the bound.
    TooLong(String),
}

/// [`TURN_WINDOWS`] windows of threads taking turns with the student's
/// lock, alternating with as many on the yardstick, judged.
fn turns_verdict<G: GilApi>(gil: &Arc<G>) -> Turns {
    let gil = Arc::clone(gil);
    let (turns, yardstick, peak) = settle(
        "threads_computing_under_the_gil_take_turns",
        "Three threads computing and checking in never finished: acquire or check_in never \
         returned.",
        move || {
            let yardstick = Yardstick::new(TURN_INTERVAL);
            let (mut turns, mut yard, mut peak) = (Vec::new(), Vec::new(), 0);
            for _ in 0..TURN_WINDOWS {
                let (t, p) = take_turns(&*gil, TURN_WINDOW);
                turns.extend(t);
                peak = peak.max(p);
                yard.extend(take_turns(&yardstick, TURN_WINDOW).0);
            }
            (turns, yard, peak)
        },
    );
    assert_eq!(
        peak, 1,
        "{peak} threads held the GIL at the same moment while {TURN_THREADS} threads took \
         turns with it."
    );
    let mut sorted = turns.clone();
    sorted.sort();
    let mut yard = yardstick;
    yard.sort();
    let described = format!(
        "{TURN_THREADS} threads computed under a GIL with a switch interval of {} for \
         {TURN_WINDOWS} windows of {}, checking in every {} instructions; the lock changed \
         hands {} times",
        human(TURN_INTERVAL),
        human(TURN_WINDOW),
        workload::CHECK_EVERY,
        turns.len(),
    );
    if sorted.is_empty() {
        return Turns::TooLong(format!(
            "{described}: one thread kept it throughout. A waiter asks after one interval \
             and the holder lets go at its next check_in."
        ));
    }
    let short = |v: &[Duration]| v.iter().filter(|t| **t < TURN_INTERVAL / 2).count();
    let (mine_short, yard_short) = (short(&sorted), short(&yard));
    if mine_short * 10 > sorted.len() && mine_short * yard.len() > 2 * yard_short * sorted.len() {
        return Turns::TooShort(format!(
            "{described}, and {mine_short} of those turns lasted less than half an interval \
             (shortest {}; a known-good lock in the same run: {yard_short} of {}). A waiter \
             asks for the lock only after a whole interval in which it has not changed \
             hands: when the lock goes to another thread, every waiter starts its interval \
             again. Measuring it once from the start of the wait makes a waiter that has \
             waited long ask every new holder at once.",
            human(sorted[0]),
            yard.len(),
        ));
    }
    let p90 = quantile(&sorted, 0.9);
    let yard_p90 = quantile(&yard, 0.9);
    let bound = turn_bound(yard_p90);
    if p90 <= bound {
        return Turns::Fine;
    }
    Turns::TooLong(format!(
        "{described}, and 1 turn in 10 lasted {} or longer (longest {}). A turn should last \
         about one interval: at most {} here, as a known-good lock's turns in the same run \
         reached {} (1 in 10). A waiter asks after one interval and the holder lets go at \
         its next check_in. If check_in releases and takes the lock straight back, the \
         waiter it woke rarely gets there first: after letting go, check_in must wait until \
         another thread has taken the lock before it queues up again (CPython's forced \
         switching).",
        human(p90),
        human(*sorted.last().expect("at least one turn")),
        human(bound),
        human(yard_p90),
    ))
}

/// The longest 1 turn in 10 may last, given the yardstick's figure in the
/// same run: three times that, and never less than four intervals. Turns
/// are many (about fifty a window on a quiet machine), so their 9-in-10
/// figure is steady, and the yardstick's tracks the machine's load.
fn turn_bound(yardstick_p90: Duration) -> Duration {
    (TURN_INTERVAL * 4).max(yardstick_p90 * 3)
}

/// Runs [`TURN_THREADS`] computing threads on `gil` for `window`; returns
/// how long each whole turn with the lock lasted (from one thread getting
/// it to the next getting it, both within the window), and the most
/// holders the probe saw at once.
fn take_turns<G: GilApi>(gil: &G, window: Duration) -> (Vec<Duration>, usize) {
    let probe = Probe::default();
    let start = Instant::now();
    // Who has the lock, and when each thread got it from another.
    let holder = AtomicUsize::new(usize::MAX);
    let gains = Mutex::new(Vec::new());
    let note = |me: usize| {
        if holder.swap(me, Ordering::SeqCst) != me {
            lock(&gains).push(start.elapsed());
        }
    };
    in_threads(TURN_THREADS, |me| {
        let mut guard = gil.acquire();
        let held = probe.enter();
        note(me);
        let mut acc = 0;
        while start.elapsed() < window {
            for i in 0..workload::CHECK_EVERY {
                acc = workload::instruction(acc, i);
            }
            {
                let _released = probe.leave();
                guard.check_in();
            }
            note(me);
        }
        drop(held);
        acc
    });
    let gains = gains.into_inner().unwrap_or_else(PoisonError::into_inner);
    // Gains after the window are threads leaving, not turns.
    let within: Vec<Duration> = gains.into_iter().filter(|g| *g < window).collect();
    let turns = within
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]))
        .collect();
    (turns, probe.peak())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A switch interval nobody waits out in a check: a waiter in these checks
/// can only get the lock when the holder releases it.
pub(super) const FOREVER: Duration = Duration::from_secs(60);

/// With a switch interval of a minute, a thread waiting in `acquire` must
/// not get the lock while the holder computes and checks in (nobody has
/// waited an interval), must sleep meanwhile, and must get it as soon as
/// the holder lets go: a release wakes its waiter. A lock that polls (short
/// sleeps, or timed waits shorter than the interval) shows in the waiter's
/// wake-ups, counted by the kernel; one that takes the lock from a holder
/// it deems stuck fails the long hold; one that forgets to wake, the
/// release.
pub fn a_waiter_sleeps_until_the_holder_lets_go<G: GilApi>() {
    /// How long the holder computes in each trial: once for longer than a
    /// test usually waits, then twice briefly.
    const HOLDS: [Duration; 3] = [
        Duration::from_millis(3000),
        Duration::from_millis(60),
        Duration::from_millis(60),
    ];
    /// Times a waiter may wake while it waits: once for the release, and
    /// a few times for the state's own mutex. A waiter polling every 10 ms
    /// wakes 300 times in the long hold, one polling every 500 ms six.
    const WAKEUPS_AT_MOST: u64 = 4;
    /// Times the waiter may have woken in the long hold before the holder
    /// lets go: nothing but the release wakes a waiter that sleeps until
    /// it, so at most once (on the state's mutex, as it began to wait). One
    /// that looks again every second wakes twice (round 20's `gil/03`).
    const WAKEUPS_BEFORE_THE_RELEASE: u64 = 1;
    const WAKE_WITHIN: Duration = Duration::from_secs(1);
    let gil = Arc::new(G::new(FOREVER));
    for hold in HOLDS {
        let (started, holding) = mpsc::channel();
        let (took, taken) = mpsc::channel();
        let let_go = Arc::new(AtomicBool::new(false));
        // The waiter, and its wake-ups when it began to wait: read by the
        // holder just before it lets go.
        let waiter: Arc<std::sync::Mutex<Option<(harness::pause::Pausable, u64)>>> = Arc::default();
        let holder = {
            let (gil, let_go, waiter) =
                (Arc::clone(&gil), Arc::clone(&let_go), Arc::clone(&waiter));
            std::thread::spawn(move || {
                let mut guard = gil.acquire();
                let _ = started.send(());
                let begun = Instant::now();
                let mut acc = 0;
                while begun.elapsed() < hold {
                    for i in 0..workload::CHECK_EVERY {
                        acc = workload::instruction(acc, i);
                    }
                    guard.check_in();
                }
                let before_release = waiter
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .as_ref()
                    .and_then(|(w, at_start)| Some(w.wakeups()?.saturating_sub(*at_start)));
                let_go.store(true, Ordering::SeqCst);
                let dropped = Instant::now();
                drop(guard);
                (dropped, before_release)
            })
        };
        holding
            .recv_timeout(STUCK_AFTER)
            .expect("the first thread takes a free GIL");
        // The waiter is not joined: if nothing wakes it, it sleeps for the
        // switch interval, and the test process ends it.
        {
            let (gil, let_go, waiter) =
                (Arc::clone(&gil), Arc::clone(&let_go), Arc::clone(&waiter));
            std::thread::spawn(move || {
                let asked = Instant::now();
                let woken_before = harness::clock::thread_wakeups();
                *waiter
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some((harness::pause::Pausable::current(), woken_before));
                let cpu_before = harness::clock::thread_cpu_time();
                let guard = gil.acquire();
                let wakeups = harness::clock::thread_wakeups() - woken_before;
                let cpu = harness::clock::thread_cpu_time()
                    .zip(cpu_before)
                    .map(|(after, before)| after.saturating_sub(before));
                let _ = took.send(Waited {
                    waited: asked.elapsed(),
                    after_release: let_go.load(Ordering::SeqCst),
                    wakeups,
                    cpu,
                });
                drop(guard);
            });
        }
        let (_, before_release) = holder.join().expect("the holder does not panic");
        // A waiter that is never woken is stuck: the rest of the suite is
        // then cut short, as after any stuck test.
        let got = settle_within(
            WAKE_WITHIN,
            "a_waiter_sleeps_until_the_holder_lets_go",
            "The holder let go of the GIL, but the thread waiting in acquire was not woken: \
             with a switch interval of a minute, only the release's wake-up can bring it in. \
             Release must wake a thread waiting for the lock, every time.",
            move || taken.recv(),
        );
        let Ok(got) = got else {
            panic!("the thread waiting in acquire panicked")
        };
        assert!(
            got.after_release,
            "with a switch interval of {}, a thread waiting in acquire got the GIL after {} \
             while the holder was still computing and checking in for {}. Nobody had waited \
             a whole interval, so nobody should have asked for the lock, and a holder that \
             checks in is not stuck, however long it holds the lock: a waiter sleeps until \
             the lock is released or the interval has passed. Does Gil::new keep the \
             interval it is given, and does acquire wait on it (not on a fixed poll of a few \
             milliseconds, nor a limit of its own)?",
            human(FOREVER),
            human(got.waited),
            human(hold),
        );
        assert!(
            got.wakeups <= WAKEUPS_AT_MOST,
            "with a switch interval of {}, a thread waiting in acquire while the holder \
             computed for {} woke up {} times before it got the lock (the kernel counts \
             them); a waiter that sleeps until the release, or until its interval has \
             passed, wakes a handful of times at most ({WAKEUPS_AT_MOST} here). It polls: \
             it sleeps in short steps, or its timed waits are shorter than the interval. \
             Wait on the Condvar until the interval's deadline, and let the release wake \
             it; every wake-up of a waiter is a system call and a core woken for nothing.",
            human(FOREVER),
            human(hold),
            got.wakeups,
        );
        if hold >= Duration::from_secs(1)
            && let Some(woke) = before_release
        {
            assert!(
                woke <= WAKEUPS_BEFORE_THE_RELEASE,
                "with a switch interval of {}, a thread waiting in acquire while the holder \
                 computed for {} had woken up {woke} times before the holder let go (the \
                 kernel counts them; at most {WAKEUPS_BEFORE_THE_RELEASE} passes): nothing \
                 but the release may wake a waiter before its interval has passed. It looks \
                 again now and then (a timed wait of a second, say, \"in case a wake-up was \
                 missed\"): wait on the Condvar until the interval's deadline.",
                human(FOREVER),
                human(hold),
            );
        }
        // A waiter that spins on yield_now never sleeps, so it adds no
        // wake-ups; its CPU time shows it, even on a machine so busy that
        // the spinning costs no wall time.
        if let Some(cpu) = got.cpu {
            let allowed = hold / 20 + Duration::from_millis(5);
            assert!(
                cpu <= allowed,
                "with a switch interval of {}, a thread waiting in acquire while the holder \
                 computed for {} used {} of CPU time before it got the lock (at most {} \
                 allowed): it spins, checking the lock in a loop (with yield_now or not) \
                 instead of sleeping on a Condvar until the release or its interval wakes \
                 it. A waiting thread must not keep a core busy.",
                human(FOREVER),
                human(hold),
                human(cpu),
                human(allowed),
            );
        }
    }
}

/// What the waiter of [`a_waiter_sleeps_until_the_holder_lets_go`] saw.
struct Waited {
    waited: Duration,
    /// Whether the holder had let go when the waiter got the lock.
    after_release: bool,
    /// The waiter's wake-ups while it waited in `acquire`.
    wakeups: u64,
    /// The CPU time the waiter used while it waited in `acquire`, where
    /// the kernel tells it.
    cpu: Option<Duration>,
}

/// Eight threads take the lock hundreds of times, with and without
/// `allow_threads`; none may sleep through its wake-up. The switch interval
/// is a minute, so a waiter wakes only when a release wakes it. Then a
/// holder and one waiter take thousands of turns, each release the
/// waiter's only way out ([`one_waiter`]).
pub fn no_lost_wakeups<G: GilApi>() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 300;
    let gil = Arc::new(G::new(FOREVER));
    let taken = Arc::new(AtomicUsize::new(0));
    let (shared, count) = (Arc::clone(&gil), Arc::clone(&taken));
    settle(
        "no_lost_wakeups",
        "8 threads taking 300 turns each with the GIL never finished. With a switch interval \
         of a minute, a thread that waits that long slept through a release: wake the \
         waiters every time the lock is released.",
        move || {
            in_threads(THREADS, |t| {
                for round in 0..ROUNDS {
                    let mut guard = shared.acquire();
                    count.fetch_add(1, Ordering::Relaxed);
                    guard.check_in();
                    if (round + t) % 4 == 0 {
                        guard.allow_threads(std::thread::yield_now);
                    }
                }
            })
        },
    );
    assert_eq!(
        taken.load(Ordering::Relaxed),
        THREADS * ROUNDS,
        "every acquire returns once"
    );
    // One waiter, and no release after the one it needs: see `one_waiter`.
    let turns = settle(
        "no_lost_wakeups",
        "A holder and one waiter taking turns never finished: with a switch interval of a \
         minute, the waiter slept through a release. Wake the waiters every time the lock is \
         released.",
        one_waiter::take_turns::<G>,
    );
    if let Err((turn, late)) = turns {
        panic!(
            "a holder and one waiter took turns with the GIL (switch interval a minute); in turn \
             {turn} the holder let go {} ns after it told the waiter to come, and 1.5 s later the \
             waiter still did not have the lock: it slept through the release, and only another \
             release woke it. Every release must wake a thread waiting for the lock. A release \
             that decides whether anyone needs waking before it takes the lock's state (a \
             sleeper count read first, say) misses a waiter that goes to sleep in between",
            late.as_nanos()
        );
    }
}

/// While one thread is inside `allow_threads`, another can take the lock;
/// and the closure's value comes back.
pub fn allow_threads_releases_the_gil<G: GilApi>() {
    let gil = G::new(INTERVAL);
    let (go, wait_for_go) = mpsc::channel();
    let (done, wait_for_done) = mpsc::channel();
    let gil = &gil;
    let outcome = std::thread::scope(|s| {
        s.spawn(move || {
            wait_for_go.recv().expect("the first thread signals");
            let _guard = gil.acquire();
            let _ = done.send(());
        });
        let mut guard = gil.acquire();
        guard.allow_threads(move || {
            go.send(()).expect("the second thread is alive");
            wait_for_done
                .recv_timeout(Duration::from_secs(2))
                .map(|()| 42)
        })
    });
    assert_eq!(
        outcome,
        Ok(42),
        "while one thread was inside allow_threads, another could not take the GIL within \
         2 s: allow_threads must release the lock before it runs the closure"
    );
}

/// What the panics in the panic checks say, so that a failure can tell
/// them from a panic of the lock's own.
const EXPECTED_PANIC: &str = "(expected by the test)";

/// A thread that panics while holding the lock, or inside `allow_threads`,
/// must not leave it held.
pub fn a_panicking_holder_releases_the_gil<G: GilApi>() {
    let gil = Arc::new(G::new(INTERVAL));
    let holding = {
        let gil = Arc::clone(&gil);
        std::thread::spawn(move || {
            let _guard = gil.acquire();
            panic!("a panic while holding the GIL {EXPECTED_PANIC}");
        })
    };
    let when = "after a thread panicked while holding the GIL";
    expect_the_panic(holding.join(), when);
    assert_free(&gil, when);
    a_waiter_gets_the_lock_when_its_holder_panics::<G>();
    let inside = {
        let gil = Arc::clone(&gil);
        std::thread::spawn(move || {
            let mut guard = gil.acquire();
            guard.allow_threads(|| panic!("a panic inside allow_threads {EXPECTED_PANIC}"));
        })
    };
    let when = "after a thread panicked inside allow_threads";
    expect_the_panic(inside.join(), when);
    assert_free(&gil, when);
}

/// A thread already asleep in `acquire` (switch interval a minute, so
/// only a release's wake-up brings it in) when the holder panics must get
/// the lock within a second: the release in the guard's `Drop` wakes it
/// while the panic unwinds, as every release does.
fn a_waiter_gets_the_lock_when_its_holder_panics<G: GilApi>() {
    let gil = Arc::new(G::new(FOREVER));
    let (held, holding) = mpsc::channel();
    let (go, panic_now) = mpsc::channel::<()>();
    let holder = {
        let gil = Arc::clone(&gil);
        std::thread::spawn(move || {
            let _guard = gil.acquire();
            let _ = held.send(());
            let _ = panic_now.recv();
            panic!("a panic while holding the GIL, with a waiter {EXPECTED_PANIC}");
        })
    };
    holding
        .recv_timeout(STUCK_AFTER)
        .expect("the first thread takes a free GIL");
    let (took, taken) = mpsc::channel();
    let (its_tid, waiter_tid) = mpsc::channel();
    {
        let gil = Arc::clone(&gil);
        // Not joined: if nothing wakes it, it sleeps a minute and the test
        // process ends it.
        std::thread::spawn(move || {
            let _ = its_tid.send(harness::threads::own_tid());
            let guard = gil.acquire();
            let _ = took.send(Instant::now());
            drop(guard);
        });
    }
    // Until the waiter has fallen asleep in acquire, as the kernel sees it
    // (a second at most). One that has not yet only finds the lock free,
    // which makes the check easier, not harder.
    if let Ok(tid) = waiter_tid.recv_timeout(STUCK_AFTER) {
        harness::threads::wait_until_asleep(tid, Duration::from_secs(1));
    }
    let _ = go.send(());
    expect_the_panic(
        holder.join(),
        "when a thread panicked holding the GIL with a waiter",
    );
    let panicked = Instant::now();
    match taken.recv_timeout(Duration::from_secs(1)) {
        Ok(_) => {}
        Err(_) => panic!(
            "a thread waited in acquire (switch interval {}) while the holder panicked; a \
             second after the panic it still had not got the lock ({} since the holder's \
             thread ended). The guard's Drop, which runs while the panic unwinds, must release \
             the lock and wake its waiters like any release: do not skip the wake-up when \
             `std::thread::panicking()`.",
            human(FOREVER),
            human(panicked.elapsed()),
        ),
    }
}

/// The thread must have ended with the test's own panic, not one from the
/// lock (a poisoned mutex, a failed assertion).
fn expect_the_panic(joined: std::thread::Result<()>, when: &str) {
    let message = match joined {
        Ok(()) => panic!("{when}: the thread did not panic, though the test made it"),
        Err(payload) => harness::record::panic_message(payload.as_ref()),
    };
    if !message.contains(EXPECTED_PANIC) {
        panic!(
            "{when}: while unwinding, the lock itself panicked with {message:?}.{}",
            poison_hint(&message)
        );
    }
}

/// What to say when a panic message shows a poisoned mutex.
fn poison_hint(message: &str) -> &'static str {
    if message.contains("Poison") {
        " A Mutex inside your Gil is poisoned: a thread panicked while it had that mutex \
         locked (the test's panic, while the GIL was held), and every `.lock().unwrap()` on \
         it panics since. Don't keep a std MutexGuard for as long as the GIL is held; lock \
         the mutex only briefly to change the lock's state, and recover from poisoning with \
         `.lock().unwrap_or_else(PoisonError::into_inner)`."
    } else {
        ""
    }
}

/// Asserts that another thread can take the lock within 2 s. The taker is
/// not joined: if the lock stays held it waits forever, and the test
/// process ends it.
fn assert_free<G: GilApi>(gil: &Arc<G>, when: &str) {
    let (took, taken) = mpsc::channel();
    let gil = Arc::clone(gil);
    std::thread::spawn(move || {
        let got = panic::catch_unwind(AssertUnwindSafe(|| drop(gil.acquire())));
        let _ = took.send(got.map_err(|payload| harness::record::panic_message(payload.as_ref())));
    });
    match taken.recv_timeout(Duration::from_secs(2)) {
        Ok(Ok(())) => {}
        Ok(Err(message)) => panic!(
            "{when}, another thread's acquire panicked: {message:?}.{}",
            poison_hint(&message)
        ),
        Err(_) => panic!(
            "{when}, no other thread could take it within 2 s: it was still held. Release \
             the lock in the guard's Drop, which also runs while a panic unwinds; and in \
             allow_threads take the lock back even when the closure panics, so that Drop has \
             a lock to release."
        ),
    }
}

/// A thread panics inside `allow_threads` while another thread holds the
/// lock. It must take the lock back before its guard's `Drop` releases it:
/// otherwise that `Drop` releases the other thread's lock, and a third
/// thread gets in beside it. The probe witnesses the two holders.
pub fn allow_threads_retakes_the_gil_when_its_closure_panics<G: GilApi>() {
    /// How long the second thread keeps the lock, unless the third thread
    /// gets in first (which ends the test sooner).
    const HOLD: Duration = Duration::from_millis(200);
    let gil = Arc::new(G::new(INTERVALS[1]));
    let probe = Arc::new(Probe::default());
    let (gil_, probe_) = (Arc::clone(&gil), Arc::clone(&probe));
    let panicking = settle(
        "allow_threads_retakes_the_gil_when_its_closure_panics",
        "A thread panicking inside allow_threads, one holding the GIL meanwhile and one \
         taking it afterwards never finished: acquire never returned, or allow_threads \
         never took the lock back.",
        move || {
            let (gil, probe) = (gil_, probe_);
            let (go, wait_for_go) = mpsc::channel();
            let (holds, wait_for_hold) = mpsc::channel();
            let third_in = Arc::new(AtomicBool::new(false));
            let panicked = Arc::new(AtomicBool::new(false));
            // The other holder: takes the lock while the first thread is
            // inside allow_threads, and keeps it for a while.
            let other = {
                let (gil, probe, third_in) =
                    (Arc::clone(&gil), Arc::clone(&probe), Arc::clone(&third_in));
                std::thread::spawn(move || {
                    let _ = wait_for_go.recv();
                    let guard = gil.acquire();
                    let held = probe.enter();
                    let _ = holds.send(());
                    let begun = Instant::now();
                    while begun.elapsed() < HOLD && !third_in.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    drop(held);
                    drop(guard);
                })
            };
            let first = {
                let (gil, panicked) = (Arc::clone(&gil), Arc::clone(&panicked));
                std::thread::spawn(move || {
                    let mut guard = gil.acquire();
                    guard.allow_threads(move || {
                        let _ = go.send(());
                        let _ = wait_for_hold.recv_timeout(Duration::from_secs(1));
                        panicked.store(true, Ordering::SeqCst);
                        panic!("a panic inside allow_threads {EXPECTED_PANIC}");
                    });
                })
            };
            while !panicked.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1));
            }
            // Time for the panic to unwind through allow_threads and the
            // guard's Drop.
            std::thread::sleep(Duration::from_millis(20));
            let third = {
                let (gil, probe, third_in) =
                    (Arc::clone(&gil), Arc::clone(&probe), Arc::clone(&third_in));
                std::thread::spawn(move || {
                    let guard = gil.acquire();
                    let held = probe.enter();
                    third_in.store(true, Ordering::SeqCst);
                    drop(held);
                    drop(guard);
                })
            };
            other.join().expect("the other holder does not panic");
            third.join().expect("the third thread does not panic");
            first.join()
        },
    );
    assert_eq!(
        probe.peak(),
        1,
        "while one thread held the GIL, another thread's closure panicked inside \
         allow_threads; then a third thread took the lock while the first still held it: \
         two threads held the GIL at once. The panicking thread's guard released a lock that \
         another thread held. allow_threads must take the lock back even when the closure \
         panics, before the panic leaves allow_threads (retake it in the Drop of a value \
         local to allow_threads, which runs while the panic unwinds), so that the guard's \
         Drop releases the thread's own lock."
    );
    expect_the_panic(panicking, "after a thread panicked inside allow_threads");
    a_caught_panic_leaves_the_lock_held::<G>();
}

/// The second half of [`allow_threads_retakes_the_gil_when_its_closure_panics`]:
/// a thread catches the panic of its `allow_threads` closure and carries on
/// as the holder, as PyO3 code does after a Rust panic becomes a Python
/// exception. Another thread asking for the lock meanwhile must wait.
fn a_caught_panic_leaves_the_lock_held<G: GilApi>() {
    const HOLD: Duration = Duration::from_millis(100);
    let gil = Arc::new(G::new(FOREVER));
    let probe = Arc::new(Probe::default());
    let (gil_, probe_) = (Arc::clone(&gil), Arc::clone(&probe));
    settle(
        "allow_threads_retakes_the_gil_when_its_closure_panics",
        "A thread that caught a panic from allow_threads and a thread asking for the GIL \
         never finished: allow_threads never took the lock back, or acquire never returned.",
        move || {
            let (gil, probe) = (gil_, probe_);
            let (caught, wait_for_catch) = mpsc::channel();
            let first = {
                let (gil, probe) = (Arc::clone(&gil), Arc::clone(&probe));
                std::thread::spawn(move || {
                    let mut guard = gil.acquire();
                    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
                        guard.allow_threads(|| panic!("a caught panic {EXPECTED_PANIC}"))
                    }));
                    let held = probe.enter();
                    let _ = caught.send(());
                    std::thread::sleep(HOLD);
                    drop(held);
                    drop(guard);
                    outcome.is_err()
                })
            };
            let _ = wait_for_catch.recv_timeout(STUCK_AFTER);
            let second = std::thread::spawn(move || {
                let guard = gil.acquire();
                let held = probe.enter();
                drop(held);
                drop(guard);
            });
            second.join().expect("the second thread does not panic");
            first.join().expect("the first thread catches its panic")
        },
    );
    assert_eq!(
        probe.peak(),
        1,
        "a thread caught the panic of its allow_threads closure and carried on holding the \
         GIL (its guard still alive); meanwhile another thread's acquire returned, and two \
         threads held the GIL at once. allow_threads must take the lock back before it \
         returns, also when it returns by unwinding: retake it in the Drop of a value \
         local to allow_threads, not in code after the call to the closure."
    );
}

const TASKS: usize = 4;

/// A lock for a timing check, tried first: four threads interpret, check
/// in and step out through `allow_threads` for a moment, within
/// [`STUCK_AFTER`]. A lock that deadlocks under contention fails here in
/// seconds rather than at the suite's limit, and the measurement that
/// follows starts warm.
fn tried<G: GilApi>(check: &str) -> Arc<G> {
    let gil = Arc::new(G::new(INTERVAL));
    let steps = steps_for(INTERVAL * 2);
    let shared = Arc::clone(&gil);
    settle(
        check,
        "Four threads taking turns with the GIL before the measurement never finished: \
         acquire, check_in or allow_threads never returned.",
        move || {
            in_threads(TASKS, |_| {
                interpret(&*shared, steps, None);
                workload::sleep(&*shared, Duration::from_micros(100));
            })
        },
    );
    gil
}

/// CPU work in four threads under the GIL takes as long as one after
/// another: the point of the chapter.
pub fn cpu_work_under_the_gil_gets_no_speedup<G: GilApi>() {
    no_speedup_outcome::<G>().assert_pass();
}

/// Measures [`cpu_work_under_the_gil_gets_no_speedup`] without judging.
pub fn no_speedup_outcome<G: GilApi>() -> Outcome {
    let gil = tried::<G>("cpu_work_under_the_gil_gets_no_speedup");
    let steps = steps_for(Duration::from_millis(40));
    CpuCheck::serialized("CPU work in threads under the GIL", TASKS)
        .hint(
            "acquire must block while another thread holds the lock, and check_in must \
             take the lock back before returning.",
        )
        .run(
            &mut || one_after_another(TASKS, |_| interpret(&*gil, steps, None)),
            // The same interpreter, each thread on a lock of its own: what
            // the threads do when nothing makes them take turns.
            &mut || in_threads(TASKS, |_| interpret(&G::new(INTERVAL), steps, None)),
            &mut || in_threads(TASKS, |_| interpret(&*gil, steps, None)),
        )
}

/// Waiting work in four threads overlaps under the GIL, because the lock
/// is released while each thread waits.
pub fn waiting_work_overlaps<G: GilApi>() {
    overlap_outcome::<G>().assert_pass();
}

/// Measures [`waiting_work_overlaps`] without judging.
pub fn overlap_outcome<G: GilApi>() -> Outcome {
    let latency = Duration::from_millis(100);
    let server = crate::fetching::server(latency);
    let urls = server.page_urls(TASKS);
    let gil = tried::<G>("waiting_work_overlaps");
    WaitCheck::new("waiting work in threads under the GIL", TASKS, latency)
        .hint(
            "allow_threads must release the lock before running the closure, so the \
             other threads can start their requests while this one waits.",
        )
        .run(
            &mut || in_threads(TASKS, |i| testweb::get(&urls[i])),
            &mut || in_threads(TASKS, |i| fetch(&*gil, &urls[i])),
        )
}

/// CPU work inside `allow_threads` runs in parallel again, as in a C
/// extension that drops the GIL.
pub fn cpu_work_that_releases_the_gil_speeds_up<G: GilApi>() {
    released_speedup_outcome::<G>().assert_pass();
}

/// Measures [`cpu_work_that_releases_the_gil_speeds_up`] without judging.
pub fn released_speedup_outcome<G: GilApi>() -> Outcome {
    let gil = tried::<G>("cpu_work_that_releases_the_gil_speeds_up");
    let steps = steps_for(Duration::from_millis(40));
    CpuCheck::new("CPU work inside allow_threads", TASKS)
        .hint(
            "allow_threads must run the closure without the lock, so four threads can \
             compute at once.",
        )
        .run(
            &mut || one_after_another(TASKS, |_| extension(&*gil, steps)),
            &mut || in_threads(TASKS, |_| instructions(steps)),
            &mut || in_threads(TASKS, |_| extension(&*gil, steps)),
        )
}
