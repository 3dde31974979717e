//! The organiser's commands on visit logs: `export`, `merge`, `report`, `stats`, `purge`.

use crate::cli::{CliError, CliResult};
use crate::content::set::{Validation, load_kiosk_file};
use crate::domain::session::Source;
use crate::domain::text::{Lang, printable};
use crate::fsio::{check_output, write_atomic};
use crate::report;
use crate::storage::{db, merge, purge, read, time};
use std::path::PathBuf;
use std::process::ExitCode;

fn t(lang: Lang, fr: &str, e: &str) -> String {
    lang.pick(fr.to_owned(), e.to_owned())
}

/// An error as printed: its text may quote a log or a file name from a stick.
fn clean<E: std::fmt::Display>(e: E) -> CliError {
    CliError::Message(printable(&e.to_string()))
}

/// A path as printed (a file name from a stick may hold terminal escapes).
fn shown(p: &std::path::Path) -> String {
    printable(&p.display().to_string())
}

/// Arguments of `klub export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Logs to export (station or tour logs).
    #[arg(required = true)]
    pub dbs: Vec<PathBuf>,
    /// Output folder (CSV and JSON Lines).
    #[arg(long, required_unless_present_any = ["parquet", "open_data"])]
    pub out: Option<PathBuf>,
    /// Also (or only) write sessions, steps and profiles as Parquet into this folder.
    #[arg(long)]
    pub parquet: Option<PathBuf>,
    /// Also (or only) write the open-data counts (stop × month × public, rounded) here.
    #[arg(long)]
    pub open_data: Option<PathBuf>,
    /// Field separator: `;` (French spreadsheets, default) or `,`.
    #[arg(long, default_value = ";", value_parser = [";", ",", "\\t"])]
    pub sep: String,
    /// Keep pass ids as they are instead of a keyed hash.
    #[arg(long)]
    pub keep_pass_ids: bool,
    /// Key of the pass-id hash, 64 hex digits, to link several exports (default: random).
    #[arg(long)]
    pub hash_key: Option<String>,
    /// Overwrite an output file even if it is an SQLite database.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `klub merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Station logs to merge.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The tour log (created or completed).
    #[arg(short, long)]
    pub out: PathBuf,
}

/// Arguments of `klub report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The tour log.
    #[arg(required_unless_present = "postgres")]
    pub db: Option<PathBuf>,
    #[command(flatten)]
    pub warehouse: crate::cli::warehouse::Period,
    /// The HTML file to write.
    #[arg(short, long)]
    pub out: PathBuf,
    /// Include simulated sessions (each chart is stamped "données simulées").
    #[arg(long)]
    pub include_simulated: bool,
    /// Also write each chart as a PNG into this folder, for slides.
    #[arg(long)]
    pub png: Option<PathBuf>,
    /// Overwrite an output file even if it is an SQLite database.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `klub stats`.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// The log.
    #[arg(required_unless_present = "postgres")]
    pub db: Option<PathBuf>,
    #[command(flatten)]
    pub warehouse: crate::cli::warehouse::Period,
}

/// Arguments of `klub purge`.
#[derive(Debug, clap::Args)]
pub struct PurgeArgs {
    /// The log.
    #[arg(required_unless_present = "postgres")]
    pub db: Option<PathBuf>,
    /// Purge the warehouse instead (`postgresql://user@host/db`, no password: see README).
    #[arg(long, conflicts_with = "db")]
    pub postgres: Option<String>,
    /// Delete sessions before this day (`YYYY-MM-DD`, Paris time) instead of the retention period.
    #[arg(long)]
    pub before: Option<String>,
    /// Station config holding `[data] retention_days`.
    #[arg(long, default_value = "kiosk-config/default.toml")]
    pub config: PathBuf,
}

