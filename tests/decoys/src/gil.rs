//! Wrong GILs. Most are one lock with one flaw ([`Flawed`]): a compact
//! copy of the reference design (a mutex for the state, a condition
//! variable to sleep on, forced switching) in which the flaw is switched on
//! by a constant. [`MutexGil`] is a different design: a std `Mutex` whose
//! guard is held for as long as the GIL is.

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use suites::gil::{GilApi, GuardApi, checks};

use crate::{Checks, Class, Decoy};

/// `acquire` returns at once: any number of holders.
pub const NO_EXCLUSION: u8 = 0;
/// A waiter never asks the holder to let go.
pub const NEVER_HANDS_OVER: u8 = 1;
/// A waiter asks at once instead of after a switch interval.
pub const HANDS_OVER_AT_ONCE: u8 = 2;
/// `allow_threads` runs the closure with the lock held.
pub const HOLDS_DURING_ALLOW_THREADS: u8 = 3;
/// The guard's `Drop` does not release the lock.
pub const FORGETS_TO_RELEASE_ON_DROP: u8 = 4;
/// Nothing wakes a sleeper: a waiter notices a release only when its timed
/// wait of one switch interval ends.
pub const RELEASES_WITHOUT_NOTIFYING: u8 = 5;
/// `allow_threads` does not take the lock back.
pub const DOES_NOT_RETAKE_AFTER_ALLOW_THREADS: u8 = 6;
/// `check_in` releases and takes the lock straight back, without waiting
/// until another thread has had it (no forced switching).
pub const NO_FORCED_SWITCHING: u8 = 7;
/// `allow_threads` takes the lock back after its closure returns, but not
/// when the closure panics.
pub const NO_RETAKE_ON_PANIC: u8 = 8;
/// `Gil::new` ignores its switch interval: always 5 ms.
pub const IGNORES_THE_INTERVAL: u8 = 9;
/// Ignores the interval (5 ms polling) and nothing wakes a sleeper: the
/// polling hides the lost wake-ups.
pub const POLLS_AND_RELEASES_WITHOUT_NOTIFYING: u8 = 10;
/// Waiters spin on `yield_now` instead of sleeping.
pub const SPINS_WHILE_WAITING: u8 = 11;
/// Asked to hand over, `check_in` waits for someone else to take the lock
/// before it has released it: a deadlock.
pub const DEADLOCKS_IN_CHECK_IN: u8 = 12;
/// Waiters are woken by releases, but also re-check every 10 ms "in case a
/// wake-up was lost": polling on top of waiting.
pub const WAKES_EVERY_10_MS: u8 = 13;
/// A waiter that has waited 500 ms takes the lock anyway, "the holder must
/// be stuck".
pub const STEALS_AFTER_500_MS: u8 = 14;
/// Waiters ask after three intervals, "to reduce thrashing".
pub const ASKS_AFTER_THREE_INTERVALS: u8 = 15;
/// A waiter measures one interval from the start of its wait, not from the
/// latest hand-over: once that has passed, it asks every new holder at once.
pub const DEADLINE_FROM_THE_START: u8 = 16;
/// `check_in` yields the CPU every time, asked or not, "to be fair".
pub const CHECK_IN_YIELDS: u8 = 17;
/// `Gil::new` keeps a zero switch interval as it is.
pub const KEEPS_A_ZERO_INTERVAL: u8 = 18;
/// `allow_threads` takes the lock back only after a normal return, and the
/// guard remembers whether it holds the lock so that its `Drop` does no
/// harm: after a caught panic its thread carries on without the lock.
pub const NO_RETAKE_ON_CAUGHT_PANIC: u8 = 19;
/// Asked to hand over, `check_in` releases, sleeps 200 µs "so the waiter
/// gets in first", and takes the lock back without checking that it did.
/// On an idle machine the waiter does get in first almost every time.
pub const SLEEPS_INSTEAD_OF_FORCED_SWITCHING: u8 = 20;
/// Asked to hand over, `check_in` releases, yields the CPU "so the waiter
/// can run", and takes the lock back.
pub const YIELDS_INSTEAD_OF_FORCED_SWITCHING: u8 = 21;
/// Taking the lock leaves the drop request as it was: a request made of
/// the last holder is put to the new one at its first check-in.
pub const KEEPS_THE_DROP_REQUEST: u8 = 22;
/// Asked to hand over, `check_in` waits for the waiter at most 200 ms,
/// then takes the lock back anyway, "in case the waiter died".
pub const GIVES_UP_WAITING_AFTER_200_MS: u8 = 23;
/// `check_in` honours every other drop request, the first included, and
/// drops the rest: "half the switches, half the overhead".
pub const HONOURS_EVERY_OTHER_REQUEST: u8 = 24;
/// A release wakes one waiter (`notify_one`), and only if no wake-up is on
/// its way already: a flag, "to spare the thundering herd", which the
/// release raises and the waiter it woke lowers once it has the lock (and
/// taking the lock wakes only a holder that waits to see it taken). But a
/// release that finds nobody asleep raises the flag too, and no waiter
/// lowers it: from then on no release wakes anyone. (With the flag raised
/// only when someone sleeps, the wake-up is lost only when a woken waiter
/// finds the lock taken again by a thread that never slept.)
pub const ONE_WAKE_UP_IN_FLIGHT: u8 = 25;
/// The drop request is one flag in a `static`, shared by every Gil: a
/// waiter on one Gil asks the holder of every other.
pub const SHARED_DROP_REQUEST: u8 = 26;
/// The guard's `Drop` releases without waking anyone while a panic
/// unwinds, "to keep the unwinding short".
pub const NO_WAKE_ON_PANIC: u8 = 27;
/// Waiters re-check every 500 ms "in case a wake-up was lost": polling,
/// slow enough to look like sleeping.
pub const WAKES_EVERY_500_MS: u8 = 28;
/// Asked to hand over, `check_in` waits for the waiter at most 500 ms,
/// then takes the lock back anyway: past a 400 ms pause.
pub const GIVES_UP_WAITING_AFTER_500_MS: u8 = 29;
/// A waiter asks for the lock once per `acquire`: "once asked, asking
/// again only repeats it". A request used up by a hand-over to another
/// waiter is never made again.
pub const ASKS_ONCE_PER_ACQUIRE: u8 = 30;
/// The waiters time their interval in whole milliseconds, rounded up ("a
/// condition variable's timeout is not finer than that in practice"):
/// `switch_interval()` still reports the interval given.
pub const WHOLE_MILLISECONDS: u8 = 31;
/// Every 256th check-in calls `yield_now`, "a courtesy to a waiter that has
/// not asked yet" (round 4's `gil/04`): a system call that an average over
/// 20,000 check-ins hides.
pub const YIELDS_EVERY_256TH_CHECK_IN: u8 = 32;
/// A release reads a sleeper count (an atomic that waiters raise under the
/// mutex before they sleep) before it takes the mutex, and wakes nobody if
/// it read 0: "most releases have nobody to wake" (round 4's `gil/05`). A
/// waiter that counts itself and sleeps between that read and the release
/// sleeps through it.
pub const LOOKS_BEFORE_LOCKING: u8 = 33;
/// A holder that handed over waits to take the lock back without counting
/// itself among the waiters a release wakes, and looks again every switch
/// interval: the release of the thread it handed to wakes nobody, and the
/// holder is back one interval later (round 13's `gil/10`).
pub const HOLDER_UNCOUNTED: u8 = 34;
/// `Gil::new` makes a zero switch interval a default of its own, 5 ms,
/// not a microsecond (round 16, `gil/01`).
pub const ZERO_IS_THE_DEFAULT: u8 = 35;
/// Having handed over, `check_in` looks every millisecond whether the
/// lock has been taken (a timed wait of 1 ms in a loop) instead of
/// sleeping until it has (round 16's `gil/03`): it never takes the lock
/// back early, but wakes a thousand times a second while it waits.
pub const HOLDER_POLLS_EVERY_MS: u8 = 36;
/// Taking the lock back at the end of `allow_threads` leaves the drop
/// request as it was (round 20's `gil/05`: a `take_back` of its own, a
/// copy of `take` without the line that clears it).
pub const RETAKE_KEEPS_THE_DROP_REQUEST: u8 = 37;
/// Waiters re-check every second "in case a wake-up was lost" (round 20's
/// `gil/03`): three wake-ups in a hold of three seconds.
pub const WAKES_EVERY_SECOND: u8 = 38;
/// Having handed over, `check_in` looks every 140 ms whether the lock has
/// been taken, instead of sleeping until it has (round 23's `gil/02`):
/// ten wake-ups in a pause of a second and a half.
pub const HOLDER_POLLS_EVERY_140_MS: u8 = 39;
/// No flaw: the reference design, for the decoys that wrap it.
pub const NO_FLAW: u8 = u8::MAX;

