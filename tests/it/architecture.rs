//! The shape of the code, checked from its source (see docs/architecture.md):
//! - the core (catalog, model, service, policy, plan, explain, testing, and the leaves english,
//!   inert, diagnostic and timespan) names
//!   nothing outside it, does no I/O and prints nothing;
//! - inside the core, a module names only the modules below it, so dependencies point one way;
//! - no modules anywhere in the crate depend on each other in a circle.
//!
//! The source is read as tokens, with comments and string literals blanked out, so that a word
//! in a doc comment or an error message is not taken for a dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The core, bottom layer first: a core module may name the ones before it in this list.
const CORE: [&str; 11] = [
    "english",
    "inert",
    "diagnostic",
    "timespan",
    "catalog",
    "model",
    "service",
    "policy",
    "plan",
    "explain",
    "testing",
];

/// Everything else the library holds. They may use the core, never the other way round.
const OUTER: [&str; 9] = [
    "apply", "cli", "commands", "error", "files", "progress", "redact", "render", "state",
];

/// Paths of the standard library that reach the file system, the network, other processes,
/// the environment or the terminal.
const FORBIDDEN_STD: [&[&str]; 7] = [
    &["std", "fs"],
    &["std", "net"],
    &["std", "process"],
    &["std", "env"],
    &["std", "io", "stdin"],
    &["std", "io", "stdout"],
    &["std", "io", "stderr"],
];

/// Crates that only do I/O: files, HTTP, the terminal, signals.
const FORBIDDEN_CRATES: [&str; 5] = ["tempfile", "ureq", "indicatif", "anstream", "ctrlc"];

/// Macros that print.
const PRINTING_MACROS: [&str; 5] = ["println", "eprintln", "print", "eprint", "dbg"];

/// Functions that read the terminal's streams, however they were imported.
const TERMINAL_STREAMS: [&str; 3] = ["stdin", "stdout", "stderr"];

/// `Path` methods that ask the file system.
const FILE_SYSTEM_METHODS: [&str; 9] = [
    "canonicalize",
    "read_dir",
    "metadata",
    "symlink_metadata",
    "read_link",
    "exists",
    "try_exists",
    "is_file",
    "is_dir",
];

#[test]
fn the_core_names_nothing_outside_it_and_does_no_io() {
    let mut violations = Vec::new();
    for file in library_files() {
        if CORE.contains(&file.module[0].as_str()) {
            violations.extend(core_violations(&file));
        }
    }
    assert!(
        violations.is_empty(),
        "the core (catalog, model, service, policy, plan, explain, english, timespan) must not name \
         state, render, commands, apply, cli or any other outer module, nor do I/O or print:\n{}",
        lines(&violations)
    );
}

#[test]
fn every_module_of_the_library_is_either_core_or_outer() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs reads");
    let declared: BTreeSet<String> = tokens(&blank_comments_and_literals(&lib))
        .windows(2)
        .filter(|pair| pair[0].text == "mod")
        .map(|pair| pair[1].text.clone())
        .collect();
    let known: BTreeSet<String> = CORE.iter().chain(&OUTER).map(|m| m.to_string()).collect();
    assert_eq!(
        declared, known,
        "a new top-level module belongs either in CORE (pure, below what uses it) or in OUTER"
    );
}

