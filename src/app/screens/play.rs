//! The scenario player, for every step type of the format, with a progress bar, back,
//! skip, volume and mute always within reach, and "Tu as aimé ?" after each game.
//!
//! The rules (what an answer is worth, where it leads) are the session's; this file only
//! turns taps and drags into `Answer`s.

use crate::app::bridge::{Clock, Counts, DaySettings, Station, Visitor};
use crate::app::input::{DragMoved, Draggable, DropZone, Dropped, Pointer, Tappable, Tapped};
use crate::app::picture;
use crate::app::redraw::{self, Wake};
use crate::app::screens::Screen;
use crate::app::sound::{self, SoundCache, SoundKind};
use crate::app::theme::Layout;
use crate::app::theme::widget::{self, Label};
use crate::app::theme::{palette, size};
use crate::content::set::narration_file;
use crate::domain::scenario::{SortMode, Step, StepBody};
use crate::domain::scoring::Answer;
use crate::domain::session::{Event, Outcome, Session, SessionId, Source};
use crate::domain::text::Text;
use bevy::audio::AudioSource;
use bevy::prelude::*;
use std::time::Duration;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Play>();
    app.add_message::<Logged>();
    app.add_systems(OnEnter(Screen::Play), start);
    app.add_systems(OnExit(Screen::Play), leave);
    app.add_systems(
        Update,
        (build_step, tick_timed, pan_strip)
            .chain()
            .run_if(in_state(Screen::Play)),
    );
    app.add_observer(on_play_tap);
    app.add_observer(on_drag);
    app.add_observer(on_drop);
}

/// A session event for the visit log, sent as it happens and then forgotten.
#[derive(Message, Clone, Debug)]
pub struct Logged {
    /// The session.
    pub session: SessionId,
    /// Its scenario.
    pub scenario: String,
    /// Who it is for.
    pub source: Source,
    /// What happened.
    pub event: Event,
}

/// Where the player is within the current step.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Phase {
    /// Playing the step.
    #[default]
    Step,
    /// "Tu as aimé ?" after a game, with its score.
    Enjoy {
        /// Correct items or zones.
        found: u16,
        /// Items or target zones.
        total: u16,
    },
}

/// The state of the step on screen. Reset at every step; dropped with the visitor.
#[derive(Resource, Default, Debug, PartialEq)]
pub struct Play {
    /// Step or "Tu as aimé ?".
    pub phase: Phase,
    /// The step index the screen shows; `None` forces a rebuild.
    pub built: Option<(usize, bool)>,
    /// Rebuild on the next frame.
    pub dirty: bool,
    /// When the step came up.
    pub since: Duration,
    /// Multi: picked options.
    pub picked: Vec<usize>,
    /// Sort, order mode: item indices in their current order.
    pub order: Vec<usize>,
    /// Sort, bins mode: each item's bin.
    pub placed: Vec<Option<usize>>,
    /// Sort: the item picked up by a first tap.
    pub selected: Option<usize>,
    /// Hotspot and panorama: zones found, in order.
    pub found: Vec<usize>,
    /// The feedback of the last zone tapped.
    pub feedback: Option<Text>,
    /// Panorama: horizontal offset in displayed pixels.
    pub pan: f32,
    /// Timed: the item on screen and how many went to the right bin.
    pub timed_index: usize,
    /// Timed: correct so far.
    pub timed_correct: u16,
    /// The step's picture, read once per step.
    pub picture: Option<(Handle<Image>, UVec2)>,
}

impl Play {
    fn reset_step(&mut self, now: Duration) {
        *self = Play {
            since: now,
            dirty: true,
            ..Play::default()
        };
    }
}

/// Whether the step on screen is a reading step (info, or read aloud): its idle time is longer.
pub fn reading(visitor: &Visitor, station: &Station) -> bool {
    if visitor.read_aloud {
        return true;
    }
    let Some(s) = visitor.scenario(station) else {
        return false;
    };
    let Some(i) = visitor.session.as_ref().and_then(Session::current) else {
        return false;
    };
    matches!(s.steps.get(i).map(|s| &s.body), Some(StepBody::Info { .. }))
}

#[derive(Component)]
struct PlayRoot;

#[derive(Component)]
struct StepArea;

/// The progress bar's filled part.
#[derive(Component)]
pub struct ProgressFill;

/// A countdown's text.
#[derive(Component)]
struct Countdown;

/// The panorama's moving strip.
#[derive(Component)]
struct Strip {
    width: f32,
}

/// The hotspot or panorama picture, and how image pixels map to the screen.
#[derive(Component, Clone, Copy)]
struct ZonePicture {
    image: UVec2,
    shown: Vec2,
}

/// A zone's outline on the picture (copy 0 or 1 for the panorama's wrap).
#[derive(Component, Clone, Copy, Debug)]
pub struct ZoneMark(pub usize);

