//! Suite of `exercises/pitfalls/count-under-gil`: the GIL's guard sent to
//! another thread. Once it compiles, every thread must take the GIL itself:
//! the GIL it was given, not one of its own, and never the calling thread.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use gil_solution::{Gil, GilGuard};

use harness::aftermath::threads_now;

use crate::fetching::Draw;
use crate::pitfalls::texts::{self, Exercise};

#[path = "count_under_gil/given.rs"]
mod given;

/// The signature under test.
pub type CountUnderGil = fn(&Gil, Vec<String>, fn(&mut GilGuard<'_>, &str) -> usize) -> Vec<usize>;

/// The probe's `count`, which needs the GIL: it waits (the probe) with the
/// GIL released, as blocking work does under CPython, then counts.
pub fn count(guard: &mut GilGuard<'_>, text: &str) -> usize {
    given::note(guard);
    guard.allow_threads(|| texts::visit(text));
    texts::count_words(text)
}

fn exercise(f: CountUnderGil) -> Exercise<Vec<usize>> {
    Exercise {
        call: Box::new(move |texts| under_a_gil_given(f, texts, count)),
        answer: |texts| texts.iter().map(|t| texts::count_words(t)).collect(),
        name: "count_under_gil",
        probe: "count",
        result: "the word count of each text, in the texts' order",
        explain: |_, _| None,
    }
}

/// `f` on `texts` with a GIL lent by [`given`]; fails if any `count` was
/// handed a guard of another GIL meanwhile.
fn under_a_gil_given(
    f: CountUnderGil,
    texts: Vec<String>,
    count: fn(&mut GilGuard<'_>, &str) -> usize,
) -> Vec<usize> {
    let n = texts.len();
    let lease = given::lend();
    let before = given::foreign();
    let got = f(lease.gil(), texts, count);
    let foreign = given::foreign() - before;
    assert!(
        foreign == 0,
        "[counts run under the GIL given] count_under_gil on {n} texts handed `count` {foreign} \
         guard(s) of a GIL that was not the one given to it (`GilGuard::holds` says which GIL a \
         guard holds). Each thread must take the GIL passed in, `gil.acquire()` in its \
         closure, for every text, whatever its size or number: a lock made with `Gil::new` \
         excludes no one else, and the work no longer runs under the GIL."
    );
    got
}

fn answer(texts: &[String]) -> Vec<usize> {
    texts.iter().map(|t| texts::count_words(t)).collect()
}

/// What the GIL checks' `count` saw, and what the suite's own thread did
/// with the GIL meanwhile.
#[derive(Default)]
struct GilWatch {
    /// Whether a thread of the suite holds the GIL given to the call.
    suite_holds: bool,
    /// Calls of `count` inside a stretch where they hold their guard (from
    /// entry to `allow_threads`, and from its return to their own), now and
    /// at most at once.
    held_now: usize,
    held_peak: usize,
    /// Such stretches entered, in all and while the suite held the GIL.
    held_entries: usize,
    under_suite: usize,
    /// Stretches entered after the probe's gathering.
    after_gathering: usize,
    /// Calls of `count` returned.
    finished: usize,
    /// Whether the student's function has returned.
    returned: bool,
}

static WATCH: Mutex<GilWatch> = Mutex::new(GilWatch {
    suite_holds: false,
    held_now: 0,
    held_peak: 0,
    held_entries: 0,
    under_suite: 0,
    after_gathering: 0,
    finished: 0,
    returned: false,
});
static WATCH_CHANGED: Condvar = Condvar::new();

fn gil_watch() -> MutexGuard<'static, GilWatch> {
    WATCH.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Notes that this `count` holds its guard from now on.
fn enter_held(after_gathering: bool) {
    let mut w = gil_watch();
    w.held_now += 1;
    w.held_peak = w.held_peak.max(w.held_now);
    w.held_entries += 1;
    if w.suite_holds {
        w.under_suite += 1;
    }
    if after_gathering {
        w.after_gathering += 1;
    }
    WATCH_CHANGED.notify_all();
}

fn leave_held(finished: bool) {
    let mut w = gil_watch();
    w.held_now -= 1;
    if finished {
        w.finished += 1;
    }
    WATCH_CHANGED.notify_all();
}

/// The `count` of the GIL checks: [`count`], noting the stretches in which
/// it holds its guard. Under one GIL, at most one call at a time is in
/// such a stretch, and none while another thread holds that GIL.
fn count_watched(guard: &mut GilGuard<'_>, text: &str) -> usize {
    given::note(guard);
    enter_held(false);
    leave_held(false);
    guard.allow_threads(|| texts::visit(text));
    enter_held(true);
    let n = texts::count_words(text);
    leave_held(true);
    n
}

/// How long the suite holds the GIL once every thread is inside `count`
/// with it released, at most: time enough for threads whose guard is of
/// another GIL to go on and show it. Threads of the GIL given wait.
const SUITE_HOLDS_AFTER_GATHERING: Duration = Duration::from_millis(200);

/// Run by a thread of the suite beside the call: once every text's `count`
/// is inside the probe (each with its GIL released), takes the GIL that
/// was given to the call and holds it, then lets the calls go on, until
/// every call has come back into its held stretch (their GIL is not this
/// one) or [`SUITE_HOLDS_AFTER_GATHERING`] has passed.
fn hold_once_gathered(gil: &Gil, n: usize) {
    if !texts::wait_gathered() {
        return;
    }
    let guard = gil.acquire();
    gil_watch().suite_holds = true;
    texts::open_gate();
    let until = Instant::now() + SUITE_HOLDS_AFTER_GATHERING;
    let mut w = gil_watch();
    while w.after_gathering < n {
        let now = Instant::now();
        if now >= until {
            break;
        }
        w = WATCH_CHANGED
            .wait_timeout(w, until - now)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    w.suite_holds = false;
    drop(w);
    drop(guard);
}

/// `counts_run_under_the_gil_given`: every `count` runs under the GIL the
/// function was given. Once all the texts' calls are inside the probe, each
/// with the GIL released, a thread of the suite takes that GIL and holds
/// it: threads that took it must wait to take it back; threads whose guard
/// is of a GIL of their own (`Gil::new`) go on and are seen in `count`,
/// holding a guard while the suite holds the GIL. Under the GIL given,
/// that cannot happen, however the threads are scheduled.
pub fn counts_run_under_the_gil_given(f: CountUnderGil) {
    let mut draw = Draw::new();
    for sizes in [3..=8, 9..=70, 71..=512, texts::MOST_TEXTS] {
        let n = draw.pick(sizes);
        under_the_gil_given(f, &mut draw, n);
    }
}

/// One call of [`counts_run_under_the_gil_given`], on `n` texts.
fn under_the_gil_given(f: CountUnderGil, draw: &mut Draw, n: usize) {
    let texts = texts::texts(draw, n);
    *gil_watch() = GilWatch::default();
    let lease = given::lend();
    let gil = lease.gil();
    texts::arm(n, Duration::ZERO, true);
    let (got, seen) = thread::scope(|s| {
        s.spawn(move || hold_once_gathered(gil, n));
        let got = f(gil, texts.clone(), count_watched);
        (got, texts::disarm())
    });
    let w = std::mem::take(&mut *gil_watch());
    let want = answer(&texts);
    assert!(
        got == want,
        "[counts run under the GIL given] count_under_gil on {n} texts returned {got:?}, but \
         the right answer is {want:?}. It is not the word count of each text, in the texts' \
         order: return what `count` returns for each text, nothing else."
    );
    if w.under_suite == 0 && w.held_peak <= 1 {
        return;
    }
    let during = if w.under_suite > 0 {
        format!(
            "the suite took the GIL passed to count_under_gil once the probe had seen {} calls \
             inside `count`, each with its GIL released, and held it; meanwhile `count` was seen \
             holding its guard {} time(s) (of {}). ",
            seen.peak, w.under_suite, w.held_entries
        )
    } else {
        String::new()
    };
    let together = if w.held_peak > 1 {
        format!(
            "Up to {} calls of `count` held their guards at once, where a GIL lets one thread \
             hold it at a time. ",
            w.held_peak
        )
    } else {
        String::new()
    };
    panic!(
        "[counts run under the GIL given] count_under_gil on {n} texts: {during}{together}So \
         the guard handed to `count` is not of the GIL given. Each thread must take the GIL \
         passed in, `gil.acquire()` in its closure: a lock made with `Gil::new`, one per thread \
         or one for the call, excludes no one else, and the work no longer runs under the GIL."
    );
}

/// How many times the thread `tid` of this process has gone to sleep and
/// been woken, 0 where it cannot be read.
fn wakeups_of(tid: u32) -> u64 {
    texts::wakeups_of(tid).unwrap_or(0)
}

/// How long the suite holds the GIL at the start of the call (at most) and
/// once every `count` has returned (at most).
const SUITE_HOLDS_AT_THE_EDGES: Duration = Duration::from_millis(500);

/// Wake-ups of the calling thread, while the suite held the GIL, from which
/// on it was waiting for the GIL: a thread waiting for the course's GIL
/// wakes up every switch interval (5 ms) to ask for it, about a hundred
/// times in [`SUITE_HOLDS_AT_THE_EDGES`]; one waiting in `join` sleeps.
const WAITING_FOR_THE_GIL: u64 = 10;

/// What the suite saw while it held the GIL at the edges of a call.
#[derive(Debug, Default)]
struct Edges {
    /// Threads the call had started while the suite held the GIL at its
    /// start, and how long the suite held it.
    started: usize,
    start_held: Duration,
    /// Wake-ups of the calling thread meanwhile.
    start_woke: u64,
    /// Whether the suite took the GIL after every `count` had returned;
    /// whether the call returned while it held it; how long it held it and
    /// how often the calling thread woke up meanwhile.
    end_taken: bool,
    end_returned: bool,
    end_held: Duration,
    end_woke: u64,
}

/// Run by a thread of the suite beside the call: holds the GIL given to the
/// call when it starts, until the call has started `n` threads (they wait
/// for the GIL; the caller does not need it to start them) or
/// [`SUITE_HOLDS_AT_THE_EDGES`] has passed; then, once every `count` has
/// returned, takes it again and holds it until the call returns (the
/// caller does not need it to join) or as long again.
fn hold_at_the_edges(
    gil: &Gil,
    n: usize,
    caller: u32,
    ready: std::sync::mpsc::Sender<()>,
) -> Edges {
    let mut edges = Edges::default();
    let guard = gil.acquire();
    let before = threads_now();
    let woke = wakeups_of(caller);
    let start = Instant::now();
    let _ = ready.send(());
    loop {
        edges.started = threads_now().saturating_sub(before);
        if edges.started >= n || start.elapsed() >= SUITE_HOLDS_AT_THE_EDGES {
            break;
        }
        thread::sleep(Duration::from_millis(1));
    }
    edges.start_held = start.elapsed();
    edges.start_woke = wakeups_of(caller).saturating_sub(woke);
    drop(guard);

    let mut w = gil_watch();
    while w.finished < n && !w.returned {
        w = WATCH_CHANGED
            .wait(w)
            .unwrap_or_else(PoisonError::into_inner);
    }
    if w.returned {
        return edges;
    }
    drop(w);
    let guard = gil.acquire();
    edges.end_taken = true;
    let woke = wakeups_of(caller);
    let start = Instant::now();
    let until = start + SUITE_HOLDS_AT_THE_EDGES;
    let mut w = gil_watch();
    while !w.returned {
        let now = Instant::now();
        if now >= until {
            break;
        }
        w = WATCH_CHANGED
            .wait_timeout(w, until - now)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    edges.end_returned = w.returned;
    drop(w);
    edges.end_held = start.elapsed();
    edges.end_woke = wakeups_of(caller).saturating_sub(woke);
    drop(guard);
    edges
}

/// `the_caller_never_takes_the_gil`: the calling thread does not take the
/// GIL, before its threads or after them. A thread of the suite holds the
/// GIL given when the call starts: the call must still start its `n`
/// threads (each then waits for the GIL), while a caller that takes the
/// GIL first waits for it, waking up every switch interval to ask (the
/// kernel counts it), and starts none. Then, once every `count` has
/// returned, the suite takes the GIL again: the call must return while it
/// holds it, while a caller that takes the GIL after joining waits again.
/// Both are seen as threads and wake-ups counted by the kernel, not as
/// times.
pub fn the_caller_never_takes_the_gil(f: CountUnderGil) {
    let caller = texts::own_tid();
    if caller == 0 || threads_now() == 0 {
        return; // no /proc: nothing to see the threads with
    }
    let mut draw = Draw::new();
    // Two calls: whether the suite or a caller that takes the GIL after
    // joining gets the GIL first, once every `count` has returned, is up to
    // the scheduler; the suite nearly always does, and two calls make it
    // all but certain. A caller that joins never waits for the GIL.
    // None, then one to 8 texts, then many, then up to the most the page
    // allows.
    for sizes in [0..=0, 1..=8, 9..=150, 151..=512, texts::MOST_TEXTS] {
        let n = draw.pick(sizes);
        let texts = texts::texts(&mut draw, n);
        gil_solution::trace::start();
        let (got, edges) = call_at_the_edges(f, &texts, caller);
        let trace = gil_solution::trace::stop();
        // The trace first: it names any take, whenever it came.
        judge_the_trace(n, &trace);
        judge_the_edges(&texts, &got, &edges);
    }
}

/// What the course's GIL noted during a call ([`gil_solution::trace`]):
/// the calling thread (this one) never took it.
fn judge_the_trace(n: usize, trace: &[(Instant, thread::ThreadId, gil_solution::trace::Event)]) {
    use gil_solution::trace::Event;
    let me = thread::current().id();
    let mine = trace
        .iter()
        .filter(|(_, who, e)| *who == me && *e == Event::Takes)
        .count();
    assert!(
        mine == 0,
        "[the caller never takes the GIL] count_under_gil on {n} texts: the calling thread took \
         the GIL it was given {mine} time(s) during the call (the course's GIL noted every \
         thread that took it). It must not take it at all, neither before starting its \
         threads, nor while they work, nor after joining them: each thread takes it, \
         `gil.acquire()` in its closure, and the calling thread only starts the threads and \
         joins them."
    );
}

/// One call of `f` on `texts` while a thread of the suite holds the GIL at
/// its edges ([`hold_at_the_edges`]); `caller` is this thread's id.
fn call_at_the_edges(f: CountUnderGil, texts: &[String], caller: u32) -> (Vec<usize>, Edges) {
    let n = texts.len();
    *gil_watch() = GilWatch::default();
    let lease = given::lend();
    let gil = lease.gil();
    let out = thread::scope(|s| {
        let (ready, started) = std::sync::mpsc::channel();
        let holder = s.spawn(move || hold_at_the_edges(gil, n, caller, ready));
        let _ = started.recv();
        let got = f(gil, texts.to_vec(), count_watched);
        gil_watch().returned = true;
        WATCH_CHANGED.notify_all();
        let edges = holder
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (got, edges)
    });
    *gil_watch() = GilWatch::default();
    out
}

fn judge_the_edges(texts: &[String], got: &[usize], edges: &Edges) {
    let n = texts.len();
    let want = answer(texts);
    assert!(
        got == want.as_slice(),
        "[the caller never takes the GIL] count_under_gil on {n} texts returned {got:?}, but \
         the right answer is {want:?}. It is not the word count of each text, in the texts' \
         order: return what `count` returns for each text, nothing else."
    );
    // No thread at all, not merely too few: a caller that starts hundreds
    // of threads on a busy machine may not have them all in the suite's
    // hold, and wakes as it makes their stacks (round 21's
    // `count-under-gil/04` was failed here once, with 469 of 593 started;
    // the GIL's trace above names any take the caller makes, whenever).
    assert!(
        n == 0 || edges.started > 0 || edges.start_woke < WAITING_FOR_THE_GIL,
        "[the caller never takes the GIL] count_under_gil on {n} texts, called while a thread of \
         the suite held the GIL it was given: in the {} ms the suite held it, the call started \
         {} of its {n} threads, and its calling thread woke up {} times (counted by the \
         kernel): it was waiting for the GIL, which a waiting thread asks for every switch \
         interval, 5 ms. The calling thread takes the GIL itself before it starts the threads. \
         It must not take it at all: each thread takes it, `gil.acquire()` in its closure, and \
         the calling thread only starts the threads and joins them.",
        edges.start_held.as_millis(),
        edges.started,
        edges.start_woke
    );
    assert!(
        !edges.end_taken || edges.end_returned || edges.end_woke < WAITING_FOR_THE_GIL,
        "[the caller never takes the GIL] count_under_gil on {n} texts: once every `count` had \
         returned, a thread of the suite took the GIL the call was given and held it {} ms; \
         the call did not return meanwhile, and its calling thread woke up {} times (counted \
         by the kernel): it was waiting for the GIL, which a waiting thread asks for every \
         switch interval, 5 ms, not for its threads to end (`join` sleeps until then). The \
         calling thread takes the GIL after joining the threads. It must not take it at all: \
         each thread takes it, `gil.acquire()` in its closure, and the calling thread only \
         starts the threads and joins them.",
        edges.end_held.as_millis(),
        edges.end_woke
    );
}

texts::declare_texts_suite!($ count_under_gil: CountUnderGil = [
    answers_fresh_texts,
    starts_afresh_every_call,
    two_calls_at_once_keep_apart,
    one_thread_per_text_all_at_once,
    the_caller_sleeps_while_it_waits,
    frees_what_it_shares,
    no_thread_runs_on_after_the_return,
    nothing_is_kept_in_a_static,
    nothing_polls_or_waits_by_the_clock,
    no_lock_is_held_around_the_work,
    texts_up_to_the_limit,
] via exercise, and [
    counts_run_under_the_gil_given,
    the_caller_never_takes_the_gil,
]);
