//! Thin resources that carry domain types into the app: the station, the day's settings,
//! the visitor, the clock.

use crate::app::error::AppError;
use crate::app::launch::Launch;
use crate::app::load::{Load, LoadSet};
use crate::content::set::{ContentSet, Options, Validation, load_content, load_kiosk_file};
use crate::domain::config::{AgeBand, ConfigPaths, Situation, StationConfig, VisitContext};
use crate::domain::pass::Pass;
use crate::domain::scenario::Scenario;
use crate::domain::session::{Outcome, Session, Source};
use crate::domain::text::{Lang, Text, Variant};
use bevy::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Clock>();
    app.init_resource::<Visitor>();
    app.init_resource::<Counts>();
    app.add_systems(Load, load_station.in_set(LoadSet::Station));
    app.add_systems(First, tick_clock);
}

/// Reads the config (the copy `run_from` already read, if any) and the scenarios.
fn load_station(world: &mut World) {
    let launch = world.get_resource::<Launch>().cloned().unwrap_or_default();
    let file = world
        .remove_resource::<ConfigFile>()
        .unwrap_or_else(|| ConfigFile::read(&launch.config));
    let station = Station::from_file(&launch, file);
    let day = DaySettings::for_station(&station);
    world.insert_resource(station);
    world.insert_resource(day);
}

/// The station's config file, read once: `run_from` needs it before the app exists (kiosk
/// mode, the text log's folder) and hands this copy to the [`Load`] schedule.
#[derive(Resource, Clone, Debug, Default)]
pub struct ConfigFile {
    /// The file; empty for the built-in defaults.
    pub path: PathBuf,
    /// The config in force (the built-in defaults when the file is bad).
    pub config: StationConfig,
    /// The file's errors with file:line:col, empty when it is good.
    pub errors: String,
}

impl ConfigFile {
    /// Reads and checks a config file; never fails: problems become `errors`.
    pub fn read(path: &Path) -> ConfigFile {
        let mut file = ConfigFile {
            path: path.to_path_buf(),
            ..ConfigFile::default()
        };
        if path.as_os_str().is_empty() {
            return file;
        }
        let mut v = Validation::default();
        load_kiosk_file(&mut v, path);
        match v.configs.first() {
            Some((_, c)) if v.report.errors() == 0 => file.config = c.clone(),
            _ => file.errors = errors_only(&v),
        }
        file
    }

    /// The folders and files the config names.
    pub fn paths(&self) -> ConfigPaths {
        self.config.resolve(&self.path)
    }
}

/// Station time: real time since start, advanced by `Time<Real>` (tests advance it by hand).
#[derive(Resource, Default, Clone, Copy, Debug)]
pub struct Clock {
    /// Time since the app started.
    pub now: Duration,
}

impl Clock {
    /// Milliseconds since start, for the session state machine.
    pub fn ms(&self) -> u64 {
        u64::try_from(self.now.as_millis()).unwrap_or(u64::MAX)
    }
}

/// With the real clock, `Time<Real>` is the instant the previous frame was rendered, which in
/// reactive mode can be seconds old; read the system clock instead. Tests drive time by hand
/// (`TimeUpdateStrategy::Manual…`) and get `Time<Real>`.
fn tick_clock(
    time: Res<Time<Real>>,
    strategy: Option<Res<bevy::time::TimeUpdateStrategy>>,
    mut start: Local<Option<std::time::Instant>>,
    mut clock: ResMut<Clock>,
) {
    let manual = strategy.is_some_and(|s| !matches!(*s, bevy::time::TimeUpdateStrategy::Automatic));
    clock.now = if manual {
        time.elapsed()
    } else {
        start.get_or_insert_with(std::time::Instant::now).elapsed()
    };
}

/// The station: its config and its scenarios. Fixed for the run but for a reload, so a
/// system that reads it sees a change only when the content or the config changes.
#[derive(Resource, Clone, Debug)]
pub struct Station {
    /// The config in force (the built-in defaults when the file is bad).
    pub config: StationConfig,
    /// The config file.
    pub config_path: PathBuf,
    /// The scenario folder.
    pub content_dir: PathBuf,
    /// The last good scenario set.
    pub content: ContentSet,
    /// Errors to show the facilitator (bad config, bad scenarios), with file:line:col.
    pub warning: Option<String>,
    /// Whether the station keeps its day's state (date offset, panel settings) in the data
    /// folder; `--no-log` runs (tests, replays) leave that folder alone.
    pub keeps_state: bool,
}

/// What the facilitator and visitors set for the day: it changes often (a volume tap), so it
/// is kept apart from [`Station`].
#[derive(Resource, Clone, Debug, PartialEq)]
pub struct DaySettings {
    /// The day's visit context.
    pub context: VisitContext,
    /// Days added to the system date for the stop's date, without touching the clock.
    pub date_offset_days: i32,
    /// Volume, 0–1.
    pub volume: f32,
    /// Sound muted by a visitor.
    pub muted: bool,
}

impl DaySettings {
    /// The config's volume, and the stop's date offset saved in the data folder (a panel
    /// setting survives a restart), unless the station keeps no state.
    pub fn for_station(station: &Station) -> DaySettings {
        DaySettings {
            context: VisitContext::default(),
            date_offset_days: if station.keeps_state {
                crate::ops::time::read_offset_days(&station.data_dir())
            } else {
                0
            },
            volume: station.config.volume,
            muted: false,
        }
    }