#[test]
fn no_modules_depend_on_each_other_in_a_circle() {
    let files = library_files();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|file| file.module.clone()).collect();
    // Edges between siblings: children of one parent, or the top-level modules.
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in files.iter().filter(|file| !file.is_test) {
        for reference in references(file) {
            if let Some((from, to)) = sibling_edge(&file.module, &reference.path, &modules) {
                edges.entry(from).or_default().insert(to);
            }
        }
    }
    let cycles = cycles(&edges);
    assert!(
        cycles.is_empty(),
        "modules that depend on each other in a circle:\n{}",
        cycles
            .iter()
            .map(|cycle| format!("  {}", cycle.join(" -> ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn a_core_file_that_names_an_outer_module_is_caught() {
    let caught = check(
        "plan/diff.rs",
        "use crate::state::ReadOptions;\nuse crate::{model::Tenant, render::render_text};\n",
    );
    assert_eq!(
        caught,
        [
            "src/plan/diff.rs:1: names crate::state::ReadOptions, outside the core",
            "src/plan/diff.rs:2: names crate::render::render_text, outside the core",
        ]
    );
}

#[test]
fn a_core_file_that_climbs_out_through_super_is_caught() {
    let caught = check("plan/diff.rs", "use super::super::commands::run;\n");
    assert_eq!(
        caught,
        ["src/plan/diff.rs:1: names crate::commands::run, outside the core"]
    );
}

#[test]
fn a_core_module_that_names_a_module_above_it_is_caught() {
    let caught = check("model.rs", "fn f(p: &crate::policy::PolicySet) {}\n");
    assert_eq!(
        caught,
        ["src/model.rs:1: names crate::policy::PolicySet, which is above model in the core"]
    );
}

#[test]
fn file_system_network_process_and_terminal_access_in_the_core_is_caught() {
    let caught = check(
        "policy/load.rs",
        "use std::{fs, io::Write};\n\
         fn f() { let _ = std::net::TcpStream::connect(\"x\"); }\n\
         fn g() { println!(\"x\"); let _ = io::stdout(); }\n\
         fn h(p: &Path) -> bool { p.exists() }\n\
         fn i() { let _ = tempfile::tempdir(); }\n",
    );
    assert_eq!(
        caught,
        [
            "src/policy/load.rs:1: names std::fs",
            "src/policy/load.rs:2: names std::net::TcpStream::connect",
            "src/policy/load.rs:3: prints with println!",
            "src/policy/load.rs:3: reads or writes the terminal with stdout()",
            "src/policy/load.rs:4: asks the file system with .exists()",
            "src/policy/load.rs:5: uses tempfile, a crate that does I/O",
        ]
    );
}

#[test]
fn words_in_comments_strings_and_inline_test_modules_are_not_dependencies() {
    let caught = check(
        "catalog.rs",
        "// see crate::state and std::fs\n\
         /* println!(\"crate::render\") */\n\
         const HINT: &str = \"run crate::commands, then std::process\";\n\
         const RAW: &str = r#\"crate::apply \"quoted\"\"#;\n\
         fn lifetime<'a>(x: &'a str) -> char { let _ = x; '\"' }\n\
         #[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
    );
    assert!(caught.is_empty(), "{caught:?}");
}

#[test]
fn test_code_of_the_core_may_use_the_whole_core_but_nothing_outside_it() {
    assert!(check("policy/import/tests.rs", "use crate::plan::plan_tenant;\n").is_empty());
    assert_eq!(
        check("policy/import/tests.rs", "use crate::files::policy_dir::load_dir;\n"),
        ["src/policy/import/tests.rs:1: names crate::files::policy_dir::load_dir, outside the core"]
    );
}

#[test]
fn two_siblings_that_name_each_other_are_a_circle() {
    let module = |path: &str| -> Vec<String> { path.split("::").map(str::to_string).collect() };
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    edges
        .entry(module("policy::opath"))
        .or_default()
        .insert(module("policy::select"));
    edges
        .entry(module("policy::select"))
        .or_default()
        .insert(module("policy::opath"));
    edges
        .entry(module("policy::load"))
        .or_default()
        .insert(module("policy::schema"));
    assert_eq!(
        cycles(&edges),
        [vec!["policy::opath", "policy::select", "policy::opath"]]
    );
}

/// Checks one file's text as if it were `src/<path>`, for the tests of the checker itself.
fn check(path: &str, text: &str) -> Vec<String> {
    let file = SourceFile::new(Path::new(path), text);
    core_violations(&file)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// One file of the library, as tokens.
struct SourceFile {
    /// Relative to `src/`.
    path: PathBuf,
    /// `src/plan/diff/tests.rs` is `["plan", "diff", "tests"]`.
    module: Vec<String>,
    /// A unit test file (`tests.rs`, or under a `tests/` directory) or the test fixtures:
    /// compiled only for tests.
    is_test: bool,
    tokens: Vec<Token>,
}

impl SourceFile {
    fn new(path: &Path, text: &str) -> SourceFile {
        let module: Vec<String> = path
            .with_extension("")
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        let is_test = module.iter().any(|part| part == "tests")
            || module.last().is_some_and(|last| last == "fixtures");
        SourceFile {
            path: path.to_path_buf(),
            module,
            is_test,
            tokens: tokens(&blank_comments_and_literals(text)),
        }
    }
}

/// Every file of the library but its roots (`lib.rs`, `main.rs`).
fn library_files() -> Vec<SourceFile> {
    let mut paths = Vec::new();
    collect_rust_files(&src(), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(src()).expect("under src").to_path_buf();
            if relative == Path::new("lib.rs") || relative == Path::new("main.rs") {
                return None;
            }
            let text = std::fs::read_to_string(&path).expect("a source file reads");
            Some(SourceFile::new(&relative, &text))
        })
        .collect()
}

fn collect_rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source directory reads") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect_rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[derive(Debug)]
struct Violation {
    path: PathBuf,
    line: usize,
    what: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "src/{}:{}: {}",
            self.path.display(),
            self.line,
            self.what
        )
    }
}

fn lines(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|violation| format!("  {violation}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn core_violations(file: &SourceFile) -> Vec<Violation> {
    let top = file.module[0].as_str();
    let layer = CORE
        .iter()
        .position(|module| *module == top)
        .expect("a core file");
    let mut found = Vec::new();
    let mut report = |line: usize, what: String| {
        found.push(Violation {
            path: file.path.clone(),
            line,
            what,
        })
    };
    for reference in references(file) {
        let named = reference.path.join("::");
        match reference.path.first().map(String::as_str) {
            None => report(reference.line, "names the crate root".to_string()),
            Some(module) => match CORE.iter().position(|core| *core == module) {
                None => report(
                    reference.line,
                    format!("names crate::{named}, outside the core"),
                ),
                Some(at) if at > layer && !file.is_test => report(
                    reference.line,
                    format!("names crate::{named}, which is above {top} in the core"),
                ),
                Some(_) => {}
            },
        }
    }
    let tokens = &file.tokens;
    for (index, token) in tokens.iter().enumerate() {
        let next = |offset: usize| tokens.get(index + offset).map(|t| t.text.as_str());
        let after_path_separator = index > 0 && tokens[index - 1].text == "::";
        if token.text == "std" && next(1) == Some("::") && !after_path_separator {
            for path in use_tree(tokens, index + 2, vec!["std".to_string()]) {
                let forbidden = FORBIDDEN_STD.iter().any(|forbidden| {
                    path.len() >= forbidden.len()
                        && path.iter().zip(forbidden.iter()).all(|(a, b)| a == b)
                });
                if forbidden {
                    report(token.line, format!("names {}", path.join("::")));
                }
            }
        }
        if FORBIDDEN_CRATES.contains(&token.text.as_str())
            && next(1) == Some("::")
            && !after_path_separator
        {
            report(
                token.line,
                format!("uses {}, a crate that does I/O", token.text),
            );
        }
        if PRINTING_MACROS.contains(&token.text.as_str()) && next(1) == Some("!") {
            report(token.line, format!("prints with {}!", token.text));
        }
        if TERMINAL_STREAMS.contains(&token.text.as_str()) && next(1) == Some("(") {
            report(
                token.line,
                format!("reads or writes the terminal with {}()", token.text),
            );
        }
        if token.text == "."
            && next(1).is_some_and(|method| FILE_SYSTEM_METHODS.contains(&method))
            && next(2) == Some("(")
        {
            let method = next(1).unwrap_or_default();
            report(token.line, format!("asks the file system with .{method}()"));
        }
    }
    found.sort_by_key(|violation| violation.line);
    found
}

/// A path into the crate that a file names, resolved from the crate root.
struct Reference {
    line: usize,
    path: Vec<String>,
}

/// Every `crate::...`, `super::...` and `self::...` path of a file, each `use` group expanded,
/// resolved against the module it appears in (inline `mod name { ... }` blocks included).
fn references(file: &SourceFile) -> Vec<Reference> {
    let tokens = &file.tokens;
    let mut found = Vec::new();
    // Inline modules open at this brace depth: (depth, name).
    let mut inline: Vec<(usize, String)> = Vec::new();
    let mut depth = 0usize;
    let mut index = 0;
    while index < tokens.len() {
        let text = tokens[index].text.as_str();
        let next = |offset: usize| tokens.get(index + offset).map(|t| t.text.as_str());
        match text {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(open, _)| *open == depth) {
                    inline.pop();
                }
            }
            "mod" if next(2) == Some("{") => {
                if let Some(name) = next(1) {
                    inline.push((depth, name.to_string()));
                }
            }
            _ => {}
        }
        let after_path_separator = index > 0 && tokens[index - 1].text == "::";
        let starts_path = matches!(text, "crate" | "super" | "self")
            && next(1) == Some("::")
            && !after_path_separator;
        if starts_path {
            let mut module: Vec<String> = file.module.clone();
            module.extend(inline.iter().map(|(_, name)| name.clone()));
            let mut base = if text == "crate" { Vec::new() } else { module };
            if text == "super" {
                base.pop();
            }
            let mut at = index + 2;
            while tokens.get(at).is_some_and(|t| t.text == "super")
                && tokens.get(at + 1).is_some_and(|t| t.text == "::")
            {
                base.pop();
                at += 2;
            }
            for path in use_tree(tokens, at, base) {
                found.push(Reference {
                    line: tokens[index].line,
                    path,
                });
            }
        }
        index += 1;
    }
    found
}

