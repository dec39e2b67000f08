//! What the compile-fail exercises of the Pitfalls chapter share: texts
//! drawn afresh every run, a probe inside the work each thread does, and the
//! checks every one of these exercises must pass once it compiles.
//!
//! Each exercise hands texts to threads, and each thread calls a function
//! the suite gives it (`count`, `words`). That function is the probe: it
//! notes which thread called it, how many times, and how many calls were
//! inside it at once, and it holds each call until every text's call has
//! arrived (or no call has arrived for [`IDLE_CAP`]). So the suite *sees*
//! the threads, instead of timing them:
//!
//! - `n` calls, all at once, on `n` threads other than the caller: one
//!   thread per text, all started before any was joined;
//! - fewer calls than texts: texts answered without the probe (a blank one
//!   taken as 0 words, equal texts counted once, a memo of earlier calls);
//! - fewer threads than texts: a cap on the threads, one thread for several
//!   texts;
//! - at most a few at a time: the threads were joined one by one (or batch
//!   by batch) as they were spawned, or a lock held around the work
//!   serialised them;
//! - every call on the calling thread: no thread at all.
//!
//! A wrong answer on fresh texts catches made-up results and lost updates
//! (each thread adding to its own copy); a second call catches state kept
//! between calls, and two calls at once (held together by the probe) catch
//! state kept in a `static` even when each call empties it first; the
//! calling thread's own CPU time and wake-ups (counted by the kernel) catch
//! a caller that spins or polls while it waits.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use crate::fetching::Draw;
use harness::human;

/// The words texts are made of: short ones that repeat, the same word in
/// other cases (a different word: counting is exact), words past 24 bytes
/// that share their first 24, words beyond ASCII, and words with
/// punctuation at an end.
const VOCABULARY: [&str; 23] = [
    "ant",
    "bee",
    "cat",
    "dog",
    "eel",
    "fox",
    "gnu",
    "hen",
    "ibis",
    "jay",
    "kiwi",
    "lark",
    "Ant",
    "ANT",
    "internationalisation-of-words",
    "internationalisation-of-wordings",
    "café",
    "naïve",
    "straße",
    "日本語",
    // Punctuation at a word's ends belongs to the word (round 17's
    // `word-frequencies/08` trimmed it: "fox." and "fox" made one).
    "fox.",
    "(eel)",
    "ant,",
];

/// One text of `words` words drawn from [`VOCABULARY`] (so words repeat),
/// with one to three spaces between words.
fn text_of(draw: &mut Draw, words: usize) -> String {
    let mut text = String::new();
    for i in 0..words {
        if i > 0 {
            text.push_str(&" ".repeat(draw.pick(1..=3)));
        }
        text.push_str(VOCABULARY[draw.pick(0..=VOCABULARY.len() - 1)]);
    }
    text
}

/// One text of 3 to 40 words.
fn text(draw: &mut Draw) -> String {
    let words = draw.pick(3..=40);
    text_of(draw, words)
}

/// `n` texts of 3 to 40 words each, drawn from a small vocabulary (so words
/// repeat) with one to three spaces between words.
pub fn texts(draw: &mut Draw, n: usize) -> Vec<String> {
    (0..n).map(|_| text(draw)).collect()
}

/// The blank texts [`mixed_texts`] puts among the others: empty, or only
/// white space.
const BLANKS: [&str; 4] = ["", " ", "  \t\n ", "\n"];

/// `n` texts as [`texts`] draws them, except that, from 3 texts on, one in
/// ten (at least one) is blank (empty, or only white space) and as many
/// again are each equal to another text of the list, at places drawn this
/// run. Each still needs its own call of the probe, on its own thread.
pub fn mixed_texts(draw: &mut Draw, n: usize) -> Vec<String> {
    let mut texts = texts(draw, n);
    if n < 3 {
        return texts;
    }
    let k = (n / 10).max(1);
    // The places, shuffled: the first k blank, the next k copies of one of
    // the rest.
    let mut places: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        places.swap(i, draw.pick(0..=i));
    }
    let (blank, rest) = places.split_at(k);
    let (copies, originals) = rest.split_at(k);
    for (j, &i) in blank.iter().enumerate() {
        texts[i] = BLANKS[j % BLANKS.len()].to_owned();
    }
    for &i in copies {
        let from = originals[draw.pick(0..=originals.len() - 1)];
        texts[i] = texts[from].clone();
    }
    texts
}

/// How many of `texts` are blank, and how many equal an earlier one: for
/// messages.
pub fn blanks_and_repeats(texts: &[String]) -> (usize, usize) {
    let blanks = texts.iter().filter(|t| t.trim().is_empty()).count();
    let distinct: HashSet<&String> = texts.iter().collect();
    (blanks, texts.len() - distinct.len())
}

/// Of the calls `texts` needed (one per text), how many the probe missed
/// for blank texts, and for texts that appear more than once.
pub fn missed_calls(texts: &[String], calls: &HashMap<String, usize>) -> (usize, usize) {
    let mut times: HashMap<&String, usize> = HashMap::new();
    for t in texts {
        *times.entry(t).or_insert(0) += 1;
    }
    let (mut blank, mut repeated) = (0, 0);
    for (t, m) in times {
        let missed = m.saturating_sub(calls.get(t).copied().unwrap_or(0));
        if t.trim().is_empty() {
            blank += missed;
        } else if m > 1 {
            repeated += missed;
        }
    }
    (blank, repeated)
}

/// How long the probe holds a call while it waits for the others: until
/// every expected call has arrived, or until no call has arrived for this
/// long. A call that keeps the others coming (threads still being started
/// on a busy machine) keeps them all waiting; a batch that is joined before
/// the next is started waits this long once per batch.
pub const IDLE_CAP: Duration = Duration::from_millis(300);

/// What the probe saw during one call of the student's function.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    /// Calls of the probe.
    pub visits: usize,
    /// The most calls inside the probe at once.
    pub peak: usize,
    /// Distinct threads that called it.
    pub threads: usize,
    /// Whether the thread that called the student's function called it.
    pub caller_visited: bool,
    /// Calls of the probe, per text it was called on.
    pub calls: HashMap<String, usize>,
    /// From the first call's arrival to the last's: how long the call took
    /// to have every thread at work.
    pub spread: Duration,
    /// The kernel's ids of the threads that called it.
    pub tids: HashSet<u32>,
}

