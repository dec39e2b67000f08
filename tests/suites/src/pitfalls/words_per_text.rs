//! Suite of `exercises/pitfalls/words-per-text`: a thread borrowing a
//! local that may not outlive it. Once it compiles, each text's count must
//! come back in the texts' order.

use crate::pitfalls::texts::{self, Exercise};

/// The signature under test.
pub type WordsPerText = fn(Vec<String>, fn(&str) -> usize) -> Vec<usize>;

fn exercise(f: WordsPerText) -> Exercise<Vec<usize>> {
    Exercise {
        call: Box::new(move |texts| f(texts, crate::total_words::count)),
        answer: |texts| texts.iter().map(|t| texts::count_words(t)).collect(),
        name: "words_per_text",
        probe: "count",
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

/// The word every big text of [`the_texts_are_freed`] repeats, space
/// included.
const WORD: &str = "word ";

/// Bytes of each big text, about: past 16 MiB.
const BIG_TEXT: usize = 17 << 20;

/// Big texts per call.
const BIG_TEXTS: usize = 3;

/// Calls measured.
const CALLS: usize = 8;

/// The `count` of [`the_texts_are_freed`]: the words of a big text made of
/// [`WORD`] over and over, read from its length (a scan of 51 MiB per call
/// would be slow in a debug build).
fn count_big(text: &str) -> usize {
    BIG_COUNTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    text.len() / WORD.len()
}

/// Calls of [`count_big`] so far.
static BIG_COUNTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Big texts, each one word longer than the one before (so their counts
/// differ, in the texts' order).
fn big_texts() -> Vec<String> {
    (0..BIG_TEXTS)
        .map(|i| WORD.repeat(BIG_TEXT / WORD.len() + i))
        .collect()
}

const MIB: usize = 1 << 20;

/// The texts are freed: the page's `Box::leak` makes the compiler quiet by
/// never freeing them. After a first call (which settles the allocator),
/// [`CALLS`] calls on [`BIG_TEXTS`] texts of 17 MiB each: a leak keeps every
/// call's texts, 51 MiB a call, in the process's resident memory (`VmRSS`);
/// freed texts are reused by the next call, so the memory held afterwards
/// grows by about one call's texts at most. Over half the calls' texts
/// held is a leak.
pub fn the_texts_are_freed(f: WordsPerText) {
    if harness::memory::resident_self() == 0 {
        return; // no /proc/self/status: nothing to measure with
    }
    let want: Vec<usize> = big_texts().iter().map(|t| count_big(t)).collect();
    let call = || {
        let before = BIG_COUNTS.load(std::sync::atomic::Ordering::SeqCst);
        let got = f(big_texts(), count_big);
        let counted = BIG_COUNTS.load(std::sync::atomic::Ordering::SeqCst) - before;
        assert!(
            got == want,
            "words_per_text on {BIG_TEXTS} texts of 17 MiB returned {got:?}, but their counts, in \
             order, are {want:?}"
        );
        assert!(
            counted == BIG_TEXTS,
            "words_per_text on {BIG_TEXTS} texts of 17 MiB returned the right counts, but called \
             `count` {counted} times, where every call must count every text, once: a memo of \
             texts seen before (a `static`) answers from an earlier call"
        );
    };
    call();
    let before = harness::memory::resident_self();
    for _ in 0..CALLS {
        call();
    }
    let rise = harness::memory::resident_self().saturating_sub(before) as usize;
    let weigh = CALLS * BIG_TEXTS * BIG_TEXT;
    assert!(
        rise < weigh / 2,
        "words_per_text on {BIG_TEXTS} texts of 17 MiB each, {CALLS} calls: the process held \
         {} MiB more memory afterwards, where the {CALLS} calls' texts weigh {} MiB (at most \
         {} MiB allowed: freed texts are reused by the next call): the texts are never freed. \
         `Box::leak` makes the compiler quiet by never giving the memory back. Start the \
         threads in `thread::scope` (they may borrow `texts`), or move each text into its own \
         thread.",
        rise / MIB,
        weigh / MIB,
        weigh / 2 / MIB
    );
}

texts::declare_texts_suite!($ words_per_text: WordsPerText = [
    answers_fresh_texts,
    starts_afresh_every_call,
    two_calls_at_once_keep_apart,
    one_thread_per_text_all_at_once,
    the_caller_sleeps_while_it_waits,
    frees_what_it_shares,
    no_thread_runs_on_after_the_return,
    nothing_is_kept_in_a_static,
    nothing_polls_or_waits_by_the_clock,
    texts_up_to_the_limit,
] via exercise, and [
    the_texts_are_freed,
]);
