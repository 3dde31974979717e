//! The visitor's path on a headless station (real `DefaultPlugins`, no window, no GPU),
//! driven by simulated touches at computed widget positions.

use crate::support::station::{Folder, quiet};
use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use klub_kiosk::app::Launch;
use klub_kiosk::app::bridge::{Station, Visitor};
use klub_kiosk::app::harness::Harness;
use klub_kiosk::app::input::Pressed;
use klub_kiosk::app::screens::Screen;
use klub_kiosk::app::screens::play::Play;
use klub_kiosk::app::screens::results::PassQr;
use klub_kiosk::domain::session::Session;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn launch() -> Launch {
    quiet("kiosk-config/default.toml")
}

/// A copy of the bundled content plus a scenario with a `multi` step (none is bundled),
/// and a config pointing at it with its log in the temp folder.
fn content_with_multi(dir: &Path, extra_config: &str) -> PathBuf {
    Folder {
        multi: true,
        ..Folder::default()
    }
    .write(dir, |c| c + extra_config)
}

#[test]
fn every_step_type_and_every_bundled_scenario_plays_through_with_its_text_on_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = content_with_multi(tmp.path(), "");
    let probe = Harness::new(Launch {
        config: cfg.clone(),
        no_log: true,
        ..Default::default()
    });
    let titles: Vec<(String, String)> = {
        let st = probe.app.world().resource::<Station>();
        assert!(st.warning.is_none(), "{:?}", st.warning);
        st.content
            .scenarios
            .iter()
            .map(|s| (s.id.clone(), s.title.fr.clone()))
            .collect()
    };
    drop(probe);
    let mut types = BTreeSet::new();
    for (id, title) in &titles {
        let mut h = Harness::new(Launch {
            config: cfg.clone(),
            no_log: true,
            ..Default::default()
        });
        h.start(Some(title)).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(h.screen(), Screen::Play, "{id}");
        let played = h.play_through().unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(h.screen(), Screen::Results, "{id}: {played:?}");
        types.extend(played);
        // Results: strengths, trades, mediator, a QR; no numbers, no letter code.
        assert!(
            h.shows("Parles-en au médiateur ou à la médiatrice du Klub"),
            "{id}"
        );
        assert!(h.shows("Tes pistes à explorer"), "{id}");
        let qr = h
            .world()
            .query_filtered::<&ImageNode, With<PassQr>>()
            .iter(h.app.world())
            .count();
        assert_eq!(qr, 1, "{id}: QR on screen");
        // Trade names may hold digits ("3D"); scores and counts may not.
        let names: Vec<String> = h
            .app
            .world()
            .resource::<Station>()
            .content
            .catalogue
            .trades
            .iter()
            .map(|t| t.name.fr.clone())
            .collect();
        let texts = h.texts();
        for t in &texts {
            let bare = names
                .iter()
                .fold(t.clone(), |acc, n| acc.replace(n.as_str(), ""));
            assert!(
                !bare.chars().any(|c| c.is_ascii_digit()),
                "{id}: number on results: {t}"
            );
            assert!(
                !t.contains("RIA") && !t.contains("SEC"),
                "{id}: letter code: {t}"
            );
        }
        h.tap("Terminer").unwrap();
        assert_eq!(h.screen(), Screen::Thanks);
        h.run(Duration::from_secs(9));
        assert_eq!(h.screen(), Screen::Attract, "{id}: back to attract");
    }
    for t in [
        "info", "choice", "multi", "scale", "sort", "hotspot", "panorama", "timed", "enjoy",
    ] {
        assert!(types.contains(t), "step type {t} never played: {types:?}");
    }
}

fn current_step(h: &mut Harness) -> Option<usize> {
    h.app
        .world()
        .resource::<Visitor>()
        .session
        .as_ref()
        .and_then(Session::current)
}

