//! Touch as on real hardware: one finger at a time, pressed state on touch-down, action on
//! release inside the target, a guard after every screen change, and no hover.
//!
//! Bevy's `Interaction` prefers the window's cursor position to the touch position, so the
//! station does not use it: it hit-tests the touch position itself against `Tappable` nodes.
//! The mouse acts like a finger only while its button is down, so a stray pointer does nothing.

use crate::app::bridge::Clock;
use bevy::input::ButtonState;
use bevy::input::mouse::MouseButtonInput;
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::platform::collections::HashSet;
use bevy::prelude::*;
use bevy::ui::ComputedStackIndex;
use std::time::Duration;

/// Input is ignored for this long after a screen change.
pub const GUARD: Duration = Duration::from_millis(350);
/// A finger that moves further than this is dragging, not tapping.
pub const DRAG_THRESHOLD: f32 = 24.0;
/// A touch that has not moved or ended for this long is released.
pub const STUCK: Duration = Duration::from_secs(20);
/// This many fingers at once is a palm: everything under way is cancelled.
pub const PALM_FINGERS: usize = 3;
/// The hidden facilitator gesture: a long press in the top-left corner.
pub const CORNER: f32 = 110.0;
/// How long the corner must be held.
pub const CORNER_HOLD: Duration = Duration::from_secs(3);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Pointer>();
    app.add_systems(
        PreUpdate,
        (read_pointer, release_stuck, corner_hold)
            .chain()
            .after(bevy::input::InputSystems),
    );
}

/// A node that reacts to a tap.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Tappable;

/// A node that can be dragged (sort items, the panorama).
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct Draggable;

/// A node something can be dropped on.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct DropZone;

/// Marks the node under the active finger.
#[derive(Component, Clone, Copy, Debug)]
pub struct Pressed;

/// A tap: released inside the node it started on.
#[derive(EntityEvent, Clone, Copy, Debug)]
pub struct Tapped {
    /// The node.
    pub entity: Entity,
    /// Where, in logical window pixels.
    pub pos: Vec2,
    /// Where, in physical pixels (the UI's own coordinates).
    pub physical: Vec2,
}

/// A drag moved.
#[derive(EntityEvent, Clone, Copy, Debug)]
pub struct DragMoved {
    /// The dragged node.
    pub entity: Entity,
    /// Movement since the last one, in logical pixels.
    pub delta: Vec2,
    /// Movement since the start.
    pub total: Vec2,
}

/// A drag ended.
#[derive(EntityEvent, Clone, Copy, Debug)]
pub struct Dropped {
    /// The dragged node.
    pub entity: Entity,
    /// The drop zone under the finger, if any.
    pub on: Option<Entity>,
}

/// The hidden facilitator gesture was made.
#[derive(Event, Clone, Copy, Debug)]
pub struct SecretGesture;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Finger {
    Touch(u64),
    Mouse,
}

#[derive(Clone, Copy, Debug)]
struct Active {
    finger: Finger,
    start: Vec2,
    pos: Vec2,
    since: Duration,
    last_event: Duration,
    target: Option<Entity>,
    dragging: bool,
    corner_fired: bool,
}

/// The one finger the station listens to, and the guard after screen changes.
#[derive(Resource, Default, Debug)]
pub struct Pointer {
    active: Option<Active>,
    down: HashSet<u64>,
    guard_until: Duration,
    /// Last time anything touched the screen, for the idle timer.
    pub last_touch: Duration,
}

impl Pointer {
    /// Ignores input for `GUARD` from `now`, and forgets the finger under way.
    pub fn arm_guard(&mut self, now: Duration) {
        self.guard_until = now + GUARD;
        self.active = None;
    }

    /// Whether input is being ignored.
    pub fn guarded(&self, now: Duration) -> bool {
        now < self.guard_until
    }

    /// Whether a finger is down on a target.
    pub fn busy(&self) -> bool {
        self.active.is_some()
    }
}

type Targets<'w, 's> = Query<
    'w,
    's,
    (
        Entity,
        &'static ComputedNode,
        &'static UiGlobalTransform,
        &'static InheritedVisibility,
        &'static ComputedStackIndex,
        Has<Tappable>,
        Has<Draggable>,
        Has<DropZone>,
    ),
>;

/// Hit-tests a point in physical pixels (input is logical: multiply by the window's scale).
fn hit(targets: &Targets, p: Vec2, want: fn(bool, bool, bool) -> bool) -> Option<Entity> {
    targets
        .iter()
        .filter(|(_, _, _, vis, _, t, d, z)| vis.get() && want(*t, *d, *z))
        .filter(|(_, node, tf, ..)| node.contains_point(**tf, p))
        .max_by_key(|(_, _, _, _, stack, ..)| stack.0)
        .map(|(e, ..)| e)
}

fn contains(targets: &Targets, e: Entity, p: Vec2) -> bool {
    targets
        .get(e)
        .is_ok_and(|(_, node, tf, vis, ..)| vis.get() && node.contains_point(*tf, p))
}

enum Phase {
    Down,
    Move,
    Up,
    Cancel,
}

