//! Validation never panics on damaged files: a seeded fuzz loop mutates the bundled
//! scenarios, catalogue and configs (deleted lines, swapped types, truncation, duplicate
//! keys, invalid UTF-8, byte flips). Damaged files give errors, and every reported place
//! lies inside its file. A BOM and Windows line endings change nothing.

mod support;

use klub_kiosk::content::diag::{Severity, line_col};
use klub_kiosk::content::paths::validate_paths;
use klub_kiosk::content::set::{Options, Validation, check_configs, load_content, load_kiosk_file};
use klub_kiosk::domain::text::Lang;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use support::sticks::copy_dir;
use tempfile::TempDir;

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

/// A temp copy of the bundled content and configs, with the list of its TOML files.
fn bundled() -> (TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("scenarios"), &dir.path().join("scenarios"));
    copy_dir(&root.join("kiosk-config"), &dir.path().join("kiosk-config"));
    let mut files = vec![];
    toml_files(dir.path(), &mut files);
    assert!(files.len() >= 5, "{files:?}");
    (dir, files)
}

/// What `klub validate` does, without opening images and sounds (the fuzzer does not
/// touch them, and decoding them would only slow each case down).
fn validate(dir: &Path) -> Validation {
    let opts = Options {
        assets: false,
        narration: false,
    };
    let mut v = load_content(&dir.join("scenarios"), &opts);
    let mut kiosk = vec![];
    toml_files(&dir.join("kiosk-config"), &mut kiosk);
    for f in kiosk {
        load_kiosk_file(&mut v, &f);
    }
    check_configs(&mut v);
    v
}

/// Every finding's line:col lies inside its file (only errors and findings about `focus`
/// when given: the others are the baseline's, checked once).
fn spans_inside(v: &Validation, what: &str, focus: Option<&Path>) {
    let mut cache: std::collections::HashMap<&Path, Vec<u8>> = Default::default();
    for d in &v.report.diags {
        let Some(span) = &d.span else { continue };
        if focus.is_some_and(|f| f != d.file && !d.is_error()) {
            continue;
        }
        let bytes = cache
            .entry(&d.file)
            .or_insert_with(|| match v.sources.get(&d.file) {
                Some(b) => b.clone(),
                None => std::fs::read(&d.file).unwrap_or_default(),
            });
        let bytes = bytes.as_slice();
        assert!(
            span.start <= bytes.len() && span.start <= span.end,
            "{what}: span {span:?} outside {} ({} bytes): {:?}",
            d.file.display(),
            bytes.len(),
            d.msg.fr
        );
        let (line, col) = line_col(bytes, span.start);
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(
            line >= 1 && line <= lines.len(),
            "{what}: line {line} of {} lines in {}: {:?}",
            lines.len(),
            d.file.display(),
            d.msg.fr
        );
        let chars = lines[line - 1]
            .trim_start_matches('\u{feff}')
            .chars()
            .count();
        assert!(
            col >= 1 && col <= chars + 1,
            "{what}: col {col} on a line of {chars} chars in {}:{line}: {:?}",
            d.file.display(),
            d.msg.fr
        );
        // Rendering never panics either.
        let _ = d.render(Some(bytes), Lang::Fr);
        let _ = d.render(Some(bytes), Lang::En);
    }
}

