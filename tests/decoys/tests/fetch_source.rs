//! The fetchers', the page cache's, the tally's and the texts' decoys whose fault only their source shows, read with
//! their own file as the source ([`decoys::fetch_source::SOURCE`]): a test
//! binary of their own, since the source the suites read is one per
//! process.

#[test]
fn every_source_decoy_is_rejected_for_the_right_reason() {
    suites::pure::set_source(decoys::fetch_source::SOURCE);
    let mut misses = decoys::misses(
        &decoys::fetch_source::fetch_all(),
        suites::fetch_all::CHECKS,
    );
    misses.extend(decoys::misses(
        &decoys::fetch_source::fetch_bounded(),
        suites::fetch_bounded::CHECKS,
    ));
    misses.extend(decoys::misses(
        &decoys::fetch_source::fetch_paced_decoys(),
        suites::fetch_paced::CHECKS,
    ));
    misses.extend(decoys::misses(
        &decoys::fetch_source::page_cache(),
        suites::page_cache::CHECKS,
    ));
    misses.extend(decoys::misses(
        &decoys::fetch_source::poison(),
        suites::poison::CHECKS,
    ));
    misses.extend(decoys::misses(
        &decoys::fetch_source::total_words(),
        suites::total_words::CHECKS,
    ));
    misses.extend(decoys::misses(
        &decoys::fetch_source::words_per_text(),
        suites::words_per_text::CHECKS,
    ));
    misses.extend(decoys::misses(
        &decoys::fetch_source::word_frequencies(),
        suites::word_frequencies::CHECKS,
    ));
    misses.extend(decoys::misses(
        &decoys::fetch_source::count_under_gil(),
        suites::count_under_gil::CHECKS,
    ));
    assert!(
        misses.is_empty(),
        "decoys not rejected:\n{}",
        misses.join("\n\n")
    );
}
