//! `klub push`, and the warehouse's side of `report`, `stats`, `purge` and `export`
//! (feature `warehouse`: PostgreSQL and Parquet).

use crate::cli::{CliError, CliResult};
use crate::domain::text::Lang;
use std::path::PathBuf;

fn t(lang: Lang, fr: &str, e: &str) -> String {
    lang.pick(fr.to_owned(), e.to_owned())
}

/// Arguments of `klub push`.
#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// Station or tour logs to load.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The warehouse: `postgresql://user@host/db?sslmode=verify-full&sslrootcert=ca.pem`, or a
    /// Unix socket (`host=/run/postgresql dbname=klub`). No password here: PGPASSFILE.
    #[arg(long)]
    pub postgres: String,
    /// Sessions per transaction (each committed batch is kept if the push is interrupted).
    #[arg(long, default_value_t = crate::cli::warehouse::DEFAULT_BATCH)]
    pub batch: usize,
}

/// Sessions per transaction by default.
pub const DEFAULT_BATCH: usize = 10_000;

/// Whole tours or months of the warehouse, for `report` and `stats`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Period {
    /// Read the warehouse instead of a log (see `klub push`).
    #[arg(long)]
    pub postgres: Option<String>,
    /// A whole tour (repeatable).
    #[arg(long, requires = "postgres")]
    pub tour: Vec<String>,
    /// A whole month, `YYYY-MM`, Paris time (repeatable).
    #[arg(long, requires = "postgres")]
    pub month: Vec<String>,
}

#[cfg(not(feature = "warehouse"))]
fn without(lang: Lang) -> CliError {
    t(
        lang,
        "ce klub est construit sans l'entrepôt (fonction « warehouse ») : PostgreSQL et Parquet indisponibles",
        "this klub is built without the warehouse feature: no PostgreSQL or Parquet",
    )
    .into()
}

impl Period {
    /// A label for the selection.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.tour.iter().map(|x| format!("tour {x}")).collect();
        parts.extend(self.month.iter().cloned());
        format!("PostgreSQL : {}", parts.join(", "))
    }

    /// The selected tours and months' sessions, copied into an in-memory log (for stats).
    #[cfg(feature = "warehouse")]
    pub fn log(&self, lang: Lang) -> Result<rusqlite::Connection, CliError> {
        let mut client = self.client(lang)?;
        Ok(crate::warehouse::select::log_of(
            &mut client,
            &self.selection(),
        )?)
    }

    /// The report over the selected tours and months.
    #[cfg(feature = "warehouse")]
    pub fn report(
        &self,
        o: &crate::report::html::Options,
        lang: Lang,
    ) -> Result<crate::report::html::Report, CliError> {
        use crate::warehouse::select;
        let mut client = self.client(lang)?;
        let data = select::report_data(&mut client, &self.selection(), o)?;
        Ok(crate::report::html::build_from(data, o))
    }

    #[cfg(feature = "warehouse")]
    fn client(&self, lang: Lang) -> Result<postgres::Client, CliError> {
        use crate::warehouse::pg;
        let url = self.postgres.as_deref().ok_or_else(|| {
            t(
                lang,
                "journal ou --postgres attendu",
                "a log or --postgres expected",
            )
        })?;
        Ok(pg::connect_current(&pg::Target::parse(url)?)?)
    }

    #[cfg(feature = "warehouse")]
    fn selection(&self) -> crate::warehouse::select::Selection {
        crate::warehouse::select::Selection {
            tours: self.tour.clone(),
            months: self.month.clone(),
        }
    }

    /// Without the warehouse there is no report to make.
    #[cfg(not(feature = "warehouse"))]
    pub fn report(
        &self,
        _: &crate::report::html::Options,
        lang: Lang,
    ) -> Result<crate::report::html::Report, CliError> {
        Err(without(lang))
    }

    /// Without the warehouse there is nothing to read.
    #[cfg(not(feature = "warehouse"))]
    pub fn log(&self, lang: Lang) -> Result<rusqlite::Connection, CliError> {
        Err(without(lang))
    }
}

