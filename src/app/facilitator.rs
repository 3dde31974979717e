//! Facilitator mode: a 3-second press in the top-left corner, then the PIN (five wrong
//! PINs lock it for 30 s, each lock twice as long as the one before; the argon2 check runs
//! on a worker thread so no frame waits for it), then the panel: stop and date, visit context, scenarios,
//! volume, today's counts, rehearsal, reload, scenarios from a USB stick, USB export, the
//! station check and shutdown. Left alone for `PANEL_IDLE`, it goes back to the attract loop.

mod rehearsal;

pub use rehearsal::{HOT_RELOAD_EVERY, OK_BANNER, RehearsalNote};

use crate::app::bridge::{Clock, Counts, DaySettings, Station, Visitor};
use crate::app::input::{Pointer, SecretGesture, Tappable, Tapped};
use crate::app::launch::Launch;
use crate::app::load::{Load, LoadSet};
use crate::app::ops::OpsWarnings;
use crate::app::redraw::{self, Dirty, Wake};
use crate::app::screens::Screen;
use crate::app::screens::play::{self, Logged};
use crate::app::theme::Layout;
use crate::app::theme::interaction::Look;
use crate::app::theme::widget;
use crate::app::theme::{palette, size};
use crate::domain::config::VisitContext;
use crate::domain::session::{Outcome, Source};
use crate::ops::doctor::{Check, Level};
use crate::ops::scenarios::{Failed, Installed, Progress};
use bevy::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Wrong PINs before the lock.
pub const MAX_WRONG: u8 = 5;
/// How long the first lock lasts; each next one lasts twice as long.
pub const LOCK: Duration = Duration::from_secs(30);
/// The lock stops doubling after this many times (30 s × 2⁶ = 32 min).
const MAX_DOUBLINGS: u32 = 6;
/// Longest PIN accepted on the keypad.
const MAX_PIN: usize = 12;
/// The PIN screen and the panel go back to the attract loop after this long without a
/// touch, so a panel left open is not left to visitors.
pub const PANEL_IDLE: Duration = Duration::from_secs(120);
/// Lines of a report shown in the panel; the rest is in `klub doctor` / `klub validate`.
const REPORT_LINES: usize = 18;
/// Panel targets are 84 px high, so that they keep 80 px (the smallest allowed) after the
/// rounding at 1366×768, and the whole panel fits on one screen.
const PANEL_TARGET: f32 = 84.0;
/// One volume step.
const VOLUME_STEP: f32 = 0.1;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PinState>();
    app.init_resource::<PanelMessage>();
    app.init_resource::<PanelReport>();
    app.init_resource::<DoctorRun>();
    app.init_resource::<InstallRun>();
    app.init_resource::<PanelIdle>();
    app.init_resource::<CountsDay>();
    app.init_resource::<CountsBeforeRehearsal>();
    app.init_resource::<OpsWarnings>();
    app.add_systems(Load, restore_day.in_set(LoadSet::Rest));
    app.add_systems(OnEnter(Screen::Pin), (spawn_pin, note_entry));
    app.add_systems(OnEnter(Screen::Facilitator), (spawn_panel, note_entry));
    app.add_systems(
        Update,
        (
            (poll_pin, rebuild_pin.run_if(in_state(Screen::Pin))).chain(),
            (poll_doctor, poll_install, warnings_changed, rebuild_panel)
                .chain()
                .run_if(in_state(Screen::Facilitator)),
            idle_out.run_if(in_state(Screen::Pin).or_else(in_state(Screen::Facilitator))),
            new_day.run_if(state_changed::<Screen>),
            forget_rehearsal_counts,
            wake_while_held,
        ),
    );
    app.add_plugins(rehearsal::plugin);
    app.add_observer(on_gesture);
    app.add_observer(on_pin_tap);
    app.add_observer(on_panel_tap);
}

/// What has been typed, and the lock.
#[derive(Resource, Default, Debug)]
pub struct PinState {
    /// Digits typed so far.
    pub entered: String,
    /// Wrong PINs since the last lock.
    pub wrong: u8,
    /// Locks since the last right PIN: the next one lasts `LOCK` × 2^locks.
    pub locks: u32,
    /// Locked until then.
    pub locked_until: Option<Duration>,
    /// Last message shown.
    pub message: Option<&'static str>,
    /// The PIN being checked on a worker thread (argon2 takes tens of milliseconds).
    checking: Option<std::thread::JoinHandle<bool>>,
}

impl PinState {
    /// Whether a typed PIN is still being checked.
    pub fn checking(&self) -> bool {
        self.checking.is_some()
    }
}

/// How long the lock after `locks` earlier locks lasts: 30 s, 60 s, 120 s …
pub fn lock_length(locks: u32) -> Duration {
    LOCK * 2u32.pow(locks.min(MAX_DOUBLINGS))
}

/// Said in the journal and on the panel while the PIN hash is of the old kind.
const PIN_RENEW: &str = "Code animateur à renouveler (ancienne empreinte) : « klub pin » puis pin_hash / Facilitator PIN hash is of the old kind: renew it with \"klub pin\"";

/// The panel's last message (export result, date not saved, hot-reload outcome).
#[derive(Resource, Default, Debug)]
pub struct PanelMessage(pub Option<String>);

