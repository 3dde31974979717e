//! Thin resources that carry domain types into the app: the station, the visitor, the clock.

use crate::app::launch::Launch;
use crate::content::set::{ContentSet, Options, Validation, load_content, load_kiosk_file};
use crate::domain::config::{AgeBand, Situation, StationConfig, VisitContext};
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
    let launch = app
        .world()
        .get_resource::<Launch>()
        .cloned()
        .unwrap_or_default();
    let station = Station::load(&launch);
    app.insert_resource(station);
    app.add_systems(First, tick_clock);
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

/// The station: its config, its scenarios, and what the facilitator set for the day.
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
    /// The day's visit context.
    pub context: VisitContext,
    /// Days added to the system date for the stop's date, without touching the clock.
    pub date_offset_days: i32,
    /// Volume, 0–1.
    pub volume: f32,
    /// Sound muted by a visitor.
    pub muted: bool,
    /// Whether the station keeps its day's state (date offset, panel settings) in the data
    /// folder; `--no-log` runs (tests, replays) leave that folder alone.
    pub keeps_state: bool,
}

impl Station {
    /// Loads the config and the scenarios; never fails: problems become a warning.
    pub fn load(launch: &Launch) -> Station {
        let mut v = Validation::default();
        let mut warning = String::new();
        let config = if launch.config.as_os_str().is_empty() {
            StationConfig::default()
        } else {
            load_kiosk_file(&mut v, &launch.config);
            match v.configs.first() {
                Some((_, c)) if v.report.errors() == 0 => c.clone(),
                _ => {
                    warning.push_str(&errors_only(&v));
                    StationConfig::default()
                }
            }
        };
        let base = launch
            .config
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let content_dir = base.join(&config.scenarios_dir);
        // The stop's date set in the panel survives a restart.
        let date_offset_days = if launch.no_log {
            0
        } else {
            crate::ops::time::read_offset_days(&base.join(&config.data_dir))
        };
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
            volume: config.volume,
            config,
            config_path: launch.config.clone(),
            content_dir,
            content,
            warning: (!warning.is_empty()).then_some(warning),
            context: VisitContext::default(),
            date_offset_days,
            muted: false,
            keeps_state: !launch.no_log,
        }
    }

    /// Validates the scenario folder again; keeps the last good set on error.
    pub fn reload(&mut self) -> Result<usize, String> {
        let v = load_content(&self.content_dir, &Options::default());
        if v.report.errors() == 0 {
            self.content = v.set;
            Ok(self.content.scenarios.len())
        } else {
            Err(errors_only(&v))
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

    /// The effective volume.
    pub fn gain(&self) -> f32 {
        if self.muted { 0.0 } else { self.volume }
    }

    /// The data folder (log, date offset), relative to the config file.
    pub fn data_dir(&self) -> PathBuf {
        self.config_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
            .join(&self.config.data_dir)
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
