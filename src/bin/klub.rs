//! `klub`: the command line for facilitators and organisers.

use clap::Parser;

fn main() -> std::process::ExitCode {
    klub_kiosk::cli::run(klub_kiosk::cli::Cli::parse())
}
