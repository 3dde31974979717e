//! With the bundled demo fleet key, the station shows a visible warning; with a real key, none.

use klub_kiosk::app::Launch;
use klub_kiosk::app::harness::Harness;
use klub_kiosk::app::screens::attract::DEMO_KEY_WARNING;
use std::path::Path;

fn shows_warning(config: &Path) -> bool {
    let mut h = Harness::new(Launch {
        config: config.into(),
        no_log: true,
        ..Default::default()
    });
    h.settle();
    h.texts().iter().any(|t| t == DEMO_KEY_WARNING)
}

#[test]
fn the_demo_key_is_announced_on_the_attract_screen_and_a_real_key_is_not() {
    assert!(
        shows_warning(Path::new("kiosk-config/default.toml")),
        "demo key warning missing"
    );

    let dir = tempfile::tempdir().expect("tmp");
    let text = std::fs::read_to_string("kiosk-config/default.toml").expect("config");
    let real_key = "ab".repeat(32);
    let mut replaced = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("fleet_key =") {
            replaced.push_str(&format!("fleet_key = \"{real_key}\"\n"));
        } else {
            replaced.push_str(line);
            replaced.push('\n');
        }
    }
    assert!(
        replaced.contains(&real_key),
        "the config has a fleet_key line"
    );
    // Keep relative paths (scenarios, tour) working from the temp copy.
    let root = std::env::current_dir().expect("cwd");
    let replaced = replaced
        .replace(
            "scenarios_dir = \"../scenarios\"",
            &format!("scenarios_dir = \"{}\"", root.join("scenarios").display()),
        )
        .replace(
            "tour = \"tour.toml\"",
            &format!(
                "tour = \"{}\"",
                root.join("kiosk-config/tour.toml").display()
            ),
        );
    std::fs::copy("kiosk-config/tour.toml", dir.path().join("tour.toml")).expect("tour");
    let cfg = dir.path().join("station.toml");
    std::fs::write(&cfg, replaced).expect("write");
    assert!(!shows_warning(&cfg), "warning shown with a real key");
}