/// What a target does.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub enum PlayButton {
    /// Previous step.
    Back,
    /// Skip this step.
    Skip,
    /// Softer.
    VolumeDown,
    /// Louder.
    VolumeUp,
    /// Mute or unmute.
    Mute,
    /// Info: go on.
    Continue,
    /// Choice: an option.
    Choice(usize),
    /// Multi: toggle an option.
    Toggle(usize),
    /// Multi and sort: done.
    Validate,
    /// Scale: a point.
    Scale(u8),
    /// Sort: an item.
    Item(usize),
    /// Sort (bins) and timed: a bin.
    Bin(usize),
    /// Panorama: turn left or right.
    Pan(i8),
    /// "Tu as aimé ?": 0 non, 1 un peu, 2 oui.
    Enjoy(u8),
    /// Hotspot / panorama picture.
    Picture,
    /// Hotspot / panorama: stop looking.
    Done,
}

const SCALE_FR: [&str; 5] = ["Pas du tout", "Pas trop", "Bof", "Un peu", "Beaucoup"];
const SCALE_EN: [&str; 5] = ["Not at all", "Not really", "So-so", "A bit", "A lot"];
const SCALE3_FR: [&str; 3] = ["Non", "Bof", "Oui"];
const SCALE3_EN: [&str; 3] = ["No", "So-so", "Yes"];
const HEARTS: [&str; 5] = ["♡", "♥", "♥♥", "♥♥♥", "♥♥♥♥"];
const HEARTS3: [&str; 3] = ["♡", "♥", "♥♥♥"];

/// Extra reach around a zone, in screen pixels, so small zones are easy to hit.
pub const ZONE_MARGIN: f32 = 48.0;
/// Width of the panorama window.
const PANO_W: f32 = 1400.0;
/// Height of pictures.
const PICTURE_H: f32 = 500.0;
/// Height of hotspot and panorama pictures with low reach: the picture is a control, so it
/// must fit, with "J'ai fini", in the lower part of the screen.
const LOW_REACH_PICTURE_H: f32 = 300.0;

fn start(
    mut commands: Commands,
    station: Res<Station>,
    day: Res<DaySettings>,
    clock: Res<Clock>,
    mut visitor: ResMut<Visitor>,
    mut play: ResMut<Play>,
    mut counts: ResMut<Counts>,
    mut log: MessageWriter<Logged>,
    mut cache: ResMut<SoundCache>,
    mut sources: ResMut<Assets<AudioSource>>,
    replay: Option<Res<crate::app::replay::Replay>>,
    mut panel: Option<ResMut<crate::app::facilitator::PanelMessage>>,
    layout: Res<Layout>,
) {
    let l = *layout;
    if replay.is_some() {
        visitor.source = Some(Source::Replay);
    }
    if visitor.scenario.is_none() {
        visitor.scenario = station.enabled().first().copied();
    }
    let source = *visitor.source.get_or_insert(Source::Visitor);
    let lang = visitor.lang;
    if let Some(s) = visitor.scenario(&station) {
        let id = SessionId::random().unwrap_or_else(|e| {
            error!("visite jouée sans être enregistrée / visit played, not logged: {e}");
            if let Some(p) = panel.as_mut() {
                p.0 = Some("Visite jouée sans être enregistrée : le générateur aléatoire du système ne répond pas. Redémarrez la borne.".into());
            }
            SessionId::UNLOGGED
        });
        let (session, events) = Session::start(s, id, source, lang, clock.ms());
        for e in events {
            log.write(Logged {
                session: session.id,
                scenario: s.id.clone(),
                source,
                event: e,
            });
        }
        counts.started += 1;
        if let (Some(amb), Some(folder)) =
            (&s.ambient, visitor.scenario.and_then(|i| station.folder(i)))
        {
            sound::play(
                &mut commands,
                &mut cache,
                &mut sources,
                &day,
                &clock,
                &folder.join(amb),
                SoundKind::Ambient,
            );
        }
        visitor.session = Some(session);
    }
    play.reset_step(clock.now);
    let back = visitor.say("◀ Retour", "◀ Back");
    let skip = visitor.say("Passer ▶", "Skip ▶");
    // Low reach: a step's controls sit at the bottom of its area, its texts above them.
    // (The player is not a `ScreenRoot`: its own controls row is already at the bottom.)
    let step_justify = if l.low_reach {
        JustifyContent::FlexEnd
    } else {
        JustifyContent::Center
    };
    commands.spawn((
        Name::new("Player"),
        DespawnOnExit(Screen::Play),
        PlayRoot,
        Node {
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Center,
            justify_content: JustifyContent::SpaceBetween,
            padding: UiRect::all(px(32)),
            row_gap: l.gap(),
            ..default()
        },
        children![
            (
                Name::new("Progress"),
                Node {
                    width: percent(60),
                    height: px(20),
                    border_radius: BorderRadius::all(px(10)),
                    ..default()
                },
                BackgroundColor(palette::QUIET),
                children![(
                    ProgressFill,
                    Node {
                        width: percent(0),
                        height: percent(100),
                        border_radius: BorderRadius::all(px(10)),
                        ..default()
                    },
                    BackgroundColor(palette::BUTTON),
                )],
            ),
            (
                StepArea,
                Node {
                    flex_grow: 1.0,
                    // Never push the controls off screen, whatever the content.
                    min_height: px(0),
                    overflow: Overflow::clip(),
                    width: percent(100),
                    flex_direction: FlexDirection::Column,
                    align_items: AlignItems::Center,
                    justify_content: step_justify,
                    row_gap: l.gap(),
                    ..default()
                },
            ),
            (
                Name::new("Controls"),
                Node {
                    width: percent(100),
                    flex_direction: FlexDirection::Row,
                    justify_content: JustifyContent::SpaceBetween,
                    column_gap: l.gap(),
                    ..default()
                },
                children![
                    (widget::quiet_button(back), PlayButton::Back),
                    (
                        Node {
                            flex_direction: FlexDirection::Row,
                            flex_shrink: 0.0,
                            column_gap: l.gap(),
                            ..default()
                        },
                        children![
                            (
                                widget::icon_button("−", "Moins fort"),
                                PlayButton::VolumeDown
                            ),
                            (widget::icon_button("+", "Plus fort"), PlayButton::VolumeUp),
                            (
                                widget::icon_button("♪ Son", "Couper le son"),
                                PlayButton::Mute
                            ),
                        ]
                    ),
                    (widget::quiet_button(skip), PlayButton::Skip),
                ]
            ),
        ],
    ));
}