struct State {
    expected: usize,
    hold: Duration,
    active: usize,
    gathered: bool,
    /// While set, gathered calls wait on (until it opens, or until the idle
    /// cap passes): a suite thread acts first ([`open_gate`]).
    gate_closed: bool,
    last_arrival: Instant,
    /// Waves of calls let go because none had arrived for [`IDLE_CAP`].
    waves: u64,
    visits: usize,
    peak: usize,
    threads: HashSet<ThreadId>,
    calls: HashMap<String, usize>,
    caller: ThreadId,
    first_arrival: Option<Instant>,
    tids: HashSet<u32>,
    /// The text whose call stays in the probe, once all are gathered,
    /// while [`State::keep_closed`] (see [`arm_keeping`]).
    keep: Option<String>,
    keep_closed: bool,
    /// The kernel's id of the thread whose call is kept.
    kept_tid: Option<u32>,
    /// Whether the kept call is inside the probe now (come, not yet gone).
    kept_inside: bool,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// Whether the probe lets its calls go at the same instant ([`burst`]).
static BURST: AtomicBool = AtomicBool::new(false);
static BURST_EXPECTED: AtomicUsize = AtomicUsize::new(0);
static BURST_ARRIVED: AtomicUsize = AtomicUsize::new(0);
/// Bursts so far: with the order of arrival, it draws each call's lateness.
static BURST_NUMBER: AtomicUsize = AtomicUsize::new(0);

/// When the calls of the current burst go on, in nanoseconds after
/// [`BURST_EPOCH`]; 0 until the last of them has come.
static BURST_RELEASE_NS: AtomicU64 = AtomicU64::new(0);
static BURST_EPOCH: OnceLock<Instant> = OnceLock::new();

/// A lateness of 0 to 30 ns for the `arrival`th call of burst `burst`,
/// spread evenly over the bursts (a multiplicative hash: no draw to share
/// between threads).
fn lateness(burst: usize, arrival: usize) -> u64 {
    let mixed = ((burst as u64) << 8 | arrival as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> 32) % 31
}

/// Runs `call` while the probe makes its `expected` calls spin until all
/// have come, then lets them go on at the same instant: what two threads
/// that finish together do to a shared total shows (an update made of a
/// load and a store loses one of them now and then).
pub fn burst<T>(expected: usize, call: impl FnOnce() -> T) -> (T, bool) {
    BURST_NUMBER.fetch_add(1, Ordering::AcqRel);
    BURST_RELEASE_NS.store(0, Ordering::Release);
    for slot in &BURST_LEFT {
        slot.store(0, Ordering::Release);
    }
    BURST_ARRIVED.store(0, Ordering::Release);
    BURST_EXPECTED.store(expected, Ordering::Release);
    BURST.store(true, Ordering::Release);
    let out = call();
    BURST.store(false, Ordering::Release);
    let left: Vec<u64> = BURST_LEFT[..expected.min(BURST_LEFT.len())]
        .iter()
        .map(|slot| slot.load(Ordering::Acquire))
        .collect();
    let together = left.iter().all(|&t| t != 0)
        && left
            .iter()
            .max()
            .zip(left.iter().min())
            .is_some_and(|(hi, lo)| hi - lo <= TOGETHER_WITHIN_NS);
    (out, together)
}

/// When each call of the current burst left the probe, in nanoseconds
/// after [`BURST_EPOCH`] (0: not yet), for the first two calls.
static BURST_LEFT: [AtomicU64; 2] = [const { AtomicU64::new(0) }; 2];

/// Calls that leave the probe this close together were running on two
/// cores at that instant: a burst where they did could show a lost update.
pub const TOGETHER_WITHIN_NS: u64 = 100;

/// Bursts whose calls left together that a check of lost updates waits
/// for (within its time budget); fewer, and the machine could not show a
/// lost update: that part of the check is not judged.
pub const TOGETHER_NEEDED: usize = 250;

/// Calls in the bursts of [`answers_fresh_texts`] and the same-instant
/// calls of [`two_calls_at_once_keep_apart`], at most, and the time they
/// may take.
pub(crate) const TRIALS: usize = 300;
pub(crate) const TRIALS_BUDGET: Duration = Duration::from_millis(1500);

pub(crate) use harness::threads::{own_tid, still_running};

static CHANGED: Condvar = Condvar::new();

fn state() -> MutexGuard<'static, Option<State>> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The probe around a piece of `work` on `text`: in a [`burst`], the work
/// first and the gate after it, so that calls let go at one instant return
/// at that instant (what they do next, to a shared total, collides);
/// otherwise the gate first, so that the probe sees when each call starts,
/// however long its work then takes.
pub fn probe<T>(text: &str, work: impl FnOnce() -> T) -> T {
    if BURST.load(Ordering::Acquire) {
        let out = work();
        visit(text);
        out
    } else {
        visit(text);
        work()
    }
}

/// Called inside every piece of work the suite hands a student's thread,
/// with the text it works on. When a watch is on ([`watch`], [`arm`]), it
/// notes the thread and the text, then waits
/// until the `expected` calls are all inside at once (and the gate, if any,
/// is open), or until no call has arrived for [`IDLE_CAP`], then stays
/// `hold` longer. Without a watch it returns at once.
pub fn visit(text: &str) {
    if BURST.load(Ordering::Acquire) {
        // Every call spins here until all have come, and all go on at the
        // same instant (see [`burst`]).
        // The last to come sets an instant 20 µs ahead; every call spins
        // until the clock passes it (or until the idle cap, if some never
        // come), so all leave within a read of the clock of each other,
        // then each a drawn 0 to 30 ns later: over many bursts, their next
        // steps pass each other at every distance.
        let epoch = *BURST_EPOCH.get_or_init(Instant::now);
        let arrival = BURST_ARRIVED.fetch_add(1, Ordering::AcqRel);
        if arrival + 1 == BURST_EXPECTED.load(Ordering::Acquire) {
            let at = epoch.elapsed() + Duration::from_micros(20);
            BURST_RELEASE_NS.store(at.as_nanos() as u64, Ordering::Release);
        }
        let until = Instant::now() + IDLE_CAP;
        let late = lateness(BURST_NUMBER.load(Ordering::Acquire), arrival);
        loop {
            let release = BURST_RELEASE_NS.load(Ordering::Acquire);
            if release != 0 && epoch.elapsed().as_nanos() as u64 >= release + late {
                break;
            }
            if release == 0 {
                if Instant::now() >= until {
                    break;
                }
                // Not all here yet: let a call that has no core of its own
                // run, rather than spin out this one's time slice.
                thread::yield_now();
                continue;
            }
            std::hint::spin_loop();
        }
        if let Some(slot) = BURST_LEFT.get(arrival) {
            slot.store(epoch.elapsed().as_nanos() as u64, Ordering::Release);
        }
        return;
    }
    let mut guard = state();
    let Some(s) = guard.as_mut() else {
        return;
    };
    s.visits += 1;
    *s.calls.entry(text.to_owned()).or_insert(0) += 1;
    if s.waves > 0 || thread::current().id() == s.caller {
        // The calling thread is noted, never held: held, it could not
        // start the threads it owes, and every later call would wait out
        // the idle cap in turn. Nor is any call once a wave has gone on
        // without the rest (they did not all come at once, which is said):
        // a solution that makes its calls one by one would otherwise wait
        // out the idle cap once per text.
        let me = thread::current().id();
        s.threads.insert(me);
        if me != s.caller {
            s.tids.insert(own_tid());
            s.last_arrival = Instant::now();
        }
        return;
    }
    s.active += 1;
    s.peak = s.peak.max(s.active);
    s.threads.insert(thread::current().id());
    s.tids.insert(own_tid());
    let kept = s.keep.as_deref() == Some(text);
    if kept {
        s.kept_tid = Some(own_tid());
        s.kept_inside = true;
    }
    s.last_arrival = Instant::now();
    s.first_arrival.get_or_insert(s.last_arrival);
    let wave = s.waves;
    if s.active >= s.expected {
        s.gathered = true;
        CHANGED.notify_all();
    }
    // Until the watch is over, at the latest.
    while let Some(s) = guard.as_mut() {
        if s.waves != wave || (s.gathered && !s.gate_closed && !(kept && s.keep_closed)) {
            break;
        }
        let (now, deadline) = (Instant::now(), s.last_arrival + IDLE_CAP);
        if now >= deadline {
            // Nobody came for IDLE_CAP: every call waiting now goes on
            // together, and later ones start a wave of their own.
            s.waves += 1;
            CHANGED.notify_all();
            break;
        }
        guard = CHANGED
            .wait_timeout(guard, deadline - now)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    let hold = guard.as_ref().map_or(Duration::ZERO, |s| s.hold);
    drop(guard);
    thread::sleep(hold);
    if let Some(s) = state().as_mut() {
        s.active -= 1;
        if kept {
            s.kept_inside = false;
        }
    }
}

/// Starts watching the probe for a call made on this thread, expecting
/// `expected` calls at once; each call is held `hold` once gathered. With
/// `gated`, gathered calls also wait for [`open_gate`].
pub fn arm(expected: usize, hold: Duration, gated: bool) {
    *state() = Some(State {
        expected,
        hold,
        active: 0,
        gathered: false,
        gate_closed: gated,
        last_arrival: Instant::now(),
        waves: 0,
        visits: 0,
        peak: 0,
        threads: HashSet::new(),
        calls: HashMap::new(),
        caller: thread::current().id(),
        first_arrival: None,
        tids: HashSet::new(),
        keep: None,
        keep_closed: false,
        kept_tid: None,
        kept_inside: false,
    });
}

/// [`arm`] with no hold, and once the calls are gathered the call on
/// `keep` stays in the probe until [`release_kept`] (or the idle cap),
/// while the others go on.
pub fn arm_keeping(expected: usize, keep: &str) {
    arm(expected, Duration::ZERO, false);
    if let Some(s) = state().as_mut() {
        s.keep = Some(keep.to_owned());
        s.keep_closed = true;
    }
}

/// Lets the kept call go on (see [`arm_keeping`]).
pub fn release_kept() {
    if let Some(s) = state().as_mut() {
        s.keep_closed = false;
    }
    CHANGED.notify_all();
}

/// Whether the kept call (see [`arm_keeping`]) is inside the probe now:
/// its work has not returned.
fn kept_still_inside() -> bool {
    state().as_ref().is_some_and(|s| s.kept_inside)
}

/// The kernel's ids of the threads whose calls came, but for the kept one.
fn visitors_but_kept() -> HashSet<u32> {
    state().as_ref().map_or_else(HashSet::new, |s| {
        let mut others = s.tids.clone();
        if let Some(kept) = s.kept_tid {
            others.remove(&kept);
        }
        others
    })
}

/// Stops watching and says what the probe saw since [`arm`].
pub fn disarm() -> Seen {
    let s = state().take();
    CHANGED.notify_all();
    s.map_or_else(Seen::default, |s| Seen {
        visits: s.visits,
        peak: s.peak,
        threads: s.threads.len(),
        caller_visited: s.threads.contains(&s.caller),
        calls: s.calls,
        spread: s
            .first_arrival
            .map_or(Duration::ZERO, |first| s.last_arrival - first),
        tids: s.tids,
    })
}

/// Waits until the armed watch has gathered every expected call; false if
/// the watch ended first.
pub fn wait_gathered() -> bool {
    let mut guard = state();
    loop {
        match guard.as_ref() {
            None => return false,
            Some(s) if s.gathered => return true,
            Some(_) => {}
        }
        guard = CHANGED.wait(guard).unwrap_or_else(PoisonError::into_inner);
    }
}

/// Lets gathered calls go on (see [`arm`]).
pub fn open_gate() {
    if let Some(s) = state().as_mut() {
        s.gate_closed = false;
    }
    CHANGED.notify_all();
}

/// Watches the probe while `call` runs on this thread, expecting
/// `expected` calls at once; each call is held `hold` once gathered.
pub fn watch<T>(expected: usize, hold: Duration, call: impl FnOnce() -> T) -> (T, Seen) {
    arm(expected, hold, false);
    let out = call();
    (out, disarm())
}

/// Counts the probe's calls while `call` runs on this thread, holding none.
pub fn counting_calls<T>(call: impl FnOnce() -> T) -> (T, Seen) {
    watch(1, Duration::ZERO, call)
}

/// One exercise, as its suite module describes it to the shared checks.
pub struct Exercise<A> {
    /// The student's function, as the suite calls it on texts.
    pub call: Box<dyn Fn(Vec<String>) -> A + Send + Sync>,
    /// The right answer for texts.
    pub answer: fn(&[String]) -> A,
    /// What the function is called, for messages.
    pub name: &'static str,
    /// What the probe the suite hands it is called (`count`, `words`).
    pub probe: &'static str,
    /// What the threads must share or return, for messages ("the total").
    pub result: &'static str,
    /// Why a wrong answer is wrong, when the exercise can tell (lost
    /// updates, input order): given what came and what was right.
    pub explain: fn(&A, &A) -> Option<String>,
}

impl<A: PartialEq + Debug> Exercise<A> {
    /// Calls the function on `n` texts drawn from `draw` and fails the
    /// check `check` unless the answer is right.
    fn right_on_fresh_texts(&self, draw: &mut Draw, n: usize, check: &str) {
        let texts = texts(draw, n);
        let want = (self.answer)(&texts);
        let got = (self.call)(texts.clone());
        assert!(got == want, "{}", self.wrong(&texts, &got, &want, check));
    }

    fn wrong(&self, texts: &[String], got: &A, want: &A, check: &str) -> String {
        let why = (self.explain)(got, want).unwrap_or_else(|| {
            format!(
                "It is not {} of these texts: compute it from what `{}` returns for each \
                 text, nothing else.",
                self.result, self.probe
            )
        });
        format!(
            "[{check}] {} on {} texts returned {}, but the right answer is {}. {why}",
            self.name,
            texts.len(),
            abbreviated(format!("{got:?}")),
            abbreviated(format!("{want:?}"))
        )
    }
}

/// An answer for a message: whole up to 1,500 bytes, else its start and
/// how much more there was (long words would make it hundreds of KiB).
fn abbreviated(shown: String) -> String {
    const KEEP: usize = 1_500;
    if shown.len() <= KEEP {
        return shown;
    }
    let mut cut = KEEP;
    while !shown.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} bytes more)", &shown[..cut], shown.len() - cut)
}

