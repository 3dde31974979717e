//! Rehearsal: while the facilitator rehearses, edited scenario files are validated and
//! reloaded on the fly. The outcome shows in a banner over the visitor screens: on error,
//! with file and line, while the last good set stays in service.

use super::PanelMessage;
use crate::app::bridge::{Clock, Counts, Station, Visitor};
use crate::app::redraw::Wake;
use crate::app::screens::Screen;
use crate::app::screens::play::{self, Logged, Play};
use crate::app::theme::palette;
use crate::domain::scenario::{Scenario, StepBody};
use crate::domain::session::{Outcome, Session, Source};
use bevy::prelude::*;
use std::time::Duration;

/// How often rehearsal looks at the scenario files.
pub const HOT_RELOAD_EVERY: Duration = Duration::from_secs(2);
/// How long the banner of a successful reload stays; errors stay until fixed.
pub const OK_BANNER: Duration = Duration::from_secs(5);
/// Lines of errors in the banner.
const BANNER_LINES: usize = 5;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<RehearsalNote>();
    app.add_systems(Update, (hot_reload, banner).chain());
}

/// The last hot reload's outcome, for the banner: its text, whether it failed, and when.
#[derive(Resource, Default, Debug, Clone)]
pub struct RehearsalNote(pub Option<(String, bool, Duration)>);

#[derive(Component)]
struct Banner;

/// The newest modification time of the scenario files.
fn newest_file(dir: &std::path::Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml")
                && let Ok(t) = e.metadata().and_then(|m| m.modified())
            {
                newest = newest.max(Some(t));
            }
        }
    }
    newest
}

/// What a session in progress depends on: step ids, types and numbers of answers. When
/// only texts change, the step on screen is redrawn; otherwise the rehearsal restarts.
fn shape(s: &Scenario) -> Vec<(&str, &'static str, usize, usize)> {
    s.steps
        .iter()
        .map(|st| {
            let (a, b) = match &st.body {
                StepBody::Info { .. } => (0, 0),
                StepBody::Choice { options, .. } | StepBody::Multi { options, .. } => {
                    (options.len(), 0)
                }
                StepBody::Scale { points, .. } => (usize::from(*points), 0),
                StepBody::Sort { bins, items, .. } | StepBody::Timed { bins, items, .. } => {
                    (items.len(), bins.len())
                }
                StepBody::Hotspot { zones, find, .. } | StepBody::Panorama { zones, find, .. } => {
                    (zones.len(), *find)
                }
            };
            (st.id.as_str(), st.body.type_name(), a, b)
        })
        .collect()
}

/// During rehearsal, edited scenario files are validated and reloaded on the fly; on error
/// the last good set stays and the errors go to the banner and the panel.
fn hot_reload(
    clock: Res<Clock>,
    mut visitor: ResMut<Visitor>,
    mut station: ResMut<Station>,
    mut msg: ResMut<PanelMessage>,
    mut note: ResMut<RehearsalNote>,
    mut play_state: ResMut<Play>,
    mut counts: ResMut<Counts>,
    mut log: MessageWriter<Logged>,
    mut next: ResMut<NextState<Screen>>,
    mut last: Local<(Duration, Option<std::time::SystemTime>)>,
    mut wake: ResMut<Wake>,
) {
    if visitor.source != Some(Source::Rehearsal) {
        last.1 = None;
        return;
    }
    wake.at(last.0 + HOT_RELOAD_EVERY);
    if clock.now < last.0 + HOT_RELOAD_EVERY {
        return;
    }
    last.0 = clock.now;
    let newest = newest_file(&station.content_dir);
    if last.1.is_none() {
        last.1 = newest;
        return;
    }
    if newest <= last.1 {
        return;
    }
    last.1 = newest;
    let before = visitor.scenario(&station).cloned();
    let text = match station.reload() {
        Ok(n) => format!("Scénarios rechargés : {n}."),
        Err(report) => {
            let text = format!("Erreurs : les scénarios précédents restent en service.\n{report}");
            note.0 = Some((text.clone(), true, clock.now));
            msg.0 = Some(text);
            return;
        }
    };
    note.0 = Some((text.clone(), false, clock.now));
    msg.0 = Some(text);
    let Some(before) = before else {
        return;
    };
    // Scenarios may have moved in the set: find the rehearsed one again by its id.
    let now = station
        .content
        .scenarios
        .iter()
        .position(|s| s.id == before.id);
    let same_shape = now.is_some_and(|i| shape(&station.content.scenarios[i]) == shape(&before));
    if same_shape {
        visitor.scenario = now;
        play_state.dirty = true;
        play_state.picture = None;
    } else if visitor
        .session
        .as_ref()
        .and_then(Session::current)
        .is_some()
    {
        // The steps changed under the session: it cannot go on; rehearse again from the panel.
        play::end_session(&mut visitor, Outcome::Abandoned, &mut counts, &mut log);
        *visitor = Visitor::default();
        msg.0 = Some(format!(
            "{}\nLes étapes de « {} » ont changé : touchez « Répéter » pour reprendre.",
            msg.0.take().unwrap_or_default(),
            before.id
        ));
        next.set(Screen::Facilitator);
    } else {
        visitor.scenario = now;
    }
}

/// A report without its source excerpts: each error and its `--> file:line:col`, so the
/// banner covers as little of the screen as possible.
pub fn compact(report: &str) -> impl Iterator<Item = &str> {
    report.lines().filter(|l| {
        let t = l.trim_start();
        !(t.is_empty() || t.starts_with('|') || t.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// The visitor screens during rehearsal show the last hot reload's outcome on top.
fn banner(
    clock: Res<Clock>,
    visitor: Res<Visitor>,
    screen: Res<State<Screen>>,
    note: Res<RehearsalNote>,
    banners: Query<Entity, With<Banner>>,
    mut shown: Local<Option<String>>,
    mut wake: ResMut<Wake>,
    mut commands: Commands,
) {
    let visitor_screen = matches!(
        screen.get(),
        Screen::Welcome | Screen::Choose | Screen::Play | Screen::Results | Screen::Thanks
    );
    let want = match &note.0 {
        Some((text, failed, at))
            if visitor.source == Some(Source::Rehearsal)
                && visitor_screen
                && (*failed || clock.now < *at + OK_BANNER) =>
        {
            if !*failed {
                wake.at(*at + OK_BANNER);
            }
            Some(text.clone())
        }
        _ => None,
    };
    if *shown == want && (want.is_none() || !banners.is_empty()) {
        return;
    }
    for e in &banners {
        commands.entity(e).despawn();
    }
    if let Some(text) = &want {
        let lines: Vec<&str> = compact(text).take(BANNER_LINES).collect();
        commands.spawn((
            Name::new("Rehearsal banner"),
            Banner,
            GlobalZIndex(90),
            Node {
                position_type: PositionType::Absolute,
                top: px(0),
                left: px(0),
                width: percent(100),
                padding: UiRect::axes(px(24), px(12)),
                justify_content: JustifyContent::Center,
                ..default()
            },
            BackgroundColor(palette::PANEL),
            children![super::left_text(format!(
                "Répétition · {}",
                lines.join("\n")
            ))],
        ));
    }
    *shown = want;
}