fn leave(mut play: ResMut<Play>, sounds: Query<(Entity, &SoundKind)>, mut commands: Commands) {
    *play = Play::default();
    for (e, _) in &sounds {
        commands.entity(e).despawn();
    }
}

/// Ends a session early, logging it.
pub fn end_session(
    visitor: &mut Visitor,
    outcome: Outcome,
    counts: &mut Counts,
    log: &mut MessageWriter<Logged>,
) {
    if let Some(session) = visitor.session.as_mut()
        && let Ok(events) = session.end(outcome)
    {
        counts.ended(outcome);
        for e in events {
            log.write(Logged {
                session: session.id,
                scenario: session.scenario.clone(),
                source: session.source,
                event: e,
            });
        }
    }
}

fn build_step(
    mut commands: Commands,
    mut play: ResMut<Play>,
    visitor: Res<Visitor>,
    station: Res<Station>,
    day: Res<DaySettings>,
    clock: Res<Clock>,
    area: Query<Entity, With<StepArea>>,
    mut fill: Query<&mut Node, With<ProgressFill>>,
    mut images: ResMut<Assets<Image>>,
    mut pointer: ResMut<Pointer>,
    mut cache: ResMut<SoundCache>,
    mut sources: ResMut<Assets<AudioSource>>,
    sounds: Query<(Entity, &SoundKind)>,
    layout: Res<Layout>,
) {
    let l = *layout;
    let (Some(s), Some(session)) = (visitor.scenario(&station), visitor.session.as_ref()) else {
        return;
    };
    let Some(index) = session.current() else {
        return;
    };
    let enjoy = matches!(play.phase, Phase::Enjoy { .. });
    if !play.dirty && play.built == Some((index, enjoy)) {
        return;
    }
    let new_step = play.built.map(|b| b.0) != Some(index);
    if play.built != Some((index, enjoy)) {
        // A new step or "Tu as aimé ?" is a screen change: the lifting finger answers nothing.
        pointer.arm_guard(clock.now);
    }
    play.dirty = false;
    play.built = Some((index, enjoy));
    let Ok(area) = area.single() else { return };
    let Some(step) = s.steps.get(index) else {
        return;
    };
    let folder = visitor
        .scenario
        .and_then(|i| station.folder(i))
        .map(|p| p.to_path_buf());
    let (done, total) = session.progress(s);
    for mut n in &mut fill {
        n.width = percent(100.0 * done as f32 / total.max(1) as f32);
    }
    if new_step {
        // The last step's sound and narration end with it; the ambient loop goes on.
        sound::stop(&mut commands, &sounds, SoundKind::Effect);
        sound::stop(&mut commands, &sounds, SoundKind::Narration);
    }
    if new_step && let Some(folder) = &folder {
        if let Some(snd) = &step.sound {
            sound::play(
                &mut commands,
                &mut cache,
                &mut sources,
                &day,
                &clock,
                &folder.join(snd),
                SoundKind::Effect,
            );
        }
        if visitor.read_aloud
            && let Some((key, _)) = step.texts().first()
            && let Some(path) = narration_file(folder, key, visitor.variant())
        {
            sound::play(
                &mut commands,
                &mut cache,
                &mut sources,
                &day,
                &clock,
                &path,
                SoundKind::Narration,
            );
        }
    }
    if play.picture.is_none()
        && let (Some(folder), Some(file)) = (&folder, &step.image)
        && let Some((img, size)) = picture::load_png(&folder.join(file), PICTURE_H as u32)
    {
        play.picture = Some((images.add(img), size));
    }
    if play.order.is_empty()
        && let StepBody::Sort { items, mode, .. } = &step.body
    {
        // Start from a shuffled order that is never the right one.
        let n = items.len();
        play.order = (0..n).map(|i| (i + 1) % n.max(1)).collect();
        if *mode == SortMode::Bins {
            play.placed = vec![None; n];
        }
    }
    let v = &*visitor;
    let play = &*play;
    redraw::rebuild(&mut commands, area, |p| {
        if enjoy {
            p.spawn(widget::heading(v.say("Tu as aimé ?", "Did you like it?")));
            p.spawn(widget::row(l)).with_children(|r| {
                for (e, fr, en) in [
                    (0u8, "☹ Non", "☹ No"),
                    (1, "Un peu", "A bit"),
                    (2, "☺ Oui", "☺ Yes"),
                ] {
                    r.spawn((widget::button(v.say(fr, en)), PlayButton::Enjoy(e)));
                }
            });
            return;
        }
        step_content(p, step, v, play, l);
    });
}

