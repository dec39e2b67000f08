//! Runs the page-cache suite (tests/suites) against this crate.
suites::page_cache!(page_cache);
