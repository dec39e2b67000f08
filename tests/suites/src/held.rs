//! A lock held around the work, seen in the source.
//!
//! A thread that takes a lock before its work and keeps it until after
//! makes the others take turns, and timing sees that. But a lock *tried*
//! for a few microseconds (held around the work when it is free, skipped
//! when it is not) makes no turns that any hold of the probe can show: the
//! probe holds a call longer than the try, so the others give up and come.
//! Round 11's `total-words/04`, `word-frequencies/05` and
//! `count-under-gil/03` passed that way. What they wrote is in the source
//! all the same: a guard bound before the call of the work function and
//! still alive at it.
//!
//! So the exercise's `src/lib.rs` (as [`crate::pure::source`] gives it) is
//! parsed, and in every block a `let` that binds a lock's guard (`lock()`,
//! `try_lock()`, `read()`, `write()` and their `try_` forms, through
//! `unwrap`, `expect`, `?`, or a `match`/`if let` that hands the guard on)
//! makes the guard alive until its block ends or it is given to `drop`. A
//! call of the work function (a parameter of `fn` type, such as `count` or
//! `words`) while one is alive is a lock held around the work; so is a
//! method called on a guard with the work among its arguments
//! (`map.lock().unwrap().extend(words(text))`: the receiver is locked
//! first). Closures are not searched from outside: a closure runs later,
//! or elsewhere (a thread spawned while a guard is held does its work
//! under no lock of the spawner's); its own body is a block like any other.

use std::collections::HashSet;

use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

/// Methods that take a lock and return its guard (or a `Result` of it).
const LOCKING: &[&str] = &["lock", "try_lock", "read", "try_read", "write", "try_write"];

/// Methods that pass a guard on from a `Result` or an `Option`.
const PASSING: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or_else",
    "unwrap_unchecked",
    "ok",
    "into_ok",
];

/// Where `source` holds a lock around a call of the work: one line per
/// place, with its line in `src/lib.rs`. `fallback` names the work
/// function when no parameter of `fn` type is found.
pub fn locks_around_work(source: &str, fallback: &str) -> Result<Vec<String>, String> {
    let file = syn::parse_file(source).map_err(|e| e.to_string())?;
    let mut aliases = FnAliases(HashSet::new());
    aliases.visit_file(&file);
    let mut params = WorkParams {
        aliases: aliases.0,
        names: HashSet::from([fallback.to_owned()]),
    };
    params.visit_file(&file);
    let mut makers = GuardMakers(Makers::new());
    makers.visit_file(&file);
    let mut finder = Finder {
        work: params.names,
        makers: makers.0,
        // A lock held in a helper of another file would not be seen.
        found: crate::reach::other_files(&file),
    };
    finder.visit_file(&file);
    finder.found.sort();
    finder.found.dedup();
    Ok(finder.found)
}

/// Fails if the crate under test holds a lock around a call of its work
/// function (`work`, or any parameter of `fn` type), naming each place,
/// with `why`: what the page promises. `check` names the check in the
/// message. A crate whose source was not set is not judged here, and says
/// so.
#[track_caller]
pub fn refuse_locks_around(check: &str, work: &str, why: &str) {
    let Some(source) = crate::pure::source() else {
        harness::speedup::not_judged(check, "the crate's source was not given to the suite");
        return;
    };
    let found = locks_around_work(source, work).unwrap_or_else(|e| {
        panic!("[{check}] the suite could not parse your src/lib.rs as it was built ({e})")
    });
    let found = crate::pure::with_functions(source, found);
    assert!(
        found.is_empty(),
        "[{check}] your crate holds a lock around `{work}`: {}. {why}",
        found.join("; ")
    );
    let flags = flags_taken(source).unwrap_or_else(|e| {
        panic!("[{check}] the suite could not parse your src/lib.rs as it was built ({e})")
    });
    let flags = crate::pure::with_functions(source, flags);
    assert!(
        flags.is_empty(),
        "[{check}] your crate makes a lock of its own from an atomic: {}. Held around `{work}` \
         or not, tried for a while or for good, it is a lock, and this exercise needs none but \
         the one that keeps the shared result: {why}",
        flags.join("; ")
    );
}

