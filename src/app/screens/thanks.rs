//! Thank you, then back to the attract loop, dropping everything about the visitor.

use crate::app::bridge::{Clock, Visitor};
use crate::app::input::{Tappable, Tapped};
use crate::app::redraw::Wake;
use crate::app::screens::Screen;
use crate::app::theme::Layout;
use crate::app::theme::widget;
use bevy::prelude::*;
use std::time::Duration;

/// How long the thank-you stays.
pub const THANKS: Duration = Duration::from_secs(8);

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Thanks), spawn);
    app.add_systems(OnEnter(Screen::Attract), forget_visitor);
    app.add_systems(Update, leave.run_if(in_state(Screen::Thanks)));
    app.add_observer(on_thanks_tap);
}

#[derive(Resource)]
struct Since(Duration);

#[derive(Component)]
struct ThanksRoot;

fn spawn(layout: Res<Layout>, mut commands: Commands, clock: Res<Clock>, visitor: Res<Visitor>) {
    let l = *layout;
    commands.insert_resource(Since(clock.now));
    commands.spawn((
        widget::root(Screen::Thanks, l),
        ThanksRoot,
        Tappable,
        children![
            widget::title(visitor.say("Merci et à bientôt !", "Thank you, see you soon!")),
            widget::body(visitor.say(
                "Ton pass t'attend à la prochaine borne.",
                "Your pass is waiting at the next station."
            )),
        ],
    ));
}

fn leave(
    clock: Res<Clock>,
    since: Option<Res<Since>>,
    mut next: ResMut<NextState<Screen>>,
    mut wake: ResMut<Wake>,
) {
    let Some(since) = since else { return };
    if clock.now >= since.0 + THANKS {
        next.set(Screen::Attract);
    } else {
        wake.at(since.0 + THANKS);
    }
}

fn on_thanks_tap(
    tap: On<Tapped>,
    roots: Query<(), With<ThanksRoot>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if roots.contains(tap.entity) {
        next.set(Screen::Attract);
    }
}

/// Drops the visitor whole: answers, profile, pass and its QR texture.
pub fn forget_visitor(
    mut visitor: ResMut<Visitor>,
    mut images: ResMut<Assets<Image>>,
    mut play: ResMut<crate::app::screens::play::Play>,
    mut commands: Commands,
) {
    if let Some(qr) = visitor.qr.take() {
        images.remove(&qr);
    }
    *visitor = Visitor::default();
    *play = Default::default();
    commands.remove_resource::<crate::app::screens::results::TicketTrades>();
    commands.remove_resource::<Since>();
}
