//! Suite of `exercises/pitfalls/words-per-text`: a thread borrowing a
//! local that may not outlive it. Once it compiles, each text's count must
//! come back in the texts' order.

use crate::pitfalls::texts::{self, Exercise};

/// The signature under test.
pub type WordsPerText = fn(Vec<String>, fn(&str) -> usize) -> Vec<usize>;

fn exercise(f: WordsPerText) -> Exercise<Vec<usize>> {
    Exercise {
        call: Box::new(move |texts| f(texts, crate::total_words::count)),
        answer: |texts| texts.iter().map(|t| t.split_whitespace().count()).collect(),
        name: "words_per_text",
        result: "the word count of each text, in the texts' order",
        explain: |got, want| {
            let (mut a, mut b) = (got.clone(), want.clone());
            a.sort_unstable();
            b.sort_unstable();
            (a == b).then(|| {
                "The right counts, in the wrong order: the order in which the threads \
                 finished, not the order of the texts. Keep the handles in a Vec and join \
                 them in the order you spawned them."
                    .to_owned()
            })
        },
    }
}

texts::declare_texts_suite!($ words_per_text: WordsPerText = [
    answers_fresh_texts,
    starts_afresh_every_call,
    one_thread_per_text_all_at_once,
    the_caller_sleeps_while_it_waits,
] via exercise);
