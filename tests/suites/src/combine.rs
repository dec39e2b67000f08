//! Suite of `exercises/pitfalls/combine`: results come back as messages.
//!
//! Evidence, not timing. Inputs are drawn at random for every call, so
//! only results computed now, for these inputs, pass. The pool's workers
//! are the exercise's own binary, started through a wrapper that hands
//! them a census ([`crate::wrapper`]): the course's `score` records every
//! input it scores, in the process that scores it, and this process records
//! to the same census. So after every call the suite knows which inputs were
//! scored in that call, and where: each input in a worker, none in the
//! parent or its threads. The workers' CPU time is read from `/proc` too.
//! The pool itself is the course's, started here with two workers; one
//! check makes `score` fail on one input in the workers
//! ([`harness::fault`]).

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Duration;

use harness::children;
use harness::clock::{human, process_cpu_time};

use crate::fetching::Draw;

/// A pool of the exercise's workers, and the student's `scores` on it.
pub trait Session {
    /// The workers' process ids.
    fn pids(&self) -> Vec<u32>;
    /// The student's `scores` on this pool, errors as text.
    fn scores(&mut self, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String>;
}

/// A started pool and the student's `scores` on it, or why it did not
/// start.
pub type Started = Result<Box<dyn Session>, String>;

/// The crate under test.
#[derive(Clone, Copy)]
pub struct CombineApi {
    /// The exercise's program, whose workers serve its tasks.
    pub program: fn() -> PathBuf,
    /// Starts a pool of `workers` copies of a program (the exercise's, or a
    /// wrapper of it).
    pub start: fn(&Path, usize) -> Started,
    /// The crate's `score`: what each result must be.
    pub score: fn(u64) -> u64,
    /// The crate's `QUICK`: inputs from here on are scored in a few dozen
    /// rounds, so a call of thousands of them is quick.
    pub quick: u64,
    /// The function of `src/lib.rs` the source witnesses read from (with
    /// what it calls): the student's `scores`.
    pub function: &'static str,
}

/// Defines `SUBJECT`: the crate's `scores` on a pool of its own binary
/// (or of `$program`, a `fn() -> PathBuf`).
#[macro_export]
macro_rules! combine_adapter {
    ($krate:ident) => {
        $crate::combine_adapter!($krate, || $crate::own_binary(env!(concat!(
            "CARGO_BIN_EXE_",
            env!("CARGO_PKG_NAME")
        ))));
    };
    ($krate:ident, $program:expr) => {
        struct Handle($krate::Pool);

        impl $crate::combine::Session for Handle {
            fn pids(&self) -> Vec<u32> {
                self.0.pids()
            }
            fn scores(&mut self, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
                $krate::scores(&mut self.0, inputs).map_err(|e| e.to_string())
            }
        }

        pub const SUBJECT: $crate::combine::CombineApi = $crate::combine::CombineApi {
            program: $program,
            start: |program, workers| {
                $krate::Pool::start(program, workers)
                    .map(|p| Box::new(Handle(p)) as Box<dyn $crate::combine::Session>)
                    .map_err(|e| e.to_string())
            },
            score: $krate::score,
            quick: $krate::QUICK,
            function: "scores",
        };
    };
}

fn start(api: CombineApi) -> Box<dyn Session> {
    start_with(api, 2)
}

fn start_with(api: CombineApi, workers: usize) -> Box<dyn Session> {
    let program = crate::wrapper::wrapper(&(api.program)(), "worker", "");
    (api.start)(&program.path, workers)
        .unwrap_or_else(|e| panic!("starting a pool of {workers} workers failed: {e}"))
}

/// The input on which `score` fails in the workers of [`start_faulty`].
const FAILS_ON: u64 = 1_000_003;

/// A pool of 2 workers in which `score` panics on [`FAILS_ON`].
fn start_faulty(api: CombineApi) -> Box<dyn Session> {
    let program = crate::wrapper::wrapper(
        &(api.program)(),
        "score-fails",
        &format!(
            "{}=score:{FAILS_ON}\nexport {}\n",
            harness::fault::FAULT_VAR,
            harness::fault::FAULT_VAR
        ),
    );
    (api.start)(&program.path, 2)
        .unwrap_or_else(|e| panic!("starting a pool of 2 workers failed: {e}"))
}

/// `scores` on `inputs`, and what the census saw meanwhile: `score` must
/// not have run in this process (the parent) at all, and when the call
/// returned `Ok`, every result's input must have been scored in this call,
/// in a worker, as many times as results name it. (Missing results are
/// the other checks' to name.)
fn scores(session: &mut dyn Session, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    match scores_caught(session, inputs) {
        Ok(result) => result,
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// [`scores`], with a panic of the student's `scores` caught (and the
/// census judged all the same).
fn scores_caught(
    session: &mut dyn Session,
    inputs: &[u64],
) -> std::thread::Result<Result<Vec<(u64, u64)>, String>> {
    let from = crate::wrapper::census_len();
    let threads_before = harness::threads::listed();
    let caught = panic::catch_unwind(AssertUnwindSafe(|| session.scores(inputs)));
    // Threads a call started carry the test's name (a thread takes its
    // creator's): any still running a moment after it returned outlive it.
    let name = std::thread::current().name().unwrap_or("main").to_owned();
    let left = harness::threads::settle(&threads_before, &name, LINGER);
    assert!(
        left.is_empty(),
        "scores over {} inputs returned, and {} thread(s) it started were still running {} \
         later (thread ids {left:?}): nothing of a call outlives it. Every thread `scores` \
         starts (a helper, a watchdog, a timer) ends before it returns: scope it, or join it",
        inputs.len(),
        left.len(),
        human(LINGER)
    );
    let (new, _) = crate::wrapper::census_since(from);
    let served = harness::census::parse_served(&new);
    let me = std::process::id();
    let ran: Vec<_> = served.iter().filter(|s| s.task == "score").collect();
    let in_parent = ran.iter().filter(|s| s.pid == me).count();
    assert!(
        in_parent == 0,
        "scores over {} inputs: `score` ran {in_parent} times in the test's own process, the \
         parent, during the call (the course's `score` records every input it scores, in the \
         process that scores it). The scores must be computed in the worker processes (task \
         `score` through `map`), not in the parent or its threads, not even a few of them, nor \
         again to check the workers' answers.",
        inputs.len()
    );
    // The course's `spin`, called directly, records itself too: a score
    // computed again (or instead) in the parent with `spin` rather than
    // `score` (round 16's `combine/06` and `/07`) is seen where it ran.
    let spun = served
        .iter()
        .filter(|s| s.task == "spin-rounds" && s.pid == me)
        .count();
    assert!(
        spun == 0,
        "scores over {} inputs: the course's `spin` ran {spun} times in the test's own process, \
         the parent, during the call (it records every call, in the process that makes it). \
         The work is computed in the worker processes only (task `score` through `map`): the \
         parent never computes a score, neither to check a worker's answer nor in its place.",
        inputs.len()
    );
    if let Ok(Ok(got)) = &caught {
        let mut claimed: std::collections::BTreeMap<u64, usize> = Default::default();
        for &(x, _) in got {
            *claimed.entry(x).or_default() += 1;
        }
        let mut scored_times: std::collections::BTreeMap<u64, usize> = Default::default();
        for s in &ran {
            *scored_times.entry(s.input).or_default() += 1;
        }
        for (&x, &times) in &claimed {
            let scored = scored_times.get(&x).copied().unwrap_or(0);
            assert!(
                scored >= times,
                "scores over {} inputs returned {times} result(s) for input {x}, but `score` ran \
                 on it {scored} time(s) during this call (the course's `score` records every \
                 input it scores). Every result is computed now, in a worker, once for each time \
                 its input is asked: nothing is kept from an earlier call, and a repeated input \
                 is scored again.",
                inputs.len()
            );
        }
    }
    caught
}

/// How long a thread `scores` started may take to end after it returned.
const LINGER: Duration = Duration::from_millis(200);

/// `n` random inputs, all different.
fn inputs(draw: &mut Draw, n: usize) -> Vec<u64> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let x = draw.pick(1..=usize::MAX / 2) as u64;
        if seen.insert(x) {
            out.push(x);
        }
    }
    out
}

fn call(session: &mut dyn Session, inputs: &[u64]) -> Vec<(u64, u64)> {
    scores(session, inputs)
        .unwrap_or_else(|e| panic!("scores over {} inputs failed: {e}", inputs.len()))
}

/// Every input's score reaches the parent: as many results as inputs, each
/// input once, each with its right score.
pub fn every_result_reaches_the_parent(api: CombineApi) {
    let mut draw = Draw::new();
    let mut session = start(api);
    let n = draw.pick(20..=60);
    let xs = inputs(&mut draw, n);
    let got = call(&mut *session, &xs);
    one_result_per_input(&xs, &got);
    let distinct: std::collections::BTreeSet<u64> = got.iter().map(|(x, _)| *x).collect();
    assert!(
        distinct.len() == xs.len(),
        "scores over {} inputs gave {} results, but only {} different inputs among them: \
         some inputs came back twice and others never. One entry per input, each once.",
        xs.len(),
        got.len(),
        distinct.len()
    );
    for (x, s) in &got {
        let Some(_) = xs.iter().find(|y| *y == x) else {
            panic!("scores returned a result for input {x}, which was never asked for");
        };
        let want = (api.score)(*x);
        assert!(
            *s == want,
            "the result for input {x} is {s}, but score({x}) is {want}: each input must be \
             paired with its own score"
        );
    }
    // A few inputs, and exactly one: the same rules (in the workers too).
    for few in [1, draw.pick(2..=7)] {
        let small = inputs(&mut draw, few);
        let got = call(&mut *session, &small);
        one_result_per_input(&small, &got);
        assert!(
            got.iter().map(|(x, _)| *x).eq(small.iter().copied()),
            "scores over {few} inputs gave results for {:?}, asked for {small:?}",
            got.iter().map(|(x, _)| *x).collect::<Vec<_>>()
        );
    }
    // Many: past any cap of a round number.
    let n_many = draw.pick(MANY);
    let many = inputs(&mut draw, n_many);
    let got = call(&mut *session, &many);
    one_result_per_input(&many, &got);
    // Thousands, of the quick inputs: past 4096, a cap or a batch a
    // student might pick (round 16's `combine/02` scored the first 4096,
    // round 20's `combine/04` panicked past them).
    let n_huge = draw.pick(HUGE);
    let huge: Vec<u64> = inputs(&mut draw, n_huge)
        .into_iter()
        .map(|x| api.quick + x % api.quick)
        .collect();
    let got = match scores_caught(&mut *session, &huge) {
        Ok(Ok(got)) => got,
        Ok(Err(e)) => panic!("scores over {n_huge} inputs failed: {e}"),
        Err(payload) => panic!(
            "scores over {n_huge} inputs (each a quick one to score) panicked ({}): a call of \
             any size returns every result, or the first error, never a panic",
            harness::record::panic_message(payload.as_ref())
        ),
    };
    one_result_per_input(&huge, &got);
    let wrong = got
        .iter()
        .zip(&huge)
        .filter(|((x, s), y)| x != *y || *s != (api.score)(*x))
        .count();
    assert!(
        wrong == 0,
        "scores over {n_huge} inputs: {wrong} of the results are not their input's score, in \
         their input's place"
    );
    // Inputs may repeat: one result per input all the same, in its place.
    let mut repeated = inputs(&mut draw, 6);
    for _ in 0..6 {
        let x = repeated[draw.pick(0..=repeated.len() - 1)];
        let at = draw.pick(0..=repeated.len());
        repeated.insert(at, x);
    }
    let got = call(&mut *session, &repeated);
    let keys: Vec<u64> = got.iter().map(|(x, _)| *x).collect();
    assert!(
        keys == repeated,
        "scores over {} inputs, some of them repeated ({repeated:?}), gave the results for \
         {keys:?}: one result per input, each in its input's place, repeated inputs included",
        repeated.len()
    );
}

/// The size of the largest call of ordinary inputs: past 1024, a cap a
/// student might pick.
pub const MANY: std::ops::RangeInclusive<usize> = 1025..=1500;

/// The size of the call of quick inputs: past 4096, and past 10,000
/// (round 22's `combine/02` scored the first 10,000 in the pool and the
/// rest in the parent, "the pipes cost more than the work").
pub const HUGE: std::ops::RangeInclusive<usize> = 10_001..=12_000;

/// Fails unless `got` has as many results as `xs` has inputs, saying what
/// kind of loss it saw (none at all, some, or extra).
fn one_result_per_input(xs: &[u64], got: &[(u64, u64)]) {
    if got.len() != xs.len() {
        let missing = xs
            .iter()
            .filter(|x| !got.iter().any(|(y, _)| y == *x))
            .count();
        panic!(
            "scores over {} inputs gave {} results for them ({} of {} inputs have none): {}",
            xs.len(),
            got.len(),
            missing,
            xs.len(),
            if got.is_empty() {
                "the parent's list is empty: all results were lost. A worker is another \
                 process: what a task pushes into a collection lands in the worker's copy. \
                 Return the score from the task and build the list in the parent from the \
                 values `map` returns, one entry per input, for every input (all of them, not \
                 only whole chunks)."
            } else if got.len() > xs.len() {
                "some inputs came back more than once: build a new list for each call, one \
                 entry per result `map` returns."
            } else {
                "results were lost: keep one entry per input, for every input (all of them, \
                 not only whole chunks)."
            }
        );
    }
}

/// The list is in input order, whichever worker answered first.
pub fn results_keep_the_input_order(api: CombineApi) {
    let mut draw = Draw::new();
    let mut session = start(api);
    let n = draw.pick(20..=60);
    let xs = inputs(&mut draw, n);
    let got = call(&mut *session, &xs);
    for (i, x) in xs.iter().enumerate() {
        let at = got.get(i).map(|(y, _)| *y);
        assert!(
            at == Some(*x),
            "position {i} of the list holds {}, but input {i} is {x}: the results must be in \
             input order ({} inputs, 2 workers). `map` answers in input order; keep it.",
            at.map_or("nothing".to_owned(), |y| format!(
                "the result for input {y}"
            )),
            xs.len()
        );
    }
}

/// Two calls with different inputs: the second list holds the second
/// inputs' results only; then the first inputs again, which must be scored
/// again in that call. Nothing is kept from one call to the next.
pub fn each_call_starts_afresh(api: CombineApi) {
    let mut draw = Draw::new();
    let mut session = start(api);
    let (a, b) = (draw.pick(10..=30), draw.pick(10..=30));
    let first = inputs(&mut draw, a);
    let second = inputs(&mut draw, b);
    call(&mut *session, &first);
    // The same inputs twice in a row: the second call scores them again
    // (the census sees it), it does not answer from the first.
    call(&mut *session, &second);
    let got = call(&mut *session, &second);
    let stale = got.iter().filter(|(x, _)| !second.contains(x)).count();
    assert!(
        stale == 0 && got.len() == second.len(),
        "a first call over {} inputs, then a second over {} others: the second returned {} \
         results, {stale} of them for inputs of the first call. Build a new list in every \
         call; keep nothing in a static between calls.",
        first.len(),
        second.len(),
        got.len()
    );
    // The first inputs again: scored again, in this call.
    call(&mut *session, &first);
    let empty = call(&mut *session, &[]);
    assert!(
        empty.is_empty(),
        "scores over no inputs returned {} results: no inputs, no results",
        empty.len()
    );
}

/// The first input that failed is the error. Both workers of a fresh pool
/// are killed before the call, so the course's pool sends the first chunk
/// of inputs (input 0 first) to worker 0 and the second to worker 1, both
/// dead: those inputs fail as "worker died", naming the dead worker, and
/// replacements score the rest. `scores` must return an error, not `Ok`
/// and not a panic, and it must be input 0's: the one naming worker 0.
pub fn the_first_failure_is_the_error(api: CombineApi) {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    assert!(children::available(), "this check reads /proc (Linux)");
    let mut draw = Draw::new();
    // A pool whose `score` also panics on [`FAILS_ON`], the last input:
    // a later failure of another kind, which must not be preferred to the
    // first (round 20's `combine/01` returned a panic's error before an
    // earlier death's).
    let mut session = start_faulty(api);
    let workers = session.pids();
    assert!(
        workers.len() == 2,
        "a pool of 2 workers has {} worker pids: {workers:?}",
        workers.len()
    );
    for &pid in &workers {
        kill(Pid::from_raw(pid as i32), Signal::SIGKILL)
            .unwrap_or_else(|e| panic!("killing worker pid {pid}: {e}"));
    }
    // A worker sent SIGKILL runs no more code of its own: whatever the pool
    // sends it now stays unanswered, whether it has ended yet or not.
    let n = draw.pick(20..=40);
    let mut xs = inputs(&mut draw, n - 1);
    xs.retain(|&x| x != FAILS_ON);
    xs.push(FAILS_ON);
    let n = xs.len();
    let (first, second) = (workers[0], workers[1]);
    let case = format!(
        "scores over {n} inputs on a pool whose 2 workers (pids {first} and {second}) were \
         killed before the call, so that input 0 and the rest of the first chunk failed with \
         worker 0 (pid {first}), the second chunk with worker 1 (pid {second}), and the other \
         inputs were scored by new workers, but for the last ({FAILS_ON}), on which `score` \
         panicked"
    );
    let outcome = scores_caught(&mut *session, &xs);
    let error = match outcome {
        Err(payload) => panic!(
            "{case}: it panicked ({}). The first input that failed is the error: return it \
             as the `Err` of `scores` (collect the results into a `Result`, or use `?`), \
             never unwrap a task's result",
            harness::record::panic_message(payload.as_ref())
        ),
        Ok(Ok(got)) => panic!(
            "{case}: it returned Ok with {} results for {n} inputs. The first input that \
             failed is the error: an input without a score makes the whole call an `Err`, \
             not a shorter list or a made-up score",
            got.len()
        ),
        Ok(Err(e)) => e,
    };
    let names_first = error.contains(&format!("pid {first})"));
    let names_second = error.contains(&format!("pid {second})"));
    let names_the_last = error.contains(&FAILS_ON.to_string());
    assert!(
        names_first && !names_second,
        "{case}: it returned the error \"{error}\", which {}. The first input that failed is \
         the error: input 0's, which names worker 0 (pid {first}). Go through the results in \
         input order and stop at the first `Err`",
        if names_second {
            format!("names worker 1 (pid {second}): a later input's error")
        } else if names_the_last {
            format!("names input {FAILS_ON}, the last: a later input's error, of another kind")
        } else {
            "is not the pool's error for input 0".to_owned()
        }
    );
    // The other way round (round 22's `combine/06` returned a dead
    // worker's error before an earlier panic, "the graver failure"): input
    // 0 panics in worker 0, which lives, and worker 1 was killed before
    // the call, so the second chunk fails later, for want of its worker.
    let mut session = start_faulty(api);
    let workers = session.pids();
    let Some(&second) = workers.get(1) else {
        panic!(
            "a pool of 2 workers has {} worker pids: {workers:?}",
            workers.len()
        )
    };
    kill(Pid::from_raw(second as i32), Signal::SIGKILL)
        .unwrap_or_else(|e| panic!("killing worker pid {second}: {e}"));
    let n = draw.pick(20..=40);
    let mut xs = vec![FAILS_ON];
    xs.extend(
        inputs(&mut draw, n - 1)
            .into_iter()
            .filter(|&x| x != FAILS_ON),
    );
    let n = xs.len();
    let case = format!(
        "scores over {n} inputs on a pool of 2 workers whose worker 1 (pid {second}) was \
         killed before the call, where `score` panicked on input 0 ({FAILS_ON}) in worker 0, \
         and the second chunk failed later with worker 1"
    );
    let error = match scores_caught(&mut *session, &xs) {
        Ok(Err(e)) => e,
        Ok(Ok(got)) => panic!(
            "{case}: it returned Ok with {} results for {n} inputs. The first input that \
             failed is the error: an input without a score makes the whole call an `Err`",
            got.len()
        ),
        Err(payload) => panic!(
            "{case}: it panicked ({}). The first input that failed is the error: return it \
             as the `Err` of `scores`, never unwrap a task's result",
            harness::record::panic_message(payload.as_ref())
        ),
    };
    assert!(
        error.contains(&FAILS_ON.to_string()) && !error.contains(&format!("pid {second})")),
        "{case}: it returned the error \"{error}\", which {}. The first input that failed is \
         the error, whatever its kind: input 0's panic, though a later input's worker died. Go \
         through the results in input order and stop at the first `Err`",
        if error.contains(&format!("pid {second})")) {
            "names worker 1: a later input's error, of another kind"
        } else {
            "is not the pool's error for input 0"
        }
    );
    // Workers that die and cannot be replaced: every process start the
    // call asks for is refused, as at the user's process limit, so every
    // input fails for want of a worker. The error is the call's; no input
    // is scored in the parent instead (round 20's `combine/05` scored
    // them itself, "degraded mode").
    let mut session = start(api);
    for pid in session.pids() {
        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
    }
    let n = draw.pick(10..=30);
    let xs = inputs(&mut draw, n);
    // Twice: in the second call the pool has no worker left at all, so
    // even input 0 fails for want of one.
    let (outcome, spawns) = harness::spawned::refusing_spawns(
        |_| true,
        || {
            let first = scores_caught(&mut *session, &xs);
            if matches!(first, Ok(Err(_))) {
                scores_caught(&mut *session, &xs)
            } else {
                first
            }
        },
    );
    let case = format!(
        "scores over {n} inputs, twice, on a pool whose 2 workers were killed before the \
         first call, where every new worker the pool tried to start was refused (as at the \
         user's process limit; {} starts refused)",
        spawns.refused
    );
    if spawns.attempts == 0 {
        harness::speedup::not_judged(
            "the_first_failure_is_the_error",
            "the pool started no process through posix_spawn during the call, so a start \
             could not be refused",
        );
    } else {
        match outcome {
            Err(payload) => panic!(
                "{case}: it panicked ({}). The first input that failed is the error: return \
                 it as the `Err` of `scores`",
                harness::record::panic_message(payload.as_ref())
            ),
            Ok(Ok(got)) => panic!(
                "{case}: it returned Ok with {} results. With no worker, no input has a score: \
                 the first input's error is the call's",
                got.len()
            ),
            Ok(Err(_)) => {}
        }
    }
    // One input that fails alone, not the first: `score` panics on it in
    // the workers, and every other input is scored.
    // Among a few hundred: one failure in more than a hundred inputs is
    // still the error (round 20's `combine/02` dropped failures under 1
    // in 100 as noise).
    let mut session = start_faulty(api);
    let n = draw.pick(150..=250);
    let mut xs = inputs(&mut draw, n);
    xs.retain(|&x| x != FAILS_ON);
    let at = draw.pick(1..=xs.len() - 1);
    xs.insert(at, FAILS_ON);
    let case = format!(
        "scores over {} inputs, where `score` fails (panics, in the worker) on input {at} \
         ({FAILS_ON}) only",
        xs.len()
    );
    match scores_caught(&mut *session, &xs) {
        Err(payload) => panic!(
            "{case}: it panicked ({}). The first input that failed is the error: return it as \
             the `Err` of `scores`",
            harness::record::panic_message(payload.as_ref())
        ),
        Ok(Ok(got)) => panic!(
            "{case}: it returned Ok with {} results for {} inputs. An input without a score \
             makes the whole call an `Err`, whichever input it is: not a shorter list, and not \
             a score made up, or computed in the parent",
            got.len(),
            xs.len()
        ),
        Ok(Err(e)) => assert!(
            e.contains(&FAILS_ON.to_string()),
            "{case}: it returned the error \"{e}\", which is not the pool's error for input \
             {FAILS_ON}: the first input that failed is the error"
        ),
    }
}

/// CPU time of the calling thread alone (`RUSAGE_THREAD`).
fn thread_cpu_time() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_THREAD).map_or(Duration::ZERO, |u| {
        let t = |tv: nix::sys::time::TimeVal| {
            Duration::from_secs(tv.tv_sec().max(0) as u64)
                + Duration::from_micros(tv.tv_usec().max(0) as u64)
        };
        t(u.user_time()) + t(u.system_time())
    })
}

