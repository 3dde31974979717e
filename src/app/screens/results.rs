//! Results: strengths only (areas as verbs, "ce que tu as mis en avant"), three trades with
//! one sentence each, the take-home pass as a large QR code, "Imprimer" when a printer is
//! configured, and the invitation to talk to the Klub's mediator. No numbers, no letter code.
//! Without a fleet key, or when the OS generator gives no pass id, the same screen shows
//! without the pass and its QR code.

use crate::app::bridge::{DaySettings, Station, Visitor};
use crate::app::input::Tapped;
use crate::app::picture;
use crate::app::screens::Screen;
use crate::app::screens::choose::now_min;
use crate::app::theme::Layout;
use crate::app::theme::widget;
use crate::app::theme::{palette, size};
use crate::domain::matching::top_trades;
use crate::domain::pass::{FleetKey, Pass, PassId, Visit};
use crate::domain::scoring::Profile;
use crate::domain::text::Text;
use crate::domain::wording;
use crate::media::escpos::{QrPrint, Ticket};
use crate::media::qr::Qr;
use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Results), spawn);
    app.add_systems(Update, watch_printing.run_if(in_state(Screen::Results)));
    app.add_observer(on_results_tap);
}

#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
enum ResultsButton {
    Print,
    Finish,
}

/// Target side of the QR code in pixels: large, and leaves room for the words.
const QR_SIDE: u32 = 480;

/// The QR code on screen.
#[derive(Component)]
pub struct PassQr;

/// The line that says how printing went (empty until "Imprimer" is tapped).
#[derive(Component)]
pub struct PrintStatus;

/// A ticket on its way to the printer, off the main thread: a device that blocks or fails
/// never freezes the screen. Dropped with the results screen.
#[derive(Component)]
struct Printing(bevy::tasks::Task<std::io::Result<()>>);

/// What the results screen shows, worked out from the visitor's session.
pub struct Outcome {
    /// The profile shown (merged with a scanned pass).
    pub profile: Profile,
    /// The pass to take home.
    pub pass: Option<Pass>,
    /// Its URL.
    pub url: Option<String>,
    /// Trades, best first, with their sentence.
    pub trades: Vec<(String, Text)>,
}

/// Works out the results: profile, pass and trades.
pub fn outcome(station: &Station, day: &DaySettings, visitor: &Visitor) -> Option<Outcome> {
    let scenario = visitor.scenario(station)?;
    let session = visitor.session.as_ref()?;
    let set = &station.content;
    let profile = session.profile(scenario, set.skills.len());
    let explored: Vec<usize> = scenario
        .trade
        .as_deref()
        .and_then(|t| set.catalogue.index_of(t))
        .into_iter()
        .collect();
    let visit = Visit {
        profile: &profile,
        explored: &explored,
        situation: visitor.situation,
        station: station.config.station_index,
        stop: &station.config.stop,
        now_min: now_min(day),
    };
    let key = FleetKey::from_config(&station.config);
    // No pass id from the OS generator: the results are shown without a pass or QR code.
    let pass = key.as_ref().and_then(|k| match &visitor.scanned {
        Some(old) => Some(old.merge_session(k.id, &set.catalogue, &set.skills, &visit)),
        None => match PassId::random() {
            Ok(id) => Some(Pass::new(k.id, id, &set.catalogue, &set.skills, &visit)),
            Err(e) => {
                error!("{e} : résultats sans pass / results without a pass");
                None
            }
        },
    });
    let shown = pass
        .as_ref()
        .map_or_else(|| profile.clone(), |p| p.profile(set.skills.len()));
    let seed = session.id.seed();
    let trades = top_trades(&shown, &set.catalogue, &set.skills, 3, seed)
        .into_iter()
        .map(|m| {
            let t = &set.catalogue.trades[m.trade];
            (t.name.get(visitor.lang).to_owned(), m.reason)
        })
        .collect();
    let url = pass
        .as_ref()
        .zip(key.as_ref())
        .map(|(p, k)| p.url(&station.config.results_base_url, k));
    Some(Outcome {
        profile: shown,
        pass,
        url,
        trades,
    })
}

