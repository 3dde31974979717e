//! Colours. Every text/background pair used is checked for WCAG AA in the tests.

use bevy::prelude::Color;

/// Deep warm brown, the cabinet's wood.
pub const BACKGROUND: Color = Color::srgb(0.165, 0.102, 0.078);
/// Panels on the background.
pub const PANEL: Color = Color::srgb(0.243, 0.157, 0.118);
/// Body text: cream.
pub const TEXT: Color = Color::srgb(1.0, 0.957, 0.878);
/// Quieter text on the background.
pub const TEXT_SOFT: Color = Color::srgb(0.918, 0.82, 0.69);
/// Main buttons: ochre.
pub const BUTTON: Color = Color::srgb(0.949, 0.698, 0.298);
/// Text on main buttons.
pub const BUTTON_TEXT: Color = Color::srgb(0.165, 0.102, 0.078);
/// A button under the finger.
pub const PRESSED: Color = Color::srgb(0.78, 0.52, 0.16);
/// Quiet buttons (back, skip, volume).
pub const QUIET: Color = Color::srgb(0.353, 0.227, 0.18);
/// Text on quiet buttons.
pub const QUIET_TEXT: Color = Color::srgb(1.0, 0.957, 0.878);
/// A quiet button under the finger.
pub const QUIET_PRESSED: Color = Color::srgb(0.49, 0.33, 0.26);
/// Something picked (multi answers, selected sort item).
pub const SELECTED: Color = Color::srgb(0.122, 0.435, 0.408);
/// Text on picked things.
pub const SELECTED_TEXT: Color = Color::srgb(1.0, 0.957, 0.878);
/// Accents in the art: teal, coral, plum, leaf.
pub const ART: [Color; 4] = [
    Color::srgb(0.18, 0.55, 0.51),
    Color::srgb(0.91, 0.45, 0.36),
    Color::srgb(0.55, 0.3, 0.52),
    Color::srgb(0.52, 0.66, 0.29),
];
/// Warnings for the facilitator.
pub const WARNING: Color = Color::srgb(0.98, 0.78, 0.55);

/// Pairs of (text, background) shown on screen, for the contrast test.
pub const PAIRS: &[(Color, Color)] = &[
    (TEXT, BACKGROUND),
    (TEXT, PANEL),
    (TEXT_SOFT, BACKGROUND),
    (TEXT_SOFT, PANEL),
    (BUTTON_TEXT, BUTTON),
    (BUTTON_TEXT, PRESSED),
    (QUIET_TEXT, QUIET),
    (QUIET_TEXT, QUIET_PRESSED),
    (SELECTED_TEXT, SELECTED),
    (WARNING, BACKGROUND),
];

/// WCAG contrast ratio of two colours.
pub fn contrast(a: Color, b: Color) -> f32 {
    fn lum(c: Color) -> f32 {
        let s = c.to_srgba();
        let ch = |v: f32| {
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(s.red) + 0.7152 * ch(s.green) + 0.0722 * ch(s.blue)
    }
    let (la, lb) = (lum(a), lum(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}
