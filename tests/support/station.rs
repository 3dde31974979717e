//! Station folders and headless stations for the station tests: a copy of the bundled
//! scenarios and config in a temp folder (config in `<dir>/config`, data in `<dir>/data`),
//! and harnesses on it.

use super::sticks::{copy_dir, copy_dir_except};
use klub_kiosk::app::Launch;
use klub_kiosk::app::bridge::Station;
use klub_kiosk::app::harness::Harness;
use std::path::{Path, PathBuf};

/// A scenario with a `multi` step (none is bundled).
pub const MULTI: &str = r#"
id = "essai-multi"
kind = "talents"
title = { fr = "Essai à choix multiples", en = "Multiple choice trial" }
duration_minutes = 1
reviewed_by = "tests"

[[step]]
id = "loisirs"
type = "multi"
min = 2
max = 3
question = { fr = "Qu'aimes-tu faire le week-end ?", en = "What do you like doing at weekends?" }
[[step.option]]
id = "sport"
label = { fr = "Du sport", en = "Sport" }
weights = { faire = 1 }
[[step.option]]
id = "lire"
label = { fr = "Lire", en = "Reading" }
weights = { chercher = 1 }
[[step.option]]
id = "dessin"
label = { fr = "Dessiner", en = "Drawing" }
weights = { creer = 1 }
[[step.option]]
id = "benevolat"
label = { fr = "Aider une association", en = "Volunteering" }
weights = { aider = 1 }
"#;

/// What a test station folder holds besides the bundled scenarios and config.
#[derive(Clone, Copy, Debug)]
pub struct Folder {
    /// The narration (`voix/`): slow to copy, needed only to hear it.
    pub voices: bool,
    /// The [`MULTI`] scenario.
    pub multi: bool,
    /// The bundled tour, beside the config.
    pub tour: bool,
}

impl Default for Folder {
    fn default() -> Self {
        Folder {
            voices: true,
            multi: false,
            tour: false,
        }
    }
}

impl Folder {
    /// Writes the folder in `dir` with the bundled config edited by `edit`; returns the
    /// config file.
    pub fn write(self, dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
        let scenarios = dir.join("scenarios");
        if self.voices {
            copy_dir(Path::new("scenarios"), &scenarios);
        } else {
            copy_dir_except(Path::new("scenarios"), &scenarios, &["voix"]);
        }
        if self.multi {
            std::fs::create_dir_all(scenarios.join("essai-multi")).unwrap();
            std::fs::write(scenarios.join("essai-multi/scenario.toml"), MULTI).unwrap();
        }
        std::fs::create_dir_all(dir.join("config")).unwrap();
        if self.tour {
            std::fs::copy("kiosk-config/tour.toml", dir.join("config/tour.toml")).unwrap();
        }
        let cfg = edit(std::fs::read_to_string("kiosk-config/default.toml").unwrap());
        let path = dir.join("config/station.toml");
        std::fs::write(&path, cfg).unwrap();
        path
    }
}

/// A launch that neither logs nor keeps state: tests that only watch the screen.
pub fn quiet(config: impl Into<PathBuf>) -> Launch {
    Launch {
        config: config.into(),
        no_log: true,
        ..Default::default()
    }
}

/// A quiet station of the given size on `config`, which must load without a warning.
pub fn harness(config: &Path, size: (u32, u32)) -> Harness {
    let h = Harness::with_size(quiet(config), size);
    let warning = h.app.world().resource::<Station>().warning.clone();
    assert!(warning.is_none(), "{warning:?}");
    h
}
