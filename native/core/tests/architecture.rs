//! The core's import graph, file by file (`src/**/*.rs`, test-only code left out): no import circles, no file that
//! imports an item its parent module defines, and imports that only run down the layer order below, but for at most
//! one listed exception. `cargo test --test architecture -- --nocapture` prints the graph summary; a failure
//! prints it too. `ARCHITECTURE_SRC=<dir>` checks another tree (an older commit's `native/core/src`, say).
//!
//! An import is an edge from the file that names an item to the file that defines it, followed through re-exports:
//! `use crate::dataset::RatingTriples` points at the file defining `RatingTriples`, not at `dataset/mod.rs`, which
//! only re-exports it. So a `mod.rs` that only declares and re-exports never closes a circle with its children.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// The core's top-level modules, bottom layer first. A module may import from the layers below its own; modules of
/// one layer are independent of each other (`als` trains models, `recommend` serves them: neither needs the other).
const LAYERS: &[&[&str]] = &[
    &["error"],
    &["rng", "limits", "threads", "array_data"],
    &["linalg"],
    &["dataset"],
    &["interactions"],
    // The training parameters sit just under `model`, whose trained model holds them (so not beside it).
    &["params"],
    &["model"],
    &["als", "recommend"],
    &["metrics", "model_io", "synth", "foreign"],
];

/// Imports allowed to run up (or across) the layer order, as (importing file, imported file): at most one.
const ALLOWED_UPWARD: &[(&str, &str)] = &[];

type ModPath = Vec<String>;

/// What a `use` binds a name to in one module.
#[derive(Clone, Debug)]
enum Binding {
    /// An absolute path into the crate.
    Internal(ModPath),
    /// Another crate (std, rayon, serde, ...): not part of the graph.
    External,
}

#[derive(Default)]
struct Crate {
    /// Every module (file or inline) and the file it lives in.
    modules: BTreeMap<ModPath, String>,
    /// Names of the items each module defines.
    defs: BTreeMap<ModPath, BTreeSet<String>>,
    /// Raw `use` leaves per module: (bound name, path as written, is a glob).
    raw_uses: BTreeMap<ModPath, Vec<(String, Vec<String>, bool)>>,
    /// Paths named in code: (module in scope, path as written).
    raw_refs: Vec<(ModPath, Vec<String>)>,
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta.require_list().is_ok_and(|l| {
                l.tokens
                    .to_string()
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w == "test")
            })
            && !a
                .meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().contains("not"))
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item::*;
    match item {
        Const(i) => &i.attrs,
        Enum(i) => &i.attrs,
        ExternCrate(i) => &i.attrs,
        Fn(i) => &i.attrs,
        ForeignMod(i) => &i.attrs,
        Impl(i) => &i.attrs,
        Macro(i) => &i.attrs,
        Mod(i) => &i.attrs,
        Static(i) => &i.attrs,
        Struct(i) => &i.attrs,
        Trait(i) => &i.attrs,
        TraitAlias(i) => &i.attrs,
        Type(i) => &i.attrs,
        Union(i) => &i.attrs,
        Use(i) => &i.attrs,
        _ => &[],
    }
}

fn defined_name(item: &syn::Item) -> Option<String> {
    use syn::Item::*;
    Some(match item {
        Const(i) => i.ident.to_string(),
        Enum(i) => i.ident.to_string(),
        Fn(i) => i.sig.ident.to_string(),
        Macro(i) => i.ident.as_ref()?.to_string(),
        Static(i) => i.ident.to_string(),
        Struct(i) => i.ident.to_string(),
        Trait(i) => i.ident.to_string(),
        Type(i) => i.ident.to_string(),
        Union(i) => i.ident.to_string(),
        _ => return None,
    })
}

/// Flattens a use tree into (bound name, path, is a glob) leaves.
fn use_leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(String, Vec<String>, bool)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => {
            out.push((prefix.last().cloned().unwrap_or_default(), prefix.clone(), false));
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            path.push(n.ident.to_string());
            out.push((n.ident.to_string(), path, false));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            path.push(r.ident.to_string());
            out.push((r.rename.to_string(), path, false));
        }
        syn::UseTree::Glob(_) => out.push((String::new(), prefix.clone(), true)),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_leaves(t, prefix, out)),
    }
}

