//! Changing scenarios from a USB stick: a valid folder replaces the active set; an invalid
//! one is refused with the active set untouched; a failure after the swap puts the previous
//! set back.

use klub_kiosk::ops::scenarios::{install_from, install_with};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

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

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
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
    assert!(err.contains("scenario.toml"), "{err}");
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
    let err = install_with(&usb, &active, &mut |_| Err("panne simulée".into())).unwrap_err();
    assert!(
        err.contains("panne simulée") && err.contains("remis en place"),
        "{err}"
    );
    assert_eq!(snapshot(&active), before);
}
