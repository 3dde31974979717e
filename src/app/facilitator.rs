//! Facilitator mode: a 3-second press in the top-left corner, then the PIN (three wrong
//! PINs lock it for a minute), then the panel: stop and date, visit context, scenarios,
//! volume, today's counts, rehearsal, reload, USB export and shutdown.

use crate::app::bridge::{Clock, Counts, Station, Visitor};
use crate::app::input::{SecretGesture, Tapped};
use crate::app::screens::Screen;
use crate::app::screens::play::{self, Logged};
use crate::app::theme::{palette, size};
use crate::app::widget;
use crate::domain::config::VisitContext;
use crate::domain::session::{Outcome, Source};
use bevy::prelude::*;
use std::time::Duration;

/// Wrong PINs before the lock.
pub const MAX_WRONG: u8 = 3;
/// How long the lock lasts.
pub const LOCK: Duration = Duration::from_secs(60);
/// Longest PIN accepted on the keypad.
const MAX_PIN: usize = 12;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PinState>();
    app.init_resource::<PanelMessage>();
    app.add_systems(OnEnter(Screen::Pin), spawn_pin);
    app.add_systems(OnEnter(Screen::Facilitator), spawn_panel);
    app.add_systems(
        Update,
        (
            rebuild_pin.run_if(in_state(Screen::Pin)),
            rebuild_panel.run_if(in_state(Screen::Facilitator)),
        ),
    );
    app.add_systems(Update, hot_reload);
    app.add_observer(on_gesture);
    app.add_observer(on_pin_tap);
    app.add_observer(on_panel_tap);
}

/// What has been typed, and the lock.
#[derive(Resource, Default, Debug)]
pub struct PinState {
    /// Digits typed so far.
    pub entered: String,
    /// Wrong PINs in a row.
    pub wrong: u8,
    /// Locked until then.
    pub locked_until: Option<Duration>,
    /// Last message shown.
    pub message: Option<&'static str>,
}

/// The panel's last message (reload errors with file and line, export result).
#[derive(Resource, Default, Debug)]
pub struct PanelMessage(pub Option<String>);

#[derive(Component)]
struct Dirty;

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
    Export,
    Shutdown,
    Close,
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

fn spawn_pin(mut commands: Commands, clock: Res<Clock>, mut pin: ResMut<PinState>) {
    pin.entered.clear();
    pin.message = None;
    commands
        .spawn((widget::root(Screen::Pin), PinRoot))
        .with_children(|p| pin_content(p, &pin, clock.now));
}

