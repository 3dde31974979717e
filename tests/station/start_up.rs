//! Start-up and the station's resources: files are read in the `Load` schedule, first of
//! all, so the plugins build in either order; the config file read by `run_from` is the
//! one used; a volume change is not a content change; the test harness stays out of the
//! shipped binaries.

use crate::support::station::{Folder, quiet};
use bevy::app::MainScheduleOrder;
use bevy::ecs::schedule::ScheduleLabel;
use bevy::prelude::*;
use klub_kiosk::app::Launch;
use klub_kiosk::app::bridge::{ConfigFile, DaySettings, Station};
use klub_kiosk::app::harness::Harness;
use klub_kiosk::app::load::Load;
use klub_kiosk::app::log::VisitLog;
use klub_kiosk::app::ops::Backups;
use klub_kiosk::app::screens::Screen;
use klub_kiosk::app::theme::FontFile;
use klub_kiosk::domain::config::StationConfig;

#[test]
fn the_station_starts_the_same_with_its_plugins_in_either_order() {
    let orders: [(&str, fn(&mut App)); 2] = [
        ("in order", klub_kiosk::app::plugin),
        ("reversed", klub_kiosk::app::plugin_reversed),
    ];
    for (name, plugins) in orders {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = Folder::default().write(tmp.path(), |c| c);
        let mut app =
            klub_kiosk::app::headless_with(Launch::with_config(&cfg), (1920, 1080), plugins);
        app.update();
        app.update();
        let w = app.world();
        let order = w.resource::<MainScheduleOrder>();
        assert_eq!(order.startup_labels[0], Load.intern(), "{name}");
        let st = w.resource::<Station>();
        assert!(st.warning.is_none(), "{name}: {:?}", st.warning);
        assert!(!st.content.scenarios.is_empty(), "{name}");
        let db = tmp
            .path()
            .join("config/../data")
            .join(klub_kiosk::ops::files::LOG_FILE);
        let log = w.resource::<VisitLog>();
        assert!(log.writer.is_some(), "{name}: {:?}", log.problem);
        assert_eq!(log.path, db, "{name}");
        assert_eq!(w.resource::<Backups>().db, db, "{name}");
        assert!(w.contains_resource::<FontFile>(), "{name}");
        assert!(w.contains_resource::<DaySettings>(), "{name}");
        assert_eq!(
            *w.resource::<State<Screen>>().get(),
            Screen::Attract,
            "{name}"
        );
    }
}

#[test]
fn the_config_read_before_the_app_is_the_one_used() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Folder::default().write(tmp.path(), |c| c);
    let file = ConfigFile::read(&cfg);
    assert!(file.errors.is_empty(), "{}", file.errors);
    // Gone from the disk: a second read would start on the defaults, with a warning.
    std::fs::remove_file(&cfg).unwrap();
    let mut app = klub_kiosk::app::headless(quiet(&cfg), (1920, 1080));
    app.insert_resource(ConfigFile {
        config: StationConfig {
            station_id: "lue-une-fois".into(),
            ..file.config.clone()
        },
        ..file
    });
    app.update();
    let st = app.world().resource::<Station>();
    assert_eq!(st.config.station_id, "lue-une-fois");
    assert!(st.warning.is_none(), "{:?}", st.warning);
    assert!(!app.world().contains_resource::<ConfigFile>());
}

/// How many frames saw each resource changed.
#[derive(Resource, Default, Debug)]
struct Seen {
    station: u32,
    day: u32,
}

fn watch(station: Res<Station>, day: Res<DaySettings>, mut seen: ResMut<Seen>) {
    seen.station += u32::from(station.is_changed());
    seen.day += u32::from(day.is_changed());
}

#[test]
fn a_volume_change_is_not_a_content_change() {
    let mut h = Harness::new(quiet("kiosk-config/default.toml"));
    h.app.init_resource::<Seen>();
    h.app.add_systems(Update, watch);
    h.start(Some("Tes talents en 2 minutes")).unwrap();
    assert_eq!(h.screen(), Screen::Play, "{:?}", h.texts());
    h.settle();
    *h.app.world_mut().resource_mut::<Seen>() = Seen::default();
    let before = h.app.world().resource::<DaySettings>().volume;
    for label in ["Plus fort", "Moins fort", "Moins fort", "Couper le son"] {
        h.tap(label).unwrap();
    }
    h.settle();
    let day = h.app.world().resource::<DaySettings>();
    assert!(
        (day.volume - (before - 0.1)).abs() < 1e-6 && day.muted,
        "{day:?}"
    );
    let seen = h.app.world().resource::<Seen>();
    assert!(seen.day >= 4, "{seen:?}");
    assert_eq!(seen.station, 0, "the station looked changed: {seen:?}");
}

