//! The warehouse is on by default for `klub`, and the station's build does not grow: the
//! package (`cargo deb`) is built with the features `[package.metadata.deb]` names, which
//! bring neither PostgreSQL, nor Parquet, nor TLS; Parquet is built without arrow.

mod support;

use std::path::Path;

/// Crates that only the warehouse brings.
const WAREHOUSE: [&str; 6] = [
    "postgres",
    "tokio-postgres",
    "parquet",
    "native-tls",
    "openssl-sys",
    "tokio",
];

/// The crates a build with these cargo arguments links (normal and build edges).
fn tree(args: &[&str]) -> Vec<String> {
    let mut all = vec![
        "--edges",
        "normal,build",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ];
    all.extend_from_slice(args);
    let crates: Vec<String> = support::cargo::tree(&all)
        .lines()
        .map(|l| l.split(' ').next().unwrap_or_default().to_owned())
        .collect();
    assert!(crates.len() > 10, "the tree was listed: {crates:?}");
    crates
}

/// The cargo arguments `cargo deb` builds the station's package with.
fn station_build() -> Vec<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let cargo: toml::Table = std::fs::read_to_string(manifest).unwrap().parse().unwrap();
    let deb = &cargo["package"]["metadata"]["deb"];
    let mut args = vec![];
    if deb.get("default-features").and_then(toml::Value::as_bool) == Some(false) {
        args.push("--no-default-features".to_owned());
    }
    let features: Vec<&str> = deb
        .get("features")
        .and_then(toml::Value::as_array)
        .map(|f| f.iter().filter_map(toml::Value::as_str).collect())
        .unwrap_or_default();
    if !features.is_empty() {
        args.push("--features".to_owned());
        args.push(features.join(","));
    }
    args
}

#[test]
fn the_station_package_brings_no_warehouse_crate() {
    let args = station_build();
    assert!(
        args.iter().any(|a| a == "--no-default-features"),
        "the package would take the default features, the warehouse with them: {args:?}"
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let station = tree(&args);
    assert!(
        station.iter().any(|c| c == "bevy"),
        "the package builds the station: {args:?}"
    );
    for c in WAREHOUSE {
        assert!(
            !station.iter().any(|l| l == c),
            "{c} in the station's build"
        );
    }
}

#[test]
fn klub_comes_with_the_warehouse_by_default_without_arrow() {
    let default = tree(&[]);
    for c in WAREHOUSE {
        assert!(default.iter().any(|l| l == c), "{c} missing by default");
    }
    let arrow: Vec<&String> = default.iter().filter(|l| l.starts_with("arrow")).collect();
    assert!(arrow.is_empty(), "Parquet pulls in arrow: {arrow:?}");
    let core = tree(&["--no-default-features"]);
    for c in WAREHOUSE {
        assert!(!core.iter().any(|l| l == c), "{c} without the feature");
    }
}

/// A default build compiles the warehouse into the library, so its kiosk binary carries
/// some of that code (the package does not: see above), but it needs no TLS library to
/// run, while `klub` of the same build does.
#[cfg(feature = "station")]
#[test]
fn the_kiosk_binary_of_a_default_build_needs_no_tls_library() {
    let libs = ["libssl.so", "libcrypto.so"];
    let bin = Path::new(env!("CARGO_BIN_EXE_klub-kiosk"));
    let found = holds(bin, &libs);
    assert!(found.is_empty(), "{} needs {found:?}", bin.display());
    #[cfg(feature = "warehouse")]
    assert!(
        !holds(Path::new(env!("CARGO_BIN_EXE_klub")), &libs).is_empty(),
        "klub was built without the warehouse"
    );
}

/// Which of `needles` a binary holds (`grep`, fast on a large debug binary).
#[cfg(feature = "station")]
fn holds(bin: &Path, needles: &[&str]) -> Vec<String> {
    let mut cmd = std::process::Command::new("grep");
    cmd.args(["--binary-files=text", "--only-matching", "--fixed-strings"]);
    for n in needles {
        cmd.arg("-e").arg(n);
    }
    let out = cmd.arg(bin).output().expect("grep runs");
    let mut found: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}