fn step_content(p: &mut ChildSpawnerCommands, step: &Step, v: &Visitor, play: &Play, l: Layout) {
    let low_reach = l.low_reach;
    let picture = || play.picture.clone();
    p.spawn(widget::heading(v.t(step.body.main_text())));
    match &step.body {
        StepBody::Info { .. } => {
            if let Some((h, sz)) = picture() {
                p.spawn(fitted(h, sz, 900.0, 340.0));
            }
            p.spawn((
                widget::button(v.say("Continuer", "Continue")),
                PlayButton::Continue,
            ));
        }
        StepBody::Choice { options, .. } => {
            if let Some((h, sz)) = picture() {
                p.spawn(fitted(h, sz, 700.0, 280.0));
            }
            p.spawn(widget::row(l)).with_children(|r| {
                for (i, o) in options.iter().enumerate() {
                    r.spawn((widget::button(v.t(&o.label)), PlayButton::Choice(i)));
                }
            });
        }
        StepBody::Multi {
            options, min, max, ..
        } => {
            p.spawn(widget::body(match v.lang {
                crate::domain::text::Lang::En => format!("Pick {min} to {max}."),
                crate::domain::text::Lang::Fr => format!("Choisis-en de {min} à {max}."),
            }));
            p.spawn(widget::row(l)).with_children(|r| {
                for (i, o) in options.iter().enumerate() {
                    r.spawn((
                        widget::toggle(v.t(&o.label), play.picked.contains(&i)),
                        PlayButton::Toggle(i),
                    ));
                }
            });
            let ok = (usize::from(*min)..=usize::from(*max)).contains(&play.picked.len());
            if ok {
                p.spawn((
                    widget::button(v.say("Valider", "Done")),
                    PlayButton::Validate,
                ));
            }
        }
        StepBody::Scale { points, .. } => {
            if let Some((h, sz)) = picture() {
                p.spawn(fitted(h, sz, 700.0, 280.0));
            }
            p.spawn(widget::row(l)).with_children(|r| {
                for i in 0..*points {
                    let (word, heart) = if *points == 3 {
                        (
                            v.say(SCALE3_FR[usize::from(i)], SCALE3_EN[usize::from(i)]),
                            HEARTS3[usize::from(i)],
                        )
                    } else {
                        let k = usize::from(i).min(4);
                        (v.say(SCALE_FR[k], SCALE_EN[k]), HEARTS[k])
                    };
                    r.spawn((scale_button(heart, word), PlayButton::Scale(i)));
                }
            });
        }
        StepBody::Sort {
            mode, bins, items, ..
        } => {
            p.spawn(widget::body(v.say(
                "Fais glisser, ou touche un élément puis sa place.",
                "Drag, or tap an item and then its place.",
            )));
            match mode {
                SortMode::Order => {
                    p.spawn(widget::row(l)).with_children(|c| {
                        for (pos, item) in play.order.iter().enumerate() {
                            let label = v.t(&items[*item].label);
                            c.spawn((
                                widget::toggle_shown(
                                    &format!("{} · {label}", pos + 1),
                                    label,
                                    play.selected == Some(*item),
                                ),
                                Draggable,
                                DropZone,
                                PlayButton::Item(*item),
                            ));
                        }
                    });
                }
                SortMode::Bins => {
                    p.spawn(widget::row(l)).with_children(|r| {
                        for (i, item) in items.iter().enumerate() {
                            if play.placed.get(i).copied().flatten().is_none() {
                                r.spawn((
                                    widget::toggle(v.t(&item.label), play.selected == Some(i)),
                                    Draggable,
                                    PlayButton::Item(i),
                                ));
                            }
                        }
                    });
                    p.spawn(widget::row(l)).with_children(|r| {
                        for (b, bin) in bins.iter().enumerate() {
                            let inside: Vec<&str> = items
                                .iter()
                                .enumerate()
                                .filter(|(i, _)| play.placed.get(*i).copied().flatten() == Some(b))
                                .map(|(_, it)| v.t(&it.label))
                                .collect();
                            r.spawn((
                                bin_box(v.t(&bin.label), &inside),
                                DropZone,
                                PlayButton::Bin(b),
                            ));
                        }
                    });
                }
            }
            let ready = match mode {
                SortMode::Order => true,
                SortMode::Bins => play.placed.iter().all(Option::is_some),
            };
            if ready {
                p.spawn((
                    widget::button(v.say("Valider", "Done")),
                    PlayButton::Validate,
                ));
            }
        }
        StepBody::Hotspot { zones, .. } | StepBody::Panorama { zones, .. } => {
            let pano = matches!(step.body, StepBody::Panorama { .. });
            let pic_h = if low_reach {
                LOW_REACH_PICTURE_H
            } else {
                PICTURE_H
            };
            let fb = play.feedback.as_ref().map_or_else(
                || v.say("Touche l'image.", "Tap the picture.").to_owned(),
                |t| v.t(t).to_owned(),
            );
            // Low reach: the feedback is read, not touched, so it goes above the picture.
            if low_reach {
                p.spawn(widget::body(fb.clone()));
            }
            if let Some((h, sz)) = picture() {
                let scale = pic_h / sz.y as f32;
                let shown = Vec2::new(sz.x as f32 * scale, pic_h);
                let zp = ZonePicture { image: sz, shown };
                if pano {
                    p.spawn(widget::row(l)).with_children(|r| {
                        r.spawn((
                            widget::icon_button("◀", "Tourner à gauche"),
                            PlayButton::Pan(-1),
                        ));
                        r.spawn((
                            Name::new("Panorama"),
                            Node {
                                width: px(PANO_W.min(shown.x)),
                                height: px(pic_h),
                                overflow: Overflow::clip(),
                                border_radius: BorderRadius::all(px(size::RADIUS)),
                                ..default()
                            },
                            Tappable,
                            Draggable,
                            zp,
                            PlayButton::Picture,
                        ))
                        .with_children(|w| {
                            w.spawn((
                                Strip { width: shown.x },
                                Node {
                                    position_type: PositionType::Absolute,
                                    left: px(-play.pan),
                                    width: px(shown.x * 2.0),
                                    height: px(pic_h),
                                    flex_direction: FlexDirection::Row,
                                    ..default()
                                },
                            ))
                            .with_children(|st| {
                                for copy in 0..2 {
                                    st.spawn((
                                        ImageNode::new(h.clone()),
                                        Node {
                                            width: px(shown.x),
                                            height: px(pic_h),
                                            ..default()
                                        },
                                    ))
                                    .with_children(|im| zone_marks(im, zones, zp, play, copy));
                                }
                            });
                        });
                        r.spawn((
                            widget::icon_button("▶", "Tourner à droite"),
                            PlayButton::Pan(1),
                        ));
                    });
                } else {
                    p.spawn((
                        Name::new("Hotspot"),
                        ImageNode::new(h),
                        Node {
                            width: px(shown.x),
                            height: px(shown.y),
                            ..default()
                        },
                        Tappable,
                        zp,
                        PlayButton::Picture,
                    ))
                    .with_children(|im| zone_marks(im, zones, zp, play, 0));
                }
            }
            if !low_reach {
                p.spawn(widget::body(fb));
            }
            p.spawn((
                widget::quiet_button(v.say("J'ai fini", "I'm done")),
                PlayButton::Done,
            ));
        }
        StepBody::Timed {
            seconds,
            bins,
            items,
            ..
        } => {
            let left = if v.untimed {
                v.say("Sans limite de temps", "No time limit").to_owned()
            } else {
                countdown_text(v, *seconds, play.since, play.since)
            };
            p.spawn((
                widget::text(left, size::HEADING, palette::WARNING),
                Countdown,
            ));
            if let Some(item) = items.get(play.timed_index) {
                p.spawn((
                    widget::text(v.t(&item.label), size::TITLE, palette::TEXT),
                    Node {
                        padding: UiRect::all(px(24)),
                        border_radius: BorderRadius::all(px(size::RADIUS)),
                        ..default()
                    },
                    BackgroundColor(palette::PANEL),
                ));
            }
            p.spawn(widget::row(l)).with_children(|r| {
                for (b, bin) in bins.iter().enumerate() {
                    r.spawn((widget::button(v.t(&bin.label)), PlayButton::Bin(b)));
                }
            });
        }
    }
}