/// `answers_fresh_texts`: the right answer on texts drawn this run.
pub fn answers_fresh_texts<A: PartialEq + Debug>(ex: Exercise<A>) {
    let mut draw = Draw::new();
    for sizes in [0..=0, 1..=3, 4..=7] {
        let n = draw.pick(sizes);
        let texts = texts(&mut draw, n);
        let want = (ex.answer)(&texts);
        let got = (ex.call)(texts.clone());
        assert!(
            got == want,
            "{}",
            ex.wrong(&texts, &got, &want, "answers fresh texts")
        );
    }
    // Lost updates need threads that finish at the same instant: calls on
    // 2 texts whose threads the probe lets go together, many times.
    let began = Instant::now();
    let (mut together, mut calls) = (0, 0);
    for trial in 1.. {
        if together >= TOGETHER_NEEDED || began.elapsed() > TRIALS_BUDGET {
            break;
        }
        calls = trial;
        // Mostly 2 texts; every third call 9 to 16, so that a rule that
        // changes with the number of texts meets a burst too.
        let n = if trial % 3 == 0 { draw.pick(9..=16) } else { 2 };
        let texts = texts(&mut draw, n);
        let want = (ex.answer)(&texts);
        let (got, at_once) = burst(n, || (ex.call)(texts.clone()));
        together += usize::from(at_once);
        assert!(
            got == want,
            "{} (In call {trial} on {n} texts, whose threads the probe let go at the same \
             instant.)",
            ex.wrong(&texts, &got, &want, "answers fresh texts")
        );
    }
    eprintln!(
        "[answers fresh texts] right on fresh texts; then {} calls on 2 texts whose threads the \
         probe let go at the same instant, {together} of them within {TOGETHER_WITHIN_NS} ns \
         of each other: every answer right.",
        calls
    );
    if together < TOGETHER_NEEDED {
        harness::speedup::not_judged(
            "answers fresh texts",
            &format!(
                "lost updates need two threads running at the same instant: in {} ms, only \
                 {together} of the calls' pairs of threads left the probe within \
                 {TOGETHER_WITHIN_NS} ns of each other ({TOGETHER_NEEDED} needed), the machine \
                 too busy to run them on two cores at once. The answers were right.",
                TRIALS_BUDGET.as_millis()
            ),
        );
    }
}

/// `starts_afresh_every_call`: the same texts twice in a row give the same
/// answer, the right one, and each call calls the probe once per text. A
/// total or a map kept between calls (a `static`) gives a different answer
/// the second time; a memo of texts seen before gives the same answer
/// without calling the probe.
pub fn starts_afresh_every_call<A: PartialEq + Debug>(ex: Exercise<A>) {
    let mut draw = Draw::new();
    let n = draw.pick(4..=6);
    // Big texts among them (a memo may keep only those), and none blank or
    // repeated: a memo of earlier calls must show as such.
    let mut texts = texts(&mut draw, n);
    make_big(&mut draw, &mut texts);
    let want = (ex.answer)(&texts);
    let (first, seen1) = counting_calls(|| (ex.call)(texts.clone()));
    let (second, seen2) = counting_calls(|| (ex.call)(texts.clone()));
    assert!(
        first == second,
        "[starts afresh every call] {} on the same {n} texts returned {first:?}, then \
         {second:?} (the right answer is {want:?}): it kept state between calls (a \
         `static`), so each call's answer depends on the calls before it. Make everything \
         the threads share inside the call.",
        ex.name
    );
    assert!(
        second == want,
        "{}",
        ex.wrong(&texts, &second, &want, "starts afresh every call")
    );
    let (v1, v2) = (seen1.visits, seen2.visits);
    if v1 == n && v2 == n {
        return;
    }
    let probe = ex.probe;
    let fix = if v1 == n && v2 < n {
        format!(
            "The second call answered texts it had seen before from memory: a memo or a \
             cache kept between calls (in a `static`). Every call must count every text \
             afresh, with `{probe}`, in a thread of its own, whatever came before."
        )
    } else if v1 < n || v2 < n {
        format!(
            "Fewer calls than texts: every text needs its own call of `{probe}`, in a \
             thread of its own."
        )
    } else {
        format!("More calls than texts: call `{probe}` once per text.")
    };
    panic!(
        "[starts afresh every call] {} on the same {n} texts, twice in a row, returned the \
         right answer, but `{probe}` was called {v1} times in the first call and {v2} times \
         in the second, where each call must call it once per text ({n} times). {fix}",
        ex.name
    );
}

/// `two_calls_at_once_keep_apart`: two calls at the same time, from two
/// threads, on different texts, each get their own right answer. The probe
/// holds every thread of both calls inside `count`/`words` until all of
/// them have arrived, so the calls overlap for certain: a total, a map or a
/// list kept in a `static` (even one reset at the start of each call) is
/// shared by both, and one call's threads add into the other's answer.
pub fn two_calls_at_once_keep_apart<A: PartialEq + Debug + Send>(ex: Exercise<A>) {
    let mut draw = Draw::new();
    let (n1, n2) = (draw.pick(2..=4), draw.pick(2..=4));
    let (first, second) = (texts(&mut draw, n1), texts(&mut draw, n2));
    let (want1, want2) = ((ex.answer)(&first), (ex.answer)(&second));
    let call = &ex.call;
    let together = || {
        watch(n1 + n2, Duration::ZERO, || {
            thread::scope(|s| {
                let a = s.spawn(|| call(first.clone()));
                let b = s.spawn(|| call(second.clone()));
                let join = |h: thread::ScopedJoinHandle<'_, A>| {
                    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
                };
                (join(a), join(b))
            })
        })
    };
    same_instant(&ex, &mut draw);
    let ((got1, got2), mut seen) = together();
    if got1 == want1 && got2 == want2 {
        if seen.peak < n1 + n2 {
            // Once more: a start slowed down by a busy machine.
            let ((again1, again2), again) = together();
            if again1 == want1 && again2 == want2 {
                seen = again;
            }
        }
        assert!(
            seen.peak >= n1 + n2,
            "[two calls at once keep apart] two calls of {} at the same time, from two threads, \
             on {n1} and {n2} texts, each returned its right answer, but the probe saw at most \
             {} of their {} threads at work at once (twice), each call's threads waiting for \
             the other's: the calls took turns. Something every call shares holds the others \
             back (a lock in a `static` taken for the whole call). Each call must work on its \
             own, whatever else runs in the process.",
            ex.name,
            seen.peak,
            n1 + n2
        );
        one_held_at_a_start(&ex, &mut draw);
        return;
    }
    // A call that is wrong on its own is wrong, not mixed with another.
    for (texts, want) in [(&first, &want1), (&second, &want2)] {
        let alone = (ex.call)(texts.clone());
        assert!(
            alone == *want,
            "{}",
            ex.wrong(texts, &alone, want, "two calls at once keep apart")
        );
    }
    panic!(
        "[two calls at once keep apart] two calls of {name} at the same time, from two \
         threads, on {n1} and {n2} different texts (the probe saw {} of their {} threads at \
         work at once): the first returned {got1:?} where its texts give {want1:?}, the \
         second returned {got2:?} where its texts give {want2:?}. Each call must answer for \
         its own texts alone, and each does when it runs alone. What the threads share lives in \
         a `static`, so every call in the process shares it, even one emptied at the start of \
         each call, and the two calls' threads worked into each other's answer. Create it inside the call (an `Arc`, \
         or a local that scoped threads borrow), never in a `static`.",
        seen.peak,
        n1 + n2,
        name = ex.name
    );
}

/// Part of `two_calls_at_once_keep_apart`: one call held at its first
/// thread start (as a busy machine may hold a start, for as long as it
/// likes), and meanwhile a second call on other texts, which must return,
/// right, within [`HELD_FOR`]; then the first, let go, must return right
/// too. Something every call takes while it starts its threads (a lock in
/// a `static`, a lock file) keeps the second waiting for the first.
fn one_held_at_a_start<A: PartialEq + Debug + Send>(ex: &Exercise<A>, draw: &mut Draw) {
    let (n1, n2) = (draw.pick(2..=4), draw.pick(2..=4));
    let (first, second) = (texts(draw, n1), texts(draw, n2));
    let (want1, want2) = ((ex.answer)(&first), (ex.answer)(&second));
    let held = harness::spawned::Held::new();
    let call = &ex.call;
    let join = |h: thread::ScopedJoinHandle<'_, A>| {
        h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
    };
    let (got1, got2, in_time) = thread::scope(|s| {
        let a = s.spawn(|| held.run(|| call(first.clone())).0);
        if !held.wait_for_a_start(HELD_FOR) {
            // No thread start to hold: the other checks judge that call.
            held.release();
            return (join(a), call(second.clone()), true);
        }
        let (done, finished) = std::sync::mpsc::channel();
        let other = second.clone();
        let b = s.spawn(move || {
            let got = call(other);
            let _ = done.send(());
            got
        });
        let in_time = finished.recv_timeout(HELD_FOR).is_ok();
        held.release();
        (join(a), join(b), in_time)
    });
    assert!(
        in_time,
        "[two calls at once keep apart] one call of {name} was held as it started one of its \
         threads (as a busy machine may hold a thread's start, for as long as it likes), and \
         a second call, on {n2} other texts, from another thread, had not returned {} later; \
         it returned once the first was let go. Something every call takes while it starts \
         its threads (a lock in a `static`, a lock file) made the second wait for the first. \
         Each call must work on its own, whatever another call is doing.",
        human(HELD_FOR),
        name = ex.name
    );
    for (texts, got, want, which) in [
        (&first, &got1, &want1, "held one"),
        (&second, &got2, &want2, "other one"),
    ] {
        assert!(
            got == want,
            "{} (two calls at once, the first held at a thread start: this is the {which})",
            ex.wrong(texts, got, want, "two calls at once keep apart")
        );
    }
}

