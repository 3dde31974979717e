//! `klub validate`: checks scenario folders, the catalogue, station configs and tour files.

use crate::cli::CliResult;
use crate::content::paths::validate_paths;
use crate::domain::text::{Lang, printable};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
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

/// Runs `klub validate`.
pub fn run(args: &Args, lang: Lang) -> CliResult {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios"), PathBuf::from("kiosk-config")]
    } else {
        args.paths.clone()
    };
    let v = validate_paths(&paths, args.rome.as_deref(), !args.no_narration);
    let mut out = v.render(lang);
    if !v.coverage.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if lang == Lang::En {
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
                lang.pick("textes", "texts"),
                pct(c.en, c.texts),
                pct(c.facile, c.texts),
                lang.pick("voix", "voice"),
                pct(c.narrated, c.voices)
            );
        }
    }
    let (e, w) = (v.report.errors(), v.report.warnings());
    if lang == Lang::En {
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
