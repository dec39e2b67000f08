//! What the suites of pure functions share: draws over the whole range a
//! type allows, and the witness that a function keeps no state between
//! calls.
//!
//! A pure function's suite draws its arguments log-uniformly over the whole
//! range the page states (a nanosecond to years, a byte to `u64::MAX`), so
//! that a rule bent only past the sizes a suite happens to draw (a cap, a
//! clamp, a float that rounds at large sizes) meets a size past its bend.
//!
//! State kept between calls (a `static` counter that changes the answer
//! after so many calls) cannot be seen by calling: a suite calls a finite
//! number of times, and a counter can wait longer. It is seen in the
//! source: the exercise's `src/lib.rs`, built into the suite's test binary
//! by its adapter macro (`include_str!`), is parsed with `syn`, and any
//! `static` item (also inside a function or a macro such as `thread_local!`)
//! is refused. In safe Rust, which the exercises forbid leaving, a global
//! is the only place a value outlives a call.

use std::time::Duration;

use crate::fetching::Draw;

/// A number of `bits` random bits, from `draw`.
fn random_bits(draw: &mut Draw, bits: u32) -> u128 {
    let mut x: u128 = 0;
    for _ in 0..4 {
        x = (x << 32) | draw.pick(0..=u32::MAX as usize) as u128;
    }
    if bits >= 128 {
        x
    } else {
        x & ((1u128 << bits) - 1)
    }
}

/// A number below `bound` (at least 1), about evenly spread.
pub fn below(draw: &mut Draw, bound: u128) -> u128 {
    random_bits(draw, 128) % bound
}

/// A number from `low` to `high` (inclusive, `low ≥ 1`), spread evenly over
/// the powers of two between: as likely to be near a nanosecond as near a
/// year.
pub fn log_uniform(draw: &mut Draw, low: u128, high: u128) -> u128 {
    assert!(
        1 <= low && low <= high,
        "a fault of the suite: {low}..={high}"
    );
    let (lo_bits, hi_bits) = (128 - low.leading_zeros(), 128 - high.leading_zeros());
    let bits = draw.pick(lo_bits as usize..=hi_bits as usize) as u32;
    // A number of exactly `bits` bits, then kept within the range.
    let top = 1u128 << (bits - 1);
    (top | random_bits(draw, bits - 1)).clamp(low, high)
}

/// [`log_uniform`] for a `u64`.
pub fn log_u64(draw: &mut Draw, low: u64, high: u64) -> u64 {
    log_uniform(draw, low.into(), high.into()) as u64
}

/// A duration from `low` to `high`, to the nanosecond, log-uniform.
pub fn log_duration(draw: &mut Draw, low: Duration, high: Duration) -> Duration {
    nanos(log_uniform(draw, low.as_nanos().max(1), high.as_nanos()))
}

/// A duration of `ns` nanoseconds (any number a `Duration` holds).
pub fn nanos(ns: u128) -> Duration {
    let secs = u64::try_from(ns / 1_000_000_000).expect("a fault of the suite: past Duration::MAX");
    Duration::new(secs, (ns % 1_000_000_000) as u32)
}

