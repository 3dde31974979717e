//! Running unattended: the station tells systemd it is ready and alive (watchdog), records
//! its screen size for `klub doctor`, sends its text log to the journal or a rotating file,
//! and keeps daily backups of the visit log without ever taking the log's own disk space.
//! What goes wrong is kept in [`OpsWarnings`], which the facilitator panel shows.

use crate::app::bridge::Clock;
use crate::app::error::AppError;
use crate::app::launch::Launch;
use crate::app::load::{Load, LoadSet};
use crate::app::log::VisitLog;
use crate::app::perf::Started;
use crate::app::redraw::{MAX_SLEEP, SleepCap};
use crate::ops::backup::{self, Outcome, Policy};
use crate::ops::logfile::{self, RotatingLog};
use crate::ops::watchdog::Watchdog;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The first backup waits this long after start-up, so it never slows the way to the
/// attract loop (the station must be ready within 3 s of a restart).
pub const BACKUP_DELAY: Duration = Duration::from_secs(5);
/// A backup that could not be made (low disk, error) is tried again this often.
pub const BACKUP_RETRY: Duration = Duration::from_secs(3600);
/// How often the warnings are brought up to date.
const WARNINGS_EVERY: Duration = Duration::from_secs(1);

pub(super) fn plugin(app: &mut App) {
    if !app.world().contains_resource::<StationWatchdog>() {
        app.insert_resource(StationWatchdog::new(Watchdog::from_env()));
    }
    app.add_systems(Load, plan_files.in_set(LoadSet::Rest));
    app.init_resource::<OpsWarnings>();
    app.add_systems(
        Update,
        (record_screen, run_backups, gather_warnings).chain(),
    );
    app.add_systems(
        Last,
        (
            ready_when_interactive.after(crate::app::perf::first_interactive_frame),
            ping,
            stopping_on_exit,
        )
            .chain(),
    );
    app.add_systems(Last, cap_sleep.before(crate::app::redraw::schedule));
}

/// The screen file and the backups, beside the visit log once it is open.
fn plan_files(world: &mut World) {
    let no_log = world.get_resource::<Launch>().is_some_and(|l| l.no_log);
    let db = world.resource::<VisitLog>().path.clone();
    let data = db.parent().map(Path::to_path_buf).unwrap_or_default();
    // `--no-log` (replays, tests) leaves the data folder alone.
    let writes = !no_log;
    world.insert_resource(ScreenFile {
        dir: writes.then_some(data),
        written: None,
    });
    world.insert_resource(Backups::new(&db, writes));
}

/// systemd's readiness and watchdog notifications for this station.
#[derive(Resource, Debug)]
pub struct StationWatchdog {
    /// The notifier (does nothing outside systemd).
    pub dog: Watchdog,
    /// Whether `READY=1` was sent.
    pub ready: bool,
    /// Whether `STOPPING=1` was sent.
    pub stopping: bool,
}

impl StationWatchdog {
    /// Wraps a watchdog; insert it before the station's plugins to replace the one built
    /// from the environment.
    pub fn new(dog: Watchdog) -> StationWatchdog {
        StationWatchdog {
            dog,
            ready: false,
            stopping: false,
        }
    }
}

/// `READY=1` once the attract loop (or the facilitator's warning) is first on screen.
fn ready_when_interactive(started: Res<Started>, mut wd: ResMut<StationWatchdog>) {
    if !wd.ready && started.interactive_after.is_some() {
        wd.dog.ready();
        wd.ready = true;
    }
}

/// A watchdog ping when due; a frozen frame loop stops them and systemd restarts us.
fn ping(mut wd: ResMut<StationWatchdog>) {
    wd.dog.tick(Instant::now());
}

fn stopping_on_exit(mut exits: MessageReader<AppExit>, mut wd: ResMut<StationWatchdog>) {
    if exits.read().count() > 0 && !wd.stopping {
        wd.dog.stopping();
        wd.stopping = true;
    }
}

/// In reactive mode the loop sleeps; it must wake in time for the next ping.
fn cap_sleep(wd: Res<StationWatchdog>, mut cap: ResMut<SleepCap>) {
    let want = SleepCap(wd.dog.wake_every().map_or(MAX_SLEEP, |w| w.min(MAX_SLEEP)));
    if *cap != want {
        *cap = want;
    }
}

