//! Welcome: language, read-aloud, easy text, no time limit, an optional situation and age
//! band, and one sentence about privacy. With low reach, the situation and age band move
//! to a second page so every control fits in the lower part of the screen.

use crate::app::bridge::{Station, Visitor};
use crate::app::input::Tapped;
use crate::app::redraw::{self, Dirty};
use crate::app::screens::Screen;
use crate::app::screens::choose;
use crate::app::theme::Layout;
use crate::app::theme::interaction::Look;
use crate::app::theme::widget;
use crate::app::theme::{palette, size};
use crate::domain::config::{AgeBand, Situation};
use crate::domain::text::Lang;
use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Welcome), spawn);
    app.add_systems(Update, rebuild.run_if(in_state(Screen::Welcome)));
    app.add_observer(on_welcome_tap);
}

#[derive(Component, Clone, Copy, Debug)]
enum WelcomeButton {
    Lang(Lang),
    ReadAloud,
    Facile,
    Untimed,
    Situation(Situation),
    Age(AgeBand),
    /// Low reach: show the situation and age band (they do not fit with the rest).
    More,
    /// Low reach: back from the situation and age band.
    Less,
    Go,
}

/// The welcome screen's root; `more` is true while the low-reach layout shows the
/// situation and age band in place of the other choices.
#[derive(Component, Default)]
struct WelcomeRoot {
    more: bool,
}

const SITUATIONS: [(Situation, &str, &str); 7] = [
    (
        Situation::NonDit,
        "Je préfère ne pas dire",
        "I'd rather not say",
    ),
    (Situation::College, "Je suis au collège", "At middle school"),
    (Situation::Lycee, "Au lycée", "At high school"),
    (Situation::Etudes, "En études", "Studying"),
    (
        Situation::Emploi,
        "Je cherche un emploi",
        "Looking for a job",
    ),
    (Situation::Travail, "Je travaille", "Working"),
    (Situation::Autre, "Autre", "Other"),
];

const AGES: [(AgeBand, &str, &str); 5] = [
    (AgeBand::NonDit, "Âge : pas dit", "Age: not said"),
    (AgeBand::Moins16, "Moins de 16 ans", "Under 16"),
    (AgeBand::De16a25, "16 à 25 ans", "16 to 25"),
    (AgeBand::De26a44, "26 à 44 ans", "26 to 44"),
    (AgeBand::Plus45, "45 ans et plus", "45 and over"),
];

fn spawn(
    layout: Res<Layout>,
    mut commands: Commands,
    visitor: Res<Visitor>,
    station: Res<Station>,
) {
    let l = *layout;
    commands
        .spawn((widget::root(Screen::Welcome, l), WelcomeRoot::default()))
        .with_children(|p| content(p, &visitor, &station, false, l));
}

fn content(p: &mut ChildSpawnerCommands, v: &Visitor, station: &Station, more: bool, l: Layout) {
    p.spawn(widget::heading(
        v.say("Bienvenue au Klub !", "Welcome to the Klub!"),
    ));
    if l.low_reach {
        low_reach_content(p, v, station, more, l);
        return;
    }
    choices(p, v, station, l);
    caption(p, v);
    situation_rows(p, v, l);
    privacy(p, v);
    go(p, v);
}

/// Low reach: every text first, then the controls at the bottom. The situation and age
/// band go on a second page, one tap away, so no control sits high on the screen.
fn low_reach_content(
    p: &mut ChildSpawnerCommands,
    v: &Visitor,
    station: &Station,
    more: bool,
    l: Layout,
) {
    if more {
        caption(p, v);
        situation_rows(p, v, l);
        p.spawn((widget::button(v.say("OK", "OK")), WelcomeButton::Less));
    } else {
        privacy(p, v);
        choices(p, v, station, l);
        p.spawn(widget::row(l)).with_children(|r| {
            r.spawn((
                widget::quiet_button(
                    v.say("Où tu en es (si tu veux)", "Where you are (if you like)"),
                ),
                WelcomeButton::More,
            ));
            r.spawn((
                widget::button(v.say("C'est parti !", "Let's go!")),
                WelcomeButton::Go,
            ));
        });
    }
}