/// How long [`one_held_at_a_start`] waits for the held call to reach a
/// thread start, and for the other call to return meanwhile: a call on a
/// few short texts takes milliseconds.
const HELD_FOR: Duration = Duration::from_secs(3);

/// Part of `two_calls_at_once_keep_apart`: two calls that start at the
/// same instant (two threads spinning until a flag flips), many times,
/// each on its own 2 texts, must each get their own answer: a `static`
/// used only when a check says no other call runs is shared when both
/// check at once.
fn same_instant<A: PartialEq + Debug + Send>(ex: &Exercise<A>, draw: &mut Draw) {
    let began = Instant::now();
    for trial in 1..=TRIALS {
        if began.elapsed() > TRIALS_BUDGET {
            return;
        }
        let (n1, n2) = (2, 2);
        let (first, second) = (texts(draw, n1), texts(draw, n2));
        let (want1, want2) = ((ex.answer)(&first), (ex.answer)(&second));
        let go = AtomicBool::new(false);
        let ready = AtomicUsize::new(0);
        let call = &ex.call;
        let (got1, got2) = thread::scope(|s| {
            // Each starts a drawn 0 to 200 ns after the flag flips, so that
            // over the trials the two starts pass each other at every
            // distance, whichever thread sees the flag first.
            let start = |texts: Vec<String>, late: Duration| {
                let (go, ready) = (&go, &ready);
                s.spawn(move || {
                    ready.fetch_add(1, Ordering::AcqRel);
                    while !go.load(Ordering::Acquire) {
                        std::hint::spin_loop();
                    }
                    let flipped = Instant::now();
                    while flipped.elapsed() < late {
                        std::hint::spin_loop();
                    }
                    call(texts)
                })
            };
            let late = |draw: &mut Draw| Duration::from_nanos(draw.pick(0..=200) as u64);
            let (a, b) = (
                start(first.clone(), late(draw)),
                start(second.clone(), late(draw)),
            );
            while ready.load(Ordering::Acquire) < 2 {
                std::hint::spin_loop();
            }
            go.store(true, Ordering::Release);
            let join = |h: thread::ScopedJoinHandle<'_, A>| {
                h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
            };
            (join(a), join(b))
        });
        assert!(
            got1 == want1 && got2 == want2,
            "[two calls at once keep apart] two calls of {} started at the same time (at the \
             same instant), from two threads, on {n1} and {n2} different texts (trial {trial} of up to \
             {TRIALS}): the first returned {got1:?} where its texts give {want1:?}, the second \
             {got2:?} where its texts give {want2:?}. Each call must answer for its own texts \
             alone. What the threads share lives in a `static`, at least when a check says no \
             other call is running, and two calls that check at the same moment both believe \
             it. Create it inside the call, never in a `static`.",
            ex.name
        );
    }
}

/// The sizes `one_thread_per_text_all_at_once` draws from: one text, a
/// few (three of them big: see [`round_texts`]), many, hundreds, then
/// exactly the most the page allows, 800 (past any cap on threads or size
/// of batch a solution might pick below that; round 17's `total-words/07`
/// refused 800 itself, which a band drawn up to 800 seldom meets). The
/// bands leave no gap from 1 to 800: a solution that misbehaves only
/// above some size, or only within some band, meets one of them (round 14
/// locked, reversed and capped calls on 71 to 512 texts, which no band
/// drew then).
pub const ROUNDS: [std::ops::RangeInclusive<usize>; 5] = [
    1..=1,
    2..=8,
    9..=70,
    71..=799,
    *MOST_TEXTS.end()..=*MOST_TEXTS.end(),
];

/// The largest calls the checks make: past 256 and 512, up to the most the
/// page allows.
pub const MOST_TEXTS: std::ops::RangeInclusive<usize> = 513..=800;

/// Words of the biggest text of the second round, all the same word: past
/// what 16 bits count, in all and of one word.
pub const HUGE_TEXT: std::ops::RangeInclusive<usize> = 65_537..=90_000;

/// Words of two more big texts of the second round: past 4 KiB each.
pub const BIG_TEXT: std::ops::RangeInclusive<usize> = 1_000..=2_000;

/// How long after the call returns a thread it started may still be
/// ending. A joined thread is gone from the kernel's list within
/// microseconds of `join` returning; but `thread::scope` returns once each
/// thread's closure is done, and hundreds of threads then still free what
/// they own and leave the kernel, on two busy cores for tens of
/// milliseconds. The check waits only as long as one is left.
pub const THREADS_END_WITHIN: Duration = Duration::from_secs(1);

/// The texts of round `round` of `one_thread_per_text_all_at_once`: as
/// [`mixed_texts`] draws them, and in the second round three of the
/// non-blank ones made big: one of [`HUGE_TEXT`] words, two of
/// [`BIG_TEXT`].
pub fn round_texts(draw: &mut Draw, round: usize, n: usize) -> Vec<String> {
    let mut texts = mixed_texts(draw, n);
    if round == 1 {
        make_big(draw, &mut texts);
    }
    texts
}

/// Makes three of the non-blank `texts` big: one of [`HUGE_TEXT`] words,
/// two of [`BIG_TEXT`] that each end in a [`long_word`] of their own.
fn make_big(draw: &mut Draw, texts: &mut [String]) {
    let n = texts.len();
    {
        let mut places: Vec<usize> = (0..n).filter(|&i| !texts[i].trim().is_empty()).collect();
        for i in (1..places.len()).rev() {
            places.swap(i, draw.pick(0..=i));
        }
        for (k, &i) in places.iter().take(3).enumerate() {
            texts[i] = if k == 0 {
                huge_text(draw)
            } else {
                let words = draw.pick(BIG_TEXT);
                format!("{} {}", text_of(draw, words), long_word(k))
            };
        }
    }
}

/// Bytes the two long words of [`make_big`] share before they differ:
/// past any length a solution might cut words at to save memory (256
/// bytes, 4 KiB, 64 KiB), and all of it beyond ASCII.
const LONG_WORD_SHARED: usize = 70_000;

/// The `k`th long word: [`LONG_WORD_SHARED`] bytes the same in all, then
/// its own ending.
fn long_word(k: usize) -> String {
    format!("{}-{k}", "ß".repeat(LONG_WORD_SHARED / "ß".len()))
}

/// One text of [`HUGE_TEXT`] words, one word of [`VOCABULARY`] over and
/// over, with one to three spaces between them.
fn huge_text(draw: &mut Draw) -> String {
    let word = VOCABULARY[draw.pick(0..=VOCABULARY.len() - 1)];
    let mut text = String::from(word);
    for _ in 1..draw.pick(HUGE_TEXT) {
        text.push_str(&" ".repeat(draw.pick(1..=3)));
        text.push_str(word);
    }
    text
}

/// How long a plain loop that starts one thread per text, each calling the
/// probe, takes to have them all inside it: the yardstick for how long the
/// calls of a solution may take to arrive, in the same run.
fn yardstick_spread(texts: &[String]) -> Duration {
    let ((), seen) = watch(texts.len(), Duration::ZERO, || {
        thread::scope(|s| {
            for t in texts {
                s.spawn(move || visit(t));
            }
        })
    });
    seen.spread
}

/// How long the calls may take to arrive, against the yardstick's.
fn spread_allowed(yardstick: Duration) -> Duration {
    yardstick * 3 + Duration::from_millis(20)
}

/// `one_thread_per_text_all_at_once`: on one text, a few (three of them
/// big), many, then hundreds, each with blank and repeated texts among
/// them, the probe must see one call per text, all at once, each on its
/// own thread, none on the caller; the calls must all arrive about as soon
/// as a plain loop's in the same run (nothing holds a thread back until
/// the one before is done); and every thread must have ended when the call
/// returns.
pub fn one_thread_per_text_all_at_once<A: PartialEq + Debug>(ex: Exercise<A>) {
    let mut draw = Draw::new();
    for (round, sizes) in ROUNDS.into_iter().enumerate() {
        let n = draw.pick(sizes);
        let texts = round_texts(&mut draw, round, n);
        let want = (ex.answer)(&texts);
        let all_at_once =
            |s: &Seen| s.visits == n && s.threads == n && !s.caller_visited && s.peak >= n;
        let mut seen = Seen::default();
        let mut yardstick = Duration::ZERO;
        for _ in 0..2 {
            yardstick = yardstick_spread(&texts);
            let (got, s) = watch(n, Duration::ZERO, || (ex.call)(texts.clone()));
            seen = s;
            let mut started = seen.tids.clone();
            started.remove(&own_tid());
            let left = still_running(&started, THREADS_END_WITHIN);
            assert!(
                got == want,
                "{}",
                ex.wrong(&texts, &got, &want, "one thread per text, all at once")
            );
            assert!(
                left.is_empty(),
                "[one thread per text, all at once] {} on {n} texts returned, and {} of the {} \
                 threads that called `{}` were still there {} ms later (kernel thread ids \
                 {left:?}): every thread a call starts must have ended when it returns. Join \
                 them, or let a scope end; a thread left detached, or kept in a pool for the \
                 next call, outlives the call.",
                ex.name,
                left.len(),
                started.len(),
                ex.probe,
                THREADS_END_WITHIN.as_millis()
            );
            // A second try only when every text's call came, each on a
            // thread of its own, but not all at once or not in time: a
            // start slowed down by a busy machine can look like that once.
            let own_threads = seen.visits == n && seen.threads == n && !seen.caller_visited;
            let in_time = seen.spread <= spread_allowed(yardstick);
            if (all_at_once(&seen) && in_time) || !own_threads {
                break;
            }
        }
        if !all_at_once(&seen) {
            fail_one_thread_per_text(&ex, &texts, &seen);
        }
        assert!(
            seen.spread <= spread_allowed(yardstick),
            "[one thread per text, all at once] {} on {n} texts: every text's call of `{}` came, \
             each on a thread of its own, but the last came {} ms after the first, where a plain \
             loop that starts one thread per text had them all in {} ms in this run (at most \
             {} ms allowed, twice): the threads were held back, each until the one before had \
             finished or until a wait ran out (a lock tried with a time-out, a start that waits \
             for the previous thread). Start every thread before joining any, without waiting \
             between them, and lock only to add a result, after the work.",
            ex.name,
            ex.probe,
            seen.spread.as_millis(),
            yardstick.as_millis(),
            spread_allowed(yardstick).as_millis()
        );
    }
    for kept in [Kept::First, Kept::Last, Kept::Blank] {
        the_others_end_while_one_is_held(&ex, &mut draw, kept);
    }
}

