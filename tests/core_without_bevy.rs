//! The library core builds without Bevy: the `station` feature is the only way in.

use std::process::Command;

#[test]
fn core_dependency_tree_has_no_bevy() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--no-default-features",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.lines().count() > 10, "the tree was listed:\n{tree}");
    let bevy: Vec<&str> = tree
        .lines()
        .filter(|l| l.starts_with("bevy") || l.starts_with("wgpu") || l.starts_with("winit"))
        .collect();
    assert!(bevy.is_empty(), "the core pulls in: {bevy:?}");
    // And with the default feature, it does: the check above can fail.
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--invert",
            "bevy_app",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("klub-kiosk"),
        "the station feature brings Bevy in"
    );
}
