//! Facilitator mode, passes and configs on a headless station: the corner gesture and the
//! PIN lock, reloading broken scenarios, a bad config, and scanned passes on US and AZERTY
//! scanners.

use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use klub_kiosk::app::Launch;
use klub_kiosk::app::bridge::{ConfigFile, DaySettings, Station, Visitor};
use klub_kiosk::app::facilitator::PinState;
use klub_kiosk::app::harness::Harness;
use klub_kiosk::app::screens::Screen;
use klub_kiosk::domain::pass::{FleetKey, Pass, PassId, Visit};
use klub_kiosk::domain::scoring::{DimScore, Profile};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::station::{Folder, quiet};
use crate::support::sticks::copy_dir;

const PIN: &str = "2468";

/// A copy of the bundled content, tour and config, with `edit` applied to the config text.
fn setup(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    Folder {
        tour: true,
        ..Folder::default()
    }
    .write(dir, edit)
}

fn station(config: PathBuf) -> Harness {
    Harness::new(quiet(config))
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
    // Five wrong PINs lock the keypad for 30 s, the next five for 60 s, then 120 s …
    for (lock, left) in [(30, "30 s"), (60, "60 s"), (120, "120 s")] {
        for _ in 0..4 {
            type_pin(&mut h, "000000");
            assert_eq!(h.screen(), Screen::Pin);
            assert!(h.shows("Code incorrect."), "{:?}", h.texts());
        }
        type_pin(&mut h, "000000");
        assert!(
            h.shows(&format!("Trop d'essais : réessayez dans {left}.")),
            "{lock}: {:?}",
            h.texts()
        );
        // The right PIN is refused during the lock, up to its last seconds (typing it takes
        // about 3.5 s of the harness's time).
        h.run(Duration::from_secs(lock - 6));
        type_pin(&mut h, PIN);
        assert_eq!(h.screen(), Screen::Pin, "the {lock} s lock let the PIN in");
        assert!(h.shows("Trop d'essais"), "{:?}", h.texts());
        h.run(Duration::from_secs(6));
        assert!(!h.shows("Trop d'essais"), "{lock}: {:?}", h.texts());
    }
    type_pin(&mut h, PIN);
    assert_eq!(h.screen(), Screen::Facilitator);
    let pin = h.app.world().resource::<PinState>();
    assert_eq!(
        (pin.wrong, pin.locks),
        (0, 0),
        "the right PIN starts again at 30 s"
    );
    // The demo PIN's hash is of the old kind: the panel asks to renew it.
    assert!(
        h.shows("Code animateur à renouveler (ancienne empreinte)"),
        "{:?}",
        h.texts()
    );
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
    h.tap("Retour").unwrap();
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
    let now_min =
        klub_kiosk::app::screens::choose::now_min(h.app.world().resource::<DaySettings>());
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
        PassId::random().unwrap(),
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
    let other = FleetKey::generate(9).unwrap();
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
    let read = |p: &Path| ConfigFile::read(p).config;
    assert!(Launch::with_config(&cfg).kiosk_effective(&read(&cfg)));
    let bundled = Path::new("kiosk-config/default.toml");
    assert!(!Launch::with_config(bundled).kiosk_effective(&read(bundled)));
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

// ---- The facilitator panel: every button, with what it must do. ----

use klub_kiosk::app::facilitator::{InstallRun, PANEL_IDLE, PowerCommand};
use klub_kiosk::app::log::VisitLog;
use klub_kiosk::storage::read::SessionRow;

const DAY_MS: i64 = 86_400_000;

/// A station that logs to `<dir>/data`, on a copy of the bundled content.
fn logging(config: PathBuf) -> Harness {
    Harness::new(Launch {
        config,
        ..Default::default()
    })
}

fn open_panel(h: &mut Harness) {
    corner_hold(h);
    type_pin(h, PIN);
    assert_eq!(h.screen(), Screen::Facilitator, "{:?}", h.texts());
}

fn flush(h: &Harness) {
    let log = h.app.world().resource::<VisitLog>();
    assert!(
        log.writer
            .as_ref()
            .expect("the log is open")
            .flush(Duration::from_secs(5))
    );
}

fn logged_sessions(db: &Path) -> Vec<SessionRow> {
    let conn = klub_kiosk::storage::db::open_ro(db).unwrap();
    klub_kiosk::storage::read::sessions(&conn, &[]).unwrap()
}

/// A visitor starts the express talents scenario, answers two steps, and the facilitator's
/// corner gesture ends it as abandoned.
fn short_visit(h: &mut Harness) {
    h.start(Some("Tes talents en 2 minutes")).unwrap();
    assert_eq!(h.screen(), Screen::Play);
    h.play_step().unwrap();
    h.play_step().unwrap();
}

#[test]
fn the_stop_date_and_the_visit_context_go_with_the_next_session_and_survive_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let offset_file = tmp
        .path()
        .join("data")
        .join(klub_kiosk::ops::time::OFFSET_FILE);
    let mut h = logging(cfg.clone());
    assert_eq!(h.app.world().resource::<DaySettings>().date_offset_days, 0);
    open_panel(&mut h);
    let now = klub_kiosk::storage::time::now_ms();
    assert!(h.shows(&format!(
        "Date de l'étape : {}",
        klub_kiosk::ops::time::stop_date(now, 0)
    )));
    h.tap("+ 1 jour").unwrap();
    h.tap("+ 1 jour").unwrap();
    assert_eq!(std::fs::read_to_string(&offset_file).unwrap(), "2\n");
    assert!(
        h.shows(&format!(
            "Date de l'étape : {}",
            klub_kiosk::ops::time::stop_date(now, 2)
        )),
        "{:?}",
        h.texts()
    );
    h.tap("Classe de collège").unwrap();
    h.tap("Fermer").unwrap();
    short_visit(&mut h);
    corner_hold(&mut h);
    flush(&h);
    let db = tmp
        .path()
        .join("data")
        .join(klub_kiosk::ops::files::LOG_FILE);
    let rows = logged_sessions(&db);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].clock_offset_ms, 2 * DAY_MS);
    assert_eq!(rows[0].context, "college");
    assert_eq!(rows[0].source, "visitor");
    drop(h);
    // A new station on the same data folder starts on the stop's date.
    let mut h = logging(cfg);
    assert_eq!(h.app.world().resource::<DaySettings>().date_offset_days, 2);
    open_panel(&mut h);
    assert!(h.shows(&format!(
        "Date de l'étape : {}",
        klub_kiosk::ops::time::stop_date(klub_kiosk::storage::time::now_ms(), 2)
    )));
    h.tap("− 1 jour").unwrap();
    assert_eq!(std::fs::read_to_string(&offset_file).unwrap(), "1\n");
}

