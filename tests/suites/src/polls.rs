//! A wait that polls, spins or gives up, seen in the source.
//!
//! The kernel counts a waiting thread's wake-ups and CPU time, and the
//! Pitfalls checks judge the caller by them while its threads are held.
//! But a check watches for a while: a spin shorter than its CPU allowance
//! (round 11's `total-words/07`, 700 µs on `is_finished` before joining),
//! a poll slower than its window (`count-under-gil/04`, a `Condvar` waited
//! on for 600 ms at a time) or a give-up later than its longest hold
//! (`words-per-text/09`, `recv_timeout` of 2 s, the unfinished texts
//! reported as 0) stays inside what it can see. What they call is in the
//! source all the same, and none of it has a place in these exercises,
//! whose threads are waited for by `join` (or a blocking receive), asleep
//! until they are done.
//!
//! So the exercise's `src/lib.rs` (as [`crate::pure::source`] gives it) is
//! parsed, and every call of a function or method that waits for a length
//! of time, or checks without waiting, is named.

use syn::visit::Visit;

/// The file system, which an exercise that keeps nothing between calls
/// and reads no clock has no use for: a file outlives the call as a global
/// does (round 19's `fetch-all/08` kept a memo of pages in the temp
/// folder), and `/proc/uptime` is a clock (round 20's `page-cache/05`
/// expired pages by it). A path is named by its last segment or its last
/// two (`fs::write`, `File::open`).
pub const FILES: &[(&str, &str)] = &[
    ("temp_dir", "uses the file system"),
    ("File::open", "opens a file"),
    ("File::create", "creates a file"),
    ("OpenOptions::new", "opens a file"),
    ("fs::write", "writes a file"),
    ("fs::read", "reads a file"),
    ("fs::read_to_string", "reads a file"),
    ("fs::create_dir_all", "changes the file system"),
    ("fs::remove_file", "changes the file system"),
    ("metadata", "reads the file system"),
];

/// A process of its own, which an exercise that needs no clock has no use
/// for: its end can be a clock (round 19's `fetch-all/07` and
/// `fetch-bounded/10` timed the whole call with a child `sleep 10`).
pub const PROCESSES: &[(&str, &str)] = &[(
    "Command::new",
    "starts a process (a child `sleep` is a clock)",
)];

/// What waits by the clock or checks without waiting, with what it does.
const POLLING: &[(&str, &str)] = &[
    ("sleep", "sleeps for a time"),
    ("sleep_ms", "sleeps for a time"),
    ("yield_now", "gives up its core and comes back to check"),
    ("spin_loop", "spins"),
    (
        "is_finished",
        "checks whether a thread is done without waiting",
    ),
    ("try_recv", "checks for a message without waiting"),
    ("try_wait", "checks whether a child is done without waiting"),
    ("try_lock", "tries a lock without waiting"),
    ("try_iter", "checks for messages without waiting"),
    ("recv_timeout", "waits with a time-out"),
    ("recv_deadline", "waits with a time-out"),
    ("wait_timeout", "waits with a time-out"),
    ("wait_timeout_ms", "waits with a time-out"),
    ("wait_timeout_while", "waits with a time-out"),
    ("park_timeout", "waits with a time-out"),
    ("park_deadline", "waits with a time-out"),
    ("send_timeout", "waits with a time-out"),
    ("select_timeout", "waits with a time-out"),
    ("ready_timeout", "waits with a time-out"),
    ("timeout", "waits with a time-out"),
    ("after", "makes a channel that fires after a time"),
    ("tick", "makes a channel that fires after a time"),
    // A socket's or a file's read that gives up (round 14's
    // `total-words/17`: a watchdog thread timed by a UDP socket's read).
    ("set_read_timeout", "makes a read give up after a time"),
    ("set_write_timeout", "makes a write give up after a time"),
    ("connect_timeout", "waits with a time-out"),
    ("now", "reads the clock"),
    ("elapsed", "reads the clock"),
];

/// Where `source` polls, spins or waits by the clock: one line per call,
/// with its line in `src/lib.rs`; and one per loop that reads an atomic
/// again and again ([`spin_loops`]).
pub fn polls(source: &str) -> Result<Vec<String>, String> {
    let mut found = calls_of(source, POLLING)?;
    found.extend(spin_loops(source, &["load"])?);
    Ok(found)
}

