//! Suite of `exercises/pitfalls/poison`: a tally that keeps serving after
//! a worker panicked in the middle of an update, without keeping the
//! half-done update and without hiding the panic.
//!
//! The panics are the suite's own: its "workers" are closures that count
//! ballots and panic on purpose half-way, after changing one field and
//! before the other. Each check then reads what the tally says and what
//! the worker's thread saw.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

/// The counts as the suite reads them: ballots, and votes per candidate.
pub type Snapshot = (u64, BTreeMap<String, u64>);

/// A change: the ballots field and the votes field of the crate's `Counts`.
pub type Change<'a> = &'a mut dyn FnMut(&mut u64, &mut BTreeMap<String, u64>);

/// A tally under test.
pub trait SharedTally: Sync {
    /// `Tally::update` with `change`.
    fn update(&self, change: Change<'_>);
    /// `Tally::counts`.
    fn counts(&self) -> Snapshot;
}

/// How long the holding update keeps the lock in
/// [`waiting_for_the_lock_never_spins`].
const HELD: Duration = Duration::from_millis(300);
/// The threads that wait for it meanwhile: more than one, since a lock of
/// one's own in front of the mutex may let one waiter sleep in `lock()`
/// while the others spin on it.
const WAITERS: usize = 3;
/// The most CPU the waiters may use between them: threads asleep in
/// `lock()` use microseconds, threads that spin most of [`HELD`].
const WAITER_CPU: Duration = Duration::from_millis(30);

/// Makes a new, empty tally.
pub type NewTally = fn() -> Box<dyn SharedTally>;

/// Defines `SUBJECT`, the crate's `Tally` seen as a [`SharedTally`].
#[macro_export]
macro_rules! poison_adapter {
    ($krate:ident) => {
        struct Wrapped($krate::Tally);

        impl $crate::poison::SharedTally for Wrapped {
            fn update(&self, change: $crate::poison::Change<'_>) {
                self.0
                    .update(|c: &mut $krate::Counts| change(&mut c.ballots, &mut c.votes));
            }

            fn counts(&self) -> $crate::poison::Snapshot {
                let c = self.0.counts();
                (c.ballots, c.votes)
            }
        }

        pub const SUBJECT: $crate::poison::NewTally = || Box::new(Wrapped($krate::Tally::new()));
    };
}

crate::declare_suite!($ poison: NewTally = poison_adapter![
    updates_add_up,
    the_tally_serves_after_a_worker_panicked,
    a_half_done_update_is_discarded,
    the_panic_reaches_the_worker,
    waiting_for_the_lock_never_spins,
    nothing_is_kept_in_a_static,
]);

/// A source witness: one right update, then what `new`, `update` and
/// `counts` reach in `src/lib.rs` must declare or name no `static` and no
/// `thread_local!`. A tally's counts are its own: the last whole counts
/// kept in a `static` are shared by every tally, and one tally's crash is
/// then "repaired" with another's counts (round 16's `poison/07`), which
/// the crashes the suite makes, one tally at a time, cannot show.
pub fn nothing_is_kept_in_a_static(new: NewTally) {
    let tally = new();
    tally.update(&mut |ballots, _| *ballots += 1);
    let _ = tally.counts();
    // A file is a global too (round 20's `poison/05` kept the last whole
    // counts in one named by the tally's address, which a new tally at
    // that address inherits).
    crate::polls::refuse_in_crate(
        "nothing is kept in a static",
        crate::polls::FILES,
        "uses the file system",
        "A tally's counts, and any copy of the last whole ones, live in the `Tally` value: a \
         file outlives the tally and is shared by whoever finds its name, as a global is.",
    );
    crate::pure::refuse_globals_from(
        "nothing is kept in a static",
        &["new", "update", "counts"],
        "The page promises that every update is applied to the tally's own counts: what a \
         tally keeps (its counts, a copy of the last whole ones) lives in the `Tally` value, \
         not in a global that every tally shares.",
    );
}

/// A source witness: one right update, then what `update` and `counts`
/// reach in `src/lib.rs` must call nothing that spins, yields, naps or
/// tries the lock without waiting (round 13, `poison/03`: a lock taken by
/// spinning on `try_lock`). A thread that waits for the tally's lock
/// sleeps in `lock()` until it is free.
pub fn waiting_for_the_lock_never_spins(new: NewTally) {
    let tally = new();
    tally.update(&mut |ballots, _| *ballots += 1);
    let _ = tally.counts();
    // The kernel's witness first: while one update holds the lock for
    // [`HELD`], [`WAITERS`] other threads' updates wait for it; the CPU
    // time they use meanwhile must be next to nothing (round 16's
    // `poison/02` spun on an atomic flag of its own, calling nothing the
    // source check knows).
    let (entered, inside) = std::sync::mpsc::channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let used = thread::scope(|s| {
        let tally = &*tally;
        s.spawn(move || {
            tally.update(&mut |ballots, _| {
                *ballots += 1;
                let _ = entered.send(());
                let _ = released.recv_timeout(HELD * 10);
            });
        });
        inside.recv().expect("the holding update ran");
        let waiters: Vec<_> = (0..WAITERS)
            .map(|_| {
                s.spawn(move || {
                    let before = harness::clock::thread_cpu_time();
                    tally.update(&mut |ballots, _| *ballots += 1);
                    harness::clock::thread_cpu_time()
                        .zip(before)
                        .map(|(after, before)| after.saturating_sub(before))
                })
            })
            .collect();
        thread::sleep(HELD);
        let _ = release.send(());
        waiters
            .into_iter()
            .map(|w| w.join().expect("a waiting update"))
            .sum::<Option<Duration>>()
    });
    if let Some(used) = used {
        assert!(
            used <= WAITER_CPU,
            "[waiting for the lock never spins] while one update held the tally's lock for {}, \
             {WAITERS} other threads' updates waited for it and used {} of CPU between them \
             (at most {} pass): they spin. A thread that finds the lock taken waits for it asleep, in \
             `lock()`: no flag of your own checked in a loop, no `try_lock` again and again.",
            harness::human(HELD),
            harness::human(used),
            harness::human(WAITER_CPU)
        );
    } else {
        // Said, not passed over: the source part below still judges.
        harness::speedup::not_judged(
            "waiting for the lock never spins",
            "the kernel gave no CPU time per thread (/proc/thread-self/schedstat), so the \
             waiters' CPU was not measured",
        );
    }
    let mut spinning = crate::polls::SPINNING.to_vec();
    spinning.push("try_lock");
    let why = "The page promises that updates are applied one at a time under the tally's \
               lock: a thread that finds it taken waits for it asleep, in `lock()`, which also \
               tells it the lock was poisoned. A loop of `try_lock` and `yield_now` keeps a core \
               busy for as long as another thread holds the lock.";
    crate::polls::refuse_calls_from(
        "waiting for the lock never spins",
        &["update", "counts"],
        Some(&spinning),
        why,
    );
    // A loop that reads a flag of its own a bounded number of times before
    // `lock()` uses less CPU than the witness above allows, however many
    // rounds it has (round 22's `poison/06`: 20,000); the source shows it.
    crate::polls::refuse_spins_from(
        "waiting for the lock never spins",
        &["update", "counts"],
        why,
    );
}

/// What the suite's panicking worker panics with.
const BUG: &str = "worker bug: unreadable ballot";

/// Counts one vote for `who`.
pub fn vote(tally: &dyn SharedTally, who: &str) {
    tally.update(&mut |ballots, votes| {
        *ballots += 1;
        *votes.entry(who.to_owned()).or_default() += 1;
    });
}

/// Counts one vote for `who`, taking [`SLOW_CHANGE`] between the two
/// fields, as a real count that reads a ballot would: two updates that are
/// not kept apart by the lock then overlap for certain, instead of once in
/// a while. `running` counts the changes under way at once, and keeps the
/// most it saw: changes applied one at a time under the lock never make
/// it more than one, however their results are merged.
fn slow_vote(tally: &dyn SharedTally, who: &str, running: &AtOnce) {
    tally.update(&mut |ballots, votes| {
        running.enter();
        *ballots += 1;
        thread::sleep(SLOW_CHANGE);
        *votes.entry(who.to_owned()).or_default() += 1;
        running.leave();
    });
}

/// How many changes run at once, and the most that did.
#[derive(Default)]
struct AtOnce {
    now: AtomicUsize,
    most: AtomicUsize,
}

impl AtOnce {
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
    }

    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How long [`slow_vote`]'s change takes: 200 of them, one after another
/// under the lock, take about 20 ms.
const SLOW_CHANGE: Duration = Duration::from_micros(50);

/// Where a crashing update stops: after changing one field of the counts,
/// before the other.
#[derive(Clone, Copy, Debug)]
pub enum Crash {
    /// It counts a ballot, and panics before it counts the vote.
    AfterTheBallot,
    /// It counts a vote for "cy", and panics before it counts the ballot.
    AfterTheVote,
}

impl Crash {
    fn said(self) -> &'static str {
        match self {
            Crash::AfterTheBallot => "counted a 4th ballot and panicked before it counted the vote",
            Crash::AfterTheVote => {
                "counted a vote for cy and panicked before it counted the ballot"
            }
        }
    }
}