#[test]
fn scenario_toggles_decide_what_the_choice_offers_and_one_always_stays_on() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let mut h = station(cfg);
    let scenarios: Vec<(String, String)> = h
        .app
        .world()
        .resource::<Station>()
        .content
        .scenarios
        .iter()
        .map(|s| (s.id.clone(), s.title.fr.clone()))
        .collect();
    assert!(scenarios.len() > 3);
    let title = |id: &str| scenarios.iter().find(|s| s.0 == id).unwrap().1.clone();
    open_panel(&mut h);
    h.tap("vente").unwrap();
    h.tap("Fermer").unwrap();
    h.tap("Commencer").unwrap();
    h.tap("C'est parti !").unwrap();
    assert_eq!(h.screen(), Screen::Choose);
    let offered = h.labels();
    assert!(
        !offered.iter().any(|l| l.starts_with(&title("vente"))),
        "{offered:?}"
    );
    assert!(offered.iter().any(|l| l.starts_with(&title("soudure"))));
    // Everything off but one: the last one on cannot be turned off.
    open_panel(&mut h);
    let keep = scenarios
        .iter()
        .rev()
        .find(|s| s.0 != "vente")
        .unwrap()
        .0
        .clone();
    for (id, _) in &scenarios {
        if id != "vente" {
            h.tap(id).unwrap();
        }
    }
    assert_eq!(
        h.app.world().resource::<Station>().config.scenarios,
        vec![keep.clone()]
    );
    h.tap(&keep).unwrap();
    assert_eq!(
        h.app.world().resource::<Station>().config.scenarios,
        vec![keep.clone()],
        "the last scenario on was turned off"
    );
    let last = keep;
    // With one scenario on, "C'est parti" goes straight into it.
    h.tap("Fermer").unwrap();
    h.tap("Commencer").unwrap();
    h.tap("C'est parti !").unwrap();
    h.settle();
    assert_eq!(h.screen(), Screen::Play);
    let w = h.app.world();
    let playing = w
        .resource::<Visitor>()
        .scenario(w.resource::<Station>())
        .unwrap();
    assert_eq!(playing.id, last);
}

#[test]
fn panel_volume_is_the_volume_sounds_play_at() {
    use bevy::audio::PlaybackSettings;
    use klub_kiosk::app::sound::SoundKind;
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let mut h = station(cfg);
    open_panel(&mut h);
    assert!(h.shows("Volume 80 %"));
    for _ in 0..3 {
        h.tap("Volume moins").unwrap();
    }
    assert!(h.shows("Volume 50 %"), "{:?}", h.texts());
    assert_eq!(h.app.world().resource::<DaySettings>().volume, 0.5);
    h.tap("Volume plus").unwrap();
    assert!(h.shows("Volume 60 %"));
    for _ in 0..8 {
        h.tap("Volume plus").unwrap();
    }
    assert!(h.shows("Volume 100 %"), "the volume went past 100 %");
    for _ in 0..4 {
        h.tap("Volume moins").unwrap();
    }
    h.tap("Fermer").unwrap();
    // The welding immersion has an ambient loop, played at 40 % of the station's volume.
    let title = h
        .app
        .world()
        .resource::<Station>()
        .content
        .scenario("soudure")
        .unwrap()
        .title
        .fr
        .clone();
    h.start(Some(&title)).unwrap();
    h.settle();
    let w = h.world();
    let ambient: Vec<f32> = w
        .query::<(&SoundKind, &PlaybackSettings)>()
        .iter(w)
        .filter(|(k, _)| **k == SoundKind::Ambient)
        .map(|(_, p)| p.volume.to_linear())
        .collect();
    assert_eq!(ambient.len(), 1, "no ambient sound");
    assert!((ambient[0] - 0.6 * 0.4).abs() < 1e-4, "{ambient:?}");
}