/// A year, for the ranges the pages state.
pub const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// Where the source of the crate under test says it keeps something
/// between calls: one line per `static` item or macro that declares one,
/// with its line in `src/lib.rs`. Empty for a function of its arguments
/// alone. `Err` when the source does not parse.
pub fn state_kept(source: &str) -> Result<Vec<String>, String> {
    use syn::visit::Visit;

    struct Finder(Vec<String>);

    fn at(span: proc_macro2::Span) -> String {
        format!("src/lib.rs line {}", span.start().line)
    }

    /// `static` as a word in `tokens` (not the lifetime `'static`), at any
    /// depth, and the name it declares (the next word but `mut`).
    fn static_word(tokens: proc_macro2::TokenStream) -> Option<(proc_macro2::Span, String)> {
        let mut after_quote = false;
        let mut found: Option<proc_macro2::Span> = None;
        for tree in tokens {
            match tree {
                proc_macro2::TokenTree::Ident(id) if found.is_some() && id != "mut" => {
                    return found.map(|span| (span, id.to_string()));
                }
                proc_macro2::TokenTree::Ident(id) if id == "static" && !after_quote => {
                    found = Some(id.span());
                }
                proc_macro2::TokenTree::Group(g) => {
                    if let Some(found) = static_word(g.stream()) {
                        return Some(found);
                    }
                    after_quote = false;
                }
                proc_macro2::TokenTree::Punct(p) => after_quote = p.as_char() == '\'',
                _ => after_quote = false,
            }
        }
        None
    }

    impl<'ast> Visit<'ast> for Finder {
        fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
            self.0.push(format!(
                "{}: `static {}`",
                at(item.static_token.span),
                item.ident
            ));
            syn::visit::visit_item_static(self, item);
        }

        fn visit_foreign_item_static(&mut self, item: &'ast syn::ForeignItemStatic) {
            self.0.push(format!(
                "{}: `static {}`",
                at(item.static_token.span),
                item.ident
            ));
        }

        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            let name = mac
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            let span = mac
                .path
                .segments
                .first()
                .map_or_else(proc_macro2::Span::call_site, |s| s.ident.span());
            if name == "thread_local" {
                let declared = static_word(mac.tokens.clone())
                    .map_or_else(String::new, |(_, n)| format!(" (`static {n}`)"));
                self.0
                    .push(format!("{}: `thread_local!`{declared}", at(span)));
            } else if let Some((word, declared)) = static_word(mac.tokens.clone()) {
                self.0.push(format!(
                    "{}: `{name}!` declares a `static` (`static {declared}`)",
                    at(word)
                ));
            }
            syn::visit::visit_macro(self, mac);
        }
    }

    let file = crate::reach::parse(source)?;
    let mut finder = Finder(crate::reach::other_files(&file));
    finder.visit_file(&file);
    Ok(finder.0)
}

/// The source of the crate under test, as its test binary was built: set
/// by each suite test before it runs (`include_str!` of the crate's
/// `src/lib.rs`), or by a decoy runner for the decoy it runs.
static SOURCE: std::sync::Mutex<Option<&'static str>> = std::sync::Mutex::new(None);

/// Sets the source the checks read with [`source`].
pub fn set_source(source: &'static str) {
    *SOURCE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(source);
}

/// The source of the crate under test, if a suite test or a decoy runner
/// set it.
pub fn source() -> Option<&'static str> {
    *SOURCE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The modules [`with_modules`] appended to the source: each one's file
/// (`src/<name>.rs`) and the line of the whole source its first line is.
static MODULES: std::sync::Mutex<Vec<(String, usize)>> = std::sync::Mutex::new(Vec::new());

/// Runs `check` with the source read as `src/lib.rs` followed by each of
/// `modules` (its name and text) as an inline `mod name { ... }`, and the
/// modules taken for ones the course gives ([`crate::reach::given_modules`]):
/// the source witnesses then read the code of those files too, and
/// [`in_its_file`] names a place there by its own file and line. Without a
/// source set, `check` runs as it is.
pub fn with_modules<T>(modules: &[(&'static str, &'static str)], check: impl FnOnce() -> T) -> T {
    let Some(lib) = source() else {
        return check();
    };
    let mut whole = lib.to_owned();
    let mut table = Vec::new();
    for (name, text) in modules {
        if !whole.ends_with('\n') {
            whole.push('\n');
        }
        whole.push_str(&format!("mod {name} {{\n"));
        table.push((format!("src/{name}.rs"), whole.lines().count() + 1));
        whole.push_str(text);
        whole.push_str("\n}\n");
    }
    let names: Vec<&'static str> = modules.iter().map(|(name, _)| *name).collect();
    let names: &'static [&'static str] = Box::leak(names.into_boxed_slice());
    set_source(Box::leak(whole.into_boxed_str()));
    let lock = || {
        MODULES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    *lock() = table;
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::reach::given_modules(names, check)
    }));
    lock().clear();
    set_source(lib);
    out.unwrap_or_else(|payload| std::panic::resume_unwind(payload))
}