fn into_express(h: &mut Harness) {
    h.start(Some("Tes talents en 2 minutes")).unwrap();
    assert_eq!(h.screen(), Screen::Play);
    h.tap("Continuer").unwrap();
    assert_eq!(current_step(h), Some(1));
}

#[test]
fn a_double_tap_or_a_lifting_finger_never_answers_the_next_step() {
    let mut h = Harness::new(launch());
    into_express(&mut h);
    // Step 1 is a scale: tap "Beaucoup", then tap again at once on the same spot.
    h.settle();
    let spot = h.find("Beaucoup").unwrap();
    h.tap_at(spot);
    assert_eq!(current_step(&mut h), Some(2));
    h.tap_at(spot);
    h.frame();
    assert_eq!(
        current_step(&mut h),
        Some(2),
        "second tap of a double tap answered step 2"
    );
    // A finger put down before the change and lifted after it answers nothing either.
    h.settle();
    let other = h.find("Pas du tout").unwrap();
    h.touch(50, TouchPhase::Started, other);
    h.frame();
    h.touch(51, TouchPhase::Started, spot);
    h.frame();
    // Finger 50 is the active one; release it: it answers step 2.
    h.touch(50, TouchPhase::Ended, other);
    h.frame();
    assert_eq!(current_step(&mut h), Some(3));
    h.touch(51, TouchPhase::Ended, spot);
    h.frame();
    assert_eq!(
        current_step(&mut h),
        Some(3),
        "a finger lifting after the change answered"
    );
    // After the guard, a tap works again.
    h.tap("Beaucoup").unwrap();
    assert_eq!(current_step(&mut h), Some(4));
}

#[test]
fn pressed_on_touch_down_acts_on_release_inside_only() {
    let mut h = Harness::new(launch());
    into_express(&mut h);
    h.settle();
    let spot = h.find("Beaucoup").unwrap();
    h.touch(9, TouchPhase::Started, spot);
    h.frame();
    let pressed: Vec<String> = {
        let w = h.world();
        let mut q = w
            .query_filtered::<(&klub_kiosk::app::theme::widget::Label, &BackgroundColor), With<Pressed>>();
        q.iter(w)
            .map(|(l, bg)| {
                assert_eq!(bg.0, klub_kiosk::app::theme::palette::PRESSED);
                l.0.clone()
            })
            .collect()
    };
    assert_eq!(
        pressed,
        vec!["Beaucoup".to_owned()],
        "pressed state in the next frame"
    );
    // Slide off and lift: nothing happens.
    h.touch(9, TouchPhase::Moved, Vec2::new(960.0, 60.0));
    h.frame();
    h.touch(9, TouchPhase::Ended, Vec2::new(960.0, 60.0));
    h.frame();
    assert_eq!(current_step(&mut h), Some(1));
    // Extra fingers are ignored: the first finger acts, the second does not.
    let other = h.find("Pas du tout").unwrap();
    h.touch(10, TouchPhase::Started, spot);
    h.frame();
    h.touch(11, TouchPhase::Started, other);
    h.frame();
    h.touch(11, TouchPhase::Ended, other);
    h.frame();
    assert_eq!(current_step(&mut h), Some(1), "an extra finger answered");
    h.touch(10, TouchPhase::Ended, spot);
    h.frame();
    assert_eq!(current_step(&mut h), Some(2));
    // A palm (three contacts) cancels everything.
    h.settle();
    h.touch(20, TouchPhase::Started, spot);
    h.touch(21, TouchPhase::Started, spot + Vec2::new(30.0, 0.0));
    h.touch(22, TouchPhase::Started, spot + Vec2::new(60.0, 10.0));
    h.frame();
    for id in [20, 21, 22] {
        h.touch(id, TouchPhase::Ended, spot);
    }
    h.frame();
    assert_eq!(current_step(&mut h), Some(2), "a palm answered");
    // A cancelled touch does nothing; a touch that never ends is let go.
    h.touch(30, TouchPhase::Started, spot);
    h.frame();
    h.touch(30, TouchPhase::Canceled, spot);
    h.frame();
    assert_eq!(current_step(&mut h), Some(2));
    h.touch(31, TouchPhase::Started, other);
    h.run(Duration::from_secs(21));
    h.tap("Beaucoup").unwrap();
    assert_eq!(
        current_step(&mut h),
        Some(3),
        "a stuck finger blocked the next tap"
    );
}