#[test]
fn todays_counts_follow_the_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let mut h = station(cfg);
    open_panel(&mut h);
    assert!(
        h.shows("Aujourd'hui : 0 commencées, 0 terminées, 0 abandonnées, 0 sans réponse"),
        "{:?}",
        h.texts()
    );
    h.tap("Fermer").unwrap();
    short_visit(&mut h);
    open_panel(&mut h);
    assert!(
        h.shows("Aujourd'hui : 1 commencées, 0 terminées, 1 abandonnées, 0 sans réponse"),
        "{:?}",
        h.texts()
    );
    // A rehearsal is not a visit.
    h.tap("Répéter").unwrap();
    h.tap("C'est parti !").unwrap();
    let label = h
        .labels()
        .into_iter()
        .find(|l| l.starts_with("Tes talents en 2 minutes"))
        .unwrap();
    h.tap(&label).unwrap();
    h.play_step().unwrap();
    open_panel(&mut h);
    assert!(
        h.shows("Aujourd'hui : 1 commencées, 0 terminées, 1 abandonnées, 0 sans réponse"),
        "{:?}",
        h.texts()
    );
    // The first screen change of a new day starts the counts again.
    h.world()
        .insert_resource(klub_kiosk::app::facilitator::CountsDay("2000-01-01".into()));
    h.tap("Fermer").unwrap();
    open_panel(&mut h);
    assert!(
        h.shows("Aujourd'hui : 0 commencées, 0 terminées, 0 abandonnées, 0 sans réponse"),
        "{:?}",
        h.texts()
    );
}

#[test]
fn export_to_usb_copies_a_sound_log_or_says_the_stick_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let usb = tmp.path().join("usb");
    let cfg = setup(tmp.path(), |c| {
        c.replace("/media/klub-usb", usb.to_str().unwrap())
    });
    let mut h = logging(cfg);
    short_visit(&mut h);
    open_panel(&mut h);
    // No stick: a clear message, nothing written, the panel still up.
    h.tap("Exporter sur clé USB").unwrap();
    assert!(
        h.shows("Export impossible : aucune clé USB trouvée"),
        "{:?}",
        h.texts()
    );
    assert_eq!(h.screen(), Screen::Facilitator);
    assert!(!usb.exists());
    std::fs::create_dir_all(&usb).unwrap();
    h.tap("Exporter sur clé USB").unwrap();
    assert!(h.shows("Journal exporté"), "{:?}", h.texts());
    let copies: Vec<PathBuf> = std::fs::read_dir(&usb)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "db"))
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert!(
        copies[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("klub-log-borne-1-")
    );
    let conn = klub_kiosk::storage::db::open_ro(&copies[0]).unwrap();
    klub_kiosk::storage::db::check(&conn, &copies[0]).unwrap();
    let rows = klub_kiosk::storage::read::sessions(&conn, &[]).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome.as_deref(), Some("abandoned"));
    assert!(
        klub_kiosk::storage::read::steps(&conn, rows[0].key)
            .unwrap()
            .len()
            >= 2
    );
}

#[test]
fn the_package_mounts_usb_sticks_where_the_config_exports() {
    let cfgs = [
        klub_kiosk::domain::config::StationConfig::default().usb_export_dir,
        read_config("kiosk-config/default.toml").usb_export_dir,
        read_config("assets/deploy/station.toml").usb_export_dir,
    ];
    assert!(cfgs.iter().all(|c| c == "/media/klub-usb"), "{cfgs:?}");
    let rule = std::fs::read_to_string("assets/deploy/99-klub-usb.rules").unwrap();
    let add = rule
        .lines()
        .find(|l| l.starts_with("ACTION==\"add\""))
        .unwrap();
    assert!(add.contains("SUBSYSTEM==\"block\"") && add.contains("ENV{ID_BUS}==\"usb\""));
    assert!(add.contains("/usr/lib/klub/usb-mount"));
    let remove = rule
        .lines()
        .find(|l| l.starts_with("ACTION==\"remove\""))
        .unwrap();
    assert!(remove.contains("/media/klub-usb"));
    let mount = std::fs::read_to_string("assets/deploy/usb-mount").unwrap();
    let exec = mount.lines().find(|l| l.starts_with("exec ")).unwrap();
    assert!(exec.contains("systemd-mount") && exec.ends_with("\"$dev\" /media/klub-usb"));
    assert!(
        mount.contains("uid=klub"),
        "the klub user could not write to the stick"
    );
}

