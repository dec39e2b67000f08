//! Runs the workers suite (tests/suites) against this crate.
suites::workers!(workers_solution);
