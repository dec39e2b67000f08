//! Suite of `exercises/pitfalls/word-frequencies`: two threads mutating one
//! value without a lock. Once it compiles, every word of every text must be
//! counted once in the one map the caller gets.

use std::collections::HashMap;

use crate::pitfalls::texts::{self, Exercise};

/// The signature under test.
pub type WordFrequencies = fn(Vec<String>, fn(&str) -> Vec<String>) -> HashMap<String, usize>;

/// The probe's `words`: the words of a text, split while the probe watches.
pub fn words(text: &str) -> Vec<String> {
    texts::visit(text);
    texts::words_of(text)
}

fn frequencies(texts: &[String]) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for w in texts.iter().flat_map(|t| texts::words_of(t)) {
        *map.entry(w).or_insert(0) += 1;
    }
    map
}

fn exercise(f: WordFrequencies) -> Exercise<HashMap<String, usize>> {
    Exercise {
        call: Box::new(move |texts| f(texts, words)),
        answer: frequencies,
        name: "word_frequencies",
        probe: "words",
        result: "how often each word occurs in all the texts together",
        explain: |got, want| {
            let counted: usize = got.values().sum();
            let all: usize = want.values().sum();
            (counted < all).then(|| {
                format!(
                    "It counted {counted} words of {all}: updates were lost. The threads \
                     filled their own maps (a clone each), or some were never added. Share \
                     one `Mutex<HashMap<..>>` and lock it to add each thread's words."
                )
            })
        },
    }
}

texts::declare_texts_suite!($ word_frequencies: WordFrequencies = [
    answers_fresh_texts,
    starts_afresh_every_call,
    two_calls_at_once_keep_apart,
    one_thread_per_text_all_at_once,
    the_caller_sleeps_while_it_waits,
    frees_what_it_shares,
] via exercise);