/// The drop request of every [`SHARED_DROP_REQUEST`] lock.
static SHARED_REQUEST: AtomicBool = AtomicBool::new(false);

/// A GIL with one flaw, chosen by `FLAW`.
pub struct Flawed<const FLAW: u8> {
    state: Mutex<State>,
    changed: Condvar,
    /// The interval its waiters use.
    interval: Duration,
    /// The interval `switch_interval` reports: the one given to `new`,
    /// clamped (the locks that ignore their interval hide it there).
    reported: Duration,
    /// Threads asleep on `changed` ([`LOOKS_BEFORE_LOCKING`] only).
    sleepers: AtomicUsize,
}

#[derive(Default)]
struct State {
    held: bool,
    switches: u64,
    drop_request: bool,
    /// Drop requests `check_in` has seen.
    requests_seen: u64,
    /// A release has woken a waiter that has not taken the lock yet
    /// ([`ONE_WAKE_UP_IN_FLIGHT`] only).
    waking: bool,
    /// Holders that handed over and wait to see the lock taken.
    handing_over: usize,
    /// Threads asleep in `take` ([`HOLDER_UNCOUNTED`] only).
    takers: usize,
}

/// The guard of a [`Flawed`] GIL, and whether it holds the lock (always,
/// except for [`NO_RETAKE_ON_CAUGHT_PANIC`]).
pub struct FlawedGuard<'a, const FLAW: u8>(&'a Flawed<FLAW>, PhantomData<*const ()>, Cell<bool>);