#[test]
fn a_stray_cursor_does_nothing_and_the_mouse_works_like_a_finger() {
    use bevy::input::ButtonState;
    use bevy::input::mouse::MouseButtonInput;
    use bevy::window::{CursorMoved, PrimaryWindow};
    let mut h = Harness::new(launch());
    into_express(&mut h);
    h.settle();
    let spot = h.find("Beaucoup").unwrap();
    let win = h
        .world()
        .query_filtered::<Entity, With<PrimaryWindow>>()
        .single(h.app.world())
        .unwrap();
    // A pointer resting on a button, with no press: nothing.
    h.world()
        .get_mut::<Window>(win)
        .unwrap()
        .set_cursor_position(Some(spot));
    h.world().write_message(CursorMoved {
        window: win,
        position: spot,
        delta: None,
    });
    h.run(Duration::from_secs(1));
    assert_eq!(current_step(&mut h), Some(1));
    // A touch elsewhere acts where the finger is, not where the cursor rests.
    let other = h.find("Pas du tout").unwrap();
    h.tap_at(other);
    assert_eq!(current_step(&mut h), Some(2));
    let answers = h
        .app
        .world()
        .resource::<Visitor>()
        .session
        .as_ref()
        .unwrap()
        .answers();
    assert_eq!(
        answers[1].1,
        klub_kiosk::domain::scoring::Answer::Scale(0),
        "the cursor's button was pressed instead"
    );
    // The mouse button works like a finger.
    h.settle();
    let spot = h.find("Beaucoup").unwrap();
    h.world()
        .get_mut::<Window>(win)
        .unwrap()
        .set_cursor_position(Some(spot));
    for state in [ButtonState::Pressed, ButtonState::Released] {
        h.world().write_message(MouseButtonInput {
            button: MouseButton::Left,
            state,
            window: win,
        });
        h.frame();
    }
    assert_eq!(current_step(&mut h), Some(3));
}

fn visitor_traces(h: &mut Harness, texts: &[String]) {
    let v = h.app.world().resource::<Visitor>();
    assert!(v.session.is_none() && v.scenario.is_none() && v.pass.is_none() && v.qr.is_none());
    assert!(v.scanned.is_none() && v.pass_url.is_none() && v.source.is_none());
    assert_eq!(*h.app.world().resource::<Play>(), Play::default());
    let on_screen = h.texts();
    for t in texts {
        assert!(
            !on_screen.iter().any(|s| s.contains(t.as_str())),
            "left on screen: {t}"
        );
    }
}