/// Where the screen size goes for `klub doctor`, and the last size written.
#[derive(Resource, Debug, Default)]
pub struct ScreenFile {
    /// The data folder (`None` with `--no-log`).
    pub dir: Option<PathBuf>,
    /// The size last written, in physical pixels.
    pub written: Option<(u32, u32)>,
}

/// Writes the window's size in physical pixels at start-up and whenever it changes.
fn record_screen(
    windows: Query<&Window, (With<PrimaryWindow>, Changed<Window>)>,
    mut file: ResMut<ScreenFile>,
) {
    let Some(dir) = file.dir.clone() else {
        return;
    };
    for w in &windows {
        let size = (w.physical_width(), w.physical_height());
        if size.0 == 0 || size.1 == 0 || file.written == Some(size) {
            continue;
        }
        match crate::ops::doctor::write_screen(&dir, size.0, size.1) {
            Ok(()) => {
                info!("écran / screen: {}x{}", size.0, size.1);
                file.written = Some(size);
            }
            Err(e) => {
                // Tried again on the next change; doctor then says "unknown".
                warn!(
                    "{}: {e}",
                    dir.join(crate::ops::doctor::SCREEN_FILE).display()
                );
                file.written = Some(size);
            }
        }
    }
}

/// Daily backups of the visit log, made on a background thread.
#[derive(Resource, Debug)]
pub struct Backups {
    /// The visit log.
    pub db: PathBuf,
    /// The backup folder (`backups/` beside the log).
    pub dir: PathBuf,
    /// How many to keep and how much disk to leave the log.
    pub policy: Policy,
    /// Off with `--no-log`.
    pub enabled: bool,
    /// How long after a failed or refused attempt to try again ([`BACKUP_RETRY`]).
    pub retry: Duration,
    /// Test hook: the day to use instead of today's date in Paris.
    pub day_override: Option<String>,
    /// The day whose backup is made.
    pub done: Option<String>,
    /// What the last attempt gave.
    pub last: Option<Result<Outcome, AppError>>,
    /// Attempts started.
    pub attempts: u32,
    tried: Option<(String, Duration)>,
    running: Option<JoinHandle<Result<Outcome, AppError>>>,
}

impl Backups {
    /// Backups of `db` in `backups/` beside it.
    pub fn new(db: &Path, enabled: bool) -> Backups {
        Backups {
            db: db.to_path_buf(),
            dir: db.with_file_name("backups"),
            policy: Policy::default(),
            enabled,
            retry: BACKUP_RETRY,
            day_override: None,
            done: None,
            last: None,
            attempts: 0,
            tried: None,
            running: None,
        }
    }

    /// Whether a backup is being made now.
    pub fn running(&self) -> bool {
        self.running.is_some()
    }

    /// The warning for the facilitator, if the last attempt gave one.
    pub fn warning(&self) -> Option<String> {
        match &self.last {
            Some(Ok(o)) => o.warning(),
            Some(Err(e)) => Some(format!(
                "Sauvegarde du journal impossible : {e} / Log backup failed."
            )),
            None => None,
        }
    }

    fn today(&self) -> String {
        self.day_override.clone().unwrap_or_else(|| {
            crate::storage::time::paris_day_hour(crate::storage::time::now_ms()).0
        })
    }
}