/// Where `source` takes an atomic flag: a compare-and-swap from one literal
/// to another (`compare_exchange(false, true, ..)`, `(0, 1, ..)`), or a
/// `swap`, `fetch_or` or `fetch_max` of a literal `true` or number. That
/// is a lock of one's own, whatever type wraps it (round 21's
/// `total-words/01`, `word-frequencies/01` and `count-under-gil/01`: an
/// `AtomicBool` tried 2,000 times, then held around the work as a
/// `Turn`). An update of a total by compare-and-swap swaps computed
/// values, not literals, and is not one.
pub fn flags_taken(source: &str) -> Result<Vec<String>, String> {
    struct Flags(Vec<String>);
    fn literal(e: &Expr) -> bool {
        match e {
            Expr::Lit(l) => matches!(l.lit, syn::Lit::Bool(_) | syn::Lit::Int(_)),
            Expr::Paren(p) => literal(&p.expr),
            Expr::Group(g) => literal(&g.expr),
            Expr::Unary(u) => literal(&u.expr),
            _ => false,
        }
    }
    impl<'ast> Visit<'ast> for Flags {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            let name = m.method.to_string();
            let args: Vec<&Expr> = m.args.iter().collect();
            let taken = match name.as_str() {
                "compare_exchange" | "compare_exchange_weak" => {
                    args.len() >= 2 && literal(args[0]) && literal(args[1])
                }
                "swap" | "fetch_or" | "fetch_max" => args.len() == 2 && literal(args[0]),
                _ => false,
            };
            if taken {
                self.0.push(format!(
                    "src/lib.rs line {}: `{name}` of literal values takes an atomic flag (a lock \
                     of your own)",
                    line_of(m.method.span())
                ));
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let file = syn::parse_file(source).map_err(|e| e.to_string())?;
    let mut flags = Flags(crate::reach::other_files(&file));
    flags.visit_file(&file);
    Ok(flags.0)
}

/// The names of every type alias of a `fn` type (`type Count = fn(&str)
/// -> usize;`).
struct FnAliases(HashSet<String>);

impl<'ast> Visit<'ast> for FnAliases {
    fn visit_item_type(&mut self, t: &'ast syn::ItemType) {
        if let syn::Type::BareFn(_) = &*t.ty {
            self.0.insert(t.ident.to_string());
        }
    }
}

/// The names of every parameter of `fn` type (`count: fn(&str) -> usize`,
/// or of an alias of one).
struct WorkParams {
    aliases: HashSet<String>,
    names: HashSet<String>,
}

impl<'ast> Visit<'ast> for WorkParams {
    fn visit_pat_type(&mut self, p: &'ast syn::PatType) {
        let of_fn_type = match &*p.ty {
            syn::Type::BareFn(_) => true,
            syn::Type::Path(t) => t
                .path
                .get_ident()
                .is_some_and(|i| self.aliases.contains(&i.to_string())),
            _ => false,
        };
        if let (Pat::Ident(id), true) = (&*p.pat, of_fn_type) {
            self.names.insert(id.ident.to_string());
        }
        syn::visit::visit_pat_type(self, p);
    }
}

struct Finder {
    work: HashSet<String>,
    makers: Makers,
    found: Vec<String>,
}

fn line_of(span: proc_macro2::Span) -> usize {
    span.start().line
}

/// Whether `e` evaluates to a guard, or a `Result`/`Option` of one.
fn yields_guard(e: &Expr, makers: &Makers) -> bool {
    match e {
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            (LOCKING.contains(&name.as_str()) && m.args.is_empty())
                || (PASSING.contains(&name.as_str()) && yields_guard(&m.receiver, makers))
        }
        Expr::Call(c) => matches!(&*c.func, Expr::Path(p)
            if p.path.get_ident().is_some_and(|i| makers.contains(&i.to_string()))),
        Expr::Try(t) => yields_guard(&t.expr, makers),
        Expr::Paren(p) => yields_guard(&p.expr, makers),
        Expr::Group(g) => yields_guard(&g.expr, makers),
        Expr::Loop(_) | Expr::While(_) | Expr::Match(_) | Expr::If(_) | Expr::Block(_) => {
            hands_on_a_guard(e, makers)
        }
        _ => false,
    }
}

/// Names of the crate's functions that return a guard (their return type
/// names a `…Guard`): calling one takes a lock.
type Makers = HashSet<String>;

struct GuardMakers(Makers);

impl<'ast> Visit<'ast> for GuardMakers {
    fn visit_signature(&mut self, sig: &'ast syn::Signature) {
        struct Names(bool);
        impl<'ast> Visit<'ast> for Names {
            fn visit_path_segment(&mut self, seg: &'ast syn::PathSegment) {
                self.0 |= seg.ident.to_string().ends_with("Guard");
                syn::visit::visit_path_segment(self, seg);
            }
        }
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            let mut names = Names(false);
            names.visit_type(ty);
            if names.0 {
                self.0.insert(sig.ident.to_string());
            }
        }
    }
}