/// Which text's call [`the_others_end_while_one_is_held`] keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kept {
    First,
    Last,
    /// A blank text (tabs and spaces), at a place drawn per run: a thread
    /// that was never waited for because its text had no words (round 21's
    /// `words-per-text/03`) is still in the work when the call returns.
    Blank,
}

/// A blank text no other text of the checks is: tabs and spaces.
const KEPT_BLANK: &str = "\t \t\t ";

/// How long, once the other threads are done, a call whose kept text's
/// work has not returned is given to return all the same (a wrong one
/// returns at once; a right one cannot until the kept call is let go).
const RETURN_WITHIN: Duration = Duration::from_millis(100);

/// How long the threads of the other texts have to end while one text's
/// call is kept in the probe: they have a few words left to add.
const OTHERS_END_WITHIN: Duration = Duration::from_millis(200);

/// One text's call (the first text's, or the last's) is kept in the probe
/// once all are gathered, while the others go on: their threads must all
/// end meanwhile, for nothing of theirs waits on the kept one. A lock that
/// one thread holds around its own work (round 14's `word-frequencies/04`:
/// the first text's thread only) keeps the others from adding, though no
/// two calls ever waited for each other in the probe.
fn the_others_end_while_one_is_held<A: PartialEq + Debug>(
    ex: &Exercise<A>,
    draw: &mut Draw,
    kept: Kept,
) {
    let n = draw.pick(3..=8);
    let mut texts = texts(draw, n);
    let k = match kept {
        Kept::First => 0,
        Kept::Last => n - 1,
        Kept::Blank => draw.pick(0..=n - 1),
    };
    if kept == Kept::Blank {
        texts[k] = KEPT_BLANK.to_owned();
    } else {
        texts[k].push_str(" kept");
    }
    let which = match kept {
        Kept::First => "first".to_owned(),
        Kept::Last => "last".to_owned(),
        Kept::Blank => format!("blank (text {} of {n}, tabs and spaces)", k + 1),
    };
    let want = (ex.answer)(&texts);
    let mut left = None;
    let mut got = None;
    let mut early = false;
    for _ in 0..2 {
        arm_keeping(n, &texts[k]);
        let (returned, returns) = std::sync::mpsc::channel::<()>();
        let (answer, still) = thread::scope(|s| {
            let watcher = s.spawn(move || {
                if !wait_gathered() {
                    return None;
                }
                let others = visitors_but_kept();
                let still = still_running(&others, OTHERS_END_WITHIN);
                // The kept call is still in the work: a call that does
                // not wait for it returns meanwhile.
                let _ = returns.recv_timeout(RETURN_WITHIN);
                release_kept();
                Some((still, others.len()))
            });
            let answer = (ex.call)(texts.clone());
            // Judged by the probe, not the clock: the kept call's work has
            // not returned, so no thread waited for it.
            early |= kept_still_inside();
            let _ = returned.send(());
            disarm();
            (answer, watcher.join().ok().flatten())
        });
        got = Some(answer);
        left = still;
        // A second try only for threads a busy machine was slow to end.
        if left.as_ref().is_none_or(|(still, _)| still.is_empty()) {
            break;
        }
    }
    let got = got.expect("one try at least");
    assert!(
        got == want,
        "{}",
        ex.wrong(&texts, &got, &want, "one thread per text, all at once")
    );
    assert!(
        !early,
        "[one thread per text, all at once] {} on {n} texts: once every text's call of `{}` \
         had come, the {which} text's was kept in `{}` while the others went on, and {} \
         returned before that call had: it waited for the other threads' answers, not for \
         every thread it started. Every thread the call starts has ended when it returns, a \
         blank text's too: wait for each one (join it, or let a scope end), whatever its text.",
        ex.name, ex.probe, ex.probe, ex.name
    );
    if let Some((still, others)) = left {
        assert!(
            still.is_empty(),
            "[one thread per text, all at once] {} on {n} texts: once every text's call of `{}` \
             had come, the {} text's was kept in `{}` while the {others} others went on, and {} \
             of their threads had not ended {} ms later (twice): they waited for the thread \
             whose call was kept, for a lock it held around its work, say. Each thread does \
             its own text's work without a lock, and locks only to add its result, after the \
             work: then no thread waits for another's work.",
            ex.name,
            ex.probe,
            which,
            ex.probe,
            still.len(),
            OTHERS_END_WITHIN.as_millis()
        );
    }
}

fn fail_one_thread_per_text<A>(ex: &Exercise<A>, texts: &[String], seen: &Seen) -> ! {
    let n = texts.len();
    let (blanks, repeats) = blanks_and_repeats(texts);
    let probe = ex.probe;
    let what = format!(
        "[one thread per text, all at once] {} on {n} texts ({blanks} of them blank, \
         {repeats} equal to an earlier one): `{probe}` was called {} times, by {} thread(s){}, \
         at most {} at once, where {n} calls on {n} threads, all running together, were \
         expected (each call waited for the others until none had arrived for {} ms).",
        ex.name,
        seen.visits,
        seen.threads,
        if seen.caller_visited {
            ", the calling thread among them"
        } else {
            ""
        },
        seen.peak,
        IDLE_CAP.as_millis()
    );
    let fix = if seen.caller_visited && seen.threads <= 1 {
        "All of it ran on the calling thread: no thread was started. Spawn one thread per \
         text, as the stub does, and keep them."
            .to_owned()
    } else if seen.caller_visited {
        "Part of it ran on the calling thread: give every text its own thread.".to_owned()
    } else if seen.visits < n {
        let (blank, repeated) = missed_calls(texts, &seen.calls);
        let mut missed = Vec::new();
        if blank > 0 {
            missed.push(format!("{blank} blank text(s) got no call"));
        }
        if repeated > 0 {
            missed.push(format!(
                "{repeated} text(s) equal to another got no call of their own"
            ));
        }
        let missed = if missed.is_empty() {
            String::new()
        } else {
            format!(" ({})", missed.join("; "))
        };
        format!(
            "Fewer calls than texts{missed}: every text needs its own call of `{probe}`, in a \
             thread of its own, a blank text too (what it holds is for `{probe}` to say, not a \
             0 of your own) and a text equal to another too (equal texts are not merged)."
        )
    } else if seen.visits > n {
        format!("More calls than texts: call `{probe}` once per text, each in its own thread.")
    } else if seen.threads < n {
        format!(
            "Fewer threads than texts: give every text its own thread, whatever the number \
             (here {n}): no cap on the threads, no thread that handles several texts in turn."
        )
    } else if seen.peak <= 1 {
        "They ran one at a time: each thread was joined right after it was spawned, or a \
         lock was held while the work ran, which serialises the threads. Spawn every thread \
         before joining any, and lock only to add a result, after the work."
            .to_owned()
    } else {
        format!(
            "They ran in batches of at most {}: each batch was joined before the next was \
             started. Spawn every thread before joining any, however many texts there are.",
            seen.peak
        )
    };
    panic!("{what} {fix}");
}

/// How much CPU the calling thread may use while it waits for threads that
/// are asleep for [`HOLD`]: a thread that starts 2 to 4 and joins them
/// uses 150 to 400 µs (a debug build, on our machine kind); one that spins
/// uses the whole wait, or its share of a core, or the few milliseconds it
/// allows itself.
pub const CALLER_CPU_ALLOWED: Duration = Duration::from_millis(2);

/// CPU the calling thread may use, beyond [`CALLER_CPU_ALLOWED`], for each
/// thread it starts: starting and joining hundreds costs it more than a
/// few do, about 20 µs each here on an idle machine, and 55 µs for the
/// reference in the grader's sandbox during a fresh-clone CI run at
/// 8e23ccf (438 threads, 24.2 ms), which failed a bound of 50 µs.
pub const CALLER_CPU_PER_THREAD: Duration = Duration::from_micros(80);

/// CPU time the calling thread may use while every thread of its call is
/// held in the probe: a thread asleep in `join` uses none then, and one
/// that spins a fifth of a millisecond shows.
pub const CALLER_CPU_WHILE_HELD: Duration = Duration::from_micros(200);

/// CPU time of the thread `tid` of this process so far.
fn cpu_of(tid: u32) -> Option<Duration> {
    harness::clock::thread_cpu_time_of(tid)
}

/// How often the calling thread may wake up while it waits for threads
/// that are asleep for [`HOLD`], beyond one per thread: a thread that joins
/// sleeps until each thread ends (one or two wake-ups a thread, a few more
/// while it starts them); one that polls wakes up at every poll, 20 times
/// in [`HOLD`] at a poll every 50 ms.
pub const CALLER_WAKEUPS_ALLOWED: u64 = 4;

/// How long each thread's work lasts in `the_caller_sleeps_while_it_waits`.
pub const HOLD: Duration = Duration::from_millis(1000);

/// How many times the thread `tid` of this process has gone to sleep and
/// been woken (its voluntary context switches, counted by the kernel).
pub(crate) fn wakeups_of(tid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/status"))
        .ok()?
        .lines()
        .find_map(|line| {
            line.strip_prefix("voluntary_ctxt_switches:")?
                .trim()
                .parse()
                .ok()
        })
}

/// CPU time of the calling thread so far (zero where it cannot be read).
fn thread_cpu() -> Duration {
    harness::clock::thread_cpu_time().unwrap_or_default()
}

/// `the_caller_sleeps_while_it_waits`: while the threads' work lasts
/// [`HOLD`], the calling thread must sleep in `join`, not spin, nor poll.
pub fn the_caller_sleeps_while_it_waits<A: PartialEq + Debug>(ex: Exercise<A>) {
    let mut draw = Draw::new();
    // A few texts, then any number up to the most the page allows: a
    // caller that spins or polls only on larger calls is seen too.
    let few = draw.pick(2..=4);
    let more = crate::pure::log_uniform(&mut draw, 5, *MOST_TEXTS.end() as u128) as usize;
    for n in [few, more] {
        caller_sleeps(&ex, &mut draw, n);
    }
}