/// An update that counts a ballot and panics before it counts the vote,
/// run on its own thread; the thread's panic message, if it panicked.
pub fn crashing_worker(tally: &dyn SharedTally) -> Option<String> {
    crashing(tally, Crash::AfterTheBallot)
}

/// An update that stops where `crash` says, run on its own thread; the
/// thread's panic message, if it panicked.
pub fn crashing(tally: &dyn SharedTally, crash: Crash) -> Option<String> {
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = thread::scope(|s| {
        s.spawn(|| {
            tally.update(&mut |ballots, votes| {
                match crash {
                    Crash::AfterTheBallot => *ballots += 1,
                    Crash::AfterTheVote => *votes.entry("cy".to_owned()).or_default() += 1,
                }
                panic!("{BUG}");
            });
        })
        .join()
    });
    panic::set_hook(quiet);
    outcome
        .err()
        .map(|payload| harness::record::panic_message(payload.as_ref()))
}

/// Calls `read`; its panic message, as an error.
pub fn calmly<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let got = panic::catch_unwind(AssertUnwindSafe(read))
        .map_err(|payload| harness::record::panic_message(payload.as_ref()));
    panic::set_hook(quiet);
    got
}

fn expected(votes: &[(&str, u64)]) -> Snapshot {
    let map: BTreeMap<String, u64> = votes.iter().map(|&(k, v)| (k.to_owned(), v)).collect();
    (map.values().sum(), map)
}