/// A long report the panel shows instead of its buttons until "Retour": the station check,
/// or scenario errors with file and line.
#[derive(Resource, Default, Debug, Clone, PartialEq, Eq)]
pub struct PanelReport(pub Option<(String, String)>);

/// The station check running on a background thread (it reads every scenario file).
#[derive(Resource, Default)]
pub struct DoctorRun(Option<std::thread::JoinHandle<Vec<Check>>>);

impl DoctorRun {
    /// Whether a check is under way.
    pub fn running(&self) -> bool {
        self.0.is_some()
    }
}

/// The command "Éteindre la station" runs after flushing the log. `None` (a development
/// station) only quits: tapping the button must not power a developer's machine off.
#[derive(Resource, Clone, Debug, Default, PartialEq, Eq)]
pub struct PowerCommand(pub Option<Vec<String>>);

impl PowerCommand {
    /// `KLUB_POWER_OFF` when set; otherwise `systemctl poweroff` in kiosk mode, and
    /// nothing on a development station.
    pub fn for_launch(launch: &Launch) -> PowerCommand {
        let env = std::env::var(crate::ops::power::COMMAND_ENV).ok();
        if env.as_deref().is_some_and(|e| !e.trim().is_empty()) || launch.kiosk {
            PowerCommand(Some(crate::ops::power::command_from(env.as_deref())))
        } else {
            PowerCommand(None)
        }
    }
}

/// The day today's counts are for (Paris date of the system clock: the counts restart at
/// midnight even when the facilitator moved the stop's date).
#[derive(Resource, Default, Debug, Clone, PartialEq, Eq)]
pub struct CountsDay(pub String);

/// The counts as they were when a rehearsal began, put back when it ends: rehearsals are
/// not visits.
#[derive(Resource, Default, Debug)]
struct CountsBeforeRehearsal(Option<Counts>);

/// The day's panel settings (TOML), kept in the data folder so that a restart after a crash
/// the same day keeps them: the public, the volume and the scenarios offered.
pub const SETTINGS_FILE: &str = "panel-du-jour.toml";
/// The same settings as `key=value` lines, as stations wrote them before: read once when
/// no TOML file exists yet, then replaced by it at the next change.
pub const OLD_SETTINGS_FILE: &str = "panel-du-jour.txt";
/// Larger settings files are not read: they are not ours.
const MAX_SETTINGS: u64 = 64 << 10;

/// Today (Paris date of the system clock).
fn today() -> String {
    crate::storage::time::paris_day_hour(crate::storage::time::now_ms()).0
}

/// The settings file's fields. Each is optional, so that one bad value (a hand edit) costs
/// only itself.
#[derive(Serialize, Deserialize, Debug, Default, PartialEq)]
struct SettingsFile {
    day: Option<String>,
    context: Option<String>,
    volume: Option<f32>,
    scenarios: Option<Vec<String>>,
}

/// The day's settings as TOML.
pub fn settings_text(station: &Station, day: &DaySettings, today: &str) -> String {
    let file = SettingsFile {
        day: Some(today.to_owned()),
        context: Some(day.context.id().to_owned()),
        volume: Some(day.volume),
        scenarios: Some(station.config.scenarios.clone()),
    };
    toml::to_string(&file).unwrap_or_default()
}

/// Reads the old `key=value` format into the same fields.
fn old_settings(text: &str) -> SettingsFile {
    let value = |key: &str| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, v)| v.trim().to_owned())
    };
    SettingsFile {
        day: value("day"),
        context: value("context"),
        volume: value("volume").and_then(|v| v.parse().ok()),
        scenarios: value("scenarios").map(|l| l.split(',').map(str::to_owned).collect()),
    }
}

/// Applies the TOML settings saved on `today`; older ones, a damaged file and values out of
/// range are ignored (a power cut or a hand edit must not stop the station).
pub fn apply_settings(station: &mut Station, day: &mut DaySettings, text: &str, today: &str) {
    match toml::from_str::<SettingsFile>(text) {
        Ok(file) => apply(station, day, file, today),
        Err(e) => warn!(
            "réglages du jour ignorés : {} / day settings ignored: {e}",
            e.message()
        ),
    }
}

/// Applies settings in the old `key=value` format (see [`OLD_SETTINGS_FILE`]).
pub fn apply_old_settings(station: &mut Station, day: &mut DaySettings, text: &str, today: &str) {
    apply(station, day, old_settings(text), today);
}

fn apply(station: &mut Station, day: &mut DaySettings, file: SettingsFile, today: &str) {
    if file.day.as_deref() != Some(today) {
        return;
    }
    if let Some(c) = file.context.as_deref().and_then(VisitContext::parse) {
        day.context = c;
    }
    if let Some(v) = file.volume
        && (0.0..=1.0).contains(&v)
    {
        day.volume = v;
    }
    if let Some(list) = file.scenarios {
        station.config.scenarios = list
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
    }
}

