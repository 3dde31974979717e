#![cfg(feature = "station")]
//! A station whose OS random generator fails (injected through `ids::simulate_failure`, the
//! only test in this binary because the seam is process-wide): the visit is played but not
//! logged, the results show without a pass or QR code, the panel says why, and nothing
//! crashes. Then the generator comes back and the next visit has its pass again.

use bevy::prelude::*;
use klub_kiosk::app::Launch;
use klub_kiosk::app::bridge::Visitor;
use klub_kiosk::app::facilitator::PanelMessage;
use klub_kiosk::app::harness::Harness;
use klub_kiosk::app::screens::Screen;
use klub_kiosk::app::screens::results::PassQr;
use klub_kiosk::domain::ids;
use klub_kiosk::domain::session::SessionId;
use std::path::Path;
use std::time::Duration;

fn qr_count(h: &mut Harness) -> usize {
    h.world()
        .query_filtered::<&ImageNode, With<PassQr>>()
        .iter(h.app.world())
        .count()
}

fn visit(h: &mut Harness) {
    h.start(Some("Tes talents en 2 minutes")).unwrap();
    assert_eq!(h.screen(), Screen::Play);
    h.play_through().unwrap();
    assert_eq!(h.screen(), Screen::Results, "{:?}", h.texts());
}

#[test]
fn without_os_randomness_the_visit_plays_unlogged_and_the_results_have_no_qr() {
    // The bundled content and tour, with the log in the temp folder (`../data`).
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("config")).unwrap();
    let cfg = tmp.path().join("config/station.toml");
    let text = std::fs::read_to_string(repo.join("kiosk-config/default.toml"))
        .unwrap()
        .replace(
            "scenarios_dir = \"../scenarios\"",
            &format!(
                "scenarios_dir = \"{}\"\ntour = \"{}\"",
                repo.join("scenarios").display(),
                repo.join("kiosk-config/tour.toml").display()
            ),
        );
    std::fs::write(&cfg, text).unwrap();
    let mut h = Harness::new(Launch {
        config: cfg,
        ..Default::default()
    });

    ids::simulate_failure(true);
    visit(&mut h);
    let v = h.app.world().resource::<Visitor>();
    assert_eq!(v.session.as_ref().unwrap().id, SessionId::UNLOGGED);
    assert!(v.pass.is_none() && v.pass_url.is_none());
    assert_eq!(qr_count(&mut h), 0, "a QR code without a pass id");
    assert!(h.shows("Tes pistes à explorer"), "{:?}", h.texts());
    assert!(h.shows("Parles-en au médiateur ou à la médiatrice du Klub"));
    let said = h.app.world().resource::<PanelMessage>().0.clone();
    assert!(
        said.as_deref().is_some_and(
            |m| m.contains("générateur aléatoire") && m.contains("sans être enregistrée")
        ),
        "{said:?}"
    );
    h.tap("Terminer").unwrap();
    h.run(Duration::from_secs(1));
    assert_ne!(h.screen(), Screen::Results);

    // Nothing of that visit reached the log.
    let log = h
        .app
        .world()
        .resource::<klub_kiosk::app::log::VisitLog>()
        .writer
        .as_ref()
        .expect("the log is open")
        .flush(Duration::from_secs(5));
    assert!(log);
    let db = tmp
        .path()
        .join("data")
        .join(klub_kiosk::ops::files::LOG_FILE);
    assert!(db.is_file(), "the log is where the test looks");
    let conn = klub_kiosk::storage::db::open_ro(&db).unwrap();
    assert!(
        klub_kiosk::storage::read::sessions(&conn, &[])
            .unwrap()
            .is_empty()
    );

    // The generator is back: the next visit has its pass and QR, and is logged.
    ids::simulate_failure(false);
    h.run(Duration::from_secs(10));
    visit(&mut h);
    assert_eq!(qr_count(&mut h), 1);
    h.app
        .world()
        .resource::<klub_kiosk::app::log::VisitLog>()
        .writer
        .as_ref()
        .unwrap()
        .flush(Duration::from_secs(5));
    drop(conn);
    let conn = klub_kiosk::storage::db::open_ro(&db).unwrap();
    assert_eq!(
        klub_kiosk::storage::read::sessions(&conn, &[])
            .unwrap()
            .len(),
        1
    );
}
