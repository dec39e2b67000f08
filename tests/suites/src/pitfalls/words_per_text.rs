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

/// The most the page allows in one call: texts of 17 MiB, 17 MiB
/// included, up to 64 MiB in all, 64 MiB included (round 17's
/// `words-per-text/08` refused a call of 64 MiB): 17, 17, 17 and 13 MiB,
/// made of [`WORD`] cut at each length.
fn most_texts() -> Vec<String> {
    [BIG_TEXT, BIG_TEXT, BIG_TEXT, (64 << 20) - 3 * BIG_TEXT]
        .into_iter()
        .map(|len| {
            let mut text = WORD.repeat(len / WORD.len() + 1);
            text.truncate(len);
            text
        })
        .collect()
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

/// Heap blocks [`the_texts_are_freed`]'s calls may leave allocated between
/// them, as the shared checks allow (the reference leaves none).
const LEFT_BLOCKS: isize = 2;

/// The texts are freed: the page's `Box::leak` makes the compiler quiet by
/// never freeing them. After a first call on 64 MiB, the most the page
/// allows ([`most_texts`]; it also settles the allocator),
/// [`CALLS`] calls on [`BIG_TEXTS`] texts of 17 MiB each: a leak keeps every
/// call's texts, 51 MiB a call, in the process's resident memory (`VmRSS`);
/// freed texts are reused by the next call, so the memory held afterwards
/// grows by about one call's texts at most. Over half the calls' texts
/// held is a leak.
pub fn the_texts_are_freed(f: WordsPerText) {
    if harness::memory::resident_self() == 0 {
        return; // no /proc/self/status: nothing to measure with
    }
    let call_on = |texts: fn() -> Vec<String>, what: &str| {
        let want: Vec<usize> = texts().iter().map(|t| count_big(t)).collect();
        let before = BIG_COUNTS.load(std::sync::atomic::Ordering::SeqCst);
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(texts(), count_big)))
            .unwrap_or_else(|payload| {
                panic!(
                    "words_per_text on {what} panicked ({}): the page allows texts of up to \
                     17 MiB each and 64 MiB in all, both limits included; every call within \
                     them answers",
                    harness::record::panic_message(payload.as_ref())
                )
            });
        let counted = BIG_COUNTS.load(std::sync::atomic::Ordering::SeqCst) - before;
        assert!(
            got == want,
            "words_per_text on {what} returned {got:?}, but their counts, in order, are {want:?}"
        );
        assert!(
            counted == want.len(),
            "words_per_text on {what} returned the right counts, but called `count` {counted} \
             times, where every call must count every text, once: a memo of texts seen before \
             (a `static`) answers from an earlier call"
        );
    };
    let call = || call_on(big_texts, "3 texts of 17 MiB");
    // The first call, which settles the allocator, is the largest the page
    // allows.
    call_on(
        most_texts,
        "4 texts of 17, 17, 17 and 13 MiB (64 MiB in all)",
    );
    let before = harness::memory::resident_self();
    let threads_before = harness::aftermath::threads_now();
    let ((), left) = harness::heap::net_blocks(|| {
        for _ in 0..CALLS {
            call();
        }
        // Threads free what they own as they end, which can be just after
        // a scope or a channel let the call return.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while harness::aftermath::threads_now() > threads_before
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    });
    // The suites' allocator counts every block: one text kept is one
    // block, whatever the memory the process holds (round 17's
    // `words-per-text/02` leaked one text of the three, 17 MiB a call,
    // under the memory bound below).
    assert!(
        !harness::heap::installed() || left <= LEFT_BLOCKS,
        "words_per_text on {BIG_TEXTS} texts of 17 MiB each, {CALLS} calls, every text made \
         and every answer dropped inside the count: {left} heap blocks they allocated were \
         never freed (at most {LEFT_BLOCKS} pass): a text, or something shared, is kept after \
         the call. `Box::leak` makes the compiler quiet by never giving the memory back, even \
         if only some texts are leaked. Start the threads in `thread::scope` (they may borrow \
         `texts`), or move each text into its own thread."
    );
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
