//! Wrong ways to get the workers' results back. Each runs on the
//! reference pool, with this test binary as the workers' program.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use combine_solution::{Pool, TaskError, score};
use suites::combine::{CombineApi, Session};

use crate::{Class, Decoy};

type Scores = fn(&mut Pool, &[u64]) -> Result<Vec<(u64, u64)>, String>;

/// The reference pool with a decoy's `scores`.
struct Decoyed {
    pool: Pool,
    scores: Scores,
}

impl Session for Decoyed {
    fn pids(&self) -> Vec<u32> {
        self.pool.pids()
    }
    fn scores(&mut self, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
        (self.scores)(&mut self.pool, inputs)
    }
}

fn session(
    program: &std::path::Path,
    workers: usize,
    scores: Scores,
) -> Result<Box<dyn Session>, String> {
    let pool = Pool::start(program, workers).map_err(|e| e.to_string())?;
    Ok(Box::new(Decoyed { pool, scores }))
}

fn values(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<u64>, String> {
    pool.map("score", inputs)
        .into_iter()
        .map(|r| r.map(|d| d.value).map_err(|e| e.to_string()))
        .collect()
}

/// The mistake itself: the workers fill their own lists.
fn shared_list(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    Ok(combine_solution::scores_in_a_shared_list(pool, inputs))
}

/// Gives up on the pool and computes in the parent.
fn in_the_parent(_: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    Ok(inputs.iter().map(|&x| (x, score(x))).collect())
}

/// Threads share memory, so the parent's threads do the work.
fn threads_in_the_parent(_: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let half = inputs.len() / 2;
    let (a, b) = inputs.split_at(half);
    let pairs = |xs: &[u64]| xs.iter().map(|&x| (x, score(x))).collect::<Vec<_>>();
    Ok(std::thread::scope(|s| {
        let first = s.spawn(|| pairs(a));
        let mut out = pairs(b);
        let mut all = first.join().expect("no panic");
        all.append(&mut out);
        all
    }))
}

/// Maps batches of 16 and forgets the last, shorter one.
fn whole_batches_only(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let mut out = Vec::new();
    for batch in inputs.chunks_exact(16) {
        out.extend(batch.iter().copied().zip(values(pool, batch)?));
    }
    Ok(out)
}

/// Combines into a `HashMap`, then lists the map.
fn through_a_hash_map(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let map: HashMap<u64, u64> = inputs.iter().copied().zip(values(pool, inputs)?).collect();
    Ok(map.into_iter().collect())
}

/// Sorts the inputs (to list them tidily) and pairs the sorted inputs with
/// the results, which are in the order the inputs were sent.
fn paired_with_sorted_inputs(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let got = values(pool, inputs)?;
    let mut sorted = inputs.to_vec();
    sorted.sort_unstable();
    Ok(sorted.into_iter().zip(got).collect())
}

/// Collects into a list kept in a `static`, never emptied.
fn kept_between_calls(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    static ALL: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());
    let new = values(pool, inputs)?;
    let mut all = ALL.lock().unwrap_or_else(PoisonError::into_inner);
    all.extend(inputs.iter().copied().zip(new));
    Ok(all.clone())
}

/// Runs the map on another thread and spins until it is done.
fn spins_while_waiting(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    std::thread::scope(|s| {
        let job = s.spawn(|| values(pool, inputs));
        while !job.is_finished() {
            std::hint::spin_loop();
        }
        let got = job.join().expect("no panic")?;
        Ok(inputs.iter().copied().zip(got).collect())
    })
}

/// Runs the map on another thread and yields in a loop until it is done.
fn yields_while_waiting(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    std::thread::scope(|s| {
        let job = s.spawn(|| values(pool, inputs));
        while !job.is_finished() {
            std::thread::yield_now();
        }
        let got = job.join().expect("no panic")?;
        Ok(inputs.iter().copied().zip(got).collect())
    })
}

/// Keeps going past a failed input and returns the last error it met.
fn last_error(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let mut out = Vec::new();
    let mut error = None;
    for (result, &x) in pool.map("score", inputs).into_iter().zip(inputs) {
        match result {
            Ok(done) => out.push((x, done.value)),
            Err(e) => error = Some(e.to_string()),
        }
    }
    error.map_or(Ok(out), Err)
}