/// A `key = scalar` line whose type can be swapped, and its swapped form.
fn swap_type(line: &str) -> Option<String> {
    let (key, value) = line.split_once(" = ")?;
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    let v = value.trim();
    if v.starts_with('"') && v.ends_with('"') && v.len() >= 2 {
        Some(format!("{key} = 7"))
    } else if v == "true"
        || v == "false"
        || (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
    {
        Some(format!("{key} = \"{v}\""))
    } else {
        None
    }
}

fn is_key_line(line: &str) -> bool {
    line.split_once(" = ").is_some_and(|(k, _)| {
        !k.is_empty()
            && k.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    })
}

#[derive(Clone, Copy, Debug)]
enum Mutation {
    DeleteLine,
    SwapType,
    Truncate,
    DuplicateKey,
    InvalidUtf8,
    FlipBytes,
}

const MUTATIONS: [Mutation; 6] = [
    Mutation::DeleteLine,
    Mutation::SwapType,
    Mutation::Truncate,
    Mutation::DuplicateKey,
    Mutation::InvalidUtf8,
    Mutation::FlipBytes,
];

/// Mutates a file's bytes; returns the new bytes and whether they must be reported.
fn mutate(rng: &mut StdRng, m: Mutation, bytes: &[u8]) -> Option<(Vec<u8>, bool, String)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let lines: Vec<&str> = text.split('\n').collect();
    match m {
        Mutation::DeleteLine => {
            let i = rng.random_range(0..lines.len());
            let mut out = lines.clone();
            let gone = out.remove(i);
            // A step, trade or skill without its id is never valid.
            let must = ["id = ", "type = ", "kind = "]
                .iter()
                .any(|p| gone.starts_with(p));
            Some((
                out.join("\n").into_bytes(),
                must,
                format!("delete line {}: {gone}", i + 1),
            ))
        }
        Mutation::SwapType => {
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|i| swap_type(lines[*i]).is_some())
                .collect();
            let i = candidates[rng.random_range(0..candidates.len())];
            let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
            let new = swap_type(lines[i])?;
            let what = format!("swap line {}: {} -> {new}", i + 1, lines[i]);
            out[i] = new;
            Some((out.join("\n").into_bytes(), true, what))
        }
        Mutation::Truncate => {
            let at = rng.random_range(0..bytes.len());
            Some((bytes[..at].to_vec(), false, format!("truncate at {at}")))
        }
        Mutation::DuplicateKey => {
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|i| is_key_line(lines[*i]))
                .collect();
            let i = candidates[rng.random_range(0..candidates.len())];
            let mut out = lines.clone();
            out.insert(i, lines[i]);
            Some((
                out.join("\n").into_bytes(),
                true,
                format!("duplicate line {}: {}", i + 1, lines[i]),
            ))
        }
        Mutation::InvalidUtf8 => {
            let at = rng.random_range(0..=bytes.len());
            let bad: &[u8] = [
                &[0xff][..],
                &[0xc3][..],
                &[0xe2, 0x82][..],
                &[0x80, 0x80][..],
            ][rng.random_range(0..4)];
            let mut out = bytes.to_vec();
            out.splice(at..at, bad.iter().copied());
            Some((out, true, format!("invalid UTF-8 {bad:?} at {at}")))
        }
        Mutation::FlipBytes => {
            let mut out = bytes.to_vec();
            let n = rng.random_range(1..4);
            let mut what = String::from("flip");
            for _ in 0..n {
                let at = rng.random_range(0..out.len());
                out[at] = rng.random();
                what.push_str(&format!(" {at}"));
            }
            Some((out, false, what))
        }
    }
}

/// Whether bytes are not valid TOML (or not UTF-8), as the `toml` crate itself judges.
fn broken_toml(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(t) => toml::from_str::<toml::Table>(t.strip_prefix('\u{feff}').unwrap_or(t)).is_err(),
        Err(_) => true,
    }
}

