//! Daily log backups: seven kept, valid copies, and no backup when the disk runs low (the
//! visit log keeps its room and still takes visits), with a warning.

use klub_kiosk::ops::backup::{self, Outcome, Policy};
use klub_kiosk::storage::writer::{LogWriter, StationInfo};
use std::time::Duration;

fn make_log(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("klub-log.db");
    drop(klub_kiosk::storage::db::open_rw(&db).unwrap());
    db
}

#[test]
fn eight_days_of_backups_keep_the_last_seven() {
    let dir = tempfile::tempdir().unwrap();
    let db = make_log(dir.path());
    let bdir = dir.path().join("backups");
    for day in 1..=8 {
        let today = format!("2027-01-{day:02}");
        let out = backup::daily(
            &db,
            &bdir,
            &today,
            &Policy {
                free_override: Some(u64::MAX),
                ..Policy::default()
            },
        )
        .unwrap();
        assert_eq!(
            out,
            Outcome::Made(bdir.join(format!("klub-log-{today}.db")))
        );
        assert_eq!(out.warning(), None);
    }
    let names: Vec<String> = backup::list(&bdir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert_eq!(names[0], "klub-log-2027-01-02.db");
    assert_eq!(names[6], "klub-log-2027-01-08.db");
    // No temporary or side file is left behind.
    assert_eq!(std::fs::read_dir(&bdir).unwrap().count(), 7);
    // Each backup is a valid, current log.
    for p in backup::list(&bdir) {
        let conn = klub_kiosk::storage::db::open_ro(&p).unwrap();
        klub_kiosk::storage::db::check(&conn, &p).unwrap();
    }
    // The same day again: nothing new.
    let again = backup::daily(
        &db,
        &bdir,
        "2027-01-08",
        &Policy {
            free_override: Some(u64::MAX),
            ..Policy::default()
        },
    )
    .unwrap();
    assert!(matches!(again, Outcome::AlreadyDone(_)));
    assert_eq!(backup::list(&bdir).len(), 7);
}

#[test]
fn low_disk_stops_backups_before_logging() {
    let dir = tempfile::tempdir().unwrap();
    let db = make_log(dir.path());
    let bdir = dir.path().join("backups");
    let policy = Policy::default();
    let size = klub_kiosk::ops::disk::log_bytes(&db);
    // Room for a copy of the log, but not for the log's own reserve after it.
    let free = size + policy.reserve_bytes - 1;
    let out = backup::daily(
        &db,
        &bdir,
        "2027-01-11",
        &Policy {
            free_override: Some(free),
            ..policy
        },
    )
    .unwrap();
    assert!(matches!(out, Outcome::LowDisk { .. }), "{out:?}");
    let w = out.warning().unwrap();
    assert!(
        w.contains("Disque presque plein") && w.contains("sauvegarde"),
        "{w}"
    );
    assert!(backup::list(&bdir).is_empty());
    // Just enough: the backup is made.
    let out = backup::daily(
        &db,
        &bdir,
        "2027-01-11",
        &Policy {
            free_override: Some(free + 1),
            ..policy
        },
    )
    .unwrap();
    assert!(matches!(out, Outcome::Made(_)), "{out:?}");
    // The reserve holds days of logging, so logging outlives backups.
    assert!(policy.reserve_bytes >= 30 * klub_kiosk::ops::disk::RATE_FLOOR);
    // And the log still takes visits while backups are paused.
    let (w, _) = LogWriter::open(
        &db,
        StationInfo {
            station_id: "borne-1".into(),
        },
    )
    .unwrap();
    assert!(w.flush(Duration::from_secs(5)));
    assert!(w.status().healthy);
}

#[test]
fn no_log_yet_no_backup() {
    let dir = tempfile::tempdir().unwrap();
    let out = backup::daily(
        &dir.path().join("absent.db"),
        &dir.path().join("b"),
        "2027-01-11",
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(out, Outcome::NoLog);
}

#[test]
fn klub_backup_command_uses_the_config_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    make_log(&data);
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::write(
        dir.path().join("station.toml"),
        format!(
            "station_id = \"borne-2\"\nscenarios_dir = \"{}\"\n[data]\ndir = \"data\"\n",
            repo.join("scenarios").display()
        ),
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_klub"))
        .args([
            "backup",
            "--config",
            dir.path().join("station.toml").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(backup::list(&data.join("backups")).len(), 1);
}
