//! The `klub` command line for facilitators and organisers: argument parsing and dispatch.

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
    #[arg(long, global = true, value_parser = ["fr", "en"], default_value = "fr")]
    pub lang: String,
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

impl Cli {
    /// Whether messages are in English.
    pub fn en(&self) -> bool {
        self.lang == "en"
    }
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let en = cli.en();
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args, en),
        Command::Narrate(args) => narrate::run(&args, en),
        Command::Pass(args) => pass::run_pass(&args, en),
        Command::Qr(args) => pass::run_qr(&args, en),
        Command::Key(args) => pass::run_key(&args, en),
        Command::Site(args) => site::run(&args, en),
        Command::Simulate(args) => simulate::run(&args, en),
        Command::Export(args) => log::run_export(&args, en),
        Command::Push(args) => warehouse::run_push(&args, en),
        Command::Merge(args) => log::run_merge(&args, en),
        Command::Report(args) => log::run_report(&args, en),
        Command::Stats(args) => log::run_stats(&args, en),
        Command::Purge(args) => log::run_purge(&args, en),
        Command::Pin(args) => pin::run(&args, en),
        Command::Doctor(args) => doctor::run(&args, en),
        Command::Backup(args) => doctor::run_backup(&args, en),
        Command::WatchdogDemo(args) => doctor::run_watchdog_demo(&args, en),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e}", if en { "error" } else { "erreur" });
            ExitCode::from(2)
        }
    }
}

/// An error a command reports before exiting with status 2.
pub type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;