impl<const FLAW: u8> Flawed<FLAW> {
    const NOTIFIES: bool =
        FLAW != RELEASES_WITHOUT_NOTIFYING && FLAW != POLLS_AND_RELEASES_WITHOUT_NOTIFYING;

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn sleep<'s>(&'s self, state: MutexGuard<'s, State>, wait: Duration) -> MutexGuard<'s, State> {
        if FLAW == SPINS_WHILE_WAITING {
            drop(state);
            std::thread::yield_now();
            self.state()
        } else {
            let wait = match FLAW {
                WAKES_EVERY_10_MS => wait.min(Duration::from_millis(10)),
                WAKES_EVERY_500_MS => wait.min(Duration::from_millis(500)),
                WAKES_EVERY_SECOND => wait.min(Duration::from_secs(1)),
                _ => wait,
            };
            self.sleepers.fetch_add(1, Ordering::SeqCst);
            let state = self
                .changed
                .wait_timeout(state, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            self.sleepers.fetch_sub(1, Ordering::SeqCst);
            state
        }
    }

    /// Wakes the threads waiting for a release.
    fn wake_after_release(&self, state: &mut State) {
        if FLAW == HOLDER_UNCOUNTED && state.takers == 0 {
            return;
        }
        if FLAW == ONE_WAKE_UP_IN_FLIGHT {
            if !state.waking {
                state.waking = true;
                self.changed.notify_one();
            }
        } else if Self::NOTIFIES {
            self.changed.notify_all();
        }
    }

    fn take(&self) {
        self.take_clearing(true);
    }

    /// Takes the lock; `clears`: whether taking it clears the drop request
    /// (always, but for [`RETAKE_KEEPS_THE_DROP_REQUEST`]'s retake).
    fn take_clearing(&self, clears: bool) {
        if FLAW == NO_EXCLUSION {
            return;
        }
        let mut state = self.state();
        let mut slept = false;
        let mut seen = state.switches;
        let asks_after = if FLAW == ASKS_AFTER_THREE_INTERVALS {
            self.interval * 3
        } else {
            self.interval
        };
        let began = Instant::now();
        let mut deadline = began + asks_after;
        let mut asked = false;
        while state.held {
            let now = Instant::now();
            if FLAW == STEALS_AFTER_500_MS && began.elapsed() >= Duration::from_millis(500) {
                break;
            }
            if FLAW == HANDS_OVER_AT_ONCE
                || (FLAW == DEADLINE_FROM_THE_START && now >= began + asks_after)
            {
                state.drop_request = true;
            } else if now >= deadline {
                if state.switches == seen
                    && FLAW != NEVER_HANDS_OVER
                    && !(FLAW == ASKS_ONCE_PER_ACQUIRE && asked)
                {
                    asked = true;
                    state.drop_request = true;
                    if FLAW == SHARED_DROP_REQUEST {
                        SHARED_REQUEST.store(true, Ordering::SeqCst);
                    }
                }
                deadline = now + asks_after;
            }
            let wait = if FLAW == STEALS_AFTER_500_MS {
                deadline
                    .saturating_duration_since(now)
                    .min(Duration::from_millis(50))
            } else {
                deadline.saturating_duration_since(now)
            };
            state.takers += 1;
            state = self.sleep(state, wait);
            state.takers -= 1;
            slept = true;
            if state.switches != seen {
                seen = state.switches;
                deadline = Instant::now() + asks_after;
            }
        }
        state.held = true;
        state.switches += 1;
        if FLAW != KEEPS_THE_DROP_REQUEST && clears {
            state.drop_request = false;
        }
        if FLAW == SHARED_DROP_REQUEST {
            SHARED_REQUEST.store(false, Ordering::SeqCst);
        }
        if FLAW == ONE_WAKE_UP_IN_FLIGHT {
            if slept {
                state.waking = false;
            }
            if state.handing_over > 0 {
                self.changed.notify_all();
            }
        } else if Self::NOTIFIES {
            self.changed.notify_all();
        }
    }

    fn release(&self) {
        if FLAW == LOOKS_BEFORE_LOCKING {
            let anyone = self.sleepers.load(Ordering::SeqCst) > 0;
            self.state().held = false;
            if anyone {
                self.changed.notify_all();
            }
            return;
        }
        let mut state = self.state();
        state.held = false;
        self.wake_after_release(&mut state);
    }
}

impl<const FLAW: u8> GilApi for Flawed<FLAW> {
    type Guard<'a> = FlawedGuard<'a, FLAW>;
    fn new(interval: Duration) -> Self {
        let ignores = FLAW == IGNORES_THE_INTERVAL || FLAW == POLLS_AND_RELEASES_WITHOUT_NOTIFYING;
        let clamped = if FLAW == KEEPS_A_ZERO_INTERVAL {
            interval
        } else if FLAW == ZERO_IS_THE_DEFAULT && interval.is_zero() {
            Duration::from_millis(5)
        } else {
            interval.max(Duration::from_micros(1))
        };
        Self {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            reported: clamped,
            sleepers: AtomicUsize::new(0),
            interval: if ignores {
                Duration::from_millis(5)
            } else if FLAW == WHOLE_MILLISECONDS {
                Duration::from_millis(clamped.as_nanos().div_ceil(1_000_000) as u64)
            } else {
                clamped
            },
        }
    }
    fn acquire(&self) -> FlawedGuard<'_, FLAW> {
        self.take();
        FlawedGuard(self, PhantomData, Cell::new(true))
    }
    fn switch_interval(&self) -> Duration {
        self.reported
    }
}

