//! Suite of `exercises/pitfalls/total-words`: an `Rc` sent to another
//! thread. Once it compiles, the threads must add to one shared total.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::fetching::Draw;
use crate::pitfalls::texts::{self, Exercise, TOGETHER_NEEDED, TOGETHER_WITHIN_NS, TRIALS_BUDGET};

/// The signature under test.
pub type TotalWords = fn(Vec<String>, fn(&str) -> usize) -> usize;

/// The probe's `count`: the words of a text, counted while the probe watches.
pub fn count(text: &str) -> usize {
    texts::probe(text, || texts::count_words(text))
}

fn exercise(f: TotalWords) -> Exercise<usize> {
    Exercise {
        call: Box::new(move |texts| f(texts, count)),
        answer: |texts| texts.iter().map(|t| texts::count_words(t)).sum(),
        name: "total_words",
        probe: "count",
        result: "the total number of words",
        explain: |got, want| {
            (got < want).then(|| {
                "Too few: updates were lost. Each thread added to its own copy of the total \
                 (a clone of the number, or of the value inside an `Arc`, as \
                 `Arc::make_mut` makes), not to the one the caller reads. Share one \
                 `Arc<Mutex<usize>>` (or an `AtomicUsize`) between all threads."
                    .to_owned()
            })
        },
    }
}

/// What [`weighted_count`] multiplies each text's words by.
static WEIGHT: AtomicUsize = AtomicUsize::new(1);

/// A `count` that stands for texts far longer than the suite makes: a
/// text's words times [`WEIGHT`].
fn weighted_count(text: &str) -> usize {
    texts::probe(text, || {
        text.split_whitespace().count() * WEIGHT.load(Ordering::SeqCst)
    })
}

/// `counts_of_any_size_add_up`: for up to 1.5 s, calls on 2 texts whose
/// threads the probe lets go at the same instant, with a `count` that says
/// each text has its words times a weight drawn from 1,000 to a million,
/// from 2^28 to 2^31 (the two together past what 32 bits hold), from 2^32
/// to 2^40, and from 2^53 to 2^57 (past what an `f64` holds exactly): each
/// total must be exact. A total kept in 32 bits wraps;
/// an update made of a load and a store, for big counts only, loses one.
pub fn counts_of_any_size_add_up(f: TotalWords) {
    let mut draw = Draw::new();
    let began = Instant::now();
    let (mut trials, mut together) = (0, 0);
    for trial in 1.. {
        if together >= TOGETHER_NEEDED || began.elapsed() > TRIALS_BUDGET {
            break;
        }
        let weight = match trial % 4 {
            0 => draw.pick(1_000..=1_000_000),
            1 => draw.pick(1 << 28..=1 << 31),
            2 => draw.pick(1 << 32..=1 << 40),
            // Past what an `f64` holds exactly (round 14's `total-words/02`
            // summed in one), odd so that it rounds; 80 words at most, so
            // the total still fits a `usize`.
            _ => draw.pick((1 << 53) + 1..=1 << 57) | 1,
        };
        WEIGHT.store(weight, Ordering::SeqCst);
        let texts = texts::texts(&mut draw, 2);
        let counts: Vec<usize> = texts
            .iter()
            .map(|t| t.split_whitespace().count() * weight)
            .collect();
        let want: usize = counts.iter().sum();
        let (got, at_once) = texts::burst(2, || f(texts.clone(), weighted_count));
        together += usize::from(at_once);
        trials = trial;
        let why = if counts.contains(&got) {
            "Only one of the two counts arrived: two threads added at the same instant and \
             one update was lost, an addition made of a read and a write (for big counts or \
             small). Add with one `fetch_add`, or under the lock."
                .to_owned()
        } else if want > 1 << 53 && got.abs_diff(want) <= want >> 50 {
            "The total was rounded: it went through an `f64`, which holds whole numbers exactly \
             only up to 2^53. Keep it in a `usize`, as `count` returns."
                .to_owned()
        } else if got as u64 == (want as u64) & u64::from(u32::MAX) || got < want {
            "The total wrapped or lost bits: it is kept in a type too small for it (32 bits \
             hold up to 4,294,967,295). Keep it in a `usize`, as `count` returns."
                .to_owned()
        } else {
            "It is not the sum of what `count` returned: add each thread's count once.".to_owned()
        };
        assert!(
            got == want,
            "[counts of any size add up] total_words on 2 texts, with a `count` that said \
             {counts:?} (each text's words times {weight}), in call {trial} \
             whose threads the probe let go at the same instant, returned {got}; the sum is \
             {want}. {why}"
        );
    }
    eprintln!(
        "[counts of any size add up] {trials} calls on 2 texts, counts up to 2^63, threads let go \
         at the same instant ({together} of them within {TOGETHER_WITHIN_NS} ns of each other): \
         every total exact."
    );
    if together < TOGETHER_NEEDED {
        harness::speedup::not_judged(
            "counts of any size add up",
            &format!(
                "every total was exact (the 32-bit part is judged), but lost updates need two \
                 threads running at the same instant: in {} ms, only {together} of the calls' \
                 pairs of threads left the probe within {TOGETHER_WITHIN_NS} ns of each other \
                 ({TOGETHER_NEEDED} needed), the machine too busy to run them on two cores at \
                 once.",
                TRIALS_BUDGET.as_millis()
            ),
        );
    }
}

texts::declare_texts_suite!($ total_words: TotalWords = [
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
    counts_of_any_size_add_up,
]);