/// Runs `klub push`.
#[cfg(feature = "warehouse")]
pub fn run_push(a: &PushArgs, lang: Lang) -> CliResult {
    use crate::warehouse::{pg, push};
    let target = pg::Target::parse(&a.postgres)?;
    let r = push::push(&target, &a.inputs, a.batch.max(1), |input, r| {
        eprintln!(
            "{} : {} {}",
            input.display(),
            r.added + r.updated + r.unchanged,
            t(lang, "sessions traitées", "sessions done")
        );
    })?;
    println!(
        "{} {}, {} {}, {} {}, {} {}",
        r.added,
        t(lang, "sessions ajoutées", "sessions added"),
        r.updated,
        t(
            lang,
            "remplacées par une révision plus récente",
            "replaced by a newer revision"
        ),
        r.unchanged,
        t(lang, "déjà présentes", "already there"),
        r.past_retention,
        t(
            lang,
            "écartées (plus anciennes que la dernière purge)",
            "left out (older than the last purge)"
        ),
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// Without the warehouse, `klub push` explains why it cannot run.
#[cfg(not(feature = "warehouse"))]
pub fn run_push(_: &PushArgs, lang: Lang) -> CliResult {
    Err(without(lang))
}

/// `klub purge --postgres`: returns how many sessions were deleted.
#[cfg(feature = "warehouse")]
pub fn purge(url: &str, cutoff_ms: i64, lang: Lang) -> Result<usize, CliError> {
    use crate::warehouse::pg;
    let mut client = pg::Target::parse(url)?.connect()?;
    let r = pg::purge_before(&mut client, cutoff_ms)?;
    println!(
        "{} {}",
        r.aggregated,
        t(
            lang,
            "lignes mensuelles agrégées conservées (klub.monthly)",
            "monthly aggregate rows kept (klub.monthly)"
        )
    );
    Ok(r.deleted as usize)
}

/// Without the warehouse there is nothing to purge.
#[cfg(not(feature = "warehouse"))]
pub fn purge(_: &str, _: i64, lang: Lang) -> Result<usize, CliError> {
    Err(without(lang))
}

/// The Parquet and open-data parts of `klub export`, when asked for.
#[cfg(feature = "warehouse")]
pub fn run_export(
    a: &crate::cli::log::ExportArgs,
    key: Option<&[u8]>,
    lang: Lang,
) -> Result<(), CliError> {
    use crate::warehouse::{opendata, parquet, push};
    if a.parquet.is_none() && a.open_data.is_none() {
        return Ok(());
    }
    let (inputs, checking) = push::open_one(&a.dbs)?;
    let Some((_, log)) = inputs.logs.first() else {
        return Err(t(lang, "aucune session à exporter", "no session to export").into());
    };
    let mut checking = Some(checking);
    if let Some(dir) = &a.parquet {
        let n = parquet::write_checked(log, dir, key, checking.take().unwrap_or_default())?;
        println!(
            "{n} {} {} (Parquet)",
            t(lang, "sessions exportées dans", "sessions exported to"),
            dir.display()
        );
    }
    if let Some(c) = checking {
        c.wait()?;
    }
    if let Some(dir) = &a.open_data {
        let n = opendata::write(log, dir)?;
        println!(
            "{n} {} {}",
            t(
                lang,
                "lignes de données ouvertes dans",
                "open-data lines in"
            ),
            dir.display()
        );
    }
    Ok(())
}

/// Without the warehouse, Parquet and open data are refused.
#[cfg(not(feature = "warehouse"))]
pub fn run_export(
    a: &crate::cli::log::ExportArgs,
    _: Option<&[u8]>,
    lang: Lang,
) -> Result<(), CliError> {
    if a.parquet.is_some() || a.open_data.is_some() {
        return Err(without(lang));
    }
    Ok(())
}
