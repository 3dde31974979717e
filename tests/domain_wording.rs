//! What a visitor reads: strengths as verbs, ties as ties, skills "mis en avant", no numbers.

use klub_kiosk::domain::scoring::{DimScore, Profile};
use klub_kiosk::domain::skills::{Skill, SkillSet};
use klub_kiosk::domain::text::{Text, Variant};
use klub_kiosk::domain::wording::{put_forward, strengths};

fn profile(scores: [u8; 6]) -> Profile {
    Profile {
        areas: scores.map(|score| DimScore { score, evidence: 2 }),
        skills: vec![
            DimScore {
                score: 100,
                evidence: 1,
            },
            DimScore {
                score: 50,
                evidence: 2,
            },
            DimScore::default(),
        ],
    }
}

fn all(t: &Text) -> [&str; 3] {
    Variant::ALL.map(|v| t.get(v))
}

#[test]
fn strengths_are_verbs_with_ties_said_and_no_numbers_or_codes() {
    let one_two = strengths(&profile([90, 70, 10, 10, 10, 10]));
    assert_eq!(
        one_two.fr,
        "Ce qui t'attire le plus : faire, puis chercher."
    );
    let tied = strengths(&profile([90, 10, 90, 10, 10, 10]));
    assert_eq!(
        tied.fr,
        "Ce qui t'attire le plus : faire et créer, à égalité."
    );
    assert_eq!(
        tied.en.as_deref(),
        Some("What draws you most: making things and creating, equally.")
    );
    for t in [one_two, tied] {
        for s in all(&t) {
            assert!(!s.chars().any(|c| c.is_ascii_digit()), "{s}");
            assert!(
                !s.contains("RI") && !s.contains("AS"),
                "no letter code: {s}"
            );
        }
    }
}

#[test]
fn too_few_answers_and_no_clear_preference_get_their_own_encouraging_words() {
    let mut few = profile([90, 0, 0, 0, 0, 0]);
    for a in &mut few.areas {
        a.evidence = 0;
    }
    let few = strengths(&few);
    let flat = strengths(&profile([50; 6]));
    assert!(few.fr.starts_with("Pas assez de réponses"), "{}", few.fr);
    assert!(
        flat.fr.starts_with("Pas de préférence nette"),
        "{}",
        flat.fr
    );
    assert_ne!(few, flat);
}

#[test]
fn skills_are_put_forward_never_a_verdict() {
    let skill = |id: &str, fr: &str| Skill {
        id: id.into(),
        code: "6D101".into(),
        ogr: "1".into(),
        name: Text::new(fr, fr, fr),
    };
    let skills = SkillSet {
        skills: vec![
            skill("ecoute", "l'écoute"),
            skill("rigueur", "la rigueur"),
            skill("equipe", "l'esprit d'équipe"),
        ],
    };
    let t = put_forward(&profile([50; 6]), &skills, 3).expect("skills stand out");
    assert_eq!(t.fr, "Ce que tu as mis en avant : l'écoute et la rigueur.");
    for s in all(&t) {
        assert!(!s.contains("tu es") && !s.contains("Tu es"), "{s}");
    }
    let none = Profile {
        skills: vec![DimScore::default(); 3],
        ..profile([50; 6])
    };
    assert!(put_forward(&none, &skills, 3).is_none());
}