impl<const FLAW: u8> GuardApi for FlawedGuard<'_, FLAW> {
    fn check_in(&mut self) {
        if FLAW == CHECK_IN_YIELDS {
            std::thread::yield_now();
        }
        if FLAW == YIELDS_EVERY_256TH_CHECK_IN {
            thread_local! {
                static CHECK_INS: Cell<u32> = const { Cell::new(0) };
            }
            let n = CHECK_INS.get().wrapping_add(1);
            CHECK_INS.set(n);
            if n % 256 == 0 {
                std::thread::yield_now();
            }
        }
        let mut state = self.0.state();
        let shared = FLAW == SHARED_DROP_REQUEST && SHARED_REQUEST.load(Ordering::SeqCst);
        if !state.drop_request && !shared {
            return;
        }
        state.requests_seen += 1;
        if FLAW == HONOURS_EVERY_OTHER_REQUEST && state.requests_seen % 2 == 0 {
            state.drop_request = false;
            return;
        }
        if FLAW == SLEEPS_INSTEAD_OF_FORCED_SWITCHING || FLAW == YIELDS_INSTEAD_OF_FORCED_SWITCHING
        {
            state.held = false;
            self.0.changed.notify_all();
            drop(state);
            if FLAW == SLEEPS_INSTEAD_OF_FORCED_SWITCHING {
                std::thread::sleep(Duration::from_micros(200));
            } else {
                std::thread::yield_now();
            }
            self.0.take();
            return;
        }
        let released_at = state.switches;
        if FLAW != DEADLOCKS_IN_CHECK_IN {
            state.held = false;
            self.0.wake_after_release(&mut state);
        }
        if FLAW != NO_FORCED_SWITCHING {
            // Without wake-ups, poll once an interval.
            let poll = if FLAW == HOLDER_POLLS_EVERY_MS {
                Duration::from_millis(1)
            } else if FLAW == HOLDER_POLLS_EVERY_140_MS {
                Duration::from_millis(140)
            } else if Flawed::<FLAW>::NOTIFIES {
                Duration::from_secs(3600)
            } else {
                self.0.interval
            };
            let began = Instant::now();
            state.handing_over += 1;
            while state.switches == released_at {
                if FLAW == GIVES_UP_WAITING_AFTER_200_MS || FLAW == GIVES_UP_WAITING_AFTER_500_MS {
                    let limit = if FLAW == GIVES_UP_WAITING_AFTER_200_MS {
                        200
                    } else {
                        500
                    };
                    let left = Duration::from_millis(limit).saturating_sub(began.elapsed());
                    if left.is_zero() {
                        break;
                    }
                    state = self.0.sleep(state, left);
                } else {
                    state = self.0.sleep(state, poll);
                }
            }
            state.handing_over -= 1;
        }
        if FLAW == HOLDER_UNCOUNTED {
            // Not among the takers: only the interval wakes it.
            while state.held {
                state = self
                    .0
                    .changed
                    .wait_timeout(state, self.0.interval)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            state.held = true;
            state.switches += 1;
            state.drop_request = false;
            self.0.changed.notify_all();
            return;
        }
        drop(state);
        self.0.take();
    }

    fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T {
        struct Retake<'g, const FLAW: u8>(&'g Flawed<FLAW>);
        impl<const FLAW: u8> Drop for Retake<'_, FLAW> {
            fn drop(&mut self) {
                self.0.take_clearing(FLAW != RETAKE_KEEPS_THE_DROP_REQUEST);
            }
        }
        match FLAW {
            HOLDS_DURING_ALLOW_THREADS => work(),
            DOES_NOT_RETAKE_AFTER_ALLOW_THREADS => {
                self.0.release();
                work()
            }
            NO_RETAKE_ON_PANIC => {
                self.0.release();
                let value = work();
                self.0.take();
                value
            }
            NO_RETAKE_ON_CAUGHT_PANIC => {
                self.0.release();
                self.2.set(false);
                let value = work();
                self.0.take();
                self.2.set(true);
                value
            }
            _ => {
                self.0.release();
                let _retake = Retake(self.0);
                work()
            }
        }
    }
}

impl<const FLAW: u8> Drop for FlawedGuard<'_, FLAW> {
    fn drop(&mut self) {
        if FLAW == NO_WAKE_ON_PANIC && std::thread::panicking() {
            self.0.state().held = false;
            return;
        }
        if FLAW != FORGETS_TO_RELEASE_ON_DROP && self.2.get() {
            self.0.release();
        }
    }
}

/// A GIL that is a std `Mutex<()>`, its guard held for as long as the GIL
/// is, and `lock().unwrap()` everywhere. A panic while holding the GIL
/// poisons the mutex, and every later `acquire` panics.
pub struct MutexGil(Mutex<()>);

/// The guard of a [`MutexGil`]: the mutex's own guard (`None` only inside
/// `allow_threads`).
pub struct MutexGilGuard<'a>(&'a MutexGil, Option<MutexGuard<'a, ()>>);