#[test]
fn idle_reset_drops_everything_about_the_visitor() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = content_with_multi(tmp.path(), "");
    let mut h = Harness::new(Launch {
        config: cfg,
        ..Default::default()
    });
    into_express(&mut h);
    for _ in 0..5 {
        h.play_step().unwrap();
    }
    let step_text = h.step_text().unwrap();
    assert!(h.shows(&step_text));
    // 45 s without a touch on a scale step: the warning, then the countdown.
    h.run(Duration::from_secs(44));
    assert!(!h.shows("Tu es toujours là ?"));
    h.run(Duration::from_secs(2));
    assert!(h.shows("Tu es toujours là ?"));
    h.run(Duration::from_secs(10));
    assert_eq!(h.screen(), Screen::Attract);
    visitor_traces(&mut h, &[step_text]);
    // The log says idle_timeout.
    let log = klub_kiosk::app::log::log_path(h.app.world().resource::<Station>());
    h.app
        .world()
        .resource::<klub_kiosk::app::log::VisitLog>()
        .writer
        .as_ref()
        .unwrap()
        .flush(Duration::from_secs(5));
    let conn = rusqlite::Connection::open(&log).unwrap();
    let outcome: String = conn
        .query_row("SELECT outcome FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(outcome, "idle_timeout");

    // The same from the results screen: the QR texture goes too.
    into_express(&mut h);
    h.play_through().unwrap();
    assert_eq!(h.screen(), Screen::Results);
    let qr = h.app.world().resource::<Visitor>().qr.clone().unwrap();
    let strengths: Vec<String> = h
        .texts()
        .into_iter()
        .filter(|t| t.starts_with("Ce qui t'attire") || t.starts_with("Pas "))
        .collect();
    h.run(Duration::from_secs(57));
    assert_eq!(h.screen(), Screen::Attract);
    h.frame();
    assert!(
        h.app.world().resource::<Assets<Image>>().get(&qr).is_none(),
        "QR texture left"
    );
    let imgs = h
        .world()
        .query::<&ImageNode>()
        .iter(h.app.world())
        .filter(|i| i.image.id() == qr.id())
        .count();
    assert_eq!(imgs, 0);
    visitor_traces(&mut h, &strengths);
}

#[test]
fn a_reading_step_waits_longer_and_a_touch_cancels_the_warning() {
    let mut h = Harness::new(launch());
    h.start(Some("Tes talents en 2 minutes")).unwrap();
    // Step 0 is an info (reading) step: 90 s.
    h.run(Duration::from_secs(60));
    assert!(!h.shows("Tu es toujours là ?"));
    h.run(Duration::from_secs(31));
    assert!(h.shows("Tu es toujours là ?"));
    h.tap("Je suis là").unwrap();
    assert!(!h.shows("Tu es toujours là ?"));
    h.run(Duration::from_secs(12));
    assert_eq!(h.screen(), Screen::Play, "still playing after the touch");
}

#[test]
fn attract_changes_about_every_ten_seconds_and_asks_for_no_frame_in_between() {
    let mut h = Harness::new(launch());
    h.world()
        .insert_resource(bevy::winit::WinitSettings::default());
    let first = h.texts();
    h.run(Duration::from_secs(5));
    assert_eq!(h.texts(), first);
    // Between changes the station asks winit to sleep until the next slide.
    match h
        .app
        .world()
        .resource::<bevy::winit::WinitSettings>()
        .focused_mode
    {
        bevy::winit::UpdateMode::Reactive { wait, .. } => {
            assert!(wait >= Duration::from_secs(4), "{wait:?}")
        }
        m => panic!("{m:?}"),
    }
    h.run(Duration::from_secs(6));
    assert_ne!(h.texts(), first, "the attract screen did not change");
}

/// Every target on screen lies inside the window.
fn targets_inside(h: &mut Harness, size: Vec2) -> Vec<String> {
    let w = h.world();
    let mut q = w.query_filtered::<(
        &ComputedNode,
        &UiGlobalTransform,
        &InheritedVisibility,
        Option<&klub_kiosk::app::theme::widget::Label>,
    ), With<klub_kiosk::app::input::Tappable>>();
    q.iter(w)
        .filter(|(_, _, v, _)| v.get())
        .filter_map(|(n, t, _, l)| {
            let half = n.size / 2.0;
            let (min, max) = (t.translation - half, t.translation + half);
            let out = min.x < -1.0 || min.y < -1.0 || max.x > size.x + 1.0 || max.y > size.y + 1.0;
            out.then(|| format!("{l:?}: {min}..{max}"))
        })
        .collect()
}

