//! The library core builds without Bevy: the `station` feature is the only way in.

mod support;

#[test]
fn core_dependency_tree_has_no_bevy() {
    let tree = support::cargo::tree(&[
        "--no-default-features",
        "--edges",
        "normal,build",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]);
    assert!(tree.lines().count() > 10, "the tree was listed:\n{tree}");
    let bevy: Vec<&str> = tree
        .lines()
        .filter(|l| l.starts_with("bevy") || l.starts_with("wgpu") || l.starts_with("winit"))
        .collect();
    assert!(bevy.is_empty(), "the core pulls in: {bevy:?}");
    // And with the default feature, it does: the check above can fail.
    let users = support::cargo::tree(&[
        "--edges", "normal", "--prefix", "none", "--format", "{p}", "--invert", "bevy_app",
    ]);
    assert!(
        users.contains("klub-kiosk"),
        "the station feature brings Bevy in"
    );
}

/// Each package of `cargo tree` with its features: `name vX.Y.Z` → `a,b,c`.
fn features(edges: &str) -> std::collections::BTreeMap<String, String> {
    support::cargo::tree(&[
        "--edges",
        edges,
        "--prefix",
        "none",
        "--format",
        "{p} [{f}]",
    ])
    .lines()
    .filter_map(|l| {
        let (name, rest) = l.split_once(" [")?;
        let name = name.split(" (").next()?;
        let feats = rest.split(']').next()?;
        Some((name.to_owned(), feats.to_owned()))
    })
    .collect()
}

/// `cargo test` builds every dependency of `cargo build` with the same features, so going
/// from one to the other never rebuilds Bevy. This is why Cargo.toml lists `rand_010`:
/// without it, proptest gives rand 0.10 `sys_rng` for tests only.
#[test]
fn tests_resolve_the_build_dependencies_with_the_same_features() {
    let build = features("normal,build");
    let test = features("normal,build,dev");
    assert!(
        build.keys().any(|k| k.starts_with("bevy_math ")),
        "{build:?}"
    );
    let differ: Vec<String> = build
        .iter()
        // The crate itself gets its test harness (the `harness` feature) on purpose.
        .filter(|(name, _)| !name.starts_with("klub-kiosk "))
        .filter_map(|(name, f)| {
            let t = test.get(name)?;
            (t != f).then(|| format!("{name}: build [{f}], test [{t}]"))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "rebuilt for tests:\n{}",
        differ.join("\n")
    );
}