fn read_pointer(
    mut touches: MessageReader<TouchInput>,
    mut buttons: MessageReader<MouseButtonInput>,
    mut cursor: MessageReader<CursorMoved>,
    windows: Query<&Window>,
    clock: Res<Clock>,
    mut pointer: ResMut<Pointer>,
    targets: Targets,
    mut commands: Commands,
) {
    let now = clock.now;
    let scale = windows.iter().next().map_or(1.0, Window::scale_factor);
    let mut inputs: Vec<(Finger, Phase, Vec2)> = vec![];
    for t in touches.read() {
        let phase = match t.phase {
            TouchPhase::Started => Phase::Down,
            TouchPhase::Moved => Phase::Move,
            TouchPhase::Ended => Phase::Up,
            TouchPhase::Canceled => Phase::Cancel,
        };
        inputs.push((Finger::Touch(t.id), phase, t.position));
    }
    let mouse_down = pointer.active.is_some_and(|a| a.finger == Finger::Mouse);
    for c in cursor.read() {
        if mouse_down {
            inputs.push((Finger::Mouse, Phase::Move, c.position));
        }
    }
    for b in buttons.read() {
        if b.button != MouseButton::Left {
            continue;
        }
        let Some(pos) = windows.get(b.window).ok().and_then(Window::cursor_position) else {
            continue;
        };
        let phase = match b.state {
            ButtonState::Pressed => Phase::Down,
            ButtonState::Released => Phase::Up,
        };
        inputs.push((Finger::Mouse, phase, pos));
    }
    for (finger, phase, pos) in inputs {
        let phys = pos * scale;
        pointer.last_touch = now;
        if let Finger::Touch(id) = finger {
            match phase {
                Phase::Down => {
                    pointer.down.insert(id);
                }
                Phase::Up | Phase::Cancel => {
                    pointer.down.remove(&id);
                }
                Phase::Move => {}
            }
        }
        if pointer.down.len() >= PALM_FINGERS {
            release(&mut pointer, &mut commands);
            continue;
        }
        let same = pointer.active.is_some_and(|a| a.finger == finger);
        match phase {
            Phase::Down => {
                // Extra fingers are ignored, and so is everything during the guard.
                if pointer.active.is_some() || pointer.guarded(now) {
                    continue;
                }
                let target = hit(&targets, phys, |t, d, _| t || d);
                if let Some(e) = target {
                    commands.entity(e).try_insert(Pressed);
                }
                pointer.active = Some(Active {
                    finger,
                    start: pos,
                    pos,
                    since: now,
                    last_event: now,
                    target,
                    dragging: false,
                    corner_fired: false,
                });
            }
            Phase::Move if same => {
                let Some(a) = pointer.active.as_mut() else {
                    continue;
                };
                let delta = pos - a.pos;
                a.pos = pos;
                a.last_event = now;
                let Some(e) = a.target else { continue };
                let draggable = targets.get(e).is_ok_and(|t| t.6);
                if draggable && (a.dragging || pos.distance(a.start) > DRAG_THRESHOLD) {
                    a.dragging = true;
                    let total = pos - a.start;
                    commands.trigger(DragMoved {
                        entity: e,
                        delta,
                        total,
                    });
                } else if !draggable {
                    // Sliding off a button shows it is no longer pressed.
                    if contains(&targets, e, phys) {
                        commands.entity(e).try_insert(Pressed);
                    } else {
                        commands.entity(e).try_remove::<Pressed>();
                    }
                }
            }
            Phase::Up if same => {
                let Some(a) = pointer.active.take() else {
                    continue;
                };
                let Some(e) = a.target else { continue };
                commands.entity(e).try_remove::<Pressed>();
                if pointer.guarded(now) {
                    continue;
                }
                if a.dragging {
                    let on = hit(&targets, phys, |_, _, z| z);
                    commands.trigger(Dropped { entity: e, on });
                } else if contains(&targets, e, phys) {
                    commands.trigger(Tapped {
                        entity: e,
                        pos,
                        physical: phys,
                    });
                }
            }
            Phase::Cancel if same => release(&mut pointer, &mut commands),
            _ => {}
        }
    }
}

fn release(pointer: &mut Pointer, commands: &mut Commands) {
    if let Some(a) = pointer.active.take()
        && let Some(e) = a.target
    {
        commands.entity(e).try_remove::<Pressed>();
    }
}

/// A finger that never lifts (a sticker, a broken contact) is let go.
fn release_stuck(clock: Res<Clock>, mut pointer: ResMut<Pointer>, mut commands: Commands) {
    if pointer
        .active
        .is_some_and(|a| clock.now.saturating_sub(a.last_event) > STUCK)
    {
        release(&mut pointer, &mut commands);
        pointer.down.clear();
    }
}

fn corner_hold(clock: Res<Clock>, mut pointer: ResMut<Pointer>, mut commands: Commands) {
    let Some(a) = pointer.active.as_mut() else {
        return;
    };
    let in_corner = |p: Vec2| p.x < CORNER && p.y < CORNER;
    if !a.corner_fired
        && in_corner(a.start)
        && in_corner(a.pos)
        && clock.now.saturating_sub(a.since) >= CORNER_HOLD
    {
        a.corner_fired = true;
        let target = a.target;
        pointer.active = None;
        if let Some(e) = target {
            commands.entity(e).try_remove::<Pressed>();
        }
        commands.trigger(SecretGesture);
    }
}

/// Whether the corner is being held (so the frame loop keeps waking up).
pub fn holding(pointer: &Pointer) -> bool {
    pointer.active.is_some()
}
