//! Station settings and tour files, as facilitators write them in `kiosk-config/`.

use crate::domain::text::{Lang, Name};
use std::path::{Path, PathBuf};

/// How a USB QR scanner's key codes are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ScannerLayout {
    /// The scanner is set to type for a US keyboard.
    #[default]
    Us,
    /// The scanner is set to type for a French AZERTY keyboard. Keys are read from their
    /// physical codes, so the station's own keymap does not matter.
    Azerty,
}

/// The visit context the facilitator sets for the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum VisitContext {
    /// Tout public.
    #[default]
    ToutPublic,
    /// Classe de collège.
    College,
    /// Classe de lycée.
    Lycee,
    /// Groupe Mission Locale.
    MissionLocale,
    /// Groupe France Travail.
    FranceTravail,
    /// Autre.
    Autre,
}

crate::domain::session::str_enum!(VisitContext {
    ToutPublic => "tout_public", College => "college", Lycee => "lycee",
    MissionLocale => "mission_locale", FranceTravail => "france_travail", Autre => "autre",
});

impl VisitContext {
    /// The label shown in the facilitator panel and reports.
    pub fn label(self) -> &'static str {
        match self {
            VisitContext::ToutPublic => "Tout public",
            VisitContext::College => "Classe de collège",
            VisitContext::Lycee => "Classe de lycée",
            VisitContext::MissionLocale => "Groupe Mission Locale",
            VisitContext::FranceTravail => "Groupe France Travail",
            VisitContext::Autre => "Autre",
        }
    }
}

/// The visitor's self-declared situation; "je préfère ne pas dire" is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Situation {
    /// Je préfère ne pas dire.
    #[default]
    NonDit,
    /// Je suis au collège.
    College,
    /// Au lycée.
    Lycee,
    /// En études.
    Etudes,
    /// Je cherche un emploi.
    Emploi,
    /// Je travaille.
    Travail,
    /// Autre.
    Autre,
}

crate::domain::session::str_enum!(Situation {
    NonDit => "non_dit", College => "college", Lycee => "lycee", Etudes => "etudes",
    Emploi => "cherche_emploi", Travail => "travaille", Autre => "autre",
});

impl Situation {
    /// Whether school routes come first for this visitor.
    pub fn is_pupil(self) -> bool {
        matches!(
            self,
            Situation::College | Situation::Lycee | Situation::Etudes
        )
    }
}

/// The visitor's self-declared age band; not given by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum AgeBand {
    /// Not given.
    #[default]
    NonDit,
    /// Under 16.
    Moins16,
    /// 16–25.
    De16a25,
    /// 26–44.
    De26a44,
    /// 45 and over.
    Plus45,
}

crate::domain::session::str_enum!(AgeBand {
    NonDit => "non_dit", Moins16 => "moins_16", De16a25 => "16_25", De26a44 => "26_44", Plus45 => "45_plus",
});

/// The bundled demo fleet key: stations and `klub doctor` warn while it is in use.
pub const DEMO_FLEET_KEY: &str = "6b6c75622d64656d6f2d6b65792d6e6f742d666f722d7265616c2d7573652121";

/// Everything a station is configured with.
#[derive(Clone, Debug, PartialEq)]
pub struct StationConfig {
    /// Station id (`borne-1`).
    pub station_id: String,
    /// Station index within the fleet, 0–255, carried in passes.
    pub station_index: u8,
    /// Current tour stop id (from the tour file).
    pub stop: String,
    /// Full screen, no cursor, no way out.
    pub kiosk: bool,
    /// Enabled scenario ids; empty means all.
    pub scenarios: Vec<String>,
    /// Offered languages.
    pub languages: Vec<Lang>,
    /// Keep every control in the lower part of the screen.
    pub low_reach: bool,
    /// Seconds without a touch before "Tu es toujours là ?".
    pub idle_seconds: u32,
    /// The same inside a reading or narrated step.
    pub idle_reading_seconds: u32,
    /// The countdown of the idle warning.
    pub idle_countdown_seconds: u32,
    /// Volume, 0–1.
    pub volume: f32,
    /// Facilitator PIN hash, as `klub pin` prints it (`domain::pin`).
    pub pin_hash: String,
    /// Base of the take-home URL, at most 40 characters.
    pub results_base_url: String,
    /// Fleet key id.
    pub fleet_key_id: u8,
    /// Fleet key, 64 hex digits.
    pub fleet_key: String,
    /// Passes older than this are refused by stations.
    pub pass_max_age_days: u32,
    /// How scanner key codes are read.
    pub scanner_layout: ScannerLayout,
    /// ESC/POS printer device or file; empty for none.
    pub printer: String,
    /// Where the log and backups live.
    pub data_dir: String,
    /// Days the log is kept; set by the organiser's data protection officer.
    pub retention_days: u32,
    /// Where "Exporter sur clé USB" writes.
    pub usb_export_dir: String,
    /// The tour file, relative to the config file.
    pub tour: String,
    /// Scenario folder, relative to the config file.
    pub scenarios_dir: String,
}