fn choices(p: &mut ChildSpawnerCommands, v: &Visitor, station: &Station, l: Layout) {
    p.spawn(widget::row(l)).with_children(|r| {
        for lang in &station.config.languages {
            let label = match lang {
                Lang::Fr => "Français",
                Lang::En => "English",
            };
            r.spawn((
                widget::toggle(label, v.lang == *lang),
                WelcomeButton::Lang(*lang),
            ));
        }
        r.spawn((
            widget::toggle(v.say("Lecture à voix haute", "Read aloud"), v.read_aloud),
            WelcomeButton::ReadAloud,
        ));
        if v.lang == Lang::Fr {
            r.spawn((
                widget::toggle("Texte facile", v.facile),
                WelcomeButton::Facile,
            ));
        }
        r.spawn((
            widget::toggle(v.say("Sans limite de temps", "No time limit"), v.untimed),
            WelcomeButton::Untimed,
        ));
    });
}

fn caption(p: &mut ChildSpawnerCommands, v: &Visitor) {
    p.spawn(widget::text(
        v.say(
            "Si tu veux, dis-nous où tu en es :",
            "If you like, tell us where you are:",
        ),
        size::SMALL,
        palette::TEXT_SOFT,
    ));
}

fn situation_rows(p: &mut ChildSpawnerCommands, v: &Visitor, l: Layout) {
    p.spawn(widget::row(l)).with_children(|r| {
        for (s, fr, en) in SITUATIONS {
            r.spawn((
                widget::toggle(v.say(fr, en), v.situation == s),
                WelcomeButton::Situation(s),
            ));
        }
    });
    p.spawn(widget::row(l)).with_children(|r| {
        for (a, fr, en) in AGES {
            r.spawn((
                widget::toggle(v.say(fr, en), v.age == a),
                WelcomeButton::Age(a),
            ));
        }
    });
}

fn privacy(p: &mut ChildSpawnerCommands, v: &Visitor) {
    p.spawn(widget::text(
        v.say(
            "On ne garde rien sur toi : tes résultats restent dans ton QR code.",
            "We keep nothing about you: your results stay in your QR code.",
        ),
        size::SMALL,
        palette::TEXT,
    ));
}

fn go(p: &mut ChildSpawnerCommands, v: &Visitor) {
    p.spawn((
        widget::button(v.say("C'est parti !", "Let's go!")),
        WelcomeButton::Go,
    ));
}

/// Whether a simple toggle is on for this visitor; `None` for the other buttons, whose
/// change redraws the screen (a language or the easy text changes every text).
fn toggled(b: &WelcomeButton, v: &Visitor) -> Option<bool> {
    match *b {
        WelcomeButton::ReadAloud => Some(v.read_aloud),
        WelcomeButton::Untimed => Some(v.untimed),
        WelcomeButton::Situation(s) => Some(v.situation == s),
        WelcomeButton::Age(a) => Some(v.age == a),
        _ => None,
    }
}

fn on_welcome_tap(
    tap: On<Tapped>,
    buttons: Query<&WelcomeButton>,
    mut looks: Query<(&WelcomeButton, &mut Look)>,
    mut roots: Query<(Entity, &mut WelcomeRoot)>,
    mut visitor: ResMut<Visitor>,
    station: Res<Station>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    let Ok(b) = buttons.get(tap.entity) else {
        return;
    };
    match *b {
        WelcomeButton::Lang(l) => {
            visitor.lang = l;
            if l == Lang::En {
                visitor.facile = false;
            }
        }
        WelcomeButton::ReadAloud => visitor.read_aloud = !visitor.read_aloud,
        WelcomeButton::Facile => visitor.facile = !visitor.facile,
        WelcomeButton::Untimed => visitor.untimed = !visitor.untimed,
        WelcomeButton::Situation(s) => visitor.situation = s,
        WelcomeButton::Age(a) => visitor.age = a,
        WelcomeButton::More | WelcomeButton::Less => {
            for (_, mut r) in &mut roots {
                r.more = matches!(*b, WelcomeButton::More);
            }
        }
        WelcomeButton::Go => {
            next.set(choose::after_welcome(&station));
            return;
        }
    }
    if toggled(b, &visitor).is_some() {
        // Only colours change: the toggles are updated in place.
        for (button, mut look) in &mut looks {
            if let Some(on) = toggled(button, &visitor) {
                let want = widget::toggle_look(on);
                if look.normal != want.normal {
                    *look = want;
                }
            }
        }
        return;
    }
    redraw::mark(&mut commands, roots.iter().map(|(r, _)| r));
}

fn rebuild(
    layout: Res<Layout>,
    roots: Query<(Entity, &WelcomeRoot), With<Dirty>>,
    visitor: Res<Visitor>,
    station: Res<Station>,
    mut commands: Commands,
) {
    for (r, root) in &roots {
        redraw::rebuild(&mut commands, r, |p| {
            content(p, &visitor, &station, root.more, *layout)
        });
    }
}