/// What a loop may call each time round and still be a wait, not a spin:
/// it sleeps there until something changes.
const WAITS: &[&str] = &[
    "wait",
    "wait_while",
    "wait_timeout",
    "wait_timeout_while",
    "wait_timeout_ms",
    "park",
    "park_timeout",
    "park_deadline",
    "recv",
    "recv_timeout",
    "recv_deadline",
    "join",
    "sleep",
    "sleep_ms",
];

/// What a loop may call each time round and be an update, not a wait: a
/// compare-and-swap retried until it holds.
const SWAPS: &[&str] = &["compare_exchange", "compare_exchange_weak", "fetch_update"];

/// Loops that call one of `reads` (`load`: an atomic; `now`, `elapsed`:
/// the clock) each time round, and none of [`WAITS`] or [`SWAPS`]: a
/// wait that checks again and again instead of sleeping until woken. Round
/// 17's red team, in all four texts exercises, checked a count of finished
/// threads 20 000 times before joining: under any CPU allowance a check
/// could set, and naming nothing of [`POLLING`]; round 16's `gil/07` spun
/// 300 µs on the clock by hand before it slept. Closures inside a loop are
/// code that runs elsewhere (a thread's work), not the loop's own.
pub fn spin_loops(source: &str, reads: &[&str]) -> Result<Vec<String>, String> {
    /// What a loop's own code (outside closures) calls.
    struct Calls<'r> {
        reads: &'r [&'r str],
        read: Option<(usize, String)>,
        waits_or_swaps: bool,
    }

    impl Calls<'_> {
        fn note(&mut self, ident: &proc_macro2::Ident) {
            let name = ident.to_string();
            if self.reads.contains(&name.as_str()) && self.read.is_none() {
                self.read = Some((ident.span().start().line, name.clone()));
            }
            if WAITS.contains(&name.as_str()) || SWAPS.contains(&name.as_str()) {
                self.waits_or_swaps = true;
            }
        }
    }

    impl<'ast> Visit<'ast> for Calls<'_> {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            self.note(&m.method);
            syn::visit::visit_expr_method_call(self, m);
        }

        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if let Some(last) = p.path.segments.last() {
                self.note(&last.ident);
            }
            syn::visit::visit_expr_path(self, p);
        }

        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }

    struct Loops<'r> {
        reads: &'r [&'r str],
        found: Vec<String>,
    }

    impl Loops<'_> {
        fn judge(&mut self, looped: impl FnOnce(&mut Calls)) {
            let mut calls = Calls {
                reads: self.reads,
                read: None,
                waits_or_swaps: false,
            };
            looped(&mut calls);
            if let (Some((line, name)), false) = (calls.read, calls.waits_or_swaps) {
                self.found.push(format!(
                    "src/lib.rs line {line}: `{name}` in a loop that never waits (checks \
                     again and again: a spin)"
                ));
            }
        }
    }

    impl<'ast> Visit<'ast> for Loops<'_> {
        fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
            self.judge(|c| {
                c.visit_expr(&w.cond);
                c.visit_block(&w.body);
            });
            syn::visit::visit_expr_while(self, w);
        }

        fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
            self.judge(|c| c.visit_block(&l.body));
            syn::visit::visit_expr_loop(self, l);
        }

        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            self.judge(|c| c.visit_block(&f.body));
            syn::visit::visit_expr_for_loop(self, f);
        }
    }

    let file = crate::reach::parse(source)?;
    let mut loops = Loops {
        reads,
        found: Vec::new(),
    };
    loops.visit_file(&file);
    Ok(loops.found)
}