/// The paths a `use` tree (or an expression path) starting at `at` names, each behind `prefix`:
/// `a::{b, c::d}` gives `a::b` and `a::c::d`; `a::*` and `a::{self}` give `a`.
fn use_tree(tokens: &[Token], at: usize, prefix: Vec<String>) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    use_tree_into(tokens, at, prefix, &mut paths);
    paths
}

/// Returns the index after the tree.
fn use_tree_into(
    tokens: &[Token],
    mut at: usize,
    mut prefix: Vec<String>,
    paths: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        let Some(token) = tokens.get(at) else {
            paths.push(prefix);
            return at;
        };
        match token.text.as_str() {
            "{" => {
                at += 1;
                while tokens.get(at).is_some_and(|t| t.text != "}") {
                    at = use_tree_into(tokens, at, prefix.clone(), paths);
                    if tokens.get(at).is_some_and(|t| t.text == ",") {
                        at += 1;
                    }
                }
                return at + 1;
            }
            "*" | "self" => {
                paths.push(prefix);
                return at + 1;
            }
            text if is_identifier(text) => {
                prefix.push(text.to_string());
                if tokens.get(at + 1).is_some_and(|t| t.text == "::")
                    && tokens.get(at + 2).is_some_and(|t| t.text != "<")
                {
                    at += 2;
                    continue;
                }
                paths.push(prefix);
                // Skip a rename: `a as b`.
                if tokens.get(at + 1).is_some_and(|t| t.text == "as") {
                    return at + 3;
                }
                return at + 1;
            }
            _ => {
                paths.push(prefix);
                return at;
            }
        }
    }
}

