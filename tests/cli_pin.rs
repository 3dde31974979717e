//! `klub pin`: six to eight digits, hashed with argon2id (19 MiB, t = 2); the hash it prints
//! verifies the code and nothing else; short and malformed codes are refused; hashes of the
//! old SHA-256 kind still open the panel but are flagged for renewal; a hostile hash cannot
//! make a station allocate gigabytes.

use klub_kiosk::domain::pin::{
    LANES, MEMORY_KIB, PASSES, PinError, Stored, hash_pin, needs_renewal, parse_hash, verify,
};
use std::process::Command;

/// The demo code 2468 as hashed before argon2 (kiosk-config/default.toml).
const LEGACY_2468: &str = "sha256:6b6c75622d64656d6f2d70696e2d3031:83abe3c0433e03fb8f0b6c4e0177d8a0d514de28bd1493664f5c97d72678cb90";

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
fn pin_prints_an_argon2id_hash_that_verifies_only_its_code() {
    let (code, out, err) = klub(&["pin", "135790"]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("pin_hash = "))
        .expect("a pin_hash line");
    let hash = line.trim_start_matches("pin_hash = ").trim_matches('"');
    assert!(hash.starts_with("argon2id:m=19456,t=2,p=1:"), "{hash}");
    assert_eq!((MEMORY_KIB, PASSES, LANES), (19_456, 2, 1));
    assert!(matches!(
        parse_hash(hash),
        Some(Stored::Argon2id {
            m: 19_456,
            t: 2,
            p: 1,
            ..
        })
    ));
    assert!(verify("135790", hash));
    assert!(!verify("135791", hash));
    assert!(!verify("", hash));
    assert!(!needs_renewal(hash));
    // A fresh salt each time.
    let (_, again, _) = klub(&["pin", "135790"]);
    assert_ne!(out, again);
}

#[test]
fn pin_refuses_codes_that_are_not_6_to_8_digits() {
    for bad in [
        "12",
        "1234",
        "12345",
        "123456789",
        "12a456",
        "１２３４５６",
        "",
    ] {
        let (code, out, err) = klub(&["pin", bad]);
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains("6 à 8 chiffres"), "{bad}: {err}");
        assert!(!out.contains("pin_hash"), "{bad}: {out}");
        let (_, _, err) = klub(&["--lang", "en", "pin", bad]);
        assert!(err.contains("6 to 8 digits"), "{bad}: {err}");
        assert_eq!(hash_pin(bad), Err(PinError::Format));
    }
    for good in ["000000", "1234567", "98765432"] {
        assert!(verify(good, &hash_pin(good).unwrap()), "{good}");
    }
}

#[test]
fn old_sha256_hashes_still_verify_and_ask_to_be_renewed() {
    assert!(verify("2468", LEGACY_2468));
    assert!(!verify("2469", LEGACY_2468));
    assert!(needs_renewal(LEGACY_2468));
    assert!(matches!(
        parse_hash(LEGACY_2468),
        Some(Stored::LegacySha256 { .. })
    ));
    // An argon2id hash weaker than today's settings is also to be renewed.
    let weak = "argon2id:m=8192,t=1,p=1:00112233445566778899aabbccddeeff:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    assert!(parse_hash(weak).is_some() && needs_renewal(weak));
}

#[test]
fn hashes_asking_for_too_much_work_or_malformed_match_nothing() {
    let salt = "00112233445566778899aabbccddeeff";
    let hash = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    for params in [
        "m=4194304,t=2,p=1",
        "m=19456,t=1000,p=1",
        "m=19456,t=2,p=64",
        "m=19456,t=0,p=1",
        "m=1,t=2,p=1",
        "t=2,m=19456,p=1",
        "m=19456,t=2",
        "m=19456,t=2,p=1,x=1",
    ] {
        let stored = format!("argon2id:{params}:{salt}:{hash}");
        assert!(parse_hash(&stored).is_none(), "{stored}");
        assert!(!verify("135790", &stored), "{stored}");
    }
    for stored in [
        "",
        "argon2id",
        "argon2i:m=19456,t=2,p=1:00112233445566778899aabbccddeeff:00",
        "argon2id:m=19456,t=2,p=1:0011:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        "sha256:zz:00",
    ] {
        assert!(parse_hash(stored).is_none(), "{stored}");
        assert!(!verify("135790", stored), "{stored}");
        assert!(!needs_renewal(stored));
    }
}