impl GilApi for MutexGil {
    type Guard<'a> = MutexGilGuard<'a>;
    fn new(_: Duration) -> Self {
        Self(Mutex::new(()))
    }
    fn acquire(&self) -> MutexGilGuard<'_> {
        MutexGilGuard(self, Some(self.0.lock().unwrap()))
    }
    fn switch_interval(&self) -> Duration {
        Duration::from_millis(5)
    }
}

impl GuardApi for MutexGilGuard<'_> {
    fn check_in(&mut self) {
        // Hands over only by chance: unlock, lock again.
        self.1 = None;
        self.1 = Some(self.0.0.lock().unwrap());
    }
    fn allow_threads<T: Send, F: FnOnce() -> T + Send>(&mut self, work: F) -> T {
        self.1 = None;
        let value = work();
        self.1 = Some(self.0.0.lock().unwrap());
        value
    }
}

/// Every `Gil` is one lock: the state lives in a `static` ("there is only
/// one GIL"), and only the reported interval is the value's own.
pub struct StaticState {
    reported: Duration,
}

/// The one lock behind every [`StaticState`], made with the first interval
/// asked for.
static SHARED: OnceLock<Flawed<NO_FLAW>> = OnceLock::new();

impl GilApi for StaticState {
    type Guard<'a> = FlawedGuard<'static, NO_FLAW>;
    fn new(interval: Duration) -> Self {
        SHARED.get_or_init(|| Flawed::new(interval));
        Self { reported: interval }
    }
    fn acquire(&self) -> FlawedGuard<'static, NO_FLAW> {
        SHARED.get_or_init(|| Flawed::new(self.reported)).acquire()
    }
    fn switch_interval(&self) -> Duration {
        self.reported
    }
}

fn of<G: GilApi>() -> Checks {
    checks::<G>
}

