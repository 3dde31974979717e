//! Idle: after the configured time without a touch, "Tu es toujours là ?" with a countdown;
//! when it ends, the visitor's state is dropped whole and the session logged `idle_timeout`.
//! Narration pauses the timer.

use crate::app::bridge::{Clock, Counts, Station, Visitor};
use crate::app::input::{Pointer, Tappable, Tapped};
use crate::app::redraw::Wake;
use crate::app::screens::Screen;
use crate::app::screens::play::{self, Logged};
use crate::app::sound::Narration;
use crate::app::theme::Layout;
use crate::app::theme::widget;
use crate::app::theme::{palette, size};
use crate::domain::session::Outcome;
use bevy::prelude::*;
use std::time::Duration;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Idle>();
    app.add_systems(
        Update,
        (note_screen_change.run_if(state_changed::<Screen>), watch).chain(),
    );
    app.add_observer(on_still_here);
}

/// The idle clock.
#[derive(Resource, Default, Debug)]
pub struct Idle {
    /// Last activity: a touch, a screen change, or the end of a narration.
    pub last: Duration,
    /// When the warning came up, if it is up.
    pub warned: Option<Duration>,
    /// Visitors dropped by the timeout since start.
    pub resets: u32,
}

#[derive(Component)]
struct IdleOverlay;

#[derive(Component)]
struct IdleCountdown;

fn note_screen_change(clock: Res<Clock>, mut idle: ResMut<Idle>) {
    idle.last = clock.now;
}

fn visitor_screen(s: Screen) -> bool {
    matches!(
        s,
        Screen::Welcome | Screen::Choose | Screen::Play | Screen::Results
    )
}

fn watch(
    layout: Res<Layout>,
    clock: Res<Clock>,
    screen: Res<State<Screen>>,
    pointer: Res<Pointer>,
    narration: Query<&Narration>,
    station: Res<Station>,
    mut visitor: ResMut<Visitor>,
    mut idle: ResMut<Idle>,
    mut counts: ResMut<Counts>,
    mut log: MessageWriter<Logged>,
    mut next: ResMut<NextState<Screen>>,
    overlays: Query<Entity, With<IdleOverlay>>,
    mut countdown: Query<&mut Text, With<IdleCountdown>>,
    mut wake: ResMut<Wake>,
    mut commands: Commands,
) {
    let now = clock.now;
    let narrating = narration.iter().map(|n| n.until).max();
    let last = idle
        .last
        .max(pointer.last_touch)
        .max(narrating.unwrap_or_default());
    if !visitor_screen(*screen.get()) || narrating.is_some_and(|u| u > now) || pointer.busy() {
        idle.warned = None;
        for e in &overlays {
            commands.entity(e).despawn();
        }
        return;
    }
    if let Some(w) = idle.warned
        && last > w
    {
        // Touched during the warning: carry on.
        idle.warned = None;
        for e in &overlays {
            commands.entity(e).despawn();
        }
    }
    let cfg = &station.config;
    let limit = if play::reading(&visitor, &station) {
        cfg.idle_reading_seconds
    } else {
        cfg.idle_seconds
    };
    let due = last + Duration::from_secs(u64::from(limit));
    match idle.warned {
        None if now >= due => {
            idle.warned = Some(now);
            commands.spawn(overlay(&visitor, cfg.idle_countdown_seconds, *layout));
            wake.at(now + Duration::from_secs(1));
        }
        None => wake.at(due),
        Some(w) => {
            let end = w + Duration::from_secs(u64::from(cfg.idle_countdown_seconds));
            if now >= end {
                play::end_session(&mut visitor, Outcome::IdleTimeout, &mut counts, &mut log);
                idle.warned = None;
                idle.resets += 1;
                for e in &overlays {
                    commands.entity(e).despawn();
                }
                next.set(Screen::Attract);
            } else {
                let left = (end - now).as_secs_f32().ceil() as u64;
                for mut t in &mut countdown {
                    let s = left.to_string();
                    if t.0 != s {
                        t.0 = s;
                    }
                }
                wake.at(now + Duration::from_millis(500));
            }
        }
    }
}

fn overlay(v: &Visitor, seconds: u32, l: Layout) -> impl Bundle {
    (
        Name::new("Idle warning"),
        IdleOverlay,
        Tappable,
        widget::Label("Je suis là".into()),
        GlobalZIndex(100),
        Node {
            position_type: PositionType::Absolute,
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Center,
            justify_content: JustifyContent::Center,
            row_gap: l.gap(),
            ..default()
        },
        BackgroundColor(palette::BACKGROUND.with_alpha(0.96)),
        children![
            widget::title(v.say("Tu es toujours là ?", "Are you still there?")),
            (
                widget::text(seconds.to_string(), size::TITLE, palette::WARNING),
                IdleCountdown
            ),
            widget::text(
                v.say(
                    "Touche l'écran pour continuer.",
                    "Touch the screen to carry on."
                ),
                size::BODY,
                palette::TEXT
            ),
        ],
    )
}

fn on_still_here(
    tap: On<Tapped>,
    overlays: Query<(), With<IdleOverlay>>,
    clock: Res<Clock>,
    mut idle: ResMut<Idle>,
    mut commands: Commands,
) {
    if overlays.contains(tap.entity) {
        idle.warned = None;
        idle.last = clock.now;
        commands.entity(tap.entity).despawn();
    }
}
