//! The coverage rule: the course catalogue, the suites, the manifest and the
//! decoy corpus agree. Every requirement a page promises has a check, every
//! check has a decoy that proves it can fail, and every decoy breaks a
//! requirement its check judges. `cargo xtask check` runs this test too.

#[test]
fn every_promise_has_a_check_and_every_check_a_decoy() {
    let root = course::root();
    let course = course::Course::load(&root).expect("exercises/info.toml loads");
    let problems = decoys::catalogue::problems(&root, &course);
    assert!(
        problems.is_empty(),
        "the catalogue, the suites and the decoys disagree ({}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
