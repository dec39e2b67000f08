//! Suite of `exercises/pitfalls/count-under-gil`: the GIL's guard sent to
//! another thread. Once it compiles, every thread must take the GIL itself.

use gil_solution::{DEFAULT_SWITCH_INTERVAL, Gil, GilGuard};

use crate::pitfalls::texts::{self, Exercise};

/// The signature under test.
pub type CountUnderGil = fn(&Gil, Vec<String>, fn(&mut GilGuard<'_>, &str) -> usize) -> Vec<usize>;

/// The probe's `count`, which needs the GIL: it waits (the probe) with the
/// GIL released, as blocking work does under CPython, then counts.
pub fn count(guard: &mut GilGuard<'_>, text: &str) -> usize {
    guard.allow_threads(texts::visit);
    text.split_whitespace().count()
}

fn exercise(f: CountUnderGil) -> Exercise<Vec<usize>> {
    Exercise {
        call: Box::new(move |texts| f(&Gil::new(DEFAULT_SWITCH_INTERVAL), texts, count)),
        answer: |texts| texts.iter().map(|t| t.split_whitespace().count()).collect(),
        name: "count_under_gil",
        result: "the word count of each text, in the texts' order",
        explain: |_, _| None,
    }
}

texts::declare_texts_suite!($ count_under_gil: CountUnderGil = [
    answers_fresh_texts,
    starts_afresh_every_call,
    two_calls_at_once_keep_apart,
    one_thread_per_text_all_at_once,
    the_caller_sleeps_while_it_waits,
] via exercise);