#[test]
fn the_shipped_build_leaves_the_test_harness_out() {
    // Features as `cargo build` resolves them, without the dev-dependencies.
    let text = crate::support::cargo::tree(&["-e", "no-dev", "-e", "features", "-i", "klub-kiosk"]);
    assert!(text.contains("klub-kiosk feature \"station\""), "{text}");
    assert!(!text.contains("feature \"harness\""), "{text}");
    // And the tests do get it, through the dev-dependency.
    let text = crate::support::cargo::tree(&["-e", "features", "-i", "klub-kiosk"]);
    assert!(text.contains("feature \"harness\""), "{text}");
}

/// The target labelled `label` and its colour.
fn target(h: &mut Harness, label: &str) -> (Entity, Color) {
    let w = h.app.world_mut();
    let mut q = w.query::<(
        Entity,
        &klub_kiosk::app::theme::widget::Label,
        &BackgroundColor,
    )>();
    q.iter(w)
        .find(|(_, l, _)| l.0 == label)
        .map(|(e, _, c)| (e, c.0))
        .unwrap_or_else(|| panic!("no target {label}"))
}

#[test]
fn a_toggle_changes_in_place_and_a_language_redraws_the_screen() {
    use klub_kiosk::app::theme::palette;
    let mut h = Harness::new(quiet("kiosk-config/default.toml"));
    h.tap("Commencer").unwrap();
    assert_eq!(h.screen(), Screen::Welcome);
    let (read, off) = target(&mut h, "Lecture à voix haute");
    let (other, _) = target(&mut h, "Français");
    assert_eq!(off, palette::QUIET);
    h.tap("Lecture à voix haute").unwrap();
    assert_eq!(
        target(&mut h, "Lecture à voix haute"),
        (read, palette::SELECTED)
    );
    assert_eq!(
        target(&mut h, "Français").0,
        other,
        "a toggle redrew the screen"
    );
    h.tap("Lecture à voix haute").unwrap();
    assert_eq!(
        target(&mut h, "Lecture à voix haute"),
        (read, palette::QUIET)
    );
    // A language changes every text: the screen is built again.
    h.tap("English").unwrap();
    let (read_en, on) = target(&mut h, "Read aloud");
    assert_ne!(read_en, read);
    assert_eq!(on, palette::QUIET);
}

#[test]
fn low_reach_is_a_layout_the_screens_read_not_a_rewrite_of_every_node() {
    use klub_kiosk::app::theme::{LOW_REACH_TOP_VH, Layout, ScreenRoot};
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Folder {
        voices: false,
        ..Folder::default()
    }
    .write(tmp.path(), |c| {
        c.replace("low_reach = false", "low_reach = true")
    });
    let mut h = Harness::new(quiet(&cfg));
    assert!(h.app.world().resource::<Layout>().low_reach);
    // A node no screen built keeps its gaps, even the screens' usual 24 px.
    let e = h
        .app
        .world_mut()
        .spawn(Node {
            row_gap: px(24),
            column_gap: px(24),
            flex_wrap: FlexWrap::Wrap,
            ..default()
        })
        .id();
    h.frame();
    let n = h.app.world().get::<Node>(e).unwrap();
    assert_eq!(
        (n.row_gap, n.column_gap, n.width),
        (px(24), px(24), Val::Auto)
    );
    // The screens' own roots follow the layout.
    let w = h.app.world_mut();
    let mut roots = w.query_filtered::<&Node, With<ScreenRoot>>();
    let tops: Vec<Val> = roots.iter(w).map(|n| n.padding.top).collect();
    assert!(!tops.is_empty());
    assert!(
        tops.iter().all(|t| *t == Val::Vh(LOW_REACH_TOP_VH)),
        "{tops:?}"
    );
}