/// At start-up (after [`BACKUP_DELAY`]), when the day changes, and every
/// [`Backups::retry`] while today's backup is missing.
fn run_backups(clock: Res<Clock>, mut b: ResMut<Backups>) {
    if !b.enabled {
        return;
    }
    // Read first: a mutable access every frame would mark the resource changed.
    let finished = b.running.as_ref().is_some_and(JoinHandle::is_finished);
    if finished && let Some(h) = b.running.take() {
        let (day, _) = b.tried.clone().unwrap_or_default();
        let res = h.join().unwrap_or_else(|_| {
            Err(AppError::Backup(
                "la sauvegarde a échoué / backup panicked".into(),
            ))
        });
        match &res {
            Ok(Outcome::Made(p)) => info!("sauvegarde / backup: {}", p.display()),
            Ok(o @ Outcome::LowDisk { .. }) => warn!("{}", o.warning().unwrap_or_default()),
            Ok(_) => {}
            Err(e) => warn!("sauvegarde / backup: {e}"),
        }
        if matches!(res, Ok(Outcome::Made(_) | Outcome::AlreadyDone(_))) {
            b.done = Some(day);
        }
        b.last = Some(res);
    }
    if b.running.is_some() || clock.now < BACKUP_DELAY {
        return;
    }
    let today = b.today();
    if b.done.as_ref() == Some(&today) {
        return;
    }
    let due = b
        .tried
        .as_ref()
        .is_none_or(|(day, at)| *day != today || clock.now.saturating_sub(*at) >= b.retry);
    if !due {
        return;
    }
    // The copy holds what the writer has committed: all but the last few milliseconds.
    let (db, dir, policy, day) = (b.db.clone(), b.dir.clone(), b.policy, today.clone());
    match std::thread::Builder::new()
        .name("klub-backup".into())
        .spawn(move || {
            backup::daily(&db, &dir, &day, &policy).map_err(|e| AppError::Backup(e.to_string()))
        }) {
        Ok(h) => b.running = Some(h),
        Err(e) => b.last = Some(Err(AppError::Backup(e.to_string()))),
    }
    b.tried = Some((today, clock.now));
    b.attempts += 1;
}

/// What the facilitator must know about the station's upkeep, French first.
#[derive(Resource, Debug, Default, Clone, PartialEq, Eq)]
pub struct OpsWarnings {
    /// One line each.
    pub lines: Vec<String>,
}

fn gather_warnings(
    clock: Res<Clock>,
    backups: Res<Backups>,
    log: Res<VisitLog>,
    mut warnings: ResMut<OpsWarnings>,
    mut last: Local<Option<Duration>>,
) {
    if last.is_some_and(|t| clock.now.saturating_sub(t) < WARNINGS_EVERY) && !backups.is_changed() {
        return;
    }
    *last = Some(clock.now);
    let mut lines = vec![];
    if let Some(w) = &log.writer {
        let s = w.status();
        if !s.healthy {
            lines.push(format!(
                "Journal des visites en échec, nouvel essai en cours : {} / Visit log failing, retrying.",
                s.last_error.unwrap_or_default()
            ));
        }
    }
    if let Some(w) = backups.warning() {
        lines.push(w);
    }
    if log.interrupted > 0 {
        lines.push(format!(
            "{} visite(s) interrompue(s) par un arrêt brutal, gardée(s) dans le journal. / {} session(s) interrupted by a crash or power cut, kept in the log.",
            log.interrupted, log.interrupted
        ));
    }
    if warnings.lines != lines {
        for l in lines.iter().filter(|l| !warnings.lines.contains(l)) {
            warn!("{l}");
        }
        warnings.lines = lines;
    }
}

/// The rotating log file, and a copy on stderr when someone watches a terminal.
#[derive(Resource, Debug)]
pub struct TextLog {
    file: RotatingLog,
    echo: bool,
}

impl Write for TextLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.echo {
            let _ = std::io::stderr().write_all(buf);
        }
        self.file.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Bevy's log plugin for the station: stderr under systemd (the journal), else the
/// rotating `station.log` in the data folder `data`. Replays and `--no-log` keep stderr:
/// whoever runs them reads the outcome there. Call before adding `DefaultPlugins`.
pub fn log_plugin(app: &mut App, launch: &Launch, data: &Path) -> bevy::log::LogPlugin {
    use std::io::IsTerminal;
    if !launch.no_log
        && launch.replay.is_none()
        && let logfile::Target::File(file) = logfile::target(data)
    {
        app.insert_resource(TextLog {
            file,
            echo: std::io::stderr().is_terminal(),
        });
    }
    bevy::log::LogPlugin {
        fmt_layer: text_log_layer,
        ..default()
    }
}

fn text_log_layer(app: &mut App) -> Option<bevy::log::BoxedFmtLayer> {
    use bevy::log::tracing_subscriber::fmt;
    use std::io::IsTerminal;
    Some(match app.world_mut().remove_resource::<TextLog>() {
        Some(log) => Box::new(
            fmt::Layer::default()
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(log)),
        ),
        // The journal stores colour codes as they come: none unless a person watches.
        None => Box::new(
            fmt::Layer::default()
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr),
        ),
    })
}
