//! Locks that report who holds them and who waits for them: the witness for
//! lock-order checks.
//!
//! A [`Watched`] lock behaves like a `Mutex` (`lock`, `try_lock`, a guard
//! that derefs to the value), but every lock of one [`Watch`] shares a
//! record of which thread holds which lock and which lock each blocked
//! thread waits for. From that record a suite can say, without timing:
//!
//! - that threads deadlocked, and how: the moment a thread starts waiting,
//!   the watch follows "waits for lock L, held by thread T, which waits
//!   for ..." and, if the chain comes back to the waiter, it has a cycle
//!   ([`Watch::deadlock`]). It then breaks the deadlock: every thread
//!   blocked on a lock of this watch panics, so the test's threads end and
//!   the test reports the cycle instead of hanging;
//! - how many threads held locks at the same moment ([`Watch::peak_holders`]);
//! - how many `try_lock`s failed ([`Watch::failed_tries`]);
//! - what the values added up to at each moment no lock was held
//!   ([`Watch::check_when_quiet`]).
//!
//! Reports call lock N "account N": the course uses these locks for the
//! accounts of the lock-order exercise.
//!
//! A rendezvous ([`Watch::rendezvous`]) makes interleavings happen on
//! purpose instead of by luck: after taking a lock, a thread waits (up to a
//! bound) until every expected thread has reached a lock too — holding one,
//! waiting for one, or finished. Two transfers in opposite orders then both
//! hold their first lock before either asks for its second.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

/// The words a thread panics with when the watch breaks a deadlock.
pub const BROKEN: &str = "the watch broke a deadlock";

/// How many failed `try_lock`s the watch allows before it stops the
/// spinning thread with a panic ([`Watch::spun`]): far more than any
/// solution that retries now and then makes, and reached in milliseconds by
/// a thread that retries in a loop.
pub const SPIN_LIMIT: u64 = 10_000;

/// Rendezvous waits in a row that may run out of time before the watch
/// stops holding rendezvous.
const MISSED_MEETINGS: u32 = 5;

/// What is checked each time no lock of the watch is held: the values of
/// every lock, in the order they were made. `Err` says what is wrong.
type QuietCheck<T> = Box<dyn Fn(&[T]) -> Result<(), String> + Send + Sync>;

/// The shared record of a group of [`Watched`] locks.
pub struct Watch<T> {
    state: Mutex<State<T>>,
    changed: Condvar,
    quiet_check: Mutex<Option<QuietCheck<T>>>,
}

struct State<T> {
    /// Per lock: the thread holding it.
    holder: Vec<Option<ThreadId>>,
    /// Per lock: its value when last released (or made).
    last: Vec<T>,
    /// Per thread: its name, how many locks it holds, what it waits for.
    threads: HashMap<ThreadId, Seen>,
    deadlock: Option<Cycle>,
    peak_holders: usize,
    failed_tries: u64,
    quiet_violation: Option<String>,
    rendezvous: Option<(usize, Duration)>,
    /// Rendezvous waits in a row that ran out of time.
    missed_meetings: u32,
    tickets: u64,
    /// Every "took lock b while holding lock a" seen, as `(a, b)`, with the
    /// thread that did it first.
    taken_after: HashMap<(usize, usize), String>,
    inversion: Option<Inversion>,
    /// While set, a thread's first write through a guard waits up to the
    /// bound until this many threads have written ([`Watch::meet_at_writes`]).
    write_rendezvous: Option<(usize, Duration)>,
    /// Threads that have written through a guard.
    writers: HashSet<ThreadId>,
    /// The most threads that were writing, or waiting at the write
    /// rendezvous, at the same moment.
    peak_writers: usize,
    writing_now: usize,
    /// `try_lock`s on the lock the same thread's previous `try_lock` found
    /// busy, with no lock taken in between: polling.
    retries: u64,
}

/// Two threads that took the same two locks in opposite orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inversion {
    /// `(thread name, lock taken first, lock taken second)`, as seen first.
    pub earlier: (String, usize, usize),
    /// The same two locks, the other way round.
    pub later: (String, usize, usize),
}

impl fmt::Display for Inversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, a1, a2) = &self.earlier;
        let (b, b1, b2) = &self.later;
        write!(
            f,
            "thread `{a}` took account {a1}, then account {a2}; thread `{b}` took account \
             {b1}, then account {b2}"
        )
    }
}

