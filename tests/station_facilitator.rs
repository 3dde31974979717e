#![cfg(feature = "station")]
//! Facilitator mode, passes and configs on a headless station: the corner gesture and the
//! PIN lock, reloading broken scenarios, a bad config, and scanned passes on US and AZERTY
//! scanners.

use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use klub_kiosk::app::Launch;
use klub_kiosk::app::bridge::{Station, Visitor};
use klub_kiosk::app::harness::Harness;
use klub_kiosk::app::screens::Screen;
use klub_kiosk::domain::pass::{FleetKey, Pass, PassId, Visit};
use klub_kiosk::domain::scoring::{DimScore, Profile};
use std::path::{Path, PathBuf};
use std::time::Duration;

const PIN: &str = "2468";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A copy of the bundled content and config, with `edit` applied to the config text.
fn setup(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    copy_dir(Path::new("scenarios"), &dir.join("scenarios"));
    std::fs::create_dir_all(dir.join("config")).unwrap();
    let cfg = edit(std::fs::read_to_string("kiosk-config/default.toml").unwrap());
    let path = dir.join("config/station.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

fn station(config: PathBuf) -> Harness {
    Harness::new(Launch {
        config,
        no_log: true,
        ..Default::default()
    })
}

fn corner_hold(h: &mut Harness) {
    h.settle();
    h.touch(90, TouchPhase::Started, Vec2::new(30.0, 30.0));
    h.run(Duration::from_millis(3100));
    h.touch(90, TouchPhase::Ended, Vec2::new(30.0, 30.0));
    h.frame();
}

fn type_pin(h: &mut Harness, pin: &str) {
    for d in pin.chars() {
        h.tap(&d.to_string()).unwrap();
    }
    h.tap("Valider").unwrap();
}

#[test]
fn corner_gesture_pin_and_lockout() {
    let mut h = station("kiosk-config/default.toml".into());
    // A short press in the corner does nothing; nor does a long press elsewhere.
    h.touch(1, TouchPhase::Started, Vec2::new(30.0, 30.0));
    h.run(Duration::from_secs(1));
    h.touch(1, TouchPhase::Ended, Vec2::new(30.0, 30.0));
    h.frame();
    assert_eq!(h.screen(), Screen::Attract);
    h.touch(2, TouchPhase::Started, Vec2::new(900.0, 500.0));
    h.run(Duration::from_millis(3200));
    h.touch(2, TouchPhase::Ended, Vec2::new(3000.0, 3000.0));
    h.frame();
    assert_eq!(h.screen(), Screen::Attract);
    corner_hold(&mut h);
    assert_eq!(h.screen(), Screen::Pin);
    for _ in 0..3 {
        type_pin(&mut h, "0000");
        assert_eq!(h.screen(), Screen::Pin);
    }
    assert!(h.shows("Trop d'essais"));
    // The right PIN is refused during the lock.
    type_pin(&mut h, PIN);
    assert_eq!(h.screen(), Screen::Pin, "the lock let the PIN in");
    h.run(Duration::from_secs(61));
    type_pin(&mut h, PIN);
    assert_eq!(h.screen(), Screen::Facilitator);
    assert!(h.shows("Borne borne-1"));
    assert!(h.shows("Aujourd'hui"));
    h.tap("Fermer").unwrap();
    assert_eq!(h.screen(), Screen::Attract);
}

#[test]
fn rehearsal_is_a_session_with_source_rehearsal() {
    let mut h = station("kiosk-config/default.toml".into());
    corner_hold(&mut h);
    type_pin(&mut h, PIN);
    h.tap("Répéter").unwrap();
    assert_eq!(h.screen(), Screen::Welcome);
    h.tap("C'est parti !").unwrap();
    let label = h
        .labels()
        .into_iter()
        .find(|l| l.starts_with("Tes talents en 2 minutes"))
        .unwrap();
    h.tap(&label).unwrap();
    let src = h
        .app
        .world()
        .resource::<Visitor>()
        .session
        .as_ref()
        .unwrap()
        .source;
    assert_eq!(src, klub_kiosk::domain::session::Source::Rehearsal);
}

#[test]
fn reloading_a_broken_file_keeps_the_last_good_scenarios_and_shows_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let mut h = station(cfg);
    let before = h
        .app
        .world()
        .resource::<Station>()
        .content
        .scenarios
        .clone();
    assert!(!before.is_empty());
    let file = tmp.path().join("scenarios/talents-express/scenario.toml");
    let good = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        good.replace("type = \"scale\"", "type = \"echelle\""),
    )
    .unwrap();
    corner_hold(&mut h);
    type_pin(&mut h, PIN);
    h.tap("Recharger les scénarios").unwrap();
    h.frame();
    assert!(h.shows("les scénarios précédents restent en service"));
    assert!(
        h.texts()
            .iter()
            .any(|t| t.contains("talents-express/scenario.toml:")),
        "no file:line in {:?}",
        h.texts()
    );
    assert_eq!(
        h.app.world().resource::<Station>().content.scenarios,
        before
    );
    std::fs::write(
        &file,
        good.replace("Tes talents en 2 minutes", "Tes talents, vite"),
    )
    .unwrap();
    h.tap("Recharger les scénarios").unwrap();
    h.frame();
    assert!(h.shows("Scénarios rechargés"));
    let st = h.app.world().resource::<Station>();
    assert_eq!(
        st.content.scenario("talents-express").unwrap().title.fr,
        "Tes talents, vite"
    );
}

