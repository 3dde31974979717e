//! Widgets: plain functions returning `impl Bundle`, composed by screens with `children![…]`.

use crate::app::input::Tappable;
use crate::app::theme::interaction::Look;
use crate::app::theme::{Layout, ScreenRoot, palette, size};
use bevy::prelude::*;

/// The words on a target, so replays and tests can find it by label.
#[derive(Component, Clone, Debug, PartialEq, Eq)]
pub struct Label(pub String);

/// A full-screen column that holds a screen's content, despawned when the screen exits.
pub fn root<S: States>(screen: S, layout: Layout) -> impl Bundle {
    let mut node = Node {
        width: percent(100),
        height: percent(100),
        flex_direction: FlexDirection::Column,
        align_items: AlignItems::Center,
        justify_content: JustifyContent::Center,
        row_gap: layout.gap(),
        padding: UiRect::all(px(48)),
        ..default()
    };
    layout.place_root(&mut node);
    (
        Name::new("Screen root"),
        ScreenRoot,
        DespawnOnExit(screen),
        node,
    )
}

/// Text of a given size and colour, centred and wrapping.
pub fn text(s: impl Into<String>, px_size: f32, color: Color) -> impl Bundle {
    (
        Text::new(s),
        TextFont {
            font_size: FontSize::Px(px_size),
            ..default()
        },
        TextColor(color),
        TextLayout::justify(Justify::Center),
    )
}

/// A big title.
pub fn title(s: impl Into<String>) -> impl Bundle {
    text(s, size::TITLE, palette::TEXT)
}

/// A step question or screen heading.
pub fn heading(s: impl Into<String>) -> impl Bundle {
    (
        text(s, size::HEADING, palette::TEXT),
        Node {
            max_width: px(1500),
            ..default()
        },
    )
}

/// Body text.
pub fn body(s: impl Into<String>) -> impl Bundle {
    (
        text(s, size::BODY, palette::TEXT_SOFT),
        Node {
            max_width: px(1500),
            ..default()
        },
    )
}

fn target(label: &str, bg: Color, pressed: Color, fg: Color, min_width: f32) -> impl Bundle {
    target_shown(label, label, bg, pressed, fg, min_width)
}

fn target_shown(
    shown: &str,
    label: &str,
    bg: Color,
    pressed: Color,
    fg: Color,
    min_width: f32,
) -> impl Bundle {
    (
        Name::new(format!("Button {label}")),
        Label(label.to_owned()),
        Tappable,
        Look {
            normal: bg,
            pressed,
        },
        BackgroundColor(bg),
        Node {
            min_width: px(min_width),
            min_height: px(size::TARGET),
            padding: UiRect::axes(px(36), px(16)),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(px(size::RADIUS)),
            ..default()
        },
        children![text(shown.to_owned(), size::BODY, fg)],
    )
}

/// A main button: ochre, dark text.
pub fn button(label: &str) -> impl Bundle {
    target(
        label,
        palette::BUTTON,
        palette::PRESSED,
        palette::BUTTON_TEXT,
        240.0,
    )
}

/// A quiet button for back, skip, volume.
pub fn quiet_button(label: &str) -> impl Bundle {
    target(
        label,
        palette::QUIET,
        palette::QUIET_PRESSED,
        palette::QUIET_TEXT,
        size::TARGET,
    )
}

/// A quiet button showing a symbol, found by replays under `label`.
pub fn icon_button(shown: &str, label: &str) -> impl Bundle {
    target_shown(
        shown,
        label,
        palette::QUIET,
        palette::QUIET_PRESSED,
        palette::QUIET_TEXT,
        size::TARGET,
    )
}

/// A button showing whether it is picked.
pub fn toggle(label: &str, on: bool) -> impl Bundle {
    let bg = if on {
        palette::SELECTED
    } else {
        palette::QUIET
    };
    target(
        label,
        bg,
        palette::QUIET_PRESSED,
        palette::QUIET_TEXT,
        240.0,
    )
}

/// A row that wraps.
pub fn row(layout: Layout) -> impl Bundle {
    Node {
        width: layout.row_width(),
        flex_direction: FlexDirection::Row,
        flex_wrap: FlexWrap::Wrap,
        justify_content: JustifyContent::Center,
        align_items: AlignItems::Center,
        column_gap: layout.gap(),
        row_gap: layout.gap(),
        ..default()
    }
}

/// A column.
pub fn column(layout: Layout) -> impl Bundle {
    Node {
        flex_direction: FlexDirection::Column,
        justify_content: JustifyContent::Center,
        align_items: AlignItems::Center,
        row_gap: layout.gap(),
        ..default()
    }
}

/// A toggle showing other words than its label (a position number, say).
pub fn toggle_shown(shown: &str, label: &str, on: bool) -> impl Bundle {
    let bg = if on {
        palette::SELECTED
    } else {
        palette::QUIET
    };
    target_shown(
        shown,
        label,
        bg,
        palette::QUIET_PRESSED,
        palette::QUIET_TEXT,
        240.0,
    )
}

/// The colour to show for a toggle's state.
pub fn toggle_look(on: bool) -> Look {
    Look {
        normal: if on {
            palette::SELECTED
        } else {
            palette::QUIET
        },
        pressed: palette::QUIET_PRESSED,
    }
}