    /// The effective volume.
    pub fn gain(&self) -> f32 {
        if self.muted { 0.0 } else { self.volume }
    }
}

impl Station {
    /// Loads the config and the scenarios; never fails: problems become a warning.
    pub fn load(launch: &Launch) -> Station {
        Station::from_file(launch, ConfigFile::read(&launch.config))
    }

    /// Loads the scenarios named by a config file already read.
    pub fn from_file(launch: &Launch, file: ConfigFile) -> Station {
        let mut warning = file.errors.clone();
        let content_dir = file.paths().scenarios;
        let loaded = load_content(
            &content_dir,
            &Options {
                assets: false,
                narration: false,
            },
        );
        let content = if loaded.report.errors() == 0 {
            loaded.set
        } else {
            warning.push_str(&errors_only(&loaded));
            ContentSet::default()
        };
        Station {
            config: file.config,
            config_path: file.path,
            content_dir,
            content,
            warning: (!warning.is_empty()).then_some(warning),
            keeps_state: !launch.no_log,
        }
    }

    /// Validates the scenario folder again; keeps the last good set on error.
    pub fn reload(&mut self) -> Result<usize, AppError> {
        let v = load_content(&self.content_dir, &Options::default());
        if v.report.errors() == 0 {
            self.content = v.set;
            Ok(self.content.scenarios.len())
        } else {
            Err(AppError::Content(errors_only(&v)))
        }
    }

    /// The scenarios visitors may play, in file order. When none of the configured ids is
    /// installed (new scenarios from a USB stick), all are, so visitors never face nothing.
    pub fn enabled(&self) -> Vec<usize> {
        let on: Vec<usize> = self
            .content
            .scenarios
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                self.config.scenarios.is_empty() || self.config.scenarios.contains(&s.id)
            })
            .map(|(i, _)| i)
            .collect();
        if on.is_empty() {
            (0..self.content.scenarios.len()).collect()
        } else {
            on
        }
    }

    /// A scenario's folder.
    pub fn folder(&self, index: usize) -> Option<&Path> {
        self.content.folders.get(index).map(PathBuf::as_path)
    }

    /// The data folder (log, date offset), relative to the config file.
    pub fn data_dir(&self) -> PathBuf {
        self.config.resolve(&self.config_path).data
    }
}

/// The errors of a validation (warnings left to `klub validate`), with file:line:col.
pub fn errors_only(v: &Validation) -> String {
    let mut out = String::new();
    for d in v.report.diags.iter().filter(|d| d.is_error()) {
        out.push_str(&d.render(v.sources.get(&d.file).map(Vec::as_slice), Lang::Fr));
        out.push('\n');
    }
    out
}

/// Today's counts for the facilitator panel: numbers only, nothing about a visitor.
#[derive(Resource, Default, Clone, Debug)]
pub struct Counts {
    /// Sessions started.
    pub started: u32,
    /// Completed.
    pub completed: u32,
    /// Dropped by the idle timeout.
    pub idle: u32,
    /// Left early.
    pub abandoned: u32,
}

impl Counts {
    /// Counts an ending.
    pub fn ended(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Completed => self.completed += 1,
            Outcome::IdleTimeout => self.idle += 1,
            _ => self.abandoned += 1,
        }
    }
}

/// Everything about the current visitor. Dropped whole at the end of a visit.
#[derive(Resource, Default, Debug)]
pub struct Visitor {
    /// The language picked.
    pub lang: Lang,
    /// "Texte facile".
    pub facile: bool,
    /// "Lecture à voix haute".
    pub read_aloud: bool,
    /// "Sans limite de temps".
    pub untimed: bool,
    /// Where they are, if said.
    pub situation: Situation,
    /// Age band, if said.
    pub age: AgeBand,
    /// Who the session is for.
    pub source: Option<Source>,
    /// The scenario played, as an index into the content set.
    pub scenario: Option<usize>,
    /// The session.
    pub session: Option<Session>,
    /// A pass the visitor scanned.
    pub scanned: Option<Pass>,
    /// What the scanner said about the last scan.
    pub scan_message: Option<Text>,
    /// The take-home pass, once made.
    pub pass: Option<Pass>,
    /// Its QR texture.
    pub qr: Option<Handle<Image>>,
    /// Its text, for the printer.
    pub pass_url: Option<String>,
}

impl Visitor {
    /// The text variant this visitor reads.
    pub fn variant(&self) -> Variant {
        Variant::for_visitor(self.lang, self.facile)
    }

    /// A text in the visitor's variant.
    pub fn t<'a>(&self, text: &'a Text) -> &'a str {
        text.get(self.variant())
    }

    /// French or English, for the station's own words.
    pub fn say(&self, fr: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// The scenario being played.
    pub fn scenario<'a>(&self, station: &'a Station) -> Option<&'a Scenario> {
        station.content.scenarios.get(self.scenario?)
    }
}

/// Station words in three variants, picked like scenario texts.
pub fn words(fr: &str, en: &str, facile: &str) -> Text {
    Text::new(fr, en, facile)
}
