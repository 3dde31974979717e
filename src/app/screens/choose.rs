//! Scenario choice, and "Tu as déjà un pass ? Scanne-le": a scanned pass orders the
//! immersions by the visitor's profile.

use crate::app::bridge::{Clock, DaySettings, Station, Visitor};
use crate::app::input::Tapped;
use crate::app::redraw::{self, Dirty};
use crate::app::screens::Screen;
use crate::app::theme::Layout;
use crate::app::theme::widget;
use crate::app::theme::{palette, size};
use crate::domain::matching::match_score;
use crate::domain::pass::{FleetKey, Pass, Policy};
use crate::domain::scenario::Kind;
use crate::domain::session::Source;
use crate::domain::text::Text;
use crate::media::scanner::{PhysKey, ScanReader};
use bevy::input::ButtonState;
use bevy::input::keyboard::KeyboardInput;
use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Choose), spawn);
    // A pass can be scanned from the attract loop and the welcome screen too: it opens
    // the choice, where its message and the ordered immersions show.
    app.add_systems(
        Update,
        scan.run_if(
            in_state(Screen::Attract)
                .or_else(in_state(Screen::Welcome))
                .or_else(in_state(Screen::Choose)),
        ),
    );
    app.add_systems(Update, rebuild.after(scan).run_if(in_state(Screen::Choose)));
    app.add_observer(on_choose_tap);
}

/// Where "C'est parti" leads: straight to the only scenario, or to the choice.
pub fn after_welcome(station: &Station) -> Screen {
    if station.enabled().len() == 1 {
        Screen::Play
    } else {
        Screen::Choose
    }
}

/// A scenario button.
#[derive(Component, Clone, Copy, Debug)]
pub struct PickScenario(pub usize);

#[derive(Component)]
struct ChooseRoot;

/// The enabled scenarios in the order shown: talents first, then immersions; with a
/// scanned pass, immersions first, best match for the visitor's profile first.
pub fn order(station: &Station, scanned: Option<&Pass>) -> Vec<usize> {
    let mut ids = station.enabled();
    let set = &station.content;
    let Some(pass) = scanned else {
        ids.sort_by_key(|i| set.scenarios[*i].kind != Kind::Talents);
        return ids;
    };
    let profile = pass.profile(set.skills.len());
    let score = |i: usize| {
        let s = &set.scenarios[i];
        match (
            &s.kind,
            s.trade.as_deref().and_then(|t| set.catalogue.get(t)),
        ) {
            (Kind::Immersion, Some(trade)) => match_score(&profile, trade),
            (Kind::Immersion, None) => 0.0,
            (Kind::Talents, _) => -1.0,
        }
    };
    ids.sort_by(|a, b| score(*b).total_cmp(&score(*a)));
    ids
}

fn spawn(
    layout: Res<Layout>,
    mut commands: Commands,
    visitor: Res<Visitor>,
    station: Res<Station>,
) {
    let l = *layout;
    commands
        .spawn((widget::root(Screen::Choose, l), ChooseRoot))
        .with_children(|p| content(p, &visitor, &station, l));
}

fn content(p: &mut ChildSpawnerCommands, v: &Visitor, station: &Station, l: Layout) {
    p.spawn(widget::heading(
        v.say("Que veux-tu essayer ?", "What would you like to try?"),
    ));
    let buttons = |p: &mut ChildSpawnerCommands| {
        p.spawn(widget::row(l)).with_children(|r| {
            for i in order(station, v.scanned.as_ref()) {
                let s = &station.content.scenarios[i];
                let label = format!("{} · {} min", v.t(&s.title), s.duration_minutes);
                r.spawn((widget::button(&label), PickScenario(i)));
            }
        });
    };
    // Low reach: the buttons go last, at the bottom of the screen, under the scan message.
    if !l.low_reach {
        buttons(p);
    }
    let scan = match &v.scan_message {
        Some(m) => v.t(m).to_owned(),
        None => v
            .say(
                "Tu as déjà un pass ? Scanne-le sous l'écran.",
                "Already have a pass? Scan it below the screen.",
            )
            .to_owned(),
    };
    p.spawn((
        widget::text(scan, size::BODY, palette::TEXT),
        Node {
            padding: UiRect::all(px(24)),
            border_radius: BorderRadius::all(px(size::RADIUS)),
            ..default()
        },
        BackgroundColor(palette::PANEL),
    ));
    if l.low_reach {
        buttons(p);
    }
}

fn on_choose_tap(
    tap: On<Tapped>,
    picks: Query<&PickScenario>,
    mut visitor: ResMut<Visitor>,
    mut next: ResMut<NextState<Screen>>,
) {
    if let Ok(p) = picks.get(tap.entity) {
        visitor.scenario = Some(p.0);
        next.set(Screen::Play);
    }
}

/// Minutes since the Unix epoch, with the facilitator's date offset.
pub fn now_min(day: &DaySettings) -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let min = i64::try_from(secs / 60).unwrap_or(0) + i64::from(day.date_offset_days) * 1440;
    u32::try_from(min.max(0)).unwrap_or(u32::MAX)
}

/// Checks a scanned text against this station's key, catalogue and age limit.
pub fn check_pass(
    station: &Station,
    day: &DaySettings,
    text: &str,
) -> Result<Pass, crate::domain::pass::PassError> {
    let keys: Vec<FleetKey> = FleetKey::from_config(&station.config).into_iter().collect();
    Pass::verify(
        text,
        &Policy {
            keys: &keys,
            catalogue: station.content.catalogue.fingerprint(),
            now_min: now_min(day),
            max_age_days: station.config.pass_max_age_days,
        },
    )
}

/// Keeps the scanner reader between frames.
#[derive(Default)]
struct Reader(Option<ScanReader>);

fn scan(
    mut keys: MessageReader<KeyboardInput>,
    clock: Res<Clock>,
    station: Res<Station>,
    day: Res<DaySettings>,
    mut visitor: ResMut<Visitor>,
    mut reader: Local<Reader>,
    roots: Query<Entity, With<ChooseRoot>>,
    screen: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    let r = reader
        .0
        .get_or_insert_with(|| ScanReader::new(station.config.scanner_layout));
    for k in keys.read() {
        let Some(key) = PhysKey::from_code(&format!("{:?}", k.key_code)) else {
            continue;
        };
        let Some(text) = r.key(key, k.state == ButtonState::Pressed, clock.ms()) else {
            continue;
        };
        let msg = match check_pass(&station, &day, &text) {
            Ok(pass) => {
                visitor.scanned = Some(pass);
                Text::new(
                    "Pass lu ! Les métiers qui te ressemblent sont en premier.",
                    "Pass read! The trades that suit you come first.",
                    "Ton pass est lu. Les métiers pour toi sont au début.",
                )
            }
            Err(e) => {
                visitor.scanned = None;
                Text {
                    fr: e.verdict().fr().to_owned(),
                    en: Some(e.verdict().en().to_owned()),
                    facile: None,
                }
            }
        };
        visitor.scan_message = Some(msg);
        if visitor.source.is_none() {
            visitor.source = Some(Source::Visitor);
        }
        redraw::mark(&mut commands, roots);
        if *screen.get() != Screen::Choose {
            next.set(Screen::Choose);
        }
    }
}

fn rebuild(
    layout: Res<Layout>,
    roots: Query<Entity, (With<ChooseRoot>, With<Dirty>)>,
    visitor: Res<Visitor>,
    station: Res<Station>,
    mut commands: Commands,
) {
    for r in &roots {
        redraw::rebuild(&mut commands, r, |p| {
            content(p, &visitor, &station, *layout)
        });
    }
}