/// Where `source` calls (or names, in a macro's tokens) a function or
/// method of `table`, with what it does: one line per place, with its line
/// in `src/lib.rs`; and where it takes code from another file, which could
/// hold any of them ([`crate::reach::other_files`]). A place inside a `macro_rules!` says which macro, so
/// that it counts wherever the macro is used ([`crate::pure::reached_by`]).
pub fn calls_of(source: &str, table: &[(&str, &str)]) -> Result<Vec<String>, String> {
    struct Finder<'t> {
        table: &'t [(&'t str, &'t str)],
        found: Vec<String>,
        /// The `macro_rules!` being read, if any.
        in_macro: Option<String>,
        /// What each name a `use` brings in stands for ([`imports`]).
        imported: std::collections::HashMap<String, Vec<String>>,
    }

    impl Finder<'_> {
        fn note(&mut self, ident: &proc_macro2::Ident) {
            self.note_as(ident, &ident.to_string());
        }

        /// Notes `ident` if `name`, or what a `use` made it stand for, is
        /// in the table: `use std::env::var as setting` makes `setting`
        /// the environment (round 18's red team hid `var`, `args_os`,
        /// `sleep`, `set_hook` and `panic_any` so).
        fn note_as(&mut self, ident: &proc_macro2::Ident, name: &str) {
            let mut names = vec![name.to_owned()];
            names.extend(self.imported.get(name).into_iter().flatten().cloned());
            let hit = names
                .iter()
                .find_map(|name| self.table.iter().find(|(n, _)| n == name));
            if let Some((name, what)) = hit {
                let local = ident.to_string();
                let name = if name.ends_with(local.as_str()) {
                    format!("`{name}`")
                } else {
                    format!("`{local}`, that is `{name}`")
                };
                let within = self
                    .in_macro
                    .as_ref()
                    .map_or_else(String::new, |m| format!(" in `macro_rules! {m}`"));
                self.found.push(format!(
                    "src/lib.rs line {}: {name} ({what}){within}",
                    ident.span().start().line
                ));
            }
        }

        /// A macro's tokens are not syntax: every word among them counts.
        fn words(&mut self, tokens: proc_macro2::TokenStream) {
            for token in tokens {
                match token {
                    proc_macro2::TokenTree::Ident(id) => self.note(&id),
                    proc_macro2::TokenTree::Group(g) => self.words(g.stream()),
                    _ => {}
                }
            }
        }
    }

    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
            // `macro_rules! name { ... }`: its body, named by the macro.
            match &m.ident {
                Some(name) => {
                    self.in_macro = Some(name.to_string());
                    self.words(m.mac.tokens.clone());
                    self.in_macro = None;
                }
                None => syn::visit::visit_item_macro(self, m),
            }
        }

        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            self.words(m.tokens.clone());
            // crossbeam's `select!` waits with a time-out in a
            // `default(duration) => ...` arm (round 15's
            // `fetch-bounded/11` polled with it).
            let select = m
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "select" || s.ident == "select_biased");
            if select && self.table.iter().any(|(n, _)| *n == "select_timeout") {
                let tokens: Vec<proc_macro2::TokenTree> = m.tokens.clone().into_iter().collect();
                for pair in tokens.windows(2) {
                    if let [
                        proc_macro2::TokenTree::Ident(id),
                        proc_macro2::TokenTree::Group(g),
                    ] = pair
                        && id == "default"
                        && g.delimiter() == proc_macro2::Delimiter::Parenthesis
                        && !g.stream().is_empty()
                    {
                        self.found.push(format!(
                            "src/lib.rs line {}: `default(..)` in `select!` (waits with a \
                             time-out)",
                            id.span().start().line
                        ));
                    }
                }
            }
        }

        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            self.note(&m.method);
            syn::visit::visit_expr_method_call(self, m);
        }

        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            // A function named by its path (`thread::sleep`), called or
            // passed on; and by its last two segments (`thread::current`).
            let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
            if let Some(last) = segments.last() {
                self.note(&last.ident);
                if let [.., parent, last] = segments.as_slice() {
                    self.note_as(&last.ident, &format!("{}::{}", parent.ident, last.ident));
                }
            }
            syn::visit::visit_expr_path(self, p);
        }
    }

    let file = crate::reach::parse(source)?;
    let mut finder = Finder {
        table,
        found: crate::reach::other_files(&file),
        in_macro: None,
        imported: imports(&file),
    };
    finder.visit_file(&file);
    Ok(finder.found)
}

