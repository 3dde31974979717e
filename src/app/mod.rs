//! The touch-screen station: the Bevy app that visitors use.
//!
//! Layout follows `TheBevyFlock/bevy_new_2d`: one `plugin` per file, screens as a `States`
//! enum whose entities are despawned on exit, widgets as functions returning `impl Bundle`.
//! The rules live in `domain`; `bridge` holds the thin resources that carry them here.

pub mod bridge;
pub mod error;
pub mod facilitator;
#[cfg(feature = "harness")]
pub mod harness;
pub mod idle;
pub mod inject;
pub mod input;
pub mod launch;
pub mod load;
pub mod log;
pub mod ops;
pub mod perf;
pub mod picture;
pub mod redraw;
pub mod replay;
pub mod screens;
pub mod sound;
pub mod theme;

use bevy::prelude::*;
use bevy::window::{ExitCondition, WindowResolution};
use std::time::Duration;

pub use launch::Launch;

/// Logical size the station is designed for.
pub const DESIGN_SIZE: (u32, u32) = (1920, 1080);

/// Adds the station's own plugins (everything but Bevy's `DefaultPlugins`).
pub fn plugin(app: &mut App) {
    app.add_plugins((
        load::plugin,
        theme::plugin,
        bridge::plugin,
        log::plugin,
        input::plugin,
        redraw::plugin,
        sound::plugin,
        screens::plugin,
        idle::plugin,
        facilitator::plugin,
        replay::plugin,
        perf::plugin,
        ops::plugin,
    ));
    app.add_systems(Update, close_outside_kiosk);
}

fn window(launch: &Launch) -> Window {
    let (w, h) = launch.size.unwrap_or(DESIGN_SIZE);
    let mut win = Window {
        title: "Le Klub extraordinaire".into(),
        resolution: WindowResolution::new(w, h),
        ..default()
    };
    if launch.kiosk {
        win.mode =
            bevy::window::WindowMode::BorderlessFullscreen(bevy::window::MonitorSelection::Current);
        win.decorations = false;
    }
    win
}

/// The window: a development window, or in kiosk mode borderless full screen with no
/// cursor; closing it never ends the app by itself (see `close_outside_kiosk`).
pub fn window_plugin(launch: &Launch) -> WindowPlugin {
    WindowPlugin {
        primary_window: Some(window(launch)),
        primary_cursor_options: Some(bevy::window::CursorOptions {
            visible: !launch.kiosk,
            ..default()
        }),
        exit_condition: ExitCondition::DontExit,
        close_when_requested: false,
    }
}

/// Runs the station until it is shut down (or a replay ends).
pub fn run(launch: Launch) -> AppExit {
    run_from(launch, perf::Started::now())
}

/// Runs the station, timing start-up from `started` (taken first thing in `main`).
pub fn run_from(launch: Launch, started: perf::Started) -> AppExit {
    let mut app = App::new();
    app.insert_resource(started);
    // Read once: kiosk mode and the text log's folder are needed before the app is built.
    let file = bridge::ConfigFile::read(&launch.config);
    let mut launch = launch;
    launch.kiosk = launch.kiosk_effective(&file.config);
    let log = ops::log_plugin(&mut app, &launch, &file.paths().data);
    app.insert_resource(file);
    app.add_plugins(
        DefaultPlugins
            .set(window_plugin(&launch))
            .set(AssetPlugin {
                file_path: "assets".into(),
                ..default()
            })
            .set(log),
    );
    app.insert_resource(bevy::winit::WinitSettings {
        focused_mode: bevy::winit::UpdateMode::reactive(Duration::from_secs(10)),
        unfocused_mode: bevy::winit::UpdateMode::reactive(Duration::from_secs(10)),
    });
    app.insert_resource(launch);
    app.add_plugins(plugin);
    app.run()
}

/// Closing the window ends a development station; a kiosk ignores it (no way out).
pub fn close_outside_kiosk(
    mut closing: MessageReader<bevy::window::WindowCloseRequested>,
    launch: Res<Launch>,
    mut exit: MessageWriter<AppExit>,
) {
    if closing.read().count() > 0 && !launch.kiosk {
        exit.write(AppExit::Success);
    }
}

/// The station's plugins added last to first: start-up must not depend on their order
/// (a test builds the station this way).
#[cfg(feature = "harness")]
pub fn plugin_reversed(app: &mut App) {
    app.add_plugins((
        ops::plugin,
        perf::plugin,
        replay::plugin,
        facilitator::plugin,
        idle::plugin,
        screens::plugin,
        sound::plugin,
        redraw::plugin,
        input::plugin,
        log::plugin,
        bridge::plugin,
        theme::plugin,
        load::plugin,
    ));
    app.add_systems(Update, close_outside_kiosk);
}

/// A station app with no window system and no GPU, for tests: real `DefaultPlugins`, a
/// virtual primary window of the given size, and time advanced by hand (`step`).
#[cfg(feature = "harness")]
pub fn headless(launch: Launch, size: (u32, u32)) -> App {
    headless_with(launch, size, plugin)
}

/// [`headless`] with the station's plugins given: [`plugin`] or [`plugin_reversed`].
#[cfg(feature = "harness")]
pub fn headless_with(launch: Launch, size: (u32, u32), station: fn(&mut App)) -> App {
    use bevy::app::PluginsState;
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .build()
            .disable::<bevy::winit::WinitPlugin>()
            .disable::<bevy::log::LogPlugin>()
            .disable::<bevy::audio::AudioPlugin>()
            .set(bevy::render::RenderPlugin {
                render_creation: bevy::render::settings::WgpuSettings {
                    backends: None,
                    ..default()
                }
                .into(),
                ..default()
            })
            .set(WindowPlugin {
                primary_window: Some(Window {
                    resolution: WindowResolution::new(size.0, size.1),
                    ..default()
                }),
                exit_condition: ExitCondition::DontExit,
                close_when_requested: false,
                ..default()
            }),
    );
    // Without the audio plugin, sound assets still need a home.
    app.init_asset::<bevy::audio::AudioSource>();
    app.insert_resource(bevy::time::TimeUpdateStrategy::ManualDuration(
        Duration::from_millis(50),
    ));
    app.insert_resource(launch);
    app.add_plugins(station);
    while app.plugins_state() == PluginsState::Adding {
        bevy::tasks::tick_global_task_pools_on_main_thread();
    }
    app.finish();
    app.cleanup();
    app
}
