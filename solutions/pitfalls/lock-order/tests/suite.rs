//! Runs the lock-order suite (tests/suites) against this crate.
suites::lock_order!(lock_order_solution);
