//! `klub pin`: the hash it prints verifies the code and nothing else; bad codes are refused.

use klub_kiosk::domain::pin::verify;
use std::process::Command;

fn klub(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args(args)
        .output()
        .expect("klub runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn pin_prints_a_hash_that_verifies_only_its_code() {
    let (code, out, err) = klub(&["pin", "1357"]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("pin_hash = "))
        .expect("a pin_hash line");
    let hash = line.trim_start_matches("pin_hash = ").trim_matches('"');
    assert!(verify("1357", hash));
    assert!(!verify("1358", hash));
    // A fresh salt each time.
    let (_, again, _) = klub(&["pin", "1357"]);
    assert_ne!(out, again);
}

#[test]
fn pin_refuses_codes_that_are_not_4_to_8_digits() {
    for bad in ["12", "123456789", "12a4"] {
        let (code, _, err) = klub(&["pin", bad]);
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains("4 à 8 chiffres"), "{err}");
    }
}
