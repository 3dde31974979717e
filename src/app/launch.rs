//! How the station was started: command-line options, as a resource.

use crate::app::error::AppError;
use bevy::prelude::*;
use clap::Parser;
use std::path::PathBuf;

/// `klub-kiosk`: the touch-screen station.
#[derive(Parser, Resource, Clone, Debug, Default)]
#[command(
    name = "klub-kiosk",
    version,
    about = "Borne tactile du Klub extraordinaire / Klub touch-screen station"
)]
pub struct Launch {
    /// Fichier de configuration de la borne / station config file.
    #[arg(long, default_value = "kiosk-config/default.toml")]
    pub config: PathBuf,
    /// Plein écran sans bordure, sans curseur, sans sortie / borderless full screen, no way out.
    #[arg(long)]
    pub kiosk: bool,
    /// Rejoue un script puis quitte / play a replay script, then exit.
    #[arg(long)]
    pub replay: Option<PathBuf>,
    /// Dossier des captures du rejeu / where replay screenshots go.
    #[arg(long)]
    pub screenshots: Option<PathBuf>,
    /// Ne journalise pas le rejeu / do not log the replayed session.
    #[arg(long)]
    pub no_log: bool,
    /// Window size for development, as WIDTHxHEIGHT.
    #[arg(long, value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
}

fn parse_size(s: &str) -> Result<(u32, u32), AppError> {
    let (w, h) = s.split_once('x').ok_or_else(|| {
        AppError::Launch("taille attendue : 1920x1080 / expected 1920x1080".to_owned())
    })?;
    let n = |v: &str| {
        v.parse::<u32>()
            .map_err(|e| AppError::Launch(format!("{v}: {e}")))
    };
    Ok((n(w)?, n(h)?))
}

impl Launch {
    /// Options for a config file, everything else off.
    pub fn with_config(config: impl Into<PathBuf>) -> Launch {
        Launch {
            config: config.into(),
            ..Default::default()
        }
    }

    /// Whether kiosk mode is on: from the flag, or from `kiosk = true` in the config.
    pub fn kiosk_effective(&self, config: &crate::domain::config::StationConfig) -> bool {
        self.kiosk || config.kiosk
    }
}
