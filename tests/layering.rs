//! Imports run one way, read from the source text: `domain` uses only itself, the standard
//! library and its pure dependencies; `ops` never calls the CLI; the layers on the domain
//! (content, storage, report, site, media, fsio) never reach up to app, cli, ops or warehouse.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The crates `domain` may use: pure Rust, no I/O of their own, no Bevy, no SQL.
const DOMAIN_DEPS: &[&str] = &[
    "serde",
    "base64",
    "argon2",
    "hmac",
    "sha2",
    "getrandom",
    "thiserror",
];

/// Path roots that are always fine: the standard library, the module tree, primitive types.
const ALWAYS: &[&str] = &[
    "std", "core", "alloc", "self", "super", "Self", "u8", "u16", "u32", "u64", "u128", "usize",
    "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "char", "str", "bool",
];

/// What each layer may not import from the crate.
const FORBIDDEN: &[(&str, &[&str])] = &[
    ("ops", &["app", "cli", "warehouse"]),
    (
        "content",
        &[
            "app",
            "cli",
            "ops",
            "warehouse",
            "report",
            "site",
            "storage",
        ],
    ),
    (
        "storage",
        &["app", "cli", "ops", "warehouse", "report", "site"],
    ),
    ("report", &["app", "cli", "ops", "warehouse", "site"]),
    (
        "site",
        &["app", "cli", "ops", "warehouse", "report", "storage"],
    ),
    ("media", &["app", "cli", "ops", "warehouse"]),
    ("fsio.rs", &["app", "cli", "ops", "warehouse"]),
];

/// The source with comments, string and char literals blanked, so that a doc comment or a
/// message naming `crate::cli` is not an import.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(b.len(), |n| i + n);
            i = end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(b.len(), |n| i + n + 2);
            i = end;
            out.push(' ');
        } else if let Some(len) = raw_string_len(rest) {
            i += len;
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && char_literal_len(rest).is_some() {
            i += char_literal_len(rest).unwrap_or(1);
            out.push_str("' '");
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The length of a raw string literal (`r"…"`, `r#"…"#`, `br"…"`) starting here.
fn raw_string_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("br").or_else(|| s.strip_prefix('r'))?;
    let hashes = body.len() - body.trim_start_matches('#').len();
    let after = body[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let end = after.find(&close)?;
    Some(s.len() - after.len() + end + close.len())
}

/// The length of a char literal (`'a'`, `'\n'`, `'\u{1b}'`) starting here, not a lifetime.
fn char_literal_len(s: &str) -> Option<usize> {
    let inner = &s[1..];
    let end = if inner.starts_with('\\') {
        inner.find('\'')?
    } else {
        inner.chars().next()?.len_utf8()
    };
    (inner.get(end..end + 1) == Some("'")).then_some(end + 2)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path in the code, as its segments (`crate::cli::run` gives `[crate, cli, run]`),
/// starting where a path starts: not after `::`, `.` or another name.
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    let mut out = vec![];
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        let before = code[..at].trim_end();
        let starts = (c.is_ascii_alphabetic() || c == '_')
            && (k == 0 || !is_ident(chars[k - 1].1))
            && !before.ends_with("::")
            && !before.ends_with('.');
        if !starts {
            k += 1;
            continue;
        }
        let mut segs = vec![];
        let mut j = at;
        loop {
            let len = code[j..]
                .find(|c: char| !is_ident(c))
                .unwrap_or(code.len() - j);
            segs.push(code[j..j + len].to_owned());
            j += len;
            match code[j..].strip_prefix("::") {
                Some(next) if next.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                    j += 2;
                }
                _ => break,
            }
        }
        if segs.len() > 1 {
            out.push(segs);
        }
        k = chars.partition_point(|&(i, _)| i < j).max(k + 1);
    }
    out
}