fn countdown_text(v: &Visitor, seconds: u32, since: Duration, now: Duration) -> String {
    let left = u64::from(seconds).saturating_sub(now.saturating_sub(since).as_secs());
    match v.lang {
        crate::domain::text::Lang::En => format!("{left} s left"),
        crate::domain::text::Lang::Fr => format!("Il reste {left} s"),
    }
}

fn zone_marks(
    p: &mut ChildSpawnerCommands,
    zones: &[crate::domain::scenario::Zone],
    zp: ZonePicture,
    play: &Play,
    copy: usize,
) {
    let k = zp.shown.x / zp.image.x as f32;
    for (i, z) in zones.iter().enumerate() {
        let [x, y, w, h] = z.rect.map(|v| v as f32 * k);
        let found = play.found.contains(&i);
        p.spawn((
            ZoneMark(i),
            Label(format!("zone:{}", z.id)),
            Name::new(format!("Zone {} copy {copy}", z.id)),
            Node {
                position_type: PositionType::Absolute,
                left: px(x),
                top: px(y),
                width: px(w),
                height: px(h),
                border: UiRect::all(px(if found { 8 } else { 0 })),
                border_radius: BorderRadius::all(px(16)),
                ..default()
            },
            BorderColor::all(palette::BUTTON),
        ));
    }
}

fn fitted(h: Handle<Image>, sz: UVec2, max_w: f32, max_h: f32) -> impl Bundle {
    let k = (max_w / sz.x as f32).min(max_h / sz.y as f32);
    (
        ImageNode::new(h),
        Node {
            width: px(sz.x as f32 * k),
            height: px(sz.y as f32 * k),
            border_radius: BorderRadius::all(px(size::RADIUS)),
            ..default()
        },
    )
}

