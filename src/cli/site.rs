//! `klub site build`: publishes the take-home results page into a folder.

use crate::cli::CliResult;
use crate::content::set::{self, Options, load_content};
use crate::domain::text::{Lang, printable};
use crate::site;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The default tour file, used when it exists and `--tour` is not given.
pub const DEFAULT_TOUR: &str = "kiosk-config/tour.toml";

/// Arguments of `klub site`.
#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SiteCommand,
}

/// `klub site` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SiteCommand {
    /// Écrit index.html dans DIR, en gardant chaque catalogue déjà publié / Write DIR/index.html, keeping every catalogue published there.
    Build {
        /// Output folder (created if missing); publish it as it is on any static host.
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
        /// Scenario folder giving the catalogue and the savoir-être.
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        /// Tour file giving each stop's contacts and offers (default: kiosk-config/tour.toml when it exists).
        #[arg(long)]
        tour: Option<PathBuf>,
        /// Écrase index.html même si c'est une base SQLite / overwrite index.html even if it is an SQLite database.
        #[arg(long)]
        force: bool,
    },
}

/// Runs `klub site`.
pub fn run(args: &SiteArgs, lang: Lang) -> CliResult {
    match &args.command {
        SiteCommand::Build {
            out,
            scenarios,
            tour,
            force,
        } => build(out, scenarios, tour.as_deref(), *force, lang),
    }
}

fn build(out: &Path, scenarios: &Path, tour: Option<&Path>, force: bool, lang: Lang) -> CliResult {
    let opts = Options {
        assets: false,
        narration: false,
    };
    let mut v = load_content(scenarios, &opts);
    let default_tour = PathBuf::from(DEFAULT_TOUR);
    let tour_path = tour.or_else(|| default_tour.is_file().then_some(default_tour.as_path()));
    if let Some(p) = tour_path {
        set::load_kiosk_file(&mut v, p);
        if v.report.errors() == 0 && v.tours.is_empty() {
            eprintln!(
                "{}",
                if lang == Lang::En {
                    format!("{}: not a tour file (it has no [[stop]])", p.display())
                } else {
                    format!(
                        "{} : ce n'est pas un fichier de tournée (aucun [[stop]])",
                        p.display()
                    )
                }
            );
            return Ok(ExitCode::from(1));
        }
        set::check_configs(&mut v);
    }
    if v.report.errors() > 0 || v.set.catalogue.trades.is_empty() {
        print!("{}", printable(&v.render(lang)));
        eprintln!(
            "{}",
            if lang == Lang::En {
                "The page was not written: fix the errors above (klub validate shows them too)."
            } else {
                "La page n'a pas été écrite : corrigez d'abord les erreurs ci-dessus (klub validate les montre aussi)."
            }
        );
        return Ok(ExitCode::from(1));
    }
    let inputs: Vec<PathBuf> = v.tours.iter().map(|(p, _)| p.clone()).collect();
    for p in [out.to_owned(), out.join("index.html")] {
        crate::fsio::check_output(&p, &inputs, force).map_err(|r| r.message(lang))?;
    }
    let tour = v.tours.first().map(|(_, t)| t);
    let built = match site::build(out, &v.set.catalogue, &v.set.skills, tour) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "{}: {}",
                lang.pick("erreur", "error"),
                printable(&e.message(lang))
            );
            return Ok(ExitCode::from(2));
        }
    };
    let kb = built.bytes.div_ceil(1024);
    let others: Vec<&str> = built
        .catalogues
        .iter()
        .filter(|c| **c != built.current)
        .map(String::as_str)
        .collect();
    let t = |fr, en| lang.pick(fr, en);
    let page = t("Page écrite :", "Page written:");
    println!("{page} {} ({kb} {})", built.index.display(), t("Ko", "KB"));
    let current = t("Catalogue actuel :", "Current catalogue:");
    println!("{current} {}", built.current);
    let earlier = t(
        "Catalogues précédents toujours lisibles :",
        "Earlier catalogues still readable:",
    );
    println!("{earlier} {}", list(&others, t("aucun", "none")));
    let stops = t("Étapes de tournée connues :", "Tour stops known:");
    println!("{stops} {}", built.stops);
    if built.examples > 0 {
        eprintln!(
            "{}",
            if lang == Lang::En {
                format!(
                    "warning: the tour still has {} example contacts or offers: replace them before publishing",
                    built.examples
                )
            } else {
                format!(
                    "attention : la tournée contient encore {} contacts ou offres d'exemple : remplacez-les avant de publier",
                    built.examples
                )
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn list(items: &[&str], none: &str) -> String {
    if items.is_empty() {
        none.to_owned()
    } else {
        items.join(", ")
    }
}
