//! Look: the warm palette, type sizes, touch sizes and the font with full French coverage.
//!
//! Bevy's built-in font is ASCII-only, so the default font is replaced at start by a system
//! font (Debian `fonts-dejavu-core` or `fonts-noto-core`); no font file is committed.

use bevy::prelude::*;
use std::path::PathBuf;

/// Fonts tried in order; the first that exists becomes the default font.
pub const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.ttf",
];

/// The font file in use, if one was found.
#[derive(Resource, Clone, Debug, Default)]
pub struct FontFile(pub Option<PathBuf>);

/// The first installed font of `FONT_CANDIDATES`.
pub fn find_font() -> Option<PathBuf> {
    FONT_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

pub(super) fn plugin(app: &mut App) {
    let found = find_font();
    match found.as_ref().map(std::fs::read) {
        Some(Ok(bytes)) => {
            let mut fonts = app.world_mut().resource_mut::<Assets<Font>>();
            // Replacing the default handle's font makes every `Text` use it.
            if fonts
                .insert(AssetId::default(), Font::from_bytes(bytes))
                .is_err()
            {
                error!("police : remplacement impossible / font: cannot replace the default");
            }
        }
        _ => error!(
            "aucune police française trouvée (installez fonts-dejavu-core) / no French font found (install fonts-dejavu-core)"
        ),
    }
    app.insert_resource(FontFile(found));
    app.insert_resource(ClearColor(palette::BACKGROUND));
    app.add_systems(PreUpdate, fit_to_window);
    app.add_systems(PostUpdate, low_reach.before(bevy::ui::UiSystems::Layout));
}

/// With `low_reach`, controls start this far down the screen (wheelchair users at tall screens).
pub const LOW_REACH_TOP_VH: f32 = 40.0;
/// With `low_reach`, gaps between targets: smaller, so more rows of controls fit low down,
/// still wide enough that a finger does not hit two.
pub const LOW_REACH_GAP: f32 = 16.0;
/// With `low_reach`, the space under a screen's content.
pub const LOW_REACH_BOTTOM: f32 = 24.0;

/// Keeps every screen's content in the lower part of the screen when the config asks.
/// Screens also put their texts before their controls then, so the controls come last,
/// at the bottom.
fn low_reach(
    station: Res<crate::app::bridge::Station>,
    mut roots: Query<&mut Node, Added<crate::app::widget::ScreenRoot>>,
    mut nodes: Query<&mut Node, (Added<Node>, Without<crate::app::widget::ScreenRoot>)>,
) {
    if !station.config.low_reach {
        return;
    }
    for mut n in &mut roots {
        n.padding.top = Val::Vh(LOW_REACH_TOP_VH);
        n.padding.bottom = px(LOW_REACH_BOTTOM);
        n.justify_content = JustifyContent::FlexEnd;
        n.row_gap = px(LOW_REACH_GAP);
    }
    for mut n in &mut nodes {
        if n.row_gap == px(size::GAP) {
            n.row_gap = px(LOW_REACH_GAP);
        }
        if n.column_gap == px(size::GAP) {
            n.column_gap = px(LOW_REACH_GAP);
        }
        // A wrapping row sized to its content can be measured one line high and then
        // wrap, spilling its last line onto the controls below; full width avoids it.
        if n.flex_wrap == FlexWrap::Wrap && n.width == Val::Auto {
            n.width = percent(100);
        }
    }
}

/// Smallest UI scale: below it, text and targets would get too small to use.
pub const MIN_SCALE: f32 = 0.7;

/// The UI scale for a window: 1 at 1920×1080 and above; smaller screens (1366×768, or
/// 1080×1920 portrait) get the same layout, scaled down, never below `MIN_SCALE`.
pub fn scale_for(width: f32, height: f32) -> f32 {
    (width / 1920.0).min(height / 1080.0).clamp(MIN_SCALE, 1.0)
}

fn fit_to_window(windows: Query<&Window, Changed<Window>>, mut scale: ResMut<UiScale>) {
    if let Some(w) = windows.iter().next() {
        let s = scale_for(w.width(), w.height());
        if (scale.0 - s).abs() > 1e-3 {
            scale.0 = s;
        }
    }
}

/// Colours. Every text/background pair used is checked for WCAG AA in the tests.
pub mod palette {
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
}

/// Type sizes in logical pixels at 1080p; body text is never under 32 px.
pub mod size {
    /// Big titles.
    pub const TITLE: f32 = 72.0;
    /// Step questions.
    pub const HEADING: f32 = 48.0;
    /// Body and button text.
    pub const BODY: f32 = 36.0;
    /// The smallest text on screen.
    pub const SMALL: f32 = 32.0;
    /// Smallest side of any touch target.
    pub const TARGET: f32 = 96.0;
    /// Gap between targets, so a finger does not hit two.
    pub const GAP: f32 = 24.0;
    /// Rounded corners.
    pub const RADIUS: f32 = 24.0;

    // Checked at build time: 32 px body text, 80 px targets at 1080p.
    const _: () = assert!(SMALL >= 32.0 && TARGET >= 80.0);
}