/// `place` ("src/lib.rs line N: ...") named by its own file and line when
/// N is in a module [`with_modules`] appended: "src/role.rs line M: ...".
pub fn in_its_file(place: &str) -> String {
    let Some(line) = line_of(place) else {
        return place.to_owned();
    };
    let modules = MODULES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match modules.iter().rev().find(|(_, first)| line >= *first) {
        Some((file, first)) => {
            let rest = &place["src/lib.rs line ".len() + line.to_string().len()..];
            format!("{file} line {}{rest}", line - first + 1)
        }
        None => place.to_owned(),
    }
}

/// `found` (one line per place, each starting `src/lib.rs line N`) with
/// the function each place is in: `src/lib.rs line N (in `fn name`)`. A
/// student reads where to look; a decoy corpus that keeps many wrong
/// functions in one file proves that each is refused for its own place.
pub fn with_functions(source: &str, found: Vec<String>) -> Vec<String> {
    use syn::spanned::Spanned;
    use syn::visit::Visit;

    /// Every function's name and the lines it spans.
    struct Functions(Vec<(String, usize, usize)>);

    impl Functions {
        fn note(&mut self, name: &syn::Ident, span: proc_macro2::Span) {
            self.0
                .push((name.to_string(), span.start().line, span.end().line));
        }
    }

    impl<'ast> Visit<'ast> for Functions {
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            self.note(&f.sig.ident, f.span());
            syn::visit::visit_item_fn(self, f);
        }

        fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
            self.note(&f.sig.ident, f.span());
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    let Ok(file) = syn::parse_file(source) else {
        return found;
    };
    let mut functions = Functions(Vec::new());
    functions.visit_file(&file);
    found
        .into_iter()
        .map(|place| {
            let line: Option<usize> = place
                .strip_prefix("src/lib.rs line ")
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse().ok());
            // The innermost function around the line: the one that starts last.
            let inner = line.and_then(|line| {
                functions
                    .0
                    .iter()
                    .filter(|(_, from, to)| (*from..=*to).contains(&line))
                    .max_by_key(|(_, from, _)| *from)
            });
            match inner {
                Some((name, ..)) => {
                    let digits = "src/lib.rs line ".len()
                        + place["src/lib.rs line ".len()..]
                            .chars()
                            .take_while(char::is_ascii_digit)
                            .count();
                    format!("{} (in `fn {name}`){}", &place[..digits], &place[digits..])
                }
                None => place,
            }
        })
        .collect()
}

/// Fails if the crate under test keeps anything in a global (a `static`,
/// `thread_local!`), naming each, with `why`: what the page promises that
/// a global breaks. `check` names the check in the message. A crate whose
/// source was not set (a check called outside a suite test) is not judged
/// here, and says so.
#[track_caller]
pub fn refuse_globals(check: &str, why: &str) {
    let Some(source) = source() else {
        harness::speedup::not_judged(check, "the crate's source was not given to the suite");
        return;
    };
    let found = match state_kept(source) {
        Ok(found) => with_functions(source, found),
        Err(e) => {
            panic!("[{check}] the suite could not parse your src/lib.rs as it was built ({e})")
        }
    };
    assert!(
        found.is_empty(),
        "[{check}] your crate keeps something in a global: {}. {why}",
        found.join("; ")
    );
}