fn is_identifier(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
}

#[derive(Debug)]
struct Token {
    text: String,
    line: usize,
}

/// Identifiers (keywords included), `::`, and every other character on its own.
fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if c == '\n' {
            line += 1;
            at += 1;
        } else if c.is_whitespace() {
            at += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = at;
            while at < chars.len() && (chars[at].is_alphanumeric() || chars[at] == '_') {
                at += 1;
            }
            tokens.push(Token {
                text: chars[start..at].iter().collect(),
                line,
            });
        } else if c == ':' && chars.get(at + 1) == Some(&':') {
            tokens.push(Token {
                text: "::".to_string(),
                line,
            });
            at += 2;
        } else {
            tokens.push(Token {
                text: c.to_string(),
                line,
            });
            at += 1;
        }
    }
    tokens
}

/// The code with every comment and every string, byte string, raw string and character literal
/// replaced by spaces, line breaks kept so that line numbers stay true.
fn blank_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, part: &[char]| {
        for c in part {
            out.push(if *c == '\n' { '\n' } else { ' ' });
        }
    };
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let next = chars.get(at + 1).copied();
        let after_identifier = at > 0 && (chars[at - 1].is_alphanumeric() || chars[at - 1] == '_');
        let end = if c == '/' && next == Some('/') {
            chars[at..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(chars.len(), |offset| at + offset)
        } else if c == '/' && next == Some('*') {
            block_comment_end(&chars, at)
        } else if c == '"' {
            string_end(&chars, at)
        } else if (c == 'r' || c == 'b') && !after_identifier {
            raw_or_byte_string_end(&chars, at).unwrap_or(at)
        } else if c == '\'' {
            char_literal_end(&chars, at).unwrap_or(at)
        } else {
            at
        };
        if end > at {
            blank(&mut out, &chars[at..end]);
            at = end;
        } else {
            out.push(c);
            at += 1;
        }
    }
    out
}