fn scale_button(heart: &str, word: &str) -> impl Bundle {
    (
        Name::new(format!("Scale {word}")),
        Label(word.to_owned()),
        Tappable,
        crate::app::theme::interaction::Look {
            normal: palette::BUTTON,
            pressed: palette::PRESSED,
        },
        BackgroundColor(palette::BUTTON),
        Node {
            width: px(240),
            min_height: px(180),
            flex_direction: FlexDirection::Column,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            border_radius: BorderRadius::all(px(size::RADIUS)),
            ..default()
        },
        children![
            widget::text(heart.to_owned(), size::HEADING, palette::BUTTON_TEXT),
            widget::text(word.to_owned(), size::BODY, palette::BUTTON_TEXT),
        ],
    )
}

fn bin_box(label: &str, inside: &[&str]) -> impl Bundle {
    let list = if inside.is_empty() {
        "…".to_owned()
    } else {
        inside.join("\n")
    };
    (
        Name::new(format!("Bin {label}")),
        Label(label.to_owned()),
        Tappable,
        crate::app::theme::interaction::Look {
            normal: palette::PANEL,
            pressed: palette::QUIET_PRESSED,
        },
        BackgroundColor(palette::PANEL),
        Node {
            min_width: px(320),
            min_height: px(200),
            padding: UiRect::all(px(20)),
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Center,
            row_gap: px(12),
            border: UiRect::all(px(4)),
            border_radius: BorderRadius::all(px(size::RADIUS)),
            ..default()
        },
        BorderColor::all(palette::BUTTON),
        children![
            widget::text(label.to_owned(), size::BODY, palette::TEXT),
            widget::text(list, size::SMALL, palette::TEXT_SOFT),
        ],
    )
}

/// The answer for a finished game: its score, before "Tu as aimé ?".
fn game_score(step: &Step, play: &Play) -> (u16, u16) {
    let n = |x: usize| u16::try_from(x).unwrap_or(u16::MAX);
    match &step.body {
        StepBody::Sort {
            mode: SortMode::Order,
            items,
            ..
        } => (
            n(play
                .order
                .iter()
                .enumerate()
                .filter(|(pos, i)| *pos == **i)
                .count()),
            n(items.len()),
        ),
        StepBody::Sort { items, bins, .. } => (
            n(items
                .iter()
                .enumerate()
                .filter(|(i, it)| {
                    play.placed
                        .get(*i)
                        .copied()
                        .flatten()
                        .and_then(|b| bins.get(b))
                        .map(|b| &b.id)
                        == it.bin.as_ref()
                })
                .count()),
            n(items.len()),
        ),
        StepBody::Hotspot { zones, .. } | StepBody::Panorama { zones, .. } => (
            n(play
                .found
                .iter()
                .filter(|z| zones.get(**z).is_some_and(|z| z.target))
                .count()),
            n(zones.iter().filter(|z| z.target).count()),
        ),
        StepBody::Timed { items, .. } => (play.timed_correct, n(items.len())),
        _ => (0, 0),
    }
}