/// Whether, inside `e`, a `match` or `if let` on a guard binds a name that
/// its arm then uses (`Ok(g) => break Some(g)`): the guard is handed on.
fn hands_on_a_guard(e: &Expr, makers: &Makers) -> bool {
    struct Hands<'m>(bool, &'m Makers);
    impl<'ast> Visit<'ast> for Hands<'_> {
        fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
            if yields_guard(&m.expr, self.1) {
                for arm in &m.arms {
                    let names = bound(&arm.pat);
                    if !names.is_empty() && mentions(&arm.body, &names) {
                        self.0 = true;
                    }
                }
            }
            syn::visit::visit_expr_match(self, m);
        }
        fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
            if let Expr::Let(l) = &*i.cond {
                let names = bound(&l.pat);
                if yields_guard(&l.expr, self.1)
                    && !names.is_empty()
                    && i.then_branch.stmts.iter().any(|s| mentions_stmt(s, &names))
                {
                    self.0 = true;
                }
            }
            syn::visit::visit_expr_if(self, i);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }
    let mut hands = Hands(false, makers);
    hands.visit_expr(e);
    hands.0
}

/// The names a pattern binds.
fn bound(p: &Pat) -> HashSet<String> {
    struct Names(HashSet<String>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut names = Names(HashSet::new());
    names.visit_pat(p);
    names.0
}

/// Whether `e` uses one of `names` as a plain path.
fn mentions(e: &Expr, names: &HashSet<String>) -> bool {
    struct Uses<'n>(&'n HashSet<String>, bool);
    impl<'ast> Visit<'ast> for Uses<'_> {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if p.path
                .get_ident()
                .is_some_and(|i| self.0.contains(&i.to_string()))
            {
                self.1 = true;
            }
        }
    }
    let mut uses = Uses(names, false);
    uses.visit_expr(e);
    uses.1
}

fn mentions_stmt(s: &Stmt, names: &HashSet<String>) -> bool {
    match s {
        Stmt::Local(l) => l.init.as_ref().is_some_and(|i| mentions(&i.expr, names)),
        Stmt::Expr(e, _) => mentions(e, names),
        _ => false,
    }
}

/// The line of the first call of a work function in `node`, closures not
/// searched.
struct WorkCall<'w> {
    work: &'w HashSet<String>,
    line: Option<usize>,
}

