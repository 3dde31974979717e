//! Checking a list of paths as `klub validate` and `klub doctor` do: content folders, single
//! content files, station configs and tours, each found by what the path holds.

use crate::content::diag::{Diagnostic, Msg};
use crate::content::rome;
use crate::content::set::{
    self, Options, SCENARIO_FILE, SKILLS_FILE, TRADES_FILE, Validation, load_content,
};
use std::path::{Path, PathBuf};

/// Finds the content folder a path belongs to.
fn content_root(p: &Path) -> Option<PathBuf> {
    let dir = if p.is_dir() {
        p.to_owned()
    } else {
        p.parent().unwrap_or(Path::new(".")).to_owned()
    };
    let up = dir.parent().map(Path::to_owned).unwrap_or_default();
    [dir, up]
        .into_iter()
        .find(|d| d.join(TRADES_FILE).is_file() || d.join(SKILLS_FILE).is_file())
}

/// Loads and checks the given paths into one validation.
pub fn validate_paths(paths: &[PathBuf], rome_dir: Option<&Path>, narration: bool) -> Validation {
    let opts = Options {
        assets: true,
        narration,
    };
    let mut content_roots: Vec<PathBuf> = vec![];
    // Roots asked for whole (a folder), and single content files asked for.
    let mut whole: Vec<PathBuf> = vec![];
    let mut only: Vec<PathBuf> = vec![];
    let mut kiosk_files: Vec<PathBuf> = vec![];
    let mut missing: Vec<PathBuf> = vec![];
    let mut orphans: Vec<PathBuf> = vec![];
    for p in paths {
        if !p.exists() {
            missing.push(p.clone());
        } else if let Some(root) = content_root(p).filter(|_| {
            p.is_dir()
                || p.file_name()
                    .is_some_and(|f| f == SCENARIO_FILE || f == TRADES_FILE || f == SKILLS_FILE)
        }) {
            if p.is_dir() {
                whole.push(canonical(&root));
            } else {
                only.push(canonical(p));
            }
            if !content_roots.contains(&root) {
                content_roots.push(root);
            }
        } else if p.is_file() && p.file_name().is_some_and(|f| f == SCENARIO_FILE) {
            orphans.push(p.clone());
        } else if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                        .collect()
                })
                .unwrap_or_default();
            files.sort();
            kiosk_files.extend(files);
        } else {
            kiosk_files.push(p.clone());
        }
    }
    let mut v = match content_roots.first() {
        Some(root) => load_content(root, &opts),
        None => Validation::default(),
    };
    for extra in content_roots.iter().skip(1) {
        let w = load_content(extra, &opts);
        v.report.diags.extend(w.report.diags);
        v.sources.extend(w.sources);
        v.coverage.extend(w.coverage);
    }
    for f in kiosk_files {
        set::load_kiosk_file(&mut v, &f);
    }
    set::check_configs(&mut v);
    if let Some(dir) = rome_dir {
        rome::check(&mut v, dir);
    }
    // A single file asked for: only its findings (the rest of its folder is read for
    // the skills, trades and scenario ids it refers to).
    if !only.is_empty() {
        v.report.diags.retain(|d| {
            let f = canonical(&d.file);
            only.contains(&f)
                || whole.iter().any(|w| f.starts_with(w))
                || !content_roots.iter().any(|r| f.starts_with(canonical(r)))
        });
    }
    for m in missing {
        v.report.push(Diagnostic::error(
            &m,
            None,
            Msg::new("ce chemin n'existe pas", "this path does not exist"),
        ));
    }
    for o in orphans {
        v.report.push(
            Diagnostic::error(
                &o,
                None,
                Msg::new(
                    format!("ce scénario n'est pas dans un dossier de contenu : {SKILLS_FILE} et {TRADES_FILE} sont introuvables à côté de son dossier"),
                    format!("this scenario is not in a content folder: {SKILLS_FILE} and {TRADES_FILE} are not next to its folder"),
                ),
            )
            .with_hint(Msg::new(
                "mettez le dossier du scénario dans scenarios/, puis validez scenarios/",
                "put the scenario's folder in scenarios/, then validate scenarios/",
            )),
        );
    }
    v
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned())
}