/// Returns the first input whose task panicked, if one did, before the
/// first failure of any other kind: a dead worker is "the machine's
/// trouble, not the input's" (round 20's `combine/01`).
fn prefers_a_panic(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    prefers(pool, inputs, |e| matches!(e, TaskError::Panicked { .. }))
}

/// Returns the first input whose worker died, if one did, before the first
/// failure of any other kind: a dead worker is "the graver failure" (round
/// 22's `combine/06`).
fn prefers_a_death(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    prefers(pool, inputs, |e| matches!(e, TaskError::WorkerDied { .. }))
}

/// The first error that is `graver`, if any, before the first of any kind.
fn prefers(
    pool: &mut Pool,
    inputs: &[u64],
    graver: fn(&TaskError) -> bool,
) -> Result<Vec<(u64, u64)>, String> {
    let results = pool.map("score", inputs);
    if let Some(e) = results
        .iter()
        .find_map(|r| r.as_ref().err().filter(|e| graver(e)))
    {
        return Err(e.to_string());
    }
    results
        .into_iter()
        .zip(inputs)
        .map(|(r, &x)| r.map(|done| (x, done.value)).map_err(|e| e.to_string()))
        .collect()
}

/// Leaves out failures that are fewer than 1 in 100 inputs, as noise, and
/// returns the rest (round 20's `combine/02`).
fn drops_rare_failures(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let results = pool.map("score", inputs);
    let failed = results.iter().filter(|r| r.is_err()).count();
    if failed * 100 < inputs.len() {
        return skips(results, inputs);
    }
    results
        .into_iter()
        .zip(inputs)
        .map(|(r, &x)| r.map(|done| (x, done.value)).map_err(|e| e.to_string()))
        .collect()
}

/// The results that came, paired with their inputs; the failed left out.
fn skips(
    results: Vec<Result<pool_solution::Done, TaskError>>,
    inputs: &[u64],
) -> Result<Vec<(u64, u64)>, String> {
    Ok(results
        .into_iter()
        .zip(inputs)
        .filter_map(|(result, &x)| result.ok().map(|done| (x, done.value)))
        .collect())
}

/// Scores the first 4096 inputs only, "a frame is not infinite" (round
/// 16, `combine/02`).
fn first_4096_only(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    values(pool, &inputs[..inputs.len().min(4096)]).map(|v| inputs.iter().copied().zip(v).collect())
}

/// Panics on a call of more than 4096 inputs, "a frame must stay small"
/// (round 20, `combine/04`).
fn panics_past_4096(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    assert!(inputs.len() <= 4096, "at most 4096 inputs per call");
    let v = values(pool, inputs)?;
    Ok(inputs.iter().copied().zip(v).collect())
}

/// Scores in the parent each input that failed for want of a worker,
/// "degraded mode" (round 20, `combine/05`).
fn scores_without_workers_itself(
    pool: &mut Pool,
    inputs: &[u64],
) -> Result<Vec<(u64, u64)>, String> {
    let each: Vec<Result<(u64, u64), String>> = pool
        .map("score", inputs)
        .into_iter()
        .zip(inputs)
        .map(|(r, &x)| match r {
            Ok(done) => Ok((x, done.value)),
            Err(TaskError::NoWorker(_)) => Ok((x, score(x))),
            Err(e) => Err(e.to_string()),
        })
        .collect();
    each.into_iter().collect()
}

/// Unwraps every task's result: a failed input panics the parent.
fn unwraps_each_result(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    Ok(pool
        .map("score", inputs)
        .into_iter()
        .zip(inputs)
        .map(|(result, &x)| (x, result.expect("a score").value))
        .collect())
}

/// Leaves out the inputs that failed and returns the rest.
fn skips_failures(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    skips(pool.map("score", inputs), inputs)
}

/// Scores each distinct input once, and returns one pair per distinct
/// input ("each needs scoring only once").
fn distinct_inputs_once(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let mut distinct = inputs.to_vec();
    let mut seen = std::collections::HashSet::new();
    distinct.retain(|x| seen.insert(*x));
    let got = values(pool, &distinct)?;
    Ok(distinct.into_iter().zip(got).collect())
}