impl Default for StationConfig {
    fn default() -> Self {
        StationConfig {
            station_id: "borne-1".into(),
            station_index: 1,
            stop: String::new(),
            kiosk: false,
            scenarios: vec![],
            languages: vec![Lang::Fr, Lang::En],
            low_reach: false,
            idle_seconds: 45,
            idle_reading_seconds: 90,
            idle_countdown_seconds: 10,
            volume: 0.8,
            pin_hash: String::new(),
            results_base_url: "https://klub.example/r/".into(),
            fleet_key_id: 0,
            fleet_key: DEMO_FLEET_KEY.into(),
            pass_max_age_days: 30,
            scanner_layout: ScannerLayout::Us,
            printer: String::new(),
            data_dir: "data".into(),
            retention_days: 365,
            usb_export_dir: "/media/klub-usb".into(),
            tour: "tour.toml".into(),
            scenarios_dir: "../scenarios".into(),
        }
    }
}

impl StationConfig {
    /// Whether the fleet key is the bundled demo key.
    pub fn uses_demo_key(&self) -> bool {
        self.fleet_key.eq_ignore_ascii_case(DEMO_FLEET_KEY)
    }

    /// The folders and files this config names, read from `config_file`: relative paths
    /// are taken from the config file's folder, absolute ones stay. A path join, no I/O.
    pub fn resolve(&self, config_file: &Path) -> ConfigPaths {
        let base = config_file.parent().unwrap_or(Path::new(""));
        ConfigPaths {
            scenarios: base.join(&self.scenarios_dir),
            tour: base.join(&self.tour),
            data: base.join(&self.data_dir),
        }
    }
}

/// What [`StationConfig::resolve`] gives: the config's paths, ready to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigPaths {
    /// The scenario folder.
    pub scenarios: PathBuf,
    /// The tour file.
    pub tour: PathBuf,
    /// The data folder (visit log, backups, day settings).
    pub data: PathBuf,
}

/// A contact shown on the results page (CIO, Mission Locale…).
#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    /// What kind of contact: `cio`, `mission_locale`, `france_travail`, `cep`.
    pub kind: String,
    /// Its name.
    pub name: Name,
    /// How to reach it (a website or a phone), as the organiser writes it.
    pub reach: String,
    /// Whether this is an example to replace.
    pub example: bool,
}

/// An immersion opportunity reached through a contact.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    /// `stage` (observation, for minors) or `pmsmp` (adults).
    pub kind: String,
    /// The trade it is about, if any.
    pub trade: Option<String>,
    /// A short description.
    pub text: Name,
    /// The contact kind that arranges it.
    pub via: String,
    /// Whether this is an example to replace.
    pub example: bool,
}

/// One stop of a tour.
#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    /// Stop id (`chartres`).
    pub id: String,
    /// Town name.
    pub town: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// Contacts near the stop.
    pub contacts: Vec<Contact>,
    /// Immersion offers near the stop.
    pub offers: Vec<Offer>,
}

/// A tour: its stops, in order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Tour {
    /// Tour id.
    pub id: String,
    /// The stops.
    pub stops: Vec<Stop>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_resolved_from_the_config_files_folder() {
        let cfg = StationConfig {
            data_dir: "/var/lib/klub".into(),
            ..StationConfig::default()
        };
        let p = cfg.resolve(Path::new("/etc/klub/station.toml"));
        assert_eq!(p.scenarios, Path::new("/etc/klub/../scenarios"));
        assert_eq!(p.tour, Path::new("/etc/klub/tour.toml"));
        assert_eq!(p.data, Path::new("/var/lib/klub"));
        // A bare file name or no file at all: the current folder.
        let bare = StationConfig::default().resolve(Path::new("station.toml"));
        assert_eq!(bare.data, Path::new("data"));
        assert_eq!(
            StationConfig::default().resolve(Path::new("")).tour,
            Path::new("tour.toml")
        );
    }
}