impl<'ast> Visit<'ast> for WorkCall<'_> {
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let mut func = &*c.func;
        while let Expr::Paren(p) = func {
            func = &p.expr;
        }
        if let Expr::Path(p) = func
            && p.path
                .get_ident()
                .is_some_and(|i| self.work.contains(&i.to_string()))
        {
            self.line
                .get_or_insert(line_of(p.path.segments[0].ident.span()));
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

impl Finder {
    /// The line of the first call of the work that `search` finds.
    fn work_call(&self, search: impl FnOnce(&mut WorkCall<'_>)) -> Option<usize> {
        let mut call = WorkCall {
            work: &self.work,
            line: None,
        };
        search(&mut call);
        call.line
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        // Guards alive in this block: name, and the line that took it.
        let mut alive: Vec<(String, usize)> = Vec::new();
        for stmt in &block.stmts {
            if let (Some(line), Some((guard, taken))) =
                (self.work_call(|c| c.visit_stmt(stmt)), alive.first())
            {
                self.found.push(format!(
                    "src/lib.rs line {line}: the work is called while `{guard}` (a lock's guard \
                     taken on line {taken}) is held"
                ));
            }
            match stmt {
                Stmt::Local(l) => {
                    if let Some(init) = &l.init
                        && yields_guard(&init.expr, &self.makers)
                    {
                        let taken = line_of(l.let_token.span);
                        let mut names: Vec<String> = bound(&l.pat).into_iter().collect();
                        names.sort();
                        alive.extend(names.into_iter().map(|n| (n, taken)));
                    }
                }
                Stmt::Expr(Expr::Call(c), _) => {
                    let is_drop = matches!(&*c.func, Expr::Path(p) if p.path.is_ident("drop")
                        || p.path.segments.last().is_some_and(|s| s.ident == "drop"));
                    if is_drop
                        && let Some(Expr::Path(arg)) = c.args.first()
                        && let Some(name) = arg.path.get_ident()
                    {
                        alive.retain(|(n, _)| name != n);
                    }
                }
                _ => {}
            }
        }
        syn::visit::visit_block(self, block);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if yields_guard_through(&m.receiver, &self.makers)
            && let Some(line) = m
                .args
                .iter()
                .find_map(|a| self.work_call(|c| c.visit_expr(a)))
        {
            self.found.push(format!(
                "src/lib.rs line {line}: the work is an argument of `.{}()` on a lock's guard, \
                 which is taken before the arguments are evaluated",
                m.method
            ));
        }
        syn::visit::visit_expr_method_call(self, m);
    }
}

/// Whether a method's receiver is a guard, seen through `*`, fields and
/// further method calls on it (`map.lock().unwrap().entry(k)`).
fn yields_guard_through(e: &Expr, makers: &Makers) -> bool {
    match e {
        Expr::MethodCall(m) => yields_guard(e, makers) || yields_guard_through(&m.receiver, makers),
        Expr::Unary(u) => yields_guard_through(&u.expr, makers),
        Expr::Field(f) => yields_guard_through(&f.base, makers),
        Expr::Paren(p) => yields_guard_through(&p.expr, makers),
        _ => yields_guard(e, makers),
    }
}

#[cfg(test)]
mod tests {
    use super::locks_around_work;

    fn found(src: &str) -> Vec<String> {
        locks_around_work(src, "count").unwrap()
    }

    #[test]
    fn a_guard_alive_at_the_work_is_found() {
        let src = "fn f(m: &std::sync::Mutex<usize>, count: fn(&str) -> usize, t: &str) {
            let mut g = m.lock().unwrap();
            *g += count(t);
        }";
        assert_eq!(found(src).len(), 1, "{:?}", found(src));
    }

    #[test]
    fn a_lock_tried_in_a_loop_and_kept_is_found() {
        let src = "fn f(turn: &std::sync::Mutex<()>, count: fn(&str) -> usize, t: &str) -> usize {
            let held = loop {
                match turn.try_lock() {
                    Ok(g) => break Some(g),
                    Err(_) => break None,
                }
            };
            let n = count(t);
            drop(held);
            n
        }";
        assert_eq!(found(src).len(), 1, "{:?}", found(src));
    }

    #[test]
    fn a_flag_taken_by_compare_and_swap_is_found() {
        let taken =
            "fn f(flag: &std::sync::atomic::AtomicBool, total: &std::sync::atomic::AtomicUsize) {
            while flag.compare_exchange(false, true, Acquire, Relaxed).is_err() {}
            let _ = flag.swap(true, Acquire);
            let mut now = total.load(Relaxed);
            while let Err(seen) = total.compare_exchange_weak(now, now + 1, AcqRel, Relaxed) {
                now = seen;
            }
        }";
        let found = super::flags_taken(taken).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn locking_after_the_work_or_dropping_first_is_not() {
        let src = "fn f(m: &std::sync::Mutex<usize>, count: fn(&str) -> usize, t: &str) {
            let n = count(t);
            *m.lock().unwrap() += n;
            let g = m.lock().unwrap();
            drop(g);
            let k = count(t);
            let _ = m.lock();
            let j = count(t) + k;
            let text = m.lock().unwrap().to_string();
            let _ = count(&text) + j;
        }";
        assert!(found(src).is_empty(), "{:?}", found(src));
    }

    #[test]
    fn a_thread_spawned_under_a_lock_is_not_the_work_under_it() {
        let src = "fn f(m: &std::sync::Mutex<()>, count: fn(&str) -> usize, t: String) {
            let _turn = m.lock().unwrap();
            std::thread::spawn(move || count(&t));
        }";
        assert!(found(src).is_empty(), "{:?}", found(src));
    }

    #[test]
    fn a_work_parameter_of_any_name_is_found() {
        let src = "type Work = fn(&str) -> usize;
        fn f(m: &std::sync::RwLock<()>, tally: Work, t: &str) -> usize {
            let _w = m.write().expect(\"fine\");
            tally(t)
        }";
        assert_eq!(found(src).len(), 1, "{:?}", found(src));
    }

    #[test]
    fn a_guard_from_a_function_of_the_crate_is_found() {
        let src = "fn tried(m: &Mutex<()>) -> Option<MutexGuard<'_, ()>> { m.try_lock().ok() }
        fn f(m: &Mutex<()>, count: fn(&str) -> usize, t: &str) -> usize {
            let held = tried(m);
            count(t)
        }";
        assert_eq!(found(src).len(), 1, "{:?}", found(src));
    }

    #[test]
    fn the_work_as_an_argument_on_a_guard_is_found() {
        let src =
            "fn f(m: &std::sync::Mutex<Vec<String>>, words: fn(&str) -> Vec<String>, t: &str) {
            m.lock().unwrap().extend(words(t));
        }";
        assert_eq!(
            locks_around_work(src, "words").unwrap().len(),
            1,
            "{:?}",
            locks_around_work(src, "words")
        );
    }
}