#[derive(Default)]
struct Seen {
    name: String,
    holds: usize,
    waits_for: Option<usize>,
    /// Its place in the queue for `waits_for`: a freed lock goes to the
    /// thread that has waited longest, so interleavings repeat run to run.
    ticket: u64,
    /// Its last `try_lock` failed: about to try again, or to give up.
    tried: bool,
    /// The lock its last failed `try_lock` was on, until it takes a lock.
    failed_on: Option<usize>,
    left: bool,
}

/// A deadlock: each thread holds a lock the next one waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    /// `(thread name, lock it holds, lock it waits for)`, in chain order.
    pub links: Vec<(String, usize, usize)>,
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let links: Vec<String> = self
            .links
            .iter()
            .map(|(name, holds, waits)| {
                format!("thread `{name}` holds account {holds} and waits for account {waits}")
            })
            .collect();
        f.write_str(&links.join("; "))
    }
}

impl<T: Clone + Send + 'static> Watch<T> {
    /// A watch over one lock per value, numbered from 0 in this order.
    pub fn with_values(values: impl IntoIterator<Item = T>) -> (Arc<Self>, Vec<Watched<T>>) {
        Self::numbered(values.into_iter().enumerate())
    }

    /// [`Watch::with_values`], each lock's [`Watched::id`] given with its
    /// value instead of its place: ids spread over the whole `usize`
    /// range, so that an order on some bits of the id only, or one that
    /// changes with how far apart two ids are, shows.
    ///
    /// # Panics
    ///
    /// When two ids are the same.
    pub fn numbered(
        numbered: impl IntoIterator<Item = (usize, T)>,
    ) -> (Arc<Self>, Vec<Watched<T>>) {
        let (ids, values): (Vec<usize>, Vec<T>) = numbered.into_iter().unzip();
        let distinct: HashSet<usize> = ids.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            ids.len(),
            "a watch's locks need distinct ids"
        );
        let watch = Arc::new(Self {
            state: Mutex::new(State {
                holder: vec![None; values.len()],
                last: values.clone(),
                threads: HashMap::new(),
                deadlock: None,
                peak_holders: 0,
                failed_tries: 0,
                quiet_violation: None,
                rendezvous: None,
                missed_meetings: 0,
                tickets: 0,
                taken_after: HashMap::new(),
                inversion: None,
                write_rendezvous: None,
                writers: HashSet::new(),
                peak_writers: 0,
                writing_now: 0,
                retries: 0,
            }),
            changed: Condvar::new(),
            quiet_check: Mutex::new(None),
        });
        let locks = values
            .into_iter()
            .enumerate()
            .zip(ids)
            .map(|((place, value), id)| Watched {
                place,
                id,
                value: Mutex::new(value),
                watch: Arc::clone(&watch),
            })
            .collect();
        (watch, locks)
    }

    fn state(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// From now on, a thread that takes a lock waits up to `bound` until
    /// `threads` threads have reached a lock (hold one, wait for one, or
    /// have called [`Watch::leave`]).
    pub fn rendezvous(&self, threads: usize, bound: Duration) {
        self.state().rendezvous = Some((threads, bound));
    }

    /// From now on, a thread's first write through a guard waits up to
    /// `bound` until `threads` threads have written (or called
    /// [`Watch::leave`]): threads whose writes are held apart by a lock the
    /// watch does not see (one around every check-and-move) never all
    /// meet there, and [`Watch::peak_writers`] says so.
    pub fn meet_at_writes(&self, threads: usize, bound: Duration) {
        self.state().write_rendezvous = Some((threads, bound));
    }

    /// The most threads at a write at the same moment, under
    /// [`Watch::meet_at_writes`].
    pub fn peak_writers(&self) -> usize {
        self.state().peak_writers
    }

    /// How many `try_lock`s were on the lock the same thread had just found
    /// busy, with nothing taken in between: a thread polling a lock,
    /// sleeping between tries or not, instead of waiting in `lock`.
    pub fn retries(&self) -> u64 {
        self.state().retries
    }

    /// Checks `check` on the locks' values each time the last held lock is
    /// released; the first `Err` is kept ([`Watch::quiet_violation`]).
    pub fn check_when_quiet(
        &self,
        check: impl Fn(&[T]) -> Result<(), String> + Send + Sync + 'static,
    ) {
        *self
            .quiet_check
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Box::new(check));
    }

    /// The calling thread is done with the locks: a rendezvous no longer
    /// waits for it.
    pub fn leave(&self) {
        let mut state = self.state();
        state.seen(thread::current().id()).left = true;
        drop(state);
        self.changed.notify_all();
    }

    /// The first deadlock seen, if any.
    pub fn deadlock(&self) -> Option<Cycle> {
        self.state().deadlock.clone()
    }

    /// The first time two threads took the same two locks in opposite
    /// orders, if they did: the witness of a lock order that is not one
    /// order (lockdep's rule), seen whether or not the two threads met and
    /// deadlocked.
    pub fn inversion(&self) -> Option<Inversion> {
        self.state().inversion.clone()
    }

    /// The most threads that held at least one lock at the same moment.
    pub fn peak_holders(&self) -> usize {
        self.state().peak_holders
    }

    /// How many `try_lock`s found their lock held.
    pub fn failed_tries(&self) -> u64 {
        self.state().failed_tries
    }

    /// How many `try_lock`s had failed when the watch stopped a thread for
    /// spinning (more than [`SPIN_LIMIT`]), if it did.
    pub fn spun(&self) -> Option<u64> {
        let failed = self.state().failed_tries;
        (failed > SPIN_LIMIT).then_some(failed)
    }

    /// The first failure of the [`Watch::check_when_quiet`] check.
    pub fn quiet_violation(&self) -> Option<String> {
        self.state().quiet_violation.clone()
    }

    /// The locks' values as last released.
    pub fn values(&self) -> Vec<T> {
        self.state().last.clone()
    }

    /// Whether `me`, about to wait for `lock`, closes a cycle of waiting:
    /// `lock` is held by a thread that waits for a lock held by ... `me`.
    fn cycle(state: &State<T>, me: ThreadId, lock: usize) -> Option<Cycle> {
        // Each waiter in the chain and the lock it waits for.
        let mut chain = vec![(me, lock)];
        for _ in 0..=state.threads.len() {
            let (_, wanted) = *chain.last()?;
            let holder = state.holder[wanted]?;
            if holder == me {
                // Every thread holds what the one before it waits for.
                let n = chain.len();
                let name = |t: ThreadId| state.threads.get(&t).map(|s| s.name.clone());
                let links = (0..n)
                    .map(|i| {
                        let (thread, waits) = chain[i];
                        let holds = chain[(i + n - 1) % n].1;
                        (name(thread).unwrap_or_default(), holds, waits)
                    })
                    .collect();
                return Some(Cycle { links });
            }
            chain.push((holder, state.threads.get(&holder)?.waits_for?));
        }
        None
    }

    fn arrived(state: &State<T>) -> usize {
        state
            .threads
            .values()
            .filter(|s| s.left || s.tried || s.holds > 0 || s.waits_for.is_some())
            .count()
    }

    fn after_taking(&self, mut state: MutexGuard<'_, State<T>>, me: ThreadId, id: usize) {
        let name = state.seen(me).name.clone();
        let held: Vec<usize> = (0..state.holder.len())
            .filter(|&l| state.holder[l] == Some(me))
            .collect();
        for first in held {
            if state.inversion.is_none()
                && let Some(other) = state.taken_after.get(&(id, first))
            {
                state.inversion = Some(Inversion {
                    earlier: (other.clone(), id, first),
                    later: (name.clone(), first, id),
                });
            }
            state
                .taken_after
                .entry((first, id))
                .or_insert_with(|| name.clone());
        }
        state.holder[id] = Some(me);
        let seen = state.seen(me);
        seen.holds += 1;
        seen.waits_for = None;
        seen.tried = false;
        seen.failed_on = None;
        let holding = state.threads.values().filter(|s| s.holds > 0).count();
        state.peak_holders = state.peak_holders.max(holding);
        self.changed.notify_all();
        if let Some((threads, bound)) = state.rendezvous {
            let until = Instant::now() + bound;
            while Self::arrived(&state) < threads && state.deadlock.is_none() {
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    // The others are held back by something the watch does
                    // not see (one lock around every transfer): after a few
                    // such waits, stop waiting, so that the check ends and
                    // a later one can say what it saw.
                    state.missed_meetings += 1;
                    if state.missed_meetings >= MISSED_MEETINGS {
                        state.rendezvous = None;
                    }
                    break;
                }
                state = self
                    .changed
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            if Self::arrived(&state) >= threads {
                state.missed_meetings = 0;
            }
        }
    }

    fn release(&self, id: usize, value: T) {
        let mut state = self.state();
        let me = thread::current().id();
        state.holder[id] = None;
        state.last[id] = value;
        state.seen(me).holds -= 1;
        if state.holder.iter().all(Option::is_none) && state.quiet_violation.is_none() {
            let check = self
                .quiet_check
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(check) = check.as_ref() {
                state.quiet_violation = check(&state.last).err();
            }
        }
        drop(state);
        self.changed.notify_all();
    }
}

