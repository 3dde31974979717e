//! Start-up: the station reads its files in the [`Load`] schedule, which runs once before
//! every other start-up schedule (even the first screen's `OnEnter`), in the order of
//! [`LoadSet`]. Plugins only register systems and resources without I/O, so they can be
//! added in any order.

use bevy::app::MainScheduleOrder;
use bevy::ecs::schedule::ScheduleLabel;
use bevy::prelude::*;

/// The start-up schedule that reads the config, the scenarios, the log and the day's state.
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Load;

/// The order of [`Load`]: each step reads what the one before put in the world.
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadSet {
    /// The config file and the scenarios ([`crate::app::bridge::Station`]).
    Station,
    /// The visit log ([`crate::app::log::VisitLog`]), in the station's data folder.
    Log,
    /// Whatever needs the station and its log: the day's settings, backups, the font.
    Rest,
}

pub(super) fn plugin(app: &mut App) {
    app.init_schedule(Load);
    app.configure_sets(
        Load,
        (LoadSet::Station, LoadSet::Log, LoadSet::Rest).chain(),
    );
    let mut order = app.world_mut().resource_mut::<MainScheduleOrder>();
    let load = Load.intern();
    if !order.startup_labels.contains(&load) {
        // First of all: the states plugin runs the first screen's `OnEnter` before `PreStartup`.
        order.startup_labels.insert(0, load);
    }
}