#[test]
fn small_and_portrait_screens_keep_every_target_on_screen() {
    for (w, hgt) in [(1366u32, 768u32), (1080, 1920), (1920, 1080)] {
        let mut h = Harness::with_size(launch(), (w, hgt));
        let size = Vec2::new(w as f32, hgt as f32);
        h.tap("Commencer").unwrap();
        h.settle();
        assert_eq!(
            targets_inside(&mut h, size),
            Vec::<String>::new(),
            "{w}×{hgt} welcome"
        );
        h.tap("C'est parti !").unwrap();
        h.settle();
        assert_eq!(
            targets_inside(&mut h, size),
            Vec::<String>::new(),
            "{w}×{hgt} choice"
        );
        let label = h
            .labels()
            .into_iter()
            .find(|l| l.starts_with("Une matinée dans un entrepôt"))
            .unwrap();
        h.tap(&label).unwrap();
        for _ in 0..12 {
            h.settle();
            if h.screen() != Screen::Play {
                break;
            }
            assert_eq!(
                targets_inside(&mut h, size),
                Vec::<String>::new(),
                "{w}×{hgt} step {:?}",
                h.step_text()
            );
            h.play_step().unwrap();
        }
    }
}

#[test]
fn low_reach_keeps_the_controls_of_a_step_in_the_lower_part() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = content_with_multi(tmp.path(), "");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("low_reach = false", "low_reach = true");
    std::fs::write(&cfg, text).unwrap();
    let mut h = Harness::new(Launch {
        config: cfg,
        no_log: true,
        ..Default::default()
    });
    h.start(Some("Tes talents en 2 minutes")).unwrap();
    h.tap("Continuer").unwrap();
    h.settle();
    let w = h.world();
    let mut q = w.query_filtered::<(&ComputedNode, &UiGlobalTransform, &InheritedVisibility), With<klub_kiosk::app::input::Tappable>>();
    let tops: Vec<f32> = q
        .iter(w)
        .filter(|(_, _, v)| v.get())
        .map(|(n, t, _)| t.translation.y - n.size.y / 2.0)
        .collect();
    assert!(tops.len() >= 8, "{tops:?}");
    for top in tops {
        assert!(top >= 1080.0 * 0.35, "a control starts at {top} px");
    }
}

/// A silent mono 8-bit WAV of `secs` seconds.
fn silent_wav(secs: u32) -> Vec<u8> {
    let rate = 8000u32;
    let len = rate * secs;
    let mut b = vec![];
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + len).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&8u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&len.to_le_bytes());
    b.resize(b.len() + len as usize, 128);
    b
}

#[test]
fn read_aloud_plays_the_narration_and_it_pauses_the_idle_timer() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = content_with_multi(tmp.path(), "");
    let voix = tmp.path().join("scenarios/talents-express/voix");
    std::fs::create_dir_all(&voix).unwrap();
    std::fs::write(voix.join("accueil.text.fr.wav"), silent_wav(120)).unwrap();
    let mut h = Harness::new(Launch {
        config: cfg,
        no_log: true,
        ..Default::default()
    });
    h.tap("Commencer").unwrap();
    h.tap("Lecture à voix haute").unwrap();
    h.tap("C'est parti !").unwrap();
    let label = h
        .labels()
        .into_iter()
        .find(|l| l.starts_with("Tes talents en 2 minutes"))
        .unwrap();
    h.tap(&label).unwrap();
    let narrations = h
        .world()
        .query::<(&klub_kiosk::app::sound::SoundKind, &AudioPlayer)>()
        .iter(h.app.world())
        .filter(|(k, _)| **k == klub_kiosk::app::sound::SoundKind::Narration)
        .count();
    assert_eq!(narrations, 1, "no narration player");
    // 120 s of narration, then the 90 s of a reading step.
    h.run(Duration::from_secs(150));
    assert!(
        !h.shows("Tu es toujours là ?"),
        "the idle timer ran during the narration"
    );
    assert_eq!(h.screen(), Screen::Play);
    h.run(Duration::from_secs(62));
    assert!(h.shows("Tu es toujours là ?"));
}
