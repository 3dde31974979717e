//! Simulated input: touches and scanner keystrokes written as winit would write them
//! (each twice: the plain message and its `WindowEvent`). Used by replays and tests.

use crate::domain::config::ScannerLayout;
use crate::media::scanner::{PhysKey, keys_for};
use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy::window::{PrimaryWindow, WindowEvent};

/// Bevy's key code for a physical key.
pub fn key_code(k: PhysKey) -> KeyCode {
    match k {
        PhysKey::Backquote => KeyCode::Backquote,
        PhysKey::Digit1 => KeyCode::Digit1,
        PhysKey::Digit2 => KeyCode::Digit2,
        PhysKey::Digit3 => KeyCode::Digit3,
        PhysKey::Digit4 => KeyCode::Digit4,
        PhysKey::Digit5 => KeyCode::Digit5,
        PhysKey::Digit6 => KeyCode::Digit6,
        PhysKey::Digit7 => KeyCode::Digit7,
        PhysKey::Digit8 => KeyCode::Digit8,
        PhysKey::Digit9 => KeyCode::Digit9,
        PhysKey::Digit0 => KeyCode::Digit0,
        PhysKey::Minus => KeyCode::Minus,
        PhysKey::Equal => KeyCode::Equal,
        PhysKey::KeyQ => KeyCode::KeyQ,
        PhysKey::KeyW => KeyCode::KeyW,
        PhysKey::KeyE => KeyCode::KeyE,
        PhysKey::KeyR => KeyCode::KeyR,
        PhysKey::KeyT => KeyCode::KeyT,
        PhysKey::KeyY => KeyCode::KeyY,
        PhysKey::KeyU => KeyCode::KeyU,
        PhysKey::KeyI => KeyCode::KeyI,
        PhysKey::KeyO => KeyCode::KeyO,
        PhysKey::KeyP => KeyCode::KeyP,
        PhysKey::BracketLeft => KeyCode::BracketLeft,
        PhysKey::BracketRight => KeyCode::BracketRight,
        PhysKey::KeyA => KeyCode::KeyA,
        PhysKey::KeyS => KeyCode::KeyS,
        PhysKey::KeyD => KeyCode::KeyD,
        PhysKey::KeyF => KeyCode::KeyF,
        PhysKey::KeyG => KeyCode::KeyG,
        PhysKey::KeyH => KeyCode::KeyH,
        PhysKey::KeyJ => KeyCode::KeyJ,
        PhysKey::KeyK => KeyCode::KeyK,
        PhysKey::KeyL => KeyCode::KeyL,
        PhysKey::Semicolon => KeyCode::Semicolon,
        PhysKey::Quote => KeyCode::Quote,
        PhysKey::Backslash => KeyCode::Backslash,
        PhysKey::IntlBackslash => KeyCode::IntlBackslash,
        PhysKey::KeyZ => KeyCode::KeyZ,
        PhysKey::KeyX => KeyCode::KeyX,
        PhysKey::KeyC => KeyCode::KeyC,
        PhysKey::KeyV => KeyCode::KeyV,
        PhysKey::KeyB => KeyCode::KeyB,
        PhysKey::KeyN => KeyCode::KeyN,
        PhysKey::KeyM => KeyCode::KeyM,
        PhysKey::Comma => KeyCode::Comma,
        PhysKey::Period => KeyCode::Period,
        PhysKey::Slash => KeyCode::Slash,
        PhysKey::Space => KeyCode::Space,
        PhysKey::Enter => KeyCode::Enter,
        PhysKey::NumpadEnter => KeyCode::NumpadEnter,
        PhysKey::ShiftLeft => KeyCode::ShiftLeft,
        PhysKey::ShiftRight => KeyCode::ShiftRight,
        PhysKey::AltRight => KeyCode::AltRight,
    }
}

fn window(world: &mut World) -> Entity {
    let mut q = world.query_filtered::<Entity, With<PrimaryWindow>>();
    q.iter(world).next().unwrap_or(Entity::PLACEHOLDER)
}

/// Writes one touch event at a logical position.
pub fn touch(world: &mut World, id: u64, phase: TouchPhase, position: Vec2) {
    let window = window(world);
    let t = TouchInput {
        phase,
        position,
        window,
        force: None,
        id,
    };
    world.write_message(t);
    world.write_message(WindowEvent::TouchInput(t));
}

fn key(world: &mut World, window: Entity, k: PhysKey, c: Option<char>, state: ButtonState) {
    let logical_key = match c {
        Some(c) => Key::Character(c.to_string().into()),
        None if matches!(k, PhysKey::Enter | PhysKey::NumpadEnter) => Key::Enter,
        None => Key::Shift,
    };
    let ev = KeyboardInput {
        key_code: key_code(k),
        logical_key,
        state,
        text: c
            .filter(|_| state == ButtonState::Pressed)
            .map(|c| c.to_string().into()),
        repeat: false,
        window,
    };
    world.write_message(ev.clone());
    world.write_message(WindowEvent::KeyboardInput(ev));
}

/// Types `text` then Enter as a USB scanner set to `layout` would: physical keys, in one burst.
/// Characters the layout cannot type are skipped.
pub fn scan(world: &mut World, layout: ScannerLayout, text: &str) {
    let window = window(world);
    for c in text.chars() {
        let Some((k, shift, altgr)) = keys_for(layout, c) else {
            continue;
        };
        if shift {
            key(
                world,
                window,
                PhysKey::ShiftLeft,
                None,
                ButtonState::Pressed,
            );
        }
        if altgr {
            key(world, window, PhysKey::AltRight, None, ButtonState::Pressed);
        }
        key(world, window, k, Some(c), ButtonState::Pressed);
        key(world, window, k, Some(c), ButtonState::Released);
        if altgr {
            key(
                world,
                window,
                PhysKey::AltRight,
                None,
                ButtonState::Released,
            );
        }
        if shift {
            key(
                world,
                window,
                PhysKey::ShiftLeft,
                None,
                ButtonState::Released,
            );
        }
    }
    key(world, window, PhysKey::Enter, None, ButtonState::Pressed);
    key(world, window, PhysKey::Enter, None, ButtonState::Released);
}

/// The centre, in logical pixels, of every visible node with this label.
pub fn find_label(world: &mut World, label: &str) -> Vec<Vec2> {
    let scale = {
        let mut w = world.query_filtered::<&Window, With<PrimaryWindow>>();
        w.iter(world).next().map_or(1.0, Window::scale_factor)
    };
    let mut q = world.query::<(
        &crate::app::theme::widget::Label,
        &ComputedNode,
        &UiGlobalTransform,
        &InheritedVisibility,
    )>();
    q.iter(world)
        .filter(|(l, _, _, v)| l.0 == label && v.get())
        .map(|(_, _, t, _)| t.translation / scale)
        .collect()
}