impl<T: Clone + Send + 'static> Watch<T> {
    /// The write rendezvous ([`Watch::meet_at_writes`]), for the calling
    /// thread's first write.
    fn meet_at_write(&self) {
        let mut state = self.state();
        let Some((threads, bound)) = state.write_rendezvous else {
            return;
        };
        let me = thread::current().id();
        if !state.writers.insert(me) {
            return;
        }
        state.writing_now += 1;
        state.peak_writers = state.peak_writers.max(state.writing_now);
        self.changed.notify_all();
        let until = Instant::now() + bound;
        let met = |s: &State<T>| {
            s.writers.len()
                + s.threads
                    .iter()
                    .filter(|(t, seen)| seen.left && !s.writers.contains(t))
                    .count()
                >= threads
        };
        while !met(&state) {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                // Held apart by something the watch does not see: stop
                // meeting, so that the check ends and says so.
                state.write_rendezvous = None;
                break;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.writing_now -= 1;
    }
}

impl<T> State<T> {
    /// Whether `lock` is free and no thread ahead of `ticket` (`None`: a
    /// newcomer, behind everyone) waits for it.
    fn free_for(&self, lock: usize, ticket: Option<u64>) -> bool {
        self.holder[lock].is_none()
            && !self
                .threads
                .values()
                .any(|s| s.waits_for == Some(lock) && ticket.is_none_or(|t| s.ticket < t))
    }

