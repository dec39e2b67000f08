//! What the compile-fail exercises of the Pitfalls chapter share: texts
//! drawn afresh every run, a probe inside the work each thread does, and the
//! checks every one of these exercises must pass once it compiles.
//!
//! Each exercise hands texts to threads, and each thread calls a function
//! the suite gives it (`count`, `words`). That function is the probe: it
//! notes which thread called it and how many calls were inside it at once,
//! and it holds each call until every text's call has arrived (or a cap has
//! passed). So the suite *sees* the threads, instead of timing them:
//!
//! - all `n` calls at once, on `n` threads other than the caller: one thread
//!   per text, all started before any was joined;
//! - at most one at a time: the threads were joined one by one as they were
//!   spawned, or a lock held around the work serialised them;
//! - every call on the calling thread: no thread at all.
//!
//! A wrong answer on fresh texts catches made-up results and lost updates
//! (each thread adding to its own copy); a second call catches state kept
//! between calls, and two calls at once (held together by the probe) catch
//! state kept in a `static` even when each call empties it first; the
//! calling thread's own CPU time catches a caller that spins while it
//! waits.

use std::collections::HashSet;
use std::fmt::Debug;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use crate::fetching::{Draw, gather_cap_ms};

/// The words texts are made of.
const VOCABULARY: [&str; 12] = [
    "ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen", "ibis", "jay", "kiwi", "lark",
];

/// `n` texts of 3 to 40 words each, drawn from a small vocabulary (so words
/// repeat) with one to three spaces between words.
pub fn texts(draw: &mut Draw, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let words = draw.pick(3..=40);
            let mut text = String::new();
            for i in 0..words {
                if i > 0 {
                    text.push_str(&" ".repeat(draw.pick(1..=3)));
                }
                text.push_str(VOCABULARY[draw.pick(0..=VOCABULARY.len() - 1)]);
            }
            text
        })
        .collect()
}

/// The words of `text`: what the probe's `words` returns.
pub fn words_of(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

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
}

#[derive(Default)]
struct State {
    armed: bool,
    expected: usize,
    cap: Duration,
    hold: Duration,
    active: usize,
    gathered: bool,
    visits: usize,
    peak: usize,
    threads: HashSet<ThreadId>,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);
static CHANGED: Condvar = Condvar::new();

