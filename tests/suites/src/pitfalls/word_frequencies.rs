//! Suite of `exercises/pitfalls/word-frequencies`: two threads mutating one
//! value without a lock. Once it compiles, every word of every text must be
//! counted once in the one map the caller gets.

use std::collections::HashMap;

use crate::pitfalls::texts::{self, Exercise};

/// The signature under test.
pub type WordFrequencies = fn(Vec<String>, fn(&str) -> Vec<String>) -> HashMap<String, usize>;

/// The probe's `words`: the words of a text, split while the probe watches.
/// While `no_thread_runs_on_after_the_return` watches, the list's free is
/// slowed and watched too: a thread that drops its word list after the
/// call returned (round 21's `word-frequencies/05` freed it after it had
/// woken the caller) is still at it when the call returns.
pub fn words(text: &str) -> Vec<String> {
    let list = texts::probe(text, || split(text));
    if list.capacity() > 0 {
        harness::heap::watch_free_of(list.as_ptr() as usize);
    }
    list
}

/// How the probe's `words` splits a text: at every single space, so two
/// spaces in a row make an empty word, and a text without one is one word
/// (an empty text is one empty word). Any word `words` returns counts, the
/// empty one too.
fn split(text: &str) -> Vec<String> {
    texts::big_words(text).unwrap_or_else(|| text.split(' ').map(str::to_owned).collect())
}

fn frequencies(texts: &[String]) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for w in texts.iter().flat_map(|t| split(t)) {
        *map.entry(w).or_insert(0) += 1;
    }
    map
}

/// A word for a message: whole if short, else its start and its length.
fn shown(word: &str) -> String {
    if word.len() <= 40 {
        return format!("{word:?}");
    }
    let mut cut = 32;
    while !word.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{:?}… ({} bytes)", &word[..cut], word.len())
}

/// Why a map is wrong: blank words missing (the empty one, white space),
/// words that are not the ones `words` returned, or updates lost.
fn explain(got: &HashMap<String, usize>, want: &HashMap<String, usize>) -> Option<String> {
    let differ: Vec<&String> = want
        .keys()
        .chain(got.keys())
        .filter(|w| got.get(*w) != want.get(*w))
        .collect();
    if !differ.is_empty() && differ.iter().all(|w| w.trim().is_empty()) {
        let n = want.get("").copied().unwrap_or(0);
        return Some(format!(
            "Only words that are empty or white space are miscounted ({}): `words` returned the \
             empty word \"\" {n} times (it splits at every single space, so two spaces in a row \
             make one, and a blank text is one or more), and the map has it {} times. Count \
             every word `words` returns, whatever it looks like, for every text.",
            differ
                .iter()
                .map(|w| shown(w))
                .collect::<Vec<_>>()
                .join(", "),
            got.get("").copied().unwrap_or(0)
        ));
    }
    let strange: Vec<String> = got
        .keys()
        .filter(|w| !want.contains_key(*w))
        .take(3)
        .map(|w| shown(w))
        .collect();
    if !strange.is_empty() {
        let missing: Vec<String> = want
            .keys()
            .filter(|w| !got.contains_key(*w))
            .take(3)
            .map(|w| shown(w))
            .collect();
        return Some(format!(
            "Words not counted as they came: the map has {} that `words` never returned, and \
             lacks {}. Use each word exactly as `words` returns it: no cutting, trimming or \
             changing case.",
            strange.join(", "),
            if missing.is_empty() {
                "none".to_owned()
            } else {
                missing.join(", ")
            }
        ));
    }
    let counted: usize = got.values().sum();
    let all: usize = want.values().sum();
    (counted < all).then(|| {
        format!(
            "It counted {counted} words of {all}: updates were lost. The threads filled their \
             own maps (a clone each), or some were never added. Share one \
             `Mutex<HashMap<..>>` and lock it to add each thread's words."
        )
    })
}

fn exercise(f: WordFrequencies) -> Exercise<HashMap<String, usize>> {
    Exercise {
        call: Box::new(move |texts| f(texts, words)),
        answer: frequencies,
        name: "word_frequencies",
        probe: "words",
        result: "how often each word occurs in all the texts together",
        explain,
    }
}

texts::declare_texts_suite!($ word_frequencies: WordFrequencies = [
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
] via exercise);
