//! `klub validate`: checks scenario folders, the catalogue, station configs and tour files.

use crate::cli::CliResult;
use crate::content::diag::{Diagnostic, Msg};
use crate::content::rome;
use crate::content::set::{
    self, Options, SCENARIO_FILE, SKILLS_FILE, TRADES_FILE, Validation, load_content,
};
use crate::domain::text::printable;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `klub validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders to check (default: `scenarios` and `kiosk-config`).
    pub paths: Vec<PathBuf>,
    /// An official ROME 4.0 CSV download, to check codes, letters and links against it.
    #[arg(long)]
    pub rome: Option<PathBuf>,
    /// Skip narration coverage.
    #[arg(long)]
    pub no_narration: bool,
}

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

/// Runs `klub validate`.
pub fn run(args: &Args, en: bool) -> CliResult {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios"), PathBuf::from("kiosk-config")]
    } else {
        args.paths.clone()
    };
    let v = validate_paths(&paths, args.rome.as_deref(), !args.no_narration);
    let mut out = v.render(en);
    if !v.coverage.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if en {
                "Coverage (English, easy French, narration):"
            } else {
                "Couverture (anglais, français facile, voix) :"
            }
        );
        for c in &v.coverage {
            let pct = |a: usize, b: usize| (a * 100).checked_div(b).unwrap_or(100);
            let _ = writeln!(
                out,
                "  {:<16} {:>3} {}  en {:>3} %  facile {:>3} %  {} {:>3} %",
                c.scenario,
                c.texts,
                if en { "texts" } else { "textes" },
                pct(c.en, c.texts),
                pct(c.facile, c.texts),
                if en { "voice" } else { "voix" },
                pct(c.narrated, c.voices)
            );
        }
    }
    let (e, w) = (v.report.errors(), v.report.warnings());
    if en {
        let _ = writeln!(out, "{e} error(s), {w} warning(s).");
    } else {
        let _ = writeln!(out, "{e} erreur(s), {w} avertissement(s).");
    }
    // Names, values and lines quoted from the files may hold terminal escapes.
    let out = printable(&out);
    // A closed pipe (`klub validate | head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(if e == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