/// What each name that a `use` brings into `file` stands for: the item's
/// own name, and its parent's and its own (`use std::thread::current as
/// me` makes `me` stand for `current` and `thread::current`).
fn imports(file: &syn::File) -> std::collections::HashMap<String, Vec<String>> {
    #[derive(Default)]
    struct Uses {
        path: Vec<String>,
        found: std::collections::HashMap<String, Vec<String>>,
    }

    impl Uses {
        fn bring(&mut self, local: &syn::Ident, item: &syn::Ident) {
            let mut stands_for = vec![item.to_string()];
            if let Some(parent) = self.path.last() {
                stands_for.push(format!("{parent}::{item}"));
            }
            self.found
                .entry(local.to_string())
                .or_default()
                .extend(stands_for);
        }
    }

    impl<'ast> Visit<'ast> for Uses {
        fn visit_use_path(&mut self, p: &'ast syn::UsePath) {
            self.path.push(p.ident.to_string());
            self.visit_use_tree(&p.tree);
            self.path.pop();
        }

        fn visit_use_name(&mut self, n: &'ast syn::UseName) {
            self.bring(&n.ident, &n.ident);
        }

        fn visit_use_rename(&mut self, r: &'ast syn::UseRename) {
            self.bring(&r.rename, &r.ident);
        }
    }

    let mut uses = Uses::default();
    uses.visit_file(file);
    uses.found
}

/// Fails if the crate under test polls, spins or waits by the clock,
/// naming each place, with `why`: what the page promises. `check` names
/// the check in the message. A crate whose source was not set is not
/// judged here, and says so.
#[track_caller]
pub fn refuse_polls(check: &str, why: &str) {
    let Some(source) = crate::pure::source() else {
        harness::speedup::not_judged(check, "the crate's source was not given to the suite");
        return;
    };
    let found = polls(source).unwrap_or_else(|e| {
        panic!("[{check}] the suite could not parse your src/lib.rs as it was built ({e})")
    });
    let found = crate::pure::with_functions(source, found);
    assert!(
        found.is_empty(),
        "[{check}] your crate waits by the clock or checks without waiting: {}. {why}",
        found.join("; ")
    );
}

/// [`refuse_polls`] for what `root` reaches only ([`crate::reach`]): the
/// student's function and its helpers, not a course example beside them.
#[track_caller]
pub fn refuse_polls_from(check: &str, root: &str, why: &str) {
    refuse_calls_from(check, &[root], None, why);
}

/// What spins or naps instead of sleeping until woken: for a lock whose
/// waiters legitimately wait with a time-out (the GIL's switch interval,
/// on its `Condvar`), the rest of [`POLLING`] is no fault. A thread's own
/// timed park is a nap (round 16's `gil/06` parked for a microsecond once
/// in 65 536 check-ins).
pub const SPINNING: &[&str] = &[
    "sleep",
    "sleep_ms",
    "yield_now",
    "spin_loop",
    "park_timeout",
    "park_deadline",
];

/// [`refuse_calls_from`] with [`SPINNING`], and loops that read the clock
/// or an atomic without waiting ([`spin_loops`]), in what `roots` reach.
#[track_caller]
pub fn refuse_spins_from(check: &str, roots: &[&str], why: &str) {
    let Some(source) = crate::pure::source() else {
        harness::speedup::not_judged(check, "the crate's source was not given to the suite");
        return;
    };
    let table: Vec<(&str, &str)> = POLLING
        .iter()
        .copied()
        .filter(|(name, _)| SPINNING.contains(name))
        .collect();
    let found = calls_of(source, &table).and_then(|mut found| {
        found.extend(spin_loops(source, &["now", "elapsed", "load"])?);
        Ok(found)
    });
    refuse_found(check, source, roots, found, "spins, yields or naps", why);
}

/// Fails if what `roots` reach ([`crate::reach`]) calls any of
/// [`POLLING`] (or only those named in `only`), naming each place.
#[track_caller]
pub fn refuse_calls_from(check: &str, roots: &[&str], only: Option<&[&str]>, why: &str) {
    let Some(source) = crate::pure::source() else {
        harness::speedup::not_judged(check, "the crate's source was not given to the suite");
        return;
    };
    let doing = if only.is_some() {
        "spins, yields or naps"
    } else {
        "waits by the clock or checks without waiting"
    };
    refuse_calls_in(check, source, roots, only, doing, why);
}

/// Fails if what `roots` reach in `source` calls any of [`POLLING`] (or
/// only those named in `only`), naming each place: your function `doing`
/// (what those calls do), then `why`.
#[track_caller]
pub fn refuse_calls_in(
    check: &str,
    source: &str,
    roots: &[&str],
    only: Option<&[&str]>,
    doing: &str,
    why: &str,
) {
    let table: Vec<(&str, &str)> = POLLING
        .iter()
        .copied()
        .filter(|(name, _)| only.is_none_or(|names| names.contains(name)))
        .collect();
    refuse_any_in(check, source, roots, &table, doing, why);
}