/// One call of [`the_caller_sleeps_while_it_waits`], on `n` texts.
fn caller_sleeps<A: PartialEq + Debug>(ex: &Exercise<A>, draw: &mut Draw, n: usize) {
    let texts = texts(draw, n);
    let before = thread_cpu();
    let woke_before = harness::clock::thread_wakeups();
    let start = Instant::now();
    // A thread of the suite reads the caller's wake-ups while every text's
    // call is held: a caller asleep in `join` wakes up not once then.
    let caller = own_tid();
    arm(n, HOLD, false);
    let (got, during) = thread::scope(|s| {
        let held = s.spawn(move || {
            if !wait_gathered() {
                return None;
            }
            let (woke, cpu) = (wakeups_of(caller)?, cpu_of(caller)?);
            thread::sleep(HOLD * 3 / 4);
            Some((
                wakeups_of(caller)? - woke,
                cpu_of(caller)?.saturating_sub(cpu),
            ))
        });
        let got = (ex.call)(texts.clone());
        (got, held.join().ok().flatten())
    });
    disarm();
    let (cpu, wall) = (thread_cpu() - before, start.elapsed());
    let woke = harness::clock::thread_wakeups().saturating_sub(woke_before);
    let want = (ex.answer)(&texts);
    assert!(
        got == want,
        "{}",
        ex.wrong(&texts, &got, &want, "the caller sleeps while it waits")
    );
    if let Some((woke, cpu)) = during {
        assert!(
            woke <= 1,
            "[the caller sleeps while it waits] while its {n} threads were all held in `{}` \
             ({} ms of the {} ms), the thread that called {} woke up {woke} times (counted by \
             the kernel; a thread asleep in `join` wakes up not once until a thread ends): it \
             polls, checking whether they are done and sleeping in between, however long the \
             sleep. Call join() on each handle, or let a scope end.",
            ex.probe,
            (HOLD * 3 / 4).as_millis(),
            HOLD.as_millis(),
            ex.name
        );
        assert!(
            cpu <= CALLER_CPU_WHILE_HELD,
            "[the caller sleeps while it waits] while its {n} threads were all held in `{}` \
             ({} ms of the {} ms), the thread that called {} used {} µs of CPU (counted by the \
             kernel; a thread asleep in `join` uses none until a thread ends, at most {} µs \
             allowed): it spins, checking again and again whether they are done, however \
             briefly. Call join() on each handle, or let a scope end: it sleeps until the \
             thread ends.",
            ex.probe,
            (HOLD * 3 / 4).as_millis(),
            HOLD.as_millis(),
            ex.name,
            cpu.as_micros(),
            CALLER_CPU_WHILE_HELD.as_micros()
        );
    }
    let allowed = n as u64 + CALLER_WAKEUPS_ALLOWED;
    assert!(
        woke <= allowed,
        "[the caller sleeps while it waits] the thread that called {} woke up {woke} times in \
         the {} ms it waited for {n} threads that were asleep (counted by the kernel; a thread \
         that joins wakes up once or twice per thread, at most {allowed} allowed): it polls, \
         checking whether they are done and sleeping in between. Call join() on each handle, \
         or let a scope end: it sleeps until the thread ends, and wakes up once.",
        ex.name,
        wall.as_millis()
    );
    let cpu_allowed = CALLER_CPU_ALLOWED + CALLER_CPU_PER_THREAD * n as u32;
    assert!(
        cpu <= cpu_allowed,
        "[the caller sleeps while it waits] the thread that called {} used {} µs of CPU in the \
         {} ms it waited for {n} threads that were asleep (a thread that starts them and joins \
         uses a few hundred µs, and about 20 µs more per thread; at most {} µs allowed): it \
         spins, checking again and again whether they are done, if only for a few \
         milliseconds. Call join() on each handle, or let a scope end: it sleeps until the \
         thread ends.",
        ex.name,
        cpu.as_micros(),
        wall.as_millis(),
        cpu_allowed.as_micros()
    );
    eprintln!(
        "[the caller sleeps while it waits] {n} threads held {} ms: the calling thread used {} \
         µs of CPU in all ({} µs while they were all held) and woke up {woke} times (at most \
         {allowed} pass).",
        HOLD.as_millis(),
        cpu.as_micros(),
        during.map_or(0, |(_, cpu)| cpu.as_micros())
    );
}

/// Declares one exercise's suite: each listed check (a function of this
/// module) run against the exercise that `$exercise` (a function from the
/// crate's function to an [`Exercise`]) describes, then the checks listed
/// after `, and` (functions of the exercise's own module, of its crate's
/// function), if any.
macro_rules! declare_texts_suite {
    ($d:tt $module:ident: $subject:ty = [$($check:ident),* $(,)?] via $exercise:path) => {
        $crate::pitfalls::texts::declare_texts_suite!(
            $d $module: $subject = [$($check),*] via $exercise, and []
        );
    };
    ($d:tt $module:ident: $subject:ty = [$($check:ident),* $(,)?] via $exercise:path,
        and [$($own:ident),* $(,)?]) => {
        $(
            #[doc = concat!("See [`crate::pitfalls::texts::", stringify!($check), "`].")]
            pub fn $check(f: $subject) {
                $crate::pitfalls::texts::$check($exercise(f));
            }
        )*

        $crate::declare_suite!($d $module: $subject = [$($check,)* $($own),*]);
    };
}
pub(crate) use declare_texts_suite;

/// Calls in [`frees_what_it_shares`], after [`LEAK_WARM_UP`] calls that
/// let the standard library make what it makes once.
const LEAK_CALLS: usize = 64;
/// Calls before the count opens.
const LEAK_WARM_UP: usize = 3;
/// Blocks [`LEAK_CALLS`] calls may leave between them: room for a lazily
/// made buffer of the standard library (the references leave none). A leak
/// on calls of one text only (round 14's `total-words/08`), of blank texts
/// only, or on one call in 16, leaves more.
const LEAK_SLACK: isize = 2;

/// `frees_what_it_shares`: [`LEAK_CALLS`] calls on 1 to 6 texts each, every
/// text made, handed in and its answer dropped inside the window, leave no
/// more than [`LEAK_SLACK`] heap blocks between them (counted by the
/// suites' allocator, once the threads the calls started have ended). A
/// total or map leaked with `Box::leak` to make the compiler quiet leaves
/// one block or more per call.
pub fn frees_what_it_shares<A: PartialEq + Debug>(ex: Exercise<A>) {
    assert_counting_allocator();
    let mut draw = Draw::new();
    for _ in 0..LEAK_WARM_UP {
        ex.right_on_fresh_texts(&mut draw, 3, "frees what it shares");
    }
    // Every other call on 7 to 800 texts, one of them of 1,001 to 2,000
    // words all different: a leak kept for big calls only, or for maps of
    // many words, is in the window too.
    let sizes: Vec<usize> = (0..LEAK_CALLS)
        .map(|i| {
            // The last small, as the warm-up's were: a value kept until
            // the next call replaces it nets no more than a small call's
            // blocks here, and is named by the calls looked at one by one.
            if i % 2 == 0 {
                crate::pure::log_uniform(&mut draw, 7, *MOST_TEXTS.end() as u128) as usize
            } else {
                // Every size from 1 to 6 in turn, each five times or more.
                i / 2 % 6 + 1
            }
        })
        .collect();
    let threads_before = harness::aftermath::threads_now();
    let ((), left) = harness::heap::net_blocks(|| {
        for &n in &sizes {
            // Blank and repeated texts among them: a leak of blank texts
            // only is in the window too.
            let mut texts = mixed_texts(&mut draw, n);
            if n > 6 {
                texts[0] = distinct_words(&mut draw);
            }
            drop((ex.call)(texts));
        }
        // Threads a call started free what they own as they end, which can
        // be just after a scope or a channel let the call return.
        let deadline = Instant::now() + Duration::from_secs(2);
        while harness::aftermath::threads_now() > threads_before && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
    });
    assert!(
        left <= LEAK_SLACK,
        "[frees what it shares] {LEAK_CALLS} calls of {} on 1 to 6 texts each (every other on \
         7 to 800, blank and repeated texts among them, one of them of 1,001 to 2,000 different words), every text and answer \
         dropped afterwards, left {left} heap blocks allocated that nothing frees (about \
         {:.1} a call; at most {LEAK_SLACK} pass): each call leaks what it shared. \
         `Box::leak` (or a `static` that grows) makes the compiler quiet by never freeing the \
         value; share it with `Arc` (it is freed when the last thread drops its handle) or \
         borrow it into scoped threads (`std::thread::scope`).",
        ex.name,
        left as f64 / LEAK_CALLS as f64
    );
    eprintln!(
        "[frees what it shares] {LEAK_CALLS} calls left {left} heap blocks allocated (at most \
         {LEAK_SLACK} pass)."
    );
    every_size_is_freed(&ex, &mut draw, threads_before);
    // A value kept until the next call replaces it nets nothing over many
    // calls: look at each call alone, by address.
    let mut kept = Vec::new();
    for _ in 0..KEPT_CALLS {
        let n = draw.pick(1..=6);
        // The texts are made in the window too: a call that keeps them
        // keeps blocks born there.
        let ((), live) = harness::heap::born_and_live(|| {
            drop((ex.call)(texts(&mut draw, n)));
            let deadline = Instant::now() + Duration::from_secs(2);
            while harness::aftermath::threads_now() > threads_before && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(5));
            }
        });
        match live {
            Some(0) | None => return,
            Some(live) => kept.push(live),
        }
    }
    panic!(
        "[frees what it shares] {KEPT_CALLS} more calls of {}, each on 1 to 6 texts made, handed \
         in and its answer dropped: every one of them left blocks it had allocated still \
         allocated once it had returned and its threads had ended ({kept:?}), even though \
         the calls together leave no more blocks than one: each call keeps what it shared \
         or its texts (a `static` holding them until the next call replaces them). Nothing may \
         outlive the call: what the threads share, and the texts, are freed when it is done.",
        ex.name
    );
}

