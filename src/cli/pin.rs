//! `klub pin CODE`: the facilitator PIN's hash, to paste into a station config.

use crate::cli::CliResult;
use crate::domain::pin::hash_pin;
use std::process::ExitCode;

/// Arguments of `klub pin`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new facilitator code: 4 to 8 digits.
    pub code: String,
}

/// Prints `pin_hash = "…"` for the `[facilitator]` section.
pub fn run(args: &Args, en: bool) -> CliResult {
    let ok = (4..=8).contains(&args.code.len()) && args.code.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return Err(if en {
            "the code must be 4 to 8 digits".into()
        } else {
            "le code doit faire de 4 à 8 chiffres".into()
        });
    }
    if en {
        println!("# Paste into the [facilitator] section of the station config:");
    } else {
        println!("# À coller dans la section [facilitator] de la configuration de la borne :");
    }
    println!("pin_hash = \"{}\"", hash_pin(&args.code));
    Ok(ExitCode::SUCCESS)
}