#[test]
fn mutated_files_never_panic_and_report_inside_the_file() {
    let (dir, files) = bundled();
    // The full command agrees with the fuzzer's shortcut on the intact copy.
    let full = validate_paths(
        &[
            dir.path().join("scenarios"),
            dir.path().join("kiosk-config"),
        ],
        None,
        false,
    );
    assert_eq!(full.report.errors(), 0, "{}", full.render(Lang::Fr));
    let baseline = validate(dir.path());
    assert_eq!(places(&full, dir.path()), places(&baseline, dir.path()));
    assert_eq!(baseline.report.errors(), 0, "{}", baseline.render(Lang::Fr));
    spans_inside(&baseline, "baseline", None);
    let cases: usize = std::env::var("KLUB_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(600);
    let seed: u64 = std::env::var("KLUB_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x6b6c_7562);
    let mut rng = StdRng::seed_from_u64(seed);
    let start = std::time::Instant::now();
    let mut reported = [0usize; 6];
    for case in 0..cases {
        let file = &files[rng.random_range(0..files.len())];
        let original = std::fs::read(file).unwrap();
        let k = case % MUTATIONS.len();
        let Some((bytes, must_fail, what)) = mutate(&mut rng, MUTATIONS[k], &original) else {
            continue;
        };
        std::fs::write(file, &bytes).unwrap();
        let label = format!(
            "case {case} (seed {seed}), {}: {what}",
            file.strip_prefix(dir.path()).unwrap().display()
        );
        let v = catch_unwind(AssertUnwindSafe(|| validate(dir.path())))
            .unwrap_or_else(|_| panic!("validation panicked on {label}"));
        spans_inside(&v, &label, Some(file));
        let errors = v.report.errors();
        if must_fail || broken_toml(&bytes) {
            assert!(errors > 0, "{label}: damaged file passed validation");
            // The damaged file itself is named.
            assert!(
                v.report
                    .diags
                    .iter()
                    .any(|d| d.severity == Severity::Error && d.file == *file),
                "{label}: no error names the damaged file:\n{}",
                v.render(Lang::Fr)
            );
        }
        if errors > 0 {
            reported[k] += 1;
        }
        std::fs::write(file, &original).unwrap();
    }
    let elapsed = start.elapsed();
    eprintln!("{cases} cases in {elapsed:?}; with errors per mutation kind: {reported:?}");
    // Every kind of damage was caught at least sometimes.
    assert!(reported.iter().all(|n| *n > 0), "{reported:?}");
    assert!(elapsed.as_secs() < 60, "fuzzing took {elapsed:?}");
}

/// (file, severity, line, col, message) of every finding.
fn places(v: &Validation, root: &Path) -> Vec<(PathBuf, Severity, usize, usize, String)> {
    let mut out: Vec<_> = v
        .report
        .diags
        .iter()
        .map(|d| {
            let bytes = v.sources.get(&d.file).cloned().unwrap_or_default();
            let (line, col) = d.line_col(&bytes).unwrap_or((0, 0));
            let file = d.file.strip_prefix(root).unwrap_or(&d.file).to_owned();
            (file, d.severity, line, col, d.msg.fr.clone())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn bom_and_windows_line_endings_are_accepted_as_if_absent() {
    let (plain, _) = bundled();
    let (windows, files) = bundled();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains('\r'), "{} already has CR", f.display());
        let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        std::fs::write(f, crlf).unwrap();
    }
    let a = validate(plain.path());
    let b = validate(windows.path());
    assert_eq!(b.report.errors(), 0, "{}", b.render(Lang::Fr));
    assert_eq!(a.report.diags.len(), b.report.diags.len());
    assert_eq!(places(&a, plain.path()), places(&b, windows.path()));
    spans_inside(&b, "BOM + CRLF", None);
    // The same scenarios and trades come out.
    assert_eq!(a.set.scenarios, b.set.scenarios);
    assert_eq!(a.set.catalogue, b.set.catalogue);
    // Also with an error planted: it is found at the same place.
    for (dir, crlf) in [(&plain, false), (&windows, true)] {
        let f = dir.path().join("scenarios/soudure/scenario.toml");
        let text = std::fs::read_to_string(&f).unwrap();
        let nl = if crlf { "\r\n" } else { "\n" };
        let planted = text.replacen(
            &format!("{nl}duration_minutes = "),
            &format!("{nl}duration_minutes = \"x\"{nl}# "),
            1,
        );
        assert_ne!(planted, text);
        std::fs::write(&f, planted).unwrap();
    }
    let a = validate(plain.path());
    let b = validate(windows.path());
    assert_eq!(a.report.errors(), 1, "{}", a.render(Lang::Fr));
    assert_eq!(places(&a, plain.path()), places(&b, windows.path()));
}