/// Keeps every score it has seen in a `static` map and sends only new
/// inputs to the pool ("scores never change").
fn cached_scores(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    static SEEN: Mutex<Option<HashMap<u64, u64>>> = Mutex::new(None);
    let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    let seen = seen.get_or_insert_with(HashMap::new);
    let new: Vec<u64> = inputs
        .iter()
        .copied()
        .filter(|x| !seen.contains_key(x))
        .collect();
    for (x, v) in new.iter().copied().zip(values(pool, &new)?) {
        seen.insert(x, v);
    }
    Ok(inputs.iter().map(|x| (*x, seen[x])).collect())
}

/// Only input 0's failure is an error; later failures are left out.
fn only_input_0_fails(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let results = pool.map("score", inputs);
    if let Some(Err(e)) = results.first() {
        return Err(e.to_string());
    }
    Ok(results
        .into_iter()
        .zip(inputs)
        .filter_map(|(r, &x)| r.ok().map(|d| (x, d.value)))
        .collect())
}

/// Checks every tenth score again in the parent ("a spot check").
fn spot_checked(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let got: Vec<(u64, u64)> = inputs.iter().copied().zip(values(pool, inputs)?).collect();
    for &(x, v) in got.iter().step_by(10) {
        assert_eq!(v, score(x), "a worker sent a wrong score for {x}");
    }
    Ok(got)
}

/// Fewer than 8 inputs are scored in the parent: "the round trip costs
/// more than the work".
fn few_in_the_parent(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    if inputs.len() < 8 {
        return Ok(inputs.iter().map(|&x| (x, score(x))).collect());
    }
    Ok(inputs.iter().copied().zip(values(pool, inputs)?).collect())
}

/// The pool scores the first 10,000 inputs, the parent the rest: "the
/// pipes cost more than the work" (round 22's `combine/02`).
fn parent_past_10_000(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let (sent, kept) = inputs.split_at(inputs.len().min(10_000));
    let mut out: Vec<(u64, u64)> = sent.iter().copied().zip(values(pool, sent)?).collect();
    out.extend(kept.iter().map(|&x| (x, score(x))));
    Ok(out)
}

/// While the pool scores the first seven eighths, a thread of the parent
/// scores the last eighth.
fn parent_takes_an_eighth(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let (sent, kept) = inputs.split_at(inputs.len() - inputs.len() / 8);
    std::thread::scope(|s| {
        let mine = s.spawn(|| kept.iter().map(|&x| (x, score(x))).collect::<Vec<_>>());
        let mut out: Vec<(u64, u64)> = sent.iter().copied().zip(values(pool, sent)?).collect();
        out.extend(mine.join().expect("no panic"));
        Ok(out)
    })
}

