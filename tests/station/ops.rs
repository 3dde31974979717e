//! The station's upkeep on a headless station: systemd readiness, pings and the sleep cap;
//! the screen size file for `klub doctor`; daily backups (at start, on a new day, seven
//! kept); and a low disk that stops backups but not the visit log, with the facilitator
//! told.

use crate::support::station::Folder;
use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use klub_kiosk::app::Launch;
use klub_kiosk::app::harness::Harness;
use klub_kiosk::app::log::VisitLog;
use klub_kiosk::app::ops::{BACKUP_DELAY, Backups, OpsWarnings, StationWatchdog};
use klub_kiosk::app::perf::Started;
use klub_kiosk::app::screens::Screen;
use klub_kiosk::ops::backup::Outcome;
use klub_kiosk::ops::watchdog::{Notifier, Watchdog};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::time::{Duration, Instant};

/// A station folder with its log on: config in `<dir>/config`, data in `<dir>/data`.
fn launch(dir: &Path) -> Launch {
    Launch::with_config(Folder::default().write(dir, |c| c))
}

fn received(rx: &UnixDatagram) -> Vec<String> {
    rx.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 64];
    let mut got = vec![];
    while let Ok(n) = rx.recv(&mut buf) {
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    got
}

#[test]
fn ready_after_the_first_interactive_frame_pings_sleep_cap_and_stopping() {
    let tmp = tempfile::tempdir().unwrap();
    let sock = tmp.path().join("notify.sock");
    let rx = UnixDatagram::bind(&sock).unwrap();
    let mut app = klub_kiosk::app::headless(
        Launch {
            no_log: true,
            ..launch(tmp.path())
        },
        (1920, 1080),
    );
    // WatchdogSec=2: pings every 0.5–1 s, sleeps of at most 0.5 s.
    app.insert_resource(StationWatchdog::new(Watchdog::new(
        Notifier::new(sock.to_str().unwrap()),
        Some(Duration::from_secs(1)),
    )));
    // Winit is off in headless tests; the redraw system still sets its update mode.
    app.insert_resource(bevy::winit::WinitSettings::desktop_app());
    app.update();
    let first = received(&rx);
    assert!(
        !first.contains(&"READY=1".to_owned()),
        "ready before anything was drawn: {first:?}"
    );
    assert!(
        app.world()
            .resource::<Started>()
            .interactive_after
            .is_none()
    );
    let mut all = first;
    for _ in 0..3 {
        app.update();
        all.extend(received(&rx));
    }
    assert!(
        app.world()
            .resource::<Started>()
            .interactive_after
            .is_some()
    );
    assert_eq!(all.iter().filter(|m| *m == "READY=1").count(), 1, "{all:?}");
    assert!(app.world().resource::<StationWatchdog>().ready);

    // Idle on the attract loop: the sleep never exceeds the watchdog's quarter period.
    for _ in 0..40 {
        app.update();
    }
    assert_eq!(
        *app.world().resource::<State<Screen>>().get(),
        Screen::Attract
    );
    let s = app.world().resource::<bevy::winit::WinitSettings>();
    match s.focused_mode {
        bevy::winit::UpdateMode::Reactive { wait, .. } => {
            assert!(wait <= Duration::from_millis(500), "sleeps {wait:?}");
        }
        m => panic!("{m:?}"),
    }
    // Pings follow real time: one every 0.5–1 s of frames.
    let _ = received(&rx);
    let t = Instant::now();
    let mut pings = 0;
    while t.elapsed() < Duration::from_millis(1100) {
        app.update();
        pings += received(&rx).iter().filter(|m| *m == "WATCHDOG=1").count();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!((1..=3).contains(&pings), "{pings} pings in 1.1 s");

    // A ping may fall due in the same frame; only STOPPING=1 matters here, once.
    let not_pings =
        |v: Vec<String>| -> Vec<String> { v.into_iter().filter(|m| m != "WATCHDOG=1").collect() };
    app.world_mut().write_message(AppExit::Success);
    app.update();
    assert_eq!(not_pings(received(&rx)), ["STOPPING=1"]);
    app.world_mut().write_message(AppExit::Success);
    app.update();
    assert!(not_pings(received(&rx)).is_empty());
}

#[test]
fn screen_size_is_written_at_start_and_on_resize() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("data/screen.txt");
    let mut h = Harness::with_size(launch(tmp.path()), (1280, 800));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "1280x800\n");
    // `klub doctor` reads it.
    let report = klub_kiosk::ops::doctor::run(&klub_kiosk::ops::doctor::Options::for_config(
        &tmp.path().join("config/station.toml"),
    ));
    let screen = report.iter().find(|c| c.id == "screen").unwrap();
    assert!(screen.what.en.contains("1280×800"), "{screen:?}");
    {
        let w = h.world();
        let mut q = w.query::<&mut Window>();
        let mut win = q.single_mut(w).unwrap();
        win.resolution.set_physical_resolution(1920, 1200);
    }
    h.frame();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "1920x1200\n");

    // `--no-log` leaves the data folder alone.
    let quiet = tempfile::tempdir().unwrap();
    let mut h = Harness::new(Launch {
        no_log: true,
        ..launch(quiet.path())
    });
    h.frame();
    assert!(!quiet.path().join("data/screen.txt").exists());
}

