//! The attract loop: an inviting screen that changes every ~10 s with a short fade, and
//! draws nothing in between, so the screen neither burns in nor keeps the CPU busy.

use crate::app::bridge::{Clock, Station};
use crate::app::input::{Tappable, Tapped};
use crate::app::redraw::{self, Wake};
use crate::app::screens::Screen;
use crate::app::theme::Layout;
use crate::app::theme::widget;
use crate::app::theme::{palette, size};
use bevy::prelude::*;
use std::time::Duration;

/// Shown on the attract loop while the station signs passes with the public demo key.
pub const DEMO_KEY_WARNING: &str = "Clé de démonstration : passes non sûrs, remplacez-la avant la tournée (klub key new) · Demo key: replace it before touring";

/// Time between slides.
pub const SLIDE: Duration = Duration::from_secs(10);
/// The transition between slides: the new slide shows under a veil, then clears. Two
/// frames only: in software rendering each frame of a 1080p screen costs real CPU.
pub const FADE: Duration = Duration::from_millis(250);
/// How opaque the veil is during the transition.
const VEIL: f32 = 0.6;
/// Time between the transition's frames.
const FADE_STEP: Duration = FADE;

const SLIDES: [(&str, &str); 4] = [
    (
        "Le Klub extraordinaire",
        "Découvre tes talents et des métiers en vrai. Touche l'écran !",
    ),
    (
        "Qu'est-ce qui te plaît ?",
        "Réparer, chercher, créer, aider, convaincre, organiser… Viens voir !",
    ),
    (
        "Essaie un métier",
        "Soudure, soin, vente, laboratoire… Une journée en deux minutes.",
    ),
    (
        "Discover your talents",
        "Touch the screen to start. Free, anonymous, in French or English.",
    ),
];

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Slides>();
    app.add_systems(OnEnter(Screen::Attract), spawn);
    app.add_systems(Update, (advance, fade).run_if(in_state(Screen::Attract)));
    app.add_observer(on_attract_tap);
}

/// Which slide is up and since when.
#[derive(Resource, Default, Debug)]
pub struct Slides {
    /// Index into the slides.
    pub index: usize,
    /// When it came up.
    pub since: Duration,
    /// How many changes so far.
    pub changes: u64,
}

#[derive(Component)]
struct AttractRoot;

#[derive(Component)]
struct Veil;

#[derive(Component)]
struct SlideContent;

fn spawn(
    mut commands: Commands,
    clock: Res<Clock>,
    station: Res<Station>,
    mut slides: ResMut<Slides>,
    layout: Res<Layout>,
) {
    let l = *layout;
    slides.since = clock.now;
    let demo_key = station.config.uses_demo_key();
    commands
        .spawn((
            widget::root(Screen::Attract, l),
            AttractRoot,
            Tappable,
            widget::Label("Commencer".into()),
            BackgroundColor(palette::BACKGROUND),
        ))
        .with_children(|p| {
            p.spawn((SlideContent, widget::column(l)))
                .with_children(|c| slide(c, slides.index));
            p.spawn((
                Veil,
                Node {
                    position_type: PositionType::Absolute,
                    width: percent(100),
                    height: percent(100),
                    ..default()
                },
                BackgroundColor(Color::NONE),
                GlobalZIndex(10),
            ));
            if demo_key {
                // Anyone can forge passes signed with the published key: the facilitator must see it.
                p.spawn((
                    widget::text(DEMO_KEY_WARNING, size::BODY, palette::BUTTON_TEXT),
                    Node {
                        position_type: PositionType::Absolute,
                        bottom: px(16),
                        left: px(16),
                        right: px(16),
                        padding: UiRect::axes(px(24), px(12)),
                        ..default()
                    },
                    BackgroundColor(palette::BUTTON),
                    GlobalZIndex(11),
                ));
            }
        });
}

fn slide(c: &mut ChildSpawnerCommands, index: usize) {
    let (t, b) = SLIDES[index % SLIDES.len()];
    c.spawn(art(index));
    c.spawn(widget::title(t));
    c.spawn(widget::body(b));
    c.spawn((
        widget::text(
            "Touche pour commencer · Touch to start",
            size::BODY,
            palette::BUTTON_TEXT,
        ),
        Node {
            padding: UiRect::axes(px(40), px(20)),
            border_radius: BorderRadius::all(px(size::RADIUS)),
            ..default()
        },
        BackgroundColor(palette::BUTTON),
    ));
}

/// Our own art: a shelf of curiosities made of simple shapes, arranged per slide.
fn art(index: usize) -> impl Bundle {
    let shapes: Vec<(Color, f32, f32)> = (0..7)
        .map(|i| {
            let c = palette::ART[(i + index) % palette::ART.len()];
            let w = 70.0 + ((i * 37 + index * 53) % 90) as f32;
            let r = if (i + index).is_multiple_of(3) {
                w / 2.0
            } else {
                18.0
            };
            (c, w, r)
        })
        .collect();
    (
        Node {
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::FlexEnd,
            column_gap: px(28),
            padding: UiRect::axes(px(40), px(24)),
            border: UiRect::bottom(px(14)),
            ..default()
        },
        BorderColor::all(palette::QUIET),
        Children::spawn(SpawnIter(shapes.into_iter().map(|(c, w, r)| {
            (
                Node {
                    width: px(w),
                    height: px(w * 1.1),
                    border_radius: BorderRadius::all(px(r)),
                    ..default()
                },
                BackgroundColor(c),
            )
        }))),
    )
}

fn advance(
    clock: Res<Clock>,
    mut slides: ResMut<Slides>,
    mut wake: ResMut<Wake>,
    content: Query<Entity, With<SlideContent>>,
    mut commands: Commands,
) {
    let due = slides.since + SLIDE;
    if clock.now < due {
        wake.at(due);
        return;
    }
    slides.index = (slides.index + 1) % SLIDES.len();
    slides.since = clock.now;
    slides.changes += 1;
    let index = slides.index;
    for e in &content {
        redraw::rebuild(&mut commands, e, |c| slide(c, index));
    }
    wake.at(clock.now + FADE_STEP);
}

fn fade(
    clock: Res<Clock>,
    slides: Res<Slides>,
    mut veil: Query<&mut BackgroundColor, With<Veil>>,
    mut wake: ResMut<Wake>,
) {
    let t = clock.now.saturating_sub(slides.since);
    let alpha = if slides.changes == 0 || t >= FADE {
        0.0
    } else {
        // A few steps, not a frame-by-frame animation: each frame costs CPU on a kiosk.
        wake.at(slides.since + FADE_STEP);
        VEIL
    };
    for mut bg in &mut veil {
        let want = palette::BACKGROUND.with_alpha(alpha);
        if bg.0 != want {
            bg.0 = want;
        }
    }
}

fn on_attract_tap(
    tap: On<Tapped>,
    roots: Query<(), With<AttractRoot>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if roots.contains(tap.entity) {
        next.set(Screen::Welcome);
    }
}
