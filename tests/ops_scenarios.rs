//! Changing scenarios from a USB stick: a valid folder replaces the active set; an invalid
//! one is refused with the active set untouched; a failure after the swap puts the previous
//! set back, and a set that cannot be put back is reported as a failure; links, pipes and
//! devices on the stick are not copied.

mod support;

use klub_kiosk::ops::scenarios::{Progress, Stage, install_from, install_with};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::sticks::{bundled, copy_dir as copy, fifo, link};

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// An active set (the bundled one with a marker) and a new one (the bundled one, changed).
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let active = dir.path().join("scenarios");
    copy(&bundled(), &active);
    std::fs::write(active.join("ANCIEN.txt"), "ancien jeu").unwrap();
    let usb = dir.path().join("usb/scenarios");
    copy(&bundled(), &usb);
    std::fs::write(usb.join("NOUVEAU.txt"), "nouveau jeu").unwrap();
    (dir, active, usb)
}

#[test]
fn a_valid_folder_replaces_the_active_set() {
    let (_dir, active, usb) = setup();
    let done = install_from(&usb, &active).unwrap();
    assert!(done.scenarios > 0);
    assert_eq!(snapshot(&active), snapshot(&usb));
    let old = done.previous.unwrap();
    assert!(
        old.join("ANCIEN.txt").is_file(),
        "previous set kept as {}",
        old.display()
    );
    assert!(!active.with_file_name("scenarios.new").exists());
}

#[test]
fn an_invalid_folder_is_refused_and_nothing_changes() {
    let (_dir, active, usb) = setup();
    let before = snapshot(&active);
    // Break one scenario.
    let victim = std::fs::read_dir(&usb)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("scenario.toml").is_file())
        .unwrap();
    std::fs::write(victim.join("scenario.toml"), "id = \"cassé\"\n[[step\n").unwrap();
    let err = install_from(&usb, &active).unwrap_err();
    assert!(
        err.restored && err.report.contains("scenario.toml"),
        "{err}"
    );
    assert_eq!(snapshot(&active), before);
    assert!(!active.with_file_name("scenarios.new").exists());
    // An empty stick is refused too.
    let empty = usb.with_file_name("vide");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(install_from(&empty, &active).is_err());
    assert_eq!(snapshot(&active), before);
}

#[test]
fn a_failure_after_the_swap_rolls_back() {
    let (_dir, active, usb) = setup();
    let before = snapshot(&active);
    let err = install_with(&usb, &active, &Progress::default(), &mut |_| {
        Err("panne simulée".into())
    })
    .unwrap_err();
    assert!(err.restored, "{err}");
    assert!(
        err.report.contains("panne simulée")
            && err.report.contains("anciens scénarios remis en place"),
        "{err}"
    );
    assert_eq!(snapshot(&active), before);
}

#[test]
fn a_rollback_that_fails_is_reported_as_a_failure() {
    let (_dir, active, usb) = setup();
    let old = active.with_file_name("scenarios.old");
    // The last check fails, and the previous set can no longer be put back.
    let err = install_with(&usb, &active, &Progress::default(), &mut |_| {
        std::fs::remove_dir_all(&old).unwrap();
        Err("panne simulée".into())
    })
    .unwrap_err();
    assert!(!err.restored, "{err}");
    assert!(
        err.report.contains("NON remis en place") && err.report.contains("NOT restored"),
        "{err}"
    );
    assert!(
        !err.report.contains("anciens scénarios remis en place"),
        "{err}"
    );
}

#[test]
fn the_copy_leaves_out_links_pipes_and_devices_and_reports_progress() {
    let (dir, active, usb) = setup();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "hors de la clé").unwrap();
    link(&secret, &usb.join("lien.txt"));
    link(dir.path(), &usb.join("lien-dossier"));
    link(Path::new("/dev/zero"), &usb.join("zero"));
    fifo(&usb.join("tube"));
    let progress = Progress::default();
    let done = install_with(&usb, &active, &progress, &mut |_| Ok(())).unwrap();
    assert!(done.scenarios > 0);
    for name in ["lien.txt", "lien-dossier", "zero", "tube"] {
        assert!(
            std::fs::symlink_metadata(active.join(name)).is_err(),
            "{name} was copied"
        );
    }
    assert!(active.join("NOUVEAU.txt").is_file());
    assert_eq!(progress.stage(), Stage::Done);
    let (copied, total) = progress.bytes();
    let expected: u64 = snapshot(&active).values().map(|b| b.len() as u64).sum();
    assert_eq!((copied, total), (expected, expected));
}

#[test]
fn progress_reads_as_a_line_for_the_panel() {
    let p = Progress::default();
    assert!(p.line().contains("Vérification"), "{}", p.line());
}
