//! How targets react to a finger: the colour under it and at rest. The station's own
//! hit-testing (`input`) marks the node under the finger [`Pressed`].

use crate::app::input::Pressed;
use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(PostUpdate, paint);
}

/// A target's colours: at rest and under the finger.
#[derive(Component, Clone, Copy, Debug)]
pub struct Look {
    /// At rest.
    pub normal: Color,
    /// Under the finger.
    pub pressed: Color,
}

fn paint(
    mut q: Query<(&Look, Has<Pressed>, &mut BackgroundColor)>,
    changed: Query<(), Or<(Changed<Look>, Added<Pressed>)>>,
    mut removed: RemovedComponents<Pressed>,
    mut dirty: Local<Vec<Entity>>,
    all: Query<Entity, With<Look>>,
) {
    dirty.clear();
    dirty.extend(removed.read());
    for e in &all {
        if changed.contains(e) {
            dirty.push(e);
        }
    }
    for e in dirty.drain(..) {
        if let Ok((look, pressed, mut bg)) = q.get_mut(e) {
            bg.0 = if pressed { look.pressed } else { look.normal };
        }
    }
}
