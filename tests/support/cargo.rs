//! `cargo tree` over this package, for the tests that check what a build brings in.

use std::process::Command;

/// The output of `cargo tree ARGS` run in this package; it must succeed. Not `--offline`:
/// CI runs the core's tests before anything has fetched Bevy's crates.
pub fn tree(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO"))
        .arg("tree")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
