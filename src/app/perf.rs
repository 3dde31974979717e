//! Start-up timing: the station logs how long it took from the start of the process to
//! its first interactive frame (the attract screen drawn and listening).

use crate::app::screens::Screen;
use bevy::diagnostic::FrameCount;
use bevy::prelude::*;
use std::time::{Duration, Instant};

pub(super) fn plugin(app: &mut App) {
    if !app.world().contains_resource::<Started>() {
        app.insert_resource(Started {
            at: Instant::now(),
            first_screen_frame: None,
            interactive_after: None,
        });
    }
    app.add_systems(Last, first_interactive_frame);
}

/// When the process started, and when the station became interactive.
#[derive(Resource, Debug, Clone, Copy)]
pub struct Started {
    /// Process start (as early in `main` as possible).
    pub at: Instant,
    /// The frame the first screen was spawned in.
    pub first_screen_frame: Option<u32>,
    /// Time from start to the first interactive frame, once known.
    pub interactive_after: Option<Duration>,
}

impl Started {
    /// Starts the clock now.
    pub fn now() -> Started {
        Started {
            at: Instant::now(),
            first_screen_frame: None,
            interactive_after: None,
        }
    }
}

/// Notes the first interactive frame (`app::ops` sends systemd's `READY=1` right after).
pub(crate) fn first_interactive_frame(
    mut started: ResMut<Started>,
    frames: Res<FrameCount>,
    screen: Option<Res<State<Screen>>>,
    mut wake: ResMut<crate::app::redraw::Wake>,
) {
    if started.interactive_after.is_some() || screen.is_none() {
        return;
    }
    let first = *started.first_screen_frame.get_or_insert(frames.0);
    // The frame after the screen is spawned has been rendered and presented.
    if frames.0 >= first + 2 {
        let d = started.at.elapsed();
        started.interactive_after = Some(d);
        info!(
            "première image interactive après {} ms / first interactive frame after {} ms",
            d.as_millis(),
            d.as_millis()
        );
    } else {
        wake.animate();
    }
}
