//! Sentences for people: what a speedup check measured and why it reached
//! its verdict. The verdict itself is decided in [`crate::verdict`]; this
//! module only words it, in numbers.

use crate::clock::{Sample, human, ratio};
use crate::verdict::{Judgement, OverlapRule, Reason, SerialRule, SpeedupRule};

/// The sentence for an inconclusive reason, or `None` for a pass or fail.
fn not_judged(reason: Reason, cores: usize, what_reference_missed: &str) -> Option<String> {
    Some(match reason {
        Reason::SingleCore => format!(
            "Not judged: this machine gives the process {cores} core, and CPU work cannot run \
             faster in parallel on one core. Correctness is still tested."
        ),
        Reason::SinglePiece => {
            "Not judged: the work has a single piece, so there is nothing to run in parallel."
                .to_owned()
        }
        Reason::ReferenceTooSlow => format!(
            "Not judged: the reference could not {what_reference_missed} either, so this machine \
             was too busy to show it just now. Run the test again on a quieter machine; a grader \
             re-runs such checks."
        ),
        Reason::UnevenShare => "Not judged: the threads finished sooner than one thread alone \
             while keeping no more than one core busy, so they did not run at once; a busy \
             machine gave threads that sleep and wake in turn a larger share than the single \
             thread. Run the test again on a quieter machine."
            .to_owned(),
        Reason::Disturbed => "Not counted: an earlier test in this run timed out, and its \
             thread may still be running and taking a core. Fix that test first."
            .to_owned(),
        _ => return None,
    })
}

/// Explains a CPU check that expects a speedup.
pub fn speedup(
    rule: &SpeedupRule,
    judgement: Judgement,
    (seq, reference, candidate): (Sample, Sample, Sample),
    hint: &str,
) -> String {
    let target = format!("reach ×{:.2}", rule.clear());
    if let Some(why) = not_judged(judgement.reason, rule.cores, &target) {
        if matches!(judgement.reason, Reason::SingleCore | Reason::SinglePiece) {
            return why;
        }
        return format!(
            "{} {why}",
            speedup_measured(rule, seq, reference, candidate)
        );
    }
    let measured = speedup_measured(rule, seq, reference, candidate);
    let par = candidate.parallelism();
    match judgement.reason {
        Reason::Met => format!("{measured}."),
        // The hint says how to run the pieces at once: it is the answer to
        // pieces that ran one after another, not to parallel work that was
        // slow for another reason (a student who followed it would look
        // for the fault in the wrong place).
        _ if par < 1.2 => format!(
            "{measured}: only one core was busy at a time, so the pieces ran one after \
             another. Hint: {hint}"
        ),
        _ => format!(
            "{measured}: several cores were busy, so the pieces did run at once, but the \
             work did not finish sooner: look for threads spinning, contending on one lock, \
             or doing the work twice."
        ),
    }
}

fn speedup_measured(
    rule: &SpeedupRule,
    seq: Sample,
    reference: Sample,
    candidate: Sample,
) -> String {
    let reached = ratio(seq.wall, reference.wall);
    format!(
        "{} pieces of CPU work took {} with your code and {} one after another: speedup \
         ×{:.2} (needed ×{:.2} on {} cores; the reference reached ×{reached:.2} in the same \
         run). {:.1} cores busy on average",
        rule.tasks,
        human(candidate.wall),
        human(seq.wall),
        ratio(seq.wall, candidate.wall),
        rule.required(reached),
        rule.cores,
        candidate.parallelism(),
    )
}

/// Explains a CPU check under a global lock.
pub fn serial(
    rule: &SerialRule,
    judgement: Judgement,
    (seq, reference, candidate): (Sample, Sample, Sample),
    hint: &str,
) -> String {
    let time = ratio(candidate.wall, seq.wall);
    let measured = format!(
        "{} pieces of CPU work in threads under the lock took {}, and {} one after another: \
         {time:.2}× the sequential time (expected {:.2}–{:.2}×, because only the holder runs; \
         without the lock the reference ran ×{:.2} faster in the same run on {} cores). {:.1} \
         cores busy on average (at most {:.1} expected)",
        rule.parallel.tasks,
        human(candidate.wall),
        human(seq.wall),
        rule.low,
        rule.high,
        ratio(seq.wall, reference.wall),
        rule.parallel.cores,
        candidate.parallelism(),
        rule.max_cores,
    );
    let target = format!(
        "run ×{:.2} faster without the lock",
        rule.parallel.expected()
    );
    if let Some(why) = not_judged(judgement.reason, rule.parallel.cores, &target) {
        if matches!(judgement.reason, Reason::SingleCore | Reason::SinglePiece) {
            return why;
        }
        return format!("{measured}. {why}");
    }
    match judgement.reason {
        Reason::Met => format!("{measured}."),
        Reason::RanInParallel => format!(
            "{measured}: the threads ran at the same time, so the lock did not keep them apart. \
             Hint: {hint}"
        ),
        Reason::BurnsCpu => format!(
            "{measured}: more than one core was busy although only the holder may run. Threads \
             that wait for the lock must sleep (a Condvar wait), not spin or yield in a loop; \
             or the lock let two threads run at once."
        ),
        _ => format!(
            "{measured}: slower than one after another, so handing the lock over costs too much. \
             Hint: hand over only when a waiter has waited a whole switch interval, not at every \
             check-in."
        ),
    }
}

/// Explains a waiting check.
pub fn overlap(
    rule: &OverlapRule,
    judgement: Judgement,
    (reference_total, candidate_total): (Sample, Sample),
    (reference, candidate): (Sample, Sample),
    rounds: usize,
    hint: &str,
) -> String {
    let limit = if rule.in_flight >= rule.requests {
        "all at once".to_owned()
    } else {
        format!("{} at a time", rule.in_flight)
    };
    let overlap = ratio(rule.sequential(), candidate.wall);
    let measured = format!(
        "{} requests of {} took {} (best of {rounds}); overlapped {limit} they take about {}, \
         and up to {} passes. Overlap ×{overlap:.1}",
        rule.requests,
        human(rule.latency),
        human(candidate.wall),
        human(rule.ideal()),
        human(rule.bound()),
    );
    let target = format!("finish within {}", human(rule.bound()));
    if let Some(why) = not_judged(judgement.reason, 0, &target) {
        return format!(
            "{measured}. The reference took {}. {why}",
            human(reference.wall)
        );
    }
    match judgement.reason {
        Reason::Met => format!("{measured}."),
        Reason::BurnsCpu => format!(
            "{measured}, but over {rounds} runs your code used {} of CPU time against the \
             reference's {}: {:.2} cores busy beyond the reference on average (at most {:.2} \
             passes), doing nothing useful. Waiting must not burn CPU: block on the join, the \
             channel or the socket instead of spinning or polling in a loop.",
            human(candidate_total.cpu),
            human(reference_total.cpu),
            OverlapRule::extra_cores(reference_total, candidate_total),
            rule.max_extra_cores,
        ),
        reason => {
            let why = if reason == Reason::PlainlySerial || overlap < 1.3 {
                "they ran one after another".to_owned()
            } else {
                format!("only about {overlap:.1} were waiting at any moment")
            };
            format!("{measured}: {why}. Hint: {hint}")
        }
    }
}