fn pin_content(p: &mut ChildSpawnerCommands, pin: &PinState, now: Duration) {
    p.spawn(widget::heading("Code animateur"));
    let dots = if pin.entered.is_empty() {
        "…".to_owned()
    } else {
        "•".repeat(pin.entered.len())
    };
    p.spawn(widget::text(dots, size::TITLE, palette::TEXT));
    let locked = pin.locked_until.is_some_and(|t| now < t);
    let msg = if locked {
        Some("Trop d'essais : réessayez dans une minute.")
    } else {
        pin.message
    };
    if let Some(m) = msg {
        p.spawn(widget::text(m, size::BODY, palette::WARNING));
    }
    for row in [[1u8, 2, 3], [4, 5, 6], [7, 8, 9]] {
        p.spawn(widget::row()).with_children(|r| {
            for d in row {
                r.spawn((
                    widget::icon_button(&d.to_string(), &d.to_string()),
                    PinKey::Digit(d),
                ));
            }
        });
    }
    p.spawn(widget::row()).with_children(|r| {
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
    let now = clock.now;
    let locked = pin.locked_until.is_some_and(|t| now < t);
    match key {
        PinKey::Cancel => {
            pin.entered.clear();
            next.set(Screen::Attract);
            return;
        }
        _ if locked => {}
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
            if crate::domain::pin::verify(&typed, &station.config.pin_hash) {
                pin.wrong = 0;
                pin.locked_until = None;
                next.set(Screen::Facilitator);
                return;
            }
            pin.wrong += 1;
            pin.message = Some("Code incorrect.");
            if pin.wrong >= MAX_WRONG {
                pin.wrong = 0;
                pin.locked_until = Some(now + LOCK);
            }
        }
    }
    for r in &roots {
        commands.entity(r).insert(Dirty);
    }
}

fn rebuild_pin(
    roots: Query<Entity, (With<PinRoot>, With<Dirty>)>,
    pin: Res<PinState>,
    clock: Res<Clock>,
    mut commands: Commands,
) {
    for r in &roots {
        commands
            .entity(r)
            .remove::<Dirty>()
            .despawn_children()
            .with_children(|p| pin_content(p, &pin, clock.now));
    }
}

fn spawn_panel(
    mut commands: Commands,
    station: Res<Station>,
    counts: Res<Counts>,
    msg: Res<PanelMessage>,
) {
    commands
        .spawn((widget::root(Screen::Facilitator), PanelRoot))
        .with_children(|p| panel_content(p, &station, &counts, &msg));
}

/// The stop's date: the system date moved by the facilitator's offset.
pub fn stop_date(station: &Station) -> String {
    let ms = crate::storage::time::now_ms() + i64::from(station.date_offset_days) * 86_400_000;
    crate::storage::time::paris_day_hour(ms).0
}

fn panel_content(
    p: &mut ChildSpawnerCommands,
    station: &Station,
    counts: &Counts,
    msg: &PanelMessage,
) {
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
    p.spawn(widget::row()).with_children(|r| {
        r.spawn(widget::text(
            format!("Date de l'étape : {}", stop_date(station)),
            size::BODY,
            palette::TEXT,
        ));
        r.spawn((widget::quiet_button("− 1 jour"), PanelButton::DayMinus));
        r.spawn((widget::quiet_button("+ 1 jour"), PanelButton::DayPlus));
    });
    p.spawn(widget::row()).with_children(|r| {
        for c in VisitContext::ALL {
            r.spawn((
                widget::toggle(c.label(), station.context == *c),
                PanelButton::Context(*c),
            ));
        }
    });
    p.spawn(widget::row()).with_children(|r| {
        for s in &station.content.scenarios {
            let on = cfg.scenarios.is_empty() || cfg.scenarios.contains(&s.id);
            r.spawn((
                widget::toggle(&s.id, on),
                PanelButton::Scenario(s.id.clone()),
            ));
        }
    });
    p.spawn(widget::row()).with_children(|r| {
        r.spawn((
            widget::icon_button("−", "Volume moins"),
            PanelButton::VolumeDown,
        ));
        r.spawn(widget::text(
            format!("Volume {} %", (station.volume * 100.0).round()),
            size::BODY,
            palette::TEXT,
        ));
        r.spawn((
            widget::icon_button("+", "Volume plus"),
            PanelButton::VolumeUp,
        ));
        r.spawn(widget::text(
            format!(
                "Aujourd'hui : {} commencées, {} terminées, {} abandonnées, {} sans réponse",
                counts.started, counts.completed, counts.abandoned, counts.idle
            ),
            size::SMALL,
            palette::TEXT_SOFT,
        ));
    });
    if let Some(m) = &msg.0 {
        let lines: Vec<&str> = m.lines().take(8).collect();
        p.spawn((
            widget::text(lines.join("\n"), size::SMALL, palette::WARNING),
            Node {
                padding: UiRect::all(px(16)),
                max_width: px(1700),
                ..default()
            },
            BackgroundColor(palette::PANEL),
        ));
    }
    p.spawn(widget::row()).with_children(|r| {
        r.spawn((widget::button("Répéter"), PanelButton::Rehearse));
        r.spawn((
            widget::button("Recharger les scénarios"),
            PanelButton::Reload,
        ));
        r.spawn((widget::button("Exporter sur clé USB"), PanelButton::Export));
        r.spawn((
            widget::quiet_button("Éteindre la station"),
            PanelButton::Shutdown,
        ));
        r.spawn((widget::quiet_button("Fermer"), PanelButton::Close));
    });
}

fn on_panel_tap(
    tap: On<Tapped>,
    buttons: Query<&PanelButton>,
    roots: Query<Entity, With<PanelRoot>>,
    mut station: ResMut<Station>,
    mut visitor: ResMut<Visitor>,
    mut msg: ResMut<PanelMessage>,
    mut next: ResMut<NextState<Screen>>,
    mut exit: MessageWriter<AppExit>,
    log: Res<crate::app::log::VisitLog>,
    mut commands: Commands,
) {
    let Ok(b) = buttons.get(tap.entity).cloned() else {
        return;
    };
    match b {
        PanelButton::DayMinus => station.date_offset_days -= 1,
        PanelButton::DayPlus => station.date_offset_days += 1,
        PanelButton::Context(c) => station.context = c,
        PanelButton::Scenario(id) => {
            let all: Vec<String> = station
                .content
                .scenarios
                .iter()
                .map(|s| s.id.clone())
                .collect();
            let cfg = &mut station.config;
            if cfg.scenarios.is_empty() {
                cfg.scenarios = all.clone();
            }
            if let Some(i) = cfg.scenarios.iter().position(|s| *s == id) {
                // At least one scenario stays on.
                if cfg.scenarios.len() > 1 {
                    cfg.scenarios.remove(i);
                }
            } else {
                cfg.scenarios.push(id);
            }
            if cfg.scenarios.len() == all.len() {
                cfg.scenarios.clear();
            }
        }
        PanelButton::VolumeDown => station.volume = (station.volume - 0.1).max(0.0),
        PanelButton::VolumeUp => station.volume = (station.volume + 0.1).min(1.0),
        PanelButton::Rehearse => {
            *visitor = Visitor {
                source: Some(Source::Rehearsal),
                ..Visitor::default()
            };
            next.set(Screen::Welcome);
            return;
        }
        PanelButton::Reload => {
            msg.0 = Some(match station.reload() {
                Ok(n) => format!("Scénarios rechargés : {n}."),
                Err(report) => {
                    format!("Erreurs : les scénarios précédents restent en service.\n{report}")
                }
            });
        }
        PanelButton::Export => {
            msg.0 = Some(match crate::app::log::export(&log, &station) {
                Ok(path) => format!("Journal exporté : {}", path.display()),
                Err(e) => format!("Export impossible : {e}"),
            });
        }
        PanelButton::Shutdown => {
            // Shut down safely: what the log holds reaches the disk first.
            if let Some(w) = &log.writer {
                w.flush(Duration::from_secs(3));
            }
            exit.write(AppExit::Success);
            return;
        }
        PanelButton::Close => {
            msg.0 = None;
            next.set(Screen::Attract);
            return;
        }
    }
    for r in &roots {
        commands.entity(r).insert(Dirty);
    }
}

fn rebuild_panel(
    roots: Query<Entity, (With<PanelRoot>, With<Dirty>)>,
    station: Res<Station>,
    counts: Res<Counts>,
    msg: Res<PanelMessage>,
    mut commands: Commands,
) {
    for r in &roots {
        commands
            .entity(r)
            .remove::<Dirty>()
            .despawn_children()
            .with_children(|p| panel_content(p, &station, &counts, &msg));
    }
}

/// How often rehearsal looks at the scenario files.
pub const HOT_RELOAD_EVERY: Duration = Duration::from_secs(2);

/// The newest modification time of the scenario files.
fn newest_file(dir: &std::path::Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml")
                && let Ok(t) = e.metadata().and_then(|m| m.modified())
            {
                newest = newest.max(Some(t));
            }
        }
    }
    newest
}

/// During rehearsal, edited scenario files are validated and reloaded on the fly; on error
/// the last good set stays and the errors go to the panel.
fn hot_reload(
    clock: Res<Clock>,
    visitor: Res<Visitor>,
    mut station: ResMut<Station>,
    mut msg: ResMut<PanelMessage>,
    mut last: Local<(Duration, Option<std::time::SystemTime>)>,
    mut wake: ResMut<crate::app::redraw::Wake>,
) {
    if visitor.source != Some(Source::Rehearsal) {
        last.1 = None;
        return;
    }
    wake.at(last.0 + HOT_RELOAD_EVERY);
    if clock.now < last.0 + HOT_RELOAD_EVERY {
        return;
    }
    last.0 = clock.now;
    let newest = newest_file(&station.content_dir);
    if last.1.is_none() {
        last.1 = newest;
        return;
    }
    if newest > last.1 {
        last.1 = newest;
        msg.0 = Some(match station.reload() {
            Ok(n) => format!("Scénarios rechargés : {n}."),
            Err(report) => {
                format!("Erreurs : les scénarios précédents restent en service.\n{report}")
            }
        });
    }
}