fn spawn(
    mut commands: Commands,
    station: Res<Station>,
    day: Res<DaySettings>,
    mut visitor: ResMut<Visitor>,
    mut images: ResMut<Assets<Image>>,
    log: Res<crate::app::log::VisitLog>,
    layout: Res<Layout>,
) {
    let l = *layout;
    let Some(out) = outcome(&station, &day, &visitor) else {
        commands.spawn((
            widget::root(Screen::Results, l),
            children![
                widget::heading(visitor.t(&wording::talk_to_mediator()).to_owned()),
                (
                    widget::button(visitor.say("Terminer", "Finish")),
                    ResultsButton::Finish
                ),
            ],
        ));
        return;
    };
    if let Some(session) = &visitor.session {
        let ids = out
            .pass
            .as_ref()
            .map(|p| {
                p.top_trades
                    .iter()
                    .filter_map(|i| station.content.catalogue.trades.get(usize::from(*i)))
                    .map(|t| t.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        let profile = visitor
            .scenario(&station)
            .map(|s| session.profile(s, station.content.skills.len()))
            .unwrap_or_default();
        log.result(session.id, profile, ids);
    }
    let qr = out.url.as_deref().and_then(|u| Qr::new(u).ok()).map(|q| {
        let m = (QR_SIDE / q.modules_with_quiet_zone()).max(4);
        let (w, h, rgba) = q.rgba(m);
        (images.add(picture::from_rgba(w, h, rgba, true)), w, h)
    });
    let set = &station.content;
    let v = &*visitor;
    let strengths = v.t(&wording::strengths(&out.profile)).to_owned();
    let forward = wording::put_forward(&out.profile, &set.skills, 3).map(|t| v.t(&t).to_owned());
    let printer = !station.config.printer.is_empty();
    let mut node = Node {
        width: percent(100),
        height: percent(100),
        flex_direction: FlexDirection::Column,
        align_items: AlignItems::Center,
        justify_content: JustifyContent::Center,
        row_gap: l.gap(),
        padding: UiRect::all(px(24)),
        ..default()
    };
    l.place_root(&mut node);
    let mut root = commands.spawn((
        Name::new("Results"),
        DespawnOnExit(Screen::Results),
        crate::app::theme::ScreenRoot,
        node,
    ));
    root.with_children(|p| {
        p.spawn(widget::heading(v.t(&wording::heading()).to_owned()));
        p.spawn(widget::row(l)).with_children(|r| {
            r.spawn((Node {
                flex_direction: FlexDirection::Column,
                row_gap: l.gap(),
                // A fixed width lets the wrapped text be measured at its real height.
                width: px(1000),
                flex_shrink: 0.0,
                ..default()
            },))
                .with_children(|c| {
                    c.spawn(widget::text(strengths, size::SMALL, palette::TEXT));
                    if let Some(f) = forward {
                        c.spawn(widget::text(f, size::SMALL, palette::TEXT_SOFT));
                    }
                    for (name, reason) in &out.trades {
                        c.spawn((
                            Node {
                                flex_direction: FlexDirection::Column,
                                width: percent(100),
                                flex_shrink: 0.0,
                                padding: UiRect::axes(px(20), px(10)),
                                border_radius: BorderRadius::all(px(size::RADIUS)),
                                ..default()
                            },
                            BackgroundColor(palette::PANEL),
                            children![
                                widget::text(name.clone(), size::BODY, palette::BUTTON),
                                widget::text(v.t(reason).to_owned(), size::SMALL, palette::TEXT),
                            ],
                        ));
                    }
                });
            if let Some((h, w, hh)) = &qr {
                r.spawn((Node {
                    flex_direction: FlexDirection::Column,
                    align_items: AlignItems::Center,
                    row_gap: px(12),
                    ..default()
                },))
                    .with_children(|c| {
                        c.spawn((
                            PassQr,
                            ImageNode::new(h.clone()),
                            Node {
                                width: px(*w as f32),
                                height: px(*hh as f32),
                                ..default()
                            },
                        ));
                        c.spawn(widget::text(
                            v.say(
                                "Ton pass : garde-le en photo !",
                                "Your pass: take a photo of it!",
                            ),
                            size::SMALL,
                            palette::TEXT_SOFT,
                        ));
                    });
            }
        });
        p.spawn(widget::row(l)).with_children(|r| {
            r.spawn(widget::text(
                v.t(&wording::talk_to_mediator()).to_owned(),
                size::BODY,
                palette::WARNING,
            ));
            if printer {
                r.spawn((
                    widget::button(v.say("Imprimer", "Print")),
                    ResultsButton::Print,
                ));
            }
            r.spawn((
                widget::button(v.say("Terminer", "Finish")),
                ResultsButton::Finish,
            ));
        });
        if printer {
            p.spawn((
                PrintStatus,
                widget::text(String::new(), size::SMALL, palette::WARNING),
            ));
        }
    });
    visitor.qr = qr.map(|q| q.0);
    visitor.pass = out.pass;
    visitor.pass_url = out.url;
    let names: Vec<String> = out.trades.into_iter().map(|t| t.0).collect();
    commands.insert_resource(TicketTrades(names));
}

/// Trade names for the printed ticket; removed with the visitor.
#[derive(Resource, Default)]
pub struct TicketTrades(pub Vec<String>);

fn on_results_tap(
    tap: On<Tapped>,
    buttons: Query<&ResultsButton>,
    station: Res<Station>,
    visitor: Res<Visitor>,
    trades: Option<Res<TicketTrades>>,
    mut status: Query<(Entity, &mut bevy::prelude::Text, Has<Printing>), With<PrintStatus>>,
    mut next: ResMut<NextState<Screen>>,
    mut commands: Commands,
) {
    let Ok(b) = buttons.get(tap.entity) else {
        return;
    };
    match b {
        ResultsButton::Finish => next.set(Screen::Thanks),
        ResultsButton::Print => {
            let Ok((line, mut text, busy)) = status.single_mut() else {
                return;
            };
            // One ticket at a time: a second tap while printing would print twice.
            if busy {
                return;
            }
            let Some(url) = visitor.pass_url.clone() else {
                text.0 = visitor
                    .say(
                        "Pas de pass à imprimer. Demande au médiateur ou à la médiatrice.",
                        "No pass to print. Ask the Klub's mediator.",
                    )
                    .to_owned();
                return;
            };
            let ticket = Ticket {
                lang: visitor.lang,
                trades: trades.map(|t| t.0.clone()).unwrap_or_default(),
                url,
            };
            let bytes = ticket.to_escpos(QrPrint::Native);
            let path = std::path::PathBuf::from(&station.config.printer);
            let task = bevy::tasks::IoTaskPool::get()
                .spawn(async move { crate::media::escpos::print_to(&path, &bytes) });
            text.0 = visitor.say("Impression en cours…", "Printing…").to_owned();
            commands.entity(line).insert(Printing(task));
        }
    }
}

/// Tells the visitor how printing went, once the printer has answered.
fn watch_printing(
    mut printing: Query<(Entity, &mut Printing, &mut bevy::prelude::Text)>,
    visitor: Res<Visitor>,
    clock: Res<crate::app::bridge::Clock>,
    mut wake: ResMut<crate::app::redraw::Wake>,
    mut commands: Commands,
) {
    for (e, mut job, mut text) in &mut printing {
        let Some(done) = bevy::tasks::futures::check_ready(&mut job.0) else {
            // Frames are reactive: come back soon to see whether the printer answered.
            wake.at(clock.now + std::time::Duration::from_millis(100));
            continue;
        };
        commands.entity(e).remove::<Printing>();
        text.0 = match done {
            Ok(()) => visitor
                .say(
                    "Ton ticket sort de l'imprimante !",
                    "Your ticket is printing!",
                )
                .to_owned(),
            Err(e) => {
                error!("impression impossible / cannot print: {e}");
                visitor
                    .say(
                        "L'imprimante ne répond pas. Prends ton pass en photo, et préviens le médiateur ou la médiatrice.",
                        "The printer is not answering. Take a photo of your pass, and tell the Klub's mediator.",
                    )
                    .to_owned()
            }
        };
    }
}