fn read_config(path: &str) -> klub_kiosk::domain::config::StationConfig {
    let mut v = klub_kiosk::content::set::Validation::default();
    klub_kiosk::content::set::load_kiosk_file(&mut v, Path::new(path));
    assert_eq!(
        v.report.errors(),
        0,
        "{}",
        v.render(klub_kiosk::domain::text::Lang::Fr)
    );
    v.configs.remove(0).1
}

#[test]
fn shutdown_flushes_the_log_then_runs_the_power_off_command_and_survives_its_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let mut h = logging(cfg);
    // A development station only quits; a kiosk powers off through logind.
    assert_eq!(
        h.app.world().resource::<PowerCommand>().0,
        std::env::var(klub_kiosk::ops::power::COMMAND_ENV)
            .ok()
            .filter(|e| !e.trim().is_empty())
            .map(|e| e.split_whitespace().map(str::to_owned).collect())
    );
    if std::env::var_os(klub_kiosk::ops::power::COMMAND_ENV).is_none() {
        let kiosk = PowerCommand::for_launch(&Launch {
            kiosk: true,
            ..Default::default()
        });
        assert_eq!(
            kiosk.0.unwrap()[..2],
            ["systemctl".to_owned(), "poweroff".to_owned()]
        );
    }
    let db = tmp
        .path()
        .join("data")
        .join(klub_kiosk::ops::files::LOG_FILE);
    let seen = tmp.path().join("seen-by-power-off");
    // The stand-in for systemctl copies the log as it is when it runs.
    let script = format!(
        "cp '{0}' '{1}.db' && if [ -f '{0}-wal' ]; then cp '{0}-wal' '{1}.db-wal'; fi",
        db.display(),
        seen.display()
    );
    h.world()
        .insert_resource(PowerCommand(Some(vec!["sh".into(), "-c".into(), script])));
    short_visit(&mut h);
    flush(&h);
    // Another connection holds the log, so the end of the session (logged by the corner
    // gesture) waits in the writer: only the flush before the power-off gets it on disk.
    let lock = rusqlite::Connection::open(&db).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    open_panel(&mut h);
    // It asks first; "Retour" leaves everything running.
    h.tap("Éteindre la station").unwrap();
    assert!(h.shows("Éteindre la station ?"));
    h.tap("Retour").unwrap();
    assert!(!seen.with_extension("db").exists());
    h.tap("Éteindre la station").unwrap();
    h.settle();
    let yes = h.find("Oui, éteindre").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        lock.execute_batch("COMMIT").unwrap();
    });
    h.tap_at(yes);
    release.join().unwrap();
    assert!(h.shows("Extinction en cours"), "{:?}", h.texts());
    let copy = tmp.path().join("seen-by-power-off.db");
    assert!(copy.is_file(), "the power-off command did not run");
    let rows = logged_sessions(&copy);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].outcome.as_deref(),
        Some("abandoned"),
        "the log was not flushed before the power-off"
    );
    // A refused power-off: the error shows, the station keeps running.
    h.world()
        .insert_resource(PowerCommand(Some(vec!["false".into()])));
    h.tap("Éteindre la station").unwrap();
    h.tap("Oui, éteindre").unwrap();
    assert!(h.shows("Extinction impossible"), "{:?}", h.texts());
    assert!(h.shows("polkit"));
    h.frame();
    assert!(h.app.should_exit().is_none());
    assert_eq!(h.screen(), Screen::Facilitator);
    h.tap("Retour").unwrap();
    assert!(h.shows("Borne borne-1"));
}

