//! The `klub` command line for facilitators and organisers: argument parsing and dispatch.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub mod validate;

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