/// Fails if what `roots` reach in `source` calls (or names in a macro)
/// anything of `table`, naming each place: your function `doing`, then
/// `why`.
#[track_caller]
pub fn refuse_any_in(
    check: &str,
    source: &str,
    roots: &[&str],
    table: &[(&str, &str)],
    doing: &str,
    why: &str,
) {
    refuse_found(check, source, roots, calls_of(source, table), doing, why);
}

/// Fails if the crate under test (all of `src/lib.rs`, as [`refuse_polls`]
/// reads it) calls or names anything of `table`, naming each place: your
/// crate `doing`, then `why`. A crate whose source was not set is not
/// judged here, and says so.
#[track_caller]
pub fn refuse_in_crate(check: &str, table: &[(&str, &str)], doing: &str, why: &str) {
    let Some(source) = crate::pure::source() else {
        harness::speedup::not_judged(check, "the crate's source was not given to the suite");
        return;
    };
    let found = calls_of(source, table).unwrap_or_else(|e| {
        panic!("[{check}] the suite could not parse your src/lib.rs as it was built ({e})")
    });
    let found = crate::pure::with_functions(source, found);
    assert!(
        found.is_empty(),
        "[{check}] your crate {doing}: {}. {why}",
        found.join("; ")
    );
}

/// Fails if any of `found` (places in `source`, or why it could not be
/// read) lies in what `roots` reach: your function `doing`, then `why`.
#[track_caller]
fn refuse_found(
    check: &str,
    source: &str,
    roots: &[&str],
    found: Result<Vec<String>, String>,
    doing: &str,
    why: &str,
) {
    let found = found
        .and_then(|found| crate::pure::reached_by_all(source, roots, found))
        .unwrap_or_else(|e| {
            panic!("[{check}] the suite could not parse your src/lib.rs as it was built ({e})")
        });
    let found: Vec<String> = crate::pure::with_functions(source, found)
        .iter()
        .map(|place| crate::pure::in_its_file(place))
        .collect();
    assert!(
        found.is_empty(),
        "[{check}] your {} {doing}: {}. {why}",
        crate::pure::named(roots),
        found.join("; ")
    );
}

#[cfg(test)]
mod tests {
    use super::polls;

    #[test]
    fn polls_spins_and_time_outs_are_named() {
        let src = "fn f(h: &std::thread::JoinHandle<()>, rx: &std::sync::mpsc::Receiver<u8>) {
            while !h.is_finished() { std::hint::spin_loop(); }
            let _ = rx.recv_timeout(std::time::Duration::from_secs(2));
            std::thread::sleep(std::time::Duration::from_millis(1));
        }";
        assert_eq!(polls(src).unwrap().len(), 4, "{:?}", polls(src));
    }

    #[test]
    fn names_brought_in_under_another_name_are_named() {
        let src = "use std::thread::sleep as nap;
        use std::thread::{self, current as me};
        fn f() { nap(std::time::Duration::from_millis(1)); let _ = me().name(); let _ = thread::current(); }";
        let found = polls(src).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("`nap`, that is `sleep`"), "{found:?}");
        let table = [("thread::current", "asks which thread runs it")];
        let found = super::calls_of(src, &table).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn code_in_another_file_is_named() {
        let src = "mod wait; mod inline { fn f() {} } fn g() { include!(\"x.rs\"); }";
        let found = polls(src).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found.iter().all(|f| f.contains("another file")),
            "{found:?}"
        );
        let given = crate::reach::given_modules(&["wait"], || polls(src).unwrap());
        assert_eq!(given.len(), 1, "{given:?}");
    }

    #[test]
    fn join_and_blocking_receives_are_not() {
        let src = "fn f(h: std::thread::JoinHandle<()>, rx: std::sync::mpsc::Receiver<u8>) {
            h.join().unwrap();
            for _ in rx.iter() {}
            let _ = rx.recv();
        }";
        assert!(polls(src).unwrap().is_empty(), "{:?}", polls(src));
    }
}