/// Four threads vote at once, in two fresh tallies: every vote counts.
pub fn updates_add_up(new: NewTally) {
    let check = "updates add up";
    for (round, candidates) in [["ada", "bob"], ["cy", "dee"]].into_iter().enumerate() {
        let tally = new();
        let running = AtOnce::default();
        thread::scope(|s| {
            let voters: Vec<_> = (0..4)
                .map(|t| {
                    let (tally, running) = (&*tally, &running);
                    s.spawn(move || {
                        for i in 0..50 {
                            slow_vote(tally, candidates[(t + i) % 2], running);
                        }
                    })
                })
                .collect();
            // A voter's own panic, passed on as it was (the scope's own
            // would say only "a scoped thread panicked").
            for voter in voters {
                if let Err(payload) = voter.join() {
                    std::panic::resume_unwind(payload);
                }
            }
        });
        let got = tally.counts();
        let want = expected(&[(candidates[0], 100), (candidates[1], 100)]);
        assert_eq!(
            got,
            want,
            "[{check}] 4 threads cast 50 votes each into a new tally (tally {} of 2): it \
             reads {got:?}, expected {want:?}. Apply each change to the counts in the tally, \
             under its lock, and keep nothing outside it.",
            round + 1
        );
        let most = running.most.load(Ordering::SeqCst);
        assert!(
            most == 1,
            "[{check}] 4 threads cast 50 votes each into a new tally (tally {} of 2), and {most} \
             of their changes ran at the same moment: each change runs on the tally's own \
             counts, one at a time, under its lock. A change run on a copy taken outside the \
             lock, and its difference merged in afterwards, sees counts that other updates \
             have changed meanwhile (\"set ada to 0\", \"vote only while under 10\" go wrong).",
            round + 1
        );
    }
    // A change is applied as it is, taking away as well as adding.
    let tally = new();
    for who in ["ada", "ada", "bob"] {
        vote(&*tally, who);
    }
    tally.update(&mut |ballots, votes| {
        *ballots -= 2;
        votes.remove("ada");
    });
    let got = tally.counts();
    let want = expected(&[("bob", 1)]);
    assert_eq!(
        got, want,
        "[{check}] 2 votes for ada and 1 for bob, then an update that took ada's 2 ballots and \
         her entry away: the tally reads {got:?}, expected {want:?}. The counts after an \
         update are what the change left, entries it removed included: store them, do not \
         merge them into the old ones."
    );
    // An entry the change leaves at 0 is an entry all the same (round 20's
    // `poison/02` tidied such entries away after every update).
    tally.update(&mut |_, votes| {
        votes.insert("cy".to_owned(), 0);
    });
    let got = tally.counts();
    let want = expected(&[("bob", 1), ("cy", 0)]);
    assert_eq!(
        got, want,
        "[{check}] then an update that gave cy an entry of 0 votes: the tally reads {got:?}, \
         expected {want:?}. The counts after an update are exactly what the change left, an \
         entry at 0 included: nothing is tidied away."
    );
    // A change that leaves the counts out of balance (ballots that are not
    // the sum of the votes) returned normally: it counts as it is (round
    // 20's `poison/03` threw such updates away without a word).
    tally.update(&mut |ballots, _| *ballots += 3);
    let got = tally.counts();
    let mut want = expected(&[("bob", 1), ("cy", 0)]);
    want.0 += 3;
    assert_eq!(
        got, want,
        "[{check}] then an update that added 3 ballots and no votes (it returned normally, \
         leaving ballots that are not the sum of the votes): the tally reads {got:?}, expected \
         {want:?}. An update that did not panic is applied as the change left the counts; only \
         a panic leaves them as they were."
    );
    // What one thread counted, every thread reads.
    let tally = new();
    vote(&*tally, "ada");
    thread::scope(|s| {
        s.spawn(|| vote(&*tally, "bob"));
    });
    let got = tally.counts();
    let want = expected(&[("ada", 1), ("bob", 1)]);
    assert_eq!(
        got, want,
        "[{check}] this thread voted for ada, then another thread voted for bob: this thread \
         reads {got:?}, expected {want:?}. `counts` reads the tally's counts, the same for \
         every thread, not a copy this thread kept."
    );
}