/// Paths of the form `a::b::c` in a macro's tokens (a macro body is not parsed as code).
fn token_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => token_paths(g.stream(), out),
            TokenTree::Ident(first) => {
                let mut path = vec![first.to_string()];
                let mut j = i + 1;
                while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(TokenTree::Ident(next))) =
                    (tokens.get(j), tokens.get(j + 1), tokens.get(j + 2))
                {
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    path.push(next.to_string());
                    j += 3;
                }
                if path.len() > 1 {
                    out.push(path);
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

/// Collects the paths named in code, with the module they are named in.
struct Refs<'a> {
    module: ModPath,
    krate: &'a mut Crate,
}

impl<'ast> Visit<'ast> for Refs<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if is_test_only(item_attrs(item)) {
            return;
        }
        match item {
            // `use` items are read as bindings; inline modules are walked with their own scope.
            syn::Item::Use(_) => {}
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    self.module.push(m.ident.to_string());
                    items.iter().for_each(|i| self.visit_item(i));
                    self.module.pop();
                }
            }
            _ => syn::visit::visit_item(self, item),
        }
    }
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.krate.raw_refs.push((self.module.clone(), segments));
        syn::visit::visit_path(self, path);
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let mut found = Vec::new();
        token_paths(mac.tokens.clone(), &mut found);
        for path in found {
            self.krate.raw_refs.push((self.module.clone(), path));
        }
        syn::visit::visit_macro(self, mac);
    }
}

impl Crate {
    fn read(src: &Path) -> Self {
        let mut krate = Crate::default();
        let mut files = Vec::new();
        collect_files(src, &mut files);
        let mut parsed = Vec::new();
        for file in files {
            let rel = file.strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/");
            let mut module: ModPath = rel.trim_end_matches(".rs").split('/').map(String::from).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
            krate.modules.insert(module.clone(), rel.clone());
            parsed.push((rel, module, ast));
        }
        for (rel, module, ast) in &parsed {
            krate.declare(rel, module, &ast.items);
            let mut refs = Refs {
                module: module.clone(),
                krate: &mut krate,
            };
            ast.items.iter().for_each(|i| refs.visit_item(i));
        }
        krate
    }

    /// Records the items, inline modules and `use` leaves of `items`, which live in `module` of file `rel`.
    fn declare(&mut self, rel: &str, module: &ModPath, items: &[syn::Item]) {
        for item in items.iter().filter(|i| !is_test_only(item_attrs(i))) {
            if let Some(name) = defined_name(item) {
                self.defs.entry(module.clone()).or_default().insert(name);
            }
            match item {
                syn::Item::Use(u) => {
                    let mut leaves = Vec::new();
                    use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
                    if u.leading_colon.is_some() {
                        leaves.iter_mut().for_each(|l| l.1.insert(0, "::".into()));
                    }
                    self.raw_uses.entry(module.clone()).or_default().extend(leaves);
                }
                syn::Item::Mod(m) => {
                    let mut child = module.clone();
                    child.push(m.ident.to_string());
                    if let Some((_, inner)) = &m.content {
                        self.modules.insert(child.clone(), rel.to_string());
                        self.declare(rel, &child, inner);
                    }
                }
                _ => {}
            }
        }
    }

