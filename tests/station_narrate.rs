//! `klub narrate`: espeak-ng files for every text without a recorded one; a recorded file
//! always wins. Needs the Debian package `espeak-ng`.

mod support;

use std::path::Path;
use std::process::Command;
use support::sticks::copy_dir;

#[test]
fn narrate_writes_every_missing_voice_and_keeps_recorded_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scenarios");
    copy_dir(Path::new("scenarios"), &dir);
    let folder = dir.join("talents-express");
    // Start from no generated voice, whatever the set-up already made.
    let _ = std::fs::remove_dir_all(folder.join("voix/auto"));
    std::fs::create_dir_all(folder.join("voix")).unwrap();
    // A recorded voice for the title in French.
    std::fs::write(folder.join("voix/title.fr.wav"), b"recorded").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args(["narrate", "--only", "talents-express"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let set = klub_kiosk::content::set::ContentSet::load(&dir).unwrap();
    let s = set.scenario("talents-express").unwrap();
    let mut expected = 0;
    for (key, text) in klub_kiosk::content::set::scenario_texts(s) {
        for v in klub_kiosk::domain::text::Variant::ALL {
            if text.variant(v).is_none() {
                continue;
            }
            expected += 1;
            let found = klub_kiosk::content::set::narration_file(&folder, &key, v)
                .unwrap_or_else(|| panic!("{key}.{}", v.code()));
            if key == "title" && v == klub_kiosk::domain::text::Variant::Fr {
                assert_eq!(
                    found,
                    folder.join("voix/title.fr.wav"),
                    "the recorded file must win"
                );
                assert!(!folder.join("voix/auto/title.fr.wav").exists());
            } else {
                let bytes = std::fs::read(&found).unwrap();
                assert_eq!(&bytes[..4], b"RIFF", "{}", found.display());
                assert!(bytes.len() > 10_000, "{} too short", found.display());
            }
        }
    }
    assert!(expected > 40);
    // A second run finds everything up to date.
    let again = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args(["narrate", "--only", "talents-express"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&again.stdout).starts_with("0 fichier(s) générés"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn narrate_never_writes_through_a_link_planted_in_the_scenario_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scenarios");
    copy_dir(Path::new("scenarios"), &dir);
    let auto = dir.join("talents-express/voix/auto");
    let _ = std::fs::remove_dir_all(&auto);
    std::fs::create_dir_all(&auto).unwrap();
    let victim = tmp.path().join("victime.txt");
    std::fs::write(&victim, "précieux").unwrap();
    let narrate = || {
        Command::new(env!("CARGO_BIN_EXE_klub"))
            .args(["narrate", "--force", "--only", "talents-express"])
            .arg(&dir)
            .output()
            .unwrap()
    };
    // Where espeak-ng used to write before the rename.
    std::os::unix::fs::symlink(&victim, auto.join(".title.en.wav.tmp")).unwrap();
    let out = narrate();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "précieux");
    assert!(
        std::fs::read(auto.join("title.en.wav"))
            .unwrap()
            .starts_with(b"RIFF")
    );
    // A link in place of a generated file: refused, its target untouched.
    std::fs::remove_file(auto.join("title.en.wav")).unwrap();
    std::os::unix::fs::symlink(&victim, auto.join("title.en.wav")).unwrap();
    let out = narrate();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("lien symbolique"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "précieux");
}