/// After a worker's update panicked, `counts` and `update` still work.
pub fn the_tally_serves_after_a_worker_panicked(new: NewTally) {
    let check = "the tally serves after a worker panicked";
    let tally = new();
    vote(&*tally, "ada");
    // Many crashes: the tally serves after every one of them.
    let mut draw = crate::fetching::Draw::new();
    let on_threads = draw.pick(CRASHES);
    for _ in 0..on_threads {
        crashing_worker(&*tally);
    }
    // Then tens of thousands more, each on this thread (a thread per crash
    // would take too long): past a count of crashes kept in a `u16`
    // (round 22's `poison/05` panicked at its 65,536th) or a limit of a
    // thousand (round 22's `poison/02`).
    let here = draw.pick(MORE_CRASHES);
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    for _ in 0..here {
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            tally.update(&mut |ballots, _| {
                *ballots += 1;
                panic!("{BUG}");
            });
        }));
    }
    panic::set_hook(quiet);
    let crashes = on_threads + here;
    let read = calmly(|| tally.counts());
    assert!(
        read.is_ok(),
        "[{check}] after a worker's update panicked, `counts()` panicked too: {}. A thread \
         that panics while holding a std Mutex poisons it, and `lock().unwrap()` then fails \
         in every later caller, forever. Take the guard out of the error \
         (`PoisonError::into_inner`) and make sure the counts are whole.",
        read.unwrap_err()
    );
    let write = calmly(|| vote(&*tally, "bob"));
    assert!(
        write.is_ok(),
        "[{check}] after a worker's update panicked, `counts()` worked but the next \
         `update` panicked: {}. Recover from the poison in `update` too.",
        write.unwrap_err()
    );
    let (ballots, votes) = tally.counts();
    assert!(
        votes.get("bob") == Some(&1),
        "[{check}] a vote for bob after {crashes} crashed updates is missing: the tally reads \
         {ballots} ballots, {votes:?}. The tally serves every worker after any number of \
         crashes: no limit after which it stops counting."
    );
}