/// The octaves [`every_size_is_freed`] sweeps: texts of 2^k to 2^(k+1)
/// bytes, from 32 bytes up to the largest text the page allows.
const SWEEP: std::ops::RangeInclusive<u32> = 5..=24;
/// Texts per call of the sweep, all of one octave: a leak at any size
/// that spans an octave leaves more blocks than [`LEAK_SLACK`].
const SWEEP_TEXTS: usize = 3;

/// Part of `frees_what_it_shares`: one call per octave of text size, from
/// 32 bytes to [`LARGEST_TEXT`] (three texts of that octave each, so the
/// calls weigh from under a KiB to 51 MiB), each text made before the
/// window and a copy of it handed in: the calls together may leave no
/// more than [`LEAK_SLACK`] blocks. A leak kept to some sizes (round 21's
/// `words-per-text/01` leaked texts of 150 KB to 1 MB; `word-frequencies/02`
/// the map of calls past 256 KiB) meets its sizes here.
fn every_size_is_freed<A: PartialEq + Debug>(ex: &Exercise<A>, draw: &mut Draw, threads: usize) {
    let mut left = 0;
    let mut leaked_at = Vec::new();
    for k in SWEEP {
        let texts = octave_texts(draw, k);
        let ((), net) = harness::heap::net_blocks(|| {
            drop((ex.call)(texts.clone()));
            let deadline = Instant::now() + Duration::from_secs(2);
            while harness::aftermath::threads_now() > threads && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(5));
            }
        });
        if net > 0 {
            leaked_at.push(format!(
                "{} to {} bytes: {net}",
                1usize << k,
                (1usize << (k + 1)).min(LARGEST_TEXT)
            ));
        }
        left += net;
    }
    assert!(
        left <= LEAK_SLACK,
        "[frees what it shares] {} calls of {}, one per size of text (each on {SWEEP_TEXTS} \
         texts of one octave, from 32 bytes up to {} MiB, the largest the page allows), every \
         text and answer dropped afterwards, left {left} heap blocks allocated that nothing \
         frees (at most {LEAK_SLACK} pass; blocks left per size: {}): a text, or what the \
         threads shared, is leaked at some sizes. Nothing is leaked at any size the page \
         allows: share with `Arc`, or borrow into scoped threads, whatever the size.",
        SWEEP.count(),
        ex.name,
        LARGEST_TEXT >> 20,
        leaked_at.join("; ")
    );
}

/// [`SWEEP_TEXTS`] texts of 2^k to 2^(k+1) bytes each (no more than
/// [`LARGEST_TEXT`]): words of [`VOCABULARY`] below [`BIG_FROM`], big
/// texts (registered in [`BIG`], so their count is quick) from it on.
fn octave_texts(draw: &mut Draw, k: u32) -> Vec<String> {
    let low = 1usize << k;
    let high = ((1usize << (k + 1)) - 1).min(LARGEST_TEXT);
    (0..SWEEP_TEXTS)
        .map(|t| {
            // Never exactly the largest: `big_texts` makes that one, and
            // the registry keeps one text per length.
            let size = crate::pure::log_uniform(draw, low as u128, high as u128) as usize;
            let size = size.min(LARGEST_TEXT - 1);
            if size < BIG_FROM {
                let mut text = String::with_capacity(size + 64);
                while text.len() < size {
                    if !text.is_empty() {
                        text.push_str(&" ".repeat(draw.pick(1..=3)));
                    }
                    text.push_str(VOCABULARY[draw.pick(0..=VOCABULARY.len() - 1)]);
                }
                text
            } else {
                let mut big = BIG.lock().unwrap_or_else(PoisonError::into_inner);
                let big = big.get_or_insert_with(HashMap::new);
                let mut size = size;
                while big.contains_key(&size) {
                    size -= 1;
                }
                big_text_of(draw, big, size, t)
            }
        })
        .collect()
}