/// A single failed input is scored again in the parent ("a glitch"); two
/// or more make the first one's error.
fn lone_failure_retried(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let results = pool.map("score", inputs);
    let failed = results.iter().filter(|r| r.is_err()).count();
    let mut out = Vec::new();
    for (r, &x) in results.into_iter().zip(inputs) {
        match r {
            Ok(d) => out.push((x, d.value)),
            Err(_) if failed == 1 => out.push((x, score(x))),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(out)
}

/// Set in the environment of the workers that [`remembering_workers`]
/// starts: this test binary then serves [`REMEMBERING_TASKS`].
pub const REMEMBERS: &str = "COMBINE_DECOY_REMEMBERS";

/// Task `score` as a worker that remembers every score it computed would
/// run it: an input it scored before is answered at once, after its census
/// line, so the census still counts it as scored in this call (round 22's
/// `combine/01`, a memo put in the course's own `score`).
fn remembered_score(x: u64) -> u64 {
    static SCORED: Mutex<Option<HashMap<u64, u64>>> = Mutex::new(None);
    let mut scored = SCORED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&value) = scored.as_ref().and_then(|m| m.get(&x)) {
        harness::census::served("score", x);
        return value;
    }
    let value = score(x);
    scored.get_or_insert_with(HashMap::new).insert(x, value);
    value
}

/// The tasks of a worker that remembers its scores.
pub const REMEMBERING_TASKS: &[pool_solution::Task] = &[pool_solution::Task {
    name: "score",
    run: remembered_score,
}];

/// The reference `scores` on workers that remember their scores.
fn remembering_workers(program: &std::path::Path, workers: usize) -> suites::combine::Started {
    let wrapped =
        suites::wrapper::wrapper(program, "remembers", &format!("export {REMEMBERS}=1\n"));
    session(&wrapped.path, workers, |pool, inputs| {
        combine_solution::scores(pool, inputs).map_err(|e| e.to_string())
    })
}

fn api(start: fn(&std::path::Path, usize) -> suites::combine::Started) -> CombineApi {
    named("scores", start)
}

/// [`api`] for a decoy whose fault the source witnesses see: they read
/// this file ([`SOURCE`]) from `function`.
fn named(
    function: &'static str,
    start: fn(&std::path::Path, usize) -> suites::combine::Started,
) -> CombineApi {
    CombineApi {
        program: || std::env::current_exe().expect("the test binary's path"),
        start,
        score,
        quick: combine_solution::QUICK,
        function,
    }
}

/// This file, as the suite reads a crate's `src/lib.rs`.
pub const SOURCE: &str = include_str!("combine.rs");

/// The last call's inputs and answer, kept in a static: the same inputs
/// twice in a row skip the map (round 13, `combine/01`).
fn last_call_remembered(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    type Last = Option<(Vec<u64>, Vec<(u64, u64)>)>;
    static LAST: Mutex<Last> = Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((xs, got)) = last.as_ref()
        && xs == inputs
    {
        return Ok(got.clone());
    }
    let got: Vec<(u64, u64)> = inputs.iter().copied().zip(values(pool, inputs)?).collect();
    *last = Some((inputs.to_vec(), got.clone()));
    Ok(got)
}

/// Every score ever computed in one static list; a call returns its tail
/// (round 13, `combine/02`).
fn one_growing_list(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    static EVERY_SCORE: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());
    let mut all = EVERY_SCORE.lock().unwrap_or_else(PoisonError::into_inner);
    all.extend(inputs.iter().copied().zip(values(pool, inputs)?));
    Ok(all[all.len() - inputs.len()..].to_vec())
}

/// The map runs on a helper thread, and the parent looks every 2 ms
/// whether it is done (round 13, `combine/03`).
fn polls_every_2_ms(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    std::thread::scope(|s| {
        let map = s.spawn(|| values(pool, inputs));
        while !map.is_finished() {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let got = map.join().expect("no panic")?;
        Ok(inputs.iter().copied().zip(got).collect())
    })
}

/// Only the first 1024 inputs are mapped (round 13, `combine/04`).
fn first_1024_only(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    let kept = &inputs[..inputs.len().min(1024)];
    Ok(kept.iter().copied().zip(values(pool, kept)?).collect())
}

/// Each call leaves a watchdog thread behind, asleep for 30 s (round 13,
/// `combine/08`).
fn leaves_a_watchdog(pool: &mut Pool, inputs: &[u64]) -> Result<Vec<(u64, u64)>, String> {
    std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_secs(30)));
    Ok(inputs.iter().copied().zip(values(pool, inputs)?).collect())
}

/// The parent computes every 64th score itself, with the course's `spin`
/// rather than `score`, and keeps its own value (round 16, `combine/07`).
fn every_64th_spun_in_the_parent(
    pool: &mut Pool,
    inputs: &[u64],
) -> Result<Vec<(u64, u64)>, String> {
    let mut got: Vec<(u64, u64)> = inputs.iter().copied().zip(values(pool, inputs)?).collect();
    for (x, v) in got.iter_mut().step_by(64) {
        let rounds = combine_solution::ROUNDS;
        *v = pool_solution::tasks::spin(rounds + *x % rounds);
    }
    Ok(got)
}