/// The names `use` statements bring in (the last segment of each, and `as` aliases).
fn used_names(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for stmt in code.split("use ").skip(1) {
        let Some(end) = stmt.find(';') else { continue };
        let tree = &stmt[..end];
        for part in tree.split(['{', '}', ',']) {
            let name = part.rsplit(" as ").next().unwrap_or(part);
            let last = name.trim().rsplit("::").next().unwrap_or("").trim();
            if !last.is_empty() && last != "*" && last != "self" && last.chars().all(is_ident) {
                names.insert(last.to_owned());
            }
        }
    }
    names
}

/// The crate modules the code names (`crate::cli::run` and `klub_kiosk::cli` give `cli`),
/// with the path as written; a group `crate::{cli::x, ops}` gives each of its items.
fn crate_modules(code: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    for root in ["crate::", "klub_kiosk::"] {
        let mut from = 0;
        while let Some(n) = code[from..].find(root) {
            let at = from + n;
            from = at + root.len();
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            let rest = &code[from..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 || (depth == 1 && c == ',') {
                        let name: String =
                            item.trim().chars().take_while(|&c| is_ident(c)).collect();
                        if !name.is_empty() {
                            out.push((name, format!("{root}{{{}}}", item.trim())));
                        }
                        item.clear();
                        if depth == 0 {
                            break;
                        }
                    } else {
                        item.push(c);
                    }
                }
            } else {
                let path: String = rest
                    .chars()
                    .take_while(|&c| is_ident(c) || c == ':')
                    .collect();
                let name: String = path.chars().take_while(|&c| is_ident(c)).collect();
                if !name.is_empty() {
                    out.push((name, format!("{root}{}", path.trim_end_matches(':'))));
                }
            }
        }
    }
    out
}