fn block_comment_end(chars: &[char], start: usize) -> usize {
    let mut depth = 0;
    let mut at = start;
    while at < chars.len() {
        if chars[at] == '/' && chars.get(at + 1) == Some(&'*') {
            depth += 1;
            at += 2;
        } else if chars[at] == '*' && chars.get(at + 1) == Some(&'/') {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += 1;
        }
    }
    chars.len()
}

/// `start` is at the opening quote of a string with escapes.
fn string_end(chars: &[char], start: usize) -> usize {
    let mut at = start + 1;
    while at < chars.len() {
        match chars[at] {
            '\\' => at += 2,
            '"' => return at + 1,
            _ => at += 1,
        }
    }
    chars.len()
}

/// `r"..."`, `r#"..."#`, `b"..."`, `br#"..."#` starting at `start`.
fn raw_or_byte_string_end(chars: &[char], start: usize) -> Option<usize> {
    let mut at = start;
    if chars[at] == 'b' {
        at += 1;
        if chars.get(at) == Some(&'"') {
            return Some(string_end(chars, at));
        }
    }
    if chars.get(at) != Some(&'r') {
        return None;
    }
    at += 1;
    let mut hashes = 0;
    while chars.get(at) == Some(&'#') {
        hashes += 1;
        at += 1;
    }
    if chars.get(at) != Some(&'"') {
        return None;
    }
    at += 1;
    while at < chars.len() {
        if chars[at] == '"' && (1..=hashes).all(|i| chars.get(at + i) == Some(&'#')) {
            return Some(at + 1 + hashes);
        }
        at += 1;
    }
    Some(chars.len())
}

/// A character literal at `start` (`'x'`, `'\n'`, `'\u{1F600}'`); `None` for a lifetime.
fn char_literal_end(chars: &[char], start: usize) -> Option<usize> {
    match chars.get(start + 1) {
        Some('\\') => {
            let close = chars[start + 2..].iter().position(|c| *c == '\'')?;
            Some(start + 2 + close + 1)
        }
        Some(_) if chars.get(start + 2) == Some(&'\'') => Some(start + 3),
        _ => None,
    }
}

/// The edge a file's reference makes between two sibling modules (two children of one parent,
/// or two top-level modules), if it makes one: a reference to the parent's own items, or into
/// the file's own module, makes none.
fn sibling_edge(
    module: &[String],
    reference: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> Option<(Vec<String>, Vec<String>)> {
    let shared = module
        .iter()
        .zip(reference)
        .take_while(|(a, b)| a == b)
        .count();
    if shared >= module.len() || shared >= reference.len() {
        return None;
    }
    let to = reference[..=shared].to_vec();
    if !modules.contains(&to) {
        return None;
    }
    Some((module[..=shared].to_vec(), to))
}

/// Every circle in a graph, each once, as the modules along it back to where it started.
fn cycles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    let name = |module: &Vec<String>| module.join("::");
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for start in edges.keys() {
        // Depth-first from `start`, only through modules after it, so each circle is found
        // from its smallest module.
        let mut stack: Vec<(Vec<String>, Vec<Vec<String>>)> = vec![(start.clone(), vec![])];
        while let Some((at, path)) = stack.pop() {
            let mut path = path;
            path.push(at.clone());
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let mut cycle: Vec<String> = path.iter().map(name).collect();
                    cycle.push(name(start));
                    found.insert(cycle);
                } else if next > start && !path.contains(next) {
                    stack.push((next.clone(), path.clone()));
                }
            }
        }
    }
    found.into_iter().collect()
}