/// The corpus for the GIL: decoys that a witness (the probe, a wait that
/// never ends, a panic) rejects, whatever the machine's load.
pub fn corpus() -> Vec<Decoy<Checks>> {
    vec![
        Decoy {
            name: "a holder that handed over is not woken by the release (round 13, gil/10)",
            class: Class::Stuck,
            subject: of::<Flawed<HOLDER_UNCOUNTED>>(),
            caught_by: "the_holder_gets_the_lock_back_when_the_waiter_lets_go",
            breaks: "never-stuck",
            says: &["had the lock back only", "count it among the sleepers"],
        },
        Decoy {
            name: "one Condvar in a static for every lock (round 13, gil/09)",
            class: Class::StateBetweenCalls,
            subject: of::<crate::gil_source::SharedWaker>(),
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "own-lock",
            says: &["`static WAKER`", "a lock of its own"],
        },
        Decoy {
            name: "a check-in that yields every 50 000 calls (round 13, gil/04)",
            class: Class::Spinning,
            subject: of::<crate::gil_source::SharedWaker>(),
            caught_by: "waiting_never_spins",
            breaks: "waiters-sleep",
            says: &["`yield_now`", "(in `fn check_in`)"],
        },
        Decoy {
            name: "a check-in that naps with park_timeout once in 65 536 calls (round 16, gil/06)",
            class: Class::Spinning,
            subject: of::<crate::gil_source::SharedWaker>(),
            caught_by: "waiting_never_spins",
            breaks: "cheap-check-in",
            says: &["`park_timeout`", "(in `fn check_in`)"],
        },
        Decoy {
            name: "a waiter that spins 300 µs on the clock before it sleeps (round 16, gil/07)",
            class: Class::Spinning,
            subject: of::<crate::gil_source::SharedWaker>(),
            caught_by: "waiting_never_spins",
            breaks: "waiters-sleep",
            says: &["in a loop that never waits", "(in `fn take`)"],
        },
        Decoy {
            name: "acquire returns at once",
            class: Class::RuleSkipped,
            subject: of::<Flawed<NO_EXCLUSION>>(),
            caught_by: "never_two_holders",
            breaks: "one-holder",
            says: &["threads held the GIL at the same moment"],
        },
        Decoy {
            name: "allow_threads does not take the lock back",
            class: Class::RuleSkipped,
            subject: of::<Flawed<DOES_NOT_RETAKE_AFTER_ALLOW_THREADS>>(),
            caught_by: "never_two_holders",
            breaks: "allow-threads-retakes",
            says: &["threads held the GIL at the same moment"],
        },
        Decoy {
            name: "a waiter never asks for the lock",
            class: Class::RuleSkipped,
            subject: of::<Flawed<NEVER_HANDS_OVER>>(),
            caught_by: "hands_off_after_the_switch_interval",
            breaks: "asks-after-interval",
            says: &["never handed over", "with a switch interval of 2 ms"],
        },
        Decoy {
            name: "a waiter asks at once",
            class: Class::RuleSkipped,
            subject: of::<Flawed<HANDS_OVER_AT_ONCE>>(),
            caught_by: "hands_off_after_the_switch_interval",
            breaks: "asks-after-interval",
            says: &["before the interval had passed"],
        },
        Decoy {
            name: "allow_threads keeps the lock",
            class: Class::RuleSkipped,
            subject: of::<Flawed<HOLDS_DURING_ALLOW_THREADS>>(),
            caught_by: "allow_threads_releases_the_gil",
            breaks: "allow-threads-releases",
            says: &["must release the lock before it runs the closure"],
        },
        Decoy {
            name: "allow_threads keeps the lock (seen in the waiting)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<HOLDS_DURING_ALLOW_THREADS>>(),
            caught_by: "waiting_work_overlaps",
            breaks: "allow-threads-releases",
            says: &["one after another"],
        },
        Decoy {
            name: "the guard's Drop forgets to release",
            class: Class::Stuck,
            subject: of::<Flawed<FORGETS_TO_RELEASE_ON_DROP>>(),
            caught_by: "a_panicking_holder_releases_the_gil",
            breaks: "drop-releases",
            says: &["it was still held", "Release the lock in the guard's Drop"],
        },
        Decoy {
            name: "allow_threads does not take the lock back when its closure panics",
            class: Class::Panics,
            subject: of::<Flawed<NO_RETAKE_ON_PANIC>>(),
            caught_by: "allow_threads_retakes_the_gil_when_its_closure_panics",
            breaks: "allow-threads-retakes",
            says: &["two threads held the GIL at once"],
        },
        Decoy {
            name: "Gil::new ignores its switch interval (always 5 ms)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<IGNORES_THE_INTERVAL>>(),
            caught_by: "hands_off_after_the_switch_interval",
            breaks: "keeps-interval",
            // Late at 2 ms (its waits are 5 ms), or too early at 20 ms.
            says: &["ignoring the interval"],
        },
        Decoy {
            name: "polls every 5 ms, and nothing wakes a sleeper",
            class: Class::Spinning,
            subject: of::<Flawed<POLLS_AND_RELEASES_WITHOUT_NOTIFYING>>(),
            caught_by: "a_waiter_sleeps_until_the_holder_lets_go",
            breaks: "keeps-interval",
            says: &[
                "while the holder was still computing",
                "interval it is given",
            ],
        },
        Decoy {
            name: "waiters spin on yield_now instead of sleeping (seen in the waiter's CPU time)",
            class: Class::Spinning,
            subject: of::<Flawed<SPINS_WHILE_WAITING>>(),
            caught_by: "a_waiter_sleeps_until_the_holder_lets_go",
            breaks: "waiters-sleep",
            // Its spinning also fights the holder for the lock's own mutex,
            // so the kernel may count wake-ups before the CPU time shows.
            says: &["waiting in acquire while the holder computed"],
        },
        Decoy {
            name: "waiters re-check every 10 ms besides being woken",
            class: Class::Spinning,
            subject: of::<Flawed<WAKES_EVERY_10_MS>>(),
            caught_by: "a_waiter_sleeps_until_the_holder_lets_go",
            breaks: "waiters-sleep",
            says: &["woke up", "It polls"],
        },
        Decoy {
            name: "a waiter re-checks every 500 ms, in case a wake-up was lost",
            class: Class::Spinning,
            subject: of::<Flawed<WAKES_EVERY_500_MS>>(),
            caught_by: "a_waiter_sleeps_until_the_holder_lets_go",
            breaks: "waiters-sleep",
            says: &["woke up", "It polls"],
        },
        Decoy {
            name: "a guard dropped in a panic releases without waking",
            class: Class::RuleSkipped,
            subject: of::<Flawed<NO_WAKE_ON_PANIC>>(),
            caught_by: "a_panicking_holder_releases_the_gil",
            breaks: "drop-releases",
            says: &["still had not got the lock", "`std::thread::panicking()`"],
        },
        Decoy {
            name: "a waiter takes the lock after 500 ms, the holder must be stuck",
            class: Class::RuleSkipped,
            subject: of::<Flawed<STEALS_AFTER_500_MS>>(),
            caught_by: "a_waiter_sleeps_until_the_holder_lets_go",
            breaks: "one-holder",
            says: &["while the holder was still computing", "is not stuck"],
        },
        Decoy {
            name: "Gil::new keeps a zero switch interval",
            class: Class::RuleSkipped,
            subject: of::<Flawed<KEEPS_A_ZERO_INTERVAL>>(),
            caught_by: "hands_off_after_the_switch_interval",
            breaks: "keeps-interval",
            says: &["becomes a microsecond, exactly"],
        },
        Decoy {
            name: "Gil::new makes a zero switch interval 5 ms (round 16, gil/01)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<ZERO_IS_THE_DEFAULT>>(),
            caught_by: "hands_off_after_the_switch_interval",
            breaks: "keeps-interval",
            says: &["is 5ms", "becomes a microsecond, exactly"],
        },
        Decoy {
            name: "after a caught panic in allow_threads, the guard carries on without the lock",
            class: Class::Panics,
            subject: of::<Flawed<NO_RETAKE_ON_CAUGHT_PANIC>>(),
            caught_by: "allow_threads_retakes_the_gil_when_its_closure_panics",
            breaks: "allow-threads-retakes",
            says: &["caught the panic", "two threads held the GIL at once"],
        },
        Decoy {
            name: "check_in waits for the waiter 200 ms at most, then takes the lock back",
            class: Class::RuleSkipped,
            subject: of::<Flawed<GIVES_UP_WAITING_AFTER_200_MS>>(),
            caught_by: "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            breaks: "forced-switching",
            says: &["while the waiter was still paused", "took it back after 2"],
        },
        Decoy {
            name: "check_in waits for the waiter 500 ms at most, then takes the lock back",
            class: Class::RuleSkipped,
            subject: of::<Flawed<GIVES_UP_WAITING_AFTER_500_MS>>(),
            caught_by: "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            breaks: "forced-switching",
            says: &["while the waiter was still paused", "took it back after 5"],
        },
        Decoy {
            name: "having handed over, check_in looks every millisecond whether the lock was taken (round 16, gil/03)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<HOLDER_POLLS_EVERY_MS>>(),
            caught_by: "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            breaks: "waiters-sleep",
            says: &["woke", "while the waiter it handed over to was paused"],
        },
        Decoy {
            name: "having handed over, check_in looks every 140 ms whether the lock was taken (round 23, gil/02)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<HOLDER_POLLS_EVERY_140_MS>>(),
            caught_by: "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            breaks: "waiters-sleep",
            says: &["woke", "while the waiter it handed over to was paused"],
        },
        Decoy {
            name: "waiters re-check every second (round 20, gil/03)",
            class: Class::Spinning,
            subject: of::<Flawed<WAKES_EVERY_SECOND>>(),
            caught_by: "a_waiter_sleeps_until_the_holder_lets_go",
            breaks: "waiters-sleep",
            says: &["before the holder let go", "looks again now and then"],
        },
        Decoy {
            name: "waiters time their interval in whole milliseconds",
            class: Class::RuleSkipped,
            subject: of::<Flawed<WHOLE_MILLISECONDS>>(),
            caught_by: "hands_off_after_the_switch_interval",
            breaks: "keeps-interval",
            says: &["however short", "100 µs"],
        },
        Decoy {
            name: "a waiter asks once per acquire",
            class: Class::RuleSkipped,
            subject: of::<Flawed<ASKS_ONCE_PER_ACQUIRE>>(),
            caught_by: "hands_off_after_the_switch_interval",
            breaks: "asks-after-interval",
            says: &["every waiter asks again", "must be made again"],
        },
        Decoy {
            name: "check_in honours every other drop request",
            class: Class::RuleSkipped,
            subject: of::<Flawed<HONOURS_EVERY_OTHER_REQUEST>>(),
            caught_by: "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            breaks: "hands-over-when-asked",
            says: &["In 1 of 3 trials", "took it back after"],
        },
        Decoy {
            name: "the lock's state in a static: every Gil is one lock",
            class: Class::StateBetweenCalls,
            subject: of::<StaticState>(),
            caught_by: "two_gils_are_two_locks",
            breaks: "own-lock",
            says: &["The two are one lock", "not in `static`s"],
        },
        Decoy {
            name: "a waiter measures its interval from the start of its wait (seen in the request)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<DEADLINE_FROM_THE_START>>(),
            caught_by: "a_new_holder_gets_a_whole_interval",
            breaks: "whole-interval",
            says: &["had been asked to hand over", "from the latest hand-over"],
        },
        Decoy {
            name: "taking the lock back after allow_threads leaves the drop request (round 20, gil/05)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<RETAKE_KEEPS_THE_DROP_REQUEST>>(),
            caught_by: "a_new_holder_gets_a_whole_interval",
            breaks: "whole-interval",
            says: &[
                "had been asked to hand over",
                "at the end of `allow_threads` too",
            ],
        },
        Decoy {
            name: "taking the lock leaves the last holder's drop request",
            class: Class::RuleSkipped,
            subject: of::<Flawed<KEEPS_THE_DROP_REQUEST>>(),
            caught_by: "a_new_holder_gets_a_whole_interval",
            breaks: "whole-interval",
            says: &["had been asked to hand over", "clears any drop request"],
        },
        Decoy {
            name: "a release reads the sleeper count before it takes the mutex (round 4, gil/05)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<LOOKS_BEFORE_LOCKING>>(),
            caught_by: "no_lost_wakeups",
            breaks: "never-stuck",
            says: &[
                "slept through the release",
                "before it takes the lock's state",
            ],
        },
        Decoy {
            name: "check_in releases and takes the lock straight back (no forced switching)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<NO_FORCED_SWITCHING>>(),
            caught_by: "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            breaks: "forced-switching",
            says: &["while the waiter was still paused", "forced switching"],
        },
        Decoy {
            name: "check_in releases, sleeps 200 µs and takes the lock back",
            class: Class::RuleSkipped,
            subject: of::<Flawed<SLEEPS_INSTEAD_OF_FORCED_SWITCHING>>(),
            caught_by: "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            breaks: "forced-switching",
            says: &["while the waiter was still paused", "short sleep"],
        },
        Decoy {
            name: "check_in releases, yields and takes the lock back",
            class: Class::RuleSkipped,
            subject: of::<Flawed<YIELDS_INSTEAD_OF_FORCED_SWITCHING>>(),
            caught_by: "the_waiter_gets_the_lock_before_the_holder_takes_it_back",
            breaks: "forced-switching",
            says: &["while the waiter was still paused", "yield"],
        },
        Decoy {
            name: "the lock is a std Mutex held as long as the GIL, with lock().unwrap()",
            class: Class::Panics,
            subject: of::<MutexGil>(),
            caught_by: "a_panicking_holder_releases_the_gil",
            breaks: "drop-releases",
            says: &["PoisonError", "is poisoned"],
        },
    ]
}