#[test]
fn scenarios_from_the_usb_stick_install_when_valid_and_leave_the_set_alone_when_broken() {
    let tmp = tempfile::tempdir().unwrap();
    let usb = tmp.path().join("usb");
    let cfg = setup(tmp.path(), |c| {
        c.replace("/media/klub-usb", usb.to_str().unwrap())
    });
    let mut h = station(cfg);
    open_panel(&mut h);
    // No scenario folder on the stick.
    h.tap("Installer les scénarios de la clé").unwrap();
    assert!(
        h.shows("Pas de dossier « scenarios » sur la clé"),
        "{:?}",
        h.texts()
    );
    h.tap("Retour").unwrap();
    // A stick with one more scenario.
    let new = usb.join("scenarios");
    copy_dir(Path::new("scenarios"), &new);
    copy_dir(&new.join("vente"), &new.join("vente-bis"));
    let file = new.join("vente-bis/scenario.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let title = h
        .app
        .world()
        .resource::<Station>()
        .content
        .scenario("vente")
        .unwrap()
        .title
        .fr
        .clone();
    std::fs::write(
        &file,
        text.replacen("id = \"vente\"", "id = \"vente-bis\"", 1)
            .replacen(&title, "Vendre, version clé", 1),
    )
    .unwrap();
    h.tap("Installer les scénarios de la clé").unwrap();
    wait_for_install(&mut h);
    assert!(
        h.shows("Scénarios installés depuis la clé"),
        "{:?}",
        h.texts()
    );
    assert!(
        tmp.path()
            .join("scenarios/vente-bis/scenario.toml")
            .is_file()
    );
    assert!(
        h.app
            .world()
            .resource::<Station>()
            .content
            .scenario("vente-bis")
            .is_some()
    );
    h.tap("Fermer").unwrap();
    h.tap("Commencer").unwrap();
    h.tap("C'est parti !").unwrap();
    assert!(
        h.labels()
            .iter()
            .any(|l| l.starts_with("Vendre, version clé")),
        "{:?}",
        h.labels()
    );
    // A broken stick: refused with file and line, the active set unchanged.
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("type = \"choice\"", "type = \"choix\""),
    )
    .unwrap();
    let active_before =
        std::fs::read(tmp.path().join("scenarios/vente-bis/scenario.toml")).unwrap();
    let set_before = h
        .app
        .world()
        .resource::<Station>()
        .content
        .scenarios
        .clone();
    open_panel(&mut h);
    h.tap("Installer les scénarios de la clé").unwrap();
    wait_for_install(&mut h);
    assert!(h.shows("Installation refusée"), "{:?}", h.texts());
    assert!(
        h.texts()
            .iter()
            .any(|t| t.contains("vente-bis/scenario.toml:")),
        "no file:line in {:?}",
        h.texts()
    );
    assert_eq!(
        std::fs::read(tmp.path().join("scenarios/vente-bis/scenario.toml")).unwrap(),
        active_before
    );
    assert_eq!(
        h.app.world().resource::<Station>().content.scenarios,
        set_before
    );
}

#[test]
fn a_big_install_runs_beside_the_frames_with_its_progress_on_the_panel() {
    let tmp = tempfile::tempdir().unwrap();
    let usb = tmp.path().join("usb");
    let cfg = setup(tmp.path(), |c| {
        c.replace("/media/klub-usb", usb.to_str().unwrap())
    });
    // The bundled set plus 192 MB of other files, as big as a real stick's set.
    let new = usb.join("scenarios");
    copy_dir(Path::new("scenarios"), &new);
    let big = std::fs::File::create(new.join("vente/images/video.bin")).unwrap();
    big.set_len(192 << 20).unwrap();
    drop(big);
    let mut h = station(cfg);
    open_panel(&mut h);
    h.tap("Installer les scénarios de la clé").unwrap();
    assert!(
        h.app.world().resource::<InstallRun>().running(),
        "{:?}",
        h.texts()
    );
    // Frames go on while the files copy, each one quick, and the panel shows how far it is.
    let mut lines = std::collections::BTreeSet::new();
    let mut frames = 0;
    let mut slowest = Duration::ZERO;
    while h.app.world().resource::<InstallRun>().running() && frames < 20_000 {
        let t = std::time::Instant::now();
        h.frame();
        slowest = slowest.max(t.elapsed());
        frames += 1;
        if h.app.world().resource::<InstallRun>().running() {
            if let Some(l) = h.texts().into_iter().find(|t| t.starts_with("Copie : ")) {
                lines.insert(l);
            }
            // Nothing to tap meanwhile: the panel waits for the outcome.
            let labels = h.labels();
            assert!(
                !labels.iter().any(|l| l == "Fermer" || l == "Retour"),
                "{labels:?}"
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    eprintln!("{frames} frames during the install, slowest {slowest:?}, progress lines {lines:?}");
    assert!(frames >= 5, "only {frames} frames during the install");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" Mo sur ") && !l.starts_with("Copie : 100 %")),
        "no copy progress shown: {lines:?}"
    );
    assert!(slowest < Duration::from_secs(2), "a frame took {slowest:?}");
    wait_for_install(&mut h);
    assert!(
        h.shows("Scénarios installés depuis la clé"),
        "{:?}",
        h.texts()
    );
    assert_eq!(
        std::fs::metadata(tmp.path().join("scenarios/vente/images/video.bin"))
            .unwrap()
            .len(),
        192 << 20
    );
}

#[test]
fn the_panel_checks_the_station_in_french() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let mut h = station(cfg);
    open_panel(&mut h);
    h.tap("Vérifier la station").unwrap();
    wait_for_check(&mut h);
    let texts = h.texts().join("\n");
    assert!(texts.contains("OK · configuration, "), "{texts}");
    assert!(
        texts.contains("ÉCHEC · la clé de flotte est la clé de démonstration"),
        "{texts}"
    );
    assert!(
        texts.contains("→ créez une clé avec « klub key new »"),
        "{texts}"
    );
    assert!(
        texts.contains("point(s) à corriger avant d'ouvrir"),
        "{texts}"
    );
    assert!(
        !texts.contains("scanner"),
        "the scan check needs klub doctor --scan"
    );
    assert!(h.too_small().is_empty(), "{:?}", h.too_small());
    h.tap("Retour").unwrap();
    assert!(h.shows("Borne borne-1"));
}