/// The imports of one file that break the rule of its layer, as readable strings.
fn violations(layer: &str, domain_modules: &[String], src: &str) -> Vec<String> {
    let code = code_only(src);
    let mut bad = vec![];
    if layer == "domain" {
        let local = used_names(&code);
        for segs in paths(&code) {
            let root = segs[0].as_str();
            let fine = root == "crate"
                || root == "klub_kiosk"
                || ALWAYS.contains(&root)
                || DOMAIN_DEPS.contains(&root)
                || domain_modules.iter().any(|m| m == root)
                || local.contains(root)
                || root.starts_with(char::is_uppercase);
            if !fine {
                bad.push(segs.join("::"));
            }
        }
        // A `use` of something outside, whatever it is then called.
        for stmt in code.split("use ").skip(1) {
            let root = stmt
                .split("::")
                .next()
                .unwrap_or("")
                .trim()
                .trim_start_matches('{');
            let known = ALWAYS.contains(&root)
                || DOMAIN_DEPS.contains(&root)
                || root == "crate"
                || domain_modules.iter().any(|m| m == root);
            if stmt.contains("::") && root.chars().all(is_ident) && !known {
                bad.push(format!("use {root}"));
            }
        }
        for (m, shown) in crate_modules(&code) {
            if m != "domain" {
                bad.push(shown);
            }
        }
    } else if let Some((_, forbidden)) = FORBIDDEN.iter().find(|(l, _)| *l == layer) {
        for (m, shown) in crate_modules(&code) {
            if forbidden.contains(&m.as_str()) {
                bad.push(shown);
            }
        }
    }
    bad.sort();
    bad.dedup();
    bad
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd {
        let p = e.expect("read_dir").path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn domain_modules() -> Vec<String> {
    rust_files(&src().join("domain"))
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|s| s != "mod")
        .collect()
}

#[test]
fn every_layer_imports_only_downwards() {
    let mods = domain_modules();
    assert!(
        mods.iter().any(|m| m == "pass"),
        "domain modules not found: {mods:?}"
    );
    let mut checked = 0;
    let mut report = vec![];
    for layer in ["domain"]
        .into_iter()
        .chain(FORBIDDEN.iter().map(|(l, _)| *l))
    {
        let files = if layer.ends_with(".rs") {
            vec![src().join(layer)]
        } else {
            rust_files(&src().join(layer))
        };
        assert!(!files.is_empty(), "no source for {layer}");
        for f in files {
            let text = std::fs::read_to_string(&f).expect("source");
            checked += 1;
            for v in violations(layer, &mods, &text) {
                report.push(format!("{}: {v}", f.display()));
            }
        }
    }
    assert!(checked > 40, "only {checked} files read");
    assert!(
        report.is_empty(),
        "imports against the layering:\n{}",
        report.join("\n")
    );
}

#[test]
fn the_checker_catches_a_planted_upward_import() {
    let mods = vec!["pass".to_owned(), "text".to_owned()];
    assert_eq!(
        violations(
            "ops",
            &mods,
            "use crate::cli::validate::validate_paths;\nfn f() {}"
        ),
        ["crate::cli::validate::validate_paths"]
    );
    assert_eq!(
        violations(
            "ops",
            &mods,
            "fn f() { klub_kiosk::cli::run(x); crate::content::x(); }"
        ),
        ["klub_kiosk::cli::run"]
    );
    assert_eq!(
        violations(
            "storage",
            &mods,
            "use crate::{domain::pass, ops::{doctor, time}};"
        ),
        ["crate::{ops::{doctor, time}}"]
    );
    assert_eq!(
        violations(
            "site",
            &mods,
            "pub fn f() -> crate::report::html::Report { todo() }"
        ),
        ["crate::report::html::Report"]
    );
    // Comments and strings are not imports.
    let quiet = "//! calls `crate::cli::run`\n/* crate::app::x */ fn f() { g(\"crate::cli::x\", r#\"crate::cli\"#, '\"'); }";
    assert_eq!(violations("ops", &mods, quiet), Vec::<String>::new());
}

#[test]
fn the_checker_catches_a_domain_that_reaches_outside() {
    let mods = vec!["pass".to_owned(), "text".to_owned()];
    let clean = "use super::text::Lang;\nuse crate::domain::pass::Pass;\nuse serde::Serialize;\nuse std::fmt;\nfn f(x: u32) -> fmt::Result { let n = u32::MAX; pass::Pass::new(); Lang::Fr; x.parse::<u8>(); Ok(()) }";
    assert_eq!(violations("domain", &mods, clean), Vec::<String>::new());
    assert_eq!(
        violations(
            "domain",
            &mods,
            "use rusqlite::Connection;\nfn f(c: &Connection) {}"
        ),
        ["rusqlite::Connection", "use rusqlite"]
    );
    assert_eq!(
        violations("domain", &mods, "fn f() { bevy::log::info!(\"x\"); }"),
        ["bevy::log::info"]
    );
    assert_eq!(
        violations("domain", &mods, "use crate::storage::db;\n"),
        ["crate::storage::db"]
    );
    assert_eq!(
        violations(
            "domain",
            &mods,
            "fn f() { std::fs::read(\"x\"); crate::content::set::load(); }"
        ),
        ["crate::content::set::load"]
    );
}

/// Every `.rs` file under `src/`, with its text.
fn all_sources() -> Vec<(PathBuf, String)> {
    rust_files(&src())
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("source");
            (p, text)
        })
        .collect()
}

/// Where the code (not comments or strings) holds `needle`.
fn places(sources: &[(PathBuf, String)], needle: &str) -> Vec<String> {
    sources
        .iter()
        .filter(|(_, text)| code_only(text).contains(needle))
        .map(|(p, _)| p.display().to_string())
        .collect()
}

/// One owner per rule: the id rule and the HTML escape are written once, in the domain.
#[test]
fn the_id_rule_and_the_html_escape_have_one_owner() {
    let sources = all_sources();
    let id_rule = places(&sources, "fn is_id(");
    assert_eq!(id_rule.len(), 1, "{id_rule:?}");
    assert!(id_rule[0].ends_with("domain/ids.rs"), "{id_rule:?}");
    // The entity itself is in a string, so look for the replace that writes it.
    let escapes: Vec<String> = sources
        .iter()
        .filter(|(_, text)| text.contains(".replace('<', \"&lt;\")"))
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert_eq!(escapes.len(), 1, "{escapes:?}");
    assert!(escapes[0].ends_with("domain/text.rs"), "{escapes:?}");
}