/// Decoys that only timing tells apart, on a machine quiet enough to show
/// it: the CPU checks (time, and cores busy) need a second core that the
/// reference can use.
pub fn timed() -> Vec<Decoy<Checks>> {
    vec![
        Decoy {
            name: "waiters spin on yield_now instead of sleeping",
            class: Class::Spinning,
            subject: of::<Flawed<SPINS_WHILE_WAITING>>(),
            caught_by: "cpu_work_under_the_gil_gets_no_speedup",
            breaks: "waiters-sleep",
            // Not just "cores busy", which every message of the check says.
            says: &["more than one core was busy", "not spin"],
        },
        Decoy {
            name: "acquire returns at once (seen in the timing)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<NO_EXCLUSION>>(),
            caught_by: "cpu_work_under_the_gil_gets_no_speedup",
            breaks: "one-holder",
            says: &["the threads ran at the same time"],
        },
        Decoy {
            name: "allow_threads keeps the lock (seen in the computing)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<HOLDS_DURING_ALLOW_THREADS>>(),
            caught_by: "cpu_work_that_releases_the_gil_speeds_up",
            breaks: "allow-threads-releases",
            says: &["only one core was busy"],
        },
        Decoy {
            name: "waiters ask after three intervals",
            class: Class::RuleSkipped,
            subject: of::<Flawed<ASKS_AFTER_THREE_INTERVALS>>(),
            caught_by: "hands_off_after_the_switch_interval",
            breaks: "asks-after-interval",
            says: &["one, not several"],
        },
        Decoy {
            name: "a waiter measures its interval from the start of its wait",
            class: Class::RuleSkipped,
            subject: of::<Flawed<DEADLINE_FROM_THE_START>>(),
            caught_by: "threads_computing_under_the_gil_take_turns",
            breaks: "whole-interval",
            says: &["less than half an interval", "from the start of the wait"],
        },
        Decoy {
            name: "check_in yields the CPU every time",
            class: Class::RuleSkipped,
            subject: of::<Flawed<CHECK_IN_YIELDS>>(),
            caught_by: "check_in_is_cheap_when_nobody_waits",
            breaks: "cheap-check-in",
            says: &["no system call"],
        },
        Decoy {
            name: "check_in yields the CPU every 256th time (round 4, gil/04)",
            class: Class::RuleSkipped,
            subject: of::<Flawed<YIELDS_EVERY_256TH_CHECK_IN>>(),
            caught_by: "check_in_is_cheap_when_nobody_waits",
            breaks: "cheap-check-in",
            says: &["lost the core", "however rarely"],
        },
    ]
}