    fn seen(&mut self, me: ThreadId) -> &mut Seen {
        self.threads.entry(me).or_insert_with(|| Seen {
            name: thread::current()
                .name()
                .map_or_else(|| format!("{me:?}"), str::to_owned),
            ..Seen::default()
        })
    }
}

/// A mutex whose holders and waiters are recorded by its [`Watch`].
pub struct Watched<T> {
    /// Its place in the watch, which the watch's records and reports use.
    place: usize,
    /// What [`Watched::id`] says.
    id: usize,
    value: Mutex<T>,
    watch: Arc<Watch<T>>,
}

/// Proof that this thread holds a [`Watched`] lock; derefs to its value.
/// Dropping it releases the lock.
pub struct WatchedGuard<'a, T: Clone + Send + 'static> {
    lock: &'a Watched<T>,
    value: Option<MutexGuard<'a, T>>,
}

impl<T: Clone + Send + 'static> Watched<T> {
    /// The lock's number in its watch: stable for its whole life, and
    /// distinct from every other lock of the watch. Any `usize`: not its
    /// place among the locks.
    pub fn id(&self) -> usize {
        self.id
    }

    /// Blocks until this thread holds the lock, like `Mutex::lock`. The
    /// lock is not re-entrant: a thread that takes a lock it already holds
    /// waits for itself (the watch reports that as a deadlock).
    ///
    /// # Panics
    ///
    /// When the watch has found a deadlock among its locks: the panic
    /// frees the threads that would otherwise wait forever.
    pub fn lock(&self) -> WatchedGuard<'_, T> {
        let watch = &self.watch;
        let me = thread::current().id();
        let mut state = watch.state();
        if !state.free_for(self.place, None) {
            state.tickets += 1;
            let ticket = state.tickets;
            let seen = state.seen(me);
            seen.waits_for = Some(self.place);
            seen.ticket = ticket;
            if state.deadlock.is_none() {
                state.deadlock = Watch::cycle(&state, me, self.place);
            }
            watch.changed.notify_all();
            while !state.free_for(self.place, Some(ticket)) {
                if state.deadlock.is_some() {
                    state.seen(me).waits_for = None;
                    drop(state);
                    watch.changed.notify_all();
                    panic!("{BROKEN} (waiting for lock {})", self.place);
                }
                state = watch
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        watch.after_taking(state, me, self.place);
        self.guard()
    }

    /// Takes the lock if nobody holds it, like `Mutex::try_lock`.
    ///
    /// # Panics
    ///
    /// After [`SPIN_LIMIT`] failed tries among the watch's locks: a thread
    /// that spins on `try_lock` is stopped, so that it does not outlive its
    /// test.
    pub fn try_lock(&self) -> Option<WatchedGuard<'_, T>> {
        let me = thread::current().id();
        let mut state = self.watch.state();
        if state.seen(me).failed_on == Some(self.place) {
            // Back for the lock it just found busy: polling.
            state.retries += 1;
        }
        if !state.free_for(self.place, None) {
            state.failed_tries += 1;
            let seen = state.seen(me);
            seen.tried = true;
            seen.failed_on = Some(self.place);
            if state.failed_tries > SPIN_LIMIT {
                drop(state);
                panic!("the watch stopped a thread spinning on try_lock");
            }
            return None;
        }
        self.watch.after_taking(state, me, self.place);
        Some(self.guard())
    }

    fn guard(&self) -> WatchedGuard<'_, T> {
        // Only the watch's holder reaches here, so this mutex is free.
        let value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        WatchedGuard {
            lock: self,
            value: Some(value),
        }
    }
}