/// Runs frames until the backup for `day` is settled (made, or refused).
fn backup_for(h: &mut Harness, day: &str) -> Result<Outcome, String> {
    h.world().resource_mut::<Backups>().day_override = Some(day.to_owned());
    let t = Instant::now();
    loop {
        h.frame();
        let b = h.world().resource::<Backups>();
        if !b.running()
            && b.attempts > 0
            && let Some(last) = &b.last
            && (b.done.as_deref() == Some(day) || !matches!(last, Ok(Outcome::Made(_))))
        {
            return last.clone().map_err(|e| e.to_string());
        }
        assert!(t.elapsed() < Duration::from_secs(30), "no backup for {day}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn names(dir: &Path) -> Vec<String> {
    klub_kiosk::ops::backup::list(dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_backup_at_start_and_each_new_day_seven_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = Harness::new(launch(tmp.path()));
    let dir = tmp.path().join("data/backups");
    h.world().resource_mut::<Backups>().day_override = Some("2027-01-01".into());
    // Nothing in the first seconds: start-up comes first.
    h.run(BACKUP_DELAY - Duration::from_millis(500));
    assert_eq!(h.world().resource::<Backups>().attempts, 0);
    assert!(matches!(
        backup_for(&mut h, "2027-01-01"),
        Ok(Outcome::Made(_))
    ));
    assert_eq!(names(&dir), ["klub-log-2027-01-01.db"]);
    // The same day: nothing more, even an hour later.
    h.run(Duration::from_secs(5));
    assert_eq!(h.world().resource::<Backups>().attempts, 1);
    for d in 2..=9 {
        let day = format!("2027-01-{d:02}");
        assert!(matches!(backup_for(&mut h, &day), Ok(Outcome::Made(_))));
    }
    let kept = names(&dir);
    assert_eq!(kept.len(), 7, "{kept:?}");
    assert_eq!(kept.first().unwrap(), "klub-log-2027-01-03.db");
    assert_eq!(kept.last().unwrap(), "klub-log-2027-01-09.db");
    // Each is a whole, readable log.
    klub_kiosk::storage::db::open_ro(&dir.join("klub-log-2027-01-09.db")).unwrap();
    assert!(h.world().resource::<OpsWarnings>().lines.is_empty());
}

fn corner_hold_and_pin(h: &mut Harness) {
    h.settle();
    h.touch(90, TouchPhase::Started, Vec2::new(30.0, 30.0));
    h.run(Duration::from_millis(3100));
    h.touch(90, TouchPhase::Ended, Vec2::new(30.0, 30.0));
    h.frame();
    for d in "2468".chars() {
        h.tap(&d.to_string()).unwrap();
    }
    h.tap("Valider").unwrap();
    assert_eq!(h.screen(), Screen::Facilitator);
}

/// The panel's targets that do not lie wholly on the 1920×1080 screen.
fn targets_off_screen(h: &mut Harness) -> Vec<String> {
    let w = h.world();
    let screen = Rect::new(0.0, 0.0, 1920.0, 1080.0);
    let mut q = w.query::<(
        &bevy::ui::ComputedNode,
        &bevy::ui::UiGlobalTransform,
        &klub_kiosk::app::theme::widget::Label,
    )>();
    q.iter(w)
        .filter(|(n, t, _)| {
            let r = Rect::from_center_size(t.translation, n.size());
            r.union(screen) != screen
        })
        .map(|(.., l)| l.0.clone())
        .collect()
}

fn sessions(db: &Path) -> i64 {
    klub_kiosk::storage::db::open_ro(db)
        .unwrap()
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn low_disk_stops_backups_not_visits_and_the_facilitator_is_told() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = Harness::new(launch(tmp.path()));
    {
        let mut b = h.world().resource_mut::<Backups>();
        // 1 MB free: less than the log's 30-day reserve.
        b.policy.free_override = Some(1_000_000);
        b.day_override = Some("2027-02-01".into());
    }
    h.run(BACKUP_DELAY);
    let got = backup_for(&mut h, "2027-02-01");
    assert!(matches!(got, Ok(Outcome::LowDisk { .. })), "{got:?}");
    assert!(names(&tmp.path().join("data/backups")).is_empty());
    h.run(Duration::from_secs(2));
    let lines = h.world().resource::<OpsWarnings>().lines.clone();
    assert!(
        lines.iter().any(|l| l.contains("Disque presque plein")),
        "{lines:?}"
    );

    // The facilitator sees it on the panel, whose buttons all stay on screen and answer.
    corner_hold_and_pin(&mut h);
    h.frame();
    assert!(h.shows("Disque presque plein"), "{:?}", h.texts());
    let off = targets_off_screen(&mut h);
    assert!(off.is_empty(), "the warning pushes {off:?} off screen");
    h.tap("Fermer").unwrap();
    assert_eq!(h.screen(), Screen::Attract);
    assert!(!h.shows("Disque presque plein"));

    // Visits are still logged.
    h.start(Some("Tes talents en 2 minutes")).unwrap();
    for _ in 0..3 {
        h.play_step().unwrap();
    }
    let log = h.world().resource::<VisitLog>();
    assert!(log.writer.as_ref().unwrap().flush(Duration::from_secs(5)));
    assert_eq!(sessions(&log.path.clone()), 1);

    // Once space is back, the next try (an hour on) makes the backup and the warning goes.
    {
        let mut b = h.world().resource_mut::<Backups>();
        b.policy.free_override = None;
        b.retry = Duration::from_secs(10);
    }
    h.run(Duration::from_secs(10));
    let got = backup_for(&mut h, "2027-02-01");
    assert!(matches!(got, Ok(Outcome::Made(_))), "{got:?}");
    h.run(Duration::from_secs(2));
    assert!(h.world().resource::<OpsWarnings>().lines.is_empty());
}