/// A decoy whose threads sleep through a release for good (each stuck
/// decoy needs a test process of its own: a stuck thread shortens every
/// later check of its process).
pub fn releases_without_notifying() -> Decoy<Checks> {
    Decoy {
        name: "nothing wakes a sleeper (timed waits of one interval)",
        class: Class::Stuck,
        subject: of::<Flawed<RELEASES_WITHOUT_NOTIFYING>>(),
        // The first check in libtest's (alphabetical) order that has a
        // waiter sleep through a release.
        caught_by: "a_waiter_sleeps_until_the_holder_lets_go",
        breaks: "never-stuck",
        says: &["was not woken", "did not finish within 1s"],
    }
}

/// A decoy that deadlocks as soon as a waiter asks for the lock (a process
/// of its own, as [`releases_without_notifying`]).
pub fn deadlocks_in_check_in() -> Decoy<Checks> {
    Decoy {
        name: "check_in waits for the hand-over before releasing",
        class: Class::Stuck,
        subject: of::<Flawed<DEADLOCKS_IN_CHECK_IN>>(),
        // The first check in libtest's (alphabetical) order that makes a
        // waiter ask.
        caught_by: "cpu_work_that_releases_the_gil_speeds_up",
        breaks: "never-stuck",
        says: &["did not finish within 3s", "check_in", "never returned"],
    }
}

/// A decoy whose releases stop waking anyone after the first one that found
/// nobody asleep. It gets stuck for good, so it needs a process of its own,
/// as [`releases_without_notifying`]; and since
/// `a_waiter_sleeps_until_the_holder_lets_go`, earlier in libtest's order,
/// gets stuck on it too, that process runs its check alone.
pub fn one_wake_up_in_flight() -> Decoy<Checks> {
    Decoy {
        name: "a release wakes one waiter, only if no wake-up is on its way already",
        class: Class::Stuck,
        subject: of::<Flawed<ONE_WAKE_UP_IN_FLIGHT>>(),
        caught_by: "no_lost_wakeups",
        breaks: "never-stuck",
        says: &[
            "did not finish within 3s",
            "never finished",
            "slept through a release",
        ],
    }
}

/// A GIL whose drop request is a `static` shared by every Gil: a waiter on
/// one Gil asks the holder of another, which hands over to nobody and waits
/// for ever. It gets stuck for good, so it has a process of its own.
pub fn shares_the_drop_request() -> Decoy<Checks> {
    Decoy {
        name: "the drop request is a static shared by every Gil",
        class: Class::Stuck,
        subject: of::<Flawed<SHARED_DROP_REQUEST>>(),
        caught_by: "two_gils_are_two_locks",
        breaks: "own-lock",
        says: &["alone on one Gil", "drop request in the Gil value"],
    }
}