/// The scores are computed in the worker processes: their CPU time (read
/// from `/proc`) grows by most of what the scores cost, and the parent's
/// by little of it. A parent that computes them itself, in its own thread
/// or in threads of its own, fails; so does one that spins while it waits.
pub fn the_workers_do_the_work(api: CombineApi) {
    assert!(children::available(), "this check reads /proc (Linux)");
    let mut draw = Draw::new();
    // What one score costs here, measured in this thread, sets how many
    // inputs make about 300 ms of work.
    let probe = inputs(&mut draw, 4);
    let before = thread_cpu_time();
    for &x in &probe {
        std::hint::black_box((api.score)(std::hint::black_box(x)));
    }
    let each = ((thread_cpu_time() - before) / 4).max(Duration::from_micros(50));
    let n = (0.3 / each.as_secs_f64()).clamp(8.0, 400.0) as usize;
    let xs = inputs(&mut draw, n);
    let work = each * n as u32;

    let mut session = start(api);
    let workers = session.pids();
    let workers_before = children::cpu_time_of(&workers);
    let parent_before = process_cpu_time();
    let got = call(&mut *session, &xs);
    let parent = process_cpu_time().saturating_sub(parent_before);
    let in_workers = children::cpu_time_of(&workers).saturating_sub(workers_before);
    assert_eq!(
        got.len(),
        xs.len(),
        "scores over {} inputs gave {} results",
        xs.len(),
        got.len()
    );
    // The parent first: a parent that spins beside the workers takes a
    // core from them, and its own CPU time is the plainer witness.
    assert!(
        parent.as_secs_f64() <= 0.1 * work.as_secs_f64(),
        "{n} scores cost about {} of CPU and the workers used {}, but the test's own process \
         used {} too: the parent must send the inputs and wait for the answers (a blocking \
         `map`), not compute them again or spin while it waits",
        human(work),
        human(in_workers),
        human(parent)
    );
    assert!(
        in_workers.as_secs_f64() >= 0.6 * work.as_secs_f64(),
        "{n} scores cost about {} of CPU, yet the pool's worker processes {workers:?} used only \
         {} while `scores` ran (the test's own process {}): the scores must be computed in the \
         workers (task `score` through `map`), not in the parent or its threads",
        human(work),
        human(in_workers),
        human(parent)
    );
    // One worker, so that a core is free beside it: a parent that waits by
    // spinning (even yielding as it spins) gets that core and burns it for
    // as long as the worker works.
    let n = (0.1 / each.as_secs_f64()).clamp(4.0, 150.0) as usize;
    let xs = inputs(&mut draw, n);
    let work = each * n as u32;
    let mut session = start_with(api, 1);
    let parent_before = process_cpu_time();
    call(&mut *session, &xs);
    let parent = process_cpu_time().saturating_sub(parent_before);
    assert!(
        parent.as_secs_f64() <= 0.1 * work.as_secs_f64(),
        "{n} scores on a pool of 1 worker cost about {} of CPU, and the test's own process used \
         {} meanwhile (at most a tenth passes): the parent must wait for the answers in a \
         blocking `map`, asleep, not spin (or yield in a loop) while the worker works",
        human(work),
        human(parent)
    );
    // The same inputs again, on the same worker: each score is computed
    // now, for this call, so the worker works as much again. A worker that
    // remembers what it scored before answers at once, with the census
    // line of a score it never computed (round 22's `combine/01`).
    let worker = session.pids();
    let again_before = children::cpu_time_of(&worker);
    call(&mut *session, &xs);
    let again = children::cpu_time_of(&worker).saturating_sub(again_before);
    assert!(
        again.as_secs_f64() >= 0.5 * work.as_secs_f64(),
        "the same {n} inputs again, on the same pool of 1 worker: the scores cost about {} of \
         CPU, yet the worker {worker:?} used only {} this time: each score is computed now, for \
         this call. Nothing is kept from one call to the next, in the parent or in a worker (a \
         score remembered in the course's `score`, say)",
        human(work),
        human(again)
    );
}

