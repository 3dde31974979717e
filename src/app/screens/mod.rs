//! The screens a visitor goes through, as a `States` enum; each screen is one file.

pub mod attract;
pub mod choose;
pub mod play;
pub mod results;
pub mod thanks;
pub mod warning;
pub mod welcome;

use crate::app::bridge::{Clock, Station};
use crate::app::input::Pointer;
use bevy::prelude::*;

/// Where the station is.
#[derive(States, Copy, Clone, Eq, PartialEq, Hash, Debug, Default)]
pub enum Screen {
    /// Shown to the facilitator when the config or the scenarios are bad.
    Warning,
    /// The attract loop.
    #[default]
    Attract,
    /// Language, reading options, situation.
    Welcome,
    /// Scenario choice and pass scan.
    Choose,
    /// The scenario player.
    Play,
    /// Strengths, trades, QR.
    Results,
    /// Thank you.
    Thanks,
    /// Facilitator PIN.
    Pin,
    /// Facilitator panel.
    Facilitator,
}

pub(super) fn plugin(app: &mut App) {
    app.init_state::<Screen>();
    app.add_systems(Startup, (spawn_camera, start_screen));
    app.add_systems(Update, arm_guard.run_if(state_changed::<Screen>));
    app.add_plugins((
        attract::plugin,
        welcome::plugin,
        choose::plugin,
        play::plugin,
        results::plugin,
        thanks::plugin,
        warning::plugin,
    ));
}

fn spawn_camera(mut commands: Commands) {
    // No multisampling: the UI draws its own smooth edges, and a 4× multisampled 1080p
    // target costs about 33 MB and a resolve pass every frame (a software renderer feels both).
    commands.spawn((Name::new("Camera"), Camera2d, bevy::render::view::Msaa::Off));
}

fn start_screen(station: Res<Station>, mut next: ResMut<NextState<Screen>>) {
    if station.warning.is_some() {
        next.set(Screen::Warning);
    }
}

/// A screen change ignores input for a moment, so a lifting finger answers nothing.
pub fn arm_guard(clock: Res<Clock>, mut pointer: ResMut<Pointer>) {
    pointer.arm_guard(clock.now);
}