/// Crashed updates before [`the_tally_serves_after_a_worker_panicked`]
/// votes again, drawn: past a "circuit breaker" that gives up after a few
/// dozen (round 16's `poison/06` gave up after 32), 128 (round 20's
/// `poison/04` stopped serving there) or 256.
const CRASHES: std::ops::RangeInclusive<usize> = 257..=300;

/// Crashed updates [`the_tally_serves_after_a_worker_panicked`] makes on
/// its own thread after [`CRASHES`], drawn: past 65,536.
const MORE_CRASHES: std::ops::RangeInclusive<usize> = 65_537..=70_000;

/// A crashed update changed one field of the counts and not the other:
/// after it, the tally must read exactly as before it, whichever field the
/// crash left half-done (a "repair" that recomputes one field from the
/// other makes up the half that never happened).
pub fn a_half_done_update_is_discarded(new: NewTally) {
    let check = "a half-done update is discarded";
    for crash in [Crash::AfterTheBallot, Crash::AfterTheVote] {
        let tally = new();
        for who in ["ada", "ada", "bob"] {
            vote(&*tally, who);
        }
        crashing(&*tally, crash);
        let got = calmly(|| tally.counts());
        let want = expected(&[("ada", 2), ("bob", 1)]);
        match got {
            Err(message) => panic!(
                "[{check}] after a worker's update panicked, `counts()` panicked: {message}. \
                 Recover from the poison (`PoisonError::into_inner`), then make sure the \
                 counts are whole."
            ),
            Ok(got) => assert!(
                got == want,
                "[{check}] 3 votes were counted, then a worker's update {}. The tally now \
                 reads {} ballots and {:?}, expected {} and {:?}{}. An update must count \
                 whole or not at all: let it work on a copy and store the copy only when it \
                 returns, so that after the panic the poisoned mutex still holds the last \
                 whole counts.",
                crash.said(),
                got.0,
                got.1,
                want.0,
                want.1,
                if got.0 == 0 && got.1.is_empty() {
                    " (everything before the crash was thrown away, too)"
                } else if got.0 > want.0 || got.1.contains_key("cy") {
                    " (the half-done change was kept, or made whole by guessing the other half)"
                } else {
                    ""
                }
            ),
        }
    }
    // A large tally: whole or nothing, whatever a copy costs.
    let big = crate::fetching::Draw::new().pick(BIG_TALLY);
    let tally = new();
    tally.update(&mut |ballots, votes| {
        for i in 0..big {
            votes.insert(format!("candidate {i}"), 1);
        }
        *ballots += big as u64;
    });
    // Two updates of the big tally at once, each slow: applied one at a
    // time under the lock, both count (round 22's `poison/04` changed a big
    // tally's copy with the lock let go, and put it back after).
    let running = AtOnce::default();
    thread::scope(|s| {
        for who in ["dee", "eve"] {
            let (tally, running) = (&*tally, &running);
            s.spawn(move || {
                tally.update(&mut |ballots, votes| {
                    running.enter();
                    *ballots += 1;
                    thread::sleep(Duration::from_millis(20));
                    *votes.entry(who.to_owned()).or_default() += 1;
                    running.leave();
                });
            });
        }
    });
    let both = tally.counts();
    let most = running.most.load(Ordering::SeqCst);
    assert!(
        most == 1
            && both.0 == big as u64 + 2
            && both.1.get("dee") == Some(&1)
            && both.1.get("eve") == Some(&1),
        "[{check}] a tally of {big} candidates, then two updates at once from two threads (a \
         vote each for dee and eve, 20 ms between the ballot and the vote): {most} of their \
         changes ran at the same moment, and the tally reads {} ballots, dee {:?}, eve {:?} \
         (expected {} ballots, one vote each). Updates are applied one at a time under the \
         tally's lock, for a tally of any size: a change made on a copy with the lock let go \
         loses the other's update.",
        both.0,
        both.1.get("dee"),
        both.1.get("eve"),
        big + 2
    );
    let before = tally.counts();
    // Both kinds of half-done update, as above: a "repair" of one field
    // from the other passes one of them (round 20's `poison/01` set the
    // ballots from the votes of a big tally changed in place).
    for crash in [Crash::AfterTheBallot, Crash::AfterTheVote] {
        crashing(&*tally, crash);
        let after = calmly(|| tally.counts());
        assert!(
            after.as_ref().is_ok_and(|after| *after == before),
            "[{check}] a tally of {big} candidates, then a worker's update {}: the tally \
             then reads {} ballots (before: {}). An update counts whole or not at all, for a \
             tally of any size, and a half-done one is not repaired from what it left.",
            crash.said(),
            after
                .as_ref()
                .map_or_else(|e| format!("nothing ({e})"), |a| a.0.to_string()),
            before.0
        );
    }
}