#[test]
fn the_pin_screen_and_the_panel_go_back_to_the_attract_loop_when_left_alone() {
    let mut h = station("kiosk-config/default.toml".into());
    corner_hold(&mut h);
    assert_eq!(h.screen(), Screen::Pin);
    h.tap("2").unwrap();
    h.run(PANEL_IDLE - Duration::from_secs(2));
    assert_eq!(h.screen(), Screen::Pin);
    h.run(Duration::from_secs(3));
    assert_eq!(h.screen(), Screen::Attract, "the PIN screen stayed up");
    // The digit typed before is gone.
    corner_hold(&mut h);
    type_pin(&mut h, PIN);
    assert_eq!(h.screen(), Screen::Facilitator);
    h.run(PANEL_IDLE / 2);
    // A touch starts the wait again.
    h.tap("Volume plus").unwrap();
    h.run(PANEL_IDLE / 2 + Duration::from_secs(10));
    assert_eq!(h.screen(), Screen::Facilitator, "a touch did not count");
    h.run(PANEL_IDLE / 2);
    assert_eq!(h.screen(), Screen::Attract, "the panel stayed open");
}

#[test]
fn rehearsal_hot_reloads_edited_scenarios_and_keeps_the_last_good_set_on_error() {
    use klub_kiosk::app::facilitator::HOT_RELOAD_EVERY;
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let mut h = station(cfg);
    open_panel(&mut h);
    h.tap("Répéter").unwrap();
    h.tap("C'est parti !").unwrap();
    let label = h
        .labels()
        .into_iter()
        .find(|l| l.starts_with("Tes talents en 2 minutes"))
        .unwrap();
    h.tap(&label).unwrap();
    h.play_step().unwrap();
    let shown = h.step_text().unwrap();
    assert_eq!(shown, "Réparer un vélo");
    // Let rehearsal note the files as they are, then edit the step on screen.
    h.run(HOT_RELOAD_EVERY + Duration::from_millis(200));
    let file = tmp.path().join("scenarios/talents-express/scenario.toml");
    let good = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        good.replace("Réparer un vélo", "Réparer une trottinette"),
    )
    .unwrap();
    h.run(HOT_RELOAD_EVERY + Duration::from_millis(200));
    assert!(h.shows("Réparer une trottinette"), "{:?}", h.texts());
    assert!(!h.shows("Réparer un vélo"));
    assert!(h.shows("Scénarios rechargés"));
    assert_eq!(h.screen(), Screen::Play);
    // The banner of a good reload goes away by itself.
    h.run(klub_kiosk::app::facilitator::OK_BANNER + Duration::from_secs(1));
    assert!(!h.shows("Scénarios rechargés"));
    // A broken edit: the last good set stays, and the error shows with file and line.
    std::fs::write(
        &file,
        good.replace("Réparer un vélo", "Réparer une trottinette")
            .replacen("type = \"scale\"", "type = \"echelle\"", 1),
    )
    .unwrap();
    h.run(HOT_RELOAD_EVERY + Duration::from_millis(200));
    assert!(
        h.texts().iter().any(
            |t| t.contains("les scénarios précédents restent en service")
                && t.contains("talents-express/scenario.toml:")
        ),
        "{:?}",
        h.texts()
    );
    assert!(h.shows("Réparer une trottinette"));
    let st = h.app.world().resource::<Station>();
    let s = st.content.scenario("talents-express").unwrap();
    assert!(s.steps.iter().all(|st| st.body.type_name() != "echelle"));
    assert_eq!(h.screen(), Screen::Play);
    h.play_step().unwrap();
    // Steps added or removed under the session: the rehearsal stops and the panel says why.
    std::fs::write(
        &file,
        good.replace("id = \"reparer-velo\"", "id = \"reparer-trottinette\""),
    )
    .unwrap();
    h.run(HOT_RELOAD_EVERY + Duration::from_millis(200));
    h.settle();
    assert_eq!(h.screen(), Screen::Facilitator);
    assert!(h.shows("ont changé"), "{:?}", h.texts());
    assert!(h.app.world().resource::<Visitor>().session.is_none());
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