/// Runs `klub merge`.
pub fn run_merge(a: &MergeArgs, lang: Lang) -> CliResult {
    let r = merge::merge(&a.inputs, &a.out).map_err(clean)?;
    println!(
        "{} : {} {}, {} {}, {} {}{}{}",
        shown(&a.out),
        r.added,
        t(lang, "sessions ajoutées", "sessions added"),
        r.updated,
        t(lang, "complétées", "completed"),
        r.unchanged,
        t(lang, "déjà présentes", "already there"),
        if r.skipped > 0 {
            format!(
                " ({} {})",
                r.skipped,
                t(
                    lang,
                    "journaux déjà fusionnés et inchangés, non relus",
                    "logs already merged and unchanged, not read again"
                )
            )
        } else {
            String::new()
        },
        if r.written {
            String::new()
        } else {
            t(lang, " (fichier inchangé)", " (file unchanged)")
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `klub export`.
pub fn run_export(a: &ExportArgs, lang: Lang) -> CliResult {
    let sep = match a.sep.as_str() {
        "," => b',',
        "\\t" => b'\t',
        _ => b';',
    };
    let key = match &a.hash_key {
        Some(k) => crate::domain::ids::from_hex(k)
            .filter(|b| b.len() == 32)
            .ok_or_else(|| {
                t(
                    lang,
                    "--hash-key : 64 chiffres hexadécimaux",
                    "--hash-key: 64 hex digits",
                )
            })?,
        None => {
            let mut b = vec![0u8; 32];
            crate::domain::ids::fill_random(&mut b)?;
            b
        }
    };
    if let Some(dir) = &a.out {
        for out in std::iter::once(dir.clone()).chain(report::export::outputs(dir)) {
            check_output(&out, &a.dbs, a.force).map_err(|r| r.message(lang))?;
        }
    }
    let opts = report::export::Options {
        sep,
        pass_key: if a.keep_pass_ids { None } else { Some(key) },
    };
    if let Some(out) = &a.out {
        let n = report::export::export(&a.dbs, out, &opts).map_err(clean)?;
        println!(
            "{n} {} {}",
            t(lang, "sessions exportées dans", "sessions exported to"),
            shown(out)
        );
    }
    crate::cli::warehouse::run_export(a, opts.pass_key.as_deref(), lang)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `klub report`.
pub fn run_report(a: &ReportArgs, lang: Lang) -> CliResult {
    let inputs: Vec<PathBuf> = a.db.iter().cloned().collect();
    check_output(&a.out, &inputs, a.force).map_err(|r| r.message(lang))?;
    if let Some(dir) = &a.png {
        check_output(dir, &inputs, a.force).map_err(|r| r.message(lang))?;
    }
    let opts = report::html::Options {
        lang,
        include_simulated: a.include_simulated,
    };
    let r = match &a.db {
        Some(db) => {
            let input = db::open_ro(db).map_err(clean)?;
            report::html::build(&input, &opts).map_err(clean)?
        }
        None => a.warehouse.report(&opts, lang)?,
    };
    write_atomic(&a.out, r.html.as_bytes()).map_err(|e| format!("{} : {e}", a.out.display()))?;
    if let Some(dir) = &a.png {
        std::fs::create_dir_all(dir).map_err(|e| format!("{} : {e}", dir.display()))?;
        for (name, svg) in &r.charts {
            let png = report::png::render(svg)?;
            let p = dir.join(format!("{name}.png"));
            check_output(&p, &inputs, a.force).map_err(|r| r.message(lang))?;
            write_atomic(&p, &png).map_err(|e| format!("{} : {e}", p.display()))?;
        }
    }
    println!(
        "{} ({} {})",
        a.out.display(),
        r.sessions,
        t(lang, "sessions", "sessions")
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `klub stats`.
///
/// Every string read from the log is printed through [`printable`]: the log's CHECKs are
/// not evaluated on reading, and a hand-edited log could hold terminal escapes.
pub fn run_stats(a: &StatsArgs, lang: Lang) -> CliResult {
    let (input, warehouse);
    let conn: &rusqlite::Connection = match &a.db {
        Some(db) => {
            println!("{}", shown(db));
            input = db::open_ro(db).map_err(clean)?;
            &input
        }
        None => {
            println!("{}", a.warehouse.describe());
            warehouse = a.warehouse.log(lang)?;
            &warehouse
        }
    };
    let rows = read::sessions(conn, &[]).map_err(clean)?;
    let counts = read::counts(conn).map_err(clean)?;
    let total = rows.len();
    println!(
        "  {total} {}",
        t(
            lang,
            "sessions (une personne peut en faire plusieurs)",
            "sessions (one person can make several)"
        )
    );
    for (source, outcome, n) in counts {
        let (source, outcome) = (printable(&source), printable(&outcome));
        println!("  {source:<10} {outcome:<13} {n}");
    }
    let mut stations: Vec<&str> = rows.iter().map(|r| r.station.as_str()).collect();
    stations.sort_unstable();
    stations.dedup();
    let mut stops: Vec<&str> = rows.iter().filter_map(|r| r.stop.as_deref()).collect();
    stops.dedup();
    println!(
        "  {} : {}",
        t(lang, "bornes", "stations"),
        printable(&stations.join(", "))
    );
    println!(
        "  {} : {}",
        t(lang, "étapes", "stops"),
        printable(&stops.join(", "))
    );
    if let (Some(first), Some(last)) = (
        rows.iter().map(|r| r.started_ms()).min(),
        rows.iter().map(|r| r.started_ms()).max(),
    ) {
        println!(
            "  {} {} → {}",
            t(lang, "du", "from"),
            time::paris_day_hour(first).0,
            time::paris_day_hour(last).0
        );
    }
    let visitors = rows
        .iter()
        .filter(|r| r.source == Source::Visitor.id())
        .count();
    println!(
        "  {} : {visitors}",
        t(lang, "sessions de visiteurs", "visitor sessions")
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `klub purge`.
pub fn run_purge(a: &PurgeArgs, lang: Lang) -> CliResult {
    let (cutoff, why) = match &a.before {
        Some(d) => (
            time::parse_paris_date(d).ok_or_else(|| {
                t(
                    lang,
                    "--before : date AAAA-MM-JJ attendue",
                    "--before: expected a YYYY-MM-DD date",
                )
            })?,
            format!("{} {d}", t(lang, "avant le", "before")),
        ),
        None => {
            let mut v = Validation::default();
            load_kiosk_file(&mut v, &a.config);
            if v.report.errors() > 0 {
                return Err(format!(
                    "{}{}",
                    v.render(lang),
                    t(
                        lang,
                        "configuration invalide : durée de conservation inconnue",
                        "invalid config: retention period unknown"
                    )
                )
                .into());
            }
            let Some((_, cfg)) = v.configs.first() else {
                return Err(format!(
                    "{} : {}",
                    a.config.display(),
                    t(
                        lang,
                        "pas une configuration de borne",
                        "not a station config"
                    )
                )
                .into());
            };
            let days = i64::from(cfg.retention_days);
            (
                time::now_ms() - days * 86_400_000,
                format!(
                    "{} {days} {}",
                    t(lang, "de plus de", "older than"),
                    t(
                        lang,
                        "jours (conservation fixée par le délégué à la protection des données)",
                        "days (retention set by the data protection officer)"
                    )
                ),
            )
        }
    };
    let n = match (&a.db, &a.postgres) {
        (Some(db), _) => purge::purge_before(db, cutoff).map_err(clean)?,
        (None, Some(url)) => crate::cli::warehouse::purge(url, cutoff, lang)?,
        (None, None) => {
            return Err(t(
                lang,
                "journal ou --postgres attendu",
                "a log or --postgres expected",
            )
            .into());
        }
    };
    println!(
        "{n} {} {why}",
        t(lang, "sessions effacées :", "sessions deleted:")
    );
    Ok(ExitCode::SUCCESS)
}
