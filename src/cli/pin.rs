//! `klub pin CODE`: the facilitator PIN's hash, to paste into a station config.

use crate::cli::CliResult;
use crate::domain::pin::{PinError, hash_pin};
use crate::domain::text::Lang;
use std::process::ExitCode;

/// Arguments of `klub pin`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new facilitator code: 6 to 8 digits.
    pub code: String,
}

/// Prints `pin_hash = "…"` for the `[facilitator]` section.
pub fn run(args: &Args, lang: Lang) -> CliResult {
    let hash = match hash_pin(&args.code) {
        Ok(h) => h,
        Err(PinError::Format) => {
            return Err(if lang == Lang::En {
                "the code must be 6 to 8 digits".into()
            } else {
                "le code doit faire de 6 à 8 chiffres".into()
            });
        }
        Err(e @ PinError::Random(_)) => return Err(e.into()),
    };
    if lang == Lang::En {
        println!("# Paste into the [facilitator] section of the station config:");
    } else {
        println!("# À coller dans la section [facilitator] de la configuration de la borne :");
    }
    println!("pin_hash = \"{hash}\"");
    Ok(ExitCode::SUCCESS)
}
