//! Look: the warm palette, type sizes, touch sizes, the widgets, how targets react to a
//! finger, and the font with full French coverage. Imports run one way: `widget` uses the
//! other modules here, and none of them uses `widget`.
//!
//! Bevy's built-in font is ASCII-only, so the default font is replaced at start by a system
//! font (`ops::files::FONTS`); no font file is committed.

pub mod interaction;
pub mod palette;
pub mod size;
pub mod widget;

use crate::app::load::{Load, LoadSet};
use bevy::prelude::*;
use std::path::PathBuf;

/// The font file in use, if one was found.
#[derive(Resource, Clone, Debug, Default)]
pub struct FontFile(pub Option<PathBuf>);

/// Marks the root node of a screen.
#[derive(Component, Clone, Copy, Debug, Default)]
pub struct ScreenRoot;

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(ClearColor(palette::BACKGROUND));
    app.init_resource::<Layout>();
    app.add_systems(Load, (load_font, set_layout).in_set(LoadSet::Rest));
    app.add_systems(PreUpdate, fit_to_window);
    app.add_plugins(interaction::plugin);
}

/// Makes the first installed French font the default one.
fn load_font(mut fonts: ResMut<Assets<Font>>, mut commands: Commands) {
    let found = crate::ops::files::find_font(std::path::Path::new("/"));
    match found.as_ref().map(std::fs::read) {
        Some(Ok(bytes)) => {
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
    commands.insert_resource(FontFile(found));
}

/// With `low_reach`, controls start this far down the screen (wheelchair users at tall screens).
pub const LOW_REACH_TOP_VH: f32 = 40.0;
/// With `low_reach`, gaps between targets: smaller, so more rows of controls fit low down,
/// still wide enough that a finger does not hit two.
pub const LOW_REACH_GAP: f32 = 16.0;
/// With `low_reach`, the space under a screen's content.
pub const LOW_REACH_BOTTOM: f32 = 24.0;

/// How screens lay out their content, from the config's `low_reach`: screens read it when
/// they build their nodes. With low reach, every screen's content sits in the lower part
/// of the screen, and screens put their texts before their controls, so the controls come
/// last, at the bottom.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Keep every control in the lower part of the screen (wheelchair users at tall screens).
    pub low_reach: bool,
}

impl Layout {
    /// The gap between targets.
    pub fn gap(self) -> Val {
        px(if self.low_reach {
            LOW_REACH_GAP
        } else {
            size::GAP
        })
    }

    /// Places a screen root's node: with low reach, its content starts
    /// [`LOW_REACH_TOP_VH`] down and ends [`LOW_REACH_BOTTOM`] above the bottom.
    pub fn place_root(self, node: &mut Node) {
        if self.low_reach {
            node.padding.top = Val::Vh(LOW_REACH_TOP_VH);
            node.padding.bottom = px(LOW_REACH_BOTTOM);
            node.justify_content = JustifyContent::FlexEnd;
            node.row_gap = px(LOW_REACH_GAP);
        }
    }

    /// The width of a wrapping row: with low reach, the full width. A wrapping row sized to
    /// its content can be measured one line high and then wrap, spilling its last line onto
    /// the controls below.
    pub fn row_width(self) -> Val {
        if self.low_reach {
            percent(100)
        } else {
            Val::Auto
        }
    }
}

/// The layout in force, from the station's config.
fn set_layout(station: Res<crate::app::bridge::Station>, mut commands: Commands) {
    commands.insert_resource(Layout {
        low_reach: station.config.low_reach,
    });
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
