//! `klub`: the command line for facilitators and organisers.

use clap::Parser;
use klub_kiosk::domain::ids;

fn main() -> std::process::ExitCode {
    // The seam tests use to see a command meet a failing OS generator.
    if std::env::var_os(ids::SIMULATE_FAILURE_ENV).is_some_and(|v| v == "1") {
        ids::simulate_failure(true);
    }
    klub_kiosk::cli::run(klub_kiosk::cli::Cli::parse())
}
