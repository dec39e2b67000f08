//! What one function of the crate under test reaches in its `src/lib.rs`:
//! itself and every function of the file it calls, transitively, and the
//! items those name.
//!
//! Some exercises keep a wrong version beside the student's function on
//! purpose (combine's `scores_in_a_shared_list` and its `static SEEN`: the
//! mistake the page measures). A source witness that refused every
//! `static` of the file would refuse the course's own example; one that
//! looks only at what the student's function reaches judges the student's
//! code alone, wherever in the file a helper of theirs lives.

use std::collections::{BTreeSet, HashSet};

use syn::spanned::Spanned;
use syn::visit::Visit;

/// The functions reached from a root, by name and the lines they span,
/// and every name their bodies use.
#[derive(Debug, Default)]
pub struct Reach {
    /// Name, first line, last line.
    functions: Vec<(String, usize, usize)>,
    /// Every identifier the reached functions use (paths, methods, macros).
    used: HashSet<String>,
}

impl Reach {
    /// Whether `line` of `src/lib.rs` is inside a reached function.
    pub fn covers(&self, line: usize) -> bool {
        self.functions
            .iter()
            .any(|(_, from, to)| (*from..=*to).contains(&line))
    }

    /// Whether a reached function names `ident`.
    pub fn uses(&self, ident: &str) -> bool {
        self.used.contains(ident)
    }

    /// The reached functions' names, for messages.
    pub fn names(&self) -> BTreeSet<&str> {
        self.functions.iter().map(|(n, ..)| n.as_str()).collect()
    }
}

/// One function of the file: its name, lines, and the names it uses.
struct Function {
    name: String,
    /// For a method of a trait's impl (`impl Drop for Guard`), the type's
    /// name: such a method runs wherever a value of the type is used,
    /// called by name or not (a `Drop` runs as its value goes out of
    /// scope), so a function that names the type reaches it (round 18's
    /// red team hid a poll, a clock and a counter in `Drop`s).
    owner: Option<String>,
    from: usize,
    to: usize,
    used: HashSet<String>,
}

/// Every identifier under a node.
#[derive(Default)]
struct Names(HashSet<String>);

impl<'ast> Visit<'ast> for Names {
    fn visit_ident(&mut self, ident: &'ast syn::Ident) {
        self.0.insert(ident.to_string());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        syn::visit::visit_macro(self, mac);
        // A macro's arguments are tokens, not syntax: their words count.
        fn words(tokens: proc_macro2::TokenStream, into: &mut HashSet<String>) {
            for tree in tokens {
                match tree {
                    proc_macro2::TokenTree::Ident(id) => {
                        into.insert(id.to_string());
                    }
                    proc_macro2::TokenTree::Group(g) => words(g.stream(), into),
                    _ => {}
                }
            }
        }
        words(mac.tokens.clone(), &mut self.0);
    }
}

/// Every function of the file, nested ones included.
#[derive(Default)]
struct Functions {
    all: Vec<Function>,
    /// The type whose trait impl is being read, if any.
    owner: Option<String>,
}

impl Functions {
    fn note(&mut self, name: &syn::Ident, span: proc_macro2::Span, block: &syn::Block) {
        let mut names = Names::default();
        names.visit_block(block);
        self.push(name, span, names);
    }

    /// A constant: naming it reaches whatever its value names, as calling a
    /// function does (round 23's `workers/06` and `diagnose/01` read the
    /// environment through a `const` holding `std::env::var_os`).
    fn note_const(&mut self, name: &syn::Ident, span: proc_macro2::Span, expr: &syn::Expr) {
        let mut names = Names::default();
        names.visit_expr(expr);
        self.push(name, span, names);
    }

    fn push(&mut self, name: &syn::Ident, span: proc_macro2::Span, names: Names) {
        self.all.push(Function {
            name: name.to_string(),
            owner: self.owner.clone(),
            from: span.start().line,
            to: span.end().line,
            used: names.0,
        });
    }
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let owner = match (&i.trait_, &*i.self_ty) {
            (Some(_), syn::Type::Path(p)) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        let outer = std::mem::replace(&mut self.owner, owner);
        syn::visit::visit_item_impl(self, i);
        self.owner = outer;
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.note(&f.sig.ident, f.span(), &f.block);
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.note(&f.sig.ident, f.span(), &f.block);
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.note_const(&c.ident, c.span(), &c.expr);
        syn::visit::visit_item_const(self, c);
    }

    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        self.note_const(&c.ident, c.span(), &c.expr);
        syn::visit::visit_impl_item_const(self, c);
    }
}

/// Modules in files of their own that the course gives with an exercise
/// (the pool's `protocol`, `role` and `tasks`), set by [`given_modules`]
/// for the checks that read the source in the meantime.
static GIVEN: std::sync::Mutex<&'static [&'static str]> = std::sync::Mutex::new(&[]);

/// Runs `check` with `names` taken for modules the course gives, which
/// [`other_files`] does not name.
pub fn given_modules<T>(names: &'static [&'static str], check: impl FnOnce() -> T) -> T {
    let lock = || {
        GIVEN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    *lock() = names;
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(check));
    *lock() = &[];
    out.unwrap_or_else(|payload| std::panic::resume_unwind(payload))
}