fn on_play_tap(
    tap: On<Tapped>,
    buttons: Query<&PlayButton>,
    pictures: Query<(&ZonePicture, &ComputedNode, &UiGlobalTransform)>,
    station: Res<Station>,
    mut day: ResMut<DaySettings>,
    mut visitor: ResMut<Visitor>,
    mut play: ResMut<Play>,
    clock: Res<Clock>,
    mut counts: ResMut<Counts>,
    mut log: MessageWriter<Logged>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Ok(button) = buttons.get(tap.entity).copied() else {
        return;
    };
    match button {
        PlayButton::VolumeDown => {
            day.volume = (day.volume - 0.1).max(0.0);
            day.muted = false;
            return;
        }
        PlayButton::VolumeUp => {
            day.volume = (day.volume + 0.1).min(1.0);
            day.muted = false;
            return;
        }
        PlayButton::Mute => {
            day.muted = !day.muted;
            return;
        }
        _ => {}
    }
    let Some(si) = visitor.scenario else { return };
    let Some(scenario) = station.content.scenarios.get(si).cloned() else {
        return;
    };
    let Some(index) = visitor.session.as_ref().and_then(Session::current) else {
        return;
    };
    let Some(step) = scenario.steps.get(index) else {
        return;
    };
    let now = clock.ms();
    let mut answer: Option<Answer> = None;
    let mut finished_game = false;
    match (button, &step.body, &play.phase) {
        (PlayButton::Back, _, Phase::Enjoy { .. }) => {
            play.reset_step(clock.now);
            play.built = None;
            return;
        }
        (PlayButton::Back, ..) => {
            let Some(session) = visitor.session.as_mut() else {
                return;
            };
            match session.back(now) {
                Ok(events) => {
                    for e in events {
                        log.write(Logged {
                            session: session.id,
                            scenario: scenario.id.clone(),
                            source: session.source,
                            event: e,
                        });
                    }
                    play.reset_step(clock.now);
                    play.built = None;
                }
                Err(_) => {
                    end_session(&mut visitor, Outcome::Abandoned, &mut counts, &mut log);
                    visitor.session = None;
                    next.set(Screen::Welcome);
                }
            }
            return;
        }
        (PlayButton::Skip, _, Phase::Enjoy { found, total }) => {
            answer = Some(Answer::Game {
                found: *found,
                total: *total,
                enjoy: None,
            });
        }
        (PlayButton::Skip, ..) => {
            let Some(session) = visitor.session.as_mut() else {
                return;
            };
            if let Ok(events) = session.skip(&scenario, now) {
                for e in events {
                    log.write(Logged {
                        session: session.id,
                        scenario: scenario.id.clone(),
                        source: session.source,
                        event: e,
                    });
                }
            }
            after_move(
                &mut visitor,
                &mut play,
                &clock,
                &mut counts,
                &mut log,
                &mut next,
            );
            return;
        }
        (PlayButton::Enjoy(e), _, Phase::Enjoy { found, total }) => {
            answer = Some(Answer::Game {
                found: *found,
                total: *total,
                enjoy: Some(e),
            });
        }
        (PlayButton::Continue, StepBody::Info { .. }, _) => answer = Some(Answer::Seen),
        (PlayButton::Choice(i), StepBody::Choice { .. }, _) => answer = Some(Answer::Choice(i)),
        (PlayButton::Toggle(i), StepBody::Multi { max, .. }, _) => {
            if let Some(pos) = play.picked.iter().position(|x| *x == i) {
                play.picked.remove(pos);
            } else if play.picked.len() < usize::from(*max) {
                play.picked.push(i);
            }
            play.dirty = true;
        }
        (PlayButton::Validate, StepBody::Multi { .. }, _) => {
            let mut picked = play.picked.clone();
            picked.sort_unstable();
            answer = Some(Answer::Multi(picked));
        }
        (PlayButton::Scale(p), StepBody::Scale { .. }, _) => answer = Some(Answer::Scale(p)),
        (PlayButton::Item(i), StepBody::Sort { mode, .. }, _) => {
            match (play.selected, mode) {
                (Some(sel), SortMode::Order) if sel != i => {
                    swap_items(&mut play, sel, i);
                    play.selected = None;
                }
                (Some(sel), _) if sel == i => play.selected = None,
                _ => {
                    if *mode == SortMode::Bins
                        && let Some(slot) = play.placed.get_mut(i)
                    {
                        *slot = None;
                    }
                    play.selected = Some(i);
                }
            }
            play.dirty = true;
        }
        (PlayButton::Bin(b), StepBody::Sort { .. }, _) => {
            if let Some(sel) = play.selected.take()
                && let Some(slot) = play.placed.get_mut(sel)
            {
                *slot = Some(b);
                play.dirty = true;
            }
        }
        (PlayButton::Validate, StepBody::Sort { .. }, _) => finished_game = true,
        (PlayButton::Bin(b), StepBody::Timed { bins, items, .. }, _) => {
            if let Some(item) = items.get(play.timed_index) {
                if item.bin.as_ref() == bins.get(b).map(|x| &x.id) {
                    play.timed_correct += 1;
                }
                play.timed_index += 1;
                play.dirty = true;
                if play.timed_index >= items.len() {
                    finished_game = true;
                }
            }
        }
        (PlayButton::Pan(d), StepBody::Panorama { .. }, _) => {
            play.pan += f32::from(d) * PANO_W / 2.0;
        }
        (
            PlayButton::Picture,
            StepBody::Hotspot { zones, find, .. } | StepBody::Panorama { zones, find, .. },
            _,
        ) => {
            let Ok((zp, node, tf)) = pictures.get(tap.entity) else {
                return;
            };
            let pano = matches!(step.body, StepBody::Panorama { .. });
            let Some(local) = node.normalize_point(*tf, tap.physical) else {
                return;
            };
            // Layout pixels within the picture (or the panorama window), from its left/top.
            let shown_w = node.size.x * node.inverse_scale_factor();
            let mut x = (local.x + 0.5) * shown_w;
            let y = (local.y + 0.5) * zp.shown.y;
            if pano {
                x = (x + play.pan).rem_euclid(zp.shown.x);
            }
            let k = zp.image.x as f32 / zp.shown.x;
            let (ix, iy, margin) = (x * k, y * k, ZONE_MARGIN * k);
            let hit = zones
                .iter()
                .enumerate()
                .filter(|(_, z)| {
                    let [zx, zy, w, h] = z.rect.map(|v| v as f32);
                    ix >= zx - margin
                        && ix < zx + w + margin
                        && iy >= zy - margin
                        && iy < zy + h + margin
                })
                .min_by(|(_, a), (_, b)| {
                    let d = |z: &crate::domain::scenario::Zone| {
                        let [zx, zy, w, h] = z.rect.map(|v| v as f32);
                        Vec2::new(zx + w / 2.0 - ix, zy + h / 2.0 - iy).length()
                    };
                    d(a).total_cmp(&d(b))
                })
                .map(|(i, _)| i);
            if let Some(i) = hit {
                if !play.found.contains(&i) {
                    play.found.push(i);
                }
                play.feedback = zones[i].feedback.clone();
                play.dirty = true;
                let targets = play
                    .found
                    .iter()
                    .filter(|z| zones.get(**z).is_some_and(|z| z.target))
                    .count();
                if targets >= *find {
                    finished_game = true;
                }
            }
        }
        (PlayButton::Done, StepBody::Hotspot { .. } | StepBody::Panorama { .. }, _) => {
            finished_game = true
        }
        _ => {}
    }
    if finished_game {
        let (found, total) = game_score(step, &play);
        play.phase = Phase::Enjoy { found, total };
        play.dirty = true;
        return;
    }
    let Some(answer) = answer else { return };
    let Some(session) = visitor.session.as_mut() else {
        return;
    };
    match session.answer(&scenario, answer, now) {
        Ok(events) => {
            for e in events {
                log.write(Logged {
                    session: session.id,
                    scenario: scenario.id.clone(),
                    source: session.source,
                    event: e,
                });
            }
        }
        Err(e) => warn!("réponse refusée / answer refused: {e}"),
    }
    after_move(
        &mut visitor,
        &mut play,
        &clock,
        &mut counts,
        &mut log,
        &mut next,
    );
}

