//! The `klub` command line for facilitators and organisers: argument parsing and dispatch.

use crate::domain::text::Lang;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub mod doctor;
pub mod log;
pub mod narrate;
pub mod pass;
pub mod pin;
pub mod simulate;
pub mod site;
pub mod validate;
pub mod warehouse;

/// `klub`: outils des animateurs et des organisateurs du Klub extraordinaire.
#[derive(Debug, Parser)]
#[command(
    name = "klub",
    version,
    about = "Outils du Klub extraordinaire : valider les scénarios, préparer les bornes, exploiter les journaux.\nTools of Le Klub extraordinaire: validate scenarios, set up stations, use the logs."
)]
pub struct Cli {
    /// Messages in English instead of French.
    #[arg(long, global = true, default_value = "fr")]
    pub lang: Lang,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Vérifie scénarios, catalogue, configurations et tournées / Check scenarios, catalogue, configs and tours.
    Validate(validate::Args),
    /// Génère la lecture à voix haute (espeak-ng) des textes sans enregistrement / Generate read-aloud files.
    Narrate(narrate::Args),
    /// Pass visiteur : inspecter, simuler / Visitor pass: inspect, sample.
    Pass(pass::PassArgs),
    /// Crée un code QR en PNG ou SVG / Render a QR code as PNG or SVG.
    Qr(pass::QrArgs),
    /// Clés de flotte / Fleet keys.
    Key(pass::KeyArgs),
    /// Page de résultats à emporter / Take-home results page.
    Site(site::SiteArgs),
    /// Joue des visiteurs simulés dans un journal / Play simulated visitors into a log.
    Simulate(simulate::Args),
    /// Exporte des journaux en CSV et JSON Lines / Export logs as CSV and JSON Lines.
    Export(log::ExportArgs),
    /// Charge des journaux dans l'entrepôt PostgreSQL / Load logs into the PostgreSQL warehouse.
    Push(warehouse::PushArgs),
    /// Fusionne des journaux de bornes en un journal de tournée / Merge station logs into a tour log.
    Merge(log::MergeArgs),
    /// Rapport HTML pour le financeur / HTML report for the funder.
    Report(log::ReportArgs),
    /// Résumé d'un journal / Summary of a log.
    Stats(log::StatsArgs),
    /// Efface les sessions plus anciennes que la durée de conservation / Delete sessions past retention.
    Purge(log::PurgeArgs),
    /// Empreinte d'un nouveau code animateur / Hash of a new facilitator PIN.
    Pin(pin::Args),
    /// Vérifie que la borne est prête à ouvrir / Check the station is fit to open.
    Doctor(doctor::Args),
    /// Sauvegarde du jour du journal (7 gardées) / Today's log backup (7 kept).
    Backup(doctor::BackupArgs),
    /// Boucle de démonstration du chien de garde systemd / systemd watchdog demo loop.
    #[command(hide = true)]
    WatchdogDemo(doctor::WatchdogArgs),
}

/// `--lang fr|en`: the accepted values are [`Lang`]'s codes.
impl clap::ValueEnum for Lang {
    fn value_variants<'a>() -> &'a [Self] {
        &[Lang::Fr, Lang::En]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.code()))
    }
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let lang = cli.lang;
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args, lang),
        Command::Narrate(args) => narrate::run(&args, lang),
        Command::Pass(args) => pass::run_pass(&args, lang),
        Command::Qr(args) => pass::run_qr(&args, lang),
        Command::Key(args) => pass::run_key(&args, lang),
        Command::Site(args) => site::run(&args, lang),
        Command::Simulate(args) => simulate::run(&args, lang),
        Command::Export(args) => log::run_export(&args, lang),
        Command::Push(args) => warehouse::run_push(&args, lang),
        Command::Merge(args) => log::run_merge(&args, lang),
        Command::Report(args) => log::run_report(&args, lang),
        Command::Stats(args) => log::run_stats(&args, lang),
        Command::Purge(args) => log::run_purge(&args, lang),
        Command::Pin(args) => pin::run(&args, lang),
        Command::Doctor(args) => doctor::run(&args, lang),
        Command::Backup(args) => doctor::run_backup(&args, lang),
        Command::WatchdogDemo(args) => doctor::run_watchdog_demo(&args, lang),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e}", lang.pick("erreur", "error"));
            ExitCode::from(2)
        }
    }
}

/// An error a command reports before exiting with status 2.
pub type CliResult = Result<ExitCode, CliError>;

/// Why a command failed: printed after `erreur :` / `error:`, then the exit status is 2.
/// Each layer's error keeps its own message.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A message worded here, in the language asked for.
    #[error("{0}")]
    Message(String),
    /// A file or a pipe.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A log.
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    /// A file not read, or an output path refused.
    #[error(transparent)]
    Fs(#[from] crate::fsio::FsError),
    /// Content that cannot be used.
    #[error(transparent)]
    Content(#[from] crate::content::ContentError),
    /// The results page.
    #[error(transparent)]
    Site(#[from] crate::site::SiteError),
    /// The report's charts.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// An upkeep task.
    #[error(transparent)]
    Ops(#[from] crate::ops::OpsError),
    /// A facilitator PIN.
    #[error(transparent)]
    Pin(#[from] crate::domain::pin::PinError),
    /// A QR code.
    #[error(transparent)]
    Qr(#[from] crate::media::qr::TooLong),
    /// The OS random generator.
    #[error(transparent)]
    Random(#[from] crate::domain::ids::RandomError),
    /// The warehouse.
    #[cfg(feature = "warehouse")]
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::WarehouseError),
    /// The warehouse's PostgreSQL client.
    #[cfg(feature = "warehouse")]
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
}

impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::Message(message)
    }
}

impl From<&str> for CliError {
    fn from(message: &str) -> CliError {
        CliError::Message(message.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang_of(args: &[&str]) -> Result<Lang, clap::Error> {
        Cli::try_parse_from(args).map(|c| c.lang)
    }

    #[test]
    fn lang_takes_fr_or_en_anywhere_and_defaults_to_french() {
        assert_eq!(lang_of(&["klub", "pin", "123456"]).unwrap(), Lang::Fr);
        assert_eq!(
            lang_of(&["klub", "--lang", "en", "pin", "123456"]).unwrap(),
            Lang::En
        );
        assert_eq!(
            lang_of(&["klub", "pin", "123456", "--lang", "fr"]).unwrap(),
            Lang::Fr
        );
        let e = lang_of(&["klub", "--lang", "de", "pin", "123456"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue);
        let names: Vec<String> = <Lang as clap::ValueEnum>::value_variants()
            .iter()
            .filter_map(clap::ValueEnum::to_possible_value)
            .map(|v| v.get_name().to_owned())
            .collect();
        assert_eq!(names, ["fr", "en"]);
    }

    #[test]
    fn cli_errors_print_each_layers_own_message() {
        let refusal = crate::fsio::FsError::Refused {
            fr: "refusé".into(),
            en: "refused".into(),
        };
        assert_eq!(CliError::from(refusal).to_string(), "refusé / refused");
        assert_eq!(CliError::from("à la main").to_string(), "à la main");
        let storage = crate::storage::StorageError::BadId {
            fr: "métier",
            en: "trade",
        };
        assert_eq!(
            CliError::from(storage).to_string(),
            "métier invalide / invalid trade"
        );
    }
}