/// Every wrong way back, with the check that must catch it.
pub fn corpus() -> Vec<Decoy<CombineApi>> {
    vec![
        Decoy {
            name: "yields in a loop while the map runs on another thread",
            class: Class::Spinning,
            subject: api(|p, w| session(p, w, yields_while_waiting)),
            caught_by: "the_workers_do_the_work",
            breaks: "parent-waits",
            says: &["the test's own process used", "spin"],
        },
        Decoy {
            name: "each distinct input scored and returned once",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, distinct_inputs_once)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "every-result",
            says: &["some of them repeated"],
        },
        Decoy {
            name: "scores cached in a static map between calls",
            class: Class::StateBetweenCalls,
            subject: api(|p, w| session(p, w, cached_scores)),
            caught_by: "each_call_starts_afresh",
            breaks: "fresh-every-call",
            says: &["nothing is kept from an earlier call"],
        },
        Decoy {
            name: "the last call remembered in a static (round 13, combine/01)",
            class: Class::StateBetweenCalls,
            subject: named("last_call_remembered", |p, w| {
                session(p, w, last_call_remembered)
            }),
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "fresh-every-call",
            says: &["`static LAST`", "(in `fn last_call_remembered`)"],
        },
        Decoy {
            name: "every score in one static list (round 13, combine/02)",
            class: Class::StateBetweenCalls,
            subject: named("one_growing_list", |p, w| session(p, w, one_growing_list)),
            caught_by: "nothing_is_kept_in_a_static",
            breaks: "fresh-every-call",
            says: &["`static EVERY_SCORE`"],
        },
        Decoy {
            name: "polls the map every 2 ms (round 13, combine/03)",
            class: Class::Spinning,
            subject: named("polls_every_2_ms", |p, w| session(p, w, polls_every_2_ms)),
            caught_by: "nothing_polls_or_waits_by_the_clock",
            breaks: "parent-waits",
            says: &["`is_finished`", "`sleep`"],
        },
        Decoy {
            name: "maps the first 1024 inputs only (round 13, combine/04)",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, first_1024_only)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "every-result",
            says: &["results were lost"],
        },
        Decoy {
            name: "leaves a watchdog thread running (round 13, combine/08)",
            class: Class::StateBetweenCalls,
            subject: api(|p, w| session(p, w, leaves_a_watchdog)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "nothing-outlives",
            says: &["still running", "nothing of a call outlives it"],
        },
        Decoy {
            name: "only input 0's failure is an error",
            class: Class::RuleSkipped,
            subject: api(|p, w| session(p, w, only_input_0_fails)),
            caught_by: "the_first_failure_is_the_error",
            breaks: "first-error",
            says: &["whichever input it is"],
        },
        Decoy {
            name: "every tenth score checked again in the parent",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, spot_checked)),
            caught_by: "the_workers_do_the_work",
            breaks: "parent-waits",
            says: &["in the test's own process", "nor again to check"],
        },
        Decoy {
            name: "every 64th score spun in the parent (round 16, combine/07)",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, every_64th_spun_in_the_parent)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "in-the-workers",
            says: &["`spin` ran", "never computes a score"],
        },
        Decoy {
            name: "workers that remember every score they computed (round 22, combine/01)",
            class: Class::StateBetweenCalls,
            subject: api(remembering_workers),
            caught_by: "the_workers_do_the_work",
            breaks: "fresh-every-call",
            says: &["the same", "again"],
        },
        Decoy {
            name: "the parent scores the inputs past 10,000 (round 22, combine/02)",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, parent_past_10_000)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "in-the-workers",
            says: &["in the test's own process"],
        },
        Decoy {
            name: "fewer than 8 inputs scored in the parent",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, few_in_the_parent)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "in-the-workers",
            says: &["in the test's own process"],
        },
        Decoy {
            name: "a thread of the parent scores the last eighth",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, parent_takes_an_eighth)),
            caught_by: "the_workers_do_the_work",
            breaks: "in-the-workers",
            says: &["in the test's own process", "not even a few of them"],
        },
        Decoy {
            name: "a lone failed input scored again in the parent",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, lone_failure_retried)),
            caught_by: "the_first_failure_is_the_error",
            breaks: "first-error",
            says: &["in the test's own process"],
        },
        Decoy {
            name: "the workers update the parent's list",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, shared_list)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "every-result",
            says: &[
                "gave 0 results",
                "the parent's list is empty",
                "worker's copy",
            ],
        },
        Decoy {
            name: "computed in the parent",
            class: Class::Sequential,
            subject: api(|p, w| session(p, w, in_the_parent)),
            caught_by: "the_workers_do_the_work",
            breaks: "in-the-workers",
            says: &[
                "in the test's own process",
                "computed in the worker processes",
            ],
        },
        Decoy {
            name: "computed in the parent's threads",
            class: Class::RuleSkipped,
            subject: api(|p, w| session(p, w, threads_in_the_parent)),
            caught_by: "the_workers_do_the_work",
            breaks: "in-the-workers",
            says: &["in the test's own process", "or its threads"],
        },
        Decoy {
            name: "whole batches only",
            class: Class::Batched,
            subject: api(|p, w| session(p, w, whole_batches_only)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "every-result",
            says: &["results were lost", "not only whole chunks"],
        },
        Decoy {
            name: "combined through a HashMap",
            class: Class::RuleSkipped,
            subject: api(|p, w| session(p, w, through_a_hash_map)),
            caught_by: "results_keep_the_input_order",
            breaks: "input-order",
            says: &["must be in input order"],
        },
        Decoy {
            name: "results paired with the sorted inputs",
            class: Class::RuleSkipped,
            subject: api(|p, w| session(p, w, paired_with_sorted_inputs)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "every-result",
            says: &["each input must be paired with its own score"],
        },
        Decoy {
            name: "a list kept between calls",
            class: Class::StateBetweenCalls,
            subject: api(|p, w| session(p, w, kept_between_calls)),
            caught_by: "each_call_starts_afresh",
            breaks: "fresh-every-call",
            says: &["nothing is kept from an earlier call"],
        },
        Decoy {
            name: "spins while the workers work",
            class: Class::Spinning,
            subject: api(|p, w| session(p, w, spins_while_waiting)),
            caught_by: "the_workers_do_the_work",
            breaks: "parent-waits",
            says: &["the test's own process used", "spin while it waits"],
        },
        Decoy {
            name: "returns the last error, not the first",
            class: Class::RuleSkipped,
            subject: api(|p, w| session(p, w, last_error)),
            caught_by: "the_first_failure_is_the_error",
            breaks: "first-error",
            says: &[
                "a later input's error",
                "The first input that failed is the error",
            ],
        },
        Decoy {
            name: "unwraps each task's result",
            class: Class::Panics,
            subject: api(|p, w| session(p, w, unwraps_each_result)),
            caught_by: "the_first_failure_is_the_error",
            breaks: "first-error",
            says: &["it panicked", "never unwrap a task's result"],
        },
        Decoy {
            name: "scores the first 4096 inputs only (round 16, combine/02)",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, first_4096_only)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "every-result",
            says: &["results were lost"],
        },
        Decoy {
            name: "panics past 4096 inputs (round 20, combine/04)",
            class: Class::Panics,
            subject: api(|p, w| session(p, w, panics_past_4096)),
            caught_by: "every_result_reaches_the_parent",
            breaks: "every-result",
            says: &["panicked", "never a panic"],
        },
        Decoy {
            name: "inputs with no worker scored in the parent (round 20, combine/05)",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, scores_without_workers_itself)),
            caught_by: "the_first_failure_is_the_error",
            breaks: "in-the-workers",
            says: &["in the test's own process"],
        },
        Decoy {
            name: "a panic's error before an earlier death's (round 20, combine/01)",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, prefers_a_panic)),
            caught_by: "the_first_failure_is_the_error",
            breaks: "first-error",
            says: &[
                "on which `score` panicked",
                "a later input's error, of another kind",
            ],
        },
        Decoy {
            name: "a dead worker's error before an earlier panic (round 22, combine/06)",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, prefers_a_death)),
            caught_by: "the_first_failure_is_the_error",
            breaks: "first-error",
            says: &[
                "killed before the call",
                "a later input's error, of another kind",
            ],
        },
        Decoy {
            name: "failures under 1 in 100 left out as noise (round 20, combine/02)",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, drops_rare_failures)),
            caught_by: "the_first_failure_is_the_error",
            breaks: "first-error",
            says: &["it returned Ok", "whichever input it is"],
        },
        Decoy {
            name: "leaves the failed inputs out",
            class: Class::MadeUp,
            subject: api(|p, w| session(p, w, skips_failures)),
            caught_by: "the_first_failure_is_the_error",
            breaks: "first-error",
            says: &["it returned Ok", "makes the whole call an `Err`"],
        },
    ]
}