/// The line of `src/lib.rs` a place names ("src/lib.rs line N: ...").
fn line_of(place: &str) -> Option<usize> {
    place
        .strip_prefix("src/lib.rs line ")?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The name a place declares ("... `static NAME`"), if it names one.
fn declared_name(place: &str) -> Option<&str> {
    let rest = &place[place.find("`static ")? + "`static ".len()..];
    rest.split('`').next()
}

/// The macro a place is in (`... in `macro_rules! name``), if any.
fn macro_name(place: &str) -> Option<&str> {
    let rest = &place[place.find("`macro_rules! ")? + "`macro_rules! ".len()..];
    rest.split('`').next()
}

/// The places of `found` that belong to what `root` reaches
/// ([`crate::reach`]): inside a function it reaches, or a global one of
/// them names, or code in another file (which the suite cannot read, so it
/// may be anything). `Err` when the source does not parse.
pub fn reached_by(source: &str, root: &str, found: Vec<String>) -> Result<Vec<String>, String> {
    reached_by_all(source, &[root], found)
}

/// [`reached_by`] for several roots (the methods of a type, say).
pub fn reached_by_all(
    source: &str,
    roots: &[&str],
    found: Vec<String>,
) -> Result<Vec<String>, String> {
    let reach = crate::reach::reach_all(source, roots)?;
    Ok(found
        .into_iter()
        .filter(|place| {
            let other_file = place.contains("another file");
            let inside = line_of(place).is_some_and(|line| reach.covers(line));
            let named = declared_name(place).is_some_and(|name| reach.uses(name));
            let in_a_used_macro = macro_name(place).is_some_and(|name| reach.uses(name));
            other_file || inside || named || in_a_used_macro
        })
        .collect())
}

/// `roots` as a message names them: "`scores`", "`new`, `acquire` or
/// `check_in`".
pub fn named(roots: &[&str]) -> String {
    let quoted: Vec<String> = roots.iter().map(|r| format!("`{r}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// [`refuse_globals`] for what `roots` reach only: the globals its code
/// declares or names, its helpers' included, but not those of a course
/// example elsewhere in the file.
#[track_caller]
pub fn refuse_globals_from(check: &str, roots: &[&str], why: &str) {
    let Some(source) = source() else {
        harness::speedup::not_judged(check, "the crate's source was not given to the suite");
        return;
    };
    let found = state_kept(source)
        .and_then(|found| reached_by_all(source, roots, found))
        .unwrap_or_else(|e| {
            panic!("[{check}] the suite could not parse your src/lib.rs as it was built ({e})")
        });
    let found = with_functions(source, found);
    assert!(
        found.is_empty(),
        "[{check}] your {} keeps something in a global: {}. {why}",
        named(roots),
        found.join("; ")
    );
}

/// Runs `work` (calls of `function`, on the calling thread) and fails if
/// the thread read or wrote anything meanwhile ([`harness::io`]): a function of its arguments
/// alone has nothing to read or write, and a value kept in a file
/// outlives a call as one in a `static` does.
#[track_caller]
pub fn refuse_io<T>(check: &str, function: &str, calls: &str, work: impl FnOnce() -> T) -> T {
    let (out, io) = harness::io::during(work);
    if let Some(io) = io {
        assert!(
            io.is_none(),
            "[{check}] {calls} of `{function}` made {} reads and {} writes (system calls, \
             counted by the kernel for the calling thread): a function of its arguments alone has \
             nothing to read or write. A count or an answer kept in a file (in the temp folder, \
             say) outlives the call as a `static` does; keep nothing between calls.",
            io.reads,
            io.writes
        );
    }
    out
}

/// What a function of its arguments alone has no use for: the clock, the
/// file system, the environment, the machine, process-wide hooks.
const OUTSIDE: &[(&str, &str)] = &[
    ("now", "reads the clock"),
    ("elapsed", "reads the clock"),
    ("UNIX_EPOCH", "reads the clock"),
    ("modified", "reads a file's time"),
    ("accessed", "reads a file's time"),
    ("created", "reads a file's time"),
    ("metadata", "reads the file system"),
    ("temp_dir", "reads the file system"),
    ("fs", "uses the file system"),
    ("File", "uses the file system"),
    ("OpenOptions", "uses the file system"),
    ("open", "opens a file"),
    ("create", "creates a file"),
    ("read_to_string", "reads a file"),
    ("set_len", "changes a file"),
    ("remove_file", "changes the file system"),
    ("rename", "changes the file system"),
    ("read_dir", "reads the file system"),
    ("create_dir", "changes the file system"),
    ("env", "reads the environment"),
    ("var", "reads the environment"),
    ("var_os", "reads the environment"),
    ("vars", "reads the environment"),
    ("vars_os", "reads the environment"),
    ("args", "reads the command line"),
    ("args_os", "reads the command line"),
    ("current_exe", "reads where the program is"),
    ("current_dir", "reads the working folder"),
    ("home_dir", "reads the environment"),
    // Which thread asks (its name, its id): round 18's `lock-order/01`
    // ordered the locks by it.
    ("thread::current", "asks which thread runs it"),
    ("available_parallelism", "reads the machine"),
    ("set_hook", "keeps a process-wide hook"),
    ("take_hook", "keeps a process-wide hook"),
    ("panic_any", "talks to a process-wide hook"),
];

/// Fails if what `roots` reach in `source` reads the clock, the file
/// system, the environment or the machine, or keeps a process-wide hook:
/// an answer that must be a function of the arguments alone cannot depend
/// on when, where or how often it is asked (round 14's `diagnose/06`,
/// another answer from 2027 on; round 15's `diagnose/01`, `/03`, `/04`,
/// `/07`: a count in a panic hook, a file's time, the clock inside a
/// macro, the environment). Names in macros count too.
#[track_caller]
pub fn refuse_clock(check: &str, source: &str, roots: &[&str]) {
    crate::polls::refuse_any_in(
        check,
        source,
        roots,
        OUTSIDE,
        "looks outside its arguments",
        "The answer is a function of the arguments alone: the same arguments get the same \
         answer whenever, wherever and however often they are asked, today or next year; \
         nothing here needs the clock, a file, the environment or the machine.",
    );
}

/// Fails unless `source` (the crate's `src/lib.rs`) keeps nothing between
/// calls: `function` must be a function of its arguments alone.
#[track_caller]
pub fn refuse_state(source: &str, function: &str) {
    let found = match state_kept(source) {
        Ok(found) => found,
        Err(e) => panic!("the suite could not parse your src/lib.rs as it was built ({e})"),
    };
    assert!(
        found.is_empty(),
        "your crate keeps state between calls: {}. The page asks for `{function}` as a \
         function of its arguments alone: the same arguments give the same answer on the \
         first call and the millionth, so no `static`, `thread_local!` or other global may \
         hold a value from one call to the next (a counter, a cache, a remembered answer)",
        found.join("; ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_named_with_their_function() {
        let src = "fn a() {}\n\nfn b() {\n    static X: u8 = 0;\n}\n";
        let found = super::with_functions(src, vec!["src/lib.rs line 4: `static X`".to_owned()]);
        assert_eq!(found, ["src/lib.rs line 4 (in `fn b`): `static X`"]);
    }

    #[test]
    fn statics_are_found_wherever_they_are() {
        let found = |s: &str| state_kept(s).unwrap().len();
        assert_eq!(found("pub fn f() -> u8 { 1 }"), 0);
        assert_eq!(found("pub fn f(x: &'static str) -> &'static str { x }"), 0);
        assert_eq!(found("const C: &'static str = \"static\";"), 0);
        assert_eq!(found("/// a static\npub fn f() {}"), 0);
        assert_eq!(found("static N: u8 = 1;"), 1);
        assert_eq!(found("static mut N: u8 = 1;"), 1);
        assert_eq!(found("fn f() { static N: u8 = 1; }"), 1);
        assert_eq!(found("mod m { pub static N: u8 = 1; }"), 1);
        assert_eq!(
            found("thread_local! { static N: std::cell::Cell<u8> = std::cell::Cell::new(0); }"),
            1
        );
        assert_eq!(
            found("lazy_static::lazy_static! { static ref N: u8 = 1; }"),
            1
        );
        assert_eq!(
            found("macro_rules! g { () => { static N: u8 = 1; } } g!();"),
            1
        );
        assert_eq!(found("mod other;"), 1);
        assert_eq!(found("include!(\"x.rs\");"), 1);
        let lines = state_kept("\n\nstatic CALLS: u8 = 0;").unwrap();
        assert!(lines[0].contains("line 3"), "{lines:?}");
    }

    #[test]
    fn draws_cover_the_range() {
        let mut draw = Draw::new();
        let (mut small, mut large) = (false, false);
        for _ in 0..2000 {
            let x = log_uniform(&mut draw, 1, u64::MAX.into());
            assert!((1..=u64::MAX.into()).contains(&x));
            small |= x < 1000;
            large |= x > 1 << 60;
        }
        assert!(small && large);
        assert_eq!(log_uniform(&mut draw, 7, 7), 7);
    }
}