/// Where `file` takes code from another file: a `mod name;` without a body
/// (other than one the course gives, see [`given_modules`]) or an
/// `include!`. The suite reads `src/lib.rs` only, so whatever a source
/// check looks for could hide there (round 16's `page-cache/04` polled in
/// `src/wait.rs`): each place is named, to be refused.
pub fn other_files(file: &syn::File) -> Vec<String> {
    use syn::visit::Visit;

    struct Finder(Vec<String>);

    impl<'ast> Visit<'ast> for Finder {
        fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
            let given = GIVEN
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .contains(&item.ident.to_string().as_str());
            if item.content.is_none() && !given {
                self.0.push(format!(
                    "src/lib.rs line {}: `mod {};`, a module in another file, which the suite \
                     cannot read (keep the exercise in src/lib.rs)",
                    item.mod_token.span.start().line,
                    item.ident
                ));
            }
            syn::visit::visit_item_mod(self, item);
        }

        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if let Some(last) = mac.path.segments.last()
                && last.ident == "include"
            {
                self.0.push(format!(
                    "src/lib.rs line {}: `include!`, code from another file, which the suite \
                     cannot read (keep the exercise in src/lib.rs)",
                    last.ident.span().start().line
                ));
            }
            syn::visit::visit_macro(self, mac);
        }
    }

    let mut finder = Finder(Vec::new());
    finder.visit_file(file);
    finder.0
}

/// `source` parsed, without the items a test build does not compile: those
/// behind a `#[cfg(feature = "...")]` (the reference GIL's `trace` module,
/// which only the book's build turns on, keeps a log in a `static`).
pub fn parse(source: &str) -> Result<syn::File, String> {
    /// Whether `attrs` hold `#[cfg(feature = "...")]`, the feature alone.
    fn behind_a_feature(attrs: &[syn::Attribute]) -> bool {
        attrs.iter().any(|a| {
            a.path().is_ident("cfg")
                && a.parse_args::<syn::MetaNameValue>()
                    .is_ok_and(|m| m.path.is_ident("feature"))
        })
    }

    fn strip(items: &mut Vec<syn::Item>) {
        items.retain(|item| {
            let attrs: &[syn::Attribute] = match item {
                syn::Item::Mod(m) => &m.attrs,
                syn::Item::Fn(f) => &f.attrs,
                syn::Item::Static(s) => &s.attrs,
                syn::Item::Macro(m) => &m.attrs,
                syn::Item::Impl(i) => &i.attrs,
                _ => return true,
            };
            !behind_a_feature(attrs)
        });
        for item in items {
            if let syn::Item::Mod(syn::ItemMod {
                content: Some((_, inner)),
                ..
            }) = item
            {
                strip(inner);
            }
        }
    }

    let mut file = syn::parse_file(source).map_err(|e| e.to_string())?;
    strip(&mut file.items);
    Ok(file)
}

/// What `root` (every function of that name) reaches in `source`. `Err`
/// when the source does not parse.
pub fn reach(source: &str, root: &str) -> Result<Reach, String> {
    reach_all(source, &[root])
}

/// What `roots` (every function of those names) reach in `source`.
pub fn reach_all(source: &str, roots: &[&str]) -> Result<Reach, String> {
    let file = parse(source)?;
    let mut all = Functions::default();
    all.visit_file(&file);
    let mut reached: Vec<usize> = Vec::new();
    let mut todo: Vec<String> = roots.iter().map(|r| (*r).to_owned()).collect();
    let mut seen: HashSet<String> = HashSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        for (i, f) in all.all.iter().enumerate() {
            let named = f.name == name || f.owner.as_deref() == Some(name.as_str());
            if named && !reached.contains(&i) {
                reached.push(i);
                todo.extend(f.used.iter().cloned());
            }
        }
    }
    let mut out = Reach::default();
    for i in reached {
        let f = &all.all[i];
        out.functions.push((f.name.clone(), f.from, f.to));
        out.used.extend(f.used.iter().cloned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::reach;

    const SOURCE: &str = "
static SEEN: u8 = 0;
static KEPT: u8 = 0;
fn wrong() -> u8 { SEEN }
fn helper() -> u8 { KEPT }
pub fn scores() -> u8 { helper() }
";

    #[test]
    fn items_behind_a_feature_are_not_compiled_and_not_seen() {
        let src = "#[cfg(feature = \"trace\")]\nmod trace { static LOG: u8 = 0; pub fn note() {} }\n\
                   #[cfg(not(feature = \"trace\"))]\nmod trace { pub fn note() {} }\n\
                   pub fn f() { trace::note() }";
        let file = super::parse(src).unwrap();
        assert_eq!(file.items.len(), 2);
    }

    #[test]
    fn a_trait_impl_is_reached_by_naming_its_type() {
        let src = "struct Guard;\nimpl Drop for Guard {\n fn drop(&mut self) { hidden() }\n}\n\
                   fn hidden() {}\npub fn f() { let _g = Guard; }\nfn g() {}";
        let r = reach(src, "f").unwrap();
        assert_eq!(
            r.names().into_iter().collect::<Vec<_>>(),
            ["drop", "f", "hidden"]
        );
    }

    #[test]
    fn a_constant_reaches_what_its_value_names() {
        let src = "const READ: fn(&str) -> Option<std::ffi::OsString> = std::env::var_os;\n\
                   const UNUSED: fn() = other;\nfn other() {}\n\
                   pub fn f() -> bool { READ(\"X\").is_some() }";
        let r = reach(src, "f").unwrap();
        assert!(r.uses("var_os") && r.uses("env"));
        assert!(!r.uses("other"));
    }

    #[test]
    fn callees_are_reached_and_the_rest_is_not() {
        let r = reach(SOURCE, "scores").unwrap();
        assert_eq!(
            r.names().into_iter().collect::<Vec<_>>(),
            ["helper", "scores"]
        );
        assert!(r.uses("KEPT"));
        assert!(!r.uses("SEEN"));
        assert!(r.covers(5) && r.covers(6) && !r.covers(4) && !r.covers(2));
    }
}