#[test]
fn a_bad_config_starts_on_defaults_and_warns_with_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c.replace("volume = 0.8", "volume = 8"));
    let mut h = station(cfg);
    assert_eq!(h.screen(), Screen::Warning);
    assert!(
        h.texts()
            .iter()
            .any(|t| t.contains("station.toml:") && t.contains("volume")),
        "{:?}",
        h.texts()
    );
    let st = h.app.world().resource::<Station>();
    assert_eq!(
        st.config,
        klub_kiosk::domain::config::StationConfig::default()
    );
    h.tap("Continuer").unwrap();
    assert_eq!(h.screen(), Screen::Attract);
}

fn pass_for(h: &Harness, key: &FleetKey) -> String {
    let st = h.app.world().resource::<Station>();
    let mut profile = Profile {
        areas: [DimScore::default(); 6],
        skills: vec![DimScore::default(); st.content.skills.len()],
    };
    // Someone who loves making things (R): the welding immersion should come first.
    profile.areas[0] = DimScore {
        score: 100,
        evidence: 4,
    };
    let now_min = klub_kiosk::app::screens::choose::now_min(st);
    let visit = Visit {
        profile: &profile,
        explored: &[],
        situation: Default::default(),
        station: 2,
        stop: "",
        now_min,
    };
    let pass = Pass::new(
        key.id,
        PassId::random(),
        &st.content.catalogue,
        &st.content.skills,
        &visit,
    );
    pass.url(&st.config.results_base_url, key)
}