impl<T: Clone + Send + 'static> Deref for WatchedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_deref().expect("held until drop")
    }
}

impl<T: Clone + Send + 'static> DerefMut for WatchedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.lock.watch.meet_at_write();
        self.value.as_deref_mut().expect("held until drop")
    }
}

impl<T: Clone + Send + 'static> Drop for WatchedGuard<'_, T> {
    fn drop(&mut self) {
        let value = self.value.take().expect("dropped once");
        let last = value.clone();
        drop(value);
        self.lock.watch.release(self.lock.place, last);
    }
}

impl<T: fmt::Debug> fmt::Debug for Watched<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watched").field("id", &self.id).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn opposite_orders_are_reported_as_a_cycle() {
        let (watch, locks) = Watch::with_values([0i64, 0]);
        watch.rendezvous(2, Duration::from_secs(2));
        let locks = &locks;
        let outcomes: Vec<bool> = thread::scope(|s| {
            let a = thread::Builder::new()
                .name("a".into())
                .spawn_scoped(s, move || {
                    let _x = locks[0].lock();
                    let _y = locks[1].lock();
                })
                .unwrap();
            let b = thread::Builder::new()
                .name("b".into())
                .spawn_scoped(s, move || {
                    let _y = locks[1].lock();
                    let _x = locks[0].lock();
                })
                .unwrap();
            vec![a.join().is_ok(), b.join().is_ok()]
        });
        assert!(outcomes.contains(&false));
        let cycle = watch.deadlock().expect("a cycle");
        let text = cycle.to_string();
        assert!(
            text.contains("`a` holds account 0 and waits for account 1"),
            "{text}"
        );
        assert!(
            text.contains("`b` holds account 1 and waits for account 0"),
            "{text}"
        );
    }

    #[test]
    fn one_order_has_no_cycle_and_counts_holders() {
        let (watch, locks) = Watch::with_values([0i64, 0, 0, 0]);
        watch.rendezvous(2, Duration::from_millis(500));
        let locks = &locks;
        let watch2 = &watch;
        thread::scope(|s| {
            for pair in [[0, 1], [2, 3]] {
                s.spawn(move || {
                    let mut x = locks[pair[0]].lock();
                    let mut y = locks[pair[1]].lock();
                    *x -= 1;
                    *y += 1;
                    drop((x, y));
                    watch2.leave();
                });
            }
        });
        assert_eq!(watch.deadlock(), None);
        assert_eq!(watch.peak_holders(), 2);
        assert_eq!(watch.values(), [-1, 1, -1, 1]);
    }

    #[test]
    fn a_lock_taken_twice_is_a_cycle_of_one() {
        let (watch, locks) = Watch::with_values([0i64]);
        let twice = thread::scope(|s| {
            s.spawn(|| {
                let _a = locks[0].lock();
                let _b = locks[0].lock();
            })
            .join()
        });
        assert!(twice.is_err());
        let cycle = watch.deadlock().expect("a cycle").to_string();
        assert!(
            cycle.contains("holds account 0 and waits for account 0"),
            "{cycle}"
        );
    }

    #[test]
    fn the_quiet_check_sees_money_in_flight() {
        let (watch, locks) = Watch::with_values([10i64, 0]);
        watch.check_when_quiet(|v: &[i64]| {
            let total: i64 = v.iter().sum();
            if total == 10 {
                Ok(())
            } else {
                Err(format!("total {total}"))
            }
        });
        *locks[0].lock() -= 5;
        *locks[1].lock() += 5;
        assert_eq!(watch.quiet_violation().as_deref(), Some("total 5"));
    }
}
