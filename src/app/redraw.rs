//! Reactive frames: the station draws only when something changes, and wakes up in time for
//! its next deadline (attract slide, idle warning, countdown). An idle attract loop then
//! costs almost nothing.
//!
//! Screens redraw one way: [`mark`] a root [`Dirty`], and the screen's rebuild system calls
//! [`rebuild`] on it, which replaces the root's children. A change that only turns a
//! toggle on or off updates the toggle in place instead.

use crate::app::bridge::Clock;
use bevy::prelude::*;
use bevy::window::RequestRedraw;
use std::time::Duration;

/// The longest sleep between frames.
pub const MAX_SLEEP: Duration = Duration::from_secs(10);
/// Frame pace while something moves (a transition, a finger down).
pub const ANIMATION: Duration = Duration::from_millis(33);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Wake>();
    app.init_resource::<SleepCap>();
    app.add_systems(Last, schedule);
}

/// The next time the station must draw. Systems lower it; it is reset every frame.
#[derive(Resource, Debug, Default)]
pub struct Wake {
    at: Option<Duration>,
    animating: bool,
}

impl Wake {
    /// Asks for a frame at `t` (station time) at the latest.
    pub fn at(&mut self, t: Duration) {
        self.at = Some(self.at.map_or(t, |a| a.min(t)));
    }

    /// Asks for frames at animation pace until the next reset.
    pub fn animate(&mut self) {
        self.animating = true;
    }
}

/// The longest sleep in force: [`MAX_SLEEP`], or less when the systemd watchdog needs
/// pings more often (set by `app::ops`).
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SleepCap(pub Duration);

impl Default for SleepCap {
    fn default() -> Self {
        SleepCap(MAX_SLEEP)
    }
}

/// Sets winit's sleep for the next deadline.
pub(crate) fn schedule(
    clock: Res<Clock>,
    cap: Res<SleepCap>,
    mut wake: ResMut<Wake>,
    settings: Option<ResMut<bevy::winit::WinitSettings>>,
    mut redraw: MessageWriter<RequestRedraw>,
    mut planned: Local<Option<Duration>>,
) {
    // Winit redraws whenever the update mode changes, so the mode is only changed when the
    // deadline itself moves, not every frame as the time left shrinks.
    let wait = if wake.animating {
        redraw.write(RequestRedraw);
        *planned = None;
        Some(ANIMATION)
    } else {
        let target = wake.at.unwrap_or(clock.now + cap.0).min(clock.now + cap.0);
        let moved = planned
            .is_none_or(|p| p.abs_diff(target) > Duration::from_millis(100) || p <= clock.now);
        moved.then(|| {
            *planned = Some(target);
            target
                .saturating_sub(clock.now)
                .max(Duration::from_millis(10))
        })
    };
    if let (Some(wait), Some(mut s)) = (wait, settings) {
        let mode = bevy::winit::UpdateMode::reactive(wait);
        if s.focused_mode != mode {
            s.focused_mode = mode;
            s.unfocused_mode = mode;
        }
    }
    *wake = Wake::default();
}

/// A screen root whose content must be built again (one marker for every screen; each
/// screen's rebuild system also filters on its own root component).
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Dirty;

/// Asks for the content of `roots` to be built again.
pub fn mark(commands: &mut Commands, roots: impl IntoIterator<Item = Entity>) {
    for r in roots {
        commands.entity(r).insert(Dirty);
    }
}

/// Replaces the children of `root` by what `content` builds, and clears its [`Dirty`] mark.
pub fn rebuild(
    commands: &mut Commands,
    root: Entity,
    content: impl FnOnce(&mut ChildSpawnerCommands),
) {
    commands
        .entity(root)
        .remove::<Dirty>()
        .despawn_children()
        .with_children(content);
}
