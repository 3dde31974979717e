//! The visit log: session events go to `storage::writer::LogWriter`, a background thread,
//! so no frame waits for the disk. Replays log with source `replay`, or nothing with
//! `--no-log`.

use crate::app::bridge::{DaySettings, Station, Visitor};
use crate::app::error::AppError;
use crate::app::launch::Launch;
use crate::app::load::{Load, LoadSet};
use crate::app::screens::play::Logged;
use crate::domain::scoring::Profile;
use crate::domain::session::{Event, SessionId};
use crate::storage::record::{Clock as LogClock, Record, SessionResult, SessionStart};
use crate::storage::writer::{LogWriter, StationInfo};
use bevy::prelude::*;
use std::path::PathBuf;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Load, open_log.in_set(LoadSet::Log));
    app.add_systems(PostUpdate, forward);
}

/// Opens the visit log in the station's data folder.
fn open_log(world: &mut World) {
    let launch = world.get_resource::<Launch>().cloned().unwrap_or_default();
    let log = VisitLog::open(&launch, world.resource::<Station>());
    world.insert_resource(log);
}

/// The log writer, if the log could be opened (and is wanted).
#[derive(Resource)]
pub struct VisitLog {
    /// The writer thread's handle.
    pub writer: Option<LogWriter>,
    /// Where the log is.
    pub path: PathBuf,
    /// Why it could not be opened, for the facilitator.
    pub problem: Option<String>,
    /// Sessions a crash or power cut left open, marked `interrupted` when the log opened.
    pub interrupted: usize,
    clock: LogClock,
    started: Option<SessionId>,
}

/// Where the station keeps its log: the config's data folder, relative to the config file.
pub fn log_path(station: &Station) -> PathBuf {
    station.data_dir().join(crate::ops::files::LOG_FILE)
}

impl VisitLog {
    fn open(launch: &Launch, station: &Station) -> VisitLog {
        let path = log_path(station);
        let mut log = VisitLog {
            writer: None,
            path: path.clone(),
            problem: None,
            interrupted: 0,
            clock: LogClock::default(),
            started: None,
        };
        if launch.no_log {
            return log;
        }
        if let Some(dir) = path.parent()
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            log.problem = Some(format!("{}: {e}", dir.display()));
            return log;
        }
        match LogWriter::open(
            &path,
            StationInfo {
                station_id: station.config.station_id.clone(),
            },
        ) {
            Ok((w, report)) => {
                log.interrupted = report.interrupted;
                if report.interrupted > 0 {
                    warn!(
                        "{} visite(s) interrompue(s) par un arrêt brutal / session(s) interrupted by a crash or power cut",
                        report.interrupted
                    );
                }
                if let Some(aside) = report.moved_aside {
                    log.problem = Some(format!(
                        "journal abîmé mis de côté / damaged log moved aside: {}",
                        aside.display()
                    ));
                }
                log.writer = Some(w);
            }
            Err(e) => {
                error!("journal / log: {e}");
                log.problem = Some(e.to_string());
            }
        }
        log
    }

    /// Sends the result of a session: its profile and top trades.
    pub fn result(&self, id: SessionId, profile: Profile, top_trades: Vec<String>) {
        if let Some(w) = &self.writer
            && id != SessionId::UNLOGGED
        {
            w.send(Record::Result(Box::new(SessionResult {
                id,
                profile,
                top_trades,
            })));
        }
    }
}

fn forward(
    mut logged: MessageReader<Logged>,
    mut log: ResMut<VisitLog>,
    station: Res<Station>,
    day: Res<DaySettings>,
    visitor: Res<Visitor>,
) {
    let log = &mut *log;
    let Some(w) = &log.writer else {
        logged.clear();
        return;
    };
    for m in logged.read() {
        if m.session == SessionId::UNLOGGED {
            continue;
        }
        let at = log.clock.now();
        if log.started != Some(m.session) {
            let Some(scenario) = station.content.scenario(&m.scenario) else {
                continue;
            };
            let mut start = SessionStart::new(scenario, m.session, m.source, visitor.lang, at);
            start.stop = (!station.config.stop.is_empty()).then(|| station.config.stop.clone());
            start.context = day.context;
            start.situation = visitor.situation;
            start.age_band = visitor.age;
            start.pass = visitor.scanned.as_ref().map(|p| p.id);
            start.clock_offset_ms = i64::from(day.date_offset_days) * 86_400_000;
            w.send(Record::Start(Box::new(start)));
            log.started = Some(m.session);
        }
        w.send(Record::Event {
            id: m.session,
            event: m.event.clone(),
            at,
        });
        if matches!(m.event, Event::Ended { .. }) {
            log.started = None;
        }
    }
}

/// A consistent copy of the log into the configured USB folder.
pub fn export(log: &VisitLog, station: &Station) -> Result<PathBuf, AppError> {
    if let Some(w) = &log.writer {
        w.flush(std::time::Duration::from_secs(2));
    }
    let dir = PathBuf::from(&station.config.usb_export_dir);
    if !dir.is_dir() {
        return Err(AppError::Export(format!(
            "aucune clé USB trouvée ({}) : branchez la clé, attendez quelques secondes et réessayez",
            dir.display()
        )));
    }
    if !log.path.is_file() {
        return Err(AppError::Export(
            "pas encore de journal à exporter".to_owned(),
        ));
    }
    let stamp = crate::storage::time::utc_stamp(crate::storage::time::now_ms());
    let dest = dir.join(format!("klub-log-{}-{stamp}.db", station.config.station_id));
    crate::storage::db::open_snapshot(&log.path, &dest).map_err(|e| {
        // A half-written copy must not pass for an export.
        let _ = std::fs::remove_file(&dest);
        AppError::Export(format!(
            "copie impossible vers {} ({e}) : la clé est-elle branchée et inscriptible ?",
            dir.display()
        ))
    })?;
    // On the stick before the facilitator pulls it out, without unmounting.
    if let Ok(f) = std::fs::File::open(&dest) {
        let _ = f.sync_all();
    }
    crate::storage::db::sync_dir(&dir);
    Ok(dest)
}
