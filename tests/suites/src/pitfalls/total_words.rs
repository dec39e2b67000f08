//! Suite of `exercises/pitfalls/total-words`: an `Rc` sent to another
//! thread. Once it compiles, the threads must add to one shared total.

use crate::pitfalls::texts::{self, Exercise};

/// The signature under test.
pub type TotalWords = fn(Vec<String>, fn(&str) -> usize) -> usize;

/// The probe's `count`: the words of a text, counted while the probe watches.
pub fn count(text: &str) -> usize {
    texts::visit(text);
    text.split_whitespace().count()
}

fn exercise(f: TotalWords) -> Exercise<usize> {
    Exercise {
        call: Box::new(move |texts| f(texts, count)),
        answer: |texts| texts.iter().map(|t| t.split_whitespace().count()).sum(),
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

texts::declare_texts_suite!($ total_words: TotalWords = [
    answers_fresh_texts,
    starts_afresh_every_call,
    two_calls_at_once_keep_apart,
    one_thread_per_text_all_at_once,
    the_caller_sleeps_while_it_waits,
    frees_what_it_shares,
] via exercise);