/// Texts lying over a target they are not part of, or off the window.
fn texts_in_the_way(h: &mut Harness, size: Vec2) -> Vec<String> {
    let w = h.world();
    let rect = |n: &ComputedNode, t: &UiGlobalTransform| {
        let half = n.size / 2.0;
        Rect::from_corners(t.translation - half, t.translation + half)
    };
    let mut q = w.query_filtered::<(
        Entity,
        &ComputedNode,
        &UiGlobalTransform,
        &InheritedVisibility,
    ), With<klub_kiosk::app::input::Tappable>>();
    let targets: Vec<(Entity, Rect)> = q
        .iter(w)
        .filter(|(_, _, _, v)| v.get())
        .map(|(e, n, t, _)| (e, rect(n, t)))
        .collect();
    let mut q = w.query::<(
        &Text,
        &ComputedNode,
        &UiGlobalTransform,
        &InheritedVisibility,
        Option<&ChildOf>,
    )>();
    let window = Rect::from_corners(Vec2::ZERO, size);
    let mut out = vec![];
    for (text, n, t, v, parent) in q.iter(w) {
        if !v.get() {
            continue;
        }
        let r = rect(n, t);
        if !window.contains(r.min + 1.0) || !window.contains(r.max - 1.0) {
            out.push(format!("off screen: {:?} {r:?}", text.0));
        }
        for (e, tr) in &targets {
            if parent.is_some_and(|p| p.parent() == *e) {
                continue;
            }
            let i = r.intersect(*tr);
            if i.width() > 1.0 && i.height() > 1.0 {
                out.push(format!("over a target: {:?} {r:?} over {tr:?}", text.0));
            }
        }
    }
    out
}

/// Runs frames until the scenario install from the stick is done; returns the frames run
/// while it was under way.
fn wait_for_install(h: &mut Harness) -> usize {
    let mut frames = 0;
    for _ in 0..6000 {
        if !h.app.world().resource::<InstallRun>().running() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        h.frame();
        frames += 1;
    }
    assert!(
        !h.app.world().resource::<InstallRun>().running(),
        "install still running"
    );
    h.settle();
    frames
}

/// Runs frames until the station check is done.
fn wait_for_check(h: &mut Harness) {
    for _ in 0..600 {
        if !h.shows("Vérification en cours") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        h.frame();
    }
    h.settle();
}

#[test]
fn the_panel_fits_the_screen_with_big_targets_and_text() {
    for (w, hgt) in [(1920u32, 1080u32), (1366, 768)] {
        let tmp = tempfile::tempdir().unwrap();
        let usb = tmp.path().join("usb");
        let cfg = setup(tmp.path(), |c| {
            c.replace("/media/klub-usb", usb.to_str().unwrap())
        });
        let mut h = Harness::with_size(
            Launch {
                config: cfg,
                no_log: false,
                ..Default::default()
            },
            (w, hgt),
        );
        let size = Vec2::new(w as f32, hgt as f32);
        let check = |h: &mut Harness, what: &str| {
            assert_eq!(
                targets_inside(h, size),
                Vec::<String>::new(),
                "{w}×{hgt} {what}"
            );
            assert_eq!(h.too_small(), Vec::<String>::new(), "{w}×{hgt} {what}");
            assert_eq!(
                texts_in_the_way(h, size),
                Vec::<String>::new(),
                "{w}×{hgt} {what}"
            );
        };
        // With upkeep warnings above (a full disk, visits cut by a power cut) and a message
        // under the buttons: the tallest the main view gets.
        h.world()
            .resource_mut::<klub_kiosk::app::ops::Backups>()
            .policy
            .free_override = Some(1_000_000);
        h.world().resource_mut::<VisitLog>().interrupted = 3;
        h.run(klub_kiosk::app::ops::BACKUP_DELAY + Duration::from_secs(2));
        corner_hold(&mut h);
        type_pin(&mut h, PIN);
        h.tap("Exporter sur clé USB").unwrap();
        h.settle();
        assert!(h.shows("aucune clé USB trouvée"));
        assert!(h.shows("Disque presque plein"), "{:?}", h.texts());
        assert!(h.shows("interrompue"), "{:?}", h.texts());
        check(&mut h, "panel");
        // A long report keeps "Retour" on screen.
        for n in 0..30 {
            let d = usb.join(format!("scenarios/casse-{n}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("scenario.toml"), "id = \"x\"\nkind = \"talents\"\n").unwrap();
        }
        h.tap("Installer les scénarios de la clé").unwrap();
        wait_for_install(&mut h);
        assert!(h.shows("Installation refusée"), "{:?}", h.texts());
        check(&mut h, "install report");
        // The station check, the longest report.
        h.tap("Retour").unwrap();
        h.tap("Vérifier la station").unwrap();
        wait_for_check(&mut h);
        assert!(h.shows("OK · configuration"), "{:?}", h.texts());
        check(&mut h, "station check");
    }
}

#[test]
fn the_days_panel_settings_survive_a_restart_the_same_day_only() {
    use klub_kiosk::app::facilitator::{SETTINGS_FILE, apply_settings};
    use klub_kiosk::domain::config::VisitContext;
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let mut h = logging(cfg.clone());
    open_panel(&mut h);
    h.tap("Groupe Mission Locale").unwrap();
    h.tap("Volume moins").unwrap();
    h.tap("soin").unwrap();
    drop(h);
    // The station restarts (a crash, a power cut): the day's choices are back.
    let mut h = logging(cfg);
    {
        let day = h.app.world().resource::<DaySettings>();
        assert_eq!(day.context, VisitContext::MissionLocale);
        assert_eq!(day.volume, 0.7);
        let st = h.app.world().resource::<Station>();
        assert!(
            !st.enabled()
                .iter()
                .any(|i| st.content.scenarios[*i].id == "soin")
        );
        assert!(st.enabled().len() > 1);
    }
    open_panel(&mut h);
    assert!(h.shows("Volume 70 %"));
    // Yesterday's file, or a damaged one, changes nothing.
    let file = tmp.path().join("data").join(SETTINGS_FILE);
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("context = \"mission_locale\""), "{saved}");
    let mut st = h.app.world().resource::<Station>().clone();
    let mut day = h.app.world().resource::<DaySettings>().clone();
    day.context = VisitContext::ToutPublic;
    day.volume = 0.8;
    st.config.scenarios.clear();
    apply_settings(
        &mut st,
        &mut day,
        &saved.replace("day = \"", "day = \"1999"),
        "2026-11-28",
    );
    assert_eq!(
        (day.context, day.volume, st.config.scenarios.len()),
        (VisitContext::ToutPublic, 0.8, 0)
    );
    for bad in [
        "day = \"2026-11-28\"\ncontext = \"bof\"\nvolume = 7\n",
        "day = \"2026-11-28\"\ncontext = \"college\"\nn'importe quoi\n",
        "day=2026-11-28\ncontext=college\n",
    ] {
        apply_settings(&mut st, &mut day, bad, "2026-11-28");
        assert_eq!(
            (day.context, day.volume),
            (VisitContext::ToutPublic, 0.8),
            "{bad}"
        );
    }
    apply_settings(
        &mut st,
        &mut day,
        "day = \"2026-11-28\"\ncontext = \"college\"\nvolume = 0.3\nscenarios = [\"soin\"]\n",
        "2026-11-28",
    );
    assert_eq!((day.context, day.volume), (VisitContext::College, 0.3));
    assert_eq!(st.config.scenarios, ["soin"]);
}