/// Puts back the day's panel settings and warns about an old PIN hash, at start-up. A
/// replay checks scenarios whatever the day's choices.
fn restore_day(world: &mut World) {
    let launch = world.get_resource::<Launch>().cloned().unwrap_or_default();
    if !world.contains_resource::<PowerCommand>() {
        world.insert_resource(PowerCommand::for_launch(&launch));
    }
    world.resource_scope(|world, mut station: Mut<Station>| {
        if crate::domain::pin::needs_renewal(&station.config.pin_hash) {
            warn!("{PIN_RENEW}");
        }
        if launch.replay.is_some() || launch.no_log {
            return;
        }
        let read = |name: &str| {
            crate::fsio::read_regular(&station.data_dir().join(name), MAX_SETTINGS)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
        };
        let (toml, old) = (read(SETTINGS_FILE), read(OLD_SETTINGS_FILE));
        let mut day = world.resource_mut::<DaySettings>();
        match (toml, old) {
            (Some(text), _) => apply_settings(&mut station, &mut day, &text, &today()),
            (None, Some(text)) => apply_old_settings(&mut station, &mut day, &text, &today()),
            (None, None) => {}
        }
    });
}

/// Saves the day's settings (`fsio::write_atomic`, like the date offset); the old format's
/// file goes, so that it is never read again.
fn save_settings(station: &Station, day: &DaySettings) -> std::io::Result<()> {
    if !station.keeps_state {
        return Ok(());
    }
    let dir = station.data_dir();
    std::fs::create_dir_all(&dir)?;
    crate::fsio::write_atomic(
        &dir.join(SETTINGS_FILE),
        settings_text(station, day, &today()).as_bytes(),
    )?;
    match std::fs::remove_file(dir.join(OLD_SETTINGS_FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// When the PIN screen or the panel came up.
#[derive(Resource, Default, Debug)]
struct PanelIdle(Duration);

#[derive(Component)]
struct PinRoot;

#[derive(Component)]
struct PanelRoot;

#[derive(Component, Clone, Copy, Debug)]
enum PinKey {
    Digit(u8),
    Erase,
    Ok,
    Cancel,
}

#[derive(Component, Clone, Debug)]
enum PanelButton {
    DayMinus,
    DayPlus,
    Context(VisitContext),
    Scenario(String),
    VolumeDown,
    VolumeUp,
    Rehearse,
    Reload,
    Install,
    Export,
    Check,
    Shutdown,
    ShutdownConfirmed,
    Close,
    Back,
}

fn on_gesture(
    _: On<SecretGesture>,
    screen: Res<State<Screen>>,
    mut visitor: ResMut<Visitor>,
    mut counts: ResMut<Counts>,
    mut log: MessageWriter<Logged>,
    mut next: ResMut<NextState<Screen>>,
) {
    if matches!(screen.get(), Screen::Pin | Screen::Facilitator) {
        return;
    }
    play::end_session(&mut visitor, Outcome::Abandoned, &mut counts, &mut log);
    *visitor = Visitor::default();
    next.set(Screen::Pin);
}

fn spawn_pin(
    layout: Res<Layout>,
    mut commands: Commands,
    clock: Res<Clock>,
    mut pin: ResMut<PinState>,
) {
    let l = *layout;
    pin.entered.clear();
    pin.message = None;
    commands
        .spawn((widget::root(Screen::Pin, l), PinRoot))
        .with_children(|p| pin_content(p, &pin, clock.now, l));
}

fn pin_content(p: &mut ChildSpawnerCommands, pin: &PinState, now: Duration, l: Layout) {
    p.spawn(widget::heading("Code animateur"));
    let dots = if pin.entered.is_empty() {
        "…".to_owned()
    } else {
        "•".repeat(pin.entered.len())
    };
    p.spawn(widget::text(dots, size::TITLE, palette::TEXT));
    let msg = match pin.locked_until.filter(|t| now < *t) {
        Some(t) => Some(format!(
            "Trop d'essais : réessayez dans {} s.",
            (t - now).as_secs_f32().ceil()
        )),
        None if pin.checking() => Some("Vérification du code…".to_owned()),
        None => pin.message.map(str::to_owned),
    };
    if let Some(m) = msg {
        p.spawn(widget::text(m, size::BODY, palette::WARNING));
    }
    for row in [[1u8, 2, 3], [4, 5, 6], [7, 8, 9]] {
        p.spawn(widget::row(l)).with_children(|r| {
            for d in row {
                r.spawn((
                    widget::icon_button(&d.to_string(), &d.to_string()),
                    PinKey::Digit(d),
                ));
            }
        });
    }
    p.spawn(widget::row(l)).with_children(|r| {
        r.spawn((widget::quiet_button("Effacer"), PinKey::Erase));
        r.spawn((widget::icon_button("0", "0"), PinKey::Digit(0)));
        r.spawn((widget::button("Valider"), PinKey::Ok));
        r.spawn((widget::quiet_button("Annuler"), PinKey::Cancel));
    });
}

fn on_pin_tap(
    tap: On<Tapped>,
    keys: Query<&PinKey>,
    roots: Query<Entity, With<PinRoot>>,
    clock: Res<Clock>,
    station: Res<Station>,
    mut pin: ResMut<PinState>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    let Ok(key) = keys.get(tap.entity).copied() else {
        return;
    };
    let locked = pin.locked_until.is_some_and(|t| clock.now < t);
    match key {
        PinKey::Cancel => {
            pin.entered.clear();
            next.set(Screen::Attract);
            return;
        }
        _ if locked || pin.checking() => {}
        PinKey::Digit(d) if pin.entered.len() < MAX_PIN => {
            pin.entered.push(char::from(b'0' + d));
            pin.message = None;
        }
        PinKey::Digit(_) => {}
        PinKey::Erase => {
            pin.entered.pop();
        }
        PinKey::Ok => {
            let typed = std::mem::take(&mut pin.entered);
            let stored = station.config.pin_hash.clone();
            pin.checking = Some(std::thread::spawn(move || {
                crate::domain::pin::verify(&typed, &stored)
            }));
        }
    }
    redraw::mark(&mut commands, roots);
}

/// Takes the worker's answer: the panel, or one more wrong PIN (and maybe a lock). Runs on
/// every screen, so that leaving the PIN screen before the answer still counts a wrong PIN.
fn poll_pin(
    clock: Res<Clock>,
    screen: Res<State<Screen>>,
    mut pin: ResMut<PinState>,
    mut wake: ResMut<Wake>,
    mut next: ResMut<NextState<Screen>>,
    roots: Query<Entity, With<PinRoot>>,
    mut commands: Commands,
) {
    if pin.locked_until.is_some_and(|t| clock.now >= t) {
        // The lock is over: redraw without its message.
        pin.locked_until = None;
        redraw::mark(&mut commands, roots);
    }
    let Some(handle) = &pin.checking else {
        return;
    };
    if !handle.is_finished() {
        wake.at(clock.now + Duration::from_millis(20));
        return;
    }
    let Some(handle) = pin.checking.take() else {
        return;
    };
    // A check that panicked counts as a wrong PIN.
    if handle.join().unwrap_or(false) {
        pin.wrong = 0;
        pin.locks = 0;
        pin.locked_until = None;
        pin.message = None;
        if *screen.get() == Screen::Pin {
            next.set(Screen::Facilitator);
        }
        return;
    }
    pin.wrong += 1;
    pin.message = Some("Code incorrect.");
    if pin.wrong >= MAX_WRONG {
        pin.wrong = 0;
        let until = clock.now + lock_length(pin.locks);
        pin.locked_until = Some(until);
        pin.locks = pin.locks.saturating_add(1);
        // Reactive frames: a frame when the lock ends, so that its message goes.
        wake.at(until);
    }
    redraw::mark(&mut commands, roots);
}

fn rebuild_pin(
    layout: Res<Layout>,
    roots: Query<Entity, (With<PinRoot>, With<Dirty>)>,
    pin: Res<PinState>,
    clock: Res<Clock>,
    mut commands: Commands,
) {
    let l = *layout;
    for r in &roots {
        redraw::rebuild(&mut commands, r, |p| pin_content(p, &pin, clock.now, l));
    }
}

/// At the first screen change of a new day, today's counts start again from zero (a screen
/// change comes before any session starts).
fn new_day(mut day: ResMut<CountsDay>, mut counts: ResMut<Counts>) {
    let today = crate::storage::time::paris_day_hour(crate::storage::time::now_ms()).0;
    if day.0 != today {
        if !day.0.is_empty() {
            *counts = Counts::default();
        }
        day.0 = today;
    }
}

fn forget_rehearsal_counts(
    visitor: Res<Visitor>,
    mut saved: ResMut<CountsBeforeRehearsal>,
    mut counts: ResMut<Counts>,
) {
    if visitor.source != Some(Source::Rehearsal)
        && let Some(before) = saved.0.take()
    {
        *counts = before;
    }
}

/// In reactive mode nothing else draws a frame while a finger rests in the corner; without
/// one, the 3-second hold is never seen and the release becomes a tap on the attract loop.
fn wake_while_held(clock: Res<Clock>, pointer: Res<Pointer>, mut wake: ResMut<Wake>) {
    if crate::app::input::holding(&pointer) {
        wake.at(clock.now + Duration::from_millis(200));
    }
}

fn note_entry(clock: Res<Clock>, mut idle: ResMut<PanelIdle>) {
    idle.0 = clock.now;
}

/// No touch for `PANEL_IDLE` on the PIN screen or the panel: back to the attract loop.
fn idle_out(
    clock: Res<Clock>,
    pointer: Res<Pointer>,
    entered: Res<PanelIdle>,
    mut pin: ResMut<PinState>,
    mut msg: ResMut<PanelMessage>,
    mut report: ResMut<PanelReport>,
    mut next: ResMut<NextState<Screen>>,
    mut wake: ResMut<Wake>,
    install: Res<InstallRun>,
) {
    let due = entered.0.max(pointer.last_touch) + PANEL_IDLE;
    // An install keeps the panel open: its outcome must be seen.
    if install.running() {
        return;
    }
    if pointer.busy() || clock.now < due {
        wake.at(due);
        return;
    }
    pin.entered.clear();
    msg.0 = None;
    report.0 = None;
    next.set(Screen::Attract);
}

fn spawn_panel(
    mut commands: Commands,
    station: Res<Station>,
    day: Res<DaySettings>,
    counts: Res<Counts>,
    msg: Res<PanelMessage>,
    report: Res<PanelReport>,
    warnings: Res<OpsWarnings>,
    layout: Res<Layout>,
) {
    let l = *layout;
    // Closer than a visitor's screen, so that the whole panel fits on one screen.
    let mut node = Node {
        width: percent(100),
        height: percent(100),
        flex_direction: FlexDirection::Column,
        align_items: AlignItems::Center,
        justify_content: JustifyContent::Center,
        row_gap: px(12),
        padding: UiRect::all(px(24)),
        ..default()
    };
    l.place_root(&mut node);
    commands
        .spawn((widget::root(Screen::Facilitator, l), PanelRoot))
        .insert(node)
        .with_children(|p| panel_content(p, &station, &day, &counts, &msg, &report, &warnings));
}

/// The stop's date: the system date moved by the facilitator's offset.
pub fn stop_date(day: &DaySettings) -> String {
    crate::ops::time::stop_date(crate::storage::time::now_ms(), day.date_offset_days)
}

/// A panel target: like the visitor's buttons, but 80 px high with 32 px text.
fn panel_target(shown: &str, label: &str, bg: Color, pressed: Color, fg: Color) -> impl Bundle {
    (
        Name::new(format!("Button {label}")),
        widget::Label(label.to_owned()),
        Tappable,
        Look {
            normal: bg,
            pressed,
        },
        BackgroundColor(bg),
        Node {
            min_width: px(PANEL_TARGET),
            min_height: px(PANEL_TARGET),
            padding: UiRect::axes(px(20), px(8)),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(px(size::RADIUS)),
            ..default()
        },
        children![widget::text(shown.to_owned(), size::SMALL, fg)],
    )
}

fn main_button(label: &str) -> impl Bundle {
    panel_target(
        label,
        label,
        palette::BUTTON,
        palette::PRESSED,
        palette::BUTTON_TEXT,
    )
}

fn quiet(shown: &str, label: &str) -> impl Bundle {
    panel_target(
        shown,
        label,
        palette::QUIET,
        palette::QUIET_PRESSED,
        palette::QUIET_TEXT,
    )
}

fn toggle(label: &str, on: bool) -> impl Bundle {
    let bg = if on {
        palette::SELECTED
    } else {
        palette::QUIET
    };
    panel_target(
        label,
        label,
        bg,
        palette::QUIET_PRESSED,
        palette::QUIET_TEXT,
    )
}

/// A row of panel targets that wraps, and never shrinks: a squeezed row would overlap the
/// next one.
fn panel_row() -> Node {
    Node {
        flex_direction: FlexDirection::Row,
        flex_wrap: FlexWrap::Wrap,
        flex_shrink: 0.0,
        // A definite width, so the height counts the wrapped lines.
        width: percent(100),
        justify_content: JustifyContent::Center,
        align_items: AlignItems::Center,
        column_gap: px(12),
        row_gap: px(12),
        ..default()
    }
}

fn panel_content(
    p: &mut ChildSpawnerCommands,
    station: &Station,
    day: &DaySettings,
    counts: &Counts,
    msg: &PanelMessage,
    report: &PanelReport,
    warnings: &OpsWarnings,
) {
    if let Some((title, body)) = &report.0 {
        report_view(p, title, body);
        return;
    }
    // The station's upkeep (log failing, low disk, interrupted visits), in French: the panel's
    // language. Two lines at most, so the buttons stay on screen.
    let renew = crate::domain::pin::needs_renewal(&station.config.pin_hash).then_some(PIN_RENEW);
    if !warnings.lines.is_empty() || renew.is_some() {
        let lines: Vec<&str> = warnings
            .lines
            .iter()
            .map(String::as_str)
            .chain(renew)
            .take(2)
            .map(|l| l.split(" / ").next().unwrap_or(l))
            .collect();
        p.spawn((
            widget::text(lines.join("\n"), size::SMALL, palette::WARNING),
            Node {
                padding: UiRect::axes(px(16), px(4)),
                max_width: px(1800),
                ..default()
            },
            BackgroundColor(palette::PANEL),
        ));
    }
    let cfg = &station.config;
    p.spawn(widget::heading(format!(
        "Borne {} · étape {}",
        cfg.station_id,
        if cfg.stop.is_empty() {
            "—"
        } else {
            &cfg.stop
        }
    )));
    p.spawn(panel_row()).with_children(|r| {
        r.spawn(widget::text(
            format!("Date de l'étape : {}", stop_date(day)),
            size::SMALL,
            palette::TEXT,
        ));
        r.spawn((quiet("− 1 jour", "− 1 jour"), PanelButton::DayMinus));
        r.spawn((quiet("+ 1 jour", "+ 1 jour"), PanelButton::DayPlus));
        r.spawn(widget::text(
            format!("Volume {} %", (day.volume * 100.0).round()),
            size::SMALL,
            palette::TEXT,
        ));
        r.spawn((quiet("−", "Volume moins"), PanelButton::VolumeDown));
        r.spawn((quiet("+", "Volume plus"), PanelButton::VolumeUp));
    });
    p.spawn(widget::text(
        format!(
            "Aujourd'hui : {} commencées, {} terminées, {} abandonnées, {} sans réponse",
            counts.started, counts.completed, counts.abandoned, counts.idle
        ),
        size::SMALL,
        palette::TEXT_SOFT,
    ));
    p.spawn(caption("Public du jour :"));
    p.spawn(panel_row()).with_children(|r| {
        for c in VisitContext::ALL {
            r.spawn((
                toggle(c.label(), day.context == *c),
                PanelButton::Context(*c),
            ));
        }
    });
    let enabled = station.enabled();
    p.spawn(caption("Scénarios proposés aux visiteurs (au moins un) :"));
    p.spawn(panel_row()).with_children(|r| {
        for (i, s) in station.content.scenarios.iter().enumerate() {
            r.spawn((
                toggle(&s.id, enabled.contains(&i)),
                PanelButton::Scenario(s.id.clone()),
            ));
        }
    });
    p.spawn(panel_row()).with_children(|r| {
        r.spawn((main_button("Répéter"), PanelButton::Rehearse));
        r.spawn((main_button("Recharger les scénarios"), PanelButton::Reload));
        r.spawn((
            main_button("Installer les scénarios de la clé"),
            PanelButton::Install,
        ));
        r.spawn((main_button("Exporter sur clé USB"), PanelButton::Export));
        r.spawn((main_button("Vérifier la station"), PanelButton::Check));
        r.spawn((
            quiet("Éteindre la station", "Éteindre la station"),
            PanelButton::Shutdown,
        ));
        r.spawn((quiet("Fermer", "Fermer"), PanelButton::Close));
    });
    if let Some(m) = &msg.0 {
        let lines: Vec<&str> = rehearsal::compact(m).take(3).collect();
        p.spawn((
            widget::text(lines.join("\n"), size::SMALL, palette::TEXT),
            Node {
                padding: UiRect::axes(px(16), px(8)),
                max_width: px(1800),
                ..default()
            },
            BackgroundColor(palette::PANEL),
        ));
    }
}

/// Small text aligned left, for reports with file and line.
fn left_text(s: String) -> impl Bundle {
    (
        Text::new(s),
        TextFont {
            font_size: FontSize::Px(size::SMALL),
            ..default()
        },
        TextColor(palette::TEXT),
        TextLayout::justify(Justify::Left),
    )
}

fn caption(s: &str) -> impl Bundle {
    widget::text(s.to_owned(), size::SMALL, palette::TEXT_SOFT)
}

const SHUTDOWN_TITLE: &str = "Éteindre la station ?";
const SHUTDOWN_TEXT: &str = "Le journal est enregistré, puis la machine s'éteint.\nPour la rallumer : le bouton de mise en marche de la machine.";

/// A long report, cut to fit the screen, with "Retour" (and the shutdown's confirmation).
fn report_view(p: &mut ChildSpawnerCommands, title: &str, body: &str) {
    p.spawn(widget::heading(title.to_owned()));
    let mut lines: Vec<&str> = body.lines().take(REPORT_LINES).collect();
    if body.lines().count() > REPORT_LINES {
        lines.push("…");
    }
    // The box may shrink (and clip) so that "Retour" always stays on screen; the text in
    // it keeps its natural height.
    p.spawn((
        Node {
            padding: UiRect::all(px(16)),
            max_width: px(1800),
            min_height: px(0),
            flex_shrink: 1.0,
            overflow: Overflow::clip(),
            ..default()
        },
        BackgroundColor(palette::PANEL),
    ))
    .with_children(|b| {
        b.spawn((
            left_text(lines.join("\n")),
            Node {
                flex_shrink: 0.0,
                ..default()
            },
        ));
    });
    if title == INSTALL_TITLE {
        return;
    }
    p.spawn(panel_row()).with_children(|r| {
        if title == SHUTDOWN_TITLE {
            r.spawn((main_button("Oui, éteindre"), PanelButton::ShutdownConfirmed));
        }
        r.spawn((quiet("Retour", "Retour"), PanelButton::Back));
    });
}

/// The station check in French, one line per check and what to do under it.
pub fn render_checks(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        let tag = match c.level {
            Level::Ok => "OK",
            Level::Warn => "Attention",
            Level::Fail => "ÉCHEC",
        };
        let what = c.what.get(crate::domain::text::Lang::Fr);
        let first = what.lines().next().unwrap_or_default();
        out.push_str(&format!("{tag} · {first}\n"));
        if let Some(t) = &c.todo
            && c.level != Level::Ok
        {
            out.push_str(&format!(
                "      → {}\n",
                t.get(crate::domain::text::Lang::Fr)
            ));
        }
    }
    out
}

/// Starts the station check on a background thread (without the scanner test, which needs
/// `klub doctor --scan`).
fn start_doctor(station: &Station, run: &mut DoctorRun) {
    if run.running() {
        return;
    }
    let opts = crate::ops::doctor::Options::for_config(&station.config_path);
    run.0 = Some(std::thread::spawn(move || crate::ops::doctor::run(&opts)));
}

fn poll_doctor(
    clock: Res<Clock>,
    mut run: ResMut<DoctorRun>,
    mut report: ResMut<PanelReport>,
    mut wake: ResMut<Wake>,
    roots: Query<Entity, With<PanelRoot>>,
    mut commands: Commands,
) {
    let Some(handle) = &run.0 else {
        return;
    };
    if !handle.is_finished() {
        wake.at(clock.now + Duration::from_millis(200));
        return;
    }
    let Some(handle) = run.0.take() else {
        return;
    };
    let body = match handle.join() {
        Ok(checks) => {
            let fails = checks.iter().filter(|c| c.level == Level::Fail).count();
            let verdict = if fails == 0 {
                "La borne peut ouvrir.".to_owned()
            } else {
                format!("{fails} point(s) à corriger avant d'ouvrir.")
            };
            format!("{verdict}\n{}", render_checks(&checks))
        }
        Err(_) => "La vérification s'est arrêtée : lancez « klub doctor » pour le détail.".into(),
    };
    report.0 = Some(("Vérification de la station".into(), body));
    redraw::mark(&mut commands, roots);
}

fn on_panel_tap(
    tap: On<Tapped>,
    buttons: Query<&PanelButton>,
    roots: Query<Entity, With<PanelRoot>>,
    mut station: ResMut<Station>,
    mut day: ResMut<DaySettings>,
    mut visitor: ResMut<Visitor>,
    mut msg: ResMut<PanelMessage>,
    mut report: ResMut<PanelReport>,
    mut doctor: ResMut<DoctorRun>,
    mut install_run: ResMut<InstallRun>,
    mut next: ResMut<NextState<Screen>>,
    mut exit: MessageWriter<AppExit>,
    log: Res<crate::app::log::VisitLog>,
    power: Res<PowerCommand>,
    counts: Res<Counts>,
    mut commands: Commands,
) {
    let Ok(b) = buttons.get(tap.entity).cloned() else {
        return;
    };
    match b {
        PanelButton::DayMinus | PanelButton::DayPlus => {
            let step = if matches!(b, PanelButton::DayPlus) {
                1
            } else {
                -1
            };
            // `read_offset_days` refuses more than ten years either way.
            let days = (day.date_offset_days + step).clamp(-3660, 3660);
            day.date_offset_days = days;
            msg.0 = (if station.keeps_state {
                crate::ops::time::write_offset_days(&station.data_dir(), days)
            } else {
                Ok(())
            })
            .err()
            .map(|e| format!("Date non enregistrée (elle sera perdue au redémarrage) : {e}"));
        }
        PanelButton::Context(_)
        | PanelButton::Scenario(_)
        | PanelButton::VolumeDown
        | PanelButton::VolumeUp => {
            match &b {
                PanelButton::Context(c) => day.context = *c,
                PanelButton::Scenario(id) => toggle_scenario(&mut station, id),
                _ => {
                    let step = if matches!(b, PanelButton::VolumeUp) {
                        VOLUME_STEP
                    } else {
                        -VOLUME_STEP
                    };
                    // Whole steps, so "80 %" never becomes "79.99 %".
                    day.volume = ((day.volume + step) * 10.0).round().clamp(0.0, 10.0) / 10.0;
                }
            }
            msg.0 = save_settings(&station, &day)
                .err()
                .map(|e| format!("Réglage non enregistré (il sera perdu au redémarrage) : {e}"));
        }
        PanelButton::Rehearse => {
            *visitor = Visitor {
                source: Some(Source::Rehearsal),
                ..Visitor::default()
            };
            msg.0 = None;
            commands.insert_resource(RehearsalNote::default());
            commands.insert_resource(CountsBeforeRehearsal(Some(counts.clone())));
            next.set(Screen::Welcome);
            return;
        }
        PanelButton::Reload => match station.reload() {
            Ok(n) => msg.0 = Some(format!("Scénarios rechargés : {n}.")),
            Err(errors) => {
                report.0 = Some((
                    "Erreurs : les scénarios précédents restent en service".into(),
                    errors.to_string(),
                ));
            }
        },
        PanelButton::Install => install(&station, &mut install_run, &mut msg, &mut report),
        PanelButton::Export => {
            msg.0 = Some(match crate::app::log::export(&log, &station) {
                Ok(path) => format!(
                    "Journal exporté : {}. Attendez 5 secondes avant de retirer la clé.",
                    path.display()
                ),
                Err(e) => format!("Export impossible : {e}."),
            });
        }
        PanelButton::Check => {
            start_doctor(&station, &mut doctor);
            report.0 = Some((
                "Vérification de la station".into(),
                "Vérification en cours…".into(),
            ));
        }
        PanelButton::Shutdown => {
            // One tap too many must not switch the station off in the middle of a visit day.
            report.0 = Some((SHUTDOWN_TITLE.into(), SHUTDOWN_TEXT.into()));
        }
        PanelButton::ShutdownConfirmed => {
            report.0 = None;
            // What the log holds reaches the disk before anything stops.
            let flushed = log
                .writer
                .as_ref()
                .is_none_or(|w| w.flush(Duration::from_secs(3)));
            if !flushed {
                error!("journal non vidé avant l'extinction / log not flushed before power-off");
            }
            let Some(cmd) = &power.0 else {
                exit.write(AppExit::Success);
                return;
            };
            let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
            match crate::ops::power::run(&args) {
                Ok(()) => {
                    msg.0 = Some(
                        "Extinction en cours : attendez que l'écran s'éteigne avant de débrancher."
                            .into(),
                    );
                }
                Err(e) => {
                    report.0 = Some((
                        "Extinction impossible : la borne reste allumée".into(),
                        format!(
                            "{e}\nRéinstallez le paquet klub-kiosk (règle polkit), ou éteignez avec le bouton de la machine."
                        ),
                    ));
                }
            }
        }
        PanelButton::Close => {
            msg.0 = None;
            report.0 = None;
            next.set(Screen::Attract);
            return;
        }
        PanelButton::Back => report.0 = None,
    }
    redraw::mark(&mut commands, roots);
}

/// Turns a scenario on or off for visitors; the last one on stays on.
fn toggle_scenario(station: &mut Station, id: &str) {
    let all: Vec<String> = station
        .content
        .scenarios
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let mut on: Vec<String> = station
        .enabled()
        .into_iter()
        .map(|i| all[i].clone())
        .collect();
    if let Some(i) = on.iter().position(|s| s == id) {
        if on.len() > 1 {
            on.remove(i);
        }
    } else {
        on.push(id.to_owned());
    }
    // Every scenario on is written as the config says it: an empty list.
    station.config.scenarios = if on.len() == all.len() { vec![] } else { on };
}

/// The panel's title while scenarios install; the view has no button until it is done.
const INSTALL_TITLE: &str = "Installation des scénarios de la clé";

/// The scenario install running on a worker thread (it copies up to hundreds of MB, while
/// frames and the watchdog keep going), and how far it has got.
#[derive(Resource, Default)]
pub struct InstallRun {
    job: Option<std::thread::JoinHandle<Result<Installed, Failed>>>,
    progress: Arc<Progress>,
}

impl InstallRun {
    /// Whether an install is under way.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// The progress line the panel shows.
    pub fn line(&self) -> String {
        self.progress.line()
    }
}

/// "Installer les scénarios de la clé": the stick's `scenarios` folder is validated before
/// it replaces the active set (`ops::scenarios`), which is put back on any error. The work
/// runs on a thread; [`poll_install`] shows its progress and its outcome.
fn install(
    station: &Station,
    run: &mut InstallRun,
    msg: &mut PanelMessage,
    report: &mut PanelReport,
) {
    if run.running() {
        return;
    }
    let src = Path::new(&station.config.usb_export_dir).join("scenarios");
    if !src.is_dir() {
        report.0 = Some((
            "Installation impossible".into(),
            format!(
                "Pas de dossier « scenarios » sur la clé ({}).\nBranchez la clé qui contient le dossier « scenarios », attendez quelques secondes et réessayez.",
                src.display()
            ),
        ));
        return;
    }
    let active = station.content_dir.clone();
    let progress = Arc::new(Progress::default());
    let shared = Arc::clone(&progress);
    run.progress = progress;
    run.job = Some(std::thread::spawn(move || {
        crate::ops::scenarios::install_with(&src, &active, &shared, &mut |_| Ok(()))
    }));
    msg.0 = None;
    report.0 = Some((INSTALL_TITLE.into(), run.line()));
}

/// Shows the install's progress while it runs (the panel stays open meanwhile), then its
/// outcome; a finished install reloads the scenarios.
fn poll_install(
    clock: Res<Clock>,
    mut run: ResMut<InstallRun>,
    mut station: ResMut<Station>,
    mut msg: ResMut<PanelMessage>,
    mut report: ResMut<PanelReport>,
    mut wake: ResMut<Wake>,
    mut idle: ResMut<PanelIdle>,
    roots: Query<Entity, With<PanelRoot>>,
    mut commands: Commands,
) {
    let Some(handle) = &run.job else {
        return;
    };
    if !handle.is_finished() {
        wake.at(clock.now + Duration::from_millis(200));
        let line = run.line();
        if report.0.as_ref().is_none_or(|(_, body)| *body != line) {
            report.0 = Some((INSTALL_TITLE.into(), line));
            redraw::mark(&mut commands, roots);
        }
        return;
    }
    let Some(handle) = run.job.take() else {
        return;
    };
    // The outcome gets the panel's full idle time.
    idle.0 = clock.now;
    report.0 = None;
    match handle.join() {
        Ok(Ok(done)) => match station.reload() {
            Ok(n) => {
                msg.0 = Some(format!(
                    "Scénarios installés depuis la clé : {n} ({} avertissement(s), voir klub validate).",
                    done.warnings
                ));
            }
            Err(errors) => {
                report.0 = Some((
                    "Scénarios installés mais illisibles par la borne".into(),
                    errors.to_string(),
                ));
            }
        },
        Ok(Err(failed)) if failed.restored => {
            report.0 = Some((
                "Installation refusée : les scénarios en service n'ont pas changé".into(),
                failed.report,
            ));
        }
        Ok(Err(failed)) => {
            report.0 = Some((
                "ÉCHEC de l'installation : les anciens scénarios n'ont pas pu être remis en place"
                    .into(),
                failed.report,
            ));
        }
        Err(_) => {
            report.0 = Some((
                "Installation interrompue".into(),
                "L'installation s'est arrêtée en cours de route : redémarrez la borne, puis lancez « klub doctor ».".into(),
            ));
        }
    }
    redraw::mark(&mut commands, roots);
}

/// A new upkeep warning (or one gone) redraws the open panel.
fn warnings_changed(
    warnings: Res<OpsWarnings>,
    roots: Query<Entity, With<PanelRoot>>,
    mut commands: Commands,
) {
    if warnings.is_changed() {
        redraw::mark(&mut commands, roots);
    }
}

fn rebuild_panel(
    roots: Query<Entity, (With<PanelRoot>, With<Dirty>)>,
    station: Res<Station>,
    day: Res<DaySettings>,
    counts: Res<Counts>,
    msg: Res<PanelMessage>,
    report: Res<PanelReport>,
    warnings: Res<OpsWarnings>,
    mut commands: Commands,
) {
    for r in &roots {
        redraw::rebuild(&mut commands, r, |p| {
            panel_content(p, &station, &day, &counts, &msg, &report, &warnings)
        });
    }
}
