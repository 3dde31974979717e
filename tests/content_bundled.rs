//! The bundled content is real and complete: catalogue breadth, scenario sizes, hands-on
//! steps, texts in three variants, and the soft skills from France Travail's list.

mod support;

use klub_kiosk::content::set::{ContentSet, Options, load_content};
use klub_kiosk::domain::dimension::{Area, Dim};
use klub_kiosk::domain::scenario::{Kind, Scenario, StepBody};
use klub_kiosk::domain::text::{Lang, Text};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use support::sticks::bundled_content;

fn bears_on(sc: &Scenario, area: Area) -> usize {
    sc.steps
        .iter()
        .filter(|s| match &s.body {
            StepBody::Scale { weights, .. } => weights.get(Dim::Area(area)) > 0,
            StepBody::Choice { options, .. } | StepBody::Multi { options, .. } => {
                options.iter().any(|o| o.weights.get(Dim::Area(area)) > 0)
            }
            b => b.enjoy().is_some_and(|w| w.get(Dim::Area(area)) > 0),
        })
        .count()
}

#[test]
fn the_catalogue_is_broad_and_regional() {
    let set = bundled_content();
    let trades = &set.catalogue.trades;
    assert!(trades.len() >= 60, "{} trades", trades.len());
    let domaines: BTreeSet<char> = trades.iter().map(|t| t.rome.domaine()).collect();
    assert!(domaines.len() >= 10, "grands domaines: {domaines:?}");
    for area in Area::ALL {
        let n = trades.iter().filter(|t| t.major == area).count();
        assert!(n >= 6, "{} trades of major {}", n, area.letter());
    }
    // Weighted towards the region's recruiting sectors: logistics, industry, care, building, agri-food.
    for (prefix, what) in [
        ("N1", "logistique"),
        ("H", "industrie"),
        ("J", "soin"),
        ("F", "bâtiment"),
        ("A", "agriculture"),
    ] {
        assert!(
            trades.iter().any(|t| t.rome.as_str().starts_with(prefix)),
            "no {what} trade"
        );
    }
    for t in trades {
        assert!(
            !t.school.is_empty() && !t.adult.is_empty(),
            "{} has school and adult routes",
            t.id
        );
        assert!(
            t.description.en.is_some() && t.description.facile.is_some(),
            "{} description in 3 variants",
            t.id
        );
        assert!(t.name.en.is_some(), "{} has an English name", t.id);
    }
}

#[test]
fn soft_skills_come_from_the_sixteen_and_do_not_restate_areas() {
    let set = bundled_content();
    assert!(set.skills.len() >= 10);
    for s in &set.skills.skills {
        assert!(
            s.code.starts_with("6D1") && s.code.len() == 5,
            "{}: {}",
            s.id,
            s.code
        );
        // 6D106 leadership, 6D114 curiosité, 6D115 créativité restate convaincre, chercher, créer.
        assert!(
            !["6D106", "6D114", "6D115"].contains(&s.code.as_str()),
            "{} restates a RIASEC area",
            s.id
        );
    }
}

#[test]
fn talent_discovery_is_full_length_and_balanced() {
    let set = bundled_content();
    let t = set.scenario("talents").expect("talents");
    assert_eq!(t.kind, Kind::Talents);
    assert!(t.steps.len() >= 36, "{} steps", t.steps.len());
    let est = t.estimated_seconds();
    assert!(
        (360..=480).contains(&est),
        "talents takes {est} s, not 6–8 min"
    );
    for area in Area::ALL {
        assert!(
            bears_on(t, area) >= 5,
            "{} steps on {}",
            bears_on(t, area),
            area.id()
        );
    }
    for ty in ["sort", "hotspot", "timed"] {
        assert!(
            t.steps.iter().any(|s| s.body.type_name() == ty),
            "talents has a {ty} step"
        );
    }
    // Situational choices: every option puts some quality forward, none is "the right one".
    let situations: Vec<_> = t
        .steps
        .iter()
        .filter_map(|s| match &s.body {
            StepBody::Choice { options, .. }
                if options
                    .iter()
                    .any(|o| o.weights.0.iter().any(|(d, _)| matches!(d, Dim::Skill(_)))) =>
            {
                Some(options)
            }
            _ => None,
        })
        .collect();
    assert!(
        situations.len() >= 3,
        "{} situational choices",
        situations.len()
    );
    for options in situations {
        for o in options {
            assert!(
                o.weights.0.iter().any(|(d, _)| matches!(d, Dim::Skill(_))),
                "option {} reflects a quality",
                o.id
            );
        }
        let best: HashSet<u8> = options
            .iter()
            .map(|o| o.weights.0.iter().map(|(_, w)| *w).sum())
            .collect();
        assert_eq!(best.len(), 1, "every option of a situation weighs the same");
    }
    let express = set.scenario("talents-express").expect("talents-express");
    assert!(express.steps.len() >= 12);
    assert!(
        express.estimated_seconds() <= 150,
        "express takes {} s",
        express.estimated_seconds()
    );
}