    /// `path` as written in `module`, made absolute; None when it leaves the crate (or is a local name).
    fn absolute(&self, module: &ModPath, path: &[String]) -> Option<ModPath> {
        let first = path.first()?;
        let (mut base, rest) = match first.as_str() {
            "crate" => (ModPath::new(), &path[1..]),
            "self" => (module.clone(), &path[1..]),
            "super" => {
                let supers = path.iter().take_while(|s| *s == "super").count();
                (module[..module.len().checked_sub(supers)?].to_vec(), &path[supers..])
            }
            _ => {
                let mut child = module.clone();
                child.push(first.clone());
                if self.modules.contains_key(&child) {
                    (module.clone(), path)
                } else {
                    return match self.binding(module, first)? {
                        Binding::Internal(target) => Some([target, path[1..].to_vec()].concat()),
                        Binding::External => None,
                    };
                }
            }
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// What `name` is bound to by the `use` items of `module`.
    fn binding(&self, module: &ModPath, name: &str) -> Option<Binding> {
        let (_, path, _) = self
            .raw_uses
            .get(module)?
            .iter()
            .find(|(bound, _, glob)| !glob && bound == name)?;
        Some(match self.absolute_use(module, path) {
            Some(target) => Binding::Internal(target),
            None => Binding::External,
        })
    }

    /// A use path of `module` made absolute (use paths name crates, `crate`/`self`/`super`, or child modules).
    fn absolute_use(&self, module: &ModPath, path: &[String]) -> Option<ModPath> {
        let first = path.first()?;
        let mut child = module.clone();
        child.push(first.clone());
        if matches!(first.as_str(), "crate" | "self" | "super") || self.modules.contains_key(&child) {
            self.absolute(module, path)
        } else {
            None
        }
    }

    /// The file defining what the absolute `path` names (through re-exports), or None for a module itself.
    fn resolve(&self, path: &[String], depth: usize) -> Option<String> {
        assert!(depth < 32, "re-export loop at {}", path.join("::"));
        let mut module = ModPath::new();
        for (i, segment) in path.iter().enumerate() {
            let mut child = module.clone();
            child.push(segment.clone());
            if self.modules.contains_key(&child) {
                module = child;
                continue;
            }
            if self.defs.get(&module).is_some_and(|d| d.contains(segment)) {
                return Some(self.modules[&module].clone());
            }
            if let Some(Binding::Internal(target)) = self.binding(&module, segment) {
                return self.resolve(&[target, path[i + 1..].to_vec()].concat(), depth + 1);
            }
            for (_, glob, _) in self.raw_uses.get(&module).into_iter().flatten().filter(|u| u.2) {
                if let Some(target) = self.absolute_use(&module, glob) {
                    let via = [target, path[i..].to_vec()].concat();
                    if let Some(file) = self.resolve(&via, depth + 1) {
                        return Some(file);
                    }
                }
            }
            // A name the module neither defines nor imports (an enum variant behind a type alias, ...): its file.
            return Some(self.modules[&module].clone());
        }
        None
    }

    /// Every file-to-file import, with one path that makes it.
    fn edges(&self) -> BTreeMap<(String, String), String> {
        let mut edges = BTreeMap::new();
        let uses = self.raw_uses.iter().flat_map(|(m, leaves)| {
            leaves
                .iter()
                .filter(|(_, _, glob)| !glob)
                .map(move |(_, path, _)| (m, path, true))
        });
        let refs = self.raw_refs.iter().map(|(m, path)| (m, path, false));
        for (module, path, is_use) in uses.chain(refs) {
            let absolute = if is_use {
                self.absolute_use(module, path)
            } else {
                self.absolute(module, path)
            };
            let Some(target) = absolute.and_then(|p| self.resolve(&p, 0)) else {
                continue;
            };
            let from = &self.modules[module];
            if *from != target {
                edges.entry((from.clone(), target)).or_insert_with(|| path.join("::"));
            }
        }
        edges
    }

    /// The module path of a file.
    fn module_of(&self, file: &str) -> &ModPath {
        self.modules
            .iter()
            .filter(|(_, f)| *f == file)
            .map(|(m, _)| m)
            .min_by_key(|m| m.len())
            .unwrap()
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Circles of the graph (strongly connected components of more than one file), by Tarjan's algorithm.
fn circles(files: &BTreeSet<String>, edges: &BTreeMap<(String, String), String>) -> Vec<Vec<String>> {
    struct State<'a> {
        next: BTreeMap<&'a str, Vec<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(v: &'a str, s: &mut State<'a>) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.next.get(v).cloned().unwrap_or_default() {
            if !s.index.contains_key(w) {
                visit(w, s);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        next: BTreeMap::new(),
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for (from, to) in edges.keys() {
        state.next.entry(from.as_str()).or_default().push(to.as_str());
    }
    for file in files {
        if !state.index.contains_key(file.as_str()) {
            visit(file, &mut state);
        }
    }
    state.found
}

#[test]
fn the_core_has_no_import_circles_and_imports_run_down_the_layers() {
    let src = std::env::var_os("ARCHITECTURE_SRC")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), PathBuf::from);
    let krate = Crate::read(&src);
    let edges = krate.edges();
    let files: BTreeSet<String> = krate.modules.values().cloned().collect();
    let layer_of = |file: &str| -> Option<(usize, String)> {
        let top = krate.module_of(file).first()?.clone();
        let layer = LAYERS.iter().position(|l| l.contains(&top.as_str()));
        Some((layer.unwrap_or(usize::MAX), top))
    };

    let mut problems = Vec::new();
    let unplaced: BTreeSet<String> = files
        .iter()
        .filter_map(|f| layer_of(f))
        .filter(|(layer, _)| *layer == usize::MAX)
        .map(|(_, top)| top)
        .collect();
    for top in &unplaced {
        problems.push(format!("module `{top}` has no place in LAYERS"));
    }
    let found_circles = circles(&files, &edges);
    for circle in &found_circles {
        problems.push(format!("import circle of {} files: {}", circle.len(), circle.join(" ")));
    }
    let mut upward = Vec::new();
    for ((from, to), via) in &edges {
        let (from_module, to_module) = (krate.module_of(from), krate.module_of(to));
        if to_module.len() < from_module.len() && from_module.starts_with(to_module) {
            problems.push(format!("{from} imports {via} from its parent module's file {to}"));
        }
        let (Some((from_layer, from_top)), Some((to_layer, to_top))) = (layer_of(from), layer_of(to)) else {
            continue;
        };
        let runs_up = to_layer > from_layer || (to_layer == from_layer && from_top != to_top);
        if runs_up && to_layer != usize::MAX && from_layer != usize::MAX {
            upward.push((from.clone(), to.clone(), via.clone()));
        }
    }
    assert!(ALLOWED_UPWARD.len() <= 1, "at most one upward import may be allowed");
    for (from, to, via) in &upward {
        if !ALLOWED_UPWARD.contains(&(from.as_str(), to.as_str())) {
            problems.push(format!(
                "{from} imports {via} from {to}, up (or across) the layer order"
            ));
        }
    }

    let mut summary = String::new();
    writeln!(summary, "{} files, {} file-to-file imports", files.len(), edges.len()).unwrap();
    for (n, layer) in LAYERS.iter().enumerate() {
        let counts: Vec<String> = layer
            .iter()
            .map(|top| {
                let n = files
                    .iter()
                    .filter(|f| layer_of(f).is_some_and(|(_, t)| t == *top))
                    .count();
                format!("{top} ({n})")
            })
            .collect();
        writeln!(summary, "layer {n}: {}", counts.join(", ")).unwrap();
    }
    writeln!(summary, "import circles: {}", found_circles.len()).unwrap();
    writeln!(
        summary,
        "upward imports: {} (allowed: {:?})",
        upward.len(),
        ALLOWED_UPWARD
    )
    .unwrap();
    let mut by_pair: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (from, to) in edges.keys() {
        if let (Some((_, a)), Some((_, b))) = (layer_of(from), layer_of(to)) {
            if a != b {
                *by_pair.entry((a, b)).or_default() += 1;
            }
        }
    }
    let pairs: Vec<String> = by_pair.iter().map(|((a, b), n)| format!("{a} -> {b} ({n})")).collect();
    writeln!(summary, "imports between modules: {}", pairs.join(", ")).unwrap();
    println!("{summary}");
    assert!(problems.is_empty(), "{}\n{summary}", problems.join("\n"));
}
