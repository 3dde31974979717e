//! The facilitator's warning screen: the config or the scenarios have errors, shown with
//! file, line and column; the station runs on built-in defaults meanwhile.

use crate::app::bridge::Station;
use crate::app::input::Tapped;
use crate::app::screens::Screen;
use crate::app::theme::Layout;
use crate::app::theme::widget;
use crate::app::theme::{palette, size};
use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Warning), spawn);
    app.add_observer(on_warning_tap);
}

#[derive(Component)]
struct Continue;

/// Longest part of the report shown; the rest is in `klub validate`.
const MAX_LINES: usize = 16;

fn spawn(layout: Res<Layout>, mut commands: Commands, station: Res<Station>) {
    let l = *layout;
    let report = station.warning.clone().unwrap_or_default();
    let shown: Vec<&str> = report.lines().take(MAX_LINES).collect();
    commands.spawn((
        widget::root(Screen::Warning, l),
        children![
            widget::heading("Attention, animateur : la configuration a des erreurs"),
            widget::body("La borne fonctionne avec les réglages par défaut. Corrigez le fichier puis relancez (détails : klub validate)."),
            (
                widget::text(shown.join("\n"), size::SMALL, palette::WARNING),
                Node {
                    padding: UiRect::all(px(24)),
                    max_width: px(1700),
                    ..default()
                },
                BackgroundColor(palette::PANEL),
            ),
            (widget::button("Continuer"), Continue),
        ],
    ));
}

fn on_warning_tap(
    tap: On<Tapped>,
    q: Query<(), With<Continue>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if q.contains(tap.entity) {
        next.set(Screen::Attract);
    }
}