/// Candidates in the large tally of [`a_half_done_update_is_discarded`],
/// drawn: past a "big tally" of 10 000, 20 000, 100 000 or 200 000 a
/// student might treat apart (round 16's `poison/01` updated in place past
/// 20 000, round 20's past 100 000, round 22's past 200 000).
const BIG_TALLY: std::ops::RangeInclusive<usize> = 200_001..=300_000;

/// A panic's payload that is not a message: an error code.
#[derive(Debug, PartialEq)]
pub struct BugCode(pub u32);

/// The worker whose update panicked must see its panic: its thread ends
/// in that panic, with that message.
pub fn the_panic_reaches_the_worker(new: NewTally) {
    let check = "the panic reaches the worker";
    let tally = new();
    let seen = crashing_worker(&*tally);
    assert!(
        seen.as_deref().is_some_and(|m| m.contains(BUG)),
        "[{check}] a worker's update panicked with \"{BUG}\", and the worker's thread {}. \
         The tally must keep serving, but the worker's failure must not vanish: let the \
         panic go on to the caller of `update` (do not catch it there), so that whoever \
         joins the worker learns what happened.",
        match &seen {
            None => "ended normally: the panic was swallowed".to_owned(),
            Some(other) => format!("panicked with something else: \"{other}\""),
        }
    );
    // A message without arguments is a `&'static str`: it reaches the
    // worker as that, not remade into a `String`.
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let joined = thread::scope(|s| {
        s.spawn(|| {
            tally.update(&mut |ballots, _| {
                *ballots += 1;
                panic!("a static message");
            });
        })
        .join()
    });
    panic::set_hook(quiet);
    let kept = joined
        .as_ref()
        .err()
        .and_then(|payload| payload.downcast_ref::<&'static str>());
    assert!(
        kept == Some(&"a static message"),
        "[{check}] a worker's update panicked with `panic!(\"a static message\")`, whose payload \
         is a `&'static str`, and the worker's thread {}. Every panic goes on to the caller of \
         `update` with its own payload, whatever its type: resume it (`resume_unwind`), do not \
         make a new one from its text.",
        match &joined {
            Ok(()) => "ended normally: the panic was swallowed".to_owned(),
            Err(other) if other.is::<String>() => format!(
                "panicked with a `String` (\"{}\"): a new panic made from the old one's text",
                harness::record::panic_message(other.as_ref())
            ),
            Err(other) => format!(
                "panicked with something else: \"{}\"",
                harness::record::panic_message(other.as_ref())
            ),
        }
    );
    // A panic whose payload is not a message reaches the worker as it was.
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let joined = thread::scope(|s| {
        s.spawn(|| {
            tally.update(&mut |ballots, _| {
                *ballots += 1;
                panic::panic_any(BugCode(7));
            });
        })
        .join()
    });
    panic::set_hook(quiet);
    let code = joined
        .as_ref()
        .err()
        .and_then(|payload| payload.downcast_ref::<BugCode>());
    assert!(
        code == Some(&BugCode(7)),
        "[{check}] a worker's update panicked with `panic_any(BugCode(7))`, a payload that is \
         not a message, and the worker's thread {}. Every panic goes on to the caller of \
         `update` with its own payload, whatever its type.",
        match &joined {
            Ok(()) => "ended normally: the panic was swallowed".to_owned(),
            Err(other) => format!(
                "panicked with something else: \"{}\"",
                harness::record::panic_message(other.as_ref())
            ),
        }
    );
}