fn scan_cases(layout: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| {
        c.replace(
            "scanner_layout = \"us\"",
            &format!("scanner_layout = \"{layout}\""),
        )
    });
    let mut h = station(cfg);
    h.tap("Commencer").unwrap();
    h.tap("C'est parti !").unwrap();
    assert_eq!(h.screen(), Screen::Choose);
    assert!(h.shows("Tu as déjà un pass ? Scanne-le"));
    let ours = FleetKey::from_config(&h.app.world().resource::<Station>().config).unwrap();
    // Valid: accepted, immersions ordered by the profile (making things first).
    let url = pass_for(&h, &ours);
    h.scan(&url);
    assert!(h.shows("Pass lu"), "{layout}: {:?}", h.texts());
    assert!(h.app.world().resource::<Visitor>().scanned.is_some());
    let first = h.labels().into_iter().find(|l| l.contains(" min")).unwrap();
    let order_first = {
        let w = h.app.world();
        let st = w.resource::<Station>();
        let v = w.resource::<Visitor>();
        let i = klub_kiosk::app::screens::choose::order(st, v.scanned.as_ref())[0];
        st.content.scenarios[i].clone()
    };
    assert!(first.starts_with(&order_first.title.fr));
    assert_eq!(
        order_first.kind,
        klub_kiosk::domain::scenario::Kind::Immersion
    );
    let trade = order_first.trade.clone().unwrap();
    let st = h.app.world().resource::<Station>();
    assert_eq!(
        st.content.catalogue.get(&trade).unwrap().major,
        klub_kiosk::domain::dimension::Area::Faire,
        "{layout}"
    );
    // Forged: one character of the signature changed.
    let mut forged = url.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    h.scan(&forged);
    assert!(h.shows("abîmé ou modifié"), "{layout}: {:?}", h.texts());
    assert!(h.app.world().resource::<Visitor>().scanned.is_none());
    // Foreign: signed by another fleet's key.
    let other = FleetKey::generate(9);
    h.scan(&pass_for(&h, &other));
    assert!(h.shows("autre flotte"), "{layout}: {:?}", h.texts());
    assert!(h.app.world().resource::<Visitor>().scanned.is_none());
}

#[test]
fn a_pass_scanned_on_the_attract_loop_opens_the_choice_with_the_visitor_resumed() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let mut h = station(cfg);
    h.settle();
    assert_eq!(h.screen(), Screen::Attract);
    let ours = FleetKey::from_config(&h.app.world().resource::<Station>().config).unwrap();
    let url = pass_for(&h, &ours);
    h.scan(&url);
    h.settle();
    assert_eq!(h.screen(), Screen::Choose);
    assert!(h.shows("Pass lu"), "{:?}", h.texts());
    assert!(h.app.world().resource::<Visitor>().scanned.is_some());
}

#[test]
fn scanning_valid_forged_and_foreign_passes_with_a_us_scanner() {
    scan_cases("us");
}

#[test]
fn scanning_valid_forged_and_foreign_passes_with_an_azerty_scanner() {
    scan_cases("azerty");
}

#[test]
fn kiosk_mode_is_full_screen_without_cursor_and_cannot_be_closed() {
    use bevy::window::{PrimaryWindow, WindowCloseRequested, WindowMode};
    let kiosk = Launch {
        kiosk: true,
        ..Default::default()
    };
    let wp = klub_kiosk::app::window_plugin(&kiosk);
    let win = wp.primary_window.unwrap();
    assert!(matches!(win.mode, WindowMode::BorderlessFullscreen(_)));
    assert!(!win.decorations);
    assert!(!wp.primary_cursor_options.unwrap().visible);
    assert!(!wp.close_when_requested);
    // `kiosk = true` in the config has the same effect as the flag.
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c.replace("kiosk = false", "kiosk = true"));
    assert!(Launch::with_config(&cfg).kiosk_effective());
    assert!(!Launch::with_config("kiosk-config/default.toml").kiosk_effective());
    // Closing the window: ignored in kiosk mode, honoured in development.
    for (is_kiosk, exits) in [(true, false), (false, true)] {
        let mut h = Harness::new(Launch {
            config: "kiosk-config/default.toml".into(),
            kiosk: is_kiosk,
            no_log: true,
            ..Default::default()
        });
        let window = h
            .world()
            .query_filtered::<Entity, With<PrimaryWindow>>()
            .single(h.app.world())
            .unwrap();
        h.world().write_message(WindowCloseRequested { window });
        h.frame();
        h.frame();
        assert_eq!(h.app.should_exit().is_some(), exits, "kiosk = {is_kiosk}");
    }
}