/// A source witness: one right call, then `scores` and the functions of
/// `src/lib.rs` it calls must declare or name no `static` and no
/// `thread_local!` ([`crate::pure::refuse_globals_from`]). The course's own
/// wrong version beside it (`scores_in_a_shared_list` and its `SEEN`) is
/// not the student's, and not judged.
pub fn nothing_is_kept_in_a_static(api: CombineApi) {
    let mut draw = Draw::new();
    let mut session = start(api);
    let xs = inputs(&mut draw, 3);
    call(&mut *session, &xs);
    crate::pure::refuse_globals_from(
        "nothing is kept in a static",
        &[api.function],
        "The page promises that nothing is kept from one call to the next: each call builds its \
         own list, from scores computed now. A global (the last call's answer, every score so \
         far, scores remembered to stand in for a failure) is kept by definition, whether or \
         not the suite's calls reach it. (The suite reads `src/lib.rs` only: keep the exercise \
         in that file.)",
    );
}

/// A source witness: one right call, then `scores` and the functions it
/// calls must call nothing that waits for a length of time or checks
/// without waiting ([`crate::polls::refuse_polls_from`]): a poll slow
/// enough costs too little CPU for a timed check to see it.
pub fn nothing_polls_or_waits_by_the_clock(api: CombineApi) {
    let mut draw = Draw::new();
    let mut session = start(api);
    let xs = inputs(&mut draw, 3);
    call(&mut *session, &xs);
    crate::polls::refuse_polls_from(
        "nothing polls or waits by the clock",
        api.function,
        "The page promises that the parent sends the inputs and waits for the answers, never \
         spinning or checking again and again: `map` blocks until every answer is in, asleep. \
         Nothing here needs a clock or a thread that is checked on.",
    );
}

crate::declare_suite!($ combine: CombineApi = combine_adapter! [
    every_result_reaches_the_parent,
    results_keep_the_input_order,
    each_call_starts_afresh,
    the_workers_do_the_work,
    the_first_failure_is_the_error,
    nothing_is_kept_in_a_static,
    nothing_polls_or_waits_by_the_clock,
]);