#[test]
fn the_old_key_value_settings_file_is_read_once_then_replaced_by_toml() {
    use klub_kiosk::app::facilitator::{OLD_SETTINGS_FILE, SETTINGS_FILE};
    use klub_kiosk::domain::config::VisitContext;
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let today = klub_kiosk::storage::time::paris_day_hour(klub_kiosk::storage::time::now_ms()).0;
    // What a station wrote before the TOML file.
    std::fs::write(
        data.join(OLD_SETTINGS_FILE),
        format!("day={today}\ncontext=lycee\nvolume=0.6\nscenarios=soin,vente\n"),
    )
    .unwrap();
    let mut h = logging(cfg);
    {
        let day = h.app.world().resource::<DaySettings>();
        assert_eq!((day.context, day.volume), (VisitContext::Lycee, 0.6));
        let st = h.app.world().resource::<Station>();
        assert_eq!(st.config.scenarios, ["soin", "vente"]);
    }
    // The next change writes TOML and the old file goes.
    open_panel(&mut h);
    h.tap("Volume plus").unwrap();
    assert!(!data.join(OLD_SETTINGS_FILE).exists());
    let saved = std::fs::read_to_string(data.join(SETTINGS_FILE)).unwrap();
    let parsed: toml::Table = toml::from_str(&saved).unwrap();
    assert_eq!(parsed["context"].as_str(), Some("lycee"), "{saved}");
    let volume = parsed["volume"].as_float().unwrap();
    assert!((volume - 0.7).abs() < 1e-6, "{saved}");
    assert_eq!(parsed["day"].as_str(), Some(today.as_str()), "{saved}");
}

#[test]
fn a_station_run_without_a_log_leaves_the_data_folder_alone() {
    use klub_kiosk::app::facilitator::SETTINGS_FILE;
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), |c| c);
    let data = tmp.path().join("data");
    // What a station on this config saved today: one scenario and a moved date.
    let mut h = logging(cfg.clone());
    open_panel(&mut h);
    h.tap("+ 1 jour").unwrap();
    h.tap("+ 1 jour").unwrap();
    h.tap("soin").unwrap();
    drop(h);
    let saved = std::fs::read_to_string(data.join(SETTINGS_FILE)).unwrap();
    // A `--no-log` run (tests, replays) neither reads that state nor writes any.
    let mut h = station(cfg);
    {
        assert_eq!(h.app.world().resource::<DaySettings>().date_offset_days, 0);
        let st = h.app.world().resource::<Station>();
        assert!(
            st.enabled()
                .iter()
                .any(|i| st.content.scenarios[*i].id == "soin")
        );
    }
    open_panel(&mut h);
    h.tap("Volume moins").unwrap();
    h.tap("+ 1 jour").unwrap();
    assert_eq!(h.app.world().resource::<DaySettings>().date_offset_days, 1);
    assert_eq!(
        std::fs::read_to_string(data.join(SETTINGS_FILE)).unwrap(),
        saved
    );
    assert_eq!(klub_kiosk::ops::time::read_offset_days(&data), 2);
}