fn state() -> MutexGuard<'static, Option<State>> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Called inside every piece of work the suite hands a student's thread.
/// When a [`watch`] is on, it notes the thread, then waits until the
/// `expected` calls are all inside at once (or its cap has passed), then
/// stays `hold` longer. Without a watch it returns at once.
pub fn visit() {
    let mut guard = state();
    let Some(s) = guard.as_mut().filter(|s| s.armed) else {
        return;
    };
    s.visits += 1;
    s.active += 1;
    s.peak = s.peak.max(s.active);
    s.threads.insert(thread::current().id());
    if s.active >= s.expected {
        s.gathered = true;
        CHANGED.notify_all();
    }
    let (cap, hold) = (s.cap, s.hold);
    let deadline = Instant::now() + cap;
    loop {
        let s = guard.as_mut().expect("armed while watched");
        let now = Instant::now();
        if s.gathered || now >= deadline {
            break;
        }
        guard = CHANGED
            .wait_timeout(guard, deadline - now)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    drop(guard);
    thread::sleep(hold);
    if let Some(s) = state().as_mut() {
        s.active -= 1;
    }
}

/// Watches the probe while `call` runs on this thread, expecting
/// `expected` calls at once; each call is held `hold` once gathered.
pub fn watch<T>(expected: usize, hold: Duration, call: impl FnOnce() -> T) -> (T, Seen) {
    *state() = Some(State {
        armed: true,
        expected,
        cap: Duration::from_millis(gather_cap_ms(expected) as u64),
        hold,
        ..State::default()
    });
    let caller = thread::current().id();
    let out = call();
    let s = state().take().unwrap_or_default();
    let seen = Seen {
        visits: s.visits,
        peak: s.peak,
        threads: s.threads.len(),
        caller_visited: s.threads.contains(&caller),
    };
    (out, seen)
}

/// One exercise, as its suite module describes it to the shared checks.
pub struct Exercise<A> {
    /// The student's function, as the suite calls it on texts.
    pub call: Box<dyn Fn(Vec<String>) -> A + Send + Sync>,
    /// The right answer for texts.
    pub answer: fn(&[String]) -> A,
    /// What the function is called, for messages.
    pub name: &'static str,
    /// What the threads must share or return, for messages ("the total").
    pub result: &'static str,
    /// Why a wrong answer is wrong, when the exercise can tell (lost
    /// updates, input order): given what came and what was right.
    pub explain: fn(&A, &A) -> Option<String>,
}

impl<A: PartialEq + Debug> Exercise<A> {
    fn wrong(&self, texts: &[String], got: &A, want: &A, check: &str) -> String {
        let why = (self.explain)(got, want).unwrap_or_else(|| {
            format!(
                "It is not {} of these texts: compute it from what `count`/`words` return for \
                 each text, nothing else.",
                self.result
            )
        });
        format!(
            "[{check}] {} on {} texts returned {got:?}, but the right answer is {want:?}. {why}",
            self.name,
            texts.len()
        )
    }
}

/// `answers_fresh_texts`: the right answer on texts drawn this run.
pub fn answers_fresh_texts<A: PartialEq + Debug>(ex: Exercise<A>) {
    let mut draw = Draw::new();
    for _ in 0..2 {
        let n = draw.pick(2..=7);
        let texts = texts(&mut draw, n);
        let want = (ex.answer)(&texts);
        let got = (ex.call)(texts.clone());
        assert!(
            got == want,
            "{}",
            ex.wrong(&texts, &got, &want, "answers fresh texts")
        );
    }
}

/// `starts_afresh_every_call`: the same texts twice in a row give the same
/// answer, the right one. A total or a map kept between calls (a `static`)
/// gives a different answer the second time.
pub fn starts_afresh_every_call<A: PartialEq + Debug>(ex: Exercise<A>) {
    let mut draw = Draw::new();
    let n = draw.pick(2..=6);
    let texts = texts(&mut draw, n);
    let want = (ex.answer)(&texts);
    let first = (ex.call)(texts.clone());
    let second = (ex.call)(texts.clone());
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
    let ((got1, got2), seen) = watch(n1 + n2, Duration::ZERO, || {
        thread::scope(|s| {
            let a = s.spawn(|| call(first.clone()));
            let b = s.spawn(|| call(second.clone()));
            let join = |h: thread::ScopedJoinHandle<'_, A>| {
                h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
            };
            (join(a), join(b))
        })
    });
    if got1 == want1 && got2 == want2 {
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

/// `one_thread_per_text_all_at_once`: the probe must see every text's work
/// at once, each on its own thread, none on the caller.
pub fn one_thread_per_text_all_at_once<A: PartialEq + Debug>(ex: Exercise<A>) {
    let mut draw = Draw::new();
    let n = draw.pick(3..=8);
    let texts = texts(&mut draw, n);
    let mut seen = Seen::default();
    for _ in 0..2 {
        let (got, s) = watch(n, Duration::ZERO, || (ex.call)(texts.clone()));
        seen = s;
        let want = (ex.answer)(&texts);
        assert!(
            got == want,
            "{}",
            ex.wrong(&texts, &got, &want, "one thread per text, all at once")
        );
        if seen.peak >= n && seen.threads >= n && !seen.caller_visited {
            return;
        }
    }
    let what = format!(
        "[one thread per text, all at once] {} on {n} texts: the work of each text was done \
         by {} thread(s){}, at most {} at once ({} calls in all), where {n} threads, all \
         running together, were expected (each piece of work waited up to {} ms for the \
         others).",
        ex.name,
        seen.threads,
        if seen.caller_visited {
            ", the calling thread among them"
        } else {
            ""
        },
        seen.peak,
        seen.visits,
        gather_cap_ms(n)
    );
    let fix = if seen.caller_visited && seen.threads <= 1 {
        "All of it ran on the calling thread: no thread was started. Spawn one thread per \
         text, as the stub does, and keep them."
    } else if seen.caller_visited {
        "Part of it ran on the calling thread: give every text its own thread."
    } else if seen.threads < n {
        "Fewer threads than texts: give every text its own thread, whatever the number."
    } else {
        "They ran one at a time: each thread was joined right after it was spawned, or a \
         lock was held while the work ran, which serialises the threads. Spawn every thread \
         before joining any, and lock only to add a result, after the work."
    };
    panic!("{what} {fix}");
}

/// How much CPU the calling thread may use while it waits for threads that
/// are asleep for [`HOLD`]: a thread that joins uses well under a
/// millisecond; one that spins uses the whole wait, or its share of a core.
pub const CALLER_CPU_ALLOWED: Duration = Duration::from_millis(40);

/// How long each thread's work lasts in `the_caller_sleeps_while_it_waits`.
pub const HOLD: Duration = Duration::from_millis(300);

/// CPU time of the calling thread so far (zero where it cannot be read).
fn thread_cpu() -> Duration {
    harness::clock::thread_cpu_time().unwrap_or_default()
}

/// `the_caller_sleeps_while_it_waits`: while the threads' work lasts
/// [`HOLD`], the calling thread must sleep in `join`, not spin.
pub fn the_caller_sleeps_while_it_waits<A: PartialEq + Debug>(ex: Exercise<A>) {
    let mut draw = Draw::new();
    let n = draw.pick(2..=4);
    let texts = texts(&mut draw, n);
    let before = thread_cpu();
    let start = Instant::now();
    let (got, _) = watch(n, HOLD, || (ex.call)(texts.clone()));
    let (cpu, wall) = (thread_cpu() - before, start.elapsed());
    let want = (ex.answer)(&texts);
    assert!(
        got == want,
        "{}",
        ex.wrong(&texts, &got, &want, "the caller sleeps while it waits")
    );
    assert!(
        cpu <= CALLER_CPU_ALLOWED,
        "[the caller sleeps while it waits] the thread that called {} used {} ms of CPU in the \
         {} ms it waited for {n} threads that were asleep (a thread that joins uses under 1 ms; \
         at most {} ms allowed): it spins, checking again and again whether they are done. \
         Call join() on each handle, or let a scope end: it sleeps until the thread ends.",
        ex.name,
        cpu.as_millis(),
        wall.as_millis(),
        CALLER_CPU_ALLOWED.as_millis()
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