fn swap_items(play: &mut Play, a: usize, b: usize) {
    let pa = play.order.iter().position(|x| *x == a);
    let pb = play.order.iter().position(|x| *x == b);
    if let (Some(pa), Some(pb)) = (pa, pb) {
        play.order.swap(pa, pb);
    }
}

/// After an answer, a skip: the next step, or the results at the end.
fn after_move(
    visitor: &mut Visitor,
    play: &mut Play,
    clock: &Clock,
    counts: &mut Counts,
    log: &mut MessageWriter<Logged>,
    next: &mut NextState<Screen>,
) {
    play.reset_step(clock.now);
    let Some(session) = visitor.session.as_mut() else {
        return;
    };
    if session.current().is_none() {
        if let Ok(events) = session.complete() {
            counts.ended(Outcome::Completed);
            for e in events {
                log.write(Logged {
                    session: session.id,
                    scenario: session.scenario.clone(),
                    source: session.source,
                    event: e,
                });
            }
        }
        next.set(Screen::Results);
    }
}

fn on_drag(
    drag: On<DragMoved>,
    buttons: Query<&PlayButton>,
    mut play: ResMut<Play>,
    mut tf: Query<&mut UiTransform>,
    scale: Res<UiScale>,
) {
    // Finger moves are in window pixels; layout is in UI pixels.
    let k = 1.0 / scale.0.max(0.1);
    match buttons.get(drag.entity) {
        Ok(PlayButton::Picture) => play.pan -= drag.delta.x * k,
        Ok(PlayButton::Item(_)) => {
            if let Ok(mut t) = tf.get_mut(drag.entity) {
                t.translation = Val2::px(drag.total.x * k, drag.total.y * k);
            }
        }
        _ => {}
    }
}

fn on_drop(
    drop: On<Dropped>,
    buttons: Query<&PlayButton>,
    mut play: ResMut<Play>,
    mut tf: Query<&mut UiTransform>,
) {
    if let Ok(mut t) = tf.get_mut(drop.entity) {
        t.translation = Val2::ZERO;
    }
    let Ok(PlayButton::Item(i)) = buttons.get(drop.entity).copied() else {
        return;
    };
    match drop.on.and_then(|e| buttons.get(e).ok().copied()) {
        Some(PlayButton::Item(j)) if j != i => swap_items(&mut play, i, j),
        Some(PlayButton::Bin(b)) => {
            if let Some(slot) = play.placed.get_mut(i) {
                *slot = Some(b);
            }
        }
        _ => {}
    }
    play.selected = None;
    play.dirty = true;
}

fn pan_strip(play: Res<Play>, mut strips: Query<(&Strip, &mut Node)>) {
    if !play.is_changed() {
        return;
    }
    for (strip, mut node) in &mut strips {
        let off = play.pan.rem_euclid(strip.width);
        node.left = px(-off);
    }
}

fn tick_timed(
    mut play: ResMut<Play>,
    visitor: Res<Visitor>,
    station: Res<Station>,
    clock: Res<Clock>,
    mut wake: ResMut<Wake>,
    mut texts: Query<&mut bevy::prelude::Text, With<Countdown>>,
) {
    if visitor.untimed || play.phase != Phase::Step {
        return;
    }
    let (Some(s), Some(i)) = (
        visitor.scenario(&station),
        visitor.session.as_ref().and_then(Session::current),
    ) else {
        return;
    };
    let Some(step) = s.steps.get(i) else { return };
    let StepBody::Timed { seconds, .. } = &step.body else {
        return;
    };
    let end = play.since + Duration::from_secs(u64::from(*seconds));
    if clock.now >= end {
        let (found, total) = game_score(step, &play);
        play.phase = Phase::Enjoy { found, total };
        play.dirty = true;
        return;
    }
    let label = countdown_text(&visitor, *seconds, play.since, clock.now);
    for mut t in &mut texts {
        if t.0 != label {
            t.0 = label.clone();
        }
    }
    let elapsed = clock.now.saturating_sub(play.since);
    wake.at(play.since + Duration::from_secs(elapsed.as_secs() + 1));
}