#[test]
fn immersions_are_hands_on_and_cover_four_letters() {
    let set = bundled_content();
    let imm: Vec<&Scenario> = set
        .scenarios
        .iter()
        .filter(|s| s.kind == Kind::Immersion)
        .collect();
    assert!(imm.len() >= 6, "{} immersions", imm.len());
    let mut letters = HashSet::new();
    for s in &imm {
        assert!(s.steps.len() >= 6, "{}: {} steps", s.id, s.steps.len());
        assert!(
            (3..=5).contains(&s.duration_minutes),
            "{}: {} min",
            s.id,
            s.duration_minutes
        );
        let est = s.estimated_seconds();
        assert!((150..=300).contains(&est), "{}: estimated {est} s", s.id);
        assert!(
            s.steps.iter().any(|st| st.body.is_game()),
            "{} has a hands-on step",
            s.id
        );
        assert!(s.ambient.is_some(), "{} has its ambient sound", s.id);
        assert!(
            s.steps.iter().any(|st| st.image.is_some()),
            "{} has illustrations",
            s.id
        );
        let trade = set
            .catalogue
            .get(s.trade.as_deref().expect("immersion trade"))
            .expect("trade in catalogue");
        assert_eq!(
            trade.immersion.as_deref(),
            Some(s.id.as_str()),
            "catalogue links back to {}",
            s.id
        );
        letters.insert(trade.major);
    }
    assert!(
        letters.len() >= 4,
        "immersion trades cover {} major letters",
        letters.len()
    );
}

fn all_texts(set: &ContentSet) -> Vec<(String, Text)> {
    let mut out = vec![];
    for s in &set.scenarios {
        for (k, t) in klub_kiosk::content::set::scenario_texts(s) {
            out.push((format!("{}:{k}", s.id), t.clone()));
        }
    }
    for t in &set.catalogue.trades {
        out.push((format!("trades:{}", t.id), t.description.clone()));
    }
    for s in &set.skills.skills {
        out.push((format!("skills:{}", s.id), s.name.clone()));
    }
    out
}

#[test]
fn every_bundled_text_has_english_and_easy_french_without_point_median() {
    let set = bundled_content();
    for (key, t) in all_texts(&set) {
        assert!(
            t.en.as_deref().is_some_and(|s| !s.trim().is_empty()),
            "{key} has no English"
        );
        let facile = t
            .facile
            .as_deref()
            .unwrap_or_else(|| panic!("{key} has no facile"));
        assert!(
            !facile.contains('·') && !facile.contains('•'),
            "{key}: point médian in facile"
        );
    }
}

#[test]
fn bundled_content_has_no_errors_and_its_assets_decode() {
    let v = load_content(
        Path::new("scenarios"),
        &Options {
            assets: true,
            narration: false,
        },
    );
    assert_eq!(v.report.errors(), 0, "{}", v.render(Lang::Fr));
    // Every file the scenarios name exists (missing files are errors above), and each
    // immersion's art and sound are its own: no two immersions share a folder.
    let set = v.set;
    let folders: HashSet<_> = set.folders.iter().collect();
    assert_eq!(folders.len(), set.scenarios.len());
}
