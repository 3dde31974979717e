//! A failing OS random generator, injected through the code's seam (`ids::simulate_failure`,
//! and `KLUB_SIMULATE_RANDOM_FAILURE=1` for the `klub` binary): a fleet key, a pass id, a
//! PIN salt, an export hash key, a session id and a merge's scratch folder are refused with
//! the reason, never made from the clock.

use klub_kiosk::domain::ids::{self, SIMULATE_FAILURE_ENV};
use klub_kiosk::domain::pass::{FleetKey, PassId};
use klub_kiosk::domain::pin::{PinError, hash_pin};
use klub_kiosk::domain::session::SessionId;
use std::path::Path;
use std::process::{Command, Output};

const REASON: &str = "générateur aléatoire du système ne répond pas";

fn klub(args: &[&str], failing: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_klub"));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    if failing {
        cmd.env(SIMULATE_FAILURE_ENV, "1");
    } else {
        cmd.env_remove(SIMULATE_FAILURE_ENV);
    }
    cmd.output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Fails with exit status 2, the reason on stderr, and no secret on stdout.
fn refused(args: &[&str]) {
    let o = klub(args, true);
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(2), "{args:?}: {out}{err}");
    assert!(err.contains(REASON), "{args:?}: {err}");
    assert!(err.contains("random generator failed"), "{args:?}: {err}");
    for secret in ["fleet_key =", "pin_hash =", "https://"] {
        assert!(!out.contains(secret), "{args:?} printed {secret}: {out}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn key_pin_and_pass_commands_fail_with_the_reason() {
    // The same commands work with the generator: the failure is the seam's.
    for args in [
        &["key", "new"][..],
        &["pin", "135790"],
        &["pass", "sample", "--time", "29000000"],
    ] {
        let o = klub(args, false);
        assert!(o.status.success(), "{args:?}: {o:?}");
        refused(args);
    }
    // An explicit key id still needs 32 random bytes.
    refused(&["key", "new", "--id", "4"]);
}

#[test]
fn export_and_simulate_fail_with_the_reason_and_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("borne.db");
    let made = klub(
        &[
            "simulate",
            "--db",
            s(&db),
            "--station",
            "borne-1",
            "--visitors",
            "5",
            "--seed",
            "7",
        ],
        false,
    );
    assert!(made.status.success(), "{made:?}");
    let exp = tmp.path().join("export");
    let empty = |p: &Path| std::fs::read_dir(p).map_or(true, |mut d| d.next().is_none());
    refused(&["export", s(&db), "--out", s(&exp)]);
    assert!(empty(&exp), "an export without a hash key");
    // With a given hash key, and for a merge, nothing secret is made: scratch folders are
    // named by process and counter (mkdir refuses a planted name), so both still work.
    let key = "00".repeat(32);
    let o = klub(
        &["export", s(&db), "--out", s(&exp), "--hash-key", &key],
        true,
    );
    assert!(o.status.success(), "{o:?}");

    let tour = tmp.path().join("tour.db");
    let o = klub(&["merge", s(&db), "-o", s(&tour)], true);
    assert!(o.status.success(), "{o:?}");
    let litter: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".merge-"))
        .collect();
    assert!(litter.is_empty(), "{litter:?}");

    let other = tmp.path().join("autre.db");
    refused(&[
        "simulate",
        "--db",
        s(&other),
        "--station",
        "borne-2",
        "--visitors",
        "1",
        "--seed",
        "7",
    ]);
}

#[test]
fn every_maker_of_a_secret_or_id_reports_the_failure() {
    // The seam is process-wide: this is the only test here that draws in-process.
    ids::simulate_failure(true);
    let mut b = [0u8; 4];
    let e = ids::fill_random(&mut b).unwrap_err();
    assert!(e.to_string().contains(REASON), "{e}");
    assert!(FleetKey::generate(1).is_err());
    assert!(PassId::random().is_err());
    assert!(SessionId::random().is_err());
    assert!(matches!(hash_pin("135790"), Err(PinError::Random(_))));
    ids::simulate_failure(false);
    assert!(FleetKey::generate(1).is_ok() && PassId::random().is_ok());
    assert!(hash_pin("135790").is_ok());
}
