//! Truck clocks: the facilitator's stop date is a day offset (the system clock untouched),
//! and merged logs keep each station's sessions in visit order even when its clock was
//! wrong by days, or was put back in the middle of a stop.

use klub_kiosk::content::set::ContentSet;
use klub_kiosk::domain::session::{SessionId, Source};
use klub_kiosk::domain::text::Lang;
use klub_kiosk::ops::time;
use klub_kiosk::storage::record::{Record, SessionStart, Stamp};
use klub_kiosk::storage::time::parse_paris_date;
use klub_kiosk::storage::writer::{LogWriter, StationInfo};
use std::path::Path;
use std::time::Duration;

const DAY: i64 = 86_400_000;

/// Logs sessions at the given wall-clock times with the given offset (days), in order.
fn log_station(path: &Path, station: &str, visits: &[(i64, i32)]) -> Vec<SessionId> {
    let set = ContentSet::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")).unwrap();
    let scenario = &set.scenarios[0];
    let (w, _) = LogWriter::open(
        path,
        StationInfo {
            station_id: station.into(),
        },
    )
    .unwrap();
    let mut ids = vec![];
    for (k, &(wall_ms, offset_days)) in visits.iter().enumerate() {
        let id = SessionId::random().unwrap();
        let at = Stamp {
            wall_ms,
            mono_ms: k as u64 * 60_000,
        };
        let mut start = SessionStart::new(scenario, id, Source::Visitor, Lang::Fr, at);
        start.stop = Some("chartres".into());
        start.tour = Some("exemple-eure-et-loir".into());
        start.clock_offset_ms = time::offset_ms(offset_days);
        w.send(Record::Start(Box::new(start)));
        ids.push(id);
    }
    assert!(w.flush(Duration::from_secs(10)));
    ids
}

#[test]
fn merged_sessions_keep_visit_order_despite_wrong_clocks() {
    let dir = tempfile::tempdir().unwrap();
    let monday = parse_paris_date("2027-01-11").unwrap() + 10 * 3_600_000;
    // borne-1: clock right.
    let a = log_station(
        &dir.path().join("a.db"),
        "borne-1",
        &[(monday, 0), (monday + 3_600_000, 0)],
    );
    // borne-2: battery flat, clock 5 days behind; the facilitator set +5 days. Then someone
    // put the clock back a further 3 days in the middle of the stop (offset not updated).
    let wrong = monday - 5 * DAY;
    let b = log_station(
        &dir.path().join("b.db"),
        "borne-2",
        &[
            (wrong, 5),
            (wrong + 3_600_000, 5),
            (wrong - 3 * DAY + 7_200_000, 5),
            (wrong - 3 * DAY + 9_000_000, 5),
        ],
    );
    let out = dir.path().join("tour.db");
    klub_kiosk::storage::merge::merge(&[dir.path().join("b.db"), dir.path().join("a.db")], &out)
        .unwrap();
    let conn = klub_kiosk::storage::db::open_ro(&out).unwrap();
    let rows = klub_kiosk::storage::read::sessions(&conn, &[]).unwrap();
    let order: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.station.clone(), r.id.clone()))
        .collect();
    let want: Vec<(String, String)> = a
        .iter()
        .map(|id| ("borne-1".to_owned(), id.to_string()))
        .chain(b.iter().map(|id| ("borne-2".to_owned(), id.to_string())))
        .collect();
    assert_eq!(order, want, "sessions out of visit order");
    // Per-station sequence numbers are what orders them, not the clock.
    let seqs: Vec<i64> = rows
        .iter()
        .filter(|r| r.station == "borne-2")
        .map(|r| r.seq)
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // The offset puts borne-2's first sessions on the stop's real day.
    let r = rows.iter().find(|r| r.station == "borne-2").unwrap();
    assert_eq!(
        klub_kiosk::storage::time::paris_day_hour(r.started_ms()).0,
        "2027-01-11"
    );
    assert!(rows.iter().all(|r| r.stop.as_deref() == Some("chartres")));
}

#[test]
fn the_stop_date_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_eq!(time::read_offset_days(&data), 0);
    time::write_offset_days(&data, 5).unwrap();
    // A restart reads it back; the stop date moves, the system clock does not.
    let days = time::read_offset_days(&data);
    assert_eq!(days, 5);
    let now = parse_paris_date("2027-01-06").unwrap() + 12 * 3_600_000;
    assert_eq!(time::stop_date(now, days), "2027-01-11");
    assert_eq!(time::offset_ms(days), 5 * DAY);
}
