//! The station's font has a glyph for every character of every bundled string: scenario
//! texts in all variants, the catalogue, and the station's own words.

use klub_kiosk::content::set::{ContentSet, scenario_texts};
use std::collections::BTreeSet;
use std::path::Path;

/// Characters inside the string literals of a Rust file.
fn literal_chars(src: &str, out: &mut BTreeSet<char>) {
    let mut inside = false;
    let mut escaped = false;
    for c in src.chars() {
        if inside {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                inside = false;
            } else if c != '\n' {
                out.insert(c);
            }
        } else if c == '"' {
            inside = true;
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_font_covers_every_bundled_string() {
    let path = klub_kiosk::ops::files::find_font(Path::new("/"))
        .expect("no font: install fonts-dejavu-core");
    let data = std::fs::read(&path).unwrap();
    let face = ttf_parser::Face::parse(&data, 0).unwrap();
    let mut chars: BTreeSet<char> = "’œ«»·\u{202F}éèàçâêîôûëïüÉÀÇŒ–—…".chars().collect();
    let set = ContentSet::load(Path::new("scenarios"))
        .unwrap_or_else(|v| panic!("{}", v.render(klub_kiosk::domain::text::Lang::Fr)));
    let mut texts = vec![];
    for s in &set.scenarios {
        for (_, t) in scenario_texts(s) {
            texts.push(t.clone());
        }
    }
    for t in &set.catalogue.trades {
        texts.push(t.description.clone());
        chars.extend(t.name.fr.chars());
        chars.extend(t.name.en.iter().flat_map(|s| s.chars()));
    }
    for t in texts {
        chars.extend(t.fr.chars());
        chars.extend(t.en.iter().flat_map(|s| s.chars()));
        chars.extend(t.facile.iter().flat_map(|s| s.chars()));
    }
    let mut files = vec![];
    rust_files(Path::new("src/app"), &mut files);
    for f in [
        "src/domain/wording.rs",
        "src/domain/pass.rs",
        "src/domain/dimension.rs",
        "src/domain/config.rs",
    ] {
        files.push(f.into());
    }
    for f in files {
        literal_chars(&std::fs::read_to_string(&f).unwrap(), &mut chars);
    }
    let missing: Vec<String> = chars
        .iter()
        .filter(|c| !c.is_control() && face.glyph_index(**c).is_none())
        .map(|c| format!("{c} (U+{:04X})", *c as u32))
        .collect();
    assert!(missing.is_empty(), "{} lacks: {missing:?}", path.display());
    assert!(
        chars.len() > 80,
        "too few characters checked: {}",
        chars.len()
    );
}

#[test]
fn every_colour_pair_on_screen_meets_wcag_aa() {
    use klub_kiosk::app::theme::palette;
    for (fg, bg) in palette::PAIRS {
        let c = palette::contrast(*fg, *bg);
        assert!(c >= 4.5, "{fg:?} on {bg:?}: {c:.2}");
    }
}