/// A text of 1,001 to 2,000 words, no two alike.
fn distinct_words(draw: &mut Draw) -> String {
    let n = draw.pick(1_001..=2_000);
    (0..n)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Calls of [`frees_what_it_shares`] looked at one by one: each must leave
/// none of the blocks it allocated, and one that does so every time keeps
/// what it shared.
const KEPT_CALLS: usize = 5;

/// How much longer the free of each text takes in
/// [`no_thread_runs_on_after_the_return`]: far longer than a caller takes
/// to return once its last thread has handed its answer over.
const SLOW_FREE: Duration = Duration::from_millis(40);

/// `no_thread_runs_on_after_the_return`: twice, 3 to 8 texts handed in,
/// each text's free made [`SLOW_FREE`] slower by the suites' allocator:
/// every text must be freed by the time the call returns. A thread that
/// hands its answer back (over a channel, into a shared total) and is never
/// joined goes on after the call has returned, dropping the text it was
/// given; slowed down, that free is still under way at the return, however
/// soon after the answer the thread gets to it. A joined or scoped thread
/// has dropped what it owns before its join returns.
pub fn no_thread_runs_on_after_the_return<A: PartialEq + Debug>(ex: Exercise<A>) {
    assert_counting_allocator();
    let mut draw = Draw::new();
    // A few texts, then any number up to the most the page allows (of
    // which the allocator slows the frees of up to 64).
    let few = draw.pick(3..=8);
    let more = crate::pure::log_uniform(&mut draw, 9, *MOST_TEXTS.end() as u128) as usize;
    for n in [few, more] {
        let texts = texts(&mut draw, n);
        let want = (ex.answer)(&texts);
        let handed = texts.clone();
        let addresses: Vec<usize> = handed
            .iter()
            .map(|t| t.as_ptr() as usize)
            .take(harness::heap::SLOW_SLOTS)
            .collect();
        let (got, frees) = harness::heap::frees_after_return(
            &addresses,
            SLOW_FREE,
            Duration::from_secs(1),
            || (ex.call)(handed),
        );
        assert!(
            got == want,
            "{}",
            ex.wrong(&texts, &got, &want, "no thread runs on after the return")
        );
        assert!(
            frees.after == 0,
            "[no thread runs on after the return] {} on {n} texts returned the right answer, but \
             {} of the texts handed in (or of the lists of words `words` returned) were freed \
             after it had returned (the suite made each one's free take {} ms longer, so a \
             thread that frees one after the return is still at it when the call returns): threads of the call went on running after it \
             returned, detached (spawned and never joined: they hand their answer over and end \
             on their own, or a thread of the call's own drops the texts). Every thread the call \
             starts must have ended, and what it holds be freed, when the call returns: join \
             every thread before returning, or let a scope end.",
            ex.name,
            frees.after,
            SLOW_FREE.as_millis()
        );
    }
    eprintln!(
        "[no thread runs on after the return] two calls, on 3 to 8 texts then on 9 to 800, each \
         text's free (up to 64 of them) slowed by {} ms: every text was freed before the call returned.",
        SLOW_FREE.as_millis()
    );
}

/// `nothing_is_kept_in_a_static`: one call on 3 texts must be right, then
/// the crate's `src/lib.rs`, as its test binary was built, must declare no
/// `static` and no `thread_local!` ([`crate::pure::refuse_globals`]). The
/// page promises that nothing is kept between calls and nothing shared by
/// calls at once, "in a `static` or anywhere else": a `static` is that,
/// whatever it holds (a lock taken only while spawning, a memo of texts
/// past some size, a counter), and the source shows it whether or not a
/// call the suite makes reaches it.
pub fn nothing_is_kept_in_a_static<A: PartialEq + Debug>(ex: Exercise<A>) {
    ex.right_on_fresh_texts(&mut Draw::new(), 3, "nothing is kept in a static");
    // A file keeps a value from one call to the next as a `static` does
    // (round 21's `total-words/06`, `words-per-text/04` and
    // `count-under-gil/03` kept the counts of big texts in the temp
    // folder); nothing here needs one.
    crate::polls::refuse_in_crate(
        "nothing is kept in a static",
        crate::polls::FILES,
        "uses the file system",
        &format!(
            "Nothing of a call of {} is kept for the next one, \"in a `static` or anywhere \
             else\": a file in the temp folder outlives the call as a global does, and nothing \
             in this exercise needs a file.",
            ex.name
        ),
    );
    crate::pure::refuse_globals(
        "nothing is kept in a static",
        &format!(
            "The page promises that nothing is kept between calls of {} and nothing is shared \
             by calls that run at the same time, \"in a `static` or anywhere else\": a global \
             is shared by every call in the process, whatever it holds (a lock taken while \
             the threads start, a memo of big texts, a counter of calls), and whether or not \
             the suite's calls reach it. Make what the threads share inside the call. (The \
             suite reads `src/lib.rs` only: keep the exercise in that file.)",
            ex.name
        ),
    );
}

/// `no_lock_is_held_around_the_work`: one call on 3 texts must be right,
/// then the crate's `src/lib.rs` must hold no lock's guard at a call of
/// the work function ([`crate::held`]). A lock tried for a few
/// microseconds, held around the work when it is free, makes the threads
/// take turns whenever the work is short, yet no hold of the probe shows
/// it (the others give up on it and come); the source does.
pub fn no_lock_is_held_around_the_work<A: PartialEq + Debug>(ex: Exercise<A>) {
    ex.right_on_fresh_texts(&mut Draw::new(), 3, "no lock is held around the work");
    crate::held::refuse_locks_around(
        "no lock is held around the work",
        ex.probe,
        &format!(
            "The page promises that {}'s threads do their work in parallel, with no lock held \
             around it: a guard alive while `{}` runs makes the threads take turns whenever it \
             is free, even one that is only tried for a moment (a `try_lock` in a loop, with a \
             time-out). Call `{}` first, then take the lock to add its result, and let the \
             guard go before the next call of `{}`: `drop` it, or take it in a block of its \
             own.",
            ex.name, ex.probe, ex.probe, ex.probe
        ),
    );
}

/// `nothing_polls_or_waits_by_the_clock`: one call on 3 texts must be
/// right, then the crate's `src/lib.rs` must call nothing that waits for
/// a length of time or checks without waiting ([`crate::polls`]): a spin
/// under the CPU the caller may use, a poll slower than the window it is
/// watched in, a give-up later than any hold the suite makes, each stays
/// inside what a timed check sees; the source shows them.
pub fn nothing_polls_or_waits_by_the_clock<A: PartialEq + Debug>(ex: Exercise<A>) {
    ex.right_on_fresh_texts(&mut Draw::new(), 3, "nothing polls or waits by the clock");
    // A child that ends after a time is a clock (round 21's
    // `total-words/04` and `words-per-text/02`: a watchdog thread ran
    // `timeout 5 cat`, and the caller gave up when it ended).
    crate::polls::refuse_in_crate(
        "nothing polls or waits by the clock",
        crate::polls::PROCESSES,
        "starts a process",
        &format!(
            "The thread that called {} waits for its threads with no time-out of its own, and \
             nothing in this exercise needs a process: a child that ends after a while is a \
             time-out as surely as `recv_timeout`.",
            ex.name
        ),
    );
    crate::polls::refuse_polls(
        "nothing polls or waits by the clock",
        &format!(
            "The page promises that the thread that called {} waits asleep for its threads, \
             not checking again and again whether they are done, and never gives up on them \
             after a time of its own. Nothing in this exercise needs a clock: wait for each \
             thread with `join()` (or let a scope end), or receive from a channel with a \
             blocking `recv()`, which sleeps until the thread is done, however long `{}` takes.",
            ex.name, ex.probe
        ),
    );
}

/// The largest text the page's promises hold for.
pub const LARGEST_TEXT: usize = 17 << 20;
/// The most all the texts of a call may hold together, by the page.
pub const LARGEST_CALL: usize = 64 << 20;

/// The length of the word every big text starts with.
const SHARED_WORD: usize = 600_001;

/// The smallest text [`texts_up_to_the_limit`] makes.
const BIG_FROM: usize = 1 << 20;

/// The longest word of a big text: past any cut a solution might make to
/// save memory (100,000 bytes, 64 KiB).
const LONGEST_WORD: usize = 1 << 20;

/// The words of each big text the suite made, by the text's length (each
/// big text has a length of its own): where each word starts and ends. A
/// probe reads a big text's words from here instead of scanning megabytes
/// in a debug build; a text of another length is scanned.
static BIG: Mutex<Option<HashMap<usize, WordRanges>>> = Mutex::new(None);

/// Where each word of a text starts and ends, in bytes.
type WordRanges = Vec<(usize, usize)>;

fn big_words_of(text: &str) -> Option<WordRanges> {
    if text.len() < BIG_FROM {
        return None;
    }
    let big = BIG.lock().unwrap_or_else(PoisonError::into_inner);
    big.as_ref()?.get(&text.len()).cloned()
}

/// The words of `text` if it is a big text the suite made (see [`BIG`]),
/// as the probe's `words` returns them.
pub fn big_words(text: &str) -> Option<Vec<String>> {
    let ranges = big_words_of(text)?;
    Some(ranges.iter().map(|&(a, b)| text[a..b].to_owned()).collect())
}

/// How many words `text` has, split at white space: read from [`BIG`] for
/// a big text the suite made, counted otherwise.
pub fn count_words(text: &str) -> usize {
    big_words_of(text).map_or_else(|| text.split_whitespace().count(), |r| r.len())
}

/// `n` big texts of 1 MiB to [`LARGEST_TEXT`] each (the largest, one just
/// under it, the smallest, then log-uniform), all
/// together at most [`LARGEST_CALL`], each of a length no other has. Each
/// is words of up to [`LONGEST_WORD`] bytes (but the largest, whose second
/// word fills it), one space between them, each
/// word its own but for the first of every text, the same long word in
/// all (counted once per text). Registered in [`BIG`].
fn big_texts(draw: &mut Draw, n: usize) -> Vec<String> {
    let mut big = BIG.lock().unwrap_or_else(PoisonError::into_inner);
    let big = big.get_or_insert_with(HashMap::new);
    let mut texts = Vec::with_capacity(n);
    let mut left = LARGEST_CALL;
    for t in 0..n {
        // The largest text there is and one just under it (a rule past
        // any size up to the limit meets two texts), the smallest, then
        // drawn between; within what the call may hold in all.
        let drawn = match t {
            // Exactly the limit (round 17's `total-words/11` refused it).
            0 => LARGEST_TEXT,
            1 => LARGEST_TEXT - (1 << 20) + draw.pick(0..=(1 << 20) - 4096),
            2 => BIG_FROM + draw.pick(0..=4096),
            _ => crate::pure::log_uniform(draw, BIG_FROM as u128, LARGEST_TEXT as u128) as usize,
        };
        let mut size = drawn
            .min(left.saturating_sub(BIG_FROM * (n - t - 1)))
            .max(BIG_FROM);
        while big.contains_key(&size) || texts.iter().any(|x: &String| x.len() == size) {
            size -= 1;
        }
        let text = big_text_of(draw, big, size, t);
        left -= text.len().min(left);
        texts.push(text);
    }
    texts
}

/// One big text of about `size` bytes (the `t`th of its call: the first,
/// `t == 0`, has a second word that fills it), registered in [`BIG`] under
/// its length, which no registered text has.
fn big_text_of(
    draw: &mut Draw,
    big: &mut HashMap<usize, WordRanges>,
    size: usize,
    t: usize,
) -> String {
    let mut text = String::with_capacity(size);
    let mut ranges = Vec::new();
    let mut w = 0;
    while text.len() < size {
        if !text.is_empty() {
            text.push(' ');
        }
        let room = size - text.len();
        let ending = if w == 0 {
            "-shared".to_owned()
        } else {
            format!("-{t}-{w}")
        };
        let len = if w == 0 {
            SHARED_WORD
        } else if t == 0 {
            // The largest text's second word fills it: a word as long
            // as a text may be, about 16 MiB (round 14's
            // `word-frequencies/05` cut words at 2 MiB).
            room.max(ending.len() + 1)
        } else {
            draw.pick(LONGEST_WORD / 2..=LONGEST_WORD)
                .min(room)
                .max(ending.len() + 1)
        };
        let start = text.len();
        text.push_str(&"a".repeat(len - ending.len()));
        text.push_str(&ending);
        ranges.push((start, text.len()));
        w += 1;
    }
    // The last word may run a few bytes past `size`: the length is the text's.
    while big.contains_key(&text.len()) {
        text.push('z');
        ranges.last_mut().expect("a word").1 += 1;
    }
    big.insert(text.len(), ranges);
    text
}

/// `texts_up_to_the_limit`: one call on 3 or 4 texts of 1 MiB to 17 MiB
/// each (one of 17 MiB, one just under, one of 1 MiB, at most 64 MiB in
/// all), made of words of half a MiB to a MiB: the
/// answer must be right, the probe must see one call per text, all at
/// once, none on the calling thread, and every text must be freed by the
/// time the call returns (each free slowed as in
/// [`no_thread_runs_on_after_the_return`]). A rule that changes past some
/// size (texts counted on the caller, a lock taken before splitting big
/// texts, big texts left to a detached thread or never freed, words cut
/// short) meets the size here.
pub fn texts_up_to_the_limit<A: PartialEq + Debug>(ex: Exercise<A>) {
    assert_counting_allocator();
    let mut draw = Draw::new();
    let n = draw.pick(3..=4);
    let texts = big_texts(&mut draw, n);
    // Forgotten afterwards, even if the check fails: a text of the same
    // length made later is not one of these.
    struct Forget(Vec<usize>);
    impl Drop for Forget {
        fn drop(&mut self) {
            if let Some(big) = BIG.lock().unwrap_or_else(PoisonError::into_inner).as_mut() {
                for len in &self.0 {
                    big.remove(len);
                }
            }
        }
    }
    let _forget = Forget(texts.iter().map(String::len).collect());
    let sizes: Vec<String> = texts
        .iter()
        .map(|t| format!("{:.1} MiB", t.len() as f64 / f64::from(1 << 20)))
        .collect();
    let want = (ex.answer)(&texts);
    let handed = texts.clone();
    let addresses: Vec<usize> = handed.iter().map(|t| t.as_ptr() as usize).collect();
    let ((got, seen), frees) =
        harness::heap::frees_after_return(&addresses, SLOW_FREE, Duration::from_secs(1), || {
            watch(n, Duration::ZERO, || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (ex.call)(handed)))
            })
        });
    let what = format!("{} on {n} texts of {}", ex.name, sizes.join(", "));
    let got = got.unwrap_or_else(|payload| {
        panic!(
            "[texts up to the limit] {what} panicked ({}): the page allows texts of up to \
             17 MiB each, 17 MiB included, and up to 64 MiB in all; every call within that \
             answers.",
            harness::record::panic_message(payload.as_ref())
        )
    });
    assert!(
        got == want,
        "{} (The texts: {}.)",
        ex.wrong(&texts, &got, &want, "texts up to the limit"),
        sizes.join(", ")
    );
    assert!(
        seen.visits == n && seen.threads == n && !seen.caller_visited && seen.peak >= n,
        "[texts up to the limit] {what}: `{}` was called {} times, by {} thread(s){}, at most {} \
         at once, where {n} calls on {n} threads, all at once, were expected. The promises \
         hold for texts up to 17 MiB: every text its own thread, whatever its size, none of \
         them counted on the calling thread, and no lock taken before the work of a big \
         text.",
        ex.probe,
        seen.visits,
        seen.threads,
        if seen.caller_visited {
            ", the calling thread among them"
        } else {
            ""
        },
        seen.peak
    );
    assert!(
        frees.after == 0 && frees.never == 0,
        "[texts up to the limit] {what} returned the right answer, but of the texts handed in, \
         {} were freed after it had returned (by a thread still running then) and {} not at \
         all within a second: whatever their size, the texts are freed by the time the call \
         returns, by threads that have ended. Join every thread (or let a scope end), and \
         leak nothing.",
        frees.after,
        frees.never
    );
    eprintln!("[texts up to the limit] {what}: right, all at once, every text freed.");
}

/// Fails unless the suites' counting allocator is this test binary's: the
/// checks that watch the heap need it.
fn assert_counting_allocator() {
    assert!(
        harness::heap::installed(),
        "the suites' counting allocator is not this test binary's allocator: a \
         `#[global_allocator]` of your own replaces it; remove it"
    );
}
